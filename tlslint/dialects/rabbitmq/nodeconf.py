"""The effective configuration of one RabbitMQ node, and its TLS endpoints.

Loading follows rabbit_prelaunch_conf + cuttlefish_conf: main file, includes
(in place), conf.d/*.conf (sorted by full path) after the main file, last
value wins; then advanced.config replaces whole ``{App, Key}`` values
(cuttlefish_advanced:overlay/2, no deep merge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, unquote as urlunquote, urlsplit

from tlslint.dialects.rabbitmq import schema
from tlslint.dialects.rabbitmq.conf import ConfFile, ConfSetting, Include, parse_file
from tlslint.dialects.rabbitmq.terms import Term, TermSyntaxError, parse_terms
from tlslint.model import (CertKeyPair, Comment, Document, Field, FileRef, Location, Problem, Setting,
                           TlsEndpoint)
from tlslint.paths import real
from tlslint.readfile import FileAccessError, read_bytes
from tlslint.source import Source, Span

NAME = "rabbitmq"
MAX_INCLUDE_DEPTH = 16
# files read for one node (main + conf.d + includes): a hostile glob must not
# make tlslint read a whole file system
MAX_INCLUDED_FILES = 200

DEPTH_NOTE = ("depth is not set: Erlang/OTP's default is 10 intermediates on every release RabbitMQ 4.x "
              "supports (very old OTP releases, and RabbitMQ's own TLS guide, say 1)")
FAIL_UNSET_NOTE = ("fail_if_no_peer_cert is not set: Erlang/OTP 26 and later require a client certificate "
                   "when verify_peer is set (the default became true in OTP 26); OTP 25 and older accept "
                   "clients without one")
SERVER_VERIFY_NOTE = "verify is not set: Erlang/OTP servers default to verify_none (no client certificate is asked for)"
CLIENT_VERIFY_NOTE = ("verify is not set: Erlang/OTP 26 and later verify the server (verify_peer) by default; "
                      "OTP 25 and older do not (verify_none)")
FIX_VERSIONS_NOTE = ("versions is not set: rabbit_ssl_options:fix/1 enables every available version but "
                     "SSLv3, so TLS 1.0 and 1.1 handshakes are accepted (observed on OTP 25)")
OTP_VERSIONS_NOTE = "versions is not set: the Erlang/OTP default (TLS 1.2 and 1.3)"
ALL_TLS = frozenset({"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"})
OTP_TLS = frozenset({"TLSv1.2", "TLSv1.3"})

_VERSIONS = {"tlsv1.3": "TLSv1.3", "tlsv1.2": "TLSv1.2", "tlsv1.1": "TLSv1.1", "tlsv1": "TLSv1",
             "sslv3": "SSLv3", "sslv2": "SSLv2"}
_SUBST = re.compile(r"\$\((<)?([^)]*)\)")


@dataclass(eq=False)
class RabbitEndpoint(TlsEndpoint):
    """A TlsEndpoint that also knows where it lives in RabbitMQ's config.

    ``prefix``: rabbitmq.conf prefix of its options (``ssl_options``,
    ``management.ssl``...). ``app_path``: where the options land in the app
    env (``("rabbit", "ssl_options")``). ``options``: effective option
    Settings by option name (``verify``, ``versions.1``...). ``proplist``:
    the advanced.config list the options came from, if they did.
    """

    prefix: str = ""
    app_path: tuple = ()
    surface: str = ""
    options: dict = field(default_factory=dict)
    proplist: Optional[Term] = None
    proplist_source: Optional[Source] = None

    def option(self, name: str) -> Optional[Setting]:
        return self.options.get(name)


@dataclass(eq=False)
class NodeConfig:
    document: Document
    effective: dict = field(default_factory=dict)  # key segments -> ConfSetting
    advanced: Optional[Term] = None
    advanced_source: Optional[Source] = None
    unresolved: dict = field(default_factory=dict)  # id(Setting) -> reason


# --- loading -------------------------------------------------------------

def _read_source(path: Path, problems: list, anchor: Optional[Location]) -> Optional[Source]:
    try:
        data = read_bytes(path, config=True)
    except FileAccessError as exc:
        if anchor is not None:
            problems.append(Problem("TLS001", anchor, f"cannot read {path}: {exc.reason} (RabbitMQ would fail to load it)"))
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        source = Source.from_file(path, data)
        problems.append(Problem("TLS001", Location(source, Span(0, 0)),
                                "UTF-16/32 encoded file: tlslint reads RabbitMQ config files as UTF-8 only"))
        return None
    return Source.from_file(path, data)


def load_node(path: Path, options=None) -> NodeConfig:
    problems: list[Problem] = []
    main = _read_source(path, problems, None)
    if main is None:
        source = Source(path, "")
        if not problems:
            problems.append(Problem("TLS001", Location(source, Span(0, 0)), f"cannot read {path}"))
        return NodeConfig(Document(NAME, source, problems=problems))
    doc = Document(NAME, main, problems=problems,
                   fragment=path.parent.name == "conf.d" or path.name == "advanced.config")
    node = NodeConfig(doc)
    classic = path.with_name("rabbitmq.config")
    if path.name == "advanced.config" and classic.is_file():
        # with a classic rabbitmq.config the node reads that file alone
        doc.problems.append(Problem(
            "TLS705", Location(main, Span(0, 0)),
            f"{path.name} is ignored: {classic.name} exists next to it, and a node configured with the classic "
            "format reads only that file"))
        return node
    if path.name.endswith(".config"):
        _load_advanced(node, main)
    else:
        _load_conf_tree(node, main)
        for extra in _conf_d_files(path):
            if len(doc.sources) > MAX_INCLUDED_FILES:
                problems.append(Problem("TLS001", Location(main, Span(0, 0)),
                                        f"more than {MAX_INCLUDED_FILES} files in conf.d/: tlslint does not read the rest"))
                break
            src = _read_source(extra, problems, None)
            if src is not None:
                _load_conf_tree(node, src)
        adv_path = _advanced_path(path)
        if adv_path is not None and adv_path.is_file():
            src = _read_source(adv_path, problems, None)
            if src is not None:
                _load_advanced(node, src)
        classic = path.with_suffix(".config")
        if path.suffix == ".conf" and classic.is_file() and classic.name == "rabbitmq.config":
            first = doc.settings[0] if doc.settings else None
            where = first.location() if first else Location(main, Span(0, 0))
            problems.append(Problem(
                "TLS705", where,
                f"{classic.name} exists next to {path.name}: RabbitMQ uses the classic .config file and "
                f"ignores {path.name} entirely (it logs a warning)",
                data={"discarded": [s for s in doc.settings if s.source is main]}))
            return node  # what an ignored file configures is not judged
    _resolve_substitutions(node)
    build_endpoints(node)
    return node


def _conf_d_files(path: Path) -> list[Path]:
    if path.name != "rabbitmq.conf":
        return []
    confd = path.parent / "conf.d"
    if not confd.is_dir():
        return []
    return sorted((p for p in confd.glob("*.conf") if p.is_file()), key=lambda p: str(p))


def _advanced_path(path: Path) -> Optional[Path]:
    if path.parent.name == "conf.d":
        return None
    if path.name == "rabbitmq.conf":
        return path.parent / "advanced.config"
    if path.suffix == ".conf":
        return path.with_name(path.stem + ".advanced.config")
    return None


def _add_source(node: NodeConfig, source: Source) -> None:
    if all(real(s.path) != real(source.path) for s in node.document.sources):
        node.document.sources.append(source)


def _load_conf_tree(node: NodeConfig, source: Source, stack: tuple = (), depth: int = 0) -> None:
    doc = node.document
    _add_source(node, source)
    parsed: ConfFile = parse_file(source)
    doc.problems.extend(parsed.problems)
    doc.comments.extend(parsed.comments)
    if not parsed.ok:
        return
    here = real(source.path)
    for item in parsed.items:
        if isinstance(item, ConfSetting):
            doc.settings.append(item.setting)
            _check_item(node, item)
            key = item.segments
            previous = node.effective.get(key)
            if previous is not None:
                doc.problems.append(Problem(
                    "TLS009", previous.setting.location(),
                    f"{previous.setting.key} is set again at {item.setting.source.display}:{item.setting.line}; "
                    "the later value wins", setting=previous.setting, data={"severity": "info"}))
            node.effective[key] = item
        elif isinstance(item, Include):
            loc = Location(source, item.span)
            if depth >= MAX_INCLUDE_DEPTH:
                doc.problems.append(Problem("TLS001", loc, "includes nested too deeply (include cycle?)"))
                continue
            base = source.path.parent
            pattern = item.pattern
            full = pattern if pattern.startswith("/") else str(base / pattern)
            head, _, tail = full.rpartition("/")
            matches = sorted(Path(head or "/").glob(tail)) if any(c in tail for c in "*?[") else [Path(full)]
            for inc in matches:
                if not inc.is_file():
                    continue
                if len(doc.sources) > MAX_INCLUDED_FILES:
                    doc.problems.append(Problem("TLS001", loc, f"more than {MAX_INCLUDED_FILES} files included: "
                                                "tlslint does not read the rest"))
                    break
                if real(inc) in stack or real(inc) == here:
                    doc.problems.append(Problem("TLS001", loc, f"include cycle: {inc} includes itself again"))
                    continue
                src = _read_source(inc, doc.problems, loc)
                if src is not None:
                    _load_conf_tree(node, src, stack + (here,), depth + 1)


def _check_item(node: NodeConfig, item: ConfSetting) -> None:
    """Syntax-level facts about one line: unknown TLS keys (TLS701), quoting pitfalls (TLS704)."""
    doc = node.document
    setting = item.setting
    unknown = schema.check_key(item.segments)
    if unknown is None:
        refused = schema.value_error(schema.datatype_of(item.segments), setting.value)
        if refused is not None:
            doc.problems.append(Problem(
                "TLS001", setting.location(),
                f"{setting.key}: {refused}; RabbitMQ does not start with this value", setting=setting))
    if unknown is not None:
        hint = f"; did you mean {unknown.suggestion!r}?" if unknown.suggestion else ""
        doc.problems.append(Problem(
            "TLS701", Location(setting.source, setting.key_span),
            f"unknown setting {setting.key!r}: {unknown.message}{hint} (cuttlefish stops the node at boot: "
            "\"no setting with that name\")",
            setting=setting, data={"suggestion": unknown.suggestion}))
    if item.style != "unescaped":
        return
    text = setting.source.text
    raw = setting.raw
    after = text[setting.span.end:setting.span.end + 1]
    if after == "#":
        line_end = text.find("\n", setting.span.end)
        line_end = len(text) if line_end == -1 else line_end
        rest = text[setting.span.end:line_end].rstrip("\r")
        cut = re.search(r"[ \t]+#", rest)
        tail = rest[:cut.start()] if cut else rest.rstrip(" \t")
        intended = raw + tail
        if len(intended) >= 2 and intended[0] == intended[-1] == '"':
            # "a#b": cut at '#', and double quotes that are no quoting either (§6.2)
            intended = intended[1:-1]
        doc.problems.append(Problem(
            "TLS704", setting.location(),
            f"{setting.key}: the unquoted value is cut at '#': RabbitMQ reads {setting.value!r}, "
            f"not {intended!r}; quote it: '{intended}'" if "password" not in setting.key else
            f"{setting.key}: the unquoted value is cut at '#': RabbitMQ reads only the part before it "
            "(the rest is taken as a comment); quote the value with single quotes",
            setting=setting,
            data={"kind": "hash", "intended": intended,
                  "intended_span": Span(setting.span.start, setting.span.end + len(tail))}))
    elif len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
        inner = raw[1:-1]
        doc.problems.append(Problem(
            "TLS704", setting.location(),
            f"{setting.key}: double quotes are not quoting in rabbitmq.conf: the value includes them "
            f"(a path like this names a file that does not exist); use single quotes or none",
            setting=setting, data={"kind": "double_quotes", "intended": inner, "intended_span": setting.span}))


def _resolve_substitutions(node: NodeConfig) -> None:
    """$(NAME): a conf key first, then an environment variable; $(<file): the file's contents."""
    by_key = {".".join(k): item.setting for k, item in node.effective.items()}
    for item in node.effective.values():
        setting = item.setting
        if "$(" not in setting.value:
            continue
        whole = _SUBST.fullmatch(setting.value)
        if whole and whole.group(1):
            node.unresolved[id(setting)] = (f"the value is read from the file {whole.group(2)!r} at boot "
                                            "($(<file)); tlslint does not read it")
            continue
        missing = []

        def sub(m: re.Match) -> str:
            if m.group(1):
                missing.append(m.group(0))
                return m.group(0)
            ref = by_key.get(m.group(2))
            if ref is not None and "$(" not in ref.value:
                return ref.value
            missing.append(m.group(2))
            return m.group(0)

        value = _SUBST.sub(sub, setting.value)
        if missing:
            node.unresolved[id(setting)] = ("the value uses " + ", ".join(f"$({m})" for m in missing) +
                                            ", an environment variable known only at boot")
        else:
            setting.value = value


# --- advanced.config -----------------------------------------------------

def _load_advanced(node: NodeConfig, source: Source) -> None:
    doc = node.document
    _add_source(node, source)
    text = source.text
    work = " " + text[1:] if text.startswith("\ufeff") else text
    quotes, counted = 0, 0
    for m in re.finditer(r"%[^\n]*", work):
        # comments: '%' outside strings; a cheap scan is enough for suppressions
        # (quotes counted incrementally: linear in the file, not quadratic)
        quotes += work.count('"', counted, m.start())
        counted = m.start()
        if quotes % 2 == 0:
            body = m.group(0).lstrip("%")
            doc.comments.append(Comment(source, Span(m.start(), m.end()), body))
    try:
        term = parse_terms(work)
    except TermSyntaxError as exc:
        line, col = source.line_col(min(exc.pos, len(text)))
        doc.problems.append(Problem(
            "TLS001", Location(source, Span(min(exc.pos, len(text)), min(exc.pos, len(text)))),
            f"{source.path.name}:{line}:{col}: {exc.message} (erl_parse); RabbitMQ cannot read "
            f"{source.path.name} and the node does not boot"))
        return
    if term is None:
        return
    if term.kind != "list":
        doc.problems.append(Problem("TLS001", Location(source, term.span),
                                    f"{source.path.name} must be a list of {{Application, Settings}} tuples"))
        return
    if _evaluation_error(doc, source, term):
        return
    node.advanced = term
    node.advanced_source = source
    for app_key, app_env, _ in term.entries():
        for key, value, tup in app_env.entries() if app_env.kind == "list" else ():
            path = (app_key.value, key.value)
            doc.settings.append(_term_setting(source, ".".join(path), value, key, tup))


_MATCH = re.compile(r"\s*([A-Z_][A-Za-z0-9_@]*)\s*=(?![=>])")


def _evaluation_error(doc: Document, source: Source, term: Term) -> bool:
    """RabbitMQ evaluates advanced.config (rabbit_prelaunch_file): a variable
    outside a fun is unbound, a match leaves a binding; either way the node
    does not boot. Reports the first one (TLS001)."""
    for t in _walk_terms(term):
        name = None
        if t.kind == "var":
            name, why = t.value, "is unbound"
        elif t.kind == "opaque":
            m = _MATCH.match(source.text, t.span.start, t.span.end)
            if m:
                name, why = m.group(1), "is bound by a match (RabbitMQ refuses leftover bindings)"
        if name is None:
            continue
        line, col = source.line_col(t.span.start)
        doc.problems.append(Problem(
            "TLS001", Location(source, t.span),
            f"{source.path.name}:{line}:{col}: variable {name} {why}: RabbitMQ cannot evaluate "
            f"{source.path.name} and the node does not boot", data={"severity": "error"}))
        return True
    return False


def _term_setting(source: Source, key: str, value: Term, key_term: Optional[Term], stmt: Optional[Term]) -> Setting:
    raw = source.text[value.span.start:value.span.end]
    if value.kind in ("atom", "string", "binary"):
        interpreted = value.value
    elif value.kind in ("int", "float"):
        interpreted = str(value.value)
    else:
        interpreted = raw
    return Setting(key=key, value=interpreted, raw=raw, span=value.span, source=source,
                   key_span=key_term.span if key_term is not None else None,
                   statement=stmt.span if stmt is not None else value.span)


def _advanced_value(node: NodeConfig, app: str, key: str) -> Optional[tuple[Term, Term]]:
    """(value, whole {Key, Value} tuple) of App.Key in advanced.config. Of two
    {App, Env} blocks for one app only the last counts: cuttlefish overlays
    each on the config generated from rabbitmq.conf, not on the earlier one."""
    if node.advanced is None:
        return None
    envs = [app_env for app_key, app_env, _ in node.advanced.entries() if app_key.value == app]
    if not envs or envs[-1].kind != "list":
        return None
    found = None
    for k, v, tup in envs[-1].entries():
        if k.value == key:
            found = (v, tup)
    return found


# What the node checks at boot for TLS settings no listener uses: that each
# file exists, can be read and holds PEM (the schema's validators).
BOOT_CHECKS = frozenset({"TLS002", "TLS003", "TLS004", "TLS006"})


# --- endpoints -------------------------------------------------------------

@dataclass
class Surface:
    id: str
    prefix: tuple[str, ...]
    app: str
    app_key: str
    role: str
    nested: tuple[str, ...] = ()  # path below App.Key to the TLS proplist (advanced form)
    fixes_versions: bool = False
    system_roots: bool = False
    label: str = ""


SURFACES = (
    Surface("amqp", ("ssl_options",), "rabbit", "ssl_options", "server", fixes_versions=True),
    Surface("management", ("management", "ssl"), "rabbitmq_management", "ssl_config", "server",
            fixes_versions=True, label="management.ssl"),
    Surface("management_legacy", ("management", "listener", "ssl_opts"), "rabbitmq_management", "listener",
            "server", nested=("ssl_opts",), fixes_versions=True, label="management.listener"),
    Surface("prometheus", ("prometheus", "ssl"), "rabbitmq_prometheus", "ssl_config", "server",
            nested=("ssl_opts",), fixes_versions=True, label="prometheus.ssl"),
    Surface("web_mqtt", ("web_mqtt", "ssl"), "rabbitmq_web_mqtt", "ssl_config", "server", label="web_mqtt.ssl"),
    Surface("web_stomp", ("web_stomp", "ssl"), "rabbitmq_web_stomp", "ssl_config", "server", label="web_stomp.ssl"),
    Surface("auth_ldap", ("auth_ldap", "ssl_options"), "rabbitmq_auth_backend_ldap", "ssl_options", "client",
            label="auth_ldap (LDAP over TLS)"),
    Surface("auth_http", ("auth_http", "ssl_options"), "rabbitmq_auth_backend_http", "ssl_options", "client",
            label="auth_http (HTTPS)"),
    Surface("trust_store", ("trust_store", "ssl_options"), "rabbitmq_trust_store", "ssl_options", "client",
            label="trust_store (HTTPS provider)"),
    Surface("consul", ("cluster_formation", "consul", "ssl_options"), "rabbit", "cluster_formation", "client",
            nested=("peer_discovery_consul", "ssl_options"), label="cluster_formation.consul (peer discovery)"),
    Surface("etcd", ("cluster_formation", "etcd", "ssl_options"), "rabbit", "cluster_formation", "client",
            nested=("peer_discovery_etcd", "ssl_options"), label="cluster_formation.etcd (peer discovery)"),
    # the k8s plugin always adds {cacertfile, k8s_cert_path} (the service
    # account's ca.crt by default): a CA tlslint cannot see, like system roots
    Surface("k8s", ("cluster_formation", "k8s", "tls"), "rabbit", "cluster_formation", "client",
            nested=("peer_discovery_k8s", "ssl_options"), system_roots=True,
            label="cluster_formation.k8s (peer discovery)"),
    Surface("amqp_client", ("amqp_client", "ssl_options"), "amqp_client", "ssl_options", "client",
            system_roots=True, label="amqp_client (shovel/federation defaults)"),
    Surface("amqp10_client", ("amqp10_client", "ssl_options"), "amqp10_client", "ssl_options", "client",
            system_roots=True, label="amqp10_client (shovel defaults)"),
    Surface("definitions", ("definitions", "tls"), "rabbit", "definitions", "client",
            nested=("ssl_options",), label="definitions.tls (HTTPS definitions import)"),
    Surface("syslog", ("log", "syslog", "ssl_options"), "syslog", "ssl_options", "client",
            label="log.syslog (syslog over TLS)"),
    Surface("oauth2", ("auth_oauth2", "https"), "rabbitmq_auth_backend_oauth2", "key_config", "client",
            label="auth_oauth2.https (JWKS/IdP)"),
)

LISTENER_SOURCES = (
    (("listeners", "ssl"), "rabbit", "ssl_listeners", "AMQPS"),
    (("mqtt", "listeners", "ssl"), "rabbitmq_mqtt", "ssl_listeners", "MQTTS"),
    (("stomp", "listeners", "ssl"), "rabbitmq_stomp", "ssl_listeners", "STOMPS"),
    (("stream", "listeners", "ssl"), "rabbitmq_stream", "ssl_listeners", "Stream TLS"),
)


def _conf_block(node: NodeConfig, prefix: tuple[str, ...]) -> dict[str, Setting]:
    n = len(prefix)
    out: dict[str, Setting] = {}
    for key, item in node.effective.items():
        if len(key) > n and all(p == "$" or p == k for p, k in zip(prefix, key)):
            out[".".join(key[n:])] = item.setting
    return out


def _conf_get(node: NodeConfig, *key: str) -> Optional[Setting]:
    item = node.effective.get(tuple(key))
    return item.setting if item else None


def _term_options(source: Source, base_key: str, plist: Term) -> dict[str, Setting]:
    """Options of an Erlang proplist, named like rabbitmq.conf options (versions.1, ciphers.2...)."""
    out: dict[str, Setting] = {}
    for key, value, tup in plist.entries():
        name = key.value
        if name in ("versions", "ciphers", "cacerts") and value.kind == "list":
            for i, elem in enumerate(value.value, 1):
                out[f"{name}.{i}"] = _term_setting(source, f"{base_key}.{name}", elem, key, tup)
            if not value.value:
                out[name] = _term_setting(source, f"{base_key}.{name}", value, key, tup)
            continue
        if name == "peer_verification":
            name = "verify"
        out[name] = _term_setting(source, f"{base_key}.{name}", value, key, tup)
    return out


def _overlay(node: NodeConfig, app: str, key: str, conf_settings: list[Setting], what: str) -> Optional[Term]:
    """advanced.config value of App.Key (or None); reports TLS705 when it discards conf lines."""
    found = _advanced_value(node, app, key)
    if found is None:
        return None
    value, tup = found
    if conf_settings:
        src = node.advanced_source
        first = min(conf_settings, key=lambda s: (str(s.source.path), s.span.start))
        keys = sorted({s.key for s in conf_settings})
        shown = ", ".join(keys[:4]) + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")
        key_term = tup.value[0]
        node.document.problems.append(Problem(
            "TLS705", Location(src, key_term.span),
            f"advanced.config sets {{{app}, [{{{key}, ...}}]}}, which replaces the whole value: the "
            f"{len(conf_settings)} {what} line(s) of {first.source.path.name} ({shown}) are discarded, "
            f"first at line {first.line}",
            setting=_term_setting(src, f"{app}.{key}", value, key_term, tup),
            data={"discarded": conf_settings, "app": app, "key": key}))
    return value


def _nested(term: Optional[Term], path: tuple[str, ...]) -> Optional[Term]:
    for step in path:
        if term is None:
            return None
        term = term.get(step)
    return term


def build_endpoints(node: NodeConfig) -> None:
    amqp_listeners = _listeners(node)
    for surface in SURFACES:
        conf_opts = _conf_block(node, surface.prefix)
        if surface.id == "oauth2":
            _oauth2_endpoints(node, surface)
            continue
        conf_all = list(conf_opts.values())
        if surface.id == "management_legacy":
            extra = [s for s in (_conf_get(node, "management", "listener", k) for k in ("port", "ssl", "ip")) if s]
            conf_all += extra
        if surface.nested and surface.app_key in ("cluster_formation", "definitions"):
            # the whole App.Key also holds non-TLS keys; report only the TLS lines
            pass
        adv = _overlay(node, surface.app, surface.app_key, conf_all, ".".join(surface.prefix) + ".*")
        options: dict[str, Setting]
        plist = None
        if adv is not None:
            plist = _nested(adv, surface.nested) if surface.nested else adv
            if plist is None and surface.id == "prometheus":
                plist = adv
            if plist is None or plist.kind != "list":
                continue
            options = _term_options(node.advanced_source, ".".join((surface.app, surface.app_key) + surface.nested),
                                    plist)
        else:
            options = conf_opts
        if surface.id == "amqp":
            if not options and not amqp_listeners:
                continue
            if "" in options:
                options = {}
            _make(node, surface, options, plist, listeners=amqp_listeners)
        elif surface.id == "management_legacy":
            ssl_on = _conf_get(node, "management", "listener", "ssl")
            enabled = (ssl_on is not None and ssl_on.value == "true") or (adv is not None and
                                                                           _is_true(adv.get("ssl")))
            if not enabled:
                continue
            if not options:
                # ssl = true without ssl_opts: ssl_options are reused minus verify/fail_if_no_peer_cert
                amqp = _conf_block(node, ("ssl_options",))
                options = {k: v for k, v in amqp.items() if k not in ("verify", "fail_if_no_peer_cert")}
            anchor = ssl_on
            _make(node, surface, options, plist, anchor=anchor)
        elif surface.id == "auth_ldap":
            use = [s for s in (_conf_get(node, "auth_ldap", "use_ssl"), _conf_get(node, "auth_ldap", "use_starttls"))
                   if s is not None and s.value == "true"]
            adv_use = [_advanced_value(node, "rabbitmq_auth_backend_ldap", k) for k in ("use_ssl", "use_starttls")]
            if not use and not any(a and _is_true(a[0]) for a in adv_use):
                continue
            _make(node, surface, options, plist, anchor=use[0] if use else None)
        else:
            if not options:
                continue
            listener = options.get("listener")
            ep = _make(node, surface, options, plist)
            if surface.id in ("web_mqtt", "web_stomp") and listener is not None and listener.value == "none":
                # the TLS listener is switched off; the schema still checks at
                # boot that the files it names exist
                ep.serves_tls = False
                ep.load_checks = BOOT_CHECKS
                ep.requires_certificate = False
    _uri_endpoints(node)


def _is_true(term: Optional[Term]) -> bool:
    return term is not None and term.kind == "atom" and term.value == "true"


def _listeners(node: NodeConfig) -> list[tuple[Setting, str]]:
    found = []
    for prefix, app, key, proto in LISTENER_SOURCES:
        conf = _conf_block(node, prefix)
        bare = _conf_get(node, *prefix)
        conf_all = list(conf.values()) + ([bare] if bare else [])
        adv = _overlay(node, app, key, conf_all, ".".join(prefix) + ".*")
        if adv is not None:
            if adv.kind == "list":
                for elem in adv.value:
                    s = _term_setting(node.advanced_source, f"{app}.{key}", elem, None, elem)
                    found.append((s, f"{app}.{key} ({proto} {_port_label(s.value)})"))
            continue
        if bare is not None and bare.value == "none":
            continue
        for name, setting in conf.items():
            found.append((setting, f"{setting.key} ({proto} {_port_label(setting.value)})"))
    return found


def _port_label(value: str) -> str:
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):
        return f":{value}"
    m = re.fullmatch(r"\{\s*\"?([^\",]*)\"?\s*,\s*([0-9]+)\s*\}", value)
    if m:
        return f"{m.group(1)}:{m.group(2)}"
    return value


def _fileref(node: NodeConfig, kind: str, setting: Optional[Setting]) -> Optional[FileRef]:
    if setting is None:
        return None
    base = setting.source.path.parent
    ref = FileRef(kind=kind, setting=setting, path=setting.value, base_dir=base)
    reason = node.unresolved.get(id(setting))
    if reason:
        ref.unresolved = reason
    return ref


def _make(node: NodeConfig, surface: Surface, options: dict[str, Setting], plist: Optional[Term],
          listeners: Optional[list] = None, anchor: Optional[Setting] = None,
          label: Optional[str] = None) -> RabbitEndpoint:
    prefix = ".".join(surface.prefix)
    opt = options.get
    role = surface.role
    # label and anchor
    if surface.id == "amqp":
        if listeners:
            label = ", ".join(text for _, text in listeners)
            anchor = anchor or listeners[0][0]
        else:
            label = "ssl_options (no TLS listener)"
    if label is None:
        label = surface.label
        port = opt("port")
        if surface.id == "management_legacy":
            port = _conf_get(node, "management", "listener", "port") or port
        if surface.id == "web_mqtt" or surface.id == "web_stomp":
            listener = opt("listener")
            if listener is not None:
                label += f" ({listener.value})"
            elif port is not None:
                label += f" (:{port.value})"
        elif port is not None:
            label += f" (:{port.value})"
    if plist is not None:
        label += " [advanced.config]"
    settings = {}
    for name, setting in options.items():
        settings[f"{prefix}.{name}" if name else prefix] = setting
    if listeners:
        for s, _ in listeners:
            settings[s.key] = s
    if anchor is not None:
        settings.setdefault(anchor.key, anchor)
    if anchor is None:
        ordered = sorted(options.values(), key=lambda s: (str(s.source.path), s.span.start))
        anchor = opt("port") or (ordered[0] if ordered else None)
    if anchor is None:  # pragma: no cover - a surface is only built with some setting
        anchor = Setting(prefix, "", "", Span(0, 0), node.document.source)
    ep = RabbitEndpoint(dialect=NAME, role=role, label=label, anchor=anchor, depth_semantics="otp",
                        prefix=prefix, app_path=(surface.app, surface.app_key) + surface.nested,
                        surface=surface.id, options=dict(options), proplist=plist,
                        proplist_source=node.advanced_source if plist is not None else None,
                        settings=settings, system_roots=surface.system_roots)
    _fill_tls(node, ep, options, surface)
    if surface.id == "amqp" and not listeners:
        # no AMQPS/MQTTS/STOMPS/stream TLS listener uses ssl_options: the node
        # still checks that the files exist when it boots, nothing more
        ep.serves_tls = False
        ep.load_checks = BOOT_CHECKS
    if role == "server":
        ep.requires_certificate = bool(listeners) if surface.id == "amqp" else True
    else:
        ep.requires_certificate = False
    node.document.endpoints.append(ep)
    return ep


def _fill_tls(node: NodeConfig, ep: RabbitEndpoint, options: dict[str, Setting], surface: Optional[Surface]) -> None:
    opt = options.get
    role = ep.role
    cert = _fileref(node, "cert", opt("certfile"))
    key = _fileref(node, "key", opt("keyfile"))
    ca = _fileref(node, "ca", opt("cacertfile"))
    if cert is not None or key is not None or opt("password") is not None:
        pair = CertKeyPair(cert=cert, key=key, key_in_cert_file=cert is not None and key is None
                           and not any(k.startswith("key.") for k in options),
                           chain_extra=[ca] if ca is not None else [], password=opt("password"))
        ep.pairs.append(pair)
    if ca is not None:
        ep.ca_files.append(ca)
    # verify (a value RabbitMQ refuses, or one known only at boot, has no
    # meaning here: the field keeps the setting and the value None)
    verify, fail = opt("verify"), opt("fail_if_no_peer_cert")
    if role == "server":
        if not _usable(node, "verify", verify):
            ep.verify = Field(None, verify)
        elif verify is not None and verify.value == "verify_peer":
            if not _usable(node, "fail_if_no_peer_cert", fail):
                ep.verify = Field(None, fail)
            elif fail is not None and fail.value == "true":
                ep.verify = Field("required", fail)
            elif fail is not None:
                ep.verify = Field("optional", fail)
            else:
                ep.verify = Field("optional", verify, default_note=FAIL_UNSET_NOTE)
        elif verify is not None:
            ep.verify = Field("none", verify)
        else:
            ep.verify = Field("none", None, default_note=SERVER_VERIFY_NOTE)
    else:
        if not _usable(node, "verify", verify):
            ep.verify = Field(None, verify)
        elif verify is not None and verify.value == "verify_peer":
            ep.verify = Field("required", verify)
        elif verify is not None:
            ep.verify = Field("none", verify)
        else:
            ep.verify = Field("required", None, default_note=CLIENT_VERIFY_NOTE)
    # depth
    depth = opt("depth")
    if depth is not None:
        ep.depth = Field(int(depth.value) if _usable(node, "depth", depth) else None, depth)
    else:
        ep.depth = Field(10, None, default_note=DEPTH_NOTE)
    # protocols
    versions = [s for k, s in options.items() if k.startswith("versions.")]
    if versions:
        # only the versions Erlang/OTP knows (a refused one is reported as TLS001)
        known = [s for s in versions if _usable(node, "versions.$", s)]
        names = frozenset(_VERSIONS[s.value.rstrip(" \t").strip("'")] for s in known)
        lines = known or versions
        ep.protocols = Field(names, lines[0], others=tuple(lines[1:]))
    elif surface is not None and surface.fixes_versions:
        ep.protocols = Field(ALL_TLS, None, default_note=FIX_VERSIONS_NOTE)
    else:
        ep.protocols = Field(OTP_TLS, None, default_note=OTP_VERSIONS_NOTE)
    ciphers = [s for k, s in options.items() if k.startswith("ciphers.")]
    if ciphers:
        ep.ciphers = Field(":".join(s.value for s in ciphers), ciphers[0])
    # client name checks
    if role == "client":
        sni = opt("sni") or opt("server_name_indication")
        if sni is not None and sni.value in ("none", "disable"):
            ep.hostname_check = Field(False, sni)
        elif ep.verify.value not in ("none", None):
            if sni is not None:
                ep.names.append(Field(sni.value, sni))
            ep.hostname_check = Field(True, sni, default_note="" if sni else
                                      "Erlang/OTP checks the server's name against the host it connects to")


def _usable(node: NodeConfig, option: str, setting: Optional[Setting]) -> bool:
    """Does ``setting`` (None: not set) carry a meaning tlslint can use? Not
    when RabbitMQ refuses the value, nor when it is known only at boot."""
    if setting is None:
        return True
    if id(setting) in node.unresolved or "$(" in setting.value:
        return False
    return schema.option_value_error(option, setting.value) is None


def _oauth2_endpoints(node: NodeConfig, surface: Surface) -> None:
    root = _conf_block(node, ("auth_oauth2", "https"))
    adv = _overlay(node, surface.app, surface.app_key, list(root.values()), "auth_oauth2.https.*")
    if adv is not None:
        # {rabbitmq_auth_backend_oauth2, [{key_config, [{cacertfile, ...}, {peer_verification, ...}]}]}
        if adv.kind == "list":
            opts = _term_options(node.advanced_source, f"{surface.app}.{surface.app_key}", adv)
            opts = {("verify" if k == "peer_verification" else k): v for k, v in opts.items()}
            if any(k in opts for k in ("verify", "cacertfile", "depth", "hostname_verification")):
                _make(node, surface, opts, adv)
    elif root:
        opts = {("verify" if k == "peer_verification" else k): v for k, v in root.items()}
        _make(node, surface, opts, None)
    providers: dict[str, dict[str, Setting]] = {}
    for key, item in node.effective.items():
        if len(key) > 4 and key[:2] == ("auth_oauth2", "oauth_providers") and key[3] == "https":
            providers.setdefault(key[2], {})[".".join(key[4:])] = item.setting
    for name, opts in providers.items():
        opts = {("verify" if k == "peer_verification" else k): v for k, v in opts.items()}
        prov = Surface("oauth2", ("auth_oauth2", "oauth_providers", name, "https"), surface.app,
                       "oauth_providers", "client", nested=(name, "https"),
                       label=f"auth_oauth2.oauth_providers.{name}.https")
        _make(node, prov, opts, None)


# --- amqps:// URIs in advanced.config (shovels, federation) ----------------------

def _walk_terms(term: Term):
    yield term
    if term.kind in ("list", "tuple"):
        for t in term.value:
            yield from _walk_terms(t)
        if term.tail is not None:
            yield from _walk_terms(term.tail)
    elif term.kind == "map":
        for k, v in term.value:
            yield from _walk_terms(k)
            yield from _walk_terms(v)


URI_PARAMS = ("cacertfile", "certfile", "keyfile", "verify", "fail_if_no_peer_cert", "password",
              "server_name_indication", "depth", "versions", "customize_hostname_check")


def _uri_endpoints(node: NodeConfig) -> None:
    if node.advanced is None:
        return
    src = node.advanced_source
    defaults = _conf_block(node, ("amqp_client", "ssl_options"))
    for term in _walk_terms(node.advanced):
        if term.kind not in ("string", "binary") or not term.value.startswith("amqps://"):
            continue
        uri = term.value
        try:
            parts = urlsplit(uri)
            params = parse_qs(parts.query, keep_blank_values=True)
            host = parts.hostname or ""
            port = parts.port or 5671
        except ValueError:
            continue
        raw_uri = src.text[term.span.start:term.span.end]
        options: dict[str, Setting] = dict(defaults)
        for name in URI_PARAMS:
            if name not in params:
                continue
            value = urlunquote(params[name][-1])
            # locate the parameter inside the literal when it is written plainly
            m = re.search(r"[?&]" + re.escape(name) + r"=([^&\"]*)", raw_uri)
            if m:
                span = Span(term.span.start + m.start(1), term.span.start + m.end(1))
            else:
                span = term.span
            options[name] = Setting(key=f"amqps-uri.{name}", value=value, raw=src.text[span.start:span.end],
                                    span=span, source=src, key_span=None, statement=term.span)
        anchor = Setting(key="amqps-uri", value=uri, raw=raw_uri, span=term.span, source=src, statement=term.span)
        surface = Surface("uri", ("amqps-uri",), "", "", "client", system_roots=True)
        safe_uri = f"amqps://{host}:{port}{parts.path}"
        ep = _make(node, surface, options, None, anchor=anchor, label=f"amqps URI {safe_uri}")
        ep.names = [Field(host, anchor)] if host and not re.fullmatch(r"[0-9.:\[\]]+", host) else ep.names
        ep.settings["amqps-uri"] = anchor
