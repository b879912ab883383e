"""The rule catalogue: one module per rule, listed here in code order.

Module ``tlsNNN_<name>`` defines ``RULE``, its docstring (printed by
``tlslint explain``), and ``check_endpoint`` and/or ``check_document``.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

RULE_MODULES = (
    "tls001_parse_error",
    "tls002_file_not_found",
    "tls003_file_unreadable",
    "tls004_bad_pem",
    "tls006_unresolved_path",
    "tls007_unknown_dialect_setting",
    "tls008_unused_suppression",
    "tls009_duplicate_setting",
    "tls101_chain_incomplete",
    "tls102_chain_misordered",
    "tls103_chain_contains_root",
    "tls104_chain_extraneous_certificate",
    "tls105_chain_untrusted",
    "tls106_self_signed_certificate",
    "tls107_ca_bundle_not_ca",
    "tls108_weak_signature",
    "tls109_chain_invalid",
    "tls201_peer_verification_disabled",
    "tls202_client_cert_optional",
    "tls203_client_cert_not_verified",
    "tls204_conflicting_verify_settings",
    "tls205_verify_without_ca",
    "tls206_verify_depth_too_small",
    "tls207_hostname_verification_disabled",
    "tls301_key_mismatch",
    "tls302_weak_key",
    "tls303_encrypted_key_without_password",
    "tls304_missing_key_or_certificate",
    "tls401_certificate_expired",
    "tls402_certificate_expires_soon",
    "tls403_certificate_not_yet_valid",
    "tls404_crl_unusable",
    "tls501_hostname_mismatch",
    "tls502_missing_subject_alt_name",
    "tls503_wrong_extended_key_usage",
    "tls601_legacy_protocol",
    "tls602_weak_cipher",
    "tls701_unknown_setting",
    "tls702_deprecated_ssl_directive",
    "tls703_listener_without_certificate",
    "tls704_value_quoting_pitfall",
    "tls705_overridden_by_advanced_config",
)


@lru_cache(maxsize=None)
def load_all() -> tuple[ModuleType, ...]:
    """Import every rule module that exists (during development some may not yet)."""
    modules = []
    for name in RULE_MODULES:
        try:
            modules.append(importlib.import_module(f"tlslint.rules.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"tlslint.rules.{name}":
                raise
    return tuple(modules)
