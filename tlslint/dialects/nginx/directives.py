"""The TLS directives nginx knows, to catch typos in them (TLS007).

nginx refuses a config with an unknown directive, but third-party modules
add directives of their own (OpenResty's ``ssl_certificate_by_lua_block``,
nginx-ct's ``ssl_ct``...). So a name is reported only when it is not known
*and* is a near miss of a known one: then it is a typo, not a module.
"""

from __future__ import annotations

from typing import Iterable, Optional

from tlslint.model import Location, Problem, Setting

SERVER = """
ssl ssl_alpn ssl_buffer_size ssl_certificate ssl_certificate_cache ssl_certificate_compression
ssl_certificate_key ssl_ciphers ssl_client_certificate ssl_conf_command ssl_crl ssl_dhparam
ssl_early_data ssl_ecdh_curve ssl_ech_file ssl_engine ssl_handshake_timeout ssl_key_log
ssl_object_cache_inheritable ssl_ocsp ssl_ocsp_cache ssl_ocsp_responder ssl_password_file
ssl_prefer_server_ciphers ssl_preread ssl_protocols ssl_reject_handshake ssl_session_cache
ssl_session_ticket_key ssl_session_tickets ssl_session_timeout ssl_stapling ssl_stapling_file
ssl_stapling_responder ssl_stapling_verify ssl_trusted_certificate ssl_verify_client
ssl_verify_depth
""".split()

UPSTREAM_SUFFIXES = """
alpn certificate certificate_cache certificate_key ciphers conf_command crl key_log name
password_file protocols server_name session_reuse trusted_certificate verify verify_depth
""".split()

KNOWN = frozenset(SERVER + ["proxy_ssl"] + [f"{prefix}_ssl_{suffix}"
                                               for prefix in ("proxy", "grpc", "uwsgi")
                                               for suffix in UPSTREAM_SUFFIXES])
TLS_PREFIXES = ("ssl_", "proxy_ssl_", "grpc_ssl_", "uwsgi_ssl_")


def near_miss(name: str) -> Optional[str]:
    """The known TLS directive ``name`` is a typo of, if it is one."""
    if name in KNOWN or not name.startswith(TLS_PREFIXES):
        return None
    import difflib  # only for an unknown directive's suggestion

    match = difflib.get_close_matches(name, KNOWN, n=1, cutoff=0.85)
    return match[0] if match else None


def typo_problems(settings: Iterable[Setting]) -> list[Problem]:
    problems = []
    for setting in settings:
        meant = near_miss(setting.key)
        if meant is None:
            continue
        span = setting.key_span or setting.span
        problems.append(Problem(
            "TLS007", Location(setting.source, span),
            f'unknown directive "{setting.key}": nginx refuses to start; did you mean "{meant}"?',
            setting=setting, data={"severity": "error", "suggestion": meant}))
    return problems
