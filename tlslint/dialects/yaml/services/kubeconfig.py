"""Kubernetes kubeconfig (client side, client-go ``TLSConfigFor``).

Keys read: ``clusters[].cluster.{server, certificate-authority,
certificate-authority-data, insecure-skip-tls-verify, tls-server-name}``,
``users[].user.{client-certificate, client-certificate-data, client-key,
client-key-data}``, ``contexts[].context.{cluster, user}``.

One client endpoint per distinct (cluster, user) pair of the contexts, in
file order (``kubeconfig context <name>``), plus one per cluster no context
uses. A user's certificate is attached to the first endpoint that uses it
only (so it is checked once). ``*-data`` values are base64 PEM, checked
inline. File paths are relative to the kubeconfig's directory.

Semantics: the server certificate is verified against the CA (system roots
without one) and its name (``tls-server-name``, else the host of
``server``) is checked; ``insecure-skip-tls-verify: true`` disables both, and
together with a CA is a hard error in client-go ("specifying a root
certificates file with the insecure flag is not allowed").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tlslint.model import CertKeyPair, Field
from tlslint.dialects.yaml.base import Ctx, Section, truthy

CLUSTER_KEYS = ("server", "certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify",
                "tls-server-name", "proxy-url", "disable-compression", "extensions")
USER_KEYS = ("client-certificate", "client-certificate-data", "client-key", "client-key-data", "token",
             "tokenFile", "as", "as-uid", "as-groups", "as-user-extra", "username", "password", "auth-provider",
             "exec", "extensions")


def _named(top: Section, key: str, inner: str) -> dict[str, tuple[Section, Section]]:
    out = {}
    for item in top.maps(key):
        name = item.value("name")
        body = item.sub(inner)
        if name is not None and body is not None and name not in out:
            out[name] = (item, body)
    return out


def build(ctx: Ctx, root) -> None:
    top = ctx.section(root, "")
    if top is None:
        return
    clusters = _named(top, "clusters", "cluster")
    users = _named(top, "users", "user")
    for _, (_, body) in clusters.items():
        ctx.check_keys(body, CLUSTER_KEYS, f"{body.path}")
    for _, (_, body) in users.items():
        ctx.check_keys(body, USER_KEYS, f"{body.path}")
    seen_pairs = set()
    user_done = set()
    used_clusters = set()
    for item in top.maps("contexts"):
        body = item.sub("context")
        if body is None:
            continue
        cname, uname = body.value("cluster"), body.value("user")
        if cname not in clusters or (cname, uname) in seen_pairs:
            continue
        seen_pairs.add((cname, uname))
        used_clusters.add(cname)
        user = users.get(uname) if uname else None
        pair = None
        if user is not None and uname not in user_done:
            user_done.add(uname)
            pair = _pair(ctx, user[1])
        _endpoint(ctx, f"kubeconfig context {item.value('name') or '?'}", clusters[cname], pair,
                  item.anchor("context"))
    for cname, cl in clusters.items():
        if cname not in used_clusters:
            _endpoint(ctx, f"kubeconfig cluster {cname}", cl, None, cl[0].anchor("cluster"))


def _pair(ctx: Ctx, user: Section):
    cert = user.get("client-certificate")
    cert_ref = ctx.file_ref("cert", cert) if cert is not None else None
    if cert_ref is None and user.get("client-certificate-data") is not None:
        cert_ref = ctx.base64_ref("cert", user.get("client-certificate-data"))
    key = user.get("client-key")
    key_ref = ctx.file_ref("key", key) if key is not None else None
    if key_ref is None and user.get("client-key-data") is not None:
        key_ref = ctx.base64_ref("key", user.get("client-key-data"))
    if cert_ref is None and key_ref is None:
        return None
    return CertKeyPair(cert=cert_ref, key=key_ref)


def _endpoint(ctx: Ctx, label: str, cluster: tuple[Section, Section], pair, anchor) -> None:
    item, body = cluster
    settings = body.settings()
    cas = []
    ca = body.get("certificate-authority")
    if ca is not None:
        cas.append(ctx.file_ref("ca", ca))
    elif body.get("certificate-authority-data") is not None:
        ca = body.get("certificate-authority-data")
        cas.append(ctx.base64_ref("ca", ca))
    skip = body.get("insecure-skip-tls-verify")
    if truthy(skip):
        verify, hostname = Field("none", skip), Field(False, skip)
        settings["fact.verify_disabled"] = skip
        if ca is not None:
            settings["fact.ca_with_insecure_skip_verify"] = skip
            ctx.conflict(skip, f"{label}: insecure-skip-tls-verify together with a certificate authority: "
                               "client-go refuses the config (\"specifying a root certificates file with the "
                               "insecure flag is not allowed\")")
    else:
        verify = Field("required", ca, "" if ca is not None else "client-go: verify against the system roots")
        hostname = Field(True, None, "client-go checks the server's name")
        if ca is None:
            settings["fact.system_roots"] = anchor
    names = []
    sni = body.get("tls-server-name")
    server = body.get("server")
    if sni is not None:
        names.append(Field(sni.value, sni))
    elif server is not None:
        try:
            host = urlsplit(server.value.strip()).hostname
        except ValueError:
            host = None
        if host:
            names.append(Field(host, server))
    ctx.endpoint("client", label, anchor, body.node, pairs=[pair] if pair else [], ca_files=cas, verify=verify,
                 depth_semantics="go", protocols=Field(frozenset({"TLSv1.2", "TLSv1.3"}), None,
                                                       "Go default for clients: TLS 1.2 to TLS 1.3"),
                 names=names, hostname_check=hostname, requires_certificate=False, settings=settings)
