"""nginx syntax: a lexer with nginx's own tokenizer rules feeding a lark LALR
parser built from ``grammars/nginx.lark``, and the directive tree it yields.

The grammar file holds the token patterns and the statement structure; the
lexer here adds what a regular lexer cannot do (see the grammar's header):
the "separator after a closing quote" check, Lua block bodies, and keeping
comments aside. The parser is built once per process, on first use.

Every directive becomes a :class:`Node` around a :class:`tlslint.model.Setting`
whose spans index the file text exactly (``text[span] == raw``), for the
directive and for each of its arguments.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from typing import Optional

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from tlslint import larkcache
from tlslint.grammars import read_grammar
from tlslint.model import Setting
from tlslint.source import Source, Span

EOF_IN_DIRECTIVE = 'unexpected end of file, expecting ";" or "}"'
EOF_IN_BLOCK = 'unexpected end of file, expecting "}"'

LUA_BLOCK_SUFFIX = "_by_lua_block"

# What nginx's ngx_conf_handler checks right after reading a statement, for
# directives whose block-ness is known (unknown directives are left alone:
# they may come from any module).
BLOCK_DIRECTIVES = frozenset({
    "events", "http", "location", "upstream", "if", "types", "map", "geo",
    "split_clients", "limit_except", "stream", "mail", "charset_map", "match",
})
_TLS_TAKE1 = """
    ssl_certificate ssl_certificate_key ssl_password_file ssl_ciphers ssl_verify_client ssl_verify_depth
    ssl_client_certificate ssl_trusted_certificate ssl_crl ssl_dhparam ssl_ecdh_curve ssl_session_timeout
    ssl_stapling_file ssl_stapling_responder ssl_buffer_size ssl_ocsp ssl_ocsp_responder ssl_ocsp_cache
    ssl_session_ticket_key ssl_handshake_timeout starttls
""".split() + [f"{p}_ssl_{s}" for p in ("proxy", "grpc", "uwsgi") for s in (
    "verify_depth", "trusted_certificate", "name", "certificate", "certificate_key", "password_file", "ciphers",
    "crl")]

# on|off directives: one argument, "on" or "off" (ngx_conf_set_flag_slot)
FLAG_DIRECTIVES = frozenset("""
    ssl ssl_prefer_server_ciphers ssl_session_tickets ssl_stapling ssl_stapling_verify ssl_early_data
    ssl_reject_handshake ssl_preread proxy_ssl
""".split() + [f"{p}_ssl_{s}" for p in ("proxy", "grpc", "uwsgi") for s in (
    "verify", "server_name", "session_reuse")])

# directive -> (min, max) number of arguments (max None: no limit), for the
# directives whose arity does not depend on the context.
ARITY: dict[str, tuple[int, Optional[int]]] = {
    **{name: (1, 1) for name in _TLS_TAKE1},
    **{name: (1, 1) for name in FLAG_DIRECTIVES},
    "ssl_protocols": (1, None), "proxy_ssl_protocols": (1, None), "grpc_ssl_protocols": (1, None),
    "uwsgi_ssl_protocols": (1, None),
    "ssl_conf_command": (2, 2), "proxy_ssl_conf_command": (2, 2), "grpc_ssl_conf_command": (2, 2),
    "uwsgi_ssl_conf_command": (2, 2),
    "ssl_session_cache": (1, 2),
    "include": (1, 1), "user": (1, 2), "worker_processes": (1, 1), "pid": (1, 1),
    "listen": (1, None), "server_name": (1, None), "proxy_pass": (1, 1), "grpc_pass": (1, 1),
    "uwsgi_pass": (1, 1), "root": (1, 1), "location": (1, 2),
    "http": (0, 0), "events": (0, 0), "stream": (0, 0), "mail": (0, 0), "types": (0, 0),
}

# Blocks whose body is not directives but a table (map/types/geo... entries):
# ngx_conf_handler is not called for their lines, so none of its checks apply.
TABLE_BLOCKS = frozenset({"map", "types", "geo", "split_clients", "charset_map"})

# The value checks of the slot functions (src/core/ngx_conf_file.c,
# ngx_parse.c), worded as nginx 1.22 words them ("in FILE:LINE" is added by
# the loader's location). nginx compares enum and bitmask names case-insensitively.
SSL_PROTOCOL_NAMES = frozenset({"sslv2", "sslv3", "tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"})
# ngx_conf_set_enum_slot: one name of the list
ENUM_VALUES: dict[str, frozenset] = {
    "ssl_verify_client": frozenset({"on", "off", "optional", "optional_no_ca"}),
    "ssl_ocsp": frozenset({"on", "off", "leaf"}),
    "starttls": frozenset({"on", "off", "only"}),  # mail
}
# ngx_conf_set_bitmask_slot: every argument one name of the list
BITMASK_VALUES: dict[str, frozenset] = {
    name: SSL_PROTOCOL_NAMES
    for name in ("ssl_protocols", "proxy_ssl_protocols", "grpc_ssl_protocols", "uwsgi_ssl_protocols")
}
# ngx_conf_set_num_slot (ngx_atoi)
NUMBER_DIRECTIVES = frozenset(["ssl_verify_depth"] + [f"{p}_ssl_verify_depth" for p in ("proxy", "grpc", "uwsgi")])
# ngx_conf_set_size_slot (ngx_parse_size)
SIZE_DIRECTIVES = frozenset({"ssl_buffer_size"})
# ngx_conf_set_sec_slot / ngx_conf_set_msec_slot (ngx_parse_time)
SEC_DIRECTIVES = frozenset({"ssl_session_timeout"})
MSEC_DIRECTIVES = frozenset({"ssl_handshake_timeout"})

NGX_MAX_INT = 2 ** 63 - 1  # NGX_MAX_INT_T_VALUE and NGX_MAX_SIZE_T_VALUE on 64-bit builds


def ngx_atoi(text: str, limit: int = NGX_MAX_INT) -> Optional[int]:
    """ngx_atoi/ngx_atosz: decimal digits only, no sign, no overflow; None when nginx says NGX_ERROR."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= limit else None


def ngx_parse_size(text: str) -> Optional[int]:
    """ngx_parse_size: digits with an optional k/K or m/M suffix."""
    scale = {"k": 1024, "m": 1024 * 1024}.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale != 1 else text
    size = ngx_atoi(digits)
    if size is None or size > NGX_MAX_INT // scale:
        return None
    return size * scale


_TIME_UNITS = {"y": (1, 60 * 60 * 24 * 365), "M": (2, 60 * 60 * 24 * 30), "w": (3, 60 * 60 * 24 * 7),
               "d": (4, 60 * 60 * 24), "h": (5, 60 * 60), "m": (6, 60), "s": (7, 1)}


def ngx_parse_time(text: str, is_sec: bool) -> Optional[int]:
    """ngx_parse_time: ``1y2M3w4d5h6m7s`` (units in that order, each once,
    ``ms`` only for msec values, ``y`` not for msec), blanks between parts;
    None when nginx says NGX_ERROR. Returns seconds (is_sec) or milliseconds."""
    step = 0 if is_sec else 2  # st_start / st_month
    value = total = 0
    valid = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        i += 1
        if "0" <= c <= "9":
            value = value * 10 + ord(c) - 48
            if value > NGX_MAX_INT:
                return None
            valid = True
            continue
        if c == "m" and i < n and text[i] == "s":
            if is_sec or step >= 8:
                return None
            i += 1
            step, scale, max_ = 8, 1, NGX_MAX_INT
        elif c in _TIME_UNITS:
            rank, scale = _TIME_UNITS[c]
            if (step > 0 if c == "y" else step >= rank):
                return None
            step, max_ = rank, NGX_MAX_INT // scale
        elif c == " ":
            if step >= 7:
                return None
            step, scale, max_ = 9, 1, NGX_MAX_INT
        else:
            return None
        if step != 8 and not is_sec:
            scale *= 1000
            max_ //= 1000
        if value > max_:
            return None
        value *= scale
        if total > NGX_MAX_INT - value:
            return None
        total += value
        value = 0
        while i < n and text[i] == " ":
            i += 1
    if not valid:
        return None
    if not is_sec:
        if value > NGX_MAX_INT // 1000:
            return None
        value *= 1000
    if total > NGX_MAX_INT - value:
        return None
    return total + value


# The parameters of `listen` after the address, in the http, stream and mail
# modules of any current nginx (ngx_http_core_listen...): anything else is
# nginx's `invalid parameter "x"`. That is also what a missing ";" after
# `listen 443 ssl` gives: the next line's words become parameters.
LISTEN_FLAGS = frozenset({"default_server", "default", "ssl", "http2", "quic", "proxy_protocol",
                          "deferred", "bind", "reuseport", "udp", "multipath"})
LISTEN_VALUED = frozenset({"setfib", "fastopen", "backlog", "rcvbuf", "sndbuf", "accept_filter", "ipv6only",
                           "so_keepalive"})


def _keepalive_ok(value: str) -> bool:
    """so_keepalive=on|off|[idle][:[interval][:[count]]] as ngx_http_core_listen
    reads it: each part optional, a given part a positive time (count: number),
    and not all three zero or empty."""
    if value in ("on", "off"):
        return True
    parts = value.split(":", 2)
    parts += [""] * (3 - len(parts))
    idle, interval, count = parts
    numbers = []
    for part, parse in ((idle, lambda p: ngx_parse_time(p, True)), (interval, lambda p: ngx_parse_time(p, True)),
                        (count, ngx_atoi)):
        if not part:
            numbers.append(0)
            continue
        n = parse(part)
        if not n:  # unparsable, or 0
            return False
        numbers.append(n)
    return any(numbers)


def _listen_value_error(key: str, value: str, word: str) -> Optional[str]:
    """nginx's words for a bad value of a listen parameter (ngx_http_core_listen)."""
    if key == "backlog" and not (ngx_atoi(value) or 0) > 0:
        return f'invalid backlog "{word}"'
    if key in ("rcvbuf", "sndbuf") and ngx_parse_size(value) is None:
        return f'invalid {key} "{word}"'
    if key == "fastopen" and ngx_atoi(value) is None:
        return f'invalid fastopen "{word}"'
    if key == "so_keepalive" and not _keepalive_ok(value):
        return f'invalid so_keepalive value: "{value}"'
    if key == "ipv6only" and value not in ("on", "off"):
        # nginx matches "ipv6only=o" first: "ox" is bad flags, "yes" no parameter at all
        return f'invalid ipv6only flags "{value}"' if value.startswith("o") else f'invalid parameter "{word}"'
    if key == "setfib" and ngx_atoi(value) is None:
        return f'invalid parameter "{word}"'
    return None


def _listen_error(values: list[str]) -> Optional[str]:
    for word in values[1:]:
        key, has_value, value = word.partition("=")
        if "$" in word or (not has_value and word in LISTEN_FLAGS):
            continue
        if key in LISTEN_VALUED and has_value:
            error = _listen_value_error(key, value, word)
            if error is None:
                continue
            return error
        return f'invalid parameter "{word}"'
    return None


def _value_error(name: str, words: list) -> Optional[str]:
    """nginx's message when a slot function refuses the value, else None.
    Values with a variable (``$x``) are not judged: they are templates."""
    values = [word_value(raw) for raw, _ in words[1:]]
    if name == "listen":
        return _listen_error(values)
    if name in BITMASK_VALUES:
        names = BITMASK_VALUES[name]
        for value in values:
            if "$" not in value and value.lower() not in names:
                return f'invalid value "{value}"'
        return None
    value = values[0]
    if "$" in value:
        return None
    if name in FLAG_DIRECTIVES:
        if value.lower() not in ("on", "off"):
            return f'invalid value "{value}" in "{name}" directive, it must be "on" or "off"'
    elif name in ENUM_VALUES:
        if value.lower() not in ENUM_VALUES[name]:
            return f'invalid value "{value}"'
    elif name in NUMBER_DIRECTIVES:
        if ngx_atoi(value) is None:
            return f'"{name}" directive invalid number'
    elif name in SIZE_DIRECTIVES:
        if ngx_parse_size(value) is None:
            return f'"{name}" directive invalid value'
    elif name in SEC_DIRECTIVES or name in MSEC_DIRECTIVES:
        if ngx_parse_time(value, name in SEC_DIRECTIVES) is None:
            return f'"{name}" directive invalid value'
    return None


VALUE_CHECKED = frozenset(FLAG_DIRECTIVES | set(ENUM_VALUES) | set(BITMASK_VALUES) | NUMBER_DIRECTIVES
                          | SIZE_DIRECTIVES | SEC_DIRECTIVES | MSEC_DIRECTIVES | {"listen"})

SIMPLE_DIRECTIVES = frozenset("""
    include user worker_processes error_log pid load_module worker_connections daemon
    master_process worker_rlimit_nofile env
    listen server_name root alias index return rewrite set access_log log_format
    default_type sendfile keepalive_timeout client_max_body_size add_header expires
    try_files error_page allow deny resolver resolver_timeout http2 http3 quic_retry
    proxy_pass proxy_set_header proxy_redirect proxy_http_version proxy_buffering
    proxy_read_timeout proxy_connect_timeout proxy_send_timeout
    grpc_pass uwsgi_pass fastcgi_pass scgi_pass memcached_pass fastcgi_param uwsgi_param
    ssl ssl_certificate ssl_certificate_key ssl_password_file ssl_protocols ssl_ciphers
    ssl_prefer_server_ciphers ssl_verify_client ssl_verify_depth ssl_client_certificate
    ssl_trusted_certificate ssl_crl ssl_dhparam ssl_ecdh_curve ssl_session_cache
    ssl_session_timeout ssl_session_tickets ssl_session_ticket_key ssl_stapling
    ssl_stapling_verify ssl_stapling_file ssl_stapling_responder ssl_buffer_size
    ssl_early_data ssl_conf_command ssl_reject_handshake ssl_ocsp ssl_ocsp_cache
    ssl_ocsp_responder ssl_handshake_timeout ssl_preread ssl_alpn starttls
    proxy_ssl proxy_ssl_verify proxy_ssl_verify_depth proxy_ssl_trusted_certificate
    proxy_ssl_name proxy_ssl_server_name proxy_ssl_certificate proxy_ssl_certificate_key
    proxy_ssl_password_file proxy_ssl_protocols proxy_ssl_ciphers proxy_ssl_crl
    proxy_ssl_session_reuse proxy_ssl_conf_command
    grpc_ssl_verify grpc_ssl_verify_depth grpc_ssl_trusted_certificate grpc_ssl_name
    grpc_ssl_server_name grpc_ssl_certificate grpc_ssl_certificate_key grpc_ssl_password_file
    grpc_ssl_protocols grpc_ssl_ciphers grpc_ssl_crl grpc_ssl_session_reuse grpc_ssl_conf_command
    uwsgi_ssl_verify uwsgi_ssl_verify_depth uwsgi_ssl_trusted_certificate uwsgi_ssl_name
    uwsgi_ssl_server_name uwsgi_ssl_certificate uwsgi_ssl_certificate_key uwsgi_ssl_password_file
    uwsgi_ssl_protocols uwsgi_ssl_ciphers uwsgi_ssl_crl uwsgi_ssl_session_reuse uwsgi_ssl_conf_command
""".split())


class NginxSyntaxError(Exception):
    """A syntax error, worded as nginx words it, at a character offset."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


class Node:
    """One directive: its Setting, and for a block its children.

    ``children`` is None for a simple directive (``key args;``) and a list for a
    block (``key args { ... }``); a Lua block has ``lua=True`` and no children.
    ``lbrace``/``rbrace`` are the offsets of the block's braces.
    ``included`` is filled for ``include`` directives by the loader: the
    included files' top-level nodes, one list per file.
    """

    __slots__ = ("setting", "key", "children", "lbrace", "rbrace", "lua", "included")

    def __init__(self, setting: Setting, children: Optional[list] = None,
                 lbrace: int = -1, rbrace: int = -1, lua: bool = False):
        self.setting = setting
        self.key = setting.key
        self.children = children
        self.lbrace = lbrace
        self.rbrace = rbrace
        self.lua = lua
        self.included: Optional[list[list["Node"]]] = None

    @property
    def source(self) -> Source:
        return self.setting.source

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.setting.key!r}, {self.setting.value!r}, line {self.setting.line})"


# ---------------------------------------------------------------- values

_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}


def _unescape_match(m: "re.Match[str]") -> str:
    c = m.group(1)
    return _ESCAPES.get(c, "\\" + c)


def word_value(raw: str) -> str:
    """What nginx stores for a word: quotes removed; ``\\"`` ``\\'`` ``\\\\``
    lose the backslash, ``\\t`` ``\\r`` ``\\n`` become control characters,
    any other ``\\x`` keeps its backslash."""
    if raw[:1] in ('"', "'"):
        raw = raw[1:-1]
    if "\\" in raw:
        return _ESCAPE.sub(_unescape_match, raw)
    return raw


# ---------------------------------------------------------------- Lua bodies

_LUA_SCAN = re.compile(
    r"""--\[(=*)\[.*?\]\1\]      # long comment
      | --[^\n]*                # line comment
      | \[(=*)\[.*?\]\2\]       # long string
      | "(?:\\.|[^"\\\n])*"     # strings
      | '(?:\\.|[^'\\\n])*'
      | [{}]
    """,
    re.S | re.X,
)


def _lua_body_end(text: str, lbrace: int, end: int) -> int:
    """Offset just after the "}" closing the Lua block opened at ``lbrace``."""
    depth = 1
    for m in _LUA_SCAN.finditer(text, lbrace + 1, end):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    raise NginxSyntaxError(EOF_IN_BLOCK, end)


# ---------------------------------------------------------------- lexer

class LexInput:
    """What the lexer reads: a region of a source text (a whole file, or one
    file of an ``nginx -T`` dump)."""

    __slots__ = ("text", "start", "end", "comments", "table")

    def __init__(self, text: str, start: int, end: int, table: bool = False):
        self.text = text
        self.start = start
        self.end = end
        self.comments: list[tuple[int, int]] = []
        self.table = table  # a file included inside map/types...: table entries, not directives


_new_token = getattr(Token, "_future_new", Token)
_TOKEN_ORDER = ("WS", "COMMENT", "SEMI", "LBRACE", "RBRACE", "WORD")


class NginxLexer(Lexer):
    """nginx's tokenizer (ngx_conf_read_token) over the grammar's terminals.

    Yields one DIRECTIVE token per statement (its ``value`` is the list of
    ``(raw word, offset)``), then what ended it: SEMI, LBRACE, RBRACE or
    LUA_BODY. Comments go to ``data.comments``.
    """

    def __init__(self, lexer_conf):
        patterns = {t.name: t.pattern.to_regexp() for t in lexer_conf.terminals}
        # Blanks are skipped as part of the next token's match (one regex call
        # per token); END matches the end of the region after trailing blanks.
        self.master = re.compile(
            f"(?:{patterns['WS']})?(?:"
            + "|".join(f"(?P<{n}>{patterns[n]})" for n in _TOKEN_ORDER if n != "WS")
            + r"|(?P<END>\Z))")

    def lex(self, data: LexInput):  # type: ignore[override]
        text, pos, end = data.text, data.start, data.end
        match = self.master.match
        comments = data.comments
        new = _new_token
        words: list[tuple[str, int]] = []
        append = words.append
        # per open block: is its body a table (map, types...) rather than directives?
        tables: list[bool] = [True] if data.table else []
        while True:
            m = match(text, pos, end)
            if m is None:
                # An unterminated quote or a backslash at the very end: nginx
                # reads on to the end of the file inside the word.
                raise NginxSyntaxError(EOF_IN_DIRECTIVE, end)
            kind = m.lastgroup
            npos = m.end()
            if kind == "WORD":
                word = m.group(kind)
                append((word, npos - len(word)))
                pos = npos
                if (word[0] == '"' or word[0] == "'") and npos < end:
                    # A closing quote must be followed by a separator; ")" counts as one.
                    c = text[npos]
                    if c not in " \t\r\n;{":
                        if c != ")":
                            raise NginxSyntaxError(f'unexpected "{c}"', npos)
                        pos = npos + 1
                continue
            if kind == "END":
                break
            start = npos - 1
            if kind == "COMMENT":
                start = m.start(kind)
                comments.append((start, npos))
                pos = npos
                continue
            if words:
                name = word_value(words[0][0])
                in_table = bool(tables) and tables[-1]
                if kind != "RBRACE" and not in_table:
                    _handler_checks(name, words, kind, start)
                tok = new("DIRECTIVE", words[0][0], words[0][1])
                tok.value = words
                yield tok
                if kind == "LBRACE" and name.endswith(LUA_BLOCK_SUFFIX):
                    stop = _lua_body_end(text, start, end)
                    yield new("LUA_BODY", text[start:stop], start)
                    words = []
                    append = words.append
                    pos = stop
                    continue
                if kind == "LBRACE":
                    tables.append(in_table or name in TABLE_BLOCKS)
                words = []
                append = words.append
            if kind == "RBRACE" and tables:
                tables.pop()
            yield new(kind, text[start], start)
            pos = npos
        if words:
            tok = new("DIRECTIVE", words[0][0], words[0][1])
            tok.value = words
            yield tok


def _handler_checks(name: str, words: list, kind: str, pos: int) -> None:
    """What ngx_conf_handler checks once a statement is read, in its order:
    block-ness, then the number of arguments, then (the slot function) the value."""
    if kind == "LBRACE":
        if name in SIMPLE_DIRECTIVES:
            raise NginxSyntaxError(f'directive "{name}" is not terminated by ";"', pos)
    elif name in BLOCK_DIRECTIVES:
        raise NginxSyntaxError(f'directive "{name}" has no opening "{{"', pos)
    arity = ARITY.get(name)
    if arity is not None:
        count = len(words) - 1
        low, high = arity
        if count < low or (high is not None and count > high):
            raise NginxSyntaxError(f'invalid number of arguments in "{name}" directive', pos)
        if name in VALUE_CHECKED:
            message = _value_error(name, words)
            if message is not None:
                raise NginxSyntaxError(message, pos)


class _PassThrough:
    """A no-op post-lexer whose only job is to keep the WORD terminal (used by
    the lexer inside DIRECTIVE tokens, not by the rules) in the compiled grammar."""

    always_accept = ("WORD",)

    def process(self, stream):
        return stream


# ---------------------------------------------------------------- tree building

class _State(threading.local):
    source: Optional[Source] = None
    done: Optional[list] = None


_state = _State()


class NginxSetting(Setting):
    """A directive's Setting whose per-argument Settings are built on first
    access of ``args`` (a 1.3 MB config has ~100k arguments, few are read)."""

    @property  # type: ignore[override]
    def args(self) -> tuple[Setting, ...]:
        d = self.__dict__
        args = d.get("_args")
        if args is None:
            words = d.pop("_words", None) or ()
            key, source, key_span, statement = self.key, self.source, self.key_span, self.statement
            args = tuple(
                Setting(key=key, value=word_value(raw), raw=raw, span=Span(start, start + len(raw)),
                        source=source, key_span=key_span, statement=statement)
                for raw, start in words)
            d["_args"] = args
        return args

    @args.setter
    def args(self, value) -> None:
        self.__dict__["_args"] = tuple(value) if value else None


_object_new = object.__new__
# The fast construction below fills exactly these fields; should the shared
# model grow, the regular constructors are used instead.
_FAST = ({f.name for f in dataclasses.fields(Setting)}
         == {"key", "value", "raw", "span", "source", "key_span", "statement", "args"}
         and {f.name for f in dataclasses.fields(Span)} == {"start", "end"})


def _span(start: int, end: int) -> Span:
    # Span's constructor, minus its checks: offsets from the lexer are ordered.
    if not _FAST:
        return Span(start, end)
    span = _object_new(Span)
    span.__dict__.update(start=start, end=end)
    return span


def _make_setting(words: list, stmt_start: int, stmt_end: int, source: Source) -> Setting:
    # The hot path of parsing (one call per directive): the instance is filled
    # directly, which is what the dataclass __init__ would do, only cheaper.
    name, key_start = words[0]
    key_end = key_start + len(name)
    if len(words) == 1:
        value = raw = ""
        span = _span(key_end, key_end)
        rest: list = []
    else:
        raw, start = words[1]
        value = word_value(raw)
        span = _span(start, start + len(raw))
        rest = words[1:]
    key_span, statement = _span(key_start, key_end), _span(stmt_start, stmt_end)
    if _FAST:
        setting = _object_new(NginxSetting)
        setting.__dict__.update(key=word_value(name), value=value, raw=raw, span=span, source=source,
                                key_span=key_span, statement=statement, _words=rest, _args=None)
    else:
        setting = NginxSetting(key=word_value(name), value=value, raw=raw, span=span, source=source,
                               key_span=key_span, statement=statement)
        setting.__dict__["_words"] = rest
    return setting


class _Builder(Transformer):
    """Inline LALR callbacks: build Nodes as statements are reduced."""

    def simple(self, children):
        directive, semi = children
        setting = _make_setting(directive.value, directive.start_pos, semi.start_pos + 1, _state.source)
        node = Node(setting)
        _state.done.append(node)
        return node

    def block(self, children):
        directive, lbrace, rbrace = children[0], children[1], children[-1]
        setting = _make_setting(directive.value, directive.start_pos, rbrace.start_pos + 1, _state.source)
        node = Node(setting, children[2:-1], lbrace.start_pos, rbrace.start_pos)
        _state.done.append(node)
        return node

    def lua_block(self, children):
        directive, body = children
        end = body.start_pos + len(body)
        setting = _make_setting(directive.value, directive.start_pos, end, _state.source)
        node = Node(setting, [], body.start_pos, end - 1, lua=True)
        _state.done.append(node)
        return node

    def start(self, children):
        return children


_parser: Optional[Lark] = None
_parser_lock = threading.Lock()


def grammar_text() -> str:
    return read_grammar("nginx.lark")


def get_parser() -> Lark:
    """The LALR parser, compiled once per process on first use."""
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                _parser = larkcache.build("nginx", grammar_text(), lexer=NginxLexer, postlex=_PassThrough(),
                               transformer=_Builder(visit_tokens=False), maybe_placeholders=False)
    return _parser


class ParseResult:
    """The nodes of one file (or dump region); on a syntax error ``nodes`` is
    empty and ``done`` lists the statements nginx had completed before it."""

    __slots__ = ("source", "nodes", "done", "error", "comments")

    def __init__(self, source, nodes, done, error, comments):
        self.source = source
        self.nodes: list[Node] = nodes
        self.done: list[Node] = done
        self.error: Optional[NginxSyntaxError] = error
        self.comments: list[tuple[int, int]] = comments


def parse_region(source: Source, start: int = 0, end: Optional[int] = None, table: bool = False) -> ParseResult:
    """Parse ``source.text[start:end]``; never raises for bad input. ``table``:
    the text is included inside a table block (map, types...), whose lines
    nginx does not read as directives."""
    text = source.text
    if end is None:
        end = len(text)
    if start == 0 and text.startswith("\ufeff"):
        start = 1  # a UTF-8 BOM: nginx would choke on it, editors add it silently
    data = LexInput(text, start, end, table)
    done: list[Node] = []
    parser = get_parser()
    _state.source, _state.done = source, done
    error: Optional[NginxSyntaxError] = None
    nodes: list[Node] = []
    try:
        nodes = parser.parse(data)
    except NginxSyntaxError as exc:
        error = exc
    except UnexpectedToken as exc:
        error = _token_error(exc, end)
    except UnexpectedCharacters as exc:  # pragma: no cover - the custom lexer never raises it
        error = NginxSyntaxError(f'unexpected "{text[exc.pos_in_stream]}"', exc.pos_in_stream)
    except UnexpectedInput as exc:  # pragma: no cover
        error = NginxSyntaxError(str(exc).splitlines()[0], end)
    finally:
        _state.source = _state.done = None
    return ParseResult(source, nodes if error is None else [], done, error, data.comments)


def _token_error(exc: UnexpectedToken, end: int) -> NginxSyntaxError:
    tok = exc.token
    if tok.type == "$END":
        if "SEMI" in exc.expected:
            return NginxSyntaxError(EOF_IN_DIRECTIVE, end)
        return NginxSyntaxError(EOF_IN_BLOCK, end)
    # ";" or "{" where a directive should start, "}" after a directive's words
    # or outside any block
    char = {"SEMI": ";", "LBRACE": "{", "RBRACE": "}"}.get(tok.type, str(tok)[:1])
    return NginxSyntaxError(f'unexpected "{char}"', tok.start_pos)
