"""TLS705 overridden-by-advanced-config: advanced.config throws away rabbitmq.conf TLS lines.

What it checks
    An ``advanced.config`` entry ``{App, [{Key, Value}]}`` whose key also
    receives lines from rabbitmq.conf (``{rabbit, [{ssl_options, [...]}]}``
    next to ``ssl_options.*`` lines, ``{rabbitmq_management,
    [{ssl_config, ...}]}`` next to ``management.ssl.*``, listeners...).

Why it matters
    RabbitMQ merges advanced.config over the generated config one
    ``App.Key`` at a time and replaces the whole value: there is no deep
    merge. Setting only ``{versions, ['tlsv1.3']}`` in advanced.config drops
    the certificate, key and CA lines of rabbitmq.conf, and the listener
    fails (``no_cert``). tlslint analyses the endpoint as RabbitMQ does, from
    advanced.config alone, and lists the discarded lines here.

Example
    %% advanced.config
    [{rabbit, [{ssl_options, [{versions, ['tlsv1.3']}]}]}].   % TLS705
    # rabbitmq.conf
    ssl_options.certfile = /etc/rabbitmq/server.pem            # discarded

Fix safety
    No automatic fix: move every option to one of the two files.
"""

from tlslint.findings import Related, Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS705", "overridden-by-advanced-config", Severity.WARNING,
            "RabbitMQ: advanced.config replaces a whole ssl_options list, discarding the rabbitmq.conf lines",
            dialects=("rabbitmq",))


def check_document(document, ctx):
    for problem in document.problems:
        if problem.code != RULE.code:
            continue
        related = [Related(path=s.source.display, message=f"{s.key} is discarded", line=s.line,
                           column=s.source.line_col(s.span.start)[1])
                   for s in problem.data.get("discarded", ())]
        yield ctx.finding(problem.location, problem.message, related=related)
