"""TLS009 duplicate-setting: a key is given twice; the service silently takes one.

What it checks
    The same key appears more than once in one mapping (YAML) or block: the
    dialect reports every repeated occurrence, and the message says which
    occurrence the service uses (for most Go services: the last one) or that
    the service refuses the file (exporter-toolkit, Elasticsearch; nginx
    "directive is duplicate"), in which case the finding is an error.

Why it matters
    A reviewer reads the first value, the service uses another: a second
    ``net:`` block in mongod.conf drops the ``tls`` settings of the first, a
    second ``tls:`` under ``redis`` turns TLS off.

    nginx: a second ``ssl_certificate`` of the same key type (two ECDSA
    certificates, say) in one server: OpenSSL keeps one certificate per key
    type, so the earlier one is loaded but never served (a warning at it).

Example
    redis:
      tls:
        certificate: /etc/registry/redis.crt
      tls:                      # TLS009: given 2 times (lines 2 and 4); the last one wins
        enabled: false

Fix safety
    No automatic fix: merging the two blocks needs a decision.
"""

from tlslint.findings import Related, Severity
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS009", "duplicate-setting", Severity.WARNING,
            "a key given twice: the service silently takes one (the message says which)")


def check_document(document, ctx):
    return problems_as_findings(document, ctx)


def check_endpoint(endpoint, ctx):
    from tlslint.pki.slots import replaced

    for pair in endpoint.pairs:
        later = replaced(ctx.pki, endpoint).get(id(pair))
        if later is None:
            continue
        kind = later.cert_slot
        yield ctx.finding(
            pair.cert.setting,
            f"{pair.cert.label} is never served: the later ssl_certificate {later.pair.cert.label} is also "
            f"{kind}, and OpenSSL keeps one certificate per key type (the last one loaded); remove one of them",
            endpoint=endpoint,
            related=[Related(later.pair.cert.setting.source.display, f"{later.pair.cert.label}: the {kind} "
                             "certificate served", line=later.pair.cert.setting.line)])
