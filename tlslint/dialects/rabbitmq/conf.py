"""rabbitmq.conf (cuttlefish) files: lossless parsing of one file.

The grammar is ``grammars/rabbitmq_conf.lark``; this module turns its token
stream into Settings (with exact spans), include directives, comments and
syntax problems located where cuttlefish reports them: at column 1 of the
first line it could not parse (``{conf_syntax, {File, {Line, Col}}}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tlslint.model import Comment, Location, Problem, Setting
from tlslint.source import Source, Span

SURROGATE = re.compile("[\udc80-\udcff]")


@lru_cache(maxsize=None)
def parser():
    """The LALR parser, built once per process on first use."""
    from tlslint import larkcache
    from tlslint.grammars import read_grammar

    grammar = read_grammar("rabbitmq_conf.lark")
    return larkcache.build("rabbitmq_conf", grammar, lexer="contextual", maybe_placeholders=False)


@dataclass(eq=False)
class ConfSetting:
    setting: Setting
    style: str  # unescaped | escaped | multiline
    segments: tuple[str, ...]


@dataclass(eq=False)
class Include:
    pattern: str
    span: Span
    statement: Span
    source: Source


@dataclass(eq=False)
class ConfFile:
    source: Source
    items: list = field(default_factory=list)  # ConfSetting | Include, in file order
    comments: list[Comment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ok: bool = True


def key_segments(key: str) -> tuple[str, ...]:
    """Split a written key on its unescaped dots (``a\\.b.c`` -> ``("a.b", "c")``)."""
    parts = re.split(r"(?<!\\)\.", key)
    return tuple(p.replace("\\.", ".") for p in parts)


def unquote(raw: str, style: str) -> str:
    if style == "escaped":
        return raw.strip("'")
    if style == "multiline":
        value = raw
        while True:
            if value.startswith("\r\n"):
                value = value[2:]
            elif value[:1] in ("'", "\n"):
                value = value[1:]
            else:
                break
        while True:
            if value.endswith("\r\n"):
                value = value[:-2]
            elif value[-1:] in ("'", "\n"):
                value = value[:-1]
            else:
                break
        return value
    return raw


def _syntax_message(exc, text: str) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        expected = set(exc.expected)
        if tok.type == "$END" or tok.type == "_NL":
            if expected & {"MULTILINE", "ESCAPED", "UNESCAPED"}:
                return "no value after '=' (cuttlefish has no empty values; write '' for an empty string)"
            if "EQ" in expected:
                return "a key without '= value'"
        if tok.type == "WS" and "COMMENT" in expected and not expected & {"EQ", "UNESCAPED"}:
            return "blanks after the include path (cuttlefish rejects them)"
        if expected & {"WS", "COMMENT", "_NL"} and not expected & {"EQ", "UNESCAPED"}:
            return f"text after the quoted value: {str(tok.value)[:30]!r}"
        if "EQ" in expected:
            return f"expected '=' after the key, found {str(tok.value)[:30]!r}"
        return f"unexpected {str(tok.value)[:30]!r}"
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        allowed = set(exc.allowed or ())
        if "EQ" in allowed or "KEY" in allowed:
            return f"character {ch!r} cannot appear in a key (only letters, digits, '_', '-', and '.' between words)"
        return f"unexpected character {ch!r}"
    return "cannot parse"


def parse_file(source: Source) -> ConfFile:
    """Parse one rabbitmq.conf-format file. Never raises on bad input."""
    from lark.exceptions import UnexpectedInput

    result = ConfFile(source)
    text = source.text
    bad = SURROGATE.search(text)
    if bad:
        line, _ = source.line_col(bad.start())
        start = bad.start() - source.line_col(bad.start())[1] + 1
        result.problems.append(Problem(
            "TLS001", Location(source, Span(start, start)),
            f"invalid UTF-8 on line {line}: cuttlefish reads rabbitmq.conf as strict UTF-8 "
            "and the node does not boot ({conf_to_unicode, Line})"))
        result.ok = False
        return result
    work = " " + text[1:] if text.startswith("\ufeff") else text
    tokens = []
    line_start = 0
    ip = parser().parse_interactive(work)
    try:
        for tok in ip.iter_parse():
            tokens.append(tok)
            if tok.type == "_NL":
                line_start = tok.end_pos
        ip.feed_eof()
    except UnexpectedInput as exc:
        line, col = source.line_col(line_start)
        detail = _syntax_message(exc, work)
        result.problems.append(Problem(
            "TLS001", Location(source, Span(line_start, line_start)),
            f"syntax error: {detail}; RabbitMQ stops with \"Syntax error in {source.path.name} "
            f"after line {line} column {col}, parsing incomplete\" and the node does not boot"))
        result.ok = False
        return result
    _build(result, tokens)
    return result


def _build(result: ConfFile, tokens) -> None:
    source = result.source
    text = source.text
    line: list = []

    def flush():
        if not line:
            return
        start = line[0].start_pos
        end = line[-1].end_pos
        kinds = {t.type: t for t in line}
        for t in line:
            if t.type == "COMMENT":
                hash_at = t.start_pos + t.value.index("#")
                result.comments.append(Comment(source, Span(hash_at, t.end_pos), text[hash_at + 1:t.end_pos]))
        if "KEY" in kinds:
            key_tok = kinds["KEY"]
            value_tok = next(t for t in line if t.type in ("MULTILINE", "ESCAPED", "UNESCAPED"))
            style = {"MULTILINE": "multiline", "ESCAPED": "escaped", "UNESCAPED": "unescaped"}[value_tok.type]
            vspan = Span(value_tok.start_pos, value_tok.end_pos)
            raw = text[vspan.start:vspan.end]
            stmt_start = line[0].start_pos if line[0].type == "WS" else key_tok.start_pos
            stmt_end = value_tok.end_pos if line[-1].type == "WS" else end
            setting = Setting(key=key_tok.value, value=unquote(raw, style), raw=raw, span=vspan,
                              source=source, key_span=Span(key_tok.start_pos, key_tok.end_pos),
                              statement=Span(stmt_start, max(stmt_end, vspan.end)))
            result.items.append(ConfSetting(setting, style, key_segments(key_tok.value)))
        elif "INCLUDE" in kinds:
            tok = kinds["INCLUDE"]
            pattern = re.split(r"[ \t]+", tok.value, maxsplit=1)[1]
            pstart = tok.end_pos - len(pattern)
            result.items.append(Include(pattern, Span(pstart, tok.end_pos), Span(start, end), source))
        line.clear()

    for tok in tokens:
        if tok.type == "_NL":
            flush()
        else:
            line.append(tok)
    flush()
