"""A lossless view of a YAML stream: nodes with exact character spans.

ruamel.yaml (imported lazily, only when a YAML file is parsed) composes the
node graph; this module turns it into ``YNode``/``Entry`` objects that know
where every key and value is written in ``Source.text``:

* scalar spans start after any ``&anchor``/``!tag`` properties and include
  the quotes (``"a"``, ``'a'``) or the block indicator (``|``, ``>-``), so
  ``text[span] == raw`` where raw is the scalar as written; trailing blank
  lines of block scalars are not part of the span;
* an alias (``*name``) shares the anchored node: its value is located at the
  anchor, while the entry's ``statement`` covers the alias where it is written;
* ``<<`` merge keys are resolved (explicit keys win) and the merged entries
  are marked ``merged``;
* duplicate keys are kept, in order, and reported by ``Tree.duplicates``.

ruamel never writes anything here; edits are span splices (see edit.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

from tlslint.source import Span

# Characters the YAML reader rejects; replaced (length-preserving) before
# composing so that offsets still match the original text.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
MERGE_TAG = "tag:yaml.org,2002:merge"
NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(eq=False)
class YNode:
    kind: str  # "map" | "seq" | "scalar"
    span: Span
    raw: str
    value: str = ""  # scalars: the loaded string ("" for null)
    tag: str = ""
    style: Optional[str] = None  # scalars: None (plain), "'", '"', "|", ">"
    flow: bool = False  # collections written in flow style ({...}, [...])
    anchor: Optional[str] = None
    entries: list["Entry"] = field(default_factory=list)  # maps, as written (duplicates included)
    items: list["Item"] = field(default_factory=list)  # seqs

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.tag == NULL_TAG

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"


@dataclass(eq=False)
class Entry:
    """One ``key: value`` pair of a mapping."""

    key: str
    key_node: YNode
    value: YNode
    statement: Span  # key start .. value end as written here (alias included)
    parent: YNode = field(repr=False)
    alias: bool = False  # the value is written as ``*name``
    merged: bool = False  # comes from a ``<<`` merge key


@dataclass(eq=False)
class Item:
    """One item of a sequence."""

    value: YNode
    statement: Span  # "- value" in block style, the value alone in flow style
    index: int
    parent: YNode = field(repr=False)
    alias: bool = False


@dataclass
class Duplicate:
    mapping: YNode = field(repr=False)
    key: str
    entries: list[Entry]  # in file order


@dataclass
class YamlError(Exception):
    message: str
    offset: int


@dataclass
class Tree:
    text: str
    documents: list[YNode]
    duplicates: list[Duplicate]
    scalar_spans: list[Span]  # every key and scalar value (for comment scanning)


def sanitize(text: str) -> str:
    return _NON_PRINTABLE.sub("\ufffd", text)


def load(text: str) -> Tree:
    """Compose every document of ``text``; raises YamlError on invalid YAML."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError as RuamelError

    clean = sanitize(text)
    yaml = YAML(typ="rt", pure=True)
    try:
        roots = [n for n in yaml.compose_all(clean) if n is not None]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise YamlError(msg or "invalid YAML", mark.index if mark is not None else 0) from None
    except RuamelError as exc:  # ReaderError and friends
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML", getattr(exc, "position", 0) or 0) from None
    except RecursionError:
        raise YamlError("nesting too deep", 0) from None
    builder = _Builder(text)
    docs = [builder.build(r) for r in roots]
    return Tree(text=text, documents=docs, duplicates=builder.duplicates,
                scalar_spans=sorted(builder.scalar_spans, key=lambda s: s.start))


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.memo: dict[int, YNode] = {}
        self.duplicates: list[Duplicate] = []
        self.scalar_spans: list[Span] = []

    # -- spans -------------------------------------------------------------
    def _skip_properties(self, start: int, end: int) -> int:
        text = self.text
        i = start
        while i < end and text[i] in "&!":
            while i < end and text[i] not in " \t\r\n":
                i += 1
            while i < end and text[i] in " \t\r\n":
                i += 1
        return i

    def _scalar_span(self, node) -> Span:
        start, end = node.start_mark.index, node.end_mark.index
        start = self._skip_properties(start, end)
        if node.style in ("|", ">"):
            # the scanner's end includes trailing blank lines: keep the header
            # and the content lines only (trailing spaces of content stay)
            lines = self.text[start:end].split("\n")
            while len(lines) > 1 and lines[-1].strip(" \t\r") == "":
                lines.pop()
            end = start + len("\n".join(lines).rstrip("\r"))
        return Span(start, max(start, end))

    # -- composition -------------------------------------------------------
    def build(self, node) -> YNode:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        from ruamel.yaml.nodes import MappingNode, ScalarNode

        text = self.text
        if isinstance(node, ScalarNode):
            span = self._scalar_span(node)
            y = YNode("scalar", span, span.slice(text), value=str(node.value), tag=node.tag or "",
                      style=node.style if node.style in ("'", '"', "|", ">") else None,
                      anchor=_anchor(node))
            if span.end > span.start:
                self.scalar_spans.append(span)
            self.memo[key] = y
            return y
        start = self._skip_properties(node.start_mark.index, node.end_mark.index)
        flow = bool(getattr(node, "flow_style", False))
        kind = "map" if isinstance(node, MappingNode) else "seq"
        y = YNode(kind, Span(start, start), "", tag=node.tag or "", flow=flow, anchor=_anchor(node))
        self.memo[key] = y  # before children: recursive aliases terminate
        end = start
        if isinstance(node, MappingNode):
            seen: dict[str, list[Entry]] = {}
            merges: list[YNode] = []
            pos = start
            for knode, vnode in node.value:
                if not isinstance(knode, ScalarNode):
                    # complex keys: not used by any service config; located, not indexed
                    v = self.build(vnode)
                    pos = max(pos, v.span.end)
                    continue
                kspan = self._scalar_span(knode)
                self.scalar_spans.append(kspan)
                knode_y = YNode("scalar", kspan, kspan.slice(text), value=str(knode.value), tag=knode.tag or "",
                                style=knode.style if knode.style in ("'", '"') else None)
                value = self.build(vnode)
                vstart, vend, alias = self._occurrence(value, kspan.end)
                if value.is_null and vend <= kspan.end:
                    colon = text.find(":", kspan.end)
                    vend = colon + 1 if colon != -1 else kspan.end
                entry = Entry(knode_y.value, knode_y, value, Span(kspan.start, max(kspan.start, vend)), y, alias=alias)
                pos = max(pos, vend)
                if knode.tag == MERGE_TAG:
                    merges.extend([it.value for it in value.items] if value.is_seq else [value])
                    y.entries.append(entry)
                    continue
                y.entries.append(entry)
                seen.setdefault(entry.key, []).append(entry)
            for k, entries in seen.items():
                if len(entries) > 1:
                    self.duplicates.append(Duplicate(y, k, entries))
            # merge keys: explicit keys win, earlier merged maps win over later ones
            if merges:
                have = set(seen)
                for m in merges:
                    if not m.is_map:
                        continue
                    for e in m.entries:
                        if e.key not in have and e.key_node.tag != MERGE_TAG:
                            have.add(e.key)
                            y.entries.append(Entry(e.key, e.key_node, e.value, e.statement, y,
                                                   alias=e.alias, merged=True))
            end = node.end_mark.index if flow else pos
        else:
            pos = start
            for i, vnode in enumerate(node.value):
                value = self.build(vnode)
                vstart, vend, alias = self._occurrence(value, pos)
                if value.is_null and vend <= pos:
                    dash = text.find("-", pos)
                    vstart = vend = (dash + 1) if dash != -1 else pos
                stmt_start = vstart
                if not flow:
                    j = vstart - 1
                    while j >= 0 and text[j] in " \t\r\n":
                        j -= 1
                    if j >= 0 and text[j] == "-":
                        stmt_start = j
                y.items.append(Item(value, Span(min(stmt_start, vend), vend), i, y, alias=alias))
                pos = max(pos, vend)
            end = node.end_mark.index if flow else pos
        if not flow:
            end = max(end, start)
        y.span = Span(start, end)
        y.raw = y.span.slice(text)
        return y

    def _occurrence(self, value: YNode, search_from: int) -> tuple[int, int, bool]:
        """Where ``value`` is written after ``search_from``: itself, or an alias to it."""
        if value.span.start >= search_from or value.anchor is None:
            end = value.span.end
            return value.span.start, end, False
        idx = self.text.find("*" + value.anchor, search_from)
        if idx == -1:
            return value.span.start, value.span.end, True
        return idx, idx + 1 + len(value.anchor), True


def _anchor(node) -> Optional[str]:
    a = getattr(node, "anchor", None)
    if a is None:
        return None
    return getattr(a, "value", a) if not isinstance(a, str) else a


# -- effective views -----------------------------------------------------------

def effective(node: Optional[YNode], policy: str = "last") -> dict[str, Entry]:
    """The entries of a mapping as the service sees them: one per key.

    ``policy`` says which of duplicate keys the service keeps: "last" or "first".
    Merged (``<<``) entries never override explicit ones.
    """
    out: dict[str, Entry] = {}
    if node is None or not node.is_map:
        return out
    for e in node.entries:
        if e.key_node.tag == MERGE_TAG:
            continue
        if e.key in out and not out[e.key].merged:
            if policy == "first" or e.merged:
                continue
        out[e.key] = e
    return out


def walk(node: YNode, path: str = "", depth: int = 0) -> Iterator[tuple[str, Entry | Item, YNode]]:
    """Every entry and item below ``node`` with its dotted path (``a.b[0].c``),
    as written (duplicates included, merged entries excluded)."""
    if depth > 200:
        return
    if node.is_map:
        for e in node.entries:
            if e.merged or e.key_node.tag == MERGE_TAG:
                continue
            p = f"{path}.{e.key}" if path else e.key
            yield p, e, e.value
            if not e.alias:
                yield from walk(e.value, p, depth + 1)
    elif node.is_seq:
        for it in node.items:
            p = f"{path}[{it.index}]"
            yield p, it, it.value
            if not it.alias:
                yield from walk(it.value, p, depth + 1)
