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

from tlslint.findings import Edit, Fix, Severity
from tlslint.model import Location
from tlslint.rulebase import CheckContext, Rule
from tlslint.source import Span
from tlslint.suppress import PATTERN

RULE = Rule("TLS008", "unused-suppression", Severity.WARNING,
            "an inline tlslint: ignore[...] that suppressed nothing", fix="safe")


def unused(suppressions):
    """Findings for suppressions (tlslint.suppress.Suppression) that were not used."""
    ctx = CheckContext(options=None, pki=None, rule=RULE)
    for sup in suppressions:
        stale = [code for code in sup.codes if code not in sup.used]
        if stale:
            yield ctx.finding(Location(sup.comment.source, sup.comment.span),
                              f"suppression of {', '.join(stale)} is unused: nothing to suppress on this line",
                              fix=_fix(sup, stale))


def _fix(sup, stale) -> Fix:
    """Drop the stale codes; drop the whole comment (and its line, when it stands
    alone) if none is left."""
    comment = sup.comment
    text = comment.source.text
    kept = [c for c in sup.codes if c not in stale]
    if kept:
        match = PATTERN.search(text, comment.span.start, comment.span.end)
        span = Span(match.start(1), match.end(1))
        return Fix(f"remove {', '.join(stale)} from the suppression", "safe",
                   [Edit(comment.source, span, ",".join(kept))])
    start, end = comment.span.start, comment.span.end
    while end > start and text[end - 1] in "\r\n":
        end -= 1  # keep the line ending of a CRLF line
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end + 1
    rest_of_line = text[end:line_end].strip()
    if not rest_of_line and not text[line_start:start].strip():
        span = Span(line_start, line_end)  # the comment is the whole line
    else:
        while start > line_start and text[start - 1] in " \t":
            start -= 1  # and the blanks that separated it from the setting
        span = Span(start, end)
    return Fix("remove the unused suppression", "safe", [Edit(comment.source, span, "")])
