"""TLS107 ca-bundle-not-ca: a CA or trust file holds non-CA certificates, or a private key.

## What it checks

Files used as trust anchors or CA lists (`ssl_client_certificate`,
`ssl_trusted_certificate`, `proxy_ssl_trusted_certificate`, RabbitMQ
`cacertfile`, YAML `ca_file`/`ca`...) should hold CA certificates only:

* an end-entity certificate (basicConstraints cA false, or no CA marking)
  issued by someone else is reported when the file is used to verify peers
  (a full chain in nginx's `ssl_trusted_certificate` for OCSP stapling alone
  is harmless); a self-signed end-entity certificate is accepted, because
  pinning one that way works in OpenSSL and Go;
* any private key is reported.

## Why it matters

A leaf in a CA file never helps verification and usually means the wrong
file was copied (the server certificate instead of the CA). A private key
in a CA bundle is a leak: CA bundles are distributed widely and are world-readable.

## Example

```nginx
ssl_client_certificate certs/site.pem;   # the server's own cert, not the client CA
```

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Related, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import related_cert, verify_on
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS107", "ca-bundle-not-ca", Severity.ERROR,
            "a CA/trust file holds non-CA certificates, or a private key", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    # nginx's ssl_trusted_certificate often holds the full chain for OCSP
    # stapling only: leaves there matter only once the file verifies peers
    verifying = verify_on(endpoint) or endpoint.role == "client"
    for ref in endpoint.ca_files:
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue
        for c in lf.certs:
            if c.is_ca or c.self_signed or not verifying:
                continue
            yield ctx.finding(
                ref.setting,
                f"CA file {lf.display} holds {c.describe()}, which is not a CA certificate "
                "(basicConstraints cA is not set): it cannot issue the peer's certificate; "
                "was the wrong file copied?",
                endpoint=endpoint, related=[related_cert(c, "not a CA")])
        if lf.keys:
            yield ctx.finding(
                ref.setting,
                f"CA file {lf.display} holds a private key: CA bundles are shared and readable, "
                "the key must not be in it",
                endpoint=endpoint, related=[Related(lf.display, k.describe()) for k in lf.keys])
