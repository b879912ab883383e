"""Certificates, keys and CRLs named by the configs, and what their chains do.

One ``Pki`` per run. It reads each file once (``tlslint.readfile``), parses
each distinct content once (cache by SHA-256 of the bytes), and answers the
questions rules ask:

* ``load(ref)`` -> ``LoadedFile`` (status, tried, certs, keys, crls, pem_problems)
* ``anchors(endpoint)`` -> trust anchors (``--trust``, the config's own CA
  files' self-signed roots, the system store)
* ``private_key(pair)`` -> ``KeyResult`` (opened with the configured passwords)
* ``analyze_served_chain(pair, endpoint)`` -> ``ChainAnalysis``
* ``ca_depth_needed(endpoint)`` -> ``DepthNeed`` for peer verification
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Optional

from tlslint import paths as _paths
from tlslint.model import CertKeyPair, FileRef, TlsEndpoint
from tlslint.options import Options
from tlslint.pki.graph import Node
from tlslint.pki.keys import KeyResult, open_key, password_candidates
from tlslint.pki.objects import CertInfo, CrlInfo, KeyInfo, LoadedFile
from tlslint.pki.parse import Parsed, PemProblem, parse_bytes
from tlslint.readfile import DEFAULT_MAX_SIZE, FileAccessError, read_bytes
from tlslint.source import display_path

__all__ = ["Pki", "LoadedFile", "CertInfo", "KeyInfo", "CrlInfo", "KeyResult"]

SYSTEM_STORE_MAX = 16 * 1024 * 1024
DIR_MAX_FILES = 2000
PEM_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".ca", ".ca-bundle", ".cert", ".0"}


# files kept as bytes, not parsed as certificate material
RAW_KINDS = frozenset({"password", "dhparam", "ticket_key", "ocsp_response"})

class Pki:
    def __init__(self, options: Optional[Options] = None):
        self.options = options or Options()
        self._by_candidates: dict[tuple, LoadedFile] = {}
        self._parsed: dict[bytes, Parsed] = {}
        self._system: Optional[list[Node]] = None
        self._option_nodes: dict[str, list[Node]] = {}
        self._keys: dict[int, KeyResult] = {}
        self._chains: dict[tuple, object] = {}
        self._depth: dict[int, object] = {}

    # -- loading ---------------------------------------------------------
    def load(self, ref: FileRef) -> LoadedFile:
        if ref.unresolved:
            return LoadedFile("unresolved", display=ref.path, reason=ref.unresolved)
        if ref.inline is not None:
            key = ("inline", hashlib.sha256(ref.inline).digest(), ref.kind)
            if key not in self._by_candidates:
                lf = LoadedFile("ok", display="inline data")
                self._fill(lf, ref.inline, keep_data=ref.kind in RAW_KINDS)
                self._by_candidates[key] = lf
            return self._by_candidates[key]
        tried = _paths.candidates(ref.path, ref.base_dir, self.options.path_map)
        return self._load_candidates(tried, ref.path, keep_data=ref.kind in RAW_KINDS)

    def load_path(self, path: Path, max_size: int = DEFAULT_MAX_SIZE) -> LoadedFile:
        """A file given on the command line (--trust, --intermediates) or the
        system store: trusted, so ``--root`` does not apply to it."""
        return self._load_candidates([Path(path)], str(path), max_size=max_size, trusted=True)

    def _load_candidates(self, tried: list[Path], label: str, keep_data: bool = False,
                         max_size: Optional[int] = None, trusted: bool = False) -> LoadedFile:
        key = (tuple(str(p) for p in tried), keep_data, trusted)
        cached = self._by_candidates.get(key)
        if cached is not None:
            return cached
        lf: Optional[LoadedFile] = None
        refusal: Optional[FileAccessError] = None
        for cand in tried:
            try:
                # files named by configs: the run's size cap and --root (tlslint.readfile)
                data = read_bytes(cand, max_size, trusted=trusted)
            except FileAccessError as exc:
                if exc.missing:
                    continue
                if exc.refused:  # outside --root: try the next place (a --path-map target)
                    refusal = refusal or exc
                    continue
                lf = LoadedFile("unreadable", display=display_path(cand), tried=list(tried),
                                path=cand, reason=exc.reason)
                break
            lf = LoadedFile("ok", display=display_path(cand), tried=list(tried), path=cand)
            self._fill(lf, data, keep_data=keep_data)
            break
        if lf is None and refusal is not None:
            lf = LoadedFile("unreadable", display=display_path(refusal.path), tried=list(tried),
                            path=refusal.path, reason=refusal.reason)
        if lf is None:
            shown = display_path(tried[0]) if tried else label
            lf = LoadedFile("missing", display=shown, tried=list(tried), reason="no such file")
        self._by_candidates[key] = lf
        return lf

    def _fill(self, lf: LoadedFile, data: bytes, keep_data: bool = False) -> None:
        if keep_data:
            lf.data = data
            return
        digest = hashlib.sha256(data).digest()
        parsed = self._parsed.get(digest)
        if parsed is None:
            parsed = parse_bytes(data)
            self._parsed[digest] = parsed
        n = len(parsed.certs)
        lf.certs = [CertInfo(c, i + 1, n, lf.display, lf.path) for i, c in enumerate(parsed.certs)]
        nk = len(parsed.keys)
        lf.keys = []
        for i, k in enumerate(parsed.keys):
            lf.keys.append(KeyInfo(i + 1, nk, lf.display, k.encrypted, k.block, k.der, k.key,
                                   k.fmt, k.error))
        lf.crls = [CrlInfo(c, i + 1, lf.display) for i, c in enumerate(parsed.crls)]
        lf.pem_problems = list(parsed.problems)
        lf.other_blocks = list(parsed.other_blocks)
        lf.encoding = parsed.encoding  # type: ignore[assignment]
        if parsed.encoding == "der":
            lf.pem_problems.append("DER (binary) encoding: the servers tlslint checks read PEM "
                                   "(\"-----BEGIN ...\") files")
        if nk > 1:
            lf.pem_problems.append(PemProblem(f"{nk} private keys in one file (nginx uses the first, "
                                              "Erlang/OTP refuses the file)", fatal=None))

    def _load_tree(self, path: Path, max_size: int = DEFAULT_MAX_SIZE) -> list[LoadedFile]:
        """A file, or every certificate-looking file below a directory (sorted)."""
        path = Path(path)
        if path.is_dir():
            out = []
            count = 0
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    p = Path(root) / name
                    if p.suffix.lower() not in PEM_SUFFIXES and not name[-2:-1] == ".":
                        continue
                    count += 1
                    if count > DIR_MAX_FILES:
                        return out
                    lf = self.load_path(p, max_size)
                    if lf.ok:
                        out.append(lf)
            return out
        return [self.load_path(path, max_size)]

    # -- trust -----------------------------------------------------------
    def _nodes_from_option(self, which: str, paths: Iterable[Path], origin: str) -> list[Node]:
        if which not in self._option_nodes:
            nodes: list[Node] = []
            flag = "--trust" if which == "trust" else "--intermediates"
            for p in paths:
                for lf in self._load_tree(Path(p), SYSTEM_STORE_MAX):
                    for c in lf.certs:
                        nodes.append(Node(c, origin, f"{flag} {lf.display}"))  # type: ignore[arg-type]
            self._option_nodes[which] = nodes
        return self._option_nodes[which]

    def system_anchors(self) -> list[Node]:
        if self._system is None:
            nodes: list[Node] = []
            if self.options.use_system_store:
                import ssl  # only when the system store is needed (7 ms to import)

                vp = ssl.get_default_verify_paths()
                files: list[Path] = []
                if vp.cafile and os.path.isfile(vp.cafile):
                    files.append(Path(vp.cafile))
                elif vp.capath and os.path.isdir(vp.capath):
                    files.append(Path(vp.capath))
                seen: set[str] = set()
                for f in files:
                    for lf in self._load_tree(f, SYSTEM_STORE_MAX):
                        for c in lf.certs:
                            if c.fingerprint in seen:
                                continue
                            seen.add(c.fingerprint)
                            nodes.append(Node(c, "anchor", "the system trust store"))
            self._system = nodes
        return self._system

    def trust_anchors(self) -> list[Node]:
        """--trust first, then the system store."""
        return self._nodes_from_option("trust", self.options.trust, "anchor") + self.system_anchors()

    def intermediate_pool(self) -> list[Node]:
        return self._nodes_from_option("intermediates", self.options.intermediates, "elsewhere")

    def sibling_chain(self, served: Path) -> list[Node]:
        """certbot's chain.pem and fullchain.pem next to a served cert.pem: where
        a missing intermediate usually is (never the served file itself)."""
        nodes: list[Node] = []
        for name in ("chain.pem", "fullchain.pem"):
            path = served.with_name(name)
            if path == served or not os.path.isfile(path):
                continue
            lf = self._load_candidates([path], str(path))  # a repository file: --root applies
            if lf.ok:
                nodes += [Node(c, "elsewhere", lf.display) for c in lf.certs if c.is_ca]
        return nodes

    def ca_file_certs(self, endpoint: TlsEndpoint) -> list[tuple[FileRef, LoadedFile, CertInfo]]:
        out = []
        for ref in endpoint.ca_files:
            lf = self.load(ref)
            if lf.ok:
                out.extend((ref, lf, c) for c in lf.certs)
        return out

    def anchors(self, endpoint: TlsEndpoint) -> list[Node]:
        """Trust anchors for judging what ``endpoint`` serves: ``--trust``, the
        self-signed roots of the CA files the config names, the system store."""
        nodes = list(self._nodes_from_option("trust", self.options.trust, "anchor"))
        for ref, lf, c in self.ca_file_certs(endpoint):
            if c.self_signed:
                nodes.append(Node(c, "anchor", f"{ref.setting.key} {lf.display}"))
        return nodes + self.system_anchors()

    # -- keys ------------------------------------------------------------
    def private_key(self, pair: CertKeyPair) -> KeyResult:
        cached = self._keys.get(id(pair))
        if cached is None:
            cached = (pair, self._private_key(pair))  # keep pair alive: ids stay unique
            self._keys[id(pair)] = cached
        return cached[1]

    def _private_key(self, pair: CertKeyPair) -> KeyResult:
        from_cert = False
        if pair.key is not None:
            ref = pair.key
        elif pair.key_in_cert_file and pair.cert is not None:
            ref, from_cert = pair.cert, True
        else:
            return KeyResult("none")
        lf = self.load(ref)
        if not lf.ok:
            return KeyResult("unavailable", loaded=lf, from_cert_file=from_cert)
        if not lf.keys:
            return KeyResult("no_key", loaded=lf, from_cert_file=from_cert)
        info = lf.keys[0]
        res = KeyResult("ok", info=info, loaded=lf, from_cert_file=from_cert)
        if info.error is not None:
            res.status = "unusable"
            return res
        if not info.encrypted:
            res.key = info.key
            return res
        passwords: list[bytes] = []
        unknown = False
        for pref in pair.password_files:
            plf = self.load(pref)
            if plf.ok:
                passwords.extend(password_candidates(plf.data))
            else:
                unknown = True
        if pair.password is not None:
            passwords.append(pair.password.value.encode("utf-8", "surrogateescape"))
        if not passwords:
            res.status = "password_unknown" if unknown else "encrypted_no_password"
            return res
        key, tries = open_key(info, passwords)
        res.tried = tries
        if key is None:
            res.status = "password_unknown" if unknown else "wrong_password"
            return res
        res.key = key
        return res

    # -- chains ----------------------------------------------------------
    def analyze_served_chain(self, pair: CertKeyPair, endpoint: TlsEndpoint):
        from tlslint.pki.chain import analyze

        key = (id(pair), id(endpoint))
        if key not in self._chains:
            self._chains[key] = (pair, endpoint, analyze(self, pair, endpoint))
        return self._chains[key][2]

    def ca_depth_needed(self, endpoint: TlsEndpoint):
        from tlslint.pki.chain import depth_needed

        if id(endpoint) not in self._depth:
            self._depth[id(endpoint)] = (endpoint, depth_needed(self, endpoint))
        return self._depth[id(endpoint)][1]
