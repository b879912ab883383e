"""Docker/distribution registry ``config.yml``.

Keys read: ``http.tls.{certificate, key, clientcas, clientauth, minimumtls,
ciphersuites, letsencrypt}``, ``http.host`` (the name clients use), and the
client block ``redis.tls.{certificate, key, rootcas, enabled}``. The redis
client has no switch that turns verification off (``RedisTLSOptions``:
certificate, key, rootcas; 2.x: enabled): an ``insecureskipverify`` there is
an unknown key the registry ignores.

Semantics (docs/content/about/configuration.md): ``clientcas`` given and no
``clientauth`` means require-and-verify-client-cert; without ``clientcas``
no client certificate is asked for. ``minimumtls`` default tls1.2 (values
tls1.0..tls1.3). ``letsencrypt`` obtains the certificate at runtime (nothing to
check). Paths are normally absolute (use --path-map); relative ones are
joined to the config file's directory.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tlslint.model import Field
from tlslint.dialects.yaml.base import GO_CLIENT_AUTH, Ctx, ciphers_field, protocols_field, truthy

TLS_KEYS = ("certificate", "key", "clientcas", "clientauth", "minimumtls", "ciphersuites", "letsencrypt")
REDIS_TLS_KEYS = ("certificate", "key", "rootcas", "enabled")
CLIENT_AUTH = ("request-client-cert", "require-any-client-cert", "verify-client-cert-if-given",
               "require-and-verify-client-cert")
VERSIONS = {"tls1.0", "tls1.1", "tls1.2", "tls1.3"}


def build(ctx: Ctx, root) -> None:
    top = ctx.section(root, "")
    if top is None:
        return
    http = top.sub("http")
    tls = http.sub("tls") if http is not None else None
    if tls is not None and tls.entries():
        _server(ctx, http, tls)
    redis = top.sub("redis")
    rtls = redis.sub("tls") if redis is not None else None
    if rtls is not None and rtls.entries():
        _redis(ctx, redis, rtls)


def _server(ctx: Ctx, http, tls) -> None:
    ctx.check_keys(tls, TLS_KEYS, "http.tls")
    settings = tls.settings()
    cert, key = tls.get("certificate"), tls.get("key")
    pairs = ctx.cert_key_pairs(cert, key)
    cas = [ctx.file_ref("ca", s) for s in tls.list("clientcas")]
    auth = tls.get("clientauth")
    if auth is not None and auth.value.strip() in CLIENT_AUTH:
        verify = Field(GO_CLIENT_AUTH[auth.value.replace("-", "")], auth)
        if auth.value.strip() in ("request-client-cert", "require-any-client-cert"):
            settings["fact.client_cert_not_verified"] = auth
    else:
        if auth is not None:
            ctx.invalid(auth, f"invalid clientauth: {auth.value}")
        verify = (Field("required", cas[0].setting, "registry: clientcas without clientauth means "
                                                    "require-and-verify-client-cert")
                  if cas else Field("none", None, "registry default: no client certificate asked for"))
    lo = tls.get("minimumtls")
    if lo is not None and lo.value.strip().lower() not in VERSIONS:
        ctx.invalid(lo, f"unknown minimum TLS level '{lo.value}' specified for http.tls.minimumtls")
        lo = None
    protocols = protocols_field(ctx, lo, None, "TLSv1.2", "TLSv1.3", "registry default minimumtls: tls1.2")
    names = []
    host = http.get("host")
    if host is not None:
        try:
            parts = urlsplit(host.value.strip())
            if parts.scheme == "https" and parts.hostname:
                names.append(Field(parts.hostname, host))
        except ValueError:
            pass
    letsencrypt = tls.entry("letsencrypt") is not None
    if letsencrypt and cert is not None:
        # registry.go: return fmt.Errorf("cannot specify both certificate and Let's Encrypt")
        ctx.conflict(cert, "http.tls.certificate together with http.tls.letsencrypt: the registry refuses to "
                           "start (\"cannot specify both certificate and Let's Encrypt\"); keep one of them")
    ctx.endpoint("server", "registry http.tls", http.anchor("tls"), tls.node, pairs=pairs, ca_files=cas,
                 verify=verify, depth_semantics="go", protocols=protocols,
                 ciphers=ciphers_field(tls, "ciphersuites"), names=names,
                 requires_certificate=not (letsencrypt and cert is None), settings=settings)


def _redis(ctx: Ctx, redis, tls) -> None:
    ctx.check_keys(tls, REDIS_TLS_KEYS, "redis.tls")
    if truthy(tls.get("enabled")) is False:
        return
    settings = tls.settings()
    cert, key = tls.get("certificate"), tls.get("key")
    pairs = ctx.cert_key_pairs(cert, key)
    cas = [ctx.file_ref("ca", s) for s in tls.list("rootcas")]
    anchor = redis.anchor("tls")
    verify = Field("required", cas[0].setting if cas else None, "" if cas else "Go default: system roots")
    hostname = Field(True, None, "Go default: the server name is checked")
    if not cas:
        settings["fact.system_roots"] = anchor
    ctx.endpoint("client", "registry redis.tls", anchor, tls.node, pairs=pairs, ca_files=cas, verify=verify,
                 depth_semantics="go", protocols=protocols_field(ctx, None, None, "TLSv1.2", "TLSv1.3",
                                                                 "Go default for clients: TLS 1.2 to TLS 1.3"),
                 hostname_check=hostname, requires_certificate=False, settings=settings)
