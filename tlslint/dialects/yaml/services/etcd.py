"""etcd configuration file (``--config-file``).

Keys read: ``client-transport-security`` and ``peer-transport-security``
with cert-file, key-file, trusted-ca-file, client-cert-auth, auto-tls,
client-cert-file, client-key-file, allowed-cn, allowed-hostname,
skip-client-san-verification; top-level ``cipher-suites``, ``tls-min-version``,
``tls-max-version`` (TLS1.2, TLS1.3).

Semantics (server/embed/config.go, client/pkg/transport/listener.go): the
server uses RequireAndVerifyClientCert as soon as ``trusted-ca-file`` is set
or ``client-cert-auth: true``; ``auto-tls`` generates a self-signed
certificate. Defaults: TLS 1.2 to TLS 1.3. Paths are relative to etcd's
working directory; tlslint joins them to the config file's directory.
"""

from __future__ import annotations

from tlslint.model import Field
from tlslint.dialects.yaml.base import Ctx, ciphers_field, protocols_field, truthy

KEYS = ("cert-file", "key-file", "client-cert-file", "client-key-file", "client-cert-auth", "trusted-ca-file",
        "auto-tls", "allowed-cn", "allowed-hostname", "skip-client-san-verification")
VERSIONS = {"TLS1.2", "TLS1.3"}


def build(ctx: Ctx, root) -> None:
    top = ctx.section(root, "")
    if top is None:
        return
    lo, hi = top.get("tls-min-version"), top.get("tls-max-version")
    for s in (lo, hi):
        if s is not None and s.value.strip() not in VERSIONS:
            ctx.invalid(s, f"unexpected TLS version {s.value} (only TLS1.2 and TLS1.3 are supported)")
    lo = lo if lo is not None and lo.value.strip() in VERSIONS else None
    hi = hi if hi is not None and hi.value.strip() in VERSIONS else None
    for name in ("client-transport-security", "peer-transport-security"):
        sec = top.sub(name)
        if sec is None or not sec.entries():
            continue
        ctx.check_keys(sec, KEYS, name)
        settings = sec.settings()
        cert, key = sec.get("cert-file"), sec.get("key-file")
        auto = sec.get("auto-tls")
        ca = sec.get("trusted-ca-file")
        auth = sec.get("client-cert-auth")
        if cert is None and key is None and not truthy(auto) and ca is None and not truthy(auth):
            continue
        pairs = ctx.cert_key_pairs(cert, key)
        if truthy(auto):
            settings["fact.auto_tls"] = auto
        if truthy(auth):
            verify = Field("required", auth)
            if ca is None:
                # ClientCAs stays nil: Go checks client certificates against the system roots
                settings["fact.system_roots"] = auth
        elif ca is not None:
            verify = Field("required", ca, "etcd: trusted-ca-file alone enables RequireAndVerifyClientCert")
            if auth is not None:
                settings["fact.ca_enables_client_auth"] = auth
                if truthy(auth) is False:
                    ctx.conflict(auth, f"{name}: client-cert-auth: false is ignored: with trusted-ca-file set, "
                                       "etcd requires and verifies client certificates anyway")
        else:
            verify = Field("none", None, "etcd default client-cert-auth: false")
        protocols = protocols_field(ctx, lo, hi, "TLSv1.2", "TLSv1.3", "etcd default: TLS 1.2 to TLS 1.3")
        for k in ("tls-min-version", "tls-max-version", "cipher-suites"):
            if top.get(k) is not None:
                settings[k] = top.get(k)
        ctx.endpoint("server", f"etcd {name}", top.anchor(name), sec.node, pairs=pairs,
                     ca_files=[ctx.file_ref("ca", ca)] if ca is not None else [], verify=verify,
                     depth_semantics="go", protocols=protocols, ciphers=ciphers_field(top, "cipher-suites"),
                     requires_certificate=not truthy(auto), settings=settings)
        if name == "peer-transport-security" and truthy(auto):
            # transport.ClientConfig: a self-signed (auto-tls) member dials its
            # peers with InsecureSkipVerify, so any certificate is accepted
            ctx.endpoint("client", "etcd peer-transport-security (outgoing peer connections)", auto, sec.node,
                         verify=Field("none", auto), depth_semantics="go", protocols=protocols,
                         hostname_check=Field(False, auto), requires_certificate=False,
                         settings={"auto-tls": auto, "fact.verify_disabled": auto})
