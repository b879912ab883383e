"""TLS304 missing-key-or-certificate: a certificate without a key, or a key without a certificate.

## What it checks

Each configured certificate needs its private key and each key its
certificate: nginx `ssl_certificate` / `ssl_certificate_key` pairs
(and the `proxy_ssl_` pair for client certificates), RabbitMQ
`certfile`/`keyfile`, YAML `cert_file`/`key_file`. Files that carry the
key inside the certificate file by design (MongoDB's combined PEM) are not
reported here (TLS004 checks that the key is really in there).

nginx with certificates of several key types (RSA and ECDSA): OpenSSL keeps
one certificate and one key per key type, so a certificate whose type gets
no matching key (only RSA keys configured, or its key dropped when a later
certificate of that type replaced it) is reported too: nginx starts, but
never serves that certificate, and clients that only accept its key type
fail the handshake.

## Why it matters

nginx refuses to start (`no "ssl_certificate_key" is defined for certificate
"..."`); RabbitMQ and Go services cannot start the TLS listener; a lone
client key means the client certificate is silently never sent.

## Example

```nginx
ssl_certificate certs/site.pem;
# ssl_certificate_key missing
```

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import related_cert
from tlslint.pki.slots import loaded_pairs, no_key_message, simulate
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS304", "missing-key-or-certificate", Severity.ERROR,
            "a certificate without a key, or a key without a certificate", dialects=ALL_DIALECTS,
            load_time=True)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if endpoint.dialect == "nginx":
        yield from _nginx_slots(endpoint, ctx)
    for pair in endpoint.pairs:
        if pair.cert is not None and pair.key is None and not pair.key_in_cert_file:
            if endpoint.dialect == "nginx":
                tail = (f"nginx will refuse to start (no \"ssl_certificate_key\" is defined for "
                        f"certificate \"{pair.cert.label}\")")
            else:
                tail = "the TLS listener cannot start" if endpoint.role == "server" else \
                    "the client certificate cannot be used"
            yield ctx.finding(pair.cert.setting,
                              f"certificate {pair.cert.label} has no private key configured: {tail}",
                              endpoint=endpoint)
        elif pair.cert is None and pair.key is not None:
            tail = ("the key is ignored and no certificate is presented" if endpoint.role == "client"
                    else "the TLS listener cannot start")
            yield ctx.finding(pair.key.setting,
                              f"private key {pair.key.label} has no certificate configured: {tail}",
                              endpoint=endpoint)


def _nginx_slots(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    """Certificates that end up without a key in their key type's slot: nginx
    pairs by position, OpenSSL keeps one certificate and key per key type."""
    for p in simulate(loaded_pairs(ctx.pki, endpoint)) or ():
        if p.kind != "refused":
            yield ctx.finding(p.at.pair.cert.setting, no_key_message(p), endpoint=endpoint,
                              related=[related_cert(p.cert, "has no matching key")])
