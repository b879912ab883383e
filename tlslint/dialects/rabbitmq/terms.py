"""Erlang terms (advanced.config, rabbitmq.config) with spans.

The grammar is ``grammars/erlang_terms.lark``. Data terms become ``Term``
objects; code (funs, calls, operators, blocks) becomes an ``opaque`` Term
that only remembers its span, so a fixer can still point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from tlslint.source import Span


@lru_cache(maxsize=None)
def parser():
    from tlslint import larkcache
    from tlslint.grammars import read_grammar

    grammar = read_grammar("erlang_terms.lark")
    return larkcache.build("erlang_terms", grammar, lexer="contextual", propagate_positions=True,
                           maybe_placeholders=False)


@dataclass(eq=False)
class Term:
    kind: str  # atom string binary int float tuple list map opaque var
    span: Span
    value: Any = None  # atom name, decoded text, number, [Term], [(Term, Term)] for maps
    tail: Optional["Term"] = None  # list tail ([a | T])
    elements: list = field(default_factory=list)

    def text(self, source_text: str) -> str:
        return source_text[self.span.start:self.span.end]

    @property
    def is_proplist(self) -> bool:
        return self.kind == "list"

    def get(self, key: str) -> Optional["Term"]:
        """The value of ``{key, V}`` in a proplist (first match, as proplists:get_value)."""
        if self.kind != "list":
            return None
        for item in self.value:
            if item.kind == "tuple" and len(item.value) == 2 and item.value[0].kind == "atom" \
                    and item.value[0].value == key:
                return item.value[1]
        return None

    def entries(self):
        """(key atom Term, value Term, tuple Term) of every 2-tuple with an atom key."""
        if self.kind != "list":
            return
        for item in self.value:
            if item.kind == "tuple" and len(item.value) == 2 and item.value[0].kind == "atom":
                yield item.value[0], item.value[1], item

    def to_python(self):
        if self.kind in ("list", "tuple"):
            items = [t.to_python() for t in self.value]
            return tuple(items) if self.kind == "tuple" else items
        if self.kind == "map":
            return {k.to_python(): v.to_python() for k, v in self.value}
        return self.value


_ESC = {"b": "\b", "d": "\x7f", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "s": " ",
        "t": "\t", "v": "\v"}
_ESC_RE = re.compile(r"\\(?:([0-7]{1,3})|x\{([0-9A-Fa-f]+)\}|x([0-9A-Fa-f]{2})|\^(.)|([\s\S]))")


def unescape(body: str) -> str:
    def sub(m: re.Match) -> str:
        octal, hexl, hex2, ctrl, other = m.groups()
        if octal:
            return chr(int(octal, 8))
        if hexl:
            return chr(int(hexl, 16))
        if hex2:
            return chr(int(hex2, 16))
        if ctrl:
            return chr(ord(ctrl) & 0x1F)
        return _ESC.get(other, other)

    return _ESC_RE.sub(sub, body)


def _int(text: str) -> int:
    text = text.replace("_", "")
    if "#" in text:
        base, digits = text.split("#", 1)
        return int(digits, int(base))
    return int(text)


class TermSyntaxError(Exception):
    def __init__(self, pos: int, message: str):
        super().__init__(message)
        self.pos = pos
        self.message = message


# Real configs nest a handful of levels; hostile ones 100,000. Deeper than
# this is reported (TLS001 at the bracket) instead of recursing.
MAX_NESTING = 100
_NEST_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|\'(?:[^\'\\]|\\.)*\'?|%[^\n]*|\$\\?.|<<|>>|#\{|[\[\]{}()]',
                         re.DOTALL)


def nesting_overflow(text: str, limit: int = MAX_NESTING) -> Optional[int]:
    """Offset of the first bracket nested deeper than ``limit``, else None
    (strings, quoted atoms, comments and ``$c`` characters are skipped)."""
    depth = 0
    for m in _NEST_TOKEN.finditer(text):
        tok = m.group(0)
        if tok in ("[", "{", "(", "<<", "#{"):
            depth += 1
            if depth > limit:
                return m.start()
        elif tok in ("]", "}", ")", ">>"):
            depth = max(0, depth - 1)
    return None


def parse_terms(text: str) -> Optional[Term]:
    """Parse ``text`` (one expression and a dot). None for an empty file (just a dot).

    Raises TermSyntaxError with the offset of the offending token.
    """
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    deep = nesting_overflow(text)
    if deep is not None:
        raise TermSyntaxError(deep, f"terms nested more than {MAX_NESTING} levels deep: not analysed")
    try:
        tree = parser().parse(text)
    except UnexpectedToken as exc:
        tok = exc.token
        pos = tok.start_pos if tok.start_pos is not None else len(text)
        what = "end of file" if tok.type == "$END" else repr(str(tok.value)[:30])
        raise TermSyntaxError(pos, f"syntax error before {what}") from None
    except UnexpectedCharacters as exc:
        raise TermSyntaxError(exc.pos_in_stream, f"illegal character {text[exc.pos_in_stream]!r}") from None
    except UnexpectedEOF:
        raise TermSyntaxError(len(text), "unexpected end of file (missing the final '.'?)") from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise TermSyntaxError(getattr(exc, "pos_in_stream", 0) or 0, str(exc).splitlines()[0]) from None
    if tree.data == "empty":
        return None
    try:
        return _convert(tree.children[0])
    except RecursionError:  # nesting_overflow() should have caught it
        raise TermSyntaxError(0, "terms nested too deeply: not analysed") from None


def _span(node) -> Span:
    from lark import Token

    if isinstance(node, Token):
        return Span(node.start_pos, node.end_pos)
    return Span(node.meta.start_pos, node.meta.end_pos)


def _convert(node) -> Term:
    from lark import Token

    if isinstance(node, Token):
        if node.type == "VAR":
            return Term("var", _span(node), str(node))
        return Term("opaque", _span(node), str(node))
    data = node.data
    kids = node.children
    span = _span(node)
    if data == "atom":
        tok = kids[0]
        name = unescape(tok[1:-1]) if tok.type == "QATOM" else str(tok)
        return Term("atom", span, name)
    if data == "string":
        return Term("string", span, "".join(unescape(t[1:-1]) for t in kids))
    if data == "number":
        tok = kids[0]
        if tok.type == "FLOAT":
            return Term("float", span, float(tok.replace("_", "")))
        if tok.type == "CHAR":
            body = tok[1:]
            return Term("int", span, ord(unescape(body)) if body.startswith("\\") else ord(body))
        return Term("int", span, _int(tok))
    if data == "var":
        return Term("var", span, str(kids[0]))
    if data == "tuple":
        return Term("tuple", span, [_convert(k) for k in kids if not isinstance(k, Token)])
    if data == "list":
        converted, tail, after_pipe = [], None, False
        for k in kids:
            if isinstance(k, Token) and k.type == "PIPE":
                after_pipe = True
            elif after_pipe:
                tail = _convert(k)
            else:
                converted.append(_convert(k))
        return Term("list", span, converted, tail=tail)
    if data == "map":
        pairs = []
        for assoc in kids:
            if isinstance(assoc, Token):
                continue
            parts = [k for k in assoc.children if not (isinstance(k, Token) and k.type in ("ASSOC", "EXACT"))]
            pairs.append((_convert(parts[0]), _convert(parts[1])))
        return Term("map", span, pairs)
    if data == "binary":
        elems = [k for k in kids if not isinstance(k, Token)]
        text = []
        for elem in elems:
            first = elem.children[0]
            if not isinstance(first, Token) and first.data == "string" and len(elem.children) <= 3:
                text.append("".join(unescape(t[1:-1]) for t in first.children))
            elif isinstance(first, Token) and first.type == "INT" and len(elem.children) == 1:
                text.append(chr(_int(first) & 0xFF))
            else:
                return Term("opaque", span, None)
        return Term("binary", span, "".join(text))
    if data == "unary":
        sign, operand = kids[0], _convert(kids[1])
        if operand.kind in ("int", "float"):
            return Term(operand.kind, span, -operand.value if sign == "-" else operand.value)
        return Term("opaque", span, None)
    if data == "paren":
        inner = _convert(kids[0])
        return inner
    return Term("opaque", span, None)
