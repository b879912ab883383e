"""TLS103 chain-contains-root: the served chain includes the self-signed root.

## What it checks

A self-signed root CA certificate sent along with the chain, where the
client has to have that root in its own trust store anyway.

Not reported for RabbitMQ: Erlang/OTP adds the root from `cacertfile`
itself, and removing it there would break client-certificate verification.

## Why it matters

Harmless for most clients, but it costs bytes in every handshake (a root is
often 1-2 KB), and a few clients treat a sent root as a hint and complain
when it differs from their own copy.

## Example

```
site.pem: leaf, intermediate, root
```

## Fix safety

Safe: drop the root from the file; clients use their own copy.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.chainfix import drop_blocks, rewrite_fix
from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS103", "chain-contains-root", Severity.INFO,
            "the served chain includes the self-signed root", fix="safe", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair, a in analyses(endpoint, ctx):
        root = a.root_included
        if root is None:
            continue
        kept = [c for c in a.file_certs if c.fingerprint != root.fingerprint]
        fix = rewrite_fix(a, f"drop the root {root.subject} from {a.cert_file.display}", "safe",
                          lambda data: drop_blocks(data, {root.fingerprint}, keep_first_duplicate=False), kept)
        yield ctx.finding(
            pair.cert.setting,
            f"{a.cert_file.display} sends the root CA {root.subject} ({root.position()}): "
            "clients use their own copy of the root, sending it only adds bytes to every handshake",
            endpoint=endpoint, related=[related_cert(root, "self-signed root")], fix=fix)
