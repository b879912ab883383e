"""Prometheus exporter-toolkit web config (``--web.config.file``) and the same
block embedded in Grafana dskit servers (Loki, Tempo, Mimir:
``server.http_tls_config`` / ``server.grpc_tls_config``).

Keys read: cert_file, key_file, cert, key (inline PEM), client_ca_file,
client_ca (inline), client_auth_type, client_allowed_sans, min_version,
max_version, cipher_suites; dskit: server.tls_min_version,
server.tls_cipher_suites. Defaults: NoClientCert, TLS 1.2 to TLS 1.3.
exporter-toolkit decodes strictly (yaml UnmarshalStrict): an unknown key in
``tls_server_config`` (TLS007) and a duplicate key (TLS009) are errors, it
refuses to start. ``*_file`` paths are joined to the config file's directory (exporter-toolkit
``SetDirectory``); dskit resolves them against the process directory, for
which the config directory is the best guess.
"""

from __future__ import annotations

from tlslint.model import CertKeyPair, Field
from tlslint.source import encode
from tlslint.dialects.yaml.base import (GO_CLIENT_AUTH, Ctx, Section, ciphers_field, protocols_field,
                                        squash, versions_in_spelling)

KNOWN = ("cert_file", "key_file", "cert", "key", "client_ca_file", "client_ca", "client_auth_type",
         "client_allowed_sans", "min_version", "max_version", "cipher_suites", "curve_preferences",
         "prefer_server_cipher_suites")
VERSIONS = {"TLS10", "TLS11", "TLS12", "TLS13"}
DSKIT_VERSIONS = {"VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13"}


def build(ctx: Ctx, root) -> None:
    top = ctx.section(root, "")
    if top is None:
        return
    sec = top.sub("tls_server_config")
    if sec is not None:
        _endpoint(ctx, sec, "tls_server_config", top.anchor("tls_server_config"), None)
    server = top.sub("server")
    if server is not None:
        for name in ("http_tls_config", "grpc_tls_config"):
            s = server.sub(name)
            if s is not None and s.entries():
                _endpoint(ctx, s, f"server.{name}", server.anchor(name), server)


def _endpoint(ctx: Ctx, sec: Section, label: str, anchor, dskit) -> None:
    # exporter-toolkit decodes with yaml.UnmarshalStrict: an unknown key stops it
    ctx.check_keys(sec, KNOWN, label, refusal="" if dskit is not None else
                   "exporter-toolkit refuses the file (yaml UnmarshalStrict: field {key} not found)")
    settings = sec.settings()
    cert_file, cert = sec.get("cert_file"), sec.get("cert")
    key_file, key = sec.get("key_file"), sec.get("key")
    for a, b in ((cert_file, cert), (key_file, key)):
        if a is not None and b is not None:
            ctx.invalid(b, f"at most one of {a.key.rsplit('.', 1)[-1]} and {b.key.rsplit('.', 1)[-1]} must be configured")
    certref = (ctx.file_ref("cert", cert_file) if cert_file is not None
               else ctx.file_ref("cert", cert, inline=encode(cert.value)) if cert is not None else None)
    keyref = (ctx.file_ref("key", key_file) if key_file is not None
              else ctx.file_ref("key", key, inline=encode(key.value)) if key is not None else None)
    pairs = [CertKeyPair(cert=certref, key=keyref)] if (certref or keyref) else []

    cas = []
    ca_file, ca_inline = sec.get("client_ca_file"), sec.get("client_ca")
    if ca_file is not None:
        cas.append(ctx.file_ref("ca", ca_file))
    if ca_inline is not None:
        cas.append(ctx.file_ref("ca", ca_inline, inline=encode(ca_inline.value)))
    ca_setting = ca_file or ca_inline

    auth = sec.get("client_auth_type")
    verify = Field("none", None, "exporter-toolkit default client_auth_type: NoClientCert")
    if auth is not None:
        mode = GO_CLIENT_AUTH.get(squash(auth.value)) if auth.value.strip() else "none"
        if mode is None or auth.value.strip() not in ("", "NoClientCert", "RequestClientCert",
                                                      "RequireAnyClientCert", "RequireClientCert",
                                                      "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"):
            ctx.invalid(auth, f"Invalid ClientAuth: {auth.value}")
        else:
            verify = Field(mode, auth)
            if squash(auth.value) in ("requireanyclientcert", "requireclientcert", "requestclientcert"):
                settings["fact.client_cert_not_verified"] = auth
    if ca_setting is None and verify.value in ("optional", "required") and auth is not None:
        # no client_ca_file: Go's TLS server then checks client certificates
        # against the system's roots (exporter-toolkit accepts the config)
        settings["fact.system_roots"] = auth
    if ca_setting is not None and verify.value == "none":
        # exporter-toolkit: "Client CA's have been configured without a Client Auth Policy"
        settings["fact.ca_without_client_auth"] = ca_setting
        ctx.conflict(ca_setting, f"{label}: a client CA is configured but client_auth_type is NoClientCert: "
                                 "exporter-toolkit refuses to start (\"Client CA's have been configured without "
                                 "a Client Auth Policy\"); set client_auth_type: RequireAndVerifyClientCert")

    if dskit is None:
        protocols = versions_in_spelling(ctx, sec.get("min_version"), sec.get("max_version"), VERSIONS,
                                         "exporter-toolkit default min_version TLS12")
        ciphers = ciphers_field(sec, "cipher_suites")
    else:
        lo = dskit.get("tls_min_version")
        if lo is not None and lo.value.strip() and lo.value.strip() not in DSKIT_VERSIONS:
            ctx.invalid(lo, f"unknown TLS version: {lo.value}")
            lo = None
        protocols = protocols_field(ctx, lo if lo is not None and lo.value.strip() else None, None,
                                    "TLSv1.2", "TLSv1.3", "Go default for servers: TLS 1.2 to TLS 1.3")
        ciphers = ciphers_field(dskit, "tls_cipher_suites")
        for k in ("tls_min_version", "tls_cipher_suites"):
            if dskit.get(k) is not None:
                settings[f"server.{k}"] = dskit.get(k)

    ctx.endpoint("server", label, anchor, sec.node, pairs=pairs, ca_files=cas, verify=verify,
                 depth=Field(None), depth_semantics="go", protocols=protocols, ciphers=ciphers,
                 settings=settings)
