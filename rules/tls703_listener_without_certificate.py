"""TLS703 listener-without-certificate: a TLS listener with no certificate configured.

What it checks
    A server endpoint that listens for TLS (nginx ``listen ... ssl`` on the
    default server of an address, a RabbitMQ ``listeners.ssl.*`` or
    ``management.ssl.port``, a YAML TLS section) but has no certificate, not
    even an inherited one.

Why it matters
    nginx refuses to start: ``no "ssl_certificate" is defined for the "listen
    ... ssl" directive``. Erlang/OTP listeners fail their handshakes or the
    node fails to boot the listener.

Example
    server {
        listen 443 ssl;      # TLS703: no ssl_certificate here or at http level
    }

Fix safety
    No automatic fix: the certificate has to come from the operator.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS703", "listener-without-certificate", Severity.ERROR,
            "a TLS listener with no certificate configured", load_time=True)


def check_endpoint(endpoint, ctx):
    if endpoint.role != "server" or not endpoint.requires_certificate:
        return
    if any(pair.cert is not None for pair in endpoint.pairs):
        return
    if endpoint.serves_tls:
        message = f"{endpoint.label} listens for TLS but no certificate is configured"
    else:  # nginx: `ssl on` in a name-based server, which needs a certificate all the same
        message = (f"{endpoint.label} has \"ssl on\" but no certificate is configured: nginx refuses to start "
                   "(no \"ssl_certificate\" is defined for the \"ssl\" directive)")
    yield ctx.finding(endpoint.anchor, message, endpoint=endpoint)
