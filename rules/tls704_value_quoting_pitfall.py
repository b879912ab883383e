"""TLS704 value-quoting-pitfall: a rabbitmq.conf value that is not what it looks like.

What it checks
    Two traps of the cuttlefish syntax: an unquoted value with a ``#`` in it
    (``password = abc#def``): everything from the ``#`` on is a comment, even
    without a space before it; and a value in double quotes
    (``certfile = "/etc/rabbitmq/cert.pem"``): double quotes are not quoting,
    they become part of the value.

Why it matters
    The node boots with a silently truncated password or URL, or refuses to
    boot because the quoted path names a file that does not exist (its name
    starts with a ``"``).

Example
    ssl_options.password = s3cr#t        # TLS704: RabbitMQ reads "s3cr"
    ssl_options.certfile = "/etc/rabbitmq/server.pem"   # TLS704

Fix safety
    Safe: the value is rewritten in single quotes (``'s3cr#t'``,
    ``'/etc/rabbitmq/server.pem'``), which is what the line was meant to say.
    No fix when the value itself holds a single quote or a ``$(`` reference.
"""

from tlslint.findings import Fix, Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS704", "value-quoting-pitfall", Severity.WARNING,
            "RabbitMQ: unquoted value containing '#' (cut there), or a value in double quotes (taken literally)",
            fix="safe", dialects=("rabbitmq",))


def check_document(document, ctx):
    from tlslint.dialects.rabbitmq import requote_edit

    for problem in document.problems:
        if problem.code != RULE.code or problem.setting is None:
            continue
        intended = problem.data.get("intended", "")
        edit = requote_edit(problem.setting, intended, problem.data["intended_span"])
        fix = None
        if edit is not None:
            fix = Fix(title=f"single-quote the value of {problem.setting.key}", applicability="safe", edits=[edit])
        yield ctx.finding(problem.location, problem.message, fix=fix)
