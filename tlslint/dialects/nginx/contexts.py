"""Where nginx allows a directive: its ``"x" directive is not allowed here``.

nginx refuses to start when a directive stands in a block its module does not
accept it in: ``ssl_certificate`` inside ``location``, ``listen`` at http
level, ``proxy_ssl_verify`` inside ``if``. The check (ngx_conf_handler) comes
before the argument checks, in reading order, includes read where they stand.

Only the directives below are checked: the TLS ones and the blocks and
directives that shape the endpoint model. Any other name may come from a
module tlslint does not know, and the inside of a block tlslint does not know
(``map``, ``types``, a third-party block) is not checked at all.
"""

from __future__ import annotations

from typing import Iterable, Optional

from tlslint.model import Location, Problem

from .syntax import Node
from .versions import LISTEN_QUIC, NginxProfile

# The configuration levels, after nginx's NGX_*_CONF bits.
MAIN = "main"
EVENTS = "events"
HTTP, HTTP_SERVER, HTTP_LOCATION = "http", "http server", "http location"
HTTP_SERVER_IF, HTTP_LOCATION_IF, HTTP_LIMIT_EXCEPT, HTTP_UPSTREAM = (
    "http server if", "http location if", "http limit_except", "http upstream")
STREAM, STREAM_SERVER, STREAM_UPSTREAM = "stream", "stream server", "stream upstream"
MAIL, MAIL_SERVER = "mail", "mail server"

# block name -> {level it stands on: level of its inside}
INSIDE = {
    "events": {MAIN: EVENTS},
    "http": {MAIN: HTTP},
    "stream": {MAIN: STREAM},
    "mail": {MAIN: MAIL},
    "server": {HTTP: HTTP_SERVER, STREAM: STREAM_SERVER, MAIL: MAIL_SERVER},
    "upstream": {HTTP: HTTP_UPSTREAM, STREAM: STREAM_UPSTREAM},
    "location": {HTTP_SERVER: HTTP_LOCATION, HTTP_LOCATION: HTTP_LOCATION},
    "if": {HTTP_SERVER: HTTP_SERVER_IF, HTTP_LOCATION: HTTP_LOCATION_IF},
    "limit_except": {HTTP_LOCATION: HTTP_LIMIT_EXCEPT},
}

_SSL_LEVELS = frozenset({HTTP, HTTP_SERVER, STREAM, STREAM_SERVER, MAIL, MAIL_SERVER})
_HTTP_UPSTREAM_TLS = frozenset({HTTP, HTTP_SERVER, HTTP_LOCATION})

# directive -> the levels some module accepts it on. The ssl_* directives of
# the http, stream and mail modules all live at main and server level of
# their module; one that only some of them have (ssl_early_data: http) is
# accepted at all three unless listed here, so no build of nginx is ever
# contradicted.
ALLOWED: dict[str, frozenset] = {
    "ssl_engine": frozenset({MAIN}),
    "ssl_object_cache_inheritable": frozenset({MAIN}),
    "proxy_ssl": frozenset({STREAM, STREAM_SERVER}),
    "proxy_pass": frozenset({HTTP_LOCATION, HTTP_LOCATION_IF, HTTP_LIMIT_EXCEPT, STREAM_SERVER}),
    "grpc_pass": frozenset({HTTP_LOCATION, HTTP_LOCATION_IF}),
    "uwsgi_pass": frozenset({HTTP_LOCATION, HTTP_LOCATION_IF}),
    "listen": frozenset({HTTP_SERVER, STREAM_SERVER, MAIL_SERVER}),
    "server_name": frozenset({HTTP_SERVER, STREAM_SERVER, MAIL, MAIL_SERVER}),
    "starttls": frozenset({MAIL, MAIL_SERVER}),
    # the removed `ssl on|off`: http and mail only (the stream module never had it)
    "ssl": frozenset({HTTP, HTTP_SERVER, MAIL, MAIL_SERVER}),
    # stream-only TLS directives
    "ssl_preread": frozenset({STREAM, STREAM_SERVER}),
    "ssl_alpn": frozenset({STREAM, STREAM_SERVER}),
    "ssl_handshake_timeout": frozenset({STREAM, STREAM_SERVER}),
}
# the blocks: where each may stand
BLOCK_ALLOWED = {name: frozenset(levels) for name, levels in INSIDE.items()}
# `server` is two directives: a block in http, stream and mail, a line in upstream
SERVER_BLOCK_LEVELS = frozenset({HTTP, STREAM, MAIL})
SERVER_LINE_LEVELS = frozenset({HTTP_UPSTREAM, STREAM_UPSTREAM})


def allowed_levels(node: Node) -> Optional[frozenset]:
    """The levels ``node`` may stand on, or None when tlslint does not check it."""
    name = node.key
    if name == "server":
        return SERVER_BLOCK_LEVELS if node.children is not None else SERVER_LINE_LEVELS
    if node.children is not None and name in BLOCK_ALLOWED:
        return BLOCK_ALLOWED[name]
    if name in ALLOWED:
        return ALLOWED[name]
    if name.startswith("ssl_"):
        return _SSL_LEVELS
    if name.startswith("proxy_ssl_"):
        return _HTTP_UPSTREAM_TLS | {STREAM, STREAM_SERVER}
    if name.startswith(("grpc_ssl_", "uwsgi_ssl_")):
        return _HTTP_UPSTREAM_TLS
    return None


# listen parameters each module knows (the lexer has checked the union)
_MAIL_LISTEN = frozenset({"ssl", "proxy_protocol", "backlog", "rcvbuf", "sndbuf", "bind", "ipv6only",
                          "so_keepalive", "multipath"})
_NOT_IN = {HTTP_SERVER: frozenset({"udp"}), STREAM_SERVER: frozenset({"http2", "quic"})}


def listen_parameter_error(node: Node, level: str) -> Optional[str]:
    """nginx's `invalid parameter "x"` for a listen parameter the module of
    ``level`` does not have (http has no udp, mail no http2...)."""
    for arg in node.setting.args[1:]:
        name = arg.value.partition("=")[0]
        if "$" in arg.value:
            continue
        if (level == MAIL_SERVER and name not in _MAIL_LISTEN) or name in _NOT_IN.get(level, ()):
            return f'invalid parameter "{arg.value}"'
    return None


def misplacement(node: Node, level: str) -> Optional[str]:
    """nginx's error for ``node`` standing on ``level``, if it has one.

    nginx takes the first command of that name that is allowed on the level
    and only then checks block-ness, so a `server` line in http has "no
    opening {" and a `server {}` block in upstream is "not terminated"."""
    allowed = allowed_levels(node)
    if allowed is None:
        return None
    if level in allowed:
        return listen_parameter_error(node, level) if node.key == "listen" else None
    if node.key == "server" and node.children is None and level in SERVER_BLOCK_LEVELS:
        return 'directive "server" has no opening "{"'
    if node.key == "server" and node.children is not None and level in SERVER_LINE_LEVELS:
        return 'directive "server" is not terminated by ";"'
    return f'"{node.key}" directive is not allowed here'


def first_misplaced(nodes: Iterable[Node], level: Optional[str], stop_at=None,
                    profile: Optional[NginxProfile] = None, budget: int = 200_000) -> Optional[tuple[Node, str]]:
    """The first directive, in nginx's reading order, that stands where nginx
    does not allow it, with nginx's error; None when there is none before
    ``stop_at`` (the Setting of an error already found, which then comes
    first). ``level`` None means unknown (a fragment that could be included
    anywhere): only the inside of its known blocks is checked. ``profile``:
    the nginx version judged for (directives it does not know yet or any more)."""
    profile = profile or NginxProfile()
    unknown = profile.unknown_directives()
    no_quic = profile.predates(LISTEN_QUIC)
    not_in_stream = profile.not_yet_in_stream()
    walked: set[tuple[int, Optional[str]]] = set()
    stack: list[tuple[Iterable[Node], Optional[str]]] = [(iter(nodes), level)]
    while stack and budget > 0:
        current, here = stack[-1]
        for node in current:
            budget -= 1
            if node.setting is stop_at:
                return None
            if node.key in unknown:
                return node, f'unknown directive "{node.key}"'
            if no_quic and node.key == "listen" and any(a.value == "quic" for a in node.setting.args[1:]):
                return node, 'invalid parameter "quic"'
            if here in (STREAM, STREAM_SERVER) and node.key in not_in_stream:
                return node, f'"{node.key}" directive is not allowed here'
            message = misplacement(node, here) if here is not None else None
            if message is not None:
                return node, message
            if node.included:
                for sub in reversed(node.included):
                    if (id(sub), here) not in walked:  # the same file at the same level: same answer
                        walked.add((id(sub), here))
                        stack.append((iter(sub), here))
                break
            if node.children:
                inside = INSIDE.get(node.key, {}).get(here) if here is not None else None
                if inside is None and node.key in INSIDE and here is None:
                    inside = _level_of_lone_block(node.key)
                stack.append((iter(node.children), inside))
                break
        else:
            stack.pop()
    return None


def _level_of_lone_block(name: str) -> Optional[str]:
    """The inside of a block whose own level is unknown, where that does not
    depend on it (a location is a location wherever it stands)."""
    return {"location": HTTP_LOCATION, "limit_except": HTTP_LIMIT_EXCEPT}.get(name)


def misplaced_problem(node: Node, message: str) -> Problem:
    """TLS001 at the directive's name."""
    setting = node.setting
    where = Location(setting.source, setting.key_span) if setting.key_span is not None else setting.location()
    return Problem("TLS001", where, message, setting=setting, data={"severity": "error"})
