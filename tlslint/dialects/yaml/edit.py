"""Edits on YAML text by span: nothing is re-serialised.

* ``set_value(setting, new)`` rewrites the value in the setting's own style:
  double- or single-quoted stay so, plain stays plain when the new value is
  a safe plain scalar (else double quotes), block scalars keep their header
  and indentation; sequences (``new`` a list, or a comma string) keep flow or
  block style and the item indentation.
* ``insert_setting(endpoint, key, value)`` adds ``key: value`` (``key`` is
  relative to the endpoint's section, dotted for nesting, e.g.
  ``tls_params.tls_minimum_protocol_version``; missing intermediate maps are
  created) after the section's last key, with its indentation and the file's
  line ending, or inside ``{...}`` for flow maps. Envoy files written in
  lowerCamelCase get camelCase keys; flat dialects (Elasticsearch, MongoDB)
  get the dotted prefix their file uses.
* ``remove_setting(setting)`` removes the key (or sequence item) with its
  line(s) and trailing comment, or with its comma in flow style.
"""

from __future__ import annotations

import json
import re
from typing import Sequence, Union

from tlslint.findings import Edit
from tlslint.model import Setting, TlsEndpoint
from tlslint.source import Span
from tlslint.dialects.yaml.base import ENDPOINT_META, SETTING_META, snake_to_camel
from tlslint.dialects.yaml.tree import Entry, YNode, effective

Value = Union[str, Sequence[str]]

_PLAIN_OK = re.compile(r"^[A-Za-z0-9_./@+~$(][^\n]*$")
_FLOW_BAD = re.compile(r"[,\[\]{}]")


def _eol(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or not _PLAIN_OK.match(value):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    if flow and _FLOW_BAD.search(value):
        return False
    return True


def _double(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _single(value: str) -> str:
    if "\n" in value:
        return _double(value)
    return "'" + value.replace("'", "''") + "'"


def render_scalar(value: str, style=None, flow: bool = False) -> str:
    value = str(value)
    if style == '"':
        return _double(value)
    if style == "'":
        return _single(value)
    return value if _plain_ok(value, flow) else _double(value)


def _column(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1)


def _as_list(value: Value) -> list[str]:
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,:]", value) if p.strip()] if ("," in value or ":" in value) \
            else [value]
    return [str(v) for v in value]


def set_value(setting: Setting, new_value: Value) -> Edit:
    text = setting.source.text
    meta = SETTING_META.get(setting)
    if meta is not None and meta.at_key:
        raise ValueError(f"{setting.key} is a mapping; set its keys instead")
    node: YNode | None = meta.occurrence.value if meta is not None else None
    parent_flow = bool(meta is not None and meta.occurrence.parent.flow)
    if node is not None and node.is_seq:
        items = _as_list(new_value)
        first = node.items[0].value if node.items else None
        style = first.style if first is not None and first.style in ("'", '"') else None
        if node.flow:
            return Edit(setting.source, setting.span,
                        "[" + ", ".join(render_scalar(v, style, True) for v in items) + "]")
        indent = " " * _column(text, setting.span.start)
        sep = _eol(text) + indent
        return Edit(setting.source, setting.span, sep.join("- " + render_scalar(v, style) for v in items))
    value = new_value if isinstance(new_value, str) else ", ".join(new_value)
    raw = setting.raw
    style = node.style if node is not None else (raw[:1] if raw[:1] in ("'", '"') else None)
    if style in ("|", ">"):
        header, _, body = raw.partition("\n")
        indent = re.match(r"[ \t]*", body).group(0) if body else " " * (_column(text, setting.span.start) + 2)
        eol = _eol(text)
        lines = value.rstrip("\n").split("\n")
        return Edit(setting.source, setting.span, header + eol + eol.join(indent + ln if ln else "" for ln in lines))
    rendered = render_scalar(value, style, parent_flow)
    if raw == "" and setting.span.start > 0 and text[setting.span.start - 1] == ":":
        rendered = " " + rendered
    return Edit(setting.source, setting.span, rendered)


def _render_value(value: Value, flow: bool = True) -> str:
    if isinstance(value, str):
        return render_scalar(value, None, flow)
    return "[" + ", ".join(render_scalar(v, None, True) for v in value) + "]"


def _line_end(text: str, offset: int) -> int:
    """Offset of the line break ending the line that contains ``offset`` (before a CR)."""
    nl = text.find("\n", offset)
    if nl == -1:
        return len(text)
    return nl - 1 if nl > 0 and text[nl - 1] == "\r" else nl


def insert_setting(endpoint: TlsEndpoint, key: str, value: Value) -> Edit:
    meta = ENDPOINT_META.get(endpoint)
    if meta is None:
        raise ValueError(f"{endpoint.label}: no section to insert into")
    source = endpoint.source
    text = source.text
    parts = key.split(".")
    if meta.camel:
        parts = [snake_to_camel(p) for p in parts]
    node = meta.section
    if meta.prefix:
        parts = [meta.prefix + ".".join(parts)]
    else:
        # descend into maps that already exist
        while len(parts) > 1:
            e = effective(node).get(parts[0])
            if e is None or not e.value.is_map or e.alias or e.merged:
                break
            node = e.value
            parts = parts[1:]
    entries = [e for e in node.entries if not e.merged]
    eol = _eol(text)
    if node.flow:
        body = _nested_flow(parts, value)
        if entries:
            last = max(entries, key=lambda e: e.statement.end)
            return Edit(source, Span(last.statement.end, last.statement.end), ", " + body)
        close = node.span.end - 1
        return Edit(source, Span(close, close), body)
    if not entries:
        raise ValueError(f"{endpoint.label}: empty section, nothing to align with")
    indent = _column(text, entries[0].key_node.span.start)
    last = max(entries, key=lambda e: e.statement.end)
    pos = _line_end(text, last.statement.end)
    lines = []
    for depth, part in enumerate(parts):
        pad = " " * (indent + 2 * depth)
        if depth == len(parts) - 1:
            lines.append(f"{pad}{part}: {_render_value(value)}")
        else:
            lines.append(f"{pad}{part}:")
    return Edit(source, Span(pos, pos), eol + eol.join(lines))


def _nested_flow(parts: list[str], value: Value) -> str:
    out = f"{parts[-1]}: {_render_value(value)}"
    for p in reversed(parts[:-1]):
        out = f"{p}: {{{out}}}"
    return out


def remove_setting(setting: Setting) -> Edit:
    meta = SETTING_META.get(setting)
    text = setting.source.text
    stmt = setting.statement or setting.span
    if meta is None:
        return Edit(setting.source, stmt, "")
    occ = meta.occurrence
    parent = occ.parent
    if parent.flow:
        siblings = parent.entries if isinstance(occ, Entry) else parent.items
        siblings = [s for s in siblings if not getattr(s, "merged", False)]
        idx = next(i for i, s in enumerate(siblings) if s is occ)
        if idx + 1 < len(siblings):
            return Edit(setting.source, Span(stmt.start, siblings[idx + 1].statement.start), "")
        if idx > 0:
            return Edit(setting.source, Span(siblings[idx - 1].statement.end, stmt.end), "")
        return Edit(setting.source, stmt, "")
    line_start = text.rfind("\n", 0, stmt.start) + 1
    before = text[line_start:stmt.start]
    if before.strip() == "":
        start = line_start
    elif isinstance(occ, Entry) and before.strip() == "-":
        # first key of a sequence item's mapping: pull the next key up, or drop the item
        later = [e for e in parent.entries if not e.merged and e.statement.start > stmt.start]
        if later:
            return Edit(setting.source, Span(stmt.start, min(e.key_node.span.start for e in later)), "")
        start = line_start
    else:
        start = stmt.start
    nl = text.find("\n", stmt.end)
    end = len(text) if nl == -1 else nl + 1
    if start == line_start and nl == -1 and line_start > 0:
        # last line without a newline: take the preceding line break instead
        start = line_start - 1 - (1 if line_start >= 2 and text[line_start - 2] == "\r" else 0)
    return Edit(setting.source, Span(start, end), "")
