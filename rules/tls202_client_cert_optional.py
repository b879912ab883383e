"""TLS202 client-cert-optional: the server asks for client certificates but accepts connections without one.

What it checks
    A server endpoint that verifies client certificates only when a client
    sends one: nginx ``ssl_verify_client optional``, RabbitMQ ``verify_peer``
    with ``fail_if_no_peer_cert = false``, Go ``VerifyClientCertIfGiven``,
    Envoy without ``require_client_certificate``.

Why it matters
    Mutual TLS that is optional authenticates nobody: a client that simply
    sends no certificate gets in. It is right only when the application
    checks the result itself (nginx ``$ssl_client_verify``); otherwise it is a
    silent hole. For RabbitMQ, when ``fail_if_no_peer_cert`` is not set at all
    the outcome depends on the Erlang/OTP version, and the finding (info)
    says which versions require the certificate.

Example
    ssl_verify_client optional;        # TLS202
    ssl_options.verify = verify_peer
    ssl_options.fail_if_no_peer_cert = false   # TLS202

Fix safety
    Unsafe (``--unsafe-fixes``): requiring the certificate changes who can
    connect. The fix sets ``ssl_verify_client on`` /
    ``fail_if_no_peer_cert = true``.
"""

from tlslint.findings import Severity
from tlslint.policyfix import require_client_cert
from tlslint.rulebase import Rule

RULE = Rule("TLS202", "client-cert-optional", Severity.WARNING,
            "the server asks for client certificates but accepts connections without one",
            fix="unsafe")


def check_endpoint(endpoint, ctx):
    if endpoint.role != "server" or endpoint.verify.value != "optional":
        return
    if not endpoint.ca_files and not endpoint.system_roots:
        return  # nothing to verify against: TLS205 says the config does not work at all
    verify = endpoint.verify
    where = verify.setting or endpoint.anchor
    if verify.setting is None or (endpoint.dialect == "rabbitmq" and verify.default_note):
        # Whether the certificate is required depends on a default that varies
        # (RabbitMQ: an unset fail_if_no_peer_cert depends on the OTP version):
        # say what the default is, as info.
        note = verify.default_note or "client certificates are optional by default"
        yield ctx.finding(where, f"{endpoint.label}: client certificates are verified but not required "
                                 f"unless configured: {note}",
                          endpoint=endpoint, severity=Severity.INFO, fix=require_client_cert(endpoint))
        return
    why = f" ({verify.default_note})" if verify.default_note else ""
    yield ctx.finding(where, f"{endpoint.label} verifies client certificates only when one is sent{why}: "
                             "a client without a certificate is let in",
                      endpoint=endpoint, fix=require_client_cert(endpoint))
