"""TLS205 verify-without-ca: verification is on but no CA file is configured.

What it checks
    Peer verification is enabled (nginx ``ssl_verify_client on|optional``,
    ``proxy_ssl_verify on``; RabbitMQ ``verify_peer``; a YAML server that
    requires client certificates) but no CA file to verify against is set,
    and the server has no system trust store to fall back on.

Why it matters
    nginx refuses to start (``no ssl_client_certificate for
    ssl_verify_client``, ``no proxy_ssl_trusted_certificate for
    proxy_ssl_verify``); Erlang/OTP rejects every peer (``unknown_ca``) or
    refuses the options. Either way nobody can connect.

    nginx before 1.27.2 also refuses ``ssl_verify_client`` with only
    ``ssl_trusted_certificate``; that is reported unless ``--nginx-version``
    says 1.27.2 or later.

Example
    ssl_verify_client on;            # TLS205: no ssl_client_certificate

Fix safety
    No automatic fix: only the operator knows which CA to trust.
"""

from tlslint.findings import Severity
from tlslint.pki.report import verify_on
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS205", "verify-without-ca", Severity.ERROR,
            "verification is on but no CA file is configured", load_time=True)


# what the dialect found: nginx before 1.27.2 and ssl_trusted_certificate alone
check_document = problems_as_findings


def check_endpoint(endpoint, ctx):
    if not verify_on(endpoint) or endpoint.ca_files:
        return
    if not endpoint.serves_tls and endpoint.dialect != "nginx":
        return  # only nginx checks this when loading a server that serves no TLS
    if endpoint.system_roots:
        return
    where = endpoint.verify.setting or endpoint.anchor
    whom = "client" if endpoint.role == "server" else "server"
    if endpoint.dialect == "envoy" and endpoint.role == "server":
        # default_validator.cc: no trusted_ca, no client certificate requested
        yield ctx.finding(where, f"{endpoint.label} requires client certificates but has no "
                                 "validation_context.trusted_ca: Envoy then never asks for one, and every client "
                                 "gets in without a certificate", endpoint=endpoint)
        return
    yield ctx.finding(where, f"{endpoint.label} verifies {whom} certificates but no CA file is configured: "
                             f"every {whom} will be rejected, or the server will not start",
                      endpoint=endpoint)
