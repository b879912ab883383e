"""Private keys: strength and opening encrypted keys with configured passwords.

Passwords are tried like nginx's ``ssl_password_file`` (each line is one
password; a trailing CR is dropped) and never appear in any message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from tlslint.pki.objects import KeyInfo, LoadedFile, describe_public_key

MAX_PASSWORD_TRIES = 64

KeyStatus = Literal["ok", "none", "unavailable", "no_key", "unusable",
                    "encrypted_no_password", "wrong_password", "password_unknown"]


@dataclass(eq=False)
class KeyResult:
    """The private key a pair will use.

    status: ``ok`` (``key`` is set), ``none`` (no key configured),
    ``unavailable`` (key file missing/unreadable/unresolved: other rules say so),
    ``no_key`` (the file holds no key), ``unusable`` (a key block that does not load),
    ``encrypted_no_password``, ``wrong_password`` (no configured password opens it),
    ``password_unknown`` (a password file exists but cannot be read statically).
    """

    status: KeyStatus
    info: Optional[KeyInfo] = None
    key: object = None
    loaded: Optional[LoadedFile] = None
    from_cert_file: bool = False
    tried: int = 0  # how many passwords were tried (never which)

    @property
    def spki(self) -> Optional[bytes]:
        if self.key is None:
            return None
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def password_candidates(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    for line in data.split(b"\n"):
        for cand in (line.rstrip(b"\r"), line.strip()):
            if cand and cand not in out:
                out.append(cand)
    return out


def open_key(info: KeyInfo, passwords: list[bytes]) -> tuple[object, int]:
    """Try ``passwords`` on an encrypted key: (key or None, tries)."""
    tries = 0
    for pw in passwords[:MAX_PASSWORD_TRIES]:
        tries += 1
        try:
            if info.der:
                key = serialization.load_der_private_key(info.block, password=pw)
            else:
                key = serialization.load_pem_private_key(info.block, password=pw)
            return key, tries
        except (ValueError, TypeError):
            continue
        except Exception:  # noqa: BLE001 - unsupported cipher etc.
            continue
    return None, tries


def weakness(public_key) -> Optional[str]:
    """Why a public key is weak, or None: RSA < 2048, DSA, EC below 256 bits."""
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            return f"RSA {public_key.key_size}-bit key (minimum 2048)"
        return None
    if isinstance(public_key, dsa.DSAPublicKey):
        return f"DSA {public_key.key_size}-bit key (DSA is not supported by current TLS clients)"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.key_size < 256:
            name, _ = describe_public_key(public_key)
            return f"{name} key ({public_key.curve.key_size}-bit curve, minimum 256)"
    return None


def dh_weakness(data: bytes) -> Optional[str]:
    """Why PEM DH parameters are weak, or None (also when they cannot be read:
    another rule's business). OpenSSL at security level 2, the default of
    current distributions, refuses a prime below 2048 bits."""
    from cryptography.hazmat.primitives import serialization

    try:
        params = serialization.load_pem_parameters(data)
        bits = params.parameter_numbers().p.bit_length()
    except Exception:  # noqa: BLE001 - not DH parameters we can read
        return None
    return f"DH parameters of {bits} bits (minimum 2048)" if bits < 2048 else None

