"""TLS102 chain-misordered: the served certificates are not in chain order.

## What it checks

The certificate file must start with the server's own certificate (the
leaf), followed by the certificate that issued it, then that one's issuer,
and so on. tlslint compares the file order with the path it builds.

For RabbitMQ only the first position matters: Erlang/OTP takes the first
certificate of `certfile` as the server's own and assembles the rest itself.

## Why it matters

nginx sends the file as is. If a CA certificate comes first, nginx serves
the CA as its own certificate and refuses to start (`key values mismatch`);
intermediates in the wrong order are rejected by strict TLS 1.2 clients and
older Java/OpenSSL versions.

## Example

```
site.pem: intermediate, then leaf        # reversed
```

Fix: rewrite the file as leaf, intermediate(s).

## Fix safety

Safe: the same certificates are served, in the right order.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.chainfix import reorder_blocks, rewrite_fix
from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS102", "chain-misordered", Severity.ERROR,
            "the served certificates are not leaf first, each followed by its issuer",
            fix="safe", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair, a in analyses(endpoint, ctx):
        if not a.misordered:
            continue
        first = a.file_certs[0]
        order = ", ".join(str(c.index) for c in a.expected_order)
        if first is not a.leaf:
            msg = (f"{a.cert_file.display} starts with {first.subject}, not with the leaf "
                   f"{a.leaf.subject} ({a.leaf.position()}): the server presents "
                   f"{first.subject} as its own certificate")
        else:
            msg = (f"the certificates in {a.cert_file.display} are not in chain order "
                   "(each certificate must be followed by its issuer)")
        msg += f"; expected order: {order}"
        related = [related_cert(c, "leaf" if c is a.leaf else "") for c in a.file_certs]
        order = [c.fingerprint for c in a.expected_order]
        # never offer to serve a CA certificate as the server's own
        fix = None if a.expected_order[0].is_ca else rewrite_fix(
            a, f"reorder {a.cert_file.display}: leaf first, each certificate followed by its issuer",
            "safe", lambda data: reorder_blocks(data, order), a.expected_order)
        yield ctx.finding(pair.cert.setting, msg, endpoint=endpoint, related=related, fix=fix)
