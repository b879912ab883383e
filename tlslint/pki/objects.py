"""What a loaded file holds: certificates, private keys, CRLs, and what was wrong.

These objects describe things in operator terms ("certificate 2 of 3
(CN=...)") and never carry printable key material: ``KeyInfo`` keeps the
key's bytes privately for decryption and comparison only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

Status = Literal["ok", "missing", "unreadable", "unresolved"]


def name_str(name: x509.Name) -> str:
    """RFC 4514, but in the familiar order (CN last is odd for humans: keep as given)."""
    try:
        text = name.rfc4514_string()
    except Exception:  # pragma: no cover - exotic attribute types
        text = repr(name)
    return text or "(empty name)"


def name_key(name: x509.Name) -> tuple:
    """A comparison key for distinguished names, normalised roughly like
    OpenSSL's canonical encoding: case-folded, inner whitespace collapsed."""
    out = []
    for rdn in name.rdns:
        attrs = []
        for attr in rdn:
            value = attr.value
            if isinstance(value, bytes):
                norm: object = value
            else:
                norm = " ".join(str(value).split()).casefold()
            attrs.append((attr.oid.dotted_string, norm))
        out.append(tuple(sorted(attrs)))
    return tuple(out)


def spki_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def describe_public_key(public_key) -> tuple[str, Optional[int]]:
    """("RSA", 2048), ("EC P-256", 256), ("Ed25519", 256), ("DSA", 2048)..."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA", public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = public_key.curve
        pretty = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521",
                  "secp192r1": "P-192", "secp224r1": "P-224"}.get(curve.name, curve.name)
        return f"EC {pretty}", curve.key_size
    if isinstance(public_key, dsa.DSAPublicKey):
        return "DSA", public_key.key_size
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(public_key).__name__, None


def _ext(cert: x509.Certificate, ext_type):
    try:
        return cert.extensions.get_extension_for_class(ext_type)
    except x509.ExtensionNotFound:
        return None
    except Exception:  # malformed extensions: treat as absent, reported elsewhere
        return None


@dataclass(eq=False)
class CertInfo:
    """One certificate as found at one position of one file."""

    cert: x509.Certificate
    index: int  # 1-based position among the file's certificates
    count: int
    file: str  # display path or "inline data"
    path: Optional[Path] = None

    def __post_init__(self) -> None:
        c = self.cert
        self.subject = name_str(c.subject)
        self.issuer = name_str(c.issuer)
        self.subject_key = name_key(c.subject)
        self.issuer_key = name_key(c.issuer)
        self.fingerprint = c.fingerprint(_SHA256).hex()
        try:
            self.public_key = c.public_key()
            self.spki = spki_der(self.public_key)
        except Exception:  # unsupported key type
            self.public_key = None
            self.spki = hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).digest()
        bc = _ext(c, x509.BasicConstraints)
        self.basic_constraints: Optional[x509.BasicConstraints] = bc.value if bc else None
        self.basic_constraints_critical = bool(bc and bc.critical)
        ku = _ext(c, x509.KeyUsage)
        self.key_usage: Optional[x509.KeyUsage] = ku.value if ku else None
        eku = _ext(c, x509.ExtendedKeyUsage)
        self.eku: Optional[list] = list(eku.value) if eku else None
        ski = _ext(c, x509.SubjectKeyIdentifier)
        self.ski: Optional[bytes] = ski.value.digest if ski else None
        aki = _ext(c, x509.AuthorityKeyIdentifier)
        self.aki: Optional[bytes] = aki.value.key_identifier if aki else None
        san = _ext(c, x509.SubjectAlternativeName)
        self.san: Optional[x509.SubjectAlternativeName] = san.value if san else None
        self.self_issued = self.subject_key == self.issuer_key
        self.self_signed = self.self_issued and self._signed_by_own_key()
        self.is_ca = self._is_ca()
        self.version = c.version.value + 1 if hasattr(c.version, "value") else 3

    # -- classification -------------------------------------------------
    def _signed_by_own_key(self) -> bool:
        if self.aki is not None and self.ski is not None and self.aki != self.ski:
            return False
        from tlslint.pki.graph import signature_ok  # local: avoid a cycle
        return signature_ok(self.cert, self.cert) is True

    def _is_ca(self) -> bool:
        """What OpenSSL's X509_check_ca accepts as a CA (non-strict)."""
        if self.basic_constraints is not None:
            return self.basic_constraints.ca
        if self.cert.version == x509.Version.v1 and self.self_signed:
            return True
        return bool(self.key_usage is not None and self.key_usage.key_cert_sign)

    @property
    def common_name(self) -> Optional[str]:
        attrs = self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(attrs[0].value) if attrs else None

    @property
    def not_before(self) -> dt.datetime:
        return self.cert.not_valid_before_utc

    @property
    def not_after(self) -> dt.datetime:
        return self.cert.not_valid_after_utc

    @property
    def signature_hash(self) -> Optional[str]:
        """Lower-case hash name of the signature ("sha256", "sha1", "md5"), None for EdDSA/unknown."""
        try:
            h = self.cert.signature_hash_algorithm
        except Exception:
            return _SIG_OID_HASH.get(self.cert.signature_algorithm_oid.dotted_string)
        return h.name if h is not None else None

    def key_description(self) -> tuple[str, Optional[int]]:
        if self.public_key is None:
            return "unsupported key", None
        return describe_public_key(self.public_key)

    def position(self) -> str:
        return f"certificate {self.index} of {self.count}"

    def describe(self) -> str:
        return f"{self.position()} ({self.subject})"

    def same_key_and_subject(self, other: "CertInfo") -> bool:
        return self.subject_key == other.subject_key and self.spki == other.spki

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<CertInfo {self.file}#{self.index} {self.subject}>"


from cryptography.hazmat.primitives import hashes as _hashes  # noqa: E402

_SHA256 = _hashes.SHA256()
# signature OIDs cryptography may refuse to map to a hash object
_SIG_OID_HASH = {
    "1.2.840.113549.1.1.4": "md5",
    "1.2.840.113549.1.1.2": "md2",
    "1.2.840.113549.1.1.5": "sha1",
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10040.4.3": "sha1",
}


@dataclass(eq=False)
class KeyInfo:
    """A private key block. ``encrypted`` keys have ``key`` None until opened."""

    index: int  # 1-based among the file's keys
    count: int
    file: str
    encrypted: bool
    block: bytes = field(repr=False)  # PEM block or DER bytes; never printed
    der: bool = False
    key: object = field(default=None, repr=False)
    fmt: str = "PKCS#8"  # "PKCS#8", "traditional", "OpenSSH"
    error: Optional[str] = None  # why an unencrypted key could not be loaded

    @property
    def spki(self) -> Optional[bytes]:
        if self.key is None:
            return None
        return spki_der(self.key.public_key())

    def describe(self) -> str:
        kind = "encrypted private key" if self.encrypted else "private key"
        return kind if self.count == 1 else f"{kind} {self.index} of {self.count}"


@dataclass(eq=False)
class CrlInfo:
    crl: x509.CertificateRevocationList
    index: int
    file: str

    @property
    def issuer(self) -> str:
        return name_str(self.crl.issuer)


@dataclass(eq=False)
class LoadedFile:
    """The result of ``Pki.load(ref)``."""

    status: Status
    display: str
    tried: list[Path] = field(default_factory=list)
    path: Optional[Path] = None
    reason: str = ""
    certs: list[CertInfo] = field(default_factory=list)
    keys: list[KeyInfo] = field(default_factory=list)
    crls: list[CrlInfo] = field(default_factory=list)
    pem_problems: list[str] = field(default_factory=list)
    # block labels found that are not certificates, keys or CRLs ("CERTIFICATE REQUEST"...)
    other_blocks: list[str] = field(default_factory=list)
    encoding: Literal["pem", "der", "empty", "unknown"] = "unknown"
    data: bytes = field(default=b"", repr=False)  # raw bytes (password files); never printed

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def has_ca(self) -> bool:
        return any(c.is_ca for c in self.certs)
