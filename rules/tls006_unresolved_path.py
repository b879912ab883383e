"""TLS006 unresolved-path: a path uses variables or templating, so its file is not checked.

What it checks
    A certificate, key, CA, CRL or password path that is only known at run
    time: nginx variables (``$ssl_server_name``), ``data:$var``, OpenSSL
    ``engine:``/``store:`` keys, RabbitMQ ``$(VAR)``/``$(<file)``, Helm or
    Jinja ``{{ }}`` templates. Also templated files that are skipped whole.

Why it matters
    tlslint cannot open such a file, so chain, key and expiry checks are
    skipped for it. The finding (info) says so, so that silence is not read
    as a clean bill of health.

Example
    ssl_certificate /etc/ssl/$ssl_server_name.crt;   # TLS006

Fix safety
    No fix: nothing is wrong with the config.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS006", "unresolved-path", Severity.INFO,
            "the path uses variables or templating: file checks skipped", load_time=True)


def check_document(document, ctx):
    return problems_as_findings(document, ctx)


def check_endpoint(endpoint, ctx):
    for ref in endpoint.file_refs():
        if ref.unresolved:
            yield ctx.finding(ref.setting, f"{ref.kind} path {ref.path!r} is not checked: {ref.unresolved}",
                              endpoint=endpoint)
