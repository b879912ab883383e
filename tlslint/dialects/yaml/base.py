"""What every YAML service mapper shares: Settings from tree nodes, sections
with the service's duplicate-key policy, file references, version and
client-auth vocabularies, unknown-key (TLS007) and bad-value (TLS001) problems.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Union

from tlslint.model import (
    CertKeyPair,
    Document,
    Field,
    FileKind,
    FileRef,
    Location,
    Problem,
    Setting,
    TlsEndpoint,
)
from tlslint.source import Source, encode
from tlslint.dialects.yaml.tree import Entry, Item, YNode, effective

Occurrence = Union[Entry, Item]

# Setting -> where it is written (for edits). Weak: documents own their settings.
SETTING_META: "weakref.WeakKeyDictionary[Setting, SettingMeta]" = weakref.WeakKeyDictionary()
# TlsEndpoint -> the mapping its keys live in (for insert_setting).
ENDPOINT_META: "weakref.WeakKeyDictionary[TlsEndpoint, EndpointMeta]" = weakref.WeakKeyDictionary()


@dataclass
class SettingMeta:
    occurrence: Occurrence
    at_key: bool  # the Setting locates the key (a mapping-valued section), not the value


@dataclass
class EndpointMeta:
    section: YNode  # the mapping where insert_setting adds keys
    camel: bool = False  # the service accepts both spellings and the file uses lowerCamelCase
    prefix: str = ""  # written before inserted keys (flat dotted dialects: "xpack.security.http.ssl.")


# ---------------------------------------------------------------------------
# vocabularies

PROTOCOL_ORDER = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_VERSION_RE = re.compile(r"(tls|ssl)?v?(\d)(?:\.?(\d))?")


def norm_version(text: str) -> Optional[str]:
    """``TLS12``, ``VersionTLS12``, ``TLSv1.2``, ``TLSv1_2``, ``tls1.2``, ``TLS1_2``,
    ``1.2`` -> ``TLSv1.2``; ``SSLv3`` -> ``SSLv3``; anything else -> None."""
    t = re.sub(r"[\s_]", ".", str(text).strip().lower())
    if t.startswith("version"):
        t = t[len("version"):]
    m = _VERSION_RE.fullmatch(t)
    if not m:
        return None
    proto, major, minor = m.groups()
    if proto == "ssl":
        return {"2": "SSLv2", "3": "SSLv3"}.get(major) if minor in (None, "0") else None
    if major == "1":
        return {None: "TLSv1", "0": "TLSv1", "1": "TLSv1.1", "2": "TLSv1.2", "3": "TLSv1.3"}.get(minor)
    return None


def version_range(lo: str, hi: str) -> frozenset[str]:
    order = ("SSLv2", "SSLv3") + PROTOCOL_ORDER
    return frozenset(order[order.index(lo): order.index(hi) + 1])


# Go crypto/tls ClientAuthType names (also the registry's kebab-case ones),
# keyed lower-case without separators.
GO_CLIENT_AUTH = {
    "noclientcert": "none",
    "requestclientcert": "optional_no_verify",  # asked for, never verified
    "requireanyclientcert": "optional_no_verify",  # must be sent, never verified
    "requireclientcert": "optional_no_verify",  # exporter-toolkit alias of RequireAnyClientCert
    "verifyclientcertifgiven": "optional",
    "requireandverifyclientcert": "required",
}


def squash(text: str) -> str:
    return re.sub(r"[\s_\-]", "", str(text)).lower()


TRUE = {"true", "yes", "on", "1"}
FALSE = {"false", "no", "off", "0"}


def truthy(setting: Optional[Setting]) -> Optional[bool]:
    if setting is None:
        return None
    v = setting.value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    return None


# values that are obviously not real paths: docs placeholders
_PLACEHOLDER = re.compile(
    r"^(foobar|changeme|change-me|todo|xxx+|replace[_-].*|replace_with.*|<.*>|\[.*\]|\.\.\.)$"
    r"|(^|/)path/to/|^/path/|<path", re.I)
_TEMPLATE = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\{\{.*?\}\}|%\{[^}]*\}|^\$[A-Za-z_]\w*")


def unresolved_reason(value: str) -> Optional[str]:
    m = _TEMPLATE.search(value)
    if m:
        return f"uses variables or templating ({m.group(0)})"
    if _PLACEHOLDER.search(value.strip()):
        return f"a documentation placeholder ({value.strip()}), not a real path"
    return None


def camel_to_snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def snake_to_camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# ---------------------------------------------------------------------------

@dataclass
class Ctx:
    """Everything one file's service mapper builds into."""

    source: Source
    dialect: str
    document: Document
    base_dir: Path
    policy: str = "last"  # which of duplicate keys the service keeps
    doc_count: int = 1
    doc_index: int = 0
    _memo: dict = field(default_factory=dict)

    # -- settings -----------------------------------------------------------
    def setting(self, path: str, occ: Occurrence) -> Setting:
        """The Setting of an entry or item (memoised: one object per place)."""
        memo_key = (id(occ), path)
        found = self._memo.get(memo_key)
        if found is not None:
            return found[1]
        value = occ.value
        text = self.source.text
        if isinstance(occ, Entry) and value.is_map:
            ks = occ.key_node.span
            s = Setting(key=path, value="", raw=ks.slice(text), span=ks, source=self.source,
                        key_span=ks, statement=occ.statement)
            at_key = True
        else:
            if value.is_seq:
                joined = ",".join(it.value.value for it in value.items if it.value.is_scalar)
            elif value.is_map:
                joined = ""
            else:
                joined = value.value
            s = Setting(key=path, value=joined, raw=value.raw, span=value.span, source=self.source,
                        key_span=occ.key_node.span if isinstance(occ, Entry) else None,
                        statement=occ.statement)
            at_key = False
        SETTING_META[s] = SettingMeta(occ, at_key)
        self._memo[memo_key] = (occ, s)  # keep occ alive with the id
        return s

    def section(self, node: Optional[YNode], path: str) -> Optional["Section"]:
        if node is None or not node.is_map:
            return None
        return Section(self, node, path)

    # -- problems -----------------------------------------------------------
    def problem(self, code: str, setting: Setting, message: str, *, at_key: bool = False,
                **data) -> Problem:
        span = setting.key_span if at_key and setting.key_span else setting.span
        p = Problem(code, Location(self.source, span), message, setting=setting, data=dict(data))
        self.document.problems.append(p)
        return p

    def invalid(self, setting: Setting, message: str) -> None:
        """A value the service rejects at startup: reported as a parse error (TLS001).
        Documentation placeholders (``foobar``, ``<...>``) and templated values are left alone."""
        if unresolved_reason(setting.value):
            return
        self.problem("TLS001", setting, message, kind="invalid-value")

    def conflict(self, setting: Setting, message: str) -> None:
        """Settings that contradict (TLS204): the service refuses them or ignores one."""
        self.problem("TLS204", setting, message)

    def check_keys(self, section: "Section", known: Iterable[str], where: str,
                   normalise=None, refusal: str = "") -> None:
        """TLS007 for keys of ``section`` the service does not know. ``refusal``:
        the service refuses unknown keys (strict decoding), said in the message,
        and the finding is an error."""
        known = list(known)
        lookup = {normalise(k) if normalise else k: k for k in known}
        for key, entry in section.entries().items():
            probe = normalise(key) if normalise else key
            if probe in lookup:
                continue
            s = self.setting(f"{section.path}.{key}" if section.path else key, entry)
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            if not guess:
                lower = {k.lower(): k for k in known}
                guess = [lower[key.lower()]] if key.lower() in lower else []
            msg = f"{self.dialect} does not know `{key}` in {where}"
            if guess:
                msg += f"; did you mean `{guess[0]}`?"
            extra = {}
            if refusal:
                msg += f": {refusal.format(key=key)}"
                extra["severity"] = "error"
            self.problem("TLS007", s, msg, at_key=True, key=key, suggestion=guess[0] if guess else None,
                         **extra)

    # -- files --------------------------------------------------------------
    def cert_key_pairs(self, cert: Optional[Setting], key: Optional[Setting],
                       password: Optional[Setting] = None) -> list[CertKeyPair]:
        """The pair of certificate and key file settings (either may be missing:
        TLS304), or no pair when neither is set."""
        if cert is None and key is None:
            return []
        return [CertKeyPair(cert=self.file_ref("cert", cert) if cert is not None else None,
                            key=self.file_ref("key", key) if key is not None else None,
                            password=password)]

    def file_ref(self, kind: FileKind, setting: Setting, *, inline: Optional[bytes] = None,
                 path: Optional[str] = None, unresolved: Optional[str] = None) -> FileRef:
        value = setting.value if path is None else path
        if inline is None and unresolved is None:
            unresolved = unresolved_reason(value)
        return FileRef(kind=kind, setting=setting, path=value if inline is None else "",
                       base_dir=self.base_dir, inline=inline, unresolved=unresolved)

    def path_or_pem(self, kind: FileKind, setting: Setting) -> FileRef:
        """A value that is a path, or PEM text itself (Traefik, exporter-toolkit inline)."""
        if "-----BEGIN" in setting.value:
            return self.file_ref(kind, setting, inline=encode(setting.value))
        return self.file_ref(kind, setting)

    def base64_ref(self, kind: FileKind, setting: Setting) -> FileRef:
        """base64 of PEM/DER (kubeconfig ``*-data``, Envoy ``inline_bytes``, Secret data)."""
        reason = unresolved_reason(setting.value)
        if reason:
            return self.file_ref(kind, setting, unresolved=reason)
        try:
            data = base64.b64decode("".join(setting.value.split()), validate=True)
        except (binascii.Error, ValueError):
            data = encode(setting.value)  # not base64: the PEM checks report it as garbage
        return self.file_ref(kind, setting, inline=data)

    # -- endpoints ----------------------------------------------------------
    def endpoint(self, role: str, label: str, anchor: Setting, section: Optional[YNode],
                 camel: bool = False, prefix: str = "", **kw) -> TlsEndpoint:
        if self.doc_count > 1:
            label = f"{label} (document {self.doc_index + 1})"
        settings = kw.get("settings") or {}
        if "fact.system_roots" in settings and not kw.get("ca_files"):
            kw["system_roots"] = True
        ep = TlsEndpoint(dialect=self.dialect, role=role, label=label, anchor=anchor, **kw)
        if section is not None:
            ENDPOINT_META[ep] = EndpointMeta(section, camel, prefix)
        self.document.endpoints.append(ep)
        return ep


class Section:
    """A mapping as the service sees it (duplicates resolved by the service's policy)."""

    def __init__(self, ctx: Ctx, node: YNode, path: str, normalise=None):
        self.ctx = ctx
        self.node = node
        self.path = path
        self.normalise = normalise  # e.g. camel_to_snake for Envoy
        self._entries = effective(node, ctx.policy)

    def entries(self) -> dict[str, Entry]:
        return self._entries

    def _find(self, key: str) -> Optional[tuple[str, Entry]]:
        e = self._entries.get(key)
        if e is not None:
            return key, e
        if self.normalise:
            want = self.normalise(key)
            for k, e in self._entries.items():
                if self.normalise(k) == want:
                    return k, e
        return None

    def child_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def entry(self, key: str) -> Optional[Entry]:
        f = self._find(key)
        return f[1] if f else None

    def get(self, key: str) -> Optional[Setting]:
        """The Setting of a scalar or sequence value (None when absent or null)."""
        f = self._find(key)
        if f is None:
            return None
        k, e = f
        if e.value.is_null:
            return None
        return self.ctx.setting(self.child_path(k), e)

    def anchor(self, key: str) -> Optional[Setting]:
        f = self._find(key)
        return self.ctx.setting(self.child_path(f[0]), f[1]) if f else None

    def value(self, key: str) -> Optional[str]:
        s = self.get(key)
        return s.value if s is not None else None

    def sub(self, key: str) -> Optional["Section"]:
        f = self._find(key)
        if f is None or not f[1].value.is_map:
            return None
        return Section(self.ctx, f[1].value, self.child_path(f[0]), self.normalise)

    def list(self, key: str) -> list[Setting]:
        """Scalar items of a sequence value, or the value itself when it is a scalar."""
        f = self._find(key)
        if f is None or f[1].value.is_null:
            return []
        k, e = f
        path = self.child_path(k)
        if e.value.is_scalar:
            return [self.ctx.setting(path, e)]
        if e.value.is_seq:
            return [self.ctx.setting(f"{path}[{it.index}]", it) for it in e.value.items
                    if it.value.is_scalar and not it.value.is_null]
        return []

    def maps(self, key: str) -> list["Section"]:
        """Mapping items of a sequence value (``tls_certificates: [...]``)."""
        f = self._find(key)
        if f is None or not f[1].value.is_seq:
            return []
        path = self.child_path(f[0])
        return [Section(self.ctx, it.value, f"{path}[{it.index}]", self.normalise)
                for it in f[1].value.items if it.value.is_map]

    def children(self) -> list[tuple[str, "Section"]]:
        """Mapping-valued entries (``tls.options.<name>``)."""
        out = []
        for k, e in self._entries.items():
            if e.value.is_map:
                out.append((k, Section(self.ctx, e.value, self.child_path(k), self.normalise)))
        return out

    def settings(self, prefix: str = "") -> dict[str, Setting]:
        """Every scalar/sequence setting below, by key relative to this section."""
        out: dict[str, Setting] = {}
        for k, e in self._entries.items():
            rel = f"{prefix}{self.normalise(k) if self.normalise and k != '@type' else k}"
            if e.value.is_map:
                out.update(Section(self.ctx, e.value, self.child_path(k), self.normalise).settings(rel + "."))
            elif not e.value.is_null:
                out[rel] = self.ctx.setting(self.child_path(k), e)
        return out


def versions_in_spelling(ctx: Ctx, lo: Optional[Setting], hi: Optional[Setting], spellings: Iterable[str],
                         note: str, default_lo: str = "TLSv1.2", default_hi: str = "TLSv1.3") -> Field:
    """min/max version settings a service accepts only in its own spelling
    (``TLS12``, ``VersionTLS12``...): another spelling is reported (the service
    refuses it) and its default applies."""
    spellings = set(spellings)
    for s in (lo, hi):
        if s is not None and s.value.strip() not in spellings:
            ctx.invalid(s, f"unknown TLS version: {s.value}")

    def known(s: Optional[Setting]) -> Optional[Setting]:
        return s if s is not None and s.value.strip() in spellings else None

    return protocols_field(ctx, known(lo), known(hi), default_lo, default_hi, note)


def protocols_field(ctx: Ctx, lo: Optional[Setting], hi: Optional[Setting], default_lo: str,
                    default_hi: str, note: str, *, lo_error: str = "", hi_error: str = "",
                    ignore: Iterable[str] = ()) -> Field:
    """min/max versions expanded to the set of enabled protocols."""
    ignore = {i.lower() for i in ignore}
    lo_v = hi_v = None
    if lo is not None and lo.value.strip().lower() not in ignore:
        lo_v = norm_version(lo.value)
        if lo_v is None:
            ctx.invalid(lo, (lo_error or "unknown TLS version: {v}").format(v=lo.value))
            lo = None
    else:
        lo = None
    if hi is not None and hi.value.strip().lower() not in ignore:
        hi_v = norm_version(hi.value)
        if hi_v is None:
            ctx.invalid(hi, (hi_error or "unknown TLS version: {v}").format(v=hi.value))
            hi = None
    else:
        hi = None
    lo_v = lo_v or default_lo
    hi_v = hi_v or default_hi
    order = ("SSLv2", "SSLv3") + PROTOCOL_ORDER
    if order.index(lo_v) > order.index(hi_v):
        # Go: "no supported versions satisfy MinVersion and MaxVersion";
        # BoringSSL (Envoy): NO_SUPPORTED_VERSIONS_ENABLED
        protos = frozenset()
        _no_version_left(ctx, lo, hi, lo_v, hi_v)
    else:
        protos = version_range(lo_v, hi_v)
    where = (hi or lo) if not protos else (lo or hi)
    return Field(protos, where, "" if where else note)


def _no_version_left(ctx: Ctx, lo: Optional[Setting], hi: Optional[Setting], lo_v: str, hi_v: str) -> None:
    """TLS204 on the maximum version setting (the minimum one when the maximum
    is the service's default): the range is empty."""
    from tlslint.dialects.yaml import SERVICE_LABEL

    service = SERVICE_LABEL.get(ctx.dialect, ctx.dialect)
    lo_text = f"`{lo.key}: {lo.value.strip()}`" if lo is not None else f"{service}'s default minimum {lo_v}"
    hi_text = f"`{hi.key}: {hi.value.strip()}`" if hi is not None else f"{service}'s default maximum {hi_v}"
    at = hi if hi is not None else lo
    words = ("BoringSSL: NO_SUPPORTED_VERSIONS_ENABLED" if ctx.dialect == "envoy"
             else "Go: \"no supported versions satisfy MinVersion and MaxVersion\"")
    ctx.problem("TLS204", at, f"{hi_text} is below {lo_text}: no TLS version is left, {service} cannot "
                              f"complete any TLS handshake ({words})", kind="no-version")


def ciphers_field(section: "Section", key: str) -> Field:
    """A cipher list (sequence, or a comma/colon separated string) joined by ":"."""
    whole = section.get(key)
    if whole is None:
        return Field(None, None, "")
    items = section.list(key)
    if len(items) == 1 and items[0] is whole:
        parts = [p for p in re.split(r"[,:\s]+", whole.value) if p]
    else:
        parts = [s.value.strip() for s in items if s.value.strip()]
    return Field(":".join(parts) or None, whole)


class Flat:
    """Dotted keys and nested maps, mixed (Elasticsearch, MongoDB): one flat view.

    ``xpack.security.http.ssl.enabled: true`` and ``xpack: {security: {http:
    {ssl: {enabled: true}}}}`` both give the key ``xpack.security.http.ssl.enabled``.
    When the same flat key is written twice, the later one wins.
    """

    def __init__(self, ctx: Ctx, node: YNode):
        self.ctx = ctx
        self.items: dict[str, tuple[str, Entry]] = {}  # flat key -> (tree path, entry)
        self.holders: dict[str, tuple[YNode, str]] = {}  # flat prefix -> (mapping, prefix written in it)
        self.repeats: list[tuple[str, tuple[str, Entry], tuple[str, Entry]]] = []  # (key, first, later)
        self._walk(node, "", "", 0)
        self._report_repeats()

    def _report_repeats(self) -> None:
        """One key written in two forms (``a.b.c: 1`` and ``a: {b: {c: 2}}``):
        Elasticsearch flattens the file first and refuses the repeated key
        (plain duplicates in one mapping are the YAML layer's TLS009)."""
        if self.ctx.dialect != "elasticsearch":
            return
        for key, first, later in self.repeats:
            a = self.ctx.source.line_col(first[1].key_node.span.start)[0]
            b = self.ctx.source.line_col(later[1].key_node.span.start)[0]
            self.ctx.problem("TLS009", self.ctx.setting(*later),
                             f"`{key}` is given 2 times (lines {a} and {b}, as a dotted and as a nested key): "
                             "Elasticsearch refuses to start (duplicate settings key)",
                             at_key=True, key=key, lines=[a, b], winner_line=b, severity="error")

    def _walk(self, node: YNode, path: str, flat: str, depth: int) -> None:
        if depth > 50:
            return
        for k, e in effective(node, self.ctx.policy).items():
            full = f"{flat}{k}"
            cpath = f"{path}.{k}" if path else k
            if e.value.is_map and e.value.entries:
                # keys under ``full`` are best inserted into this mapping
                self.holders[full] = (e.value, "")
                self._walk(e.value, cpath, full + ".", depth + 1)
            else:
                if full in self.items:
                    self.repeats.append((full, self.items[full], (cpath, e)))
                self.items[full] = (cpath, e)
                parent_prefix = full.rsplit(".", 1)[0] if "." in k else None
                if parent_prefix is not None:
                    # a dotted key: its siblings go into the same mapping, dotted
                    self.holders.setdefault(parent_prefix, (node, k.rsplit(".", 1)[0] + "."))

    def get(self, key: str) -> Optional[Setting]:
        found = self.items.get(key)
        if found is None or found[1].value.is_null:
            return None
        return self.ctx.setting(*found)

    def list(self, key: str) -> list[Setting]:
        found = self.items.get(key)
        if found is None or found[1].value.is_null:
            return []
        path, e = found
        if e.value.is_seq:
            return [self.ctx.setting(f"{path}[{it.index}]", it) for it in e.value.items
                    if it.value.is_scalar and not it.value.is_null]
        s = self.ctx.setting(path, e)
        parts = [p.strip() for p in s.value.split(",")]
        return [s] if len([p for p in parts if p]) <= 1 else [s]

    def under(self, prefix: str) -> dict[str, Setting]:
        """Settings whose flat key starts with ``prefix``, by the rest of the key."""
        out = {}
        for k, (path, e) in self.items.items():
            if k.startswith(prefix) and not e.value.is_null:
                out[k[len(prefix):]] = self.ctx.setting(path, e)
        return out

    def keys_under(self, prefix: str) -> dict[str, tuple[str, Entry]]:
        return {k[len(prefix):]: v for k, v in self.items.items() if k.startswith(prefix)}
