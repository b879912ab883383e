"""TLS401 certificate-expired: a certificate on the served path or in a CA file used for verification has expired.

## What it checks

Every certificate of each served chain (leaf, intermediates, the root it
reaches) and every certificate in the CA files an endpoint uses to verify
its peers, judged at `--now` (or the clock). A CA file that is a whole trust
store (more than 20 certificates, like /etc/ssl/certs/ca-certificates.crt)
is not judged root by root: an expired root no peer chains to harms nobody.

## Why it matters

Clients fail with `certificate has expired` (OpenSSL error 10), Erlang with
`certificate_expired`. An expired intermediate breaks every leaf below it,
even fresh ones; an expired CA in `ssl_client_certificate` rejects every
client. Neither nginx nor RabbitMQ refuses to start: they serve the expired
chain happily.

## Example

```
notAfter=May  1 00:00:00 2026 GMT        # openssl x509 -noout -enddate
```

## Fix safety

No automatic fix: renew the certificate.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import days, related_cert, validity_targets, when
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS401", "certificate-expired", Severity.ERROR,
            "a certificate on the served path or in a CA file used for verification has expired",
            dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    now = ctx.options.validation_time()
    for setting, c, word in validity_targets(endpoint, ctx):
        if c.not_after >= now:
            continue
        yield ctx.finding(
            setting,
            f"{word} {c.subject} ({c.file}, {c.position()}) expired on {when(c.not_after)} "
            f"({days(now - c.not_after)} ago): peers will fail with 'certificate has expired'",
            endpoint=endpoint, related=[related_cert(c, f"notAfter {when(c.not_after)}")])
