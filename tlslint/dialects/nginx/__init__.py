"""The nginx dialect: detection, parsing (with includes) and the endpoint model.

Public API (see ``tlslint.dialects``): ``NAME``, ``detect``, ``parse``,
``set_value``, ``insert_setting``, ``remove_setting``.

Choices worth knowing:

* **Conf prefix.** nginx resolves relative ``include`` patterns and
  certificate/key/CA paths against the directory of the main config file, also
  inside included files. A file given to ``parse`` is the main file, and its
  directory is the prefix, except for a *fragment* (no ``http``/``events``/
  ``stream``/``mail`` block, no main-only directive): its prefix is the nearest
  folder, its own or up to three levels above, that holds an ``nginx.conf``;
  failing that, the parent of the nearest ``conf.d``, ``sites-enabled`` or
  ``sites-available`` folder it sits in (``/etc/nginx`` for
  ``/etc/nginx/conf.d/site.conf``, where nginx.conf lives in every packaged
  layout); failing that, its own folder. For an ``nginx -T`` dump, the prefix
  is the directory of the first file in the dump.
* **Fragments** are read as nginx would read them when included: bare
  ``server {}`` blocks (conf.d/, gixy fixtures) and bare http directives at http
  level; ``server {}`` blocks that contain ``proxy_pass`` directly and no
  ``location`` at stream level; a file of ``location`` blocks, ``listen`` or
  ``server_name`` as the inside of one server block.
* **Errors.** nginx stops at its first error (in include order); so do we:
  one TLS001 problem at nginx's line with nginx's wording. After a syntax
  error there are the settings read so far and no endpoints; after a missing
  literal include (``open() "..." failed``) or an include cycle the rest is
  still modelled. A leading UTF-8 BOM (which nginx refuses) is reported the
  same way but parsed past.
* Other problems: TLS702 for the removed ``ssl on|off`` directive (data
  ``listens``: the listen Settings that need ``ssl`` instead), TLS009 for a
  TLS scalar directive nginx refuses twice on one level (data ``severity``,
  ``first``).
"""

from __future__ import annotations

import gc
import os
import re
from pathlib import Path

from tlslint.findings import Edit
from tlslint.model import Document, Location, Problem, Setting, TlsEndpoint
from tlslint.options import Options
from tlslint.readfile import FileAccessError, read_bytes
from tlslint.source import Source, Span

from . import contexts
from . import edits as _edits
from .directives import typo_problems
from .endpoints import EndpointBuilder, duplicate_problems, flatten
from .loader import MAX_CONFIG_SIZE, Loader, dump_regions
from .syntax import Node
from .versions import NginxProfile

NAME = "nginx"

__all__ = ["NAME", "detect", "parse", "set_value", "insert_setting", "remove_setting"]

FRAGMENT_DIRS = ("conf.d", "sites-enabled", "sites-available")

MAIN_ONLY = frozenset("""
    http events stream mail worker_processes user pid load_module daemon master_process
    worker_rlimit_nofile worker_rlimit_core env thread_pool pcre_jit lock_file working_directory
    worker_priority timer_resolution worker_cpu_affinity worker_shutdown_timeout ssl_engine
""".split())
SERVER_BODY = frozenset({"location", "listen", "server_name"})

# ------------------------------------------------------------------ detect

_COMMENT_LINE = re.compile(r"(?m)^[ \t]*#.*$")
_BLOCK = re.compile(
    r"(?m)^[ \t]*(?:http|events|stream|mail|server|upstream|location|types|map|geo|if|split_clients)"
    r"(?:[ \t]+[^;{}=\n]*)?[ \t]*\{")
_DIRECTIVE = re.compile(
    r"(?m)^[ \t]*(?:listen|server_name|ssl_[a-z_]+|proxy_[a-z_]+|grpc_[a-z_]+|uwsgi_[a-z_]+|include|"
    r"worker_processes|worker_connections|user|error_log|access_log|root|return|rewrite|add_header|"
    r"load_module|pid|resolver|keepalive_timeout|sendfile|default_type|gzip|ssl|index|try_files)"
    r"[ \t]+[^;{}\n]*;")
_CUTTLEFISH = re.compile(r"(?m)^[ \t]*[A-Za-z_][\w.$-]*[ \t]*=[ \t]*\S")
_NGINX_NAMES = ("nginx.conf",)


def detect(path: Path, head: str) -> str | None:
    """"nginx" for nginx configs: by name (``nginx.conf``, ``*.conf``, files in
    conf.d/, sites-*/, nginx/) and by content (nginx blocks or directives; not
    RabbitMQ's ``key.path = value`` lines, not YAML); an ``nginx -T`` dump by
    its ``# configuration file`` markers under any name."""
    name = path.name.lower()
    if name in _NGINX_NAMES:
        return NAME
    if name.endswith((".yml", ".yaml", ".json", ".config", ".toml", ".ini")) or name == "rabbitmq.conf":
        return None
    if "# configuration file " in head[:4096] and dump_regions(head):
        return NAME  # an `nginx -T` dump, whatever it was saved as (dump.txt...)
    parents = {p.name.lower() for p in list(path.parents)[:3]}
    by_name = (name.endswith((".conf", ".nginx", ".vhost")) or "nginx" in name
               or bool(parents & {"conf.d", "sites-enabled", "sites-available", "nginx", "snippets"}))
    if not by_name:
        return None
    body = _COMMENT_LINE.sub("", head)
    blocks = len(_BLOCK.findall(body))
    directives = len(_DIRECTIVE.findall(body))
    if not blocks and not directives:
        return None
    if len(_CUTTLEFISH.findall(body)) > blocks + directives:
        return None
    return NAME


# ------------------------------------------------------------------ parse

def _is_main(nodes: list[Node]) -> bool:
    return any(n.key in MAIN_ONLY for n in nodes)


def conf_prefix(path: Path, main: bool) -> Path:
    """The directory nginx would resolve relative paths against (see the
    module docstring)."""
    parent = path.parent
    if main:
        return parent
    # the folders around it as they really are (a fragment named "site.conf"
    # from inside conf.d/ has the parent "." as typed)
    parent = Path(os.path.abspath(parent))
    ancestors = [parent, *list(parent.parents)[:3]]
    for folder in ancestors:
        if (folder / "nginx.conf").is_file():
            return folder
    for folder in ancestors:
        if folder.name in FRAGMENT_DIRS:
            return folder.parent
    return parent


def parse(path: Path, dialect: str = NAME, options: Options | None = None) -> list[Document]:
    options = options or Options()
    try:
        data = read_bytes(path, max_size=MAX_CONFIG_SIZE, config=True)
    except FileAccessError as exc:
        source = Source(path=path, text="")
        problem = Problem("TLS001", Location(source, Span(0, 0)), f"cannot read {path}: {exc.reason}",
                          data={"severity": "error"})
        return [Document(dialect=NAME, source=source, problems=[problem])]
    source = Source.from_file(path, data)
    return [_parse_source(path, source, options)]


def parse_text(path: Path, text: str, options: Options | None = None) -> Document:
    """Parse ``text`` as if it were the content of ``path`` (tests, stdin)."""
    return _parse_source(path, Source(path=path, text=text), options or Options())


def _parse_source(path: Path, source: Source, options: Options) -> Document:
    # Parsing allocates hundreds of thousands of small objects and no cyclic
    # garbage: the cyclic collector would only walk them again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_source_nogc(path, source, options)
    finally:
        if enabled:
            gc.enable()


def _parse_source_nogc(path: Path, source: Source, options: Options) -> Document:
    profile = NginxProfile(options.nginx_version)
    loader = Loader(options, path.parent)
    result = loader.parse_main(path, source)
    top_own = result.nodes if result.error is None else [n for n in result.done]
    main = _is_main(top_own) or bool(loader.virtual)
    loader.prefix = conf_prefix(path, main)
    loader.expand_main(result)
    base_dir = Path(loader.virtual_prefix) if loader.virtual else loader.prefix

    problems = list(loader.problems)
    if source.text.startswith("\ufeff") and not loader.virtual:
        first = result.nodes[0] if result.nodes else (result.done[0] if result.done else None)
        word = first.setting.key if first is not None else ""
        problems[:] = [p for p in problems if p.code != "TLS001"]
        problems.insert(0, Problem(
            "TLS001", Location(source, Span(0, 1)),
            f'unknown directive "\\ufeff{word}": the file starts with a UTF-8 byte order mark, which nginx '
            "reads as part of the first directive's name", data={"severity": "error"}))

    if not loader.fatal and not source.text.startswith("\ufeff"):
        problems = _with_context_error(problems, result.nodes, main, profile)

    settings: list[Setting] = []
    for res in loader.results:
        settings.extend(n.setting for n in sorted(res.done, key=lambda n: n.setting.statement.start))

    problems.extend(typo_problems(settings))
    endpoints: list[TlsEndpoint] = []
    if not loader.fatal:
        builder = EndpointBuilder(base_dir, profile)
        try:
            _build(builder, result.nodes)
            problems.extend(builder.problems)
            problems.extend(duplicate_problems(result.nodes))
            endpoints = builder.endpoints
        except RecursionError:
            problems.append(Problem("TLS001", Location(source, Span(0, 0)),
                                    "configuration nested too deeply to analyse", data={"severity": "error"}))
    return Document(dialect=NAME, source=source, sources=loader.sources, settings=settings,
                    endpoints=endpoints, problems=problems, comments=loader.comments, fragment=not main)


def _top_level(nodes: list[Node], main: bool):
    """The level the top of the file is read on (see _build), or None when a
    fragment could be included on several."""
    if main:
        return contexts.MAIN
    top = flatten(nodes)
    keys = {n.key for n in top}
    servers = [n for n in top if n.key == "server" and n.children is not None]
    if servers:
        return contexts.STREAM if _stream_like(servers) else contexts.HTTP
    if keys & {"listen", "server_name"}:
        return contexts.HTTP_SERVER
    return None


def _with_context_error(problems: list[Problem], nodes: list[Node], main: bool,
                        profile: NginxProfile) -> list[Problem]:
    """Add nginx's "not allowed here" when it comes before the error the
    loader found (nginx reports only its first).

    nginx's other whole-file error, `no "events" section in configuration`,
    is left out on purpose: it has no line, it is not about TLS, and configs
    kept as examples or test fixtures often leave events out."""
    first = next((p for p in problems if p.code == "TLS001"), None)
    misplaced = contexts.first_misplaced(nodes, _top_level(nodes, main),
                                         stop_at=first.setting if first is not None else None,
                                         profile=profile)
    if misplaced is not None:
        return [p for p in problems if p is not first] + [contexts.misplaced_problem(*misplaced)]
    return problems


def _stream_like(servers: list[Node]) -> bool:
    return all(any(c.key == "proxy_pass" for c in flatten(s.children or []))
               and not any(c.key == "location" for c in flatten(s.children or []))
               for s in servers)


def _build(builder: EndpointBuilder, nodes: list[Node]) -> None:
    top = flatten(nodes)
    keys = {n.key for n in top}
    if keys & MAIN_ONLY:
        builder.main(nodes)
        return
    servers = [n for n in top if n.key == "server" and n.children is not None]
    if servers:
        if _stream_like(servers):
            builder.stream(nodes, None)
        else:
            builder.http(nodes, None)
        return
    if keys & SERVER_BODY:
        builder.server_fragment(nodes)
        return
    builder.http(nodes, None)


# ------------------------------------------------------------------ edits

def set_value(setting: Setting, new_value: str) -> Edit:
    """Replace a directive's value (all its arguments for list-valued
    directives such as ``ssl_protocols``), keeping the original quoting."""
    return _edits.set_value(setting, new_value)


def insert_setting(endpoint: TlsEndpoint, key: str, value: str) -> Edit:
    """Insert ``key value;`` into the endpoint's block (server, or location for
    an upstream client): after the last related directive (``ssl_*``, or
    ``proxy_ssl_*``/``proxy_pass``...), else at the start of the block."""
    return _edits.insert_setting(endpoint, key, value)


def remove_setting(setting: Setting) -> Edit:
    """Remove the whole directive, and its line when it is alone on it."""
    return _edits.remove_setting(setting)

