"""TLS003 file-unreadable: a referenced file exists but cannot be read as a regular file.

## What it checks

A certificate, key, CA, CRL or password file that exists but is a directory,
a FIFO, socket or device, a symbolic-link loop, unreadable for permissions,
or larger than the size cap (1 MiB for files named by configs).

## Why it matters

The server cannot load it either: nginx refuses to start, RabbitMQ does not
boot or its listener fails. File permissions are the most common TLS problem
in RabbitMQ's own troubleshooting guide.

## Example

```
ssl_certificate certs/;        # a directory
```

## Fix safety

No automatic fix.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Related, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import FILE_WORD, load_failure_consequence
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule, problems_as_findings

RULE = Rule("TLS003", "file-unreadable", Severity.ERROR,
            "a referenced file exists but is not a readable regular file, or is too large",
            dialects=ALL_DIALECTS, load_time=True)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for ref in endpoint.file_refs():
        lf = ctx.pki.load(ref)
        if lf.status != "unreadable":
            continue
        if "size cap" in lf.reason or "--root" in lf.reason:
            # tlslint's own limit, not the server's: say what to do instead
            consequence = "tlslint did not read it, so its checks are skipped"
        else:
            consequence = load_failure_consequence(endpoint, ref)
        yield ctx.finding(
            ref.setting,
            f"{FILE_WORD.get(ref.kind, 'file')} {lf.display} cannot be read: {lf.reason}; {consequence}",
            endpoint=endpoint,
            related=[Related(lf.display, lf.reason)],
        )


def check_document(document, ctx: CheckContext) -> Iterable[Finding]:
    """A config file itself over the size cap or outside --root (the engine's Problem)."""
    return problems_as_findings(document, ctx)
