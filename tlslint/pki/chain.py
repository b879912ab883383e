"""Served-chain analysis and the CA depth a verifying endpoint needs.

``analyze(pki, pair, endpoint)`` builds paths with tlslint's own issuer graph
(``tlslint.pki.graph``) from what the server really sends:

* nginx and the YAML services send exactly the certificate file, in order;
* RabbitMQ (Erlang/OTP) sends the leaf from ``certfile`` and builds the rest
  from ``certfile``'s other certificates and ``cacertfile`` (``pair.chain_extra``).

It then asks ``cryptography.x509.verification`` (relaxed, private-PKI
policies, on the one chosen path, so no exponential search) for a second
opinion on structure: path length, name constraints, CA bits.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tlslint.model import CertKeyPair, FileRef, TlsEndpoint
from tlslint.pki.graph import Graph, Node, Path, best_path
from tlslint.pki.objects import CertInfo, LoadedFile

if TYPE_CHECKING:
    from tlslint.pki import Pki

# Servers that assemble the chain they send themselves (from cacertfile).
BUILDS_CHAIN = frozenset({"rabbitmq"})
WEAK_HASHES = frozenset({"sha1", "md5", "md2"})


@dataclass(eq=False)
class ChainAnalysis:
    """What a client receives from one certificate+key pair, and what it makes of it.

    ``path`` is the best path (leaf first) built from the served certificates
    and the trust anchors; ``end`` says how it ends: ``anchor`` (trusted),
    ``untrusted_root`` (a self-signed root that is no trust anchor),
    ``missing_issuer`` (the top certificate's issuer is neither served nor
    trusted), ``limit`` (search bound hit), ``no_leaf`` (nothing to analyse).
    """

    dialect: str
    role: str
    cert_file: Optional[LoadedFile] = None
    leaf: Optional[CertInfo] = None
    file_certs: list[CertInfo] = field(default_factory=list)  # the cert file, in order
    served: list[CertInfo] = field(default_factory=list)  # file certs + chain_extra certs
    # a chain_extra file (RabbitMQ's cacertfile) that could not be read or
    # resolved: what is served is not known, so its completeness is not judged
    extra_unknown: bool = False
    path: list[Node] = field(default_factory=list)
    end: str = "no_leaf"
    # missing_issuer: the certificate whose issuer is missing, and that issuer's DN
    missing_below: Optional[CertInfo] = None
    missing_issuer: Optional[str] = None
    missing_aki: Optional[str] = None
    # where the missing certificates were found (--intermediates, CA files...)
    found: list[Node] = field(default_factory=list)
    completed_path: list[Node] = field(default_factory=list)  # trusted path using found certs
    bad_signature: list[tuple[CertInfo, CertInfo]] = field(default_factory=list)
    misordered: bool = False
    expected_order: list[CertInfo] = field(default_factory=list)
    root_included: Optional[CertInfo] = None
    extraneous: list[tuple[CertInfo, str]] = field(default_factory=list)
    weak_signatures: list[CertInfo] = field(default_factory=list)
    invalid: list[tuple[CertInfo, str]] = field(default_factory=list)
    verdict: Optional[str] = None  # cryptography's message when it rejects the path
    key_matches: Optional[CertInfo] = None  # the file certificate the private key belongs to

    @property
    def trusted(self) -> bool:
        return self.end == "anchor"

    @property
    def path_certs(self) -> list[CertInfo]:
        return [n.info for n in self.path]

    @property
    def anchor(self) -> Optional[Node]:
        return self.path[-1] if self.trusted and self.path else None

    def origin_of(self, info: CertInfo) -> str:
        for n in self.path:
            if n.info is info:
                return n.origin
        return "served"


def _ident(c: CertInfo) -> tuple:
    return (c.subject_key, c.spki, c.issuer_key)


def _load_certs(pki: "Pki", refs: list[FileRef]) -> list[tuple[LoadedFile, CertInfo]]:
    out = []
    for ref in refs:
        lf = pki.load(ref)
        if lf.ok:
            out.extend((lf, c) for c in lf.certs)
    return out


def analyze(pki: "Pki", pair: CertKeyPair, endpoint: TlsEndpoint) -> ChainAnalysis:
    res = ChainAnalysis(dialect=endpoint.dialect, role=endpoint.role)
    if pair.cert is None:
        return res
    lf = pki.load(pair.cert)
    res.cert_file = lf
    if not lf.ok or not lf.certs:
        return res
    res.file_certs = list(lf.certs)
    extra = [c for _lf, c in _load_certs(pki, pair.chain_extra)]
    res.extra_unknown = any(not pki.load(ref).ok for ref in pair.chain_extra)
    res.served = res.file_certs + extra

    # the leaf: the certificate the key belongs to; else the first certificate
    # (what the server sends first), unless that is a CA and a non-CA follows.
    key = pki.private_key(pair)
    leaf = None
    if key.status == "ok" and key.spki is not None:
        for c in res.file_certs:
            if c.spki == key.spki:
                res.key_matches = c
                # a CA certificate is never the server's own, even with its key
                # configured by mistake (TLS301 says so): the leaf stays the leaf
                if not (c.is_ca and any(not other.is_ca for other in res.file_certs)):
                    leaf = c
                break
    if leaf is None:
        leaf = res.file_certs[0]
        if leaf.is_ca and len(res.file_certs) > 1:
            for c in res.file_certs:
                if not c.is_ca:
                    leaf = c
                    break
    res.leaf = leaf

    at = pki.options.validation_time()
    leaf_node = Node(leaf, "served", lf.display)
    served_nodes = [Node(c, "served", c.file) for c in res.served if c is not leaf]
    anchors = pki.anchors(endpoint)
    graph = Graph([leaf_node] + served_nodes + anchors, at)
    paths = graph.paths_from(leaf_node)
    best = best_path(paths, at)
    assert best is not None
    res.path = best.nodes
    res.end = best.end

    if best.end == "missing_issuer":
        top = best.top.info
        if best.bad_signature:
            res.bad_signature = [(top, n.info) for n in best.bad_signature]
        res.missing_below = top
        res.missing_issuer = top.issuer
        res.missing_aki = top.aki.hex(":") if top.aki else None
    if not best.trusted:
        elsewhere = list(pki.intermediate_pool())
        if lf.path is not None:
            elsewhere += pki.sibling_chain(pathlib.Path(lf.path))
        for ref, clf, c in pki.ca_file_certs(endpoint):
            if not c.self_signed:
                elsewhere.append(Node(c, "elsewhere", f"{ref.setting.key} {clf.display}"))
        if elsewhere:
            graph_b = Graph([leaf_node] + served_nodes + anchors + elsewhere, at)
            best_b = best_path(graph_b.paths_from(leaf_node), at)
            if best_b is not None and best_b.trusted:
                res.completed_path = best_b.nodes
                res.found = [n for n in best_b.nodes if n.origin == "elsewhere"]
    elif res.trusted:
        res.completed_path = best.nodes

    _order(res, paths, best)
    _hygiene(res, paths, best, at)
    _weak_signatures(res, best)
    _structure(res, best, at)
    return res


def _order(res: ChainAnalysis, paths: list[Path], best: Path) -> None:
    files = res.file_certs
    leaf = res.leaf
    assert leaf is not None
    if res.dialect in BUILDS_CHAIN:
        # OTP takes the first certfile certificate as its own and orders the rest itself
        res.misordered = files[0] is not leaf
        res.expected_order = [leaf] + [c for c in files if c is not leaf]
        return
    on_path = [_ident(n.info) for n in best.nodes[1:]]
    first: dict[tuple, CertInfo] = {}
    for c in files:
        first.setdefault(_ident(c), c)
    expected = [leaf] + [first[i] for i in on_path if i in first and first[i] is not leaf]
    actual = [leaf] if files[0] is leaf else []
    seen: set[tuple] = {_ident(leaf)}
    for c in files:
        i = _ident(c)
        if c is leaf or i in seen or i not in on_path:
            continue
        seen.add(i)
        actual.append(c)
    if files[0] is not leaf:
        actual = [files[0]] + actual
    res.misordered = [id(c) for c in actual] != [id(c) for c in expected]
    rest = [c for c in files if all(c is not e for e in expected)]
    res.expected_order = expected + rest


def _hygiene(res: ChainAnalysis, paths: list[Path], best: Path, at: dt.datetime) -> None:
    leaf = res.leaf
    on_best = {n.info.fingerprint for n in best.nodes}
    files = res.file_certs
    useful = [p for p in paths if p.trusted] or paths
    on_any: set[tuple] = set()
    for p in useful:
        on_any.update(_ident(n.info) for n in p.nodes)
    seen: dict[str, CertInfo] = {}
    for c in files:
        if c.fingerprint in seen:
            res.extraneous.append((c, f"a duplicate of {seen[c.fingerprint].position()}"))
            continue
        seen[c.fingerprint] = c
        if c is leaf:
            continue
        if best.trusted and c.fingerprint not in on_best and not (c.not_before <= at <= c.not_after):
            # e.g. an expired cross-sign kept after the chain moved to a new root:
            # the chain works without it, but clients that build through it fail
            state = "expired" if c.not_after < at else "not yet valid"
            res.extraneous.append((c, f"{state} and not needed: the chain reaches a trust anchor "
                                      "without it, but clients that try it may fail"))
            continue
        if best.end == "missing_issuer" and c.is_ca:
            continue  # it may belong above the missing link: TLS101 says what is missing
        if _ident(c) not in on_any:
            if c.self_signed:
                why = "a root that does not issue this chain"
            elif not c.is_ca:
                why = "another end-entity certificate"
            else:
                why = "not an issuer of the leaf or of its intermediates"
            res.extraneous.append((c, why))
    if res.dialect not in BUILDS_CHAIN and best.trusted and len(best.nodes) > 1:
        top = best.top.info
        if top.self_signed:
            for c in files:
                if c is not leaf and c.same_key_and_subject(top) and c.self_signed:
                    res.root_included = c
                    break


def _weak_signatures(res: ChainAnalysis, best: Path) -> None:
    nodes = list(best.nodes)
    if nodes and (best.end in ("anchor", "untrusted_root")) and len(nodes) > 1:
        # the anchor's own signature is never checked by clients
        nodes = nodes[:-1]
    elif len(nodes) == 1 and nodes[0].info.self_signed:
        nodes = []
    res.weak_signatures = [n.info for n in nodes if n.info.signature_hash in WEAK_HASHES]


def _structure(res: ChainAnalysis, best: Path, at: dt.datetime) -> None:
    """CA bit, keyUsage and pathLen of every issuer on the path; bad signatures;
    cryptography's verdict for the rest (name constraints)."""
    nodes = best.nodes
    for child, issuer in res.bad_signature:
        res.invalid.append((child, f"names {issuer.subject} as issuer, but the {issuer.subject} "
                                   f"in {issuer.file} ({issuer.position()}) did not sign it "
                                   "(different key): clients fail with 'certificate signature failure'"))
    for i, node in enumerate(nodes[1:], start=1):
        c = node.info
        below = nodes[i - 1].info
        if not c.is_ca:
            res.invalid.append((c, f"issues {below.subject} but is not a CA certificate "
                                   "(basicConstraints cA is not set): clients fail with "
                                   "'invalid CA certificate'"))
            continue
        is_anchor = best.trusted and i == len(nodes) - 1
        if c.basic_constraints is None and not is_anchor:
            res.invalid.append((c, f"issues {below.subject} but has no basicConstraints extension: clients "
                                   "fail with 'invalid CA certificate'"))
            continue
        if c.key_usage is not None and not c.key_usage.key_cert_sign:
            res.invalid.append((c, "is a CA whose keyUsage lacks keyCertSign: clients fail with "
                                   "'key usage does not include certificate signing'"))
        bc = c.basic_constraints
        if bc is not None and bc.path_length is not None:
            intermediates_below = sum(1 for n in nodes[1:i] if not n.info.self_issued)
            if intermediates_below > bc.path_length:
                res.invalid.append((c, f"allows {bc.path_length} intermediate CA(s) below it "
                                       f"(pathLenConstraint), the chain has {intermediates_below}: "
                                       "clients fail with 'path length constraint exceeded'"))
    if best.trusted and len(nodes) > 1 and not any(n.info is None for n in nodes):
        res.verdict = _verdict([n.info for n in nodes], at)
        if res.verdict and "name constraint" in res.verdict.lower():
            holder = next((n.info for n in nodes[1:] if _has_name_constraints(n.info)), nodes[-1].info)
            which = "excluded" if "excluded" in res.verdict.lower() else "permitted"
            res.invalid.append((holder, "its name constraints do not permit the names of the "
                                        f"leaf {nodes[0].info.subject}: clients fail with "
                                        f"'{which} subtree violation'"))


def _has_name_constraints(c: CertInfo) -> bool:
    try:
        c.cert.extensions.get_extension_for_class(x509.NameConstraints)
        return True
    except Exception:  # noqa: BLE001
        return False


def _verdict_ok(c: CertInfo, is_issuer: bool, check_signature: bool = True) -> bool:
    """Would cryptography refuse this certificate for reasons tlslint reports
    under other codes (or that OpenSSL accepts)? Then skip the verdict."""
    if c.cert.version != x509.Version.v3:
        return False
    if check_signature and c.signature_hash not in ("sha256", "sha384", "sha512"):
        return False
    if is_issuer:
        pk = c.public_key
        if isinstance(pk, rsa.RSAPublicKey):
            return pk.key_size >= 2048
        if isinstance(pk, ec.EllipticCurvePublicKey):
            return pk.curve.name in ("secp256r1", "secp384r1", "secp521r1")
        return False
    return True


def _verdict(certs: list[CertInfo], at: dt.datetime) -> Optional[str]:
    """cryptography's relaxed verdict on one path (leaf first, anchor last), or None if it passes
    or cannot judge."""
    from cryptography.x509 import verification as v

    for i, c in enumerate(certs[:-1]):
        if not _verdict_ok(c, is_issuer=i > 0):
            return None
    if not _verdict_ok(certs[-1], is_issuer=True, check_signature=False):
        return None
    # validity is judged by TLS401/403: pick an instant where every cert is valid
    start = max(c.not_before for c in certs)
    end = min(c.not_after for c in certs)
    if start > end:
        return None
    when = at if start <= at <= end else start + (end - start) / 2
    try:
        ca = v.ExtensionPolicy.permit_all().require_present(
            x509.BasicConstraints, v.Criticality.AGNOSTIC, None)
        ee = v.ExtensionPolicy.permit_all()
        verifier = (v.PolicyBuilder().store(v.Store([certs[-1].cert])).time(when)
                    .max_chain_depth(min(255, len(certs)))
                    .extension_policies(ca_policy=ca, ee_policy=ee)
                    .build_client_verifier())
        verifier.verify(certs[0].cert, [c.cert for c in certs[1:-1]])
        return None
    except Exception as exc:  # noqa: BLE001 - VerificationError and friends
        return str(exc).split("\n")[0]


# -- depth ---------------------------------------------------------------

@dataclass(eq=False)
class DepthNeed:
    """The deepest CA of the endpoint's CA files and what verifying a peer it
    issued needs: ``openssl`` = intermediates between peer and root (self-issued
    counted), ``otp`` = the non-self-issued ones."""

    openssl: int
    otp: int
    ca: CertInfo  # the deepest CA (the peer's issuer)
    path: list[CertInfo]  # ca ... root
    ref: FileRef


def depth_needed(pki: "Pki", endpoint: TlsEndpoint) -> Optional[DepthNeed]:
    entries = pki.ca_file_certs(endpoint)
    if not entries:
        return None
    if endpoint.depth_semantics == "envoy":
        # Envoy sets X509_V_FLAG_PARTIAL_CHAIN: every certificate of trusted_ca
        # is an anchor, so a peer issued by any of them stops right there
        ca = next((c for _, _, c in entries if c.is_ca), None)
        if ca is None:
            return None
        return DepthNeed(openssl=0, otp=0, ca=ca, path=[ca],
                         ref=next(ref for ref, _, c in entries if c is ca))
    nodes = []
    refs: dict[int, FileRef] = {}
    for ref, lf, c in entries:
        nodes.append(Node(c, "anchor" if c.self_signed else "served", lf.display))
        refs[id(c)] = ref
    at = pki.options.validation_time()
    graph = Graph(nodes, at)
    best: Optional[DepthNeed] = None
    for ref, lf, c in entries:
        if not c.is_ca or c.self_signed:
            continue
        p = best_path(graph.paths_from(Node(c, "served", lf.display)), at)
        if p is None or not p.trusted:
            continue
        chain = [n.info for n in p.nodes]
        inters = chain[:-1] if chain[-1].self_signed else chain
        k = len(inters)
        s = sum(1 for x in inters if x.self_issued)
        need = DepthNeed(openssl=k, otp=k - s, ca=c, path=chain, ref=ref)
        if best is None or (need.openssl, need.otp) > (best.openssl, best.otp):
            best = need
    if best is None:
        # only roots: peers are issued directly by a root (no intermediate);
        # depth semantics that count the anchor (Envoy) still need 1
        root = next((c for ref, lf, c in entries if c.is_ca and c.self_signed), None)
        if root is not None:
            best = DepthNeed(openssl=0, otp=0, ca=root, path=[root],
                             ref=next(ref for ref, lf, c in entries if c is root))
    return best


# -- CA files without a root ----------------------------------------------

@dataclass(eq=False)
class UnanchoredCa:
    """A CA certificate of the endpoint's CA files whose issuer chain, within
    those files, does not end in a self-signed certificate. ``path`` runs from
    ``ca`` up to the last issuer found; ``missing`` is the issuer DN not found."""

    ca: CertInfo
    ref: FileRef
    path: list[CertInfo]
    missing: str


def unanchored_cas(pki: "Pki", endpoint: TlsEndpoint) -> list[UnanchoredCa]:
    """Without partial-chain verification (OpenSSL's default, Erlang/OTP's) a
    trusted certificate only anchors a chain when its own chain reaches a
    self-signed root in the trust store: peers issued under such a CA are all
    rejected."""
    entries = pki.ca_file_certs(endpoint)
    if not entries:
        return []
    graph = Graph(Node(c, "anchor" if c.self_signed else "served", lf.display)
                  for _, lf, c in entries)
    at = pki.options.validation_time()
    out: list[UnanchoredCa] = []
    seen: set[str] = set()
    for ref, lf, c in entries:
        if not c.is_ca or c.self_signed or c.fingerprint in seen:
            continue
        seen.add(c.fingerprint)
        p = best_path(graph.paths_from(Node(c, "served", lf.display)), at)
        if p is None or p.end != "missing_issuer":
            continue  # anchored (or a search limit: cannot tell)
        chain = [n.info for n in p.nodes]
        out.append(UnanchoredCa(c, ref, chain, chain[-1].issuer))
    return out
