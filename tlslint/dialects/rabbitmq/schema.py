"""What RabbitMQ's cuttlefish schemas accept under the TLS prefixes.

Only the TLS part of the schema is modelled: a key under one of these prefixes
that is not listed here is an ``unknown_variable`` boot failure (TLS701).
The lists are the union over RabbitMQ 3.x/4.x schemas (rabbitmq-server
``deps/*/priv/schema/*.schema`` and ``ssl_options.partial``): a key that some
supported release accepts is never reported. ``$`` stands for any one
segment (``versions.$`` matches ``versions.1`` and ``versions.tls1_2``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Optional

# rabbit's ssl_options.partial (+ cacerts.$ and groups.$ of newer schemas)
PARTIAL = (
    "verify", "fail_if_no_peer_cert", "cacertfile", "certfile", "cert", "crl_check", "depth",
    "dh", "dhfile", "keyfile", "log_alert", "password", "psk_identity", "reuse_sessions",
    "secure_renegotiate", "versions.$", "ciphers.$", "groups.$", "cacerts.$",
)
KEY_STAR = ("key.RSAPrivateKey", "key.DSAPrivateKey", "key.PrivateKeyInfo")
SERVER_EXTRA = ("honor_cipher_order", "honor_ecc_order", "client_renegotiation")

AMQP = PARTIAL + SERVER_EXTRA + KEY_STAR + (
    "log_level", "bypass_pem_cache", "crl_sources.$", "crl_sources.$.$", "hibernate_after",
)
# cowboy/ranch keys of the HTTP listeners (management, prometheus)
HTTP_LISTENER = (
    "port", "ip", "backlog", "max_connections", "num_acceptors", "compress", "idle_timeout",
    "inactivity_timeout", "request_timeout", "shutdown_timeout", "max_keepalive",
    "cowboy_opts.$", "cowboy_opts.$.$",
)
MANAGEMENT_SSL = HTTP_LISTENER + (
    "certfile", "keyfile", "cacertfile", "password", "verify", "fail_if_no_peer_cert",
    "honor_cipher_order", "honor_ecc_order", "reuse_sessions", "secure_renegotiate",
    "client_renegotiation", "depth", "versions.$", "ciphers.$",
)
# Web MQTT / Web STOMP: no verify / fail_if_no_peer_cert in the schema
WEB_SSL = (
    "port", "ip", "backlog", "listener", "max_connections", "num_acceptors", "certfile", "keyfile",
    "cacertfile", "password", "honor_cipher_order", "honor_ecc_order", "reuse_sessions",
    "secure_renegotiate", "client_renegotiation", "crl_check", "depth", "versions.$", "ciphers.$",
)
CLIENT_EXTRA = ("sni", "hostname_verification", "honor_cipher_order", "honor_ecc_order",
                "client_renegotiation")
AUTH_BACKEND = PARTIAL + CLIENT_EXTRA + KEY_STAR
TRUST_STORE = PARTIAL + ("honor_cipher_order", "client_renegotiation") + KEY_STAR
PEER_DISCOVERY = PARTIAL + ("honor_cipher_order", "honor_ecc_order", "client_renegotiation", "sni",
                            "hostname_verification") + KEY_STAR
K8S_TLS = ("cacertfile", "certfile", "keyfile", "verify", "fail_if_no_peer_cert")
AMQP_CLIENT = ("verify", "cacertfile", "certfile", "cacerts.$", "cert", "crl_check", "depth",
               "keyfile", "log_alert", "password", "psk_identity", "reuse_sessions",
               "secure_renegotiate", "versions.$", "sni", "fail_if_no_peer_cert", "ciphers.$",
               "server_name_indication", "hostname_verification") + KEY_STAR
DEFINITIONS_TLS = PARTIAL + ("log_level", "reuse_session") + KEY_STAR + SERVER_EXTRA
SYSLOG = tuple(k for k in PARTIAL if k != "ciphers.$") + KEY_STAR + SERVER_EXTRA
OAUTH2_HTTPS = ("verify", "peer_verification", "cacertfile", "depth", "hostname_verification",
                "crl_check", "fail_if_no_peer_cert", "proxy.$", "proxy.$.$")


@dataclass(frozen=True)
class Prefix:
    """A TLS block of rabbitmq.conf: ``pattern`` segments (``$`` = any one)."""

    pattern: tuple[str, ...]
    options: tuple[str, ...]
    # the exact prefix key itself may be set (``ssl_options = none``)
    bare_ok: bool = False


PREFIXES = (
    Prefix(("ssl_options",), AMQP, bare_ok=True),
    Prefix(("management", "ssl"), MANAGEMENT_SSL),
    Prefix(("management", "listener", "ssl_opts"), MANAGEMENT_SSL),
    Prefix(("prometheus", "ssl"), MANAGEMENT_SSL),
    Prefix(("web_mqtt", "ssl"), WEB_SSL),
    Prefix(("web_stomp", "ssl"), WEB_SSL),
    Prefix(("auth_ldap", "ssl_options"), AUTH_BACKEND, bare_ok=True),
    Prefix(("auth_http", "ssl_options"), AUTH_BACKEND, bare_ok=True),
    Prefix(("trust_store", "ssl_options"), TRUST_STORE, bare_ok=True),
    Prefix(("cluster_formation", "consul", "ssl_options"), PEER_DISCOVERY, bare_ok=True),
    Prefix(("cluster_formation", "etcd", "ssl_options"), PEER_DISCOVERY, bare_ok=True),
    Prefix(("cluster_formation", "k8s", "tls"), K8S_TLS),
    Prefix(("amqp_client", "ssl_options"), AMQP_CLIENT, bare_ok=True),
    Prefix(("amqp10_client", "ssl_options"), AMQP_CLIENT, bare_ok=True),
    Prefix(("definitions", "tls"), DEFINITIONS_TLS),
    Prefix(("log", "syslog", "ssl_options"), SYSLOG, bare_ok=True),
    Prefix(("auth_oauth2", "https"), OAUTH2_HTTPS),
    Prefix(("auth_oauth2", "oauth_providers", "$", "https"), OAUTH2_HTTPS),
)

# listener families: only "tcp" and "ssl" exist below them
LISTENER_PARENTS = (("listeners",), ("mqtt", "listeners"), ("stomp", "listeners"),
                    ("stream", "listeners"))
LISTENER_KINDS = ("tcp", "ssl")

# first segments people write for ssl_options by mistake
PREFIX_TYPOS = {"ssl_option": "ssl_options", "ssl_opts": "ssl_options", "ssl": "ssl_options",
                "tls_options": "ssl_options", "tls": "ssl_options", "tls_option": "ssl_options",
                "ssloptions": "ssl_options", "ssl-options": "ssl_options"}


def _match_option(pattern: str, segments: tuple[str, ...]) -> bool:
    parts = pattern.split(".")
    return len(parts) == len(segments) and all(p == "$" or p == s for p, s in zip(parts, segments))


def _prefix_of(segments: tuple[str, ...]) -> Optional[tuple[Prefix, tuple[str, ...]]]:
    best = None
    for prefix in PREFIXES:
        n = len(prefix.pattern)
        if len(segments) >= n and all(p == "$" or p == s for p, s in zip(prefix.pattern, segments)):
            if best is None or n > len(best[0].pattern):
                best = (prefix, segments[n:])
    return best


@dataclass(frozen=True)
class UnknownKey:
    message: str
    suggestion: Optional[str]


def check_key(segments: tuple[str, ...]) -> Optional[UnknownKey]:
    """None when the key is known (or outside the TLS prefixes)."""
    if not segments:
        return None
    if len(segments) >= 2 and segments[0] in PREFIX_TYPOS:
        right = PREFIX_TYPOS[segments[0]]
        rest = (right,) + segments[1:]
        if check_key(rest) is None:
            return UnknownKey(f"there is no setting {'.'.join(segments)!r}", ".".join(rest))
    for parent in LISTENER_PARENTS:
        n = len(parent)
        if len(segments) > n and segments[:n] == parent and segments[n] not in LISTENER_KINDS:
            kind = segments[n].lower()
            close = (["ssl"] if kind.startswith(("tls", "ssl", "https", "amqps")) else
                     difflib.get_close_matches(kind, LISTENER_KINDS, n=1, cutoff=0.3))
            sugg = ".".join(parent + (close[0],) + segments[n + 1:]) if close else None
            return UnknownKey(f"{'.'.join(parent)} has only 'tcp' and 'ssl' listeners", sugg)
    found = _prefix_of(segments)
    if found is None:
        return None
    prefix, rest = found
    if not rest:
        return None if prefix.bare_ok else UnknownKey("this key needs an option after it", None)
    if any(_match_option(opt, rest) for opt in prefix.options):
        return None
    head = ".".join(segments[: len(segments) - len(rest)])
    written = ".".join(rest)
    names = sorted({o.replace(".$", "") for o in prefix.options if "$" not in o.split(".")[0]})
    close = difflib.get_close_matches(rest[0], names, n=1, cutoff=0.6)
    suggestion = None
    if close:
        fixed = (close[0],) + rest[1:] if "." not in close[0] else tuple(close[0].split(".")) + rest[1:]
        if any(_match_option(opt, fixed) for opt in prefix.options):
            suggestion = head + "." + ".".join(fixed)
        else:
            suggestion = head + "." + close[0]
    return UnknownKey(f"{head} has no option {written!r}", suggestion)


# --- values ----------------------------------------------------------------
#
# The datatypes cuttlefish converts TLS values to (Kyorai/cuttlefish
# cuttlefish_datatypes/cuttlefish_enum; the schemas write booleans as
# {enum, [true, false]}, so they are case-sensitive and "on"/"yes" are
# refused). A value cuttlefish cannot convert stops the node at boot.
# ``versions.$`` is an atom to cuttlefish (any word passes), but Erlang/OTP's
# ssl refuses an unknown version ({options, {versions, ...}}) when the TLS
# listener starts or the connection is made.

BOOLEAN = ("true", "false")
OPTION_TYPES: dict[str, tuple] = {
    **{name: ("enum", BOOLEAN) for name in (
        "fail_if_no_peer_cert", "honor_cipher_order", "honor_ecc_order", "reuse_sessions", "reuse_session",
        "secure_renegotiate", "client_renegotiation", "log_alert", "bypass_pem_cache")},
    "verify": ("enum", ("verify_peer", "verify_none")),
    "peer_verification": ("enum", ("verify_peer", "verify_none")),
    "crl_check": ("enum", ("true", "false", "peer", "best_effort")),
    "hostname_verification": ("enum", ("wildcard", "none")),
    "depth": ("byte",),
    "port": ("integer",),
    "versions.$": ("version",),
}
# whole keys outside the TLS option blocks
KEY_TYPES: dict[tuple[str, ...], tuple] = {
    ("auth_ldap", "use_ssl"): ("enum", BOOLEAN),
    ("auth_ldap", "use_starttls"): ("enum", BOOLEAN),
    ("management", "listener", "ssl"): ("enum", BOOLEAN),
    ("ssl_allow_poodle_attack",): ("enum", BOOLEAN),
    ("mqtt", "ssl_cert_login"): ("enum", BOOLEAN),
    ("stomp", "ssl_cert_login"): ("enum", BOOLEAN),
    ("stream", "ssl_cert_login"): ("enum", BOOLEAN),
    ("management", "listener", "port"): ("integer",),
    # a TLS listener: a port, or ip:port (cuttlefish datatype [integer, ip])
    ("listeners", "ssl", "$"): ("listener",),
    ("mqtt", "listeners", "ssl", "$"): ("listener",),
    ("stomp", "listeners", "ssl", "$"): ("listener",),
    ("stream", "listeners", "ssl", "$"): ("listener",),
}
# the version atoms Erlang/OTP's ssl knows for TLS (atoms are case-sensitive)
OTP_VERSIONS = ("tlsv1.3", "tlsv1.2", "tlsv1.1", "tlsv1", "sslv3")

_INTEGER = re.compile(r"[+-]?[0-9]+")


def datatype_of(segments: tuple[str, ...]) -> Optional[tuple]:
    """The datatype tlslint checks for this key, or None (not checked)."""
    for pattern, kind in KEY_TYPES.items():
        if len(pattern) == len(segments) and all(p == "$" or p == s for p, s in zip(pattern, segments)):
            return kind
    found = _prefix_of(segments)
    if found is None or not found[1]:
        return None
    prefix, rest = found
    for option in (".".join(rest), rest[0] + ".$" if len(rest) == 2 else None):
        if option in OPTION_TYPES and any(_match_option(o, rest) for o in prefix.options):
            return OPTION_TYPES[option]
    return None


def option_value_error(option: str, value: str) -> Optional[str]:
    """Why ``value`` is refused for the TLS option ``option`` (``verify``,
    ``versions.1``...), or None; values with ``$(...)`` are not judged."""
    name = "versions.$" if option.startswith("versions.") else option
    kind = OPTION_TYPES.get(name)
    return value_error(kind, value) if kind is not None else None


def value_error(kind: Optional[tuple], value: str) -> Optional[str]:
    """cuttlefish-like words for a refused value (None: accepted or not judged)."""
    if kind is None or "$(" in value:
        return None
    value = value.rstrip(" \t")  # blanks kept at the end of the file: not judged
    tag = kind[0]
    if tag == "enum":
        allowed = kind[1]
        if value in allowed:
            return None
        if allowed == BOOLEAN:
            return f"{value!r} is not a valid boolean (true or false)"
        return f"{value!r} is not a valid enum value, acceptable values are: {', '.join(allowed)}"
    if tag in ("integer", "byte"):
        if not _INTEGER.fullmatch(value):
            return f"{value!r} cannot be converted to a(n) integer"
        if tag == "byte" and not 0 <= int(value) <= 255:
            return f"{value} is outside the byte range 0-255 that Erlang/OTP's ssl accepts for depth"
        return None
    if tag == "listener":
        if _INTEGER.fullmatch(value):
            return None
        host, colon, port = value.rpartition(":")
        if colon and host and re.fullmatch(r"\+?[0-9]+", port):
            return None
        return f"{value!r} cannot be converted to a(n) integer or IP (a port, or ip:port)"
    if tag == "version":
        if value.strip("'") in OTP_VERSIONS:
            return None
        return (f"{value!r} is not a TLS version Erlang/OTP knows ({', '.join(OTP_VERSIONS)}; lower case): "
                "cuttlefish accepts any word here, but ssl refuses the options ({options, {versions, ...}})")
    return None
