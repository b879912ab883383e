"""TLS203 client-cert-not-verified: client certificates are requested but not checked against a CA.

What it checks
    nginx ``ssl_verify_client optional_no_ca``, Go ``RequestClientCert`` /
    ``RequireAnyClientCert``, and the like: the server asks for a client
    certificate and accepts any, signed by anyone.

Why it matters
    Any self-made certificate passes. Unless the application pins
    certificates itself (e.g. by fingerprint from ``$ssl_client_fingerprint``),
    this is no authentication at all.

Example
    ssl_verify_client optional_no_ca;   # TLS203

Fix safety
    No automatic fix: choose the CA (``ssl_client_certificate``) and set
    ``ssl_verify_client on``.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS203", "client-cert-not-verified", Severity.ERROR,
            "client certificates are requested but not checked against a CA")


def check_endpoint(endpoint, ctx):
    if endpoint.role != "server" or endpoint.verify.value != "optional_no_verify":
        return
    where = endpoint.verify.setting or endpoint.anchor
    yield ctx.finding(where, f"{endpoint.label} requests client certificates but does not verify them "
                             "against any CA: any self-signed certificate is accepted",
                      endpoint=endpoint)
