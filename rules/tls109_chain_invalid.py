"""TLS109 chain-invalid: the chain fails verification for another reason.

## What it checks

Once the path from the leaf to its root is known, each link is checked the
way clients do:

* the signature: a certificate names an issuer that is present but whose
  key did not sign it (a re-keyed CA, a certificate from another PKI with
  the same CA name);
* the issuer is a CA (basicConstraints cA) and may sign certificates
  (keyUsage keyCertSign);
* path length constraints (`pathlen:0` on a CA that has a CA below it);
* name constraints, via `cryptography`'s verifier.

Missing intermediates (TLS101), untrusted roots (TLS105), weak signatures
(TLS108) and validity dates (TLS401/403) have their own rules.

## Why it matters

Each of these makes every client reject the chain, with errors such as
`certificate signature failure`, `invalid CA certificate`,
`path length constraint exceeded` or `permitted subtree violation`.

## Example

```
Root (pathlen:0) -> Intermediate A -> Intermediate B -> leaf   # B violates the root's pathlen
```

## Fix safety

No automatic fix: the CA hierarchy must be reissued.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS109", "chain-invalid", Severity.ERROR,
            "the chain fails verification (signature, CA bit, key usage, path length, name constraints)",
            dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair, a in analyses(endpoint, ctx):
        for cert, why in a.invalid:
            yield ctx.finding(
                pair.cert.setting,
                f"{cert.subject} ({cert.file}, {cert.position()}) {why}",
                endpoint=endpoint, related=[related_cert(cert)])
