"""TLS301 key-mismatch: the private key does not belong to the certificate.

## What it checks

The public key inside the (first) certificate of the certificate file must
be the public half of the configured private key (compared as
SubjectPublicKeyInfo). When the key belongs to another certificate of the
same file, the message says which: usually the chain was written
intermediate-first ("bundle before leaf").

Encrypted keys are compared once a configured password opens them.

nginx with several `ssl_certificate` / `ssl_certificate_key` pairs (an RSA
and an ECDSA certificate, say) is judged the way OpenSSL loads them. nginx
pairs the directives by position, but OpenSSL keeps one certificate and one
key per key type: a key goes to its own type's slot. So keys listed in
another order than the certificates are fine when the types differ. This
rule reports a key whose type's slot holds a certificate it does not belong
to (nginx refuses to start), at the key. A certificate whose type's slot ends
up without a key (nginx starts, but never serves it) is TLS304.

## Why it matters

nginx refuses to start with `SSL_CTX_use_PrivateKey(...) failed (... key
values mismatch)`; RabbitMQ starts and then fails every handshake; Go
services exit with `tls: private key does not match public key`.

## Example

```
cat intermediate.pem site.pem > site.fullchain.pem    # wrong order
```

```nginx
ssl_certificate     ecdsa.pem;
ssl_certificate     rsa.pem;
ssl_certificate_key rsa.key;
ssl_certificate_key other-ecdsa.key;   # TLS301: not ecdsa.pem's key (nginx refuses)
```

Fix: put the server's own certificate first, or configure the key that was
generated with this certificate.

## Fix safety

No automatic fix for a foreign key. When the key matches a later
certificate of the file, reordering the file (TLS102's fix) repairs it.
"""

from __future__ import annotations

from typing import Iterable, Optional

from tlslint.findings import Finding, Severity
from tlslint.model import CertKeyPair, TlsEndpoint
from tlslint.pki.report import key_mismatch_consequence, related_cert
from tlslint.pki.slots import SlotProblem, loaded_pairs, simulate
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS301", "key-mismatch", Severity.ERROR,
            "the private key does not belong to the certificate", dialects=ALL_DIALECTS,
            load_time=True)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if endpoint.dialect == "nginx":
        yield from _nginx(endpoint, ctx)
        return
    for pair in endpoint.pairs:
        f = _positional(endpoint, ctx, pair)
        if f is not None:
            yield f


def _positional(endpoint: TlsEndpoint, ctx: CheckContext, pair: CertKeyPair) -> Optional[Finding]:
    """The pair's key against the first certificate of the pair's file."""
    if pair.cert is None:
        return None
    lf = ctx.pki.load(pair.cert)
    if not lf.ok or not lf.certs:
        return None
    kr = ctx.pki.private_key(pair)
    if kr.status != "ok" or kr.spki is None:
        return None
    first = lf.certs[0]
    if first.spki == kr.spki:
        return None
    key_file = kr.loaded.display if kr.loaded else "the key file"
    where = pair.key.setting if pair.key is not None else pair.cert.setting
    other = next((c for c in lf.certs[1:] if c.spki == kr.spki), None)
    if other is not None and other.is_ca:
        msg = (f"the private key in {key_file} is the key of the CA certificate {other.subject} "
               f"({other.describe()} of {lf.display}), not of the server certificate {first.subject}: "
               f"configure the server certificate's own key; {key_mismatch_consequence(endpoint)}")
        related = [related_cert(first, "the server certificate"), related_cert(other, "CA; matches the key")]
    elif other is not None:
        msg = (f"the private key in {key_file} belongs to {other.describe()} of {lf.display}, "
               f"not to the first certificate {first.subject}: the server's own certificate "
               f"must come first; {key_mismatch_consequence(endpoint)}")
        related = [related_cert(first, "served as the server certificate"),
                   related_cert(other, "matches the key")]
    else:
        msg = (f"the private key in {key_file} does not belong to the certificate "
               f"{first.subject} in {lf.display}: {key_mismatch_consequence(endpoint)}")
        related = [related_cert(first, "does not match the key")]
    return ctx.finding(where, msg, endpoint=endpoint, related=related)


def _nginx(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    """nginx pairs by position, OpenSSL keeps one certificate and key per key type."""
    items = loaded_pairs(ctx.pki, endpoint)
    problems = simulate(items)
    if problems is None:
        # something cannot be read statically: only a same-type pair is certain
        # (its key is checked against the certificate loaded just before it)
        for it in items:
            if it.cert_slot is not None and it.key_slot is not None and it.cert_slot != it.key_slot:
                continue
            f = _positional(endpoint, ctx, it.pair)
            if f is not None:
                yield f
        return
    for p in problems:
        if p.kind == "refused" and p.cert_of is p.at:
            f = _positional(endpoint, ctx, p.at.pair)
            if f is not None:
                yield f
        elif p.kind == "refused":
            yield _cross_type_refused(endpoint, ctx, p)
        # a certificate left without a key (nginx starts): TLS304


def _setting_line(pair: CertKeyPair, which: str) -> str:
    ref = pair.cert if which == "cert" else pair.key
    if ref is None:
        return ""
    s = ref.setting
    return f"{s.key} at line {s.line}"


def _cross_type_refused(endpoint: TlsEndpoint, ctx: CheckContext, p: SlotProblem) -> Finding:
    pair = p.at.pair
    key_file = p.at.key.loaded.display if p.at.key.loaded else "the key file"
    where = pair.key.setting if pair.key is not None else pair.cert.setting
    msg = (f"the {p.slot} private key in {key_file} does not belong to the {p.slot} certificate "
           f"{p.cert.subject} in {p.cert.file} ({_setting_line(p.cert_of.pair, 'cert')}): nginx pairs "
           f"certificates and keys by position, but OpenSSL keeps one certificate and key per key "
           f"type, so this key goes with the {p.slot} certificate; "
           f"{key_mismatch_consequence(endpoint)}")
    return ctx.finding(where, msg, endpoint=endpoint,
                       related=[related_cert(p.cert, f"the {p.slot} certificate loaded")])
