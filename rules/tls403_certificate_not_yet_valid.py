"""TLS403 certificate-not-yet-valid: a certificate is not valid yet (notBefore is in the future).

## What it checks

Every certificate TLS401 looks at, for a notBefore later than `--now` (or
the clock).

## Why it matters

Clients fail with `certificate is not yet valid` (OpenSSL error 9). Usually
a certificate deployed the moment it was issued to hosts whose clocks lag,
or issued with a future start date by mistake.

## Example

```
notBefore=Jul  1 00:00:00 2026 GMT
```

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import days, related_cert, validity_targets, when
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS403", "certificate-not-yet-valid", Severity.ERROR,
            "a certificate's notBefore is in the future", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    now = ctx.options.validation_time()
    for setting, c, word in validity_targets(endpoint, ctx):
        if c.not_before <= now:
            continue
        yield ctx.finding(
            setting,
            f"{word} {c.subject} ({c.file}, {c.position()}) is not valid before "
            f"{when(c.not_before)} (in {days(c.not_before - now)}): peers will fail with "
            "'certificate is not yet valid'",
            endpoint=endpoint, related=[related_cert(c, f"notBefore {when(c.not_before)}")])
