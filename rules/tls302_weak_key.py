"""TLS302 weak-key: a certificate on the served chain has a weak key.

## What it checks

The public key of the leaf and of every served intermediate (and a served
root): RSA below 2048 bits, any DSA key, elliptic curves below 256 bits
(P-192, P-224); and nginx `ssl_dhparam` DH parameters below 2048 bits.

## Why it matters

RSA-1024 has been factorable with public resources for years; browsers,
Go, Java and OpenSSL 3 at its default security level reject such keys (`ee key
too small`, `ca key too small`), DSA is not offered by TLS 1.3 at all.

## Example

```
openssl req -newkey rsa:1024 ...
```

Fix: generate a new key (RSA 2048+/3072, or EC P-256) and reissue.

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.keys import dh_weakness, weakness
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS302", "weak-key", Severity.ERROR,
            "RSA < 2048 bits, DSA, an elliptic curve below 256 bits, or DH parameters < 2048 bits",
            dialects=ALL_DIALECTS,
            load_time=True)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    seen: set[str] = set()
    for pair, a in analyses(endpoint, ctx, loaded=True):  # nginx loads (and checks) it even if replaced
        certs = [n.info for n in a.path if n.origin == "served"]
        if a.leaf not in certs:
            certs.insert(0, a.leaf)
        for c in certs:
            if c.public_key is None or c.fingerprint in seen:
                continue
            why = weakness(c.public_key)
            if why is None:
                continue
            seen.add(c.fingerprint)
            role = "the leaf" if c is a.leaf else "the CA certificate"
            error = "ee key too small" if c is a.leaf else "ca key too small"
            effect = (f"nginx refuses to start at OpenSSL's default security level ('{error}')"
                      if endpoint.dialect == "nginx" else f"clients reject it ('{error}')")
            yield ctx.finding(
                pair.cert.setting,
                f"{role} {c.subject} ({c.file}, {c.position()}) has a weak key: {why}; {effect}",
                endpoint=endpoint, related=[related_cert(c, why)])
    yield from _weak_dh_parameters(endpoint, ctx)


def _weak_dh_parameters(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for ref in endpoint.other_files:
        if ref.kind != "dhparam":
            continue
        lf = ctx.pki.load(ref)
        why = dh_weakness(lf.data) if lf.ok and lf.data else None
        if why is None:
            continue
        effect = ("nginx refuses to start at OpenSSL's default security level ('dh key too small')"
                  if endpoint.dialect == "nginx" else "clients reject it ('dh key too small')")
        yield ctx.finding(ref.setting, f"{lf.display}: {why}; {effect}", endpoint=endpoint)

