"""TLS106 self-signed-certificate: the served leaf certificate is self-signed.

## What it checks

The certificate a server presents (or a client presents for mutual TLS)
is its own issuer: subject equals issuer and it verifies with its own key.

## Why it matters

Only clients that pin this exact certificate accept it; everybody else
fails with `self-signed certificate` (OpenSSL error 18), and users learn to
click through warnings. Acceptable for a lab, not for production.

## Example

```
openssl req -x509 -newkey rsa:2048 -keyout site.key -out site.pem -days 365
```

Fix: get a certificate from a public CA (ACME) or from your private CA, and
distribute that CA's root to clients.

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS106", "self-signed-certificate", Severity.WARNING,
            "the served leaf is self-signed", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair, a in analyses(endpoint, ctx):
        leaf = a.leaf
        if not leaf.self_signed:
            continue
        who = "clients" if endpoint.role == "server" else "servers"
        yield ctx.finding(
            pair.cert.setting,
            f"the certificate {leaf.subject} in {leaf.file} is self-signed: {who} that do not pin "
            "it will fail with 'self-signed certificate'",
            endpoint=endpoint, related=[related_cert(leaf, "self-signed")])
