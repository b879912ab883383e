"""TLS007 unknown-dialect-setting: a key in a TLS section that the service does not know.

What it checks
    Keys inside a service's TLS section (exporter-toolkit
    ``tls_server_config``, Envoy ``DownstreamTlsContext`` and its nested
    messages, Traefik ``tls.options``/``clientAuth``/``serversTransports``,
    MongoDB ``net.tls``, Elasticsearch ``xpack.security.*.ssl``, etcd
    ``*-transport-security``, registry ``http.tls``, kubeconfig clusters and
    users) that the service's own schema does not define. The message names
    the closest known key when there is one.

    nginx: a directive named like a TLS directive (``ssl_*``,
    ``proxy_ssl_*``, ``grpc_ssl_*``, ``uwsgi_ssl_*``) that nginx does not
    know and that is a near miss of one it does (``ssl_verify_clinet``). nginx
    refuses to start, so this is an error there. Names of third-party modules
    (``ssl_certificate_by_lua_block``, ``ssl_ct``) are not near misses and are
    left alone.

Why it matters
    A typo such as ``client_auth_typ`` or ``minVersoin`` is either rejected at
    startup (exporter-toolkit, Envoy, Elasticsearch) or silently ignored
    (Traefik, etcd, the registry): then the default applies, usually without
    client verification or with a weaker protocol floor, while the file
    looks right to a reviewer.

Example
    tls_server_config:
      cert_file: server.crt
      client_auth_typ: RequireAndVerifyClientCert   # TLS007: did you mean `client_auth_type`?

Fix safety
    No automatic fix: the suggestion is a guess.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS007", "unknown-dialect-setting", Severity.WARNING,
            "a TLS key the server does not know (typo), with a did-you-mean")


def check_document(document, ctx):
    return problems_as_findings(document, ctx)
