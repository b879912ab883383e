"""TLS105 chain-untrusted: the chain ends in a root that is not a trust anchor.

## What it checks

The served chain links up to a self-signed root (sent in the file) that is
in none of the trust anchors tlslint knows: `--trust` files and
directories, the config's own CA files, and the system trust store.

A self-signed leaf is TLS106, not this rule.

## Why it matters

Clients that do not have the root fail with `self-signed certificate in
certificate chain` (OpenSSL error 19) or "unknown CA". If the root is a
private CA that your clients do trust, tell tlslint with `--trust
path/to/root.pem` (or `trust` in the configuration file).

## Example

```
site.pem: leaf, intermediate, "Internal Root" (not in any trust store)
```

## Fix safety

No automatic fix: either the clients must trust the root, or the
certificate must come from a CA they trust.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, served_related
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS105", "chain-untrusted", Severity.ERROR,
            "the chain ends in a root that is not a trust anchor", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if endpoint.role != "server":
        return
    for pair, a in analyses(endpoint, ctx):
        if a.end != "untrusted_root" or a.leaf.self_signed:
            continue
        root = a.path[-1].info
        yield ctx.finding(
            pair.cert.setting,
            f"the served chain ends at the self-signed root {root.subject} ({root.file}, "
            f"{root.position()}), which is not a trust anchor: clients will fail with "
            "'self-signed certificate in certificate chain'; if your clients trust this private "
            "root, pass it to tlslint with --trust",
            endpoint=endpoint, related=served_related(a))
