"""Build test PKIs at test time with cryptography (EC P-256 unless told otherwise).

    pki = PkiFactory(tmp_path)
    root = pki.root("Test Root")
    inter = pki.intermediate(root, "Test Intermediate")
    leaf = pki.leaf(inter, "www.example.test", sans=["www.example.test"])
    pki.write("site.pem", leaf, inter)           # certificates, in this order
    pki.write_key("site.key", leaf)

SHA-1 certificates come from the openssl CLI (``sha1_leaf``) because
cryptography refuses to sign with SHA-1.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# A fixed "now" for every test: expiry is judged with --now, never the clock.
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
NOW_ISO = "2026-06-01T00:00:00Z"


@dataclass
class Issued:
    cert: x509.Certificate
    key: object
    name: str
    children: list = field(default_factory=list)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, password: Optional[bytes] = None, traditional: bool = False) -> bytes:
        enc = (serialization.BestAvailableEncryption(password) if password
               else serialization.NoEncryption())
        fmt = (serialization.PrivateFormat.TraditionalOpenSSL if traditional
               else serialization.PrivateFormat.PKCS8)
        return self.key.private_bytes(serialization.Encoding.PEM, fmt, enc)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _general_name(san: str) -> x509.GeneralName:
    """``"IP:10.0.0.1"`` is an IP SAN; anything else a dNSName."""
    if san.startswith("IP:"):
        import ipaddress
        return x509.IPAddress(ipaddress.ip_address(san[3:]))
    return x509.DNSName(san)


def new_key(kind: str = "ec"):
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ec384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "ec192":
        return ec.generate_private_key(ec.SECP192R1())
    if kind.startswith("rsa"):
        bits = int(kind[3:] or 2048)
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)
    raise ValueError(kind)


class PkiFactory:
    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)

    def _build(self, subject: str, issuer: Optional[Issued], key, *, ca: bool,
               path_len: Optional[int] = None, sans: Sequence[str] = (),
               not_before: Optional[dt.datetime] = None, not_after: Optional[dt.datetime] = None,
               eku: Optional[Sequence] = None, key_usage: bool = True, aki: bool = True) -> Issued:
        not_before = not_before or NOW - dt.timedelta(days=30)
        not_after = not_after or NOW + dt.timedelta(days=365)
        issuer_name = issuer.cert.subject if issuer else _name(subject)
        signer = issuer.key if issuer else key
        b = (x509.CertificateBuilder()
             .subject_name(_name(subject)).issuer_name(issuer_name)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(not_before).not_valid_after(not_after)
             .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len if ca else None), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
        if aki and (issuer is not None or not ca):
            b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                                critical=False)
        if key_usage:
            if ca:
                ku = x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                   content_commitment=False, key_encipherment=False,
                                   data_encipherment=False, key_agreement=False,
                                   encipher_only=False, decipher_only=False)
            else:
                ku = x509.KeyUsage(digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                                   content_commitment=False, data_encipherment=False,
                                   key_agreement=False, key_cert_sign=False, crl_sign=False,
                                   encipher_only=False, decipher_only=False)
            b = b.add_extension(ku, critical=True)
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(
                [_general_name(s) for s in sans]), critical=False)
        if eku is not None:
            b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        cert = b.sign(signer, hashes.SHA256())
        return Issued(cert, key, subject)

    def root(self, cn: str = "Test Root", key: str = "ec", **kw) -> Issued:
        return self._build(cn, None, new_key(key), ca=True, **kw)

    def intermediate(self, issuer: Issued, cn: str = "Test Intermediate", key: str = "ec", **kw) -> Issued:
        return self._build(cn, issuer, new_key(key), ca=True, **kw)

    def leaf(self, issuer: Optional[Issued], cn: str = "www.example.test",
             sans: Optional[Sequence[str]] = None, key: str = "ec",
             eku: Optional[Sequence] = (ExtendedKeyUsageOID.SERVER_AUTH,), **kw) -> Issued:
        sans = [cn] if sans is None else sans
        return self._build(cn, issuer, new_key(key), ca=False, sans=sans, eku=eku, **kw)

    def client(self, issuer: Issued, cn: str = "client.example.test", **kw) -> Issued:
        return self.leaf(issuer, cn, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,), **kw)

    def self_signed_leaf(self, cn: str = "www.example.test", **kw) -> Issued:
        return self.leaf(None, cn, **kw)

    # -- files ------------------------------------------------------------
    def write(self, name: str, *items: Issued | bytes) -> Path:
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(i if isinstance(i, bytes) else i.pem for i in items))
        return path

    def write_key(self, name: str, item: Issued, password: Optional[bytes] = None,
                  traditional: bool = False) -> Path:
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.key_pem(password, traditional))
        return path

    def sha1_leaf(self, issuer: Issued, cn: str = "sha1.example.test") -> Issued:
        """A leaf signed with SHA-1 by ``issuer``, re-signed with the openssl CLI
        (cryptography refuses to sign with SHA-1); dates are kept around NOW."""
        # openssl 3.0 re-signs only self-signed input; the draft has no AKI
        # because openssl keeps the input's extensions as they are.
        draft = self._build(cn, None, new_key("rsa2048"), ca=False, sans=[cn],
                            eku=(ExtendedKeyUsageOID.SERVER_AUTH,), aki=False)
        work = self.dir / f".sha1-{cn}"
        work.mkdir(exist_ok=True)
        (work / "draft.pem").write_bytes(draft.pem)
        (work / "ca.pem").write_bytes(issuer.pem)
        (work / "ca.key").write_bytes(issuer.key_pem())
        subprocess.run(["openssl", "x509", "-in", "draft.pem", "-CA", "ca.pem", "-CAkey", "ca.key",
                        "-sha1", "-preserve_dates", "-set_serial", "4242", "-out", "leaf.pem"],
                       cwd=work, check=True, capture_output=True)
        cert = x509.load_pem_x509_certificate((work / "leaf.pem").read_bytes())
        return Issued(cert, draft.key, cn)


def reissue(pki: "PkiFactory", original: Issued, **kw) -> Issued:
    """Another self-signed certificate with ``original``'s subject and key
    (a renewed root: same name, same key, new serial and dates)."""
    return pki._build(original.name, None, original.key, ca=True, **kw)


def self_issued(pki: "PkiFactory", issuer: Issued, **kw) -> Issued:
    """A CA with the same subject as ``issuer`` but a new key, signed by
    ``issuer`` (a key-rollover certificate: self-issued, not self-signed)."""
    return pki._build(issuer.name, issuer, new_key("ec"), ca=True, **kw)


def make_crl(issuer: Issued, last_update: Optional[dt.datetime] = None,
             next_update: Optional[dt.datetime] = None, revoked: Sequence[Issued] = ()) -> bytes:
    """A PEM CRL signed by ``issuer`` (valid around NOW unless told otherwise)."""
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer.cert.subject)
               .last_update(last_update or NOW - dt.timedelta(days=1))
               .next_update(next_update or NOW + dt.timedelta(days=7)))
    for item in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(item.cert.serial_number)
            .revocation_date(NOW - dt.timedelta(days=1)).build())
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
