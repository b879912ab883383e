"""TLS002 file-not-found: a certificate, key, CA, CRL or password file named by the config does not exist.

## What it checks

Every file an endpoint references (`ssl_certificate`, `ssl_certificate_key`,
`ssl_client_certificate`, `ssl_crl`, `ssl_password_file`, RabbitMQ
`certfile`/`keyfile`/`cacertfile`, YAML `cert_file`...) is looked up the way
the server would: relative paths against the directory the server uses, and
deployment paths through `--path-map` (`/etc/nginx=deploy/nginx`). The finding
lists every place tlslint looked.

Paths that use variables or templating are not checked (TLS006 says so).

## Why it matters

nginx refuses to start (`cannot load certificate "...": BIO_new_file() failed`),
a RabbitMQ node does not boot (`file does not exist`), other services fail to
open their TLS listener.

## Example

```nginx
ssl_certificate     /etc/nginx/certs/site.pem;   # no such file in the repository
```

Fix: commit the file, correct the path, or tell tlslint where deployment
paths live in the repository with `--path-map /etc/nginx=deploy/nginx`.

## Fix safety

No automatic fix: tlslint cannot know which file was meant.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Related, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import FILE_WORD, load_failure_consequence
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule
from tlslint.source import display_path

RULE = Rule("TLS002", "file-not-found", Severity.ERROR,
            "a referenced certificate, key, CA, CRL or password file does not exist",
            dialects=ALL_DIALECTS, load_time=True)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for ref in endpoint.file_refs():
        lf = ctx.pki.load(ref)
        if lf.status != "missing":
            continue
        places = [display_path(p) for p in lf.tried]
        where = " or ".join(places) if places else ref.path
        yield ctx.finding(
            ref.setting,
            f"{FILE_WORD.get(ref.kind, 'file')} {ref.path} does not exist (looked for {where}): "
            f"{load_failure_consequence(endpoint, ref)}",
            endpoint=endpoint,
            related=[Related(p, "not found") for p in places],
        )
