"""Text edits on nginx configs that keep quoting, indentation and line endings."""

from __future__ import annotations

import re
from typing import Optional

from tlslint.findings import Edit
from tlslint.model import Setting, TlsEndpoint
from tlslint.source import Span

from .endpoints import ENDPOINT_BLOCKS
from .syntax import Node, NginxSetting

# Directives whose value is a list of words: set_value() splits the new value.
MULTI_ARG = frozenset({
    "listen", "server_name", "ssl_protocols", "proxy_ssl_protocols", "grpc_ssl_protocols",
    "uwsgi_ssl_protocols", "ssl_conf_command", "proxy_ssl_conf_command", "grpc_ssl_conf_command",
    "uwsgi_ssl_conf_command", "ssl_session_cache", "resolver", "add_header", "error_page",
})

_NEEDS_QUOTES = re.compile(r"[ \t\r\n;{\"'\\]|^[#}]|^$")


def quote(value: str, style: str = "") -> str:
    """``value`` written as a word nginx reads back as ``value``.

    ``style`` is the quote character of the original word ('"', "'" or "");
    an unquoted word that would not survive unquoted gets double quotes.
    """
    if not style and not _NEEDS_QUOTES.search(value):
        return value
    q = style or '"'
    return q + value.replace("\\", "\\\\").replace(q, "\\" + q) + q


def _style(raw: str) -> str:
    return raw[0] if raw[:1] in ('"', "'") else ""


def set_value(setting: Setting, new_value: str) -> Edit:
    source = setting.source
    if isinstance(setting, NginxSetting):
        args = setting.args
        if not args:
            return Edit(source, setting.span, " " + quote(new_value))
        style = _style(args[0].raw)
        if len(args) > 1 or setting.key in MULTI_ARG:
            words = new_value.split() or [""]
            text = " ".join(quote(w, style) for w in words)
            return Edit(source, Span(args[0].span.start, args[-1].span.end), text)
        return Edit(source, setting.span, quote(new_value, style))
    return Edit(source, setting.span, quote(new_value, _style(setting.raw)))


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end == -1 else end)


def _eol(text: str, pos: int) -> str:
    _, end = _line_bounds(text, pos)
    if end < len(text) and end > 0 and text[end - 1] == "\r":
        return "\r\n"
    if end == len(text) and "\r\n" in text:
        return "\r\n"
    return "\n"


def _indent_of(text: str, pos: int) -> Optional[str]:
    """The indentation of the line at ``pos`` if only blanks precede ``pos`` on it."""
    start, _ = _line_bounds(text, pos)
    before = text[start:pos]
    return before if before.strip(" \t") == "" else None


def _insert_after(text: str, end: int, indent: str, directive: str, eol: str) -> tuple[int, str]:
    _, line_end = _line_bounds(text, end)
    rest = text[end:line_end].rstrip("\r")
    if rest.strip() == "" or rest.lstrip().startswith("#"):
        return end + len(rest), eol + indent + directive
    return end, " " + directive


def insert_setting(endpoint: TlsEndpoint, key: str, value: str) -> Edit:
    block, level = ENDPOINT_BLOCKS.get(endpoint, (None, []))
    words = value.split() if key in MULTI_ARG else [value]
    directive = " ".join([key] + [quote(w) for w in words]) + ";"
    family = key.split("_ssl", 1)[0] + "_ssl" if "_ssl" in key else "ssl"

    if block is not None:
        source = block.source
        own: list[Node] = [n for n in (block.children or [])]
    else:
        source = endpoint.anchor.source
        own = [n for n in level if n.source is source]
    text = source.text
    related = [n for n in own if n.key == family or n.key.startswith(family + "_")
               or (family != "ssl" and n.key == family.replace("_ssl", "_pass"))]

    if related:
        last = related[-1]
        stmt = last.setting.statement or last.setting.span
        indent = _indent_of(text, stmt.start)
        eol = _eol(text, stmt.start)
        if indent is None:
            return Edit(source, Span(stmt.end, stmt.end), " " + directive)
        pos, insertion = _insert_after(text, stmt.end, indent, directive, eol)
        return Edit(source, Span(pos, pos), insertion)

    if block is not None:
        lbrace = block.lbrace
        stmt = block.setting.statement or block.setting.span
        eol = _eol(text, stmt.start)
        indent: Optional[str] = None
        if own:
            first = own[0].setting.statement or own[0].setting.span
            indent = _indent_of(text, first.start)
        if indent is None:
            outer = _indent_of(text, stmt.start) or ""
            indent = outer + ("\t" if "\t" in outer else "    ")
        pos, insertion = _insert_after(text, lbrace + 1, indent, directive, eol)
        return Edit(source, Span(pos, pos), insertion)

    # a fragment file: before its first directive
    if own:
        first = own[0].setting.statement or own[0].setting.span
        indent = _indent_of(text, first.start) or ""
        start, _ = _line_bounds(text, first.start)
        eol = _eol(text, first.start)
        return Edit(source, Span(start, start), indent + directive + eol)
    start = 1 if text.startswith("\ufeff") else 0
    return Edit(source, Span(start, start), directive + _eol(text, 0))


def remove_setting(setting: Setting) -> Edit:
    source = setting.source
    text = source.text
    stmt = setting.statement or setting.span
    line_start, line_end = _line_bounds(text, stmt.start)
    _, stmt_line_end = _line_bounds(text, max(stmt.end - 1, stmt.start))
    before = text[line_start:stmt.start]
    after = text[stmt.end:stmt_line_end]
    if before.strip(" \t") == "" and after.strip(" \t\r") == "":
        end = stmt_line_end + 1 if stmt_line_end < len(text) else stmt_line_end
        return Edit(source, Span(line_start, end), "")
    j = stmt.end
    while j < len(text) and text[j] in " \t":
        j += 1
    if j < len(text) and text[j] not in "\r\n":
        return Edit(source, Span(stmt.start, j), "")
    i = stmt.start
    while i > line_start and text[i - 1] in " \t":
        i -= 1
    return Edit(source, Span(i, stmt.end), "")
