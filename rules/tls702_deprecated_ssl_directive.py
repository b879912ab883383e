"""TLS702 deprecated-ssl-directive: nginx ``ssl on;`` (removed in nginx 1.25.1).

What it checks
    The ``ssl`` directive in an http, mail or stream server.

Why it matters
    ``ssl on`` was deprecated in nginx 1.15.0 and removed in 1.25.1: newer
    nginx refuses the whole config (``unknown directive "ssl"``), so an
    upgrade of the package takes the site down. It also turns TLS on for
    every ``listen`` of the server, which ``listen ... ssl`` says explicitly.

Example
    server {
        listen 443;
        ssl on;              # TLS702
    }
    becomes
    server {
        listen 443 ssl;
    }

Fix safety
    Safe: the fix removes ``ssl on;`` and adds ``ssl`` to the server's
    ``listen`` directives, which is what ``ssl on`` meant. nginx reads
    ``ssl on`` from the default server of each address only: in a
    name-based server on a plain address it did nothing, and there the fix
    only removes it (adding ``ssl`` would turn the whole address to TLS).
    ``ssl off;`` is simply removed.
"""

from tlslint import dialects
from tlslint.findings import Edit, Fix, Severity
from tlslint.source import Span
from tlslint.rulebase import Rule

RULE = Rule("TLS702", "deprecated-ssl-directive", Severity.WARNING,
            "nginx `ssl on;` (removed in 1.25.1)", fix="safe", dialects=("nginx",))


def check_document(document, ctx):
    for problem in document.problems:
        if problem.code != RULE.code:
            continue
        yield ctx.finding(problem.location, problem.message or
                          '"ssl" directive is deprecated (removed in nginx 1.25.1): use "listen ... ssl"',
                          fix=_fix(problem))


def _fix(problem):
    """Remove the directive; for ``ssl on`` add ``ssl`` to each listen that lacks it."""
    if problem.setting is None:
        return None
    nginx = dialects.for_dialect("nginx")
    edits = [nginx.remove_setting(problem.setting)]
    if problem.data.get("value", "on") == "on":
        for listen in problem.data.get("listens", []):
            args = list(listen.args) or [listen]
            if "ssl" not in [arg.value for arg in args]:
                # " ssl" right after the last argument: comments, quoting and
                # line breaks inside the directive stay as they are
                end = args[-1].span.end
                edits.append(Edit(listen.source, Span(end, end), " ssl"))
        title = ('remove "ssl on;" and add "ssl" to the server\'s listen directives' if len(edits) > 1 else
                 'remove "ssl on;"')
    else:
        title = 'remove "ssl off;"'
    return Fix(title, "safe", edits)
