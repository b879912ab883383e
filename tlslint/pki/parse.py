"""Parse the bytes of a certificate/key/CA/CRL file (PEM or DER).

Like OpenSSL's PEM reader, text outside ``-----BEGIN``/``-----END`` blocks is
skipped (openssl's "Bag Attributes" and "subject=" lines are common and
harmless); what a server would choke on becomes a ``pem_problems`` entry: a
block without its END line, a block that does not decode, DER where every
server wants PEM, two private keys in one file.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tlslint.pki.objects import KeyInfo

_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.S)
_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
_END = re.compile(rb"-----END ([A-Z0-9 ]+)-----")

CERT_LABELS = {"CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"}
KEY_LABELS = {"PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
              "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY"}
CRL_LABELS = {"X509 CRL"}
HARMLESS_LABELS = {"EC PARAMETERS", "DH PARAMETERS"}


class PemProblem(str):
    """A problem description; ``fatal`` False when OpenSSL's PEM reader (and so
    nginx) still loads the file, None when it depends on the server."""

    fatal: "bool | None" = True

    def __new__(cls, text: str, fatal: "bool | None" = True) -> "PemProblem":
        obj = super().__new__(cls, text)
        obj.fatal = fatal
        return obj


@dataclass
class Parsed:
    certs: list = field(default_factory=list)  # x509.Certificate
    keys: list = field(default_factory=list)  # KeyInfo without count/file
    crls: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    other_blocks: list[str] = field(default_factory=list)
    encoding: str = "unknown"


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


def _key_from_block(label: str, block: bytes, body: bytes) -> KeyInfo:
    if label == "OPENSSH PRIVATE KEY":
        return KeyInfo(0, 0, "", encrypted=False, block=block, fmt="OpenSSH",
                       error="an OpenSSH-format key (TLS servers need a PEM \"PRIVATE KEY\")")
    encrypted = label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in body
    fmt = "PKCS#8" if label in ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY") else "traditional"
    info = KeyInfo(0, 0, "", encrypted=encrypted, block=block, fmt=fmt)
    if not encrypted:
        try:
            info.key = serialization.load_pem_private_key(block, password=None)
        except TypeError:  # encrypted after all
            info.encrypted = True
        except Exception as exc:  # noqa: BLE001 - any parse failure is a finding
            info.error = _short(exc)
    return info


def _short(exc: Exception) -> str:
    text = str(exc).split("\n")[0].strip()
    if "(" in text and "MalformedFraming" in text:
        text = "malformed PEM framing"
    elif "ParseError" in text or "asn1" in text.lower():
        # cryptography's Rust debug dump is no help to an operator
        text = "its content is not valid DER (empty, truncated or not a certificate)"
    return text[:160] or type(exc).__name__


def parse_bytes(data: bytes) -> Parsed:
    # certifi-style bundles hold certificates cryptography warns about
    # (non-positive serials); they are parsed one by one and never printed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _parse_bytes(data)


def _parse_bytes(data: bytes) -> Parsed:
    out = Parsed()
    if not data.strip():
        out.encoding = "empty"
        return out
    if b"-----BEGIN " in data:
        out.encoding = "pem"
        _parse_pem(data, out)
    else:
        _parse_der(data, out)
    return out


def _parse_pem(data: bytes, out: Parsed) -> None:
    """One linear pass over the BEGIN and END markers (a regex spanning
    BEGIN..END is quadratic on a file of BEGIN lines without END, and nested
    BEGINs must not recurse): a block runs from a BEGIN to the next END; a
    BEGIN followed by another BEGIN before any END lost its END line."""
    begins = list(_BEGIN.finditer(data))
    ends = list(_END.finditer(data))
    pos = 0
    ei = 0
    for bi, begin in enumerate(begins):
        if begin.start() < pos:
            continue
        while ei < len(ends) and ends[ei].start() < begin.end():
            ei += 1
        label = begin.group(1).decode()
        if ei == len(ends):
            out.problems.append(f"the \"{label}\" PEM block at the end is truncated (no -----END line)")
            _check_gap(data[pos:begin.start()], out)
            return
        end = ends[ei]
        if bi + 1 < len(begins) and begins[bi + 1].start() < end.start():
            message = PemProblem(f"a \"{label}\" PEM block is not terminated (its -----END line is missing)",
                                 fatal=False)
            if message not in out.problems:
                out.problems.append(message)
            _check_gap(data[pos:begin.start()], out)
            pos = begins[bi + 1].start()  # resume at the inner BEGIN
            continue
        _check_gap(data[pos:begin.start()], out)
        end_label = end.group(1).decode()
        body = data[begin.end():end.start()]
        block = data[begin.start():end.end()] + b"\n"
        pos = end.end()
        ei += 1
        if label != end_label:
            out.problems.append(f"PEM block \"{label}\" ends with \"-----END {end_label}-----\"")
            continue
        _handle_block(label, body, block, out)
    _check_gap(data[pos:], out)


def _merge(out: Parsed, sub: Parsed) -> None:
    out.certs += sub.certs
    out.keys += sub.keys
    out.crls += sub.crls
    out.problems += sub.problems
    out.other_blocks += sub.other_blocks


_B64_LINE = re.compile(rb"^[A-Za-z0-9+/=]{40,}$")


def _check_gap(gap: bytes, out: Parsed) -> None:
    """Text between blocks: harmless prose, but base64 lines or broken markers
    mean a damaged block."""
    for line in gap.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith(b"-----") or _B64_LINE.match(s):
            out.problems.append(PemProblem("stray PEM data outside any BEGIN/END block (a damaged "
                                           "or half-pasted block)", fatal=False))
            return
        if b"\x00" in s:
            out.problems.append(PemProblem("binary data between PEM blocks", fatal=False))
            return


def _b64(body: bytes) -> bytes:
    lines = [ln.strip() for ln in body.splitlines()]
    lines = [ln for ln in lines if ln and b":" not in ln]  # drop RFC 1421 headers
    return base64.b64decode(b"".join(lines), validate=True)


def _handle_block(label: str, body: bytes, block: bytes, out: Parsed) -> None:
    if label in CERT_LABELS:
        try:
            der = _b64(body)
        except (binascii.Error, ValueError):
            out.problems.append(f"{_ordinal(len(out.certs) + 1)} certificate block is not valid base64")
            return
        try:
            if label == "TRUSTED CERTIFICATE":
                # OpenSSL "aux" form: DER certificate followed by trust settings
                cert = x509.load_der_x509_certificate(_strip_aux(der))
            else:
                cert = x509.load_der_x509_certificate(der)
        except Exception as exc:  # noqa: BLE001
            out.problems.append(f"{_ordinal(len(out.certs) + 1)} certificate block cannot be "
                                f"parsed: {_short(exc)}")
            return
        out.certs.append(cert)
    elif label in KEY_LABELS:
        out.keys.append(_key_from_block(label, block, body))
    elif label in CRL_LABELS:
        try:
            out.crls.append(x509.load_pem_x509_crl(block))
        except Exception as exc:  # noqa: BLE001
            out.problems.append(f"CRL block cannot be parsed: {_short(exc)}")
    elif label in HARMLESS_LABELS:
        return
    else:
        out.other_blocks.append(label)


def _strip_aux(der: bytes) -> bytes:
    """The first DER element of an OpenSSL TRUSTED CERTIFICATE blob."""
    if len(der) < 4 or der[0] != 0x30:
        return der
    first = der[1]
    if first < 0x80:
        return der[: 2 + first]
    n = first & 0x7F
    length = int.from_bytes(der[2:2 + n], "big")
    return der[: 2 + n + length]


def _parse_der(data: bytes, out: Parsed) -> None:
    if data[:1] != b"\x30":
        out.encoding = "unknown"
        out.problems.append("neither PEM nor DER: no \"-----BEGIN\" line and not ASN.1 data")
        return
    out.encoding = "der"
    try:
        out.certs.append(x509.load_der_x509_certificate(data))
        return
    except Exception:  # noqa: BLE001
        pass
    try:
        out.crls.append(x509.load_der_x509_crl(data))
        return
    except Exception:  # noqa: BLE001
        pass
    try:
        key = serialization.load_der_private_key(data, password=None)
        out.keys.append(KeyInfo(0, 0, "", encrypted=False, block=data, der=True, key=key))
        return
    except TypeError:
        out.keys.append(KeyInfo(0, 0, "", encrypted=True, block=data, der=True))
        return
    except Exception:  # noqa: BLE001
        pass
    out.encoding = "unknown"
    out.problems.append("binary data that is neither a PEM file nor a DER certificate, key or CRL")
