"""TLS301 key-mismatch: the private key does not belong to the certificate.

## What it checks

The public key inside the (first) certificate of the certificate file must
be the public half of the configured private key (compared as
SubjectPublicKeyInfo). When the key belongs to another certificate of the
same file, the message says which: usually the chain was written
intermediate-first ("bundle before leaf").

Encrypted keys are compared once a configured password opens them.

## Why it matters

nginx refuses to start with `SSL_CTX_use_PrivateKey(...) failed (... key
values mismatch)`; RabbitMQ starts and then fails every handshake; Go
services exit with `tls: private key does not match public key`.

## Example

```
cat intermediate.pem site.pem > site.fullchain.pem    # wrong order
```

Fix: put the server's own certificate first, or configure the key that was
generated with this certificate.

## Fix safety

No automatic fix for a foreign key. When the key matches a later
certificate of the file, reordering the file (TLS102's fix) repairs it.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import key_mismatch_consequence, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS301", "key-mismatch", Severity.ERROR,
            "the private key does not belong to the certificate", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair in endpoint.pairs:
        if pair.cert is None:
            continue
        lf = ctx.pki.load(pair.cert)
        if not lf.ok or not lf.certs:
            continue
        kr = ctx.pki.private_key(pair)
        if kr.status != "ok" or kr.spki is None:
            continue
        first = lf.certs[0]
        if first.spki == kr.spki:
            continue
        key_file = kr.loaded.display if kr.loaded else "the key file"
        where = pair.key.setting if pair.key is not None else pair.cert.setting
        other = next((c for c in lf.certs[1:] if c.spki == kr.spki), None)
        if other is not None:
            msg = (f"the private key in {key_file} belongs to {other.describe()} of {lf.display}, "
                   f"not to the first certificate {first.subject}: the server's own certificate "
                   f"must come first; {key_mismatch_consequence(endpoint)}")
            related = [related_cert(first, "served as the server certificate"),
                       related_cert(other, "matches the key")]
        else:
            msg = (f"the private key in {key_file} does not belong to the certificate "
                   f"{first.subject} in {lf.display}: {key_mismatch_consequence(endpoint)}")
            related = [related_cert(first, "does not match the key")]
        yield ctx.finding(where, msg, endpoint=endpoint, related=related)
