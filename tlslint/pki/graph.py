"""The issuer graph: who may have issued whom, and bounded path search.

Candidates for a certificate's issuer are certificates whose subject DN equals
its issuer DN (normalised), ranked by AKI/SKI agreement; every link is checked
by signature. SHA-1/MD5-signed links are verified by hand with the issuer's
public key because ``cryptography`` refuses those algorithms.

The search is bounded (depth, expansions, paths) and never expands a
self-signed certificate (it can only end a path), so a file full of re-issued
self-signed roots (chains.md §1.5) costs nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable, Literal, Optional

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

Origin = Literal["served", "anchor", "elsewhere"]

MAX_DEPTH = 12
MAX_EXPANSIONS = 4000
MAX_PATHS = 64
MAX_SECONDS = 2.0  # wall-clock budget per search, whatever the shape of the graph

_HASHES = {
    "1.2.840.113549.1.1.4": hashes.MD5,
    "1.2.840.113549.1.1.5": hashes.SHA1,
    "1.2.840.10045.4.1": hashes.SHA1,
    "1.2.840.10040.4.3": hashes.SHA1,
    "1.2.840.113549.1.1.14": hashes.SHA224,
    "1.2.840.10045.4.3.1": hashes.SHA224,
}

_sig_cache: dict[tuple[bytes, bytes], Optional[bool]] = {}


def signature_ok(child: x509.Certificate, issuer: x509.Certificate) -> Optional[bool]:
    """True/False: the signature on ``child`` does/does not verify with
    ``issuer``'s key; None: cannot tell (unsupported algorithm or key)."""
    key = (child.fingerprint(hashes.SHA256()), issuer.fingerprint(hashes.SHA256()))
    if key in _sig_cache:
        return _sig_cache[key]
    result = _signature_ok(child, issuer)
    if len(_sig_cache) > 100_000:
        _sig_cache.clear()
    _sig_cache[key] = result
    return result


def _signature_ok(child: x509.Certificate, issuer: x509.Certificate) -> Optional[bool]:
    try:
        pub = issuer.public_key()
    except Exception:  # noqa: BLE001 - unsupported issuer key type
        return None
    try:
        child.verify_directly_issued_by(issuer)
        return True
    except InvalidSignature:
        return False
    except ValueError as exc:
        if "issuer name" in str(exc).lower() or "does not match" in str(exc).lower():
            # name mismatch: check the signature alone
            pass
        elif "unsupported" not in str(exc).lower():
            return False
    except TypeError:
        pass
    except Exception:  # noqa: BLE001
        return None
    # manual path: legacy hashes or a name mismatch
    oid = child.signature_algorithm_oid.dotted_string
    hash_cls = _HASHES.get(oid)
    try:
        algo = hash_cls() if hash_cls else child.signature_hash_algorithm
    except Exception:  # noqa: BLE001
        return None
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            if algo is None:
                return None
            pub.verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), algo)
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(algo))
        elif isinstance(pub, dsa.DSAPublicKey):
            pub.verify(child.signature, child.tbs_certificate_bytes, algo)
        elif isinstance(pub, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            pub.verify(child.signature, child.tbs_certificate_bytes)
        else:
            return None
        return True
    except InvalidSignature:
        return False
    except Exception:  # noqa: BLE001 - e.g. PSS parameters, unsupported hash
        return None


@dataclass(eq=False)
class Node:
    """A certificate in the graph, with where it came from."""

    info: "object"  # CertInfo
    origin: Origin
    where: str = ""  # e.g. "--intermediates certs/inter.pem" for messages

    @property
    def ident(self) -> tuple:
        i = self.info
        return (i.subject_key, i.spki, i.issuer_key)


@dataclass
class Path:
    nodes: list[Node]
    end: Literal["anchor", "untrusted_root", "missing_issuer", "limit"]
    # for "missing_issuer": DN candidates of the top cert whose signature failed
    bad_signature: list[Node] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return self.end == "anchor"

    @property
    def top(self) -> Node:
        return self.nodes[-1]

    def count(self, origin: Origin) -> int:
        return sum(1 for n in self.nodes[1:] if n.origin == origin)


class Graph:
    """Certificates indexed by subject, with anchors marked."""

    def __init__(self, nodes: Iterable[Node], at=None):
        self.by_subject: dict[tuple, list[Node]] = {}
        self.anchor_ids: set[tuple] = set()  # (subject_key, spki) of anchors
        seen: dict[tuple, Node] = {}
        rank = {"anchor": 0, "served": 1, "elsewhere": 2}

        def valid(n: Node) -> bool:
            return at is None or n.info.not_before <= at <= n.info.not_after

        for node in nodes:
            if node.origin == "anchor":
                self.anchor_ids.add((node.info.subject_key, node.info.spki))
            old = seen.get(node.ident)
            if old is not None:
                # keep one representative per (subject, key, issuer): prefer anchors, then
                # served; among equals the copy valid at the validation time (a renewed
                # intermediate served after its expired predecessor: clients pick the valid one)
                if (rank[node.origin], not valid(node)) < (rank[old.origin], not valid(old)):
                    lst = self.by_subject[node.info.subject_key]
                    lst[lst.index(old)] = node
                    seen[node.ident] = node
                continue
            seen[node.ident] = node
            self.by_subject.setdefault(node.info.subject_key, []).append(node)
        self.expansions = 0

    def is_anchor(self, info) -> bool:
        return (info.subject_key, info.spki) in self.anchor_ids

    def issuers_of(self, node: Node) -> tuple[list[Node], list[Node]]:
        """(verified issuer candidates, DN matches whose signature fails)."""
        child = node.info
        good: list[Node] = []
        bad: list[Node] = []
        for cand in self.by_subject.get(child.issuer_key, ()):
            c = cand.info
            if c is child or (c.fingerprint == child.fingerprint):
                continue
            if child.aki is not None and c.ski is not None and child.aki != c.ski:
                # OpenSSL's X509_check_issued: a certificate whose key id is not
                # the one the child names is not its issuer at all (clients say
                # "unable to get local issuer certificate", not "signature failure")
                continue
            ok = signature_ok(child.cert, c.cert)
            if ok is False:
                bad.append(cand)
                continue
            good.append(cand)

        def score(n: Node) -> tuple:
            c = n.info
            return (0 if n.origin == "anchor" or self.is_anchor(c) else 1,
                    {"served": 0, "anchor": 0, "elsewhere": 1}[n.origin])

        good.sort(key=score)
        return good, bad

    def paths_from(self, leaf: Node, max_depth: int = MAX_DEPTH) -> list[Path]:
        """All paths upward from ``leaf``, bounded. Each ends at an anchor, an
        untrusted self-signed root, a certificate whose issuer is unknown, or the
        search limit."""
        results: list[Path] = []
        self.expansions = 0
        deadline = time.monotonic() + MAX_SECONDS

        def walk(stack: list[Node], seen: set[tuple]) -> None:
            if len(results) >= MAX_PATHS:
                return
            top = stack[-1]
            info = top.info
            if len(stack) > 1 and (top.origin == "anchor" or self.is_anchor(info)):
                results.append(Path(list(stack), "anchor"))
                return
            if len(stack) == 1 and self.is_anchor(info):
                results.append(Path(list(stack), "anchor"))
                return
            if info.self_signed:
                results.append(Path(list(stack), "untrusted_root"))
                return
            if (len(stack) > max_depth or self.expansions >= MAX_EXPANSIONS
                    or time.monotonic() > deadline):
                results.append(Path(list(stack), "limit"))
                return
            self.expansions += 1
            good, bad = self.issuers_of(top)
            extended = False
            for cand in good:
                key = (cand.info.subject_key, cand.info.spki)
                if key in seen:
                    continue
                extended = True
                seen.add(key)
                stack.append(cand)
                walk(stack, seen)
                stack.pop()
                seen.discard(key)
                if len(results) >= MAX_PATHS:
                    return
            if not extended:
                results.append(Path(list(stack), "missing_issuer", bad_signature=bad))

        walk([leaf], {(leaf.info.subject_key, leaf.info.spki)})
        return results


def best_path(paths: list[Path], at) -> Optional[Path]:
    """Trusted first; then fewest certificates not served; then fewest
    certificates invalid at ``at``; then shortest."""
    if not paths:
        return None

    def invalid(p: Path) -> int:
        return sum(1 for n in p.nodes if not (n.info.not_before <= at <= n.info.not_after))

    end_rank = {"anchor": 0, "untrusted_root": 1, "missing_issuer": 2, "limit": 3}
    return min(paths, key=lambda p: (end_rank[p.end], p.count("elsewhere"), invalid(p), len(p.nodes)))
