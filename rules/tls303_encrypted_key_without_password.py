"""TLS303 encrypted-key-without-password: the private key is encrypted and no configured password opens it.

## What it checks

A private key protected by a passphrase (`ENCRYPTED PRIVATE KEY`, or a
traditional key with `Proc-Type: 4,ENCRYPTED`) needs its password in the
config: nginx `ssl_password_file` (each line is tried in turn, as nginx does),
RabbitMQ `ssl_options.password`, or the service's equivalent. tlslint tries
every configured password; it never prints them.

## Why it matters

nginx asks for the passphrase on the terminal at start-up, which fails under
systemd (`PEM_read_bio_PrivateKey() failed ... bad decrypt`); RabbitMQ and Go
services cannot load the key and the TLS listener does not start.

## Example

```nginx
ssl_certificate_key certs/site.key;   # encrypted, no ssl_password_file
```

## Fix safety

No automatic fix: tlslint does not handle secrets.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Related, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import load_failure_consequence, password_setting_name
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS303", "encrypted-key-without-password", Severity.ERROR,
            "the key is encrypted and no (working) password is configured", dialects=ALL_DIALECTS,
            load_time=True)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair in endpoint.pairs:
        kr = ctx.pki.private_key(pair)
        if kr.status not in ("encrypted_no_password", "wrong_password"):
            continue
        ref = pair.key if pair.key is not None else pair.cert
        key_file = kr.loaded.display if kr.loaded else ref.path
        consequence = load_failure_consequence(endpoint, ref, content=True)
        if kr.status == "encrypted_no_password":
            msg = (f"the private key in {key_file} is encrypted and no "
                   f"{password_setting_name(endpoint)} is configured: {consequence}")
            where = ref.setting
            related = [Related(key_file, "encrypted private key")]
        else:
            srcs = [p for p in pair.password_files]
            where = srcs[0].setting if srcs else (pair.password or ref.setting)
            msg = (f"none of the {kr.tried} configured password(s) opens the encrypted private key "
                   f"in {key_file}: {consequence}")
            related = [Related(key_file, "encrypted private key")]
        yield ctx.finding(where, msg, endpoint=endpoint, related=related)
