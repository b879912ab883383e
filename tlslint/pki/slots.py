"""How OpenSSL pairs certificates with keys when a server loads several.

nginx loads ``ssl_certificate`` / ``ssl_certificate_key`` pairs by position,
calling ``SSL_CTX_use_certificate`` then ``SSL_CTX_use_PrivateKey`` for each.
OpenSSL does not keep pairs, though: it keeps one certificate and one key per
key type ("slot": RSA, ECDSA, Ed25519, Ed448, DSA):

* loading a certificate puts it in its type's slot; a key already in that slot
  that does not match it is dropped silently;
* loading a key puts it in *its* type's slot; if that slot holds a certificate
  the key does not match, the call fails ("key values mismatch") and nginx
  refuses to start.

So a mixed RSA/ECDSA list whose keys are listed in another order than the
certificates works, and a certificate whose slot ends up without a key loads
fine but is never served. ``simulate`` replays the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Optional

from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from tlslint.model import CertKeyPair, TlsEndpoint
from tlslint.pki.keys import KeyResult
from tlslint.pki.objects import CertInfo

if TYPE_CHECKING:  # pragma: no cover
    from tlslint.pki import Pki


def slot_of(public_key) -> Optional[str]:
    """OpenSSL's certificate slot for a public key, by key type (None: unknown)."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "ECDSA"
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "Ed448"
    if isinstance(public_key, dsa.DSAPublicKey):
        return "DSA"
    return None


@dataclass(eq=False)
class Loaded:
    """One pair as OpenSSL sees it: its first certificate and its key (None when
    they cannot be determined statically; other rules report why)."""

    index: int
    pair: CertKeyPair
    cert: Optional[CertInfo] = None
    cert_slot: Optional[str] = None
    key: Optional[KeyResult] = None
    key_slot: Optional[str] = None


@dataclass(eq=False)
class SlotProblem:
    """``refused``: loading ``at``'s key fails because the key's slot holds
    ``cert`` (from ``cert_of``), which the key does not belong to; nginx stops.
    ``no_key``: ``cert`` (from ``at``) is what its slot serves, but no key of its
    type that belongs to it was loaded: OpenSSL never serves it."""

    kind: Literal["refused", "no_key"]
    at: Loaded
    cert: CertInfo
    cert_of: Loaded
    slot: str
    # no_key: the keys of this slot's type that were configured (none belongs to cert)
    same_type_keys: list[Loaded] = field(default_factory=list)


@dataclass
class _Slot:
    cert: Optional[Loaded] = None
    key: Optional[Loaded] = None


def loaded_pairs(pki: "Pki", endpoint: TlsEndpoint) -> list[Loaded]:
    out = []
    for i, pair in enumerate(endpoint.pairs):
        item = Loaded(i, pair)
        if pair.cert is not None:
            lf = pki.load(pair.cert)
            if lf.ok and lf.certs and lf.certs[0].public_key is not None:
                item.cert = lf.certs[0]
                item.cert_slot = slot_of(item.cert.public_key)
        kr = pki.private_key(pair)
        if kr.status == "ok" and kr.key is not None:
            item.key = kr
            item.key_slot = slot_of(kr.key.public_key())
        out.append(item)
    return out


def replaced(pki: "Pki", endpoint: TlsEndpoint) -> dict[int, Loaded]:
    """nginx pairs whose certificate a later certificate of the same key type
    pushes out of its slot, so it is never served: id(pair) -> the later one."""
    if endpoint.dialect != "nginx" or len(endpoint.pairs) < 2:
        return {}
    out: dict[int, Loaded] = {}
    last: dict[str, Loaded] = {}
    for item in reversed(loaded_pairs(pki, endpoint)):
        if item.cert_slot is None:
            continue
        if item.cert_slot in last:
            out[id(item.pair)] = last[item.cert_slot]
        else:
            last[item.cert_slot] = item
    return out


def simulate(items: list[Loaded]) -> Optional[list[SlotProblem]]:
    """Replay the loading sequence. None when some certificate or key cannot be
    determined (the outcome is then unknown, and the server fails on that file
    anyway: TLS002/TLS303/TLS304...). A refused key leaves the slots as they
    were (OpenSSL changes nothing) and the replay goes on, so every problem is
    reported, not only the one nginx stops at."""
    if any(it.cert_slot is None or it.key_slot is None for it in items):
        return None
    slots: dict[str, _Slot] = {}
    problems: list[SlotProblem] = []
    for it in items:
        s = slots.setdefault(it.cert_slot, _Slot())
        if s.key is not None and s.key.key.spki != it.cert.spki:
            s.key = None  # SSL_CTX_use_certificate drops a key that does not match
        s.cert = it
        t = slots.setdefault(it.key_slot, _Slot())
        if t.cert is not None and t.cert.cert.spki != it.key.spki:
            problems.append(SlotProblem("refused", it, t.cert.cert, t.cert, it.key_slot))
            continue
        t.key = it
    if any(p.kind == "refused" for p in problems):
        return problems  # nginx does not start: what it would serve is moot
    for name, s in slots.items():
        if s.cert is not None and s.key is None:
            same = [it for it in items if it.key_slot == name]
            problems.append(SlotProblem("no_key", s.cert, s.cert.cert, s.cert, name, same))
    return problems


def _a(word: str) -> str:
    return ("a " if word == "DSA" else "an ") + word  # an RSA, an ECDSA, an Ed25519


def no_key_message(p: "SlotProblem") -> str:
    """Why a certificate ends up without a key in its type's slot (nginx starts,
    OpenSSL never serves that certificate)."""
    own = p.at.key.loaded.display if p.at.key and p.at.key.loaded else "the key file"
    if p.same_type_keys:
        files = ", ".join(dict.fromkeys(
            it.key.loaded.display if it.key.loaded else "?" for it in p.same_type_keys))
        why = f"the {p.slot} key(s) configured ({files}) do not belong to it"
    else:
        why = f"no {p.slot} key is configured"
    return (f"the {p.slot} certificate {p.cert.subject} in {p.cert.file} has no private key: "
            f"the key listed at its position ({own}) is {_a(p.at.key_slot)} key, which OpenSSL keeps "
            f"for {p.at.key_slot} certificates, and {why}; nginx starts, but OpenSSL never serves "
            f"this certificate, so clients that only accept {p.slot} fail the handshake")
