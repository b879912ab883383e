"""Fixes that change who can connect (unsafe): require client certificates
(TLS202) and restrict protocols to TLSv1.2 and TLSv1.3 (TLS601).

The value written is always in the setting's own vocabulary (``on``,
``true``, ``RequireAndVerifyClientCert``, ``TLS12``...), and the text edit
itself is made by the dialect.
"""

from __future__ import annotations

import re
from typing import Optional

from tlslint import dialects
from tlslint.findings import Fix
from tlslint.model import Setting, TlsEndpoint


def _dialect(endpoint: TlsEndpoint):
    return dialects.for_dialect(endpoint.dialect)


# (key, value that makes client certificates optional) -> the value that requires them
REQUIRING_BY_KEY = {
    ("allowConnectionsWithoutCertificates", "true"): "false",   # MongoDB
    ("client_authentication", "optional"): "required",          # Elasticsearch
    ("require_client_certificate", "false"): "true",            # Envoy
}
# values that mean the same whatever the key is called
REQUIRING_BY_VALUE = {
    "VerifyClientCertIfGiven": "RequireAndVerifyClientCert",            # Go: Prometheus, Traefik
    "verify-client-cert-if-given": "require-and-verify-client-cert",    # Docker registry
}


def require_client_cert(endpoint: TlsEndpoint) -> Optional[Fix]:
    setting = endpoint.verify.setting
    if setting is None:
        return None
    d = _dialect(endpoint)
    key = setting.key.rsplit(".", 1)[-1]
    try:
        if endpoint.dialect == "nginx" and setting.value == "optional":
            edits = [d.set_value(setting, "on")]
        elif endpoint.dialect == "rabbitmq" and key == "fail_if_no_peer_cert":
            edits = [d.set_value(setting, "true")]
        elif endpoint.dialect == "rabbitmq" and key == "verify":
            edits = [d.insert_setting(endpoint, "fail_if_no_peer_cert", "true")]
        elif (key, setting.value.strip()) in REQUIRING_BY_KEY:
            edits = [d.set_value(setting, REQUIRING_BY_KEY[key, setting.value.strip()])]
        elif setting.value.strip() in REQUIRING_BY_VALUE:
            edits = [d.set_value(setting, REQUIRING_BY_VALUE[setting.value.strip()])]
        elif endpoint.dialect == "envoy" and "require_client_certificate" not in endpoint.settings:
            edits = [d.insert_setting(endpoint, "require_client_certificate", "true")]
        else:
            return None
    except Exception:  # the dialect cannot make this edit: no fix offered
        return None
    return Fix("require a verified client certificate", "unsafe", edits)


# Version spellings of the YAML services: (pattern of a value in that style,
# how TLS 1.2 and TLS 1.3 are written in it)
_STYLES = [
    (re.compile(r"^VersionTLS1[0-3]$|^VersionSSL30$"), "VersionTLS12", "VersionTLS13"),
    (re.compile(r"^TLS1[0-3]$|^SSL30$"), "TLS12", "TLS13"),
    (re.compile(r"^TLSv1_[0-3]$", re.I), "TLSv1_2", "TLSv1_3"),
    (re.compile(r"^TLSv1(\.[0-3])?$", re.I), "TLSv1.2", "TLSv1.3"),
    (re.compile(r"^tls1\.[0-3]$"), "tls1.2", "tls1.3"),
    (re.compile(r"^1\.[0-3]$"), "1.2", "1.3"),
]
_MIN_KEYS = re.compile(r"(min_version|minVersion|minimumtls|tls-min-version|tls_min_version|"
                       r"tls_minimum_protocol_version|tlsMinimumProtocolVersion)$")
_MAX_KEYS = re.compile(r"(max_version|maxVersion|tls-max-version|tls_max_version|"
                       r"tls_maximum_protocol_version|tlsMaximumProtocolVersion)$")
_LEGACY_VALUE = re.compile(r"(1[._]?[01]|SSL\w*|v1)$", re.I)


def restrict_protocols(endpoint: TlsEndpoint) -> Optional[Fix]:
    protocols = endpoint.protocols
    setting = protocols.setting
    d = _dialect(endpoint)
    try:
        if endpoint.dialect == "nginx":
            if setting is not None:
                # repeated lines are OR-ed: one line keeps the new value, the others go
                edits = [d.set_value(setting, "TLSv1.2 TLSv1.3")]
                edits += [d.remove_setting(other) for other in protocols.others]
            else:
                key = "ssl_protocols" if endpoint.role == "server" else _client_prefix(endpoint) + "_protocols"
                edits = [d.insert_setting(endpoint, key, "TLSv1.2 TLSv1.3")]
        elif endpoint.dialect == "rabbitmq":
            edits = _rabbitmq_versions(endpoint, d)
        elif endpoint.dialect == "mongodb":
            # MongoDB lists what it turns off
            edits = ([d.set_value(setting, "TLS1_0,TLS1_1")] if setting is not None
                     else [d.insert_setting(endpoint, "disabledProtocols", "TLS1_0,TLS1_1")])
        elif setting is not None and (_MIN_KEYS.search(setting.key) or _MAX_KEYS.search(setting.key)):
            edits = _min_max_edits(endpoint, d)
        else:
            return None
    except Exception:  # the dialect cannot make this edit: no fix offered
        return None
    if not edits:
        return None
    return Fix("allow only TLSv1.2 and TLSv1.3", "unsafe", edits)


def _client_prefix(endpoint: TlsEndpoint) -> str:
    passing: Optional[Setting] = endpoint.settings.get("_pass")
    if passing is not None and passing.key in ("grpc_pass", "uwsgi_pass"):
        return passing.key.split("_")[0] + "_ssl"
    return "proxy_ssl"


def _in_style(setting: Setting, which: int) -> Optional[str]:
    """TLS 1.2 (which=1) or TLS 1.3 (which=2) written the way ``setting`` writes versions."""
    for style in _STYLES:
        if style[0].match(setting.value.strip()):
            return style[which]
    return None


def _min_max_edits(endpoint: TlsEndpoint, d) -> list:
    """min version TLS 1.2, and a max version below TLS 1.2 raised to TLS 1.3,
    so the result is exactly TLS 1.2 and 1.3 (a lone min fix could leave min > max)."""
    edits = []
    for key, setting in endpoint.settings.items():
        if not isinstance(setting, Setting) or key.startswith(("_", "fact.")):
            continue
        if _MIN_KEYS.search(key) and _LEGACY_VALUE.search(setting.value.strip()):
            value = _in_style(setting, 1)
        elif _MAX_KEYS.search(key) and _LEGACY_VALUE.search(setting.value.strip()):
            value = _in_style(setting, 2)
        else:
            continue
        if value is None:
            return []
        edits.append(d.set_value(setting, value))
    return edits


def _rabbitmq_versions(endpoint: TlsEndpoint, d) -> list:
    """Replace every ``versions.N`` line by ``versions.1 = tlsv1.3`` and ``versions.2 = tlsv1.2``."""
    old = [s for k, s in endpoint.settings.items() if re.search(r"(^|\.)versions\.\d+$", k)]
    if any(s.source.path.name.endswith(".config") for s in old) or getattr(endpoint, "proplist", None) is not None:
        return []  # advanced.config lists: left to the operator
    if getattr(endpoint, "surface", "") == "management_legacy" and not any(
            s.key.startswith("management.listener.ssl_opts.") for s in endpoint.options.values()):
        return []  # it reuses ssl_options: a versions line of its own would end that reuse
    edits = [d.remove_setting(s) for s in old]
    edits.append(d.insert_setting(endpoint, "versions.1", "tlsv1.3"))
    edits.append(d.insert_setting(endpoint, "versions.2", "tlsv1.2"))
    return edits
