"""TLS001 parse-error: the config cannot be parsed.

What it checks
    The file (or a file it includes) is not valid for its server: a missing
    ``;`` or ``}`` in nginx, a malformed ``key = value`` line in rabbitmq.conf,
    an unterminated Erlang term in advanced.config, invalid YAML.

Why it matters
    The server will refuse to start or reload with this config. The finding
    is reported where the server itself stops, with the server's own wording
    where it has one (nginx: ``unexpected end of file, expecting "}"``).

Example
    server {
        listen 443 ssl
        ssl_certificate certs/site.pem;     # TLS001: "listen" directive is not terminated by ";"

Fix safety
    No automatic fix: only the author knows what was meant.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS001", "parse-error", Severity.ERROR, "the config cannot be parsed")


def check_document(document, ctx):
    return problems_as_findings(document, ctx)
