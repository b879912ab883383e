"""Fixes that write certificate files: full chains, reordering, dropping certificates.

Certificate files are edited block by block: each ``-----BEGIN CERTIFICATE-----``
block is matched to its certificate by fingerprint, and only whole blocks are
moved or removed, so a key or comments in the same file stay byte for byte.
Nothing here ever writes private key material into a new file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath
from typing import Optional

from cryptography.hazmat.primitives import serialization

from tlslint import dialects
from tlslint.findings import Fix, NewFile
from tlslint.model import FileRef
from tlslint.readfile import FileAccessError, exists, read_bytes

_CERT_BLOCK = re.compile(
    rb"-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----(.*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----[ \t]*(?:\r?\n)?",
    re.S)


def _fingerprint(body: bytes) -> Optional[str]:
    import base64
    import binascii

    lines = [ln.strip() for ln in body.splitlines() if ln.strip() and b":" not in ln]
    try:
        der = base64.b64decode(b"".join(lines), validate=True)
    except (binascii.Error, ValueError):
        return None
    return hashlib.sha256(der).hexdigest()


def cert_blocks(data: bytes) -> list[tuple[int, int, Optional[str]]]:
    """(start, end, sha256 fingerprint) of each certificate PEM block, in file order."""
    return [(m.start(), m.end(), _fingerprint(m.group(1))) for m in _CERT_BLOCK.finditer(data)]


def reorder_blocks(data: bytes, order: list[str]) -> Optional[bytes]:
    """Put the certificate blocks in ``order`` (fingerprints) into the file's
    certificate slots; blocks not named keep their relative order after them."""
    blocks = cert_blocks(data)
    by_fp = {}
    for start, end, fp in blocks:
        by_fp.setdefault(fp, data[start:end])
    if None in by_fp:
        return None
    wanted = [fp for fp in order if fp in by_fp]
    rest = [fp for _, _, fp in blocks if fp not in wanted]
    texts = [_with_newline(by_fp[fp]) for fp in wanted + rest]
    return _replace_slots(data, blocks, texts)


def drop_blocks(data: bytes, drop: set[str], keep_first_duplicate: bool = True) -> Optional[bytes]:
    """Remove the certificate blocks whose fingerprint is in ``drop`` (and, with
    ``keep_first_duplicate``, repeated blocks after the first)."""
    blocks = cert_blocks(data)
    if any(fp is None for _, _, fp in blocks):
        return None
    seen: set[str] = set()
    texts = []
    for start, end, fp in blocks:
        if fp in drop or (keep_first_duplicate and fp in seen):
            texts.append(b"")
        else:
            texts.append(data[start:end])
        seen.add(fp)
    return _replace_slots(data, blocks, texts)


def _with_newline(block: bytes) -> bytes:
    return block if block.endswith(b"\n") else block + b"\n"


def _replace_slots(data: bytes, blocks, texts: list[bytes]) -> bytes:
    out = []
    pos = 0
    for (start, end, _), text in zip(blocks, texts):
        out.append(data[pos:start])
        out.append(text)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def pem_of(certs) -> bytes:
    return b"".join(c.cert.public_bytes(serialization.Encoding.PEM) for c in certs)


def summary(certs) -> str:
    names = "; ".join(c.subject for c in certs)
    return f"{len(certs)} certificate(s), in order: {names}"


def _same_certificates(path: Path, certs: list) -> bool:
    """Does ``path`` hold exactly ``certs`` (CertInfo), in order, and no key?"""
    from tlslint.pki.parse import parse_bytes

    try:
        parsed = parse_bytes(read_bytes(path))
    except FileAccessError:
        return False
    return not parsed.keys and parsed.certs == [c.cert for c in certs]


def fullchain_fix(endpoint, pair, analysis) -> Optional[Fix]:
    """TLS101: leaf + intermediates of the best trusted path, written next to the
    served file as <stem>.fullchain.pem, and the setting repointed to it.

    The self-signed root is never included; an anchor that is not self-signed
    (an intermediate trusted directly) stays in the file, since clients need it.
    """
    ref: FileRef = pair.cert
    loaded = analysis.cert_file
    path = analysis.completed_path
    if not path or ref.inline is not None or loaded is None or loaded.path is None:
        return None
    certs = [n.info for n in path]
    if certs[-1].self_signed and len(certs) > 1:
        certs = certs[:-1]
    content = pem_of(certs)
    served = Path(loaded.path)
    stem = served.name[: -len(served.suffix)] if served.suffix else served.name
    if stem.endswith(".fullchain"):
        stem = stem[: -len(".fullchain")]
    target = served.with_name(f"{stem}.fullchain.pem")
    # certbot keeps cert.pem and fullchain.pem side by side (links it renews):
    # point at its fullchain rather than write a copy renewals would not update
    sibling = served.with_name("fullchain.pem")
    if sibling != served and exists(sibling) and _same_certificates(sibling, certs):
        target = sibling
    new_files = []
    if exists(target):
        if not _same_certificates(target, certs):
            return None  # never overwrite a different file of that name
    else:
        new_files.append(NewFile(target, content, summary(certs)))
    configured = PurePosixPath(ref.path)
    new_value = str(configured.with_name(target.name))
    try:
        edit = dialects.for_dialect(endpoint.dialect).set_value(ref.setting, new_value)
    except Exception:  # a dialect that cannot edit this setting: no fix, the finding stays
        return None
    verb = "reuse" if not new_files else "write"
    return Fix(f"{verb} {target.name} ({len(certs)} certificates) and point {ref.setting.key} at it",
               "safe", edits=[edit], new_files=new_files)


def rewrite_fix(analysis, title: str, applicability: str, transform, certs_after) -> Optional[Fix]:
    """A fix that rewrites the served certificate file in place: ``transform``
    turns the file's bytes into the new bytes (None: no fix)."""
    loaded = analysis.cert_file
    if loaded is None or loaded.path is None:
        return None
    try:
        original = read_bytes(Path(loaded.path))
    except FileAccessError:
        return None
    new_content = transform(original)
    if new_content is None or new_content == original:
        return None
    return Fix(title, applicability, rewrites=[NewFile(Path(loaded.path), new_content, summary(certs_after))])
