"""Elasticsearch ``elasticsearch.yml``: ``xpack.security.http.ssl.*`` and
``xpack.security.transport.ssl.*``, flat dotted keys and nested maps mixed.

Keys read: enabled, certificate, key, key_passphrase, certificate_authorities,
verification_mode, client_authentication, supported_protocols, cipher_suites,
keystore.path / truststore.path (PKCS#12/JKS: noted, not checked; their
passwords live in the Elasticsearch keystore).

Semantics (security-settings reference): an endpoint exists when
``<prefix>.enabled: true``. ``client_authentication``: none / optional /
required, default ``none`` on HTTP and ``required`` on transport.
``verification_mode``: ``full`` (default), ``certificate`` (no host name
check), ``none`` (no validation at all). Transport is also this node's client
to other nodes: a client endpoint ``... (outgoing node connections)`` carries
the verification mode. ``supported_protocols`` default: TLSv1.3 and TLSv1.2
(Elasticsearch also lists TLSv1.1, which the bundled JDK disables). Relative
paths are resolved against the Elasticsearch config directory: the
directory of this file.
"""

from __future__ import annotations

import difflib

from tlslint.model import CertKeyPair, Field
from tlslint.dialects.yaml.base import Ctx, Flat, norm_version, truthy

SSL_KEYS = ("enabled", "certificate", "key", "key_passphrase", "secure_key_passphrase", "certificate_authorities",
            "verification_mode", "client_authentication", "supported_protocols", "cipher_suites",
            "keystore.path", "keystore.type", "keystore.password", "keystore.secure_password",
            "keystore.key_password", "keystore.secure_key_password", "keystore.algorithm",
            "truststore.path", "truststore.type", "truststore.password", "truststore.secure_password",
            "truststore.algorithm", "trust_restrictions.path", "trust_restrictions.x509_fields")
CLIENT_AUTH = {"none": "none", "optional": "optional", "required": "required"}
MODES = ("full", "certificate", "none")


def build(ctx: Ctx, root) -> None:
    if not root.is_map:
        return
    flat = Flat(ctx, root)
    for layer, default_auth in (("http", "none"), ("transport", "required")):
        _layer(ctx, flat, root, layer, default_auth)


def _layer(ctx: Ctx, flat: Flat, root, layer: str, default_auth: str) -> None:
    prefix = f"xpack.security.{layer}.ssl"
    raw = flat.under(prefix + ".")
    if not raw:
        return
    for key, s in raw.items():
        if key not in SSL_KEYS:
            guess = difflib.get_close_matches(key, SSL_KEYS, n=1, cutoff=0.6)
            msg = f"elasticsearch does not know `{prefix}.{key}`" + (
                f"; did you mean `{prefix}.{guess[0]}`?" if guess else "")
            ctx.problem("TLS007", s, msg, at_key=True, key=f"{prefix}.{key}",
                        suggestion=f"{prefix}.{guess[0]}" if guess else None)
    enabled = raw.get("enabled")
    if truthy(enabled) is not True:
        return
    settings = dict(raw)
    holder = flat.holders.get(prefix)
    node, written = holder if holder else (root, prefix + ".")

    cert, key = raw.get("certificate"), raw.get("key")
    pairs = ctx.cert_key_pairs(cert, key, raw.get("key_passphrase"))
    ks = raw.get("keystore.path")
    if ks is not None:
        settings["fact.keystore"] = ks
        pairs.append(CertKeyPair(cert=ctx.file_ref(
            "cert", ks, unresolved="PKCS#12/JKS keystore: not checked (its password is in the Elasticsearch keystore)"),
            key_in_cert_file=True))
    cas = [ctx.file_ref("ca", s) for s in flat.list(f"{prefix}.certificate_authorities")]
    ts = raw.get("truststore.path")
    if ts is not None:
        settings["fact.keystore"] = ts
        cas.append(ctx.file_ref("ca", ts, unresolved="PKCS#12/JKS truststore: not checked"))

    mode = raw.get("verification_mode")
    mode_v = "full"
    if mode is not None:
        if mode.value.strip().lower() not in MODES:
            ctx.invalid(mode, f"unknown verification mode [{mode.value}]")
        else:
            mode_v = mode.value.strip().lower()
    auth = raw.get("client_authentication")
    auth_v = default_auth
    if auth is not None:
        if auth.value.strip().lower() not in CLIENT_AUTH:
            ctx.invalid(auth, f"unknown client authentication mode [{auth.value}]")
            auth = None
        else:
            auth_v = auth.value.strip().lower()
    verify = Field(CLIENT_AUTH[auth_v], auth, "" if auth is not None else
                   f"Elasticsearch default {prefix}.client_authentication: {default_auth}")
    if mode_v == "none":
        settings["fact.verify_disabled"] = mode
        if verify.value != "none":
            verify = Field("optional_no_verify", mode)
    elif mode_v == "certificate":
        settings["fact.hostname_check_disabled"] = mode

    protos = raw.get("supported_protocols")
    if protos is not None:
        found = set()
        for s in flat.list(f"{prefix}.supported_protocols"):
            for part in s.value.split(","):
                part = part.strip()
                if not part or part == "SSLv2Hello":
                    continue
                v = norm_version(part)
                if v is None:
                    ctx.invalid(s, f"unknown protocol [{part}] in {prefix}.supported_protocols")
                else:
                    found.add(v)
        protocols = Field(frozenset(found), protos)
    else:
        protocols = Field(frozenset({"TLSv1.2", "TLSv1.3"}), None,
                          "Elasticsearch default TLSv1.3,TLSv1.2 (TLSv1.1 is listed but disabled by the bundled JDK)")
    cipher_list = flat.list(f"{prefix}.cipher_suites")
    ciphers = Field(":".join(s.value.strip() for s in cipher_list) or None,
                    raw.get("cipher_suites")) if cipher_list else Field(None)

    label = f"elasticsearch {prefix}"
    ctx.endpoint("server", label, enabled, node, prefix=written, pairs=pairs, ca_files=cas, verify=verify,
                 depth_semantics="openssl", protocols=protocols, ciphers=ciphers, settings=settings)
    if layer == "transport":
        if mode_v == "none":
            cverify = Field("none", mode)
        else:
            cverify = Field("required", mode, "" if mode is not None else "Elasticsearch default verification_mode: full")
        hostname = Field(mode_v == "full", mode, "" if mode is not None else "verification_mode: full checks host names")
        ctx.endpoint("client", f"{label} (outgoing node connections)", enabled, node, prefix=written,
                     ca_files=list(cas), verify=cverify, depth_semantics="openssl", protocols=protocols,
                     ciphers=ciphers, hostname_check=hostname, requires_certificate=False, settings=dict(settings))
