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
        elif setting.value == "VerifyClientCertIfGiven":  # Go: Prometheus, Traefik...
            edits = [d.set_value(setting, "RequireAndVerifyClientCert")]
        else:
            return None
    except Exception:  # the dialect cannot make this edit: no fix offered
        return None
    return Fix("require a verified client certificate", "unsafe", edits)


# min-version spellings: (pattern of a legacy value, how TLS 1.2 is written in that style)
_MIN_STYLES = [
    (re.compile(r"^VersionTLS1[01]$|^VersionSSL30$"), "VersionTLS12"),
    (re.compile(r"^TLS1[01]$|^SSL30$"), "TLS12"),
    (re.compile(r"^TLSv1(\.[01])?$", re.I), "TLSv1.2"),
    (re.compile(r"^TLSv1_[01]$|^TLSv1$", re.I), "TLSv1_2"),
    (re.compile(r"^1\.[01]$"), "1.2"),
]
_MIN_KEYS = re.compile(r"(min_version|minVersion|minimumtls|tls-min-version|tls_min_version|"
                       r"tls_minimum_protocol_version)$")


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
        elif setting is not None and _MIN_KEYS.search(setting.key):
            value = _min_version_in_style(setting)
            if value is None:
                return None
            edits = [d.set_value(setting, value)]
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


def _min_version_in_style(setting: Setting) -> Optional[str]:
    for pattern, replacement in _MIN_STYLES:
        if pattern.match(setting.value.strip()):
            return replacement
    return None


def _rabbitmq_versions(endpoint: TlsEndpoint, d) -> list:
    """Replace every ``versions.N`` line by ``versions.1 = tlsv1.3`` and ``versions.2 = tlsv1.2``."""
    old = [s for k, s in endpoint.settings.items() if re.search(r"(^|\.)versions\.\d+$", k)]
    if any(s.source.path.name.endswith(".config") for s in old):
        return []  # advanced.config lists: left to the operator
    edits = [d.remove_setting(s) for s in old]
    edits.append(d.insert_setting(endpoint, "versions.1", "tlsv1.3"))
    edits.append(d.insert_setting(endpoint, "versions.2", "tlsv1.2"))
    return edits
