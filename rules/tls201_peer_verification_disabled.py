"""TLS201 peer-verification-disabled: an outgoing TLS client does not verify the server.

What it checks
    A client endpoint (nginx ``proxy_pass https://``/``grpc_pass grpcs://``/
    stream ``proxy_ssl on``, a RabbitMQ LDAP/HTTP/federation/shovel client, a
    kubeconfig cluster, an Envoy cluster, a YAML client section) whose
    certificate verification is off, explicitly or by the server's default:
    nginx ``proxy_ssl_verify`` is off unless set, Erlang ``verify_none``,
    MongoDB ``allowInvalidCertificates``, Elasticsearch
    ``verification_mode: none``, ``insecure_skip_verify``.

Why it matters
    Without verification the connection is encrypted but not authenticated:
    anyone on the path can present any certificate and read or change the
    traffic (a silent man-in-the-middle).

Example
    location /api/ {
        proxy_pass https://backend.internal;   # TLS201: proxy_ssl_verify is off by default
    }
    Fix by adding ``proxy_ssl_verify on;`` and
    ``proxy_ssl_trusted_certificate /etc/nginx/ca/internal-ca.pem;``.

Fix safety
    No automatic fix: turning verification on needs the right CA file, which
    only the operator knows.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS201", "peer-verification-disabled", Severity.ERROR,
            "an outgoing TLS client does not verify the server's certificate")


def check_endpoint(endpoint, ctx):
    if endpoint.role != "client" or endpoint.verify.value != "none":
        return
    verify = endpoint.verify
    if verify.setting is not None:
        why = f"{verify.setting.key} = {verify.setting.value!r} turns verification off"
        where = verify.setting
    else:
        why = verify.default_note or "verification is off by default"
        where = endpoint.anchor
    yield ctx.finding(where, f"{endpoint.label} does not verify the server's certificate ({why}): "
                             "anyone on the network path can impersonate the server",
                      endpoint=endpoint)
