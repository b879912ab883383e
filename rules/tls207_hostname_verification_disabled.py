"""TLS207 hostname-verification-disabled: a client verifies the chain but not the name.

What it checks
    An outgoing TLS client whose chain is verified against a CA, but whose
    server name is not checked, or is checked against the wrong name:
    ``allowInvalidHostnames``, Elasticsearch ``verification_mode:
    certificate``, Erlang ``server_name_indication = disable``, and nginx
    upstream TLS to an ``upstream {}`` group without ``proxy_ssl_name``
    (nginx then checks the certificate against the *group name*, which no
    real certificate carries, and sends no SNI by default). A group named
    with a dotted host name (``upstream api.example.org``) is taken to be the
    real name, which is what nginx then rightly checks.

Why it matters
    Any certificate from the same CA (any other internal service) is
    accepted for this server: verification that does not check the name
    only proves "someone our CA trusts", not "the server we meant".

Example
    upstream backend { server 10.0.0.5:443; }
    proxy_pass https://backend;
    proxy_ssl_verify on;        # TLS207: set proxy_ssl_name api.internal.example and proxy_ssl_server_name on

Fix safety
    No automatic fix: the right name is the operator's to choose.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS207", "hostname-verification-disabled", Severity.WARNING,
            "an outgoing client verifies the chain but not the server's name")


def check_endpoint(endpoint, ctx):
    if endpoint.role != "client" or endpoint.verify.value == "none":
        return
    check = endpoint.hostname_check
    if check.value is False:
        where = check.setting or endpoint.verify.setting or endpoint.anchor
        yield ctx.finding(where, f"{endpoint.label} verifies the server's chain but not its name: "
                                 "any certificate from a trusted CA is accepted",
                          endpoint=endpoint)
        return
    if endpoint.dialect == "nginx":
        group = endpoint.settings.get("_upstream_block")
        name_set = any(k.endswith("_ssl_name") for k in endpoint.settings)
        # a group named with the upstream's real name (upstream api.example.org)
        # is the usual idiom: that name is what nginx checks, and rightly so
        if group is not None and not name_set and "." not in group.value:
            yield ctx.finding(endpoint.verify.setting or endpoint.anchor,
                              f"{endpoint.label}: the upstream certificate is checked against the "
                              f"upstream group name {group.value!r}; set *_ssl_name to the name in the "
                              "upstream's certificate (and *_ssl_server_name on to send it as SNI)",
                              endpoint=endpoint)
