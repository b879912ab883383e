"""Envoy static configuration (bootstrap YAML/JSON, also LDS/CDS resource files).

Every ``transport_socket.typed_config`` whose ``@type`` is a
``DownstreamTlsContext`` becomes a server endpoint (label ``envoy listener
<name> filter_chains[i]``), every ``UpstreamTlsContext`` a client endpoint
(``envoy cluster <name>``). Keys are accepted in snake_case and
lowerCamelCase (proto-JSON). DataSources: ``filename`` (a path, joined to the
config file's directory: Envoy itself uses its working directory),
``inline_string``, ``inline_bytes`` (base64), ``environment_variable`` and SDS
(not checkable offline; an SDS ``tls_certificate`` secret carries the
certificate and its private key, so such a pair is not key-less).

Semantics: without ``validation_context.trusted_ca`` a peer certificate is
not verified; a server with ``trusted_ca`` only *asks* for client
certificates unless ``require_client_certificate: true``; an upstream name is
only checked with ``match_typed_subject_alt_names`` (or
``auto_sni_san_validation``). ``trust_chain_verification: ACCEPT_UNTRUSTED``
accepts any chain. Defaults: TLS 1.2 minimum; maximum TLS 1.3 for servers and
TLS 1.2 for clients; ``max_verify_depth`` unset = no limit of its own.
"""

from __future__ import annotations

import re
from typing import Optional

from tlslint.model import CertKeyPair, Field, FileRef
from tlslint.source import encode
from tlslint.dialects.yaml.base import Ctx, Section, camel_to_snake, ciphers_field, protocols_field, truthy

DOWNSTREAM_KEYS = ("@type", "common_tls_context", "require_client_certificate", "require_sni",
                   "session_ticket_keys", "session_ticket_keys_sds_secret_config",
                   "disable_stateless_session_resumption", "disable_stateful_session_resumption",
                   "session_timeout", "ocsp_staple_policy", "full_scan_certs_on_sni_mismatch",
                   "prefer_client_ciphers")
UPSTREAM_KEYS = ("@type", "common_tls_context", "sni", "auto_host_sni", "auto_sni_san_validation",
                 "allow_renegotiation", "max_session_keys", "enforce_rsa_key_usage")
COMMON_KEYS = ("tls_params", "tls_certificates", "tls_certificate_sds_secret_configs",
               "tls_certificate_provider_instance", "tls_certificate_certificate_provider",
               "tls_certificate_certificate_provider_instance", "custom_tls_certificate_selector",
               "validation_context", "validation_context_sds_secret_config", "combined_validation_context",
               "validation_context_certificate_provider", "validation_context_certificate_provider_instance",
               "alpn_protocols", "custom_handshaker", "key_log")
PARAMS_KEYS = ("tls_minimum_protocol_version", "tls_maximum_protocol_version", "cipher_suites", "ecdh_curves",
               "signature_algorithms", "compliance_policies")
CERT_KEYS = ("certificate_chain", "private_key", "pkcs12", "watched_directory", "private_key_provider",
             "password", "ocsp_staple", "signed_certificate_timestamp")
VALIDATION_KEYS = ("trusted_ca", "ca_certificate_provider_instance", "system_root_certs", "watched_directory",
                   "verify_certificate_spki", "verify_certificate_hash", "match_typed_subject_alt_names",
                   "match_subject_alt_names", "require_signed_certificate_timestamp", "crl",
                   "allow_expired_certificate", "trust_chain_verification", "custom_validator_config",
                   "only_verify_leaf_cert_crl", "max_verify_depth")
DATASOURCE_KEYS = ("filename", "inline_bytes", "inline_string", "environment_variable", "watched_directory")
VERSIONS = {"TLS_AUTO", "TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3"}


def build(ctx: Ctx, root) -> None:
    _visit(ctx, root, "", {}, 0, set(), None)


def _visit(ctx: Ctx, node, path: str, info: dict, depth: int, active: set, occ) -> None:
    if depth > 60 or id(node) in active:
        return
    if node.is_seq:
        active = active | {id(node)}
        for it in node.items:
            _visit(ctx, it.value, f"{path}[{it.index}]", info, depth + 1, active, it)
        return
    if not node.is_map:
        return
    sec = Section(ctx, node, path, camel_to_snake)
    sec.occ = occ
    typ = sec.value("@type") or ""
    if typ.endswith(".DownstreamTlsContext"):
        _context(ctx, sec, "server", info)
        return
    if typ.endswith(".UpstreamTlsContext"):
        _context(ctx, sec, "client", info)
        return
    info = dict(info)
    if typ.endswith(".Listener") or sec.entry("filter_chains") is not None:
        info["listener"] = sec.value("name") or path.rsplit(".", 1)[-1]
        info.pop("cluster", None)
    if typ.endswith(".Cluster") or sec.entry("load_assignment") is not None or (
            sec.entry("connect_timeout") is not None and sec.value("name")) or re.search(
            r"(^|\.)clusters\[\d+\]$", path):
        info["cluster"] = sec.value("name") or path.rsplit(".", 1)[-1]
        info.pop("listener", None)
    if sec.entry("filters") is not None or sec.entry("transport_socket") is not None:
        m = re.search(r"(filter_chains|filterChains)\[(\d+)\]$", path)
        info["chain"] = f"filter_chains[{m.group(2)}]" if m else path.rsplit(".", 1)[-1]
        match = sec.sub("filter_chain_match")
        info["server_names"] = match.list("server_names") if match is not None else []
    if sec.entry("auto_san_validation") is not None or sec.entry("auto_sni_san_validation") is not None:
        info["auto_san"] = sec.get("auto_san_validation") or sec.get("auto_sni_san_validation")
    active = active | {id(node)}
    for key, e in sec.entries().items():
        _visit(ctx, e.value, sec.child_path(key), info, depth + 1, active, e)


def _datasource(ctx: Ctx, kind, sec: Optional[Section]) -> Optional[FileRef]:
    if sec is None:
        return None
    ctx.check_keys(sec, DATASOURCE_KEYS, sec.path, camel_to_snake)
    s = sec.get("filename")
    if s is not None:
        return ctx.file_ref(kind, s)
    s = sec.get("inline_string")
    if s is not None:
        return ctx.file_ref(kind, s, inline=encode(s.value))
    s = sec.get("inline_bytes")
    if s is not None:
        return ctx.base64_ref(kind, s)
    s = sec.get("environment_variable")
    if s is not None:
        return ctx.file_ref(kind, s, unresolved=f"read from the environment variable {s.value}")
    return None


def _context(ctx: Ctx, tls: Section, role: str, info: dict) -> None:
    camel = any(re.search(r"[a-z][A-Z]", k) for k in tls.entries())
    ctx.check_keys(tls, DOWNSTREAM_KEYS if role == "server" else UPSTREAM_KEYS,
                   "DownstreamTlsContext" if role == "server" else "UpstreamTlsContext", camel_to_snake)
    settings = tls.settings()
    common = tls.sub("common_tls_context")
    if role == "server":
        label = f"envoy listener {info.get('listener', '?')} {info.get('chain', '')}".rstrip()
    else:
        label = f"envoy cluster {info.get('cluster', '?')}"
    occ = getattr(tls, "occ", None)
    anchor = ctx.setting(tls.path, occ) if occ is not None else tls.get("@type")

    pairs: list[CertKeyPair] = []
    cas: list[FileRef] = []
    crls: list[FileRef] = []
    params = vc = None
    sds_ca = None
    if common is not None:
        ctx.check_keys(common, COMMON_KEYS, "common_tls_context", camel_to_snake)
        for c in common.maps("tls_certificates"):
            ctx.check_keys(c, CERT_KEYS, "tls_certificates", camel_to_snake)
            cert = _datasource(ctx, "cert", c.sub("certificate_chain"))
            key = _datasource(ctx, "key", c.sub("private_key"))
            p12 = c.sub("pkcs12")
            if cert is None and p12 is not None:
                s = p12.get("filename") or p12.get("inline_bytes") or p12.get("inline_string")
                if s is not None:
                    cert = ctx.file_ref("cert", s, unresolved="PKCS#12 bundle: not checked")
            pair = CertKeyPair(cert=cert, key=key)
            pw = c.sub("password")
            if pw is not None:
                if pw.get("filename") is not None:
                    pair.password_files.append(ctx.file_ref("password", pw.get("filename")))
                elif pw.get("inline_string") is not None:
                    pair.password = pw.get("inline_string")
            if cert is not None or key is not None:
                pairs.append(pair)
        for c in common.maps("tls_certificate_sds_secret_configs"):
            s = c.get("name") or c.anchor("name")
            if s is not None:
                # the SDS secret delivers the certificate and its key together
                pairs.append(CertKeyPair(cert=ctx.file_ref(
                    "cert", s, unresolved=f"SDS secret {s.value}: delivered at runtime, not checked"),
                    key_in_cert_file=True))
        params = common.sub("tls_params")
        vc = common.sub("validation_context")
        combined = common.sub("combined_validation_context")
        if vc is None and combined is not None:
            vc = combined.sub("default_validation_context")
            sds = combined.sub("validation_context_sds_secret_config")
            if sds is not None and sds.get("name") is not None:
                sds_ca = sds.get("name")
        sds = common.sub("validation_context_sds_secret_config")
        if sds is not None and sds.get("name") is not None:
            sds_ca = sds.get("name")
    if sds_ca is not None:
        cas.append(ctx.file_ref("ca", sds_ca, unresolved=f"SDS secret {sds_ca.value}: delivered at runtime, not checked"))

    trusted = None
    san_matchers = []
    pins = []  # verify_certificate_spki / _hash
    depth = Field(None, None, "no max_verify_depth (BoringSSL default limit 100)")
    accept_untrusted = None
    if vc is not None:
        ctx.check_keys(vc, VALIDATION_KEYS, "validation_context", camel_to_snake)
        ca = _datasource(ctx, "ca", vc.sub("trusted_ca"))
        if ca is not None:
            cas.append(ca)
            trusted = ca.setting
        crl = _datasource(ctx, "crl", vc.sub("crl"))
        if crl is not None:
            crls.append(crl)
        for key in ("match_typed_subject_alt_names", "match_subject_alt_names"):
            if vc.get(key) is not None:
                san_matchers.append((vc.get(key), vc.maps(key)))
        pins = [vc.get(k) for k in ("verify_certificate_spki", "verify_certificate_hash") if vc.get(k) is not None]
        d = vc.get("max_verify_depth")
        if d is not None:
            try:
                depth = Field(int(d.value), d)
            except ValueError:
                ctx.invalid(d, f"max_verify_depth: invalid value {d.value!r} for type uint32")
        tcv = vc.get("trust_chain_verification")
        if tcv is not None and tcv.value.strip() == "ACCEPT_UNTRUSTED":
            accept_untrusted = tcv
            settings["fact.verify_disabled"] = tcv
        ae = vc.get("allow_expired_certificate")
        if truthy(ae):
            settings["fact.allow_expired"] = ae

    # protocols and ciphers
    lo = hi = None
    if params is not None:
        ctx.check_keys(params, PARAMS_KEYS, "tls_params", camel_to_snake)
        lo, hi = params.get("tls_minimum_protocol_version"), params.get("tls_maximum_protocol_version")
        for s in (lo, hi):
            if s is not None and s.value.strip() not in VERSIONS:
                ctx.invalid(s, f"invalid value {s.value!r} for enum TlsProtocol")
        lo = lo if lo is not None and lo.value.strip() in VERSIONS else None
        hi = hi if hi is not None and hi.value.strip() in VERSIONS else None
    default_hi = "TLSv1.3" if role == "server" else "TLSv1.2"
    protocols = protocols_field(ctx, lo, hi, "TLSv1.2", default_hi,
                                f"Envoy default for {'servers' if role == 'server' else 'clients'}: "
                                f"TLSv1_2 to {default_hi.replace('.', '_')}", ignore=("TLS_AUTO",))
    ciphers = ciphers_field(params, "cipher_suites") if params is not None else Field(None)

    has_ca = bool(cas)
    kw = {}
    if role == "server":
        req = tls.get("require_client_certificate")
        required = truthy(req) is True
        # default_validator.cc: a SAN matcher or a pin makes Envoy require the
        # certificate (SSL_VERIFY_FAIL_IF_NO_PEER_CERT) as much as the flag does
        matcher = san_matchers[0][0] if san_matchers else (pins[0] if pins else None)
        if has_ca and (required or matcher is not None):
            verify = Field("required", req if required else matcher)
        elif has_ca:
            verify = Field("optional", trusted or sds_ca,
                           "Envoy: trusted_ca without require_client_certificate accepts clients without a certificate")
        elif pins:
            # checked against the pins alone, no CA needed
            verify = Field("required", pins[0])
            settings["fact.system_roots"] = pins[0]
        elif required or matcher is not None:
            # without trusted_ca Envoy never asks for a certificate: the flag is
            # silently ignored and every client gets in (TLS205 says so)
            verify = Field("required", req if required else matcher)
        else:
            verify = Field("none", None, "Envoy default: no client certificate requested")
        if accept_untrusted is not None and verify.value in ("required", "optional"):
            verify = Field("optional_no_verify", accept_untrusted)
        names = [Field(s.value, s) for s in info.get("server_names", [])]
        kw["requires_certificate"] = True
    else:
        if accept_untrusted is not None:
            verify = Field("none", accept_untrusted)
        elif has_ca:
            verify = Field("required", trusted or sds_ca)
        else:
            verify = Field("none", None, "Envoy does not verify the upstream certificate without "
                                         "validation_context.trusted_ca")
        names = []
        sni = tls.get("sni")
        for setting, matchers in san_matchers:
            for m in matchers:
                exact = (m.sub("matcher") or m).get("exact")
                if exact is not None:
                    names.append(Field(exact.value, exact))
        if sni is not None and not names:
            names.append(Field(sni.value, sni))
        auto = tls.get("auto_sni_san_validation") or info.get("auto_san")
        if san_matchers:
            kw["hostname_check"] = Field(True, san_matchers[0][0])
        elif truthy(auto):
            kw["hostname_check"] = Field(True, auto)
        else:
            kw["hostname_check"] = Field(False, None, "Envoy does not check the upstream's name without "
                                                      "match_typed_subject_alt_names or auto_sni_san_validation")
            if verify.value != "none":
                settings["fact.hostname_check_disabled"] = anchor
        kw["requires_certificate"] = False
    ctx.endpoint(role, label, anchor, tls.node, camel=camel, pairs=pairs, ca_files=cas, crl_files=crls,
                 verify=verify, depth=depth, depth_semantics="envoy", protocols=protocols, ciphers=ciphers,
                 names=names, settings=settings, **kw)
