"""TLS108 weak-signature: a certificate other than the trust anchor is signed with SHA-1 or MD5.

## What it checks

Every certificate on the served path except the trust anchor (whose own
signature no client checks), and every non-self-signed CA certificate in a
CA file used to verify peers, must be signed with SHA-256 or better.

## Why it matters

SHA-1 and MD5 signatures can be forged (SHAttered, chosen-prefix
collisions). Browsers, Go, Java and OpenSSL 3 at its default security level
reject such certificates (`ca md too weak`, "weak signature algorithm").

## Example

```
Signature Algorithm: sha1WithRSAEncryption     # openssl x509 -noout -text
```

Fix: reissue the certificate (or the intermediate) with SHA-256.

## Fix safety

No automatic fix: the CA has to reissue.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.chain import WEAK_HASHES
from tlslint.pki.report import analyses, related_cert, verify_on
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS108", "weak-signature", Severity.ERROR,
            "a certificate other than the trust anchor is signed with SHA-1 or MD5",
            dialects=ALL_DIALECTS, load_time=True)


def _algo(c) -> str:
    return {"sha1": "SHA-1", "md5": "MD5", "md2": "MD2"}.get(c.signature_hash or "", "a weak hash")


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    seen: set[str] = set()
    for pair, a in analyses(endpoint, ctx, loaded=True):  # nginx loads (and checks) it even if replaced
        for c in a.weak_signatures:
            if c.fingerprint in seen:
                continue
            seen.add(c.fingerprint)
            what = "the leaf" if c is a.leaf else "the intermediate"
            effect = ("nginx refuses to start at OpenSSL's default security level ('ca md too weak')"
                      if endpoint.dialect == "nginx" else "clients reject it ('ca md too weak', weak signature algorithm)")
            yield ctx.finding(
                pair.cert.setting,
                f"{what} {c.subject} ({c.file}, {c.position()}) is signed with {_algo(c)}: {effect}",
                endpoint=endpoint, related=[related_cert(c, f"signed with {_algo(c)}")])
    if not (verify_on(endpoint) or endpoint.role == "client"):
        return
    for ref in endpoint.ca_files:
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue
        for c in lf.certs:
            if c.self_signed or c.signature_hash not in WEAK_HASHES or c.fingerprint in seen:
                continue
            seen.add(c.fingerprint)
            yield ctx.finding(
                ref.setting,
                f"CA certificate {c.subject} ({lf.display}, {c.position()}) is signed with "
                f"{_algo(c)}: chains through it are rejected ('ca md too weak')",
                endpoint=endpoint, related=[related_cert(c, f"signed with {_algo(c)}")])
