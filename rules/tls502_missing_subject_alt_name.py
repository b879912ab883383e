"""TLS502 missing-subject-alt-name: the served certificate has no subjectAltName.

## What it checks

The leaf certificate a server presents has no subjectAltName extension, so
its names exist only in the subject's common name (CN).

## Why it matters

Browsers (Chrome since 58, Firefox), Go since 1.15, Python, and
`cryptography` ignore the CN and fail with a name mismatch whatever the
CN says. Only old OpenSSL-based clients still fall back to the CN.

## Example

```
openssl req -x509 -subj "/CN=www.example.org" ...   # no -addext subjectAltName
```

Fix: reissue with `subjectAltName = DNS:www.example.org`.

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS502", "missing-subject-alt-name", Severity.WARNING,
            "the leaf has no subjectAltName: modern clients ignore the CN", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if endpoint.role != "server":
        return
    for pair, a in analyses(endpoint, ctx):
        leaf = a.leaf
        if leaf.san is not None:
            continue
        cn = leaf.common_name
        yield ctx.finding(
            pair.cert.setting,
            f"the certificate {leaf.subject} in {leaf.file} has no subjectAltName: browsers, Go and "
            f"Python ignore the common name{f' ({cn})' if cn else ''} and fail with a name mismatch",
            endpoint=endpoint, related=[related_cert(leaf, "no subjectAltName")])
