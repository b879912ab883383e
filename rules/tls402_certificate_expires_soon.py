"""TLS402 certificate-expires-soon: a certificate expires within the warning window.

## What it checks

Like TLS401, for certificates still valid but expiring within `--warn-days`
(default 30 days; RabbitMQ's own `check_certificate_expiration` uses 4
weeks).

## Why it matters

Renewal takes time (approvals, deployment to every node); a warning in CI
weeks before the outage is the cheapest fix there is.

## Example

```
notAfter=Jun 15 00:00:00 2026 GMT        # 14 days left
```

## Fix safety

No automatic fix: renew the certificate.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import days, related_cert, validity_targets, when
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS402", "certificate-expires-soon", Severity.WARNING,
            "a certificate expires within the warning window (--warn-days)", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    now = ctx.options.validation_time()
    limit = now + dt.timedelta(days=ctx.options.warn_days)
    for setting, c, word in validity_targets(endpoint, ctx):
        if not (now <= c.not_after < limit):
            continue
        yield ctx.finding(
            setting,
            f"{word} {c.subject} ({c.file}, {c.position()}) expires on {when(c.not_after)} "
            f"(in {days(c.not_after - now)}, warning window {ctx.options.warn_days} days)",
            endpoint=endpoint, related=[related_cert(c, f"notAfter {when(c.not_after)}")])
