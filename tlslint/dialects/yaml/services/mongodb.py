"""MongoDB ``mongod.conf``/``mongos.conf`` (YAML; nested or dotted keys).

Keys read: ``net.tls.{mode, certificateKeyFile, certificateKeyFilePassword,
CAFile, CRLFile, clusterFile, clusterPassword, clusterCAFile,
allowConnectionsWithoutCertificates, allowInvalidCertificates,
allowInvalidHostnames, disabledProtocols, certificateSelector}`` and the legacy
``net.ssl.*`` aliases (``PEMKeyFile``, ``PEMKeyPassword``, ``requireSSL``...).

Semantics (MongoDB docs, configure-ssl): TLS is on for mode allowTLS,
preferTLS and requireTLS. ``certificateKeyFile`` holds the certificate and
its key in one PEM. Without ``CAFile`` client certificates are not validated;
with it clients must present a valid certificate unless
``allowConnectionsWithoutCertificates``; ``allowInvalidCertificates`` turns
validation off (for clients connecting in, and for this node's own outgoing
connections to other members). ``disabledProtocols`` default: TLS1_0 only.
Paths: mongod resolves them against its working directory; tlslint joins
them to the config file's directory (deployments use absolute paths: use
--path-map).

Endpoints: ``mongod net.tls`` (server) and, when the node talks to other
members (replication/sharding, clusterFile, clusterCAFile or an
allowInvalid* switch), ``mongod net.tls (outgoing cluster connections)``.
"""

from __future__ import annotations

from tlslint.model import CertKeyPair, Field
from tlslint.dialects.yaml.base import Ctx, Flat, truthy

TLS_KEYS = ("mode", "certificateKeyFile", "certificateKeyFilePassword", "certificateSelector",
            "clusterCertificateSelector", "clusterFile", "clusterPassword", "clusterCAFile", "CAFile", "CRLFile",
            "allowConnectionsWithoutCertificates", "allowInvalidCertificates", "allowInvalidHostnames",
            "disabledProtocols", "FIPSMode", "logVersions", "clusterAuthX509")
SSL_ALIASES = {"PEMKeyFile": "certificateKeyFile", "PEMKeyPassword": "certificateKeyFilePassword",
               "sslOnNormalPorts": "mode"}
SSL_KEYS = tuple(k for k in TLS_KEYS if k not in ("certificateKeyFile", "certificateKeyFilePassword",
                                                   "clusterAuthX509", "logVersions")) + tuple(SSL_ALIASES)
MODES = {"disabled": None, "allowtls": "allowTLS", "prefertls": "preferTLS", "requiretls": "requireTLS",
         "allowssl": "allowTLS", "preferssl": "preferTLS", "requiressl": "requireTLS"}
PROTOCOL_NAMES = {"TLS1_0": "TLSv1", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}


def build(ctx: Ctx, root) -> None:
    if not root.is_map:
        return
    flat = Flat(ctx, root)
    for section in ("net.tls", "net.ssl"):
        keys = flat.keys_under(section + ".")
        if not keys:
            continue
        _section(ctx, flat, section, root, replicated=any(k.startswith(("replication.", "sharding."))
                                                         for k in flat.items))
        return


def _section(ctx: Ctx, flat: Flat, section: str, root, replicated: bool) -> None:
    legacy = section == "net.ssl"
    raw = flat.under(section + ".")
    known = SSL_KEYS if legacy else TLS_KEYS
    # TLS007: via a pseudo-section over the flat keys
    import difflib
    for key, s in raw.items():
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            msg = f"mongodb does not know `{key}` in {section}" + (f"; did you mean `{guess[0]}`?" if guess else "")
            ctx.problem("TLS007", s, msg, at_key=True, key=key, suggestion=guess[0] if guess else None)
    get = {SSL_ALIASES.get(k, k): s for k, s in raw.items()}
    settings = dict(get)
    mode = get.get("mode")
    if mode is None:
        return
    if legacy and "sslOnNormalPorts" in raw and "mode" not in raw:
        if truthy(mode):
            norm = "requireTLS"
        else:
            return
    else:
        key = mode.value.strip().lower()
        if key not in MODES:
            ctx.invalid(mode, f"Unsupported value for {section}.mode: {mode.value}")
            return
        norm = MODES[key]
    if norm is None:
        return
    holder = flat.holders.get(section)
    anchor = mode
    base = f"mongod {section}"

    pairs = []
    ckf = get.get("certificateKeyFile")
    if ckf is not None:
        pairs.append(CertKeyPair(cert=ctx.file_ref("cert", ckf), key=None, key_in_cert_file=True,
                                 password=get.get("certificateKeyFilePassword")))
    elif get.get("certificateSelector") is not None:
        sel = get["certificateSelector"]
        pairs.append(CertKeyPair(cert=ctx.file_ref("cert", sel, unresolved="certificate from the OS store "
                                                                           "(certificateSelector): not checked"),
                                 key_in_cert_file=True))
    ca = get.get("CAFile")
    cas = [ctx.file_ref("ca", ca)] if ca is not None else []
    crls = [ctx.file_ref("crl", get["CRLFile"])] if get.get("CRLFile") is not None else []
    invalid_certs = get.get("allowInvalidCertificates")
    invalid_hosts = get.get("allowInvalidHostnames")
    without = get.get("allowConnectionsWithoutCertificates")
    if truthy(invalid_certs):
        settings["fact.verify_disabled"] = invalid_certs
        verify = Field("optional_no_verify" if ca is not None else "none", invalid_certs)
    elif ca is not None:
        verify = Field("optional", without) if truthy(without) else Field(
            "required", ca, "mongod: with CAFile, clients must present a valid certificate")
    else:
        verify = Field("none", None, "mongod without CAFile does not validate client certificates")
    if truthy(invalid_hosts):
        settings["fact.hostname_check_disabled"] = invalid_hosts
    if truthy(without):
        settings["fact.allow_connections_without_certificates"] = without

    disabled = get.get("disabledProtocols")
    all_protocols = frozenset(PROTOCOL_NAMES.values())
    if disabled is not None:
        names = [p.strip() for p in disabled.value.split(",") if p.strip()]
        if names == ["none"]:
            protocols = Field(all_protocols, disabled)
        else:
            bad = [n for n in names if n not in PROTOCOL_NAMES]
            if bad:
                ctx.invalid(disabled, f"Unrecognized disabledProtocols '{bad[0]}'")
            protocols = Field(all_protocols - {PROTOCOL_NAMES[n] for n in names if n in PROTOCOL_NAMES}, disabled)
    else:
        protocols = Field(all_protocols - {"TLSv1"}, None,
                          "mongod default since 4.0: TLS1_0 disabled (when TLS 1.1+ is available)")

    section_node = holder[0] if holder else root
    prefix = holder[1] if holder else f"{section}."
    ctx.endpoint("server", base, anchor, section_node, prefix=prefix, pairs=pairs, ca_files=cas,
                 crl_files=crls, verify=verify, depth_semantics="openssl", protocols=protocols,
                 settings=settings)

    cluster_file, cluster_ca = get.get("clusterFile"), get.get("clusterCAFile")
    if not (replicated or cluster_file is not None or cluster_ca is not None or invalid_certs is not None
            or invalid_hosts is not None):
        return
    csettings = dict(settings)
    cpairs = []
    if cluster_file is not None:
        cpairs.append(CertKeyPair(cert=ctx.file_ref("cert", cluster_file), key_in_cert_file=True,
                                  password=get.get("clusterPassword")))
    ccas = [ctx.file_ref("ca", cluster_ca)] if cluster_ca is not None else list(cas)
    if truthy(invalid_certs):
        cverify = Field("none", invalid_certs)
    else:
        cverify = Field("required", (cluster_ca or ca), "" if (cluster_ca or ca) else
                        "mongod verifies other members against the system roots")
        if not ccas:
            csettings["fact.system_roots"] = anchor
    hostname = Field(False, invalid_hosts) if truthy(invalid_hosts) else Field(
        True, None, "mongod checks the other members' host names")
    ctx.endpoint("client", f"{base} (outgoing cluster connections)", anchor, section_node, prefix=prefix,
                 pairs=cpairs, ca_files=ccas, verify=cverify, depth_semantics="openssl", protocols=protocols,
                 hostname_check=hostname, requires_certificate=False, settings=csettings)
