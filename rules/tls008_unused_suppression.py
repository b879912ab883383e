"""TLS008 unused-suppression: an inline ``tlslint: ignore[...]`` that suppressed nothing.

What it checks
    A comment ``# tlslint: ignore[CODE,...]`` (on a setting's line, or alone on
    the line above it) names a code that produced no finding on that line.

Why it matters
    Stale suppressions hide the next real problem on that line and mislead
    readers into thinking a problem exists. Remove them once the problem is
    fixed.

Example
    ssl_verify_client optional;  # tlslint: ignore[TLS206]   <- TLS008 if no TLS206 here

Fix safety
    Safe: removing an unused suppression changes nothing the server does.
"""

from tlslint.findings import Severity
from tlslint.model import Location
from tlslint.rulebase import CheckContext, Rule

RULE = Rule("TLS008", "unused-suppression", Severity.WARNING,
            "an inline tlslint: ignore[...] that suppressed nothing", fix="safe")


def unused(suppressions):
    """Findings for suppressions (tlslint.suppress.Suppression) that were not used."""
    ctx = CheckContext(options=None, pki=None, rule=RULE)
    for sup in suppressions:
        stale = [code for code in sup.codes if code not in sup.used]
        if stale:
            yield ctx.finding(Location(sup.comment.source, sup.comment.span),
                              f"suppression of {', '.join(stale)} is unused: nothing to suppress on this line")
