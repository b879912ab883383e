"""Traefik: dynamic file-provider config, static config, and Kubernetes CRDs.

Dynamic: ``tls.certificates[].{certFile,keyFile}`` and
``tls.stores.<n>.defaultCertificate`` are the served certificates (chosen by
SNI, whatever the option), so they all sit on the endpoint of the ``default``
TLS option together with every router's names (``tls.domains`` and
``Host()``/``HostSNI()`` rules of routers with ``tls``; TCP routers with
``tls: {passthrough: true}`` contribute no names: Traefik does not
terminate TLS there). Each other
``tls.options.<n>`` is its own endpoint without certificates.
``serversTransports`` (and static ``serversTransport``, and the static
``tls: {ca, cert, key, insecureSkipVerify}`` client blocks) are clients.
CRDs: ``TLSOption`` (server options; ``clientAuth.secretNames`` are read from
Secrets in the same file), ``ServersTransport``/``ServersTransportTCP``
(clients).

Defaults (Go crypto/tls via pkg/tls/tlsmanager.go): minVersion VersionTLS12,
maxVersion TLS 1.3; ``caFiles`` without ``clientAuthType`` means
RequireAndVerifyClientCert, no ``caFiles`` NoClientCert. certFile, keyFile and
caFiles are path-or-PEM: PEM text is checked inline. Paths are relative to
Traefik's working directory; tlslint joins them to the config file's
directory. Traefik always has a certificate to serve (its generated default),
so an endpoint without certificates is not TLS703.
"""

from __future__ import annotations

import re
from typing import Optional

from tlslint.model import CertKeyPair, Field
from tlslint.dialects.yaml.base import (GO_CLIENT_AUTH, Ctx, Section, ciphers_field, protocols_field,
                                        squash, truthy, versions_in_spelling)

OPTION_KEYS = ("minVersion", "maxVersion", "cipherSuites", "curvePreferences", "clientAuth", "sniStrict",
               "alpnProtocols", "preferServerCipherSuites", "disableSessionTickets")
CLIENT_AUTH_KEYS = ("caFiles", "clientAuthType", "secretNames")
CERT_KEYS = ("certFile", "keyFile", "stores")
TRANSPORT_KEYS = ("serverName", "insecureSkipVerify", "rootCAs", "certificates", "cipherSuites", "minVersion",
                  "maxVersion", "maxIdleConnsPerHost", "forwardingTimeouts", "disableHTTP2", "peerCertURI",
                  "spiffe", "rootCAsSecrets", "certificatesSecrets", "rootCAsConfigMaps", "tls",
                  "dialKeepAlive", "dialTimeout", "terminationDelay", "proxyProtocol")
CLIENT_TLS_KEYS = ("ca", "cert", "key", "insecureSkipVerify", "caOptional", "serverName")
VERSIONS = {"VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13"}
_HOST = re.compile(r"\b(?:Host|HostSNI)\s*\(([^)]*)\)")
_QUOTED = re.compile(r"[`\"']([^`\"']+)[`\"']")


def build(ctx: Ctx, root) -> None:
    top = ctx.section(root, "")
    if top is None:
        return
    kind = top.value("kind")
    api = top.value("apiVersion") or ""
    if kind and api.startswith(("traefik.io/", "traefik.containo.us/")):
        _crd(ctx, top, kind, root)
        return
    _dynamic(ctx, top)
    _static(ctx, top)


def _cert_pair(ctx: Ctx, sec: Section) -> Optional[CertKeyPair]:
    c, k = sec.get("certFile"), sec.get("keyFile")
    if c is None and k is None:
        return None
    return CertKeyPair(cert=ctx.path_or_pem("cert", c) if c is not None else None,
                       key=ctx.path_or_pem("key", k) if k is not None else None)


def _options(ctx: Ctx, opt: Optional[Section], where: str, settings: dict, secrets: dict | None = None):
    """verify, cas, protocols, ciphers of a TLS option (None: Traefik's defaults)."""
    cas = []
    verify = Field("none", None, "Traefik default: NoClientCert")
    if opt is None:
        protocols = protocols_field(ctx, None, None, "TLSv1.2", "TLSv1.3", "Traefik default minVersion VersionTLS12")
        return verify, cas, protocols, Field(None)
    ctx.check_keys(opt, OPTION_KEYS, where)
    protocols = versions_in_spelling(ctx, opt.get("minVersion"), opt.get("maxVersion"), VERSIONS,
                                     "Traefik default minVersion VersionTLS12")
    ciphers = ciphers_field(opt, "cipherSuites")
    auth = opt.sub("clientAuth")
    if auth is not None:
        ctx.check_keys(auth, CLIENT_AUTH_KEYS, f"{where}.clientAuth")
        for s in auth.list("caFiles"):
            cas.append(ctx.path_or_pem("ca", s))
        for s in auth.list("secretNames"):
            cas.append(_secret_ca(ctx, s, secrets or {}))
        t = auth.get("clientAuthType")
        if t is not None:
            mode = GO_CLIENT_AUTH.get(squash(t.value))
            if mode is None or squash(t.value) == "requireclientcert":
                ctx.invalid(t, f"unknown client auth type: {t.value}")
            else:
                verify = Field(mode, t)
                if squash(t.value) in ("requireanyclientcert", "requestclientcert"):
                    settings["fact.client_cert_not_verified"] = t
                if mode == "none" and cas:
                    settings["fact.ca_without_client_auth"] = cas[0].setting
                    ctx.conflict(t, f"{where}: clientAuthType NoClientCert makes the configured CA files "
                                    "unused: no client certificate is asked for")
        elif cas:
            verify = Field("required", cas[0].setting,
                           "Traefik: caFiles without clientAuthType means RequireAndVerifyClientCert")
    return verify, cas, protocols, ciphers


def _secret_ca(ctx: Ctx, name_setting, secrets: dict):
    data = secrets.get(name_setting.value)
    if data is not None:
        return ctx.base64_ref("ca", data)
    return ctx.file_ref("ca", name_setting,
                        unresolved=f"Kubernetes Secret {name_setting.value} (not in this file): not checked")


def _router_names(ctx: Ctx, top: Section) -> list[Field]:
    names: list[Field] = []
    seen = set()
    for proto in ("http", "tcp"):
        sec = top.sub(proto)
        routers = sec.sub("routers") if sec is not None else None
        if routers is None:
            continue
        for _, r in routers.children():
            if r.entry("tls") is None:
                continue
            tls = r.sub("tls")
            if tls is not None and truthy(tls.get("passthrough")):
                continue  # TCP passthrough: the backend terminates TLS, Traefik serves no certificate
            found = []
            if tls is not None:
                for d in tls.maps("domains"):
                    if d.get("main") is not None:
                        found.append((d.get("main").value, d.get("main")))
                    for s in d.list("sans"):
                        found.append((s.value, s))
            rule = r.get("rule")
            if rule is not None:
                for m in _HOST.finditer(rule.value):
                    for q in _QUOTED.findall(m.group(1)):
                        found.append((q, rule))
            for name, s in found:
                if name and name != "*" and (name, s) not in seen:
                    seen.add((name, s))
                    names.append(Field(name, s))
    return names


def _dynamic(ctx: Ctx, top: Section) -> None:
    tls = top.sub("tls")
    names = _router_names(ctx, top)
    if tls is None and not names:
        return
    pairs = []
    options = tls.sub("options") if tls is not None else None
    if tls is not None:
        for i, c in enumerate(tls.maps("certificates")):
            ctx.check_keys(c, CERT_KEYS, f"tls.certificates[{i}]")
            p = _cert_pair(ctx, c)
            if p is not None:
                pairs.append(p)
        stores = tls.sub("stores")
        if stores is not None:
            for _, st in stores.children():
                dc = st.sub("defaultCertificate")
                if dc is not None:
                    p = _cert_pair(ctx, dc)
                    if p is not None:
                        pairs.append(p)
    default = options.sub("default") if options is not None else None
    if tls is not None and (pairs or default is not None or names):
        settings = default.settings() if default is not None else {}
        verify, cas, protocols, ciphers = _options(ctx, default, "tls.options.default", settings)
        anchor = (options.anchor("default") if default is not None else top.anchor("tls"))
        ctx.endpoint("server", "traefik tls.options.default", anchor, (default or tls).node, pairs=pairs,
                     ca_files=cas, verify=verify, depth_semantics="go", protocols=protocols, ciphers=ciphers,
                     names=names, requires_certificate=False, settings=settings)
    if options is not None:
        for name, opt in options.children():
            if name == "default":
                continue
            settings = opt.settings()
            verify, cas, protocols, ciphers = _options(ctx, opt, f"tls.options.{name}", settings)
            ctx.endpoint("server", f"traefik tls.options.{name}", options.anchor(name), opt.node, ca_files=cas,
                         verify=verify, depth_semantics="go", protocols=protocols, ciphers=ciphers,
                         requires_certificate=False, settings=settings)
    for proto in ("http", "tcp"):
        sec = top.sub(proto)
        transports = sec.sub("serversTransports") if sec is not None else None
        if transports is None:
            continue
        for name, t in transports.children():
            if proto == "tcp" and t.sub("tls") is not None:
                t = t.sub("tls")
            _transport(ctx, t, f"traefik {proto}.serversTransports.{name}", transports.anchor(name))


def _transport(ctx: Ctx, t: Section, label: str, anchor, secrets: dict | None = None) -> None:
    ctx.check_keys(t, TRANSPORT_KEYS, label.split(" ", 1)[-1])
    settings = t.settings()
    cas = [ctx.path_or_pem("ca", s) for s in t.list("rootCAs")]
    for s in t.list("rootCAsSecrets"):
        cas.append(_secret_ca(ctx, s, secrets or {}))
    pairs = [p for p in (_cert_pair(ctx, c) for c in t.maps("certificates")) if p is not None]
    _client(ctx, t, label, anchor, settings, cas, pairs, skip_key="insecureSkipVerify", name_key="serverName",
            lo=t.get("minVersion"), hi=t.get("maxVersion"), ciphers=ciphers_field(t, "cipherSuites"))


def _client(ctx, sec: Section, label, anchor, settings, cas, pairs, *, skip_key, name_key, lo=None, hi=None,
            ciphers=None) -> None:
    skip = sec.get(skip_key)
    if truthy(skip):
        verify = Field("none", skip)
        hostname = Field(False, skip)
        settings["fact.verify_disabled"] = skip
    else:
        verify = Field("required", cas[0].setting if cas else None,
                       "" if cas else "Go default: verify against the system roots")
        hostname = Field(True, None, "Go default: the server name is checked")
        if not cas:
            settings["fact.system_roots"] = anchor
    protocols = versions_in_spelling(ctx, lo, hi, VERSIONS, "Go default for clients: TLS 1.2 to TLS 1.3")
    name = sec.get(name_key)
    ctx.endpoint("client", label, anchor, sec.node, pairs=pairs, ca_files=cas, verify=verify,
                 depth_semantics="go", protocols=protocols, ciphers=ciphers or Field(None),
                 names=[Field(name.value, name)] if name is not None else [], hostname_check=hostname,
                 requires_certificate=False, settings=settings)


def _static(ctx: Ctx, top: Section) -> None:
    st = top.sub("serversTransport")
    if st is not None:
        _transport(ctx, st, "traefik serversTransport", top.anchor("serversTransport"))
    tcp = top.sub("tcpServersTransport")
    if tcp is not None and tcp.sub("tls") is not None:
        _transport(ctx, tcp.sub("tls"), "traefik tcpServersTransport", top.anchor("tcpServersTransport"))
    # client TLS blocks of providers, metrics, tracing, logs, middlewares: {ca, cert, key, insecureSkipVerify}
    for path, sec in _client_tls_blocks(ctx, top):
        settings = sec.settings()
        ctx.check_keys(sec, CLIENT_TLS_KEYS, path)
        cas = [ctx.path_or_pem("ca", s) for s in sec.list("ca")]
        c, k = sec.get("cert"), sec.get("key")
        pairs = ([CertKeyPair(cert=ctx.path_or_pem("cert", c) if c is not None else None,
                              key=ctx.path_or_pem("key", k) if k is not None else None)]
                 if (c is not None or k is not None) else [])
        anchor = ctx.setting(path, sec.occ)
        _client(ctx, sec, f"traefik {path}", anchor, settings, cas, pairs, skip_key="insecureSkipVerify",
                name_key="serverName")


def _client_tls_blocks(ctx: Ctx, top: Section, depth: int = 0):
    """Mappings named ``tls`` shaped like Traefik's ClientTLS ({ca, cert, key, insecureSkipVerify})."""
    if depth > 8:
        return
    for key, e in top.entries().items():
        if not e.value.is_map:
            continue
        sub = Section(ctx, e.value, top.child_path(key))
        sub.occ = e
        if key == "tls" and set(sub.entries()) & {"ca", "cert", "key", "insecureSkipVerify"} and \
                set(sub.entries()) <= set(CLIENT_TLS_KEYS) | {"caOptional"}:
            if top.path not in ("", "tls") and not top.path.endswith("serversTransports"):
                yield sub.path, sub
            continue
        if key in ("routers", "serversTransports", "serversTransport", "tcpServersTransport") or (
                top.path == "" and key == "tls"):
            continue
        yield from _client_tls_blocks(ctx, sub, depth + 1)


def _crd(ctx: Ctx, top: Section, kind: str, root) -> None:
    spec = top.sub("spec")
    meta = top.sub("metadata")
    name = (meta.value("name") if meta is not None else None) or "?"
    secrets = getattr(ctx, "_traefik_secrets", None)
    if secrets is None:
        secrets = ctx._traefik_secrets = _collect_secrets(ctx)
    if spec is None:
        return
    anchor = top.anchor("spec")
    if kind == "TLSOption":
        settings = spec.settings()
        verify, cas, protocols, ciphers = _options(ctx, spec, f"TLSOption {name} spec", settings, secrets)
        ctx.endpoint("server", f"traefik TLSOption {name}", anchor, spec.node, ca_files=cas, verify=verify,
                     depth_semantics="go", protocols=protocols, ciphers=ciphers, requires_certificate=False,
                     settings=settings)
    elif kind == "ServersTransport":
        _transport(ctx, spec, f"traefik ServersTransport {name}", anchor, secrets)
    elif kind == "ServersTransportTCP" and spec.sub("tls") is not None:
        _transport(ctx, spec.sub("tls"), f"traefik ServersTransportTCP {name}", anchor, secrets)


def _collect_secrets(ctx: Ctx) -> dict:
    """Secret name -> the Setting of its CA data (``tls.ca`` or ``ca.crt``), for secretNames."""
    out = {}
    doc = ctx.document
    for s in doc.settings:
        m = re.match(r"^data\.(tls\.ca|ca\.crt)$", s.key)
        if m:
            out.setdefault("__pending__", []).append(s)
    # map each data setting to its document's metadata.name via statement order
    names = [(s.span.start, s.value) for s in doc.settings if s.key == "metadata.name"]
    for s in out.pop("__pending__", []):
        before = [n for pos, n in names if pos < s.span.start]
        if before and s.value:
            out.setdefault(before[-1], s)
    return out
