"""From the directive tree to TLS endpoints, with nginx's merge semantics.

Server side (http, stream, mail ``server`` blocks):

* ``ssl_*`` values are inherited from the http/stream/mail level only when the
  server does not set them; arrays (``ssl_certificate``,
  ``ssl_certificate_key``, ``ssl_conf_command``...) are inherited or replaced
  whole, and certificates and keys are merged *independently*, then paired by
  index (a server that overrides only ``ssl_certificate`` pairs it with the
  inherited key; fewer keys than certificates gives a pair without a key; extra
  keys are ignored, as nginx does). ``ssl_protocols`` repeated on one level are
  OR-ed together.
* A server is a TLS endpoint when one of its listen sockets is TLS (``ssl`` on
  any ``listen`` of that address:port, in any server, or ``quic``), when ``ssl
  on`` applies, for mail when ``starttls on|only``, or (http, stream) when it
  has a certificate after inheritance: nginx then builds an SSL context for it
  and loads its files, even if it only ever speaks plain HTTP (such endpoints
  get no ``names``: no TLS client ever reaches them).
* ``requires_certificate`` is True only where ``nginx -t`` refuses a missing
  certificate: the default server of a TLS socket (``default_server``, else
  the first server listening there), every server of a socket whose default
  server has no certificate but ``ssl_reject_handshake on``, ``ssl on``, and
  every TLS mail server. A name-based server without a certificate of its own
  silently serves the default server's: ``settings["_default_server"]`` and
  ``settings["_default_server_cert"]`` say which.

Client side (upstream TLS): ``proxy_pass https://``, ``grpc_pass grpcs://``,
``uwsgi_pass suwsgi://`` in http (merged http -> server -> location -> if), and
stream servers with ``proxy_ssl on``. The name checked is ``*_ssl_name`` or,
by default, the host of the pass URL (``$proxy_host``); when that host is an
``upstream {}`` group, ``settings["_upstream_block"]`` is the group's Setting.

File paths (FileRef.base_dir) resolve against the conf prefix, the main
config's directory, also for files named in included files.

``TlsEndpoint.settings`` holds the effective directives by name (the first
of each; server endpoints also inherit ``ssl_*``, ``resolver``, ``http2``,
client endpoints ``{proxy,grpc,uwsgi}_*`` and ``resolver``), plus:

* ``_block``: the ``server``/``location`` block directive the endpoint lives in
  (absent for a fragment file that is the inside of a server block);
* ``_pass`` (clients): the ``*_pass`` directive;
* ``_upstream_block`` (clients): the ``upstream`` group named by the pass URL;
* ``_default_server`` (servers): the default server of the TLS socket when it
  is another server; ``_default_server_cert``: its first ``ssl_certificate``,
  when this server has none of its own and so serves that one.
"""

from __future__ import annotations

import re
import weakref
from pathlib import Path
from typing import Iterable, Optional

from tlslint.model import CertKeyPair, Field, FileRef, Problem, Setting, TlsEndpoint
from tlslint.pki.names import ip_literal

from .versions import (SSL_DIRECTIVE_DEPRECATED, SSL_DIRECTIVE_REMOVED, TRUSTED_CERTIFICATE_VERIFIES_CLIENTS,
                       NginxProfile, show)
from .syntax import Node

DIALECT = "nginx"

PROTOCOL_NAMES = {p.lower(): p for p in ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")}
SERVER_CIPHERS_DEFAULT = "HIGH:!aNULL:!MD5"
CLIENT_CIPHERS_DEFAULT = "DEFAULT"

VERIFY_CLIENT = {"off": "none", "on": "required", "optional": "optional", "optional_no_ca": "optional_no_verify"}

# pass directive -> (TLS URL scheme, directive prefix of its TLS settings)
UPSTREAM_PASSES = {
    "proxy_pass": ("https://", "proxy"),
    "grpc_pass": ("grpcs://", "grpc"),
    "uwsgi_pass": ("suwsgi://", "uwsgi"),
}

# Scalar directives nginx refuses to see twice on one level
# ("\"%s\" directive is duplicate"). Not here: the *_protocols bitmasks (repeats
# are OR-ed), arrays (ssl_certificate, ssl_certificate_key, ssl_conf_command,
# ssl_session_ticket_key, ssl_ech_file) and ssl_session_cache.
DUPLICATE_SCALARS = frozenset(
    """ssl ssl_ciphers ssl_verify_client ssl_verify_depth ssl_client_certificate ssl_trusted_certificate
    ssl_crl ssl_dhparam ssl_ecdh_curve ssl_prefer_server_ciphers ssl_session_tickets ssl_session_timeout
    ssl_buffer_size ssl_stapling ssl_stapling_verify ssl_stapling_file ssl_stapling_responder ssl_early_data
    ssl_reject_handshake ssl_ocsp ssl_ocsp_responder ssl_ocsp_cache ssl_certificate_cache
    ssl_certificate_compression ssl_handshake_timeout ssl_password_file ssl_preread starttls proxy_ssl
    """.split()
    + [f"{p}_ssl_{s}" for p in ("proxy", "grpc", "uwsgi") for s in (
        "verify", "verify_depth", "name", "server_name", "certificate", "certificate_key", "password_file",
        "trusted_certificate", "crl", "ciphers", "session_reuse", "certificate_cache")]
)

_INHERITED_EXTRA = frozenset({"resolver", "resolver_timeout", "http2", "starttls", "ssl"})
_VARIABLE = re.compile(r"\$\{?([A-Za-z0-9_]+)")

# endpoint -> (block node or None, the nodes of its level): for insert_setting
ENDPOINT_BLOCKS: "weakref.WeakKeyDictionary[TlsEndpoint, tuple[Optional[Node], list[Node]]]" = \
    weakref.WeakKeyDictionary()


def flatten(nodes: Iterable[Node]) -> list[Node]:
    """The directives of one level, with included files' directives in place."""
    out: list[Node] = []
    stack = [iter(nodes)]
    while stack:
        for node in stack[-1]:
            out.append(node)
            if node.included:
                stack.append(iter([n for sub in node.included for n in sub]))
                break
        else:
            stack.pop()
    return out


class Scope:
    """One configuration level (http, server, location...) and its parent."""

    __slots__ = ("nodes", "parent", "owner", "by_key")

    def __init__(self, nodes: Iterable[Node], parent: Optional["Scope"] = None, owner: Optional[Node] = None):
        self.nodes = flatten(nodes)
        self.parent = parent
        self.owner = owner
        by_key: dict[str, list[Setting]] = {}
        for n in self.nodes:
            by_key.setdefault(n.key, []).append(n.setting)
        self.by_key = by_key

    def own(self, key: str) -> list[Setting]:
        return self.by_key.get(key, [])

    def get(self, key: str) -> list[Setting]:
        """The settings of the nearest level that has ``key`` (replace, not append)."""
        scope: Optional[Scope] = self
        while scope is not None:
            found = scope.by_key.get(key)
            if found:
                return found
            scope = scope.parent
        return []

    def first(self, key: str) -> Optional[Setting]:
        found = self.get(key)
        return found[0] if found else None

    def blocks(self, *keys: str) -> list[Node]:
        return [n for n in self.nodes if n.children is not None and not n.lua and n.key in keys]

    def effective(self, prefixes: tuple[str, ...] = ("ssl_",), extra: frozenset = _INHERITED_EXTRA
                  ) -> dict[str, Setting]:
        """Own directives (the first of each), plus the inherited ones whose
        name starts with one of ``prefixes`` (or is in ``extra``)."""
        out: dict[str, Setting] = {k: v[0] for k, v in self.by_key.items()}
        scope = self.parent
        while scope is not None:
            for k, v in scope.by_key.items():
                if k not in out and (k.startswith(prefixes) or k in extra):
                    out[k] = v[0]
            scope = scope.parent
        return out


def _flag(setting: Optional[Setting]) -> bool:
    return setting is not None and setting.value.lower() == "on"


# ------------------------------------------------------------------ files

def file_ref(kind: str, setting: Setting, base_dir: Path) -> FileRef:
    value = setting.value
    inline: Optional[bytes] = None
    unresolved: Optional[str] = None
    if value.startswith("data:"):
        payload = value[5:]
        var = _VARIABLE.search(payload)
        if var:
            unresolved = f"uses variable ${var.group(1)}"
        else:
            inline = payload.encode("utf-8", errors="surrogateescape")
    elif value.startswith(("engine:", "store:")) and kind == "key":
        unresolved = "key loaded from an OpenSSL engine/provider"
    else:
        var = _VARIABLE.search(value)
        if var:
            unresolved = f"uses variable ${var.group(1)}"
    return FileRef(kind=kind, setting=setting, path=value, base_dir=base_dir, inline=inline, unresolved=unresolved)


# ------------------------------------------------------------------ listen sockets

def listen_params(listen: Setting) -> set[str]:
    return {a.value.lower() for a in listen.args[1:]}


def _reaches(ip, host: str) -> bool:
    """Can a client connecting to ``ip`` arrive on a listen of ``host``?"""
    if host == "*":
        return ip.version == 4
    literal = ip_literal(host)
    if literal is None:
        return False  # a host name: not known here
    return literal == ip or (literal.is_unspecified and literal.version == ip.version)


def listen_address(listen: Setting) -> tuple[str, str, str]:
    """(protocol, host, port) of a listen directive; ``*`` for any address."""
    addr = listen.value
    proto = "udp" if "quic" in listen_params(listen) else "tcp"
    if addr.startswith("unix:"):
        return proto, addr, ""
    if addr.startswith("["):
        close = addr.find("]")
        host, rest = addr[:close + 1], addr[close + 1:]
        port = rest[1:] if rest.startswith(":") else "80"
    elif ":" in addr:
        host, port = addr.rsplit(":", 1)
    elif addr.isdigit():
        host, port = "*", addr
    else:
        host, port = addr, "80"
    if host in ("*", "0.0.0.0"):
        host = "*"
    return proto, host.lower(), port


def address_label(listen: Optional[Setting]) -> str:
    if listen is None:
        return ":80"
    proto, host, port = listen_address(listen)
    if host.startswith("unix:"):
        return host
    return f":{port}" if host == "*" else f"{host}:{port}"


class _Socket:
    __slots__ = ("servers", "tls", "default")

    def __init__(self):
        self.servers: list["_Server"] = []
        self.tls = False
        self.default: Optional["_Server"] = None


class _Server:
    """A server block with its merged scope and its facts."""

    def __init__(self, node: Optional[Node], scope: Scope, anchor_fallback: Setting):
        self.node = node
        self.scope = scope
        self.setting = node.setting if node is not None else anchor_fallback
        self.listens = scope.own("listen")
        self.certs = scope.get("ssl_certificate")
        self.reject = _flag(scope.first("ssl_reject_handshake"))
        self.ssl_directive = scope.first("ssl")
        self.sockets: list[_Socket] = []
        self.listen_sockets: list[tuple[Setting, _Socket]] = []


def _socket_model(servers: list[_Server], default_listen: bool) -> None:
    sockets: dict[tuple[str, str, str], _Socket] = {}
    for srv in servers:
        keys = []
        for listen in srv.listens:
            key = listen_address(listen)
            sock = sockets.setdefault(key, _Socket())
            params = listen_params(listen)
            if "ssl" in params or "quic" in params:
                sock.tls = True
            if ("default_server" in params or "default" in params) and sock.default is None:
                sock.default = srv
            srv.listen_sockets.append((listen, sock))
            keys.append(key)
        if not srv.listens and default_listen:
            keys.append(("tcp", "*", "80"))
            sockets.setdefault(keys[-1], _Socket())
        for key in keys:
            sock = sockets[key]
            if srv not in sock.servers:
                sock.servers.append(srv)
            if sock not in srv.sockets:
                srv.sockets.append(sock)
    for sock in sockets.values():
        if sock.default is None and sock.servers:
            sock.default = sock.servers[0]
        # the removed `ssl on`: nginx asks the socket's default server
        # (ngx_http_init_connection), so it makes the whole socket TLS there and
        # does nothing in a name-based server
        if sock.default is not None and _flag(sock.default.ssl_directive):
            sock.tls = True


# ------------------------------------------------------------------ builder

class EndpointBuilder:
    def __init__(self, base_dir: Path, profile: Optional[NginxProfile] = None):
        self.base_dir = base_dir
        self.profile = profile or NginxProfile()
        self.endpoints: list[TlsEndpoint] = []
        self.problems: list[Problem] = []

    # --------------------------------------------------------- shared fields

    def _files(self, kind: str, settings: Iterable[Setting]) -> list[FileRef]:
        return [file_ref(kind, s, self.base_dir) for s in settings]

    def _fill_common(self, ep: TlsEndpoint, scope: Scope, prefix: str, server: bool) -> None:
        """pairs, CRLs, depth, protocols, ciphers for directives ``{prefix}_*``."""
        ep.pairs = self._pairs(scope, prefix)
        ep.crl_files = self._files("crl", scope.get(f"{prefix}_crl"))
        if server:
            # loaded at start too: a missing one makes nginx -t fail
            others = [("dhparam", scope.first("ssl_dhparam"))]
            others += [("ticket_key", s) for s in scope.get("ssl_session_ticket_key")]
            if _flag(scope.first("ssl_stapling")):
                others.append(("ocsp_response", scope.first("ssl_stapling_file")))
            ep.other_files = [file_ref(kind, s, self.base_dir) for kind, s in others if s is not None]

        depth = scope.first(f"{prefix}_verify_depth")
        if depth is not None:
            ep.depth = Field(int(depth.value) if depth.value.isdigit() else None, depth)
        else:
            ep.depth = Field(1, None, f"nginx default {prefix}_verify_depth 1")

        protocols = scope.get(f"{prefix}_protocols")
        if protocols:
            names = set()
            for s in protocols:
                for arg in s.args:
                    name = PROTOCOL_NAMES.get(arg.value.lower())
                    if name:
                        names.add(name)
            ep.protocols = Field(frozenset(names), protocols[0], others=tuple(protocols[1:]))
        else:
            default, note = self.profile.default_protocols()
            if prefix != "ssl":
                note = note.replace("default", f"default {prefix}_protocols", 1)
            ep.protocols = Field(default, None, note)

        ciphers = scope.first(f"{prefix}_ciphers")
        if ciphers is not None:
            ep.ciphers = Field(ciphers.value, ciphers)
        elif server:
            ep.ciphers = Field(SERVER_CIPHERS_DEFAULT, None, f"nginx default ssl_ciphers {SERVER_CIPHERS_DEFAULT}")
        else:
            ep.ciphers = Field(CLIENT_CIPHERS_DEFAULT, None,
                               f"nginx default {prefix}_ciphers {CLIENT_CIPHERS_DEFAULT}")

    def _pairs(self, scope: Scope, prefix: str) -> list[CertKeyPair]:
        """Certificates and keys, merged independently and then paired by index."""
        certs = scope.get(f"{prefix}_certificate")
        keys = scope.get(f"{prefix}_certificate_key")
        passwords = self._files("password", scope.get(f"{prefix}_password_file"))
        pairs = []
        for i, cert in enumerate(certs):
            key = file_ref("key", keys[i], self.base_dir) if i < len(keys) else None
            pairs.append(CertKeyPair(cert=file_ref("cert", cert, self.base_dir), key=key,
                                     password_files=list(passwords)))
        return pairs

    @staticmethod
    def _names(scope: Scope) -> list[Field[str]]:
        names: list[Field[str]] = []
        for s in scope.own("server_name"):
            for arg in s.args:
                v = arg.value.lower()
                if not v or v == "_" or v.startswith("~") or "$" in v:
                    continue
                if v.startswith("."):
                    names.append(Field(v[1:], arg))
                    names.append(Field("*" + v, arg))
                    continue
                if "*" in v and not (v.startswith("*.") and "*" not in v[2:]):
                    continue
                names.append(Field(v, arg))
        return names

    # --------------------------------------------------------- servers

    def _server_endpoint(self, srv: _Server, kind: str, parent_label: str = "") -> None:
        scope = srv.scope
        tls_sockets = [s for s in srv.sockets if s.tls]
        ssl_on = _flag(srv.ssl_directive)
        starttls = scope.first("starttls")
        starttls_on = starttls is not None and starttls.value.lower() in ("on", "only")
        own_tls_listens = [l for l in srv.listens if listen_params(l) & {"ssl", "quic"}]
        if kind == "mail":
            serves_tls = bool(own_tls_listens) or ssl_on or starttls_on
            if not serves_tls:
                return
        else:
            serves_tls = bool(tls_sockets)
            if not serves_tls and not srv.certs and not ssl_on:
                return
            if not srv.certs and srv.reject:
                return  # ssl_reject_handshake: no certificate needed, no handshake completes

        if kind == "mail":
            requires = True
        else:
            requires = ssl_on or any(s.default is srv for s in tls_sockets)
            if not requires:
                requires = any(s.default is not None and not s.default.certs and s.default.reject
                               for s in tls_sockets)

        # a listen without "ssl" is TLS too when another server made its address TLS
        tls_listens = own_tls_listens or [l for l, sock in srv.listen_sockets if sock.tls]
        if ssl_on and not srv.certs:
            # nginx reports `ssl on` without a certificate at the ssl line
            # (ngx_http_ssl_merge_srv_conf), before it looks at the listens
            anchor = srv.ssl_directive
        else:
            anchor = tls_listens[0] if tls_listens else (srv.ssl_directive if ssl_on else srv.setting)
        label_listen = tls_listens[0] if tls_listens else (srv.listens[0] if srv.listens else None)
        names = self._names(scope) if serves_tls else []
        head = {"http": "server", "stream": "stream server", "mail": "mail server", "fragment": "server"}[kind]
        label = f"{head} {address_label(label_listen)}"
        first_name = next((a.value for s in scope.own("server_name") for a in s.args if a.value), "")
        if first_name:
            label += f" {first_name}"

        ep = TlsEndpoint(dialect=DIALECT, role="server", label=label, anchor=anchor,
                         requires_certificate=requires, depth_semantics="openssl", serves_tls=serves_tls)
        self._fill_common(ep, scope, "ssl", server=True)
        verify = scope.first("ssl_verify_client")
        if verify is not None:
            ep.verify = Field(VERIFY_CLIENT.get(verify.value.lower(), "none"), verify)  # type: ignore[arg-type]
        else:
            ep.verify = Field("none", None, "nginx default ssl_verify_client off")
        ep.ca_files = (self._files("ca", scope.get("ssl_client_certificate"))
                       + self._files("ca", scope.get("ssl_trusted_certificate")))
        self._trusted_only_verify(ep, scope)
        ep.names = names
        ep.settings = scope.effective()
        if srv.node is not None:
            ep.settings["_block"] = srv.node.setting
        defaults_seen: list[_Server] = []
        for sock in tls_sockets:
            default = sock.default
            if default is None or default is srv or default in defaults_seen:
                continue
            # each TLS address its own default server (IPv4 and IPv6 may differ)
            defaults_seen.append(default)
            ep.settings.setdefault("_default_server", default.setting)
            if default.certs:
                pairs = self._pairs(default.scope, "ssl")
                if not srv.certs:
                    ep.settings.setdefault("_default_server_cert", default.certs[0])
                    ep.fallback_pairs += pairs
        self._ip_names(ep, srv)
        self._incompatible(scope, label)
        quic = next((l for l in srv.listens if "quic" in listen_params(l)), None)
        if quic is not None and "TLSv1.3" not in ep.protocols.value:
            # nginx refuses: '"ssl_protocols" must enable TLSv1.3 for the "listen ... quic" directive'
            where = ep.protocols.setting or quic
            self.problems.append(Problem(
                "TLS204", where.location(),
                f'{label}: "listen ... quic" needs TLSv1.3, but ssl_protocols does not enable it: '
                'nginx refuses to start ("ssl_protocols" must enable TLSv1.3 for the "listen ... quic" '
                "directive)", setting=where))
        ENDPOINT_BLOCKS[ep] = (srv.node, scope.nodes)
        self.endpoints.append(ep)

    def _incompatible(self, scope: Scope, label: str) -> None:
        """Pairs of directives nginx refuses together (load-time emerg)."""
        verify = scope.first("ssl_verify_client")
        ocsp = scope.first("ssl_ocsp")
        if ocsp is not None and ocsp.value.lower() in ("on", "leaf") and verify is not None \
                and verify.value.lower() == "optional_no_ca":
            self.problems.append(Problem(
                "TLS204", ocsp.location(),
                f'{label}: "ssl_ocsp" is incompatible with "ssl_verify_client optional_no_ca": '
                "nginx refuses to start", setting=ocsp))
        stapling = scope.first("ssl_stapling")
        compression = scope.first("ssl_certificate_compression")
        if stapling is not None and _flag(stapling) and compression is not None and _flag(compression):
            self.problems.append(Problem(
                "TLS204", stapling.location(),
                f'{label}: "ssl_stapling" is incompatible with "ssl_certificate_compression": '
                "nginx refuses to start", setting=stapling))

    # --------------------------------------------------------- clients

    def _client_endpoint(self, scope: Scope, pass_setting: Setting, prefix: str, where: str,
                         host: str, upstreams: dict[str, Setting]) -> None:
        label = f"{pass_setting.key} {pass_setting.value} ({where})"
        ep = TlsEndpoint(dialect=DIALECT, role="client", label=label, anchor=pass_setting,
                         requires_certificate=False, depth_semantics="openssl")
        self._fill_common(ep, scope, f"{prefix}_ssl", server=False)
        verify = scope.first(f"{prefix}_ssl_verify")
        if _flag(verify):
            ep.verify = Field("required", verify)
            ep.hostname_check = Field(True, verify, "nginx checks the name whenever it verifies the certificate")
        else:
            note = f"{prefix}_ssl_verify is off by default"
            ep.verify = Field("none", verify, "" if verify is not None else note)
            ep.hostname_check = Field(False, verify, f"{prefix}_ssl_verify is off: neither chain nor name is checked")
        ep.ca_files = self._files("ca", scope.get(f"{prefix}_ssl_trusted_certificate"))
        name = scope.first(f"{prefix}_ssl_name")
        if name is not None:
            ep.names = [Field(name.value, name)]
        elif host:
            ep.names = [Field(host, None, f"{prefix}_ssl_name defaults to the host in {pass_setting.key} "
                                          f"(${prefix}_host)" if prefix == "proxy" else
                              f"{prefix}_ssl_name defaults to the host in {pass_setting.key}")]
        ep.settings = scope.effective((f"{prefix}_",), frozenset({"resolver", "resolver_timeout"}))
        ep.settings["_pass"] = pass_setting
        # *_ssl_* directives are not allowed in "if" or "limit_except": edits go
        # to the enclosing location (or server)
        target = scope
        while target.owner is not None and target.owner.key in ("if", "limit_except") \
                and target.parent is not None:
            target = target.parent
        if target.owner is not None:
            ep.settings["_block"] = target.owner.setting
        if host in upstreams:
            ep.settings["_upstream_block"] = upstreams[host]
        ENDPOINT_BLOCKS[ep] = (target.owner, target.nodes)
        self.endpoints.append(ep)

    @staticmethod
    def _url_host(url: str) -> str:
        rest = url.split("://", 1)[1] if "://" in url else url
        for stop in "/?#":
            rest = rest.split(stop, 1)[0]
        rest = rest.rsplit("@", 1)[-1]
        if rest.startswith("["):
            return rest[: rest.find("]") + 1] if "]" in rest else rest
        return rest.split(":", 1)[0]

    def _walk_locations(self, scope: Scope, where: str, upstreams: dict[str, Setting], depth: int = 0) -> None:
        for key, (scheme, prefix) in UPSTREAM_PASSES.items():
            for s in scope.own(key):
                if s.value.lower().startswith(scheme):
                    self._client_endpoint(scope, s, prefix, where, self._url_host(s.value), upstreams)
        if depth > 100:
            return
        for node in scope.blocks("location", "if", "limit_except"):
            sub = Scope(node.children or [], scope, node)
            if node.key == "location":
                sub_where = "location " + " ".join(a.raw for a in node.setting.args)
            else:
                sub_where = where
            self._walk_locations(sub, sub_where, upstreams, depth + 1)

    def _ip_names(self, ep: TlsEndpoint, srv: "_Server") -> None:
        """For each IP address in server_name: the certificates of the default
        servers of the TLS addresses a client of that IP reaches (it sends no
        SNI, so nginx cannot pick this server's certificate)."""
        for name in ep.names:
            ip = ip_literal(name.value)
            if ip is None:
                continue
            pairs: list[CertKeyPair] = []
            for listen, sock in srv.listen_sockets:
                if not sock.tls or sock.default is None or not _reaches(ip, listen_address(listen)[1]):
                    continue
                default = sock.default
                pairs += ep.pairs if default is srv else self._pairs(default.scope, "ssl")
            if pairs:
                ep.no_sni_pairs[name.value] = pairs

    def _trusted_only_verify(self, ep: TlsEndpoint, scope: Scope) -> None:
        """ssl_verify_client on|optional with ssl_trusted_certificate but no
        ssl_client_certificate: nginx before 1.27.2 refuses to start."""
        if ep.verify.setting is None or ep.verify.value not in ("required", "optional"):
            return
        if scope.get("ssl_client_certificate") or not scope.get("ssl_trusted_certificate"):
            return  # fine, or no CA at all (TLS205 from the endpoint)
        if not self.profile.may_lack(TRUSTED_CERTIFICATE_VERIFIES_CLIENTS):
            return
        versions = ("nginx " + show(self.profile.version) if self.profile.version
                    else "nginx before 1.27.2")
        self.problems.append(Problem(
            "TLS205", ep.verify.setting.location(),
            f"{ep.label}: ssl_verify_client {ep.verify.setting.value} with only ssl_trusted_certificate: "
            f"{versions} refuses to start (\"no ssl_client_certificate for ssl_verify_client\"); "
            "add ssl_client_certificate (nginx 1.27.2 and later accept ssl_trusted_certificate alone)",
            setting=ep.verify.setting, data={"endpoint": ep.label}))

    # --------------------------------------------------------- contexts

    def _deprecated_ssl(self, scope: Scope, servers: list[_Server]) -> None:
        # the fix adds "ssl" to the listens whose socket is TLS anyway, so that
        # nothing changes: not to a name-based server's listen on a plain
        # socket, where "ssl on" did nothing
        for s in scope.own("ssl"):
            listens = [l for srv in servers if not srv.scope.own("ssl") for l, sock in srv.listen_sockets
                       if sock.tls]
            self._ssl_problem(s, listens)
        for srv in servers:
            for s in srv.scope.own("ssl"):
                self._ssl_problem(s, [l for l, sock in srv.listen_sockets if sock.tls])

    def _ssl_problem(self, setting: Setting, listens: list[Setting]) -> None:
        if self.profile.predates(SSL_DIRECTIVE_DEPRECATED):
            return  # before 1.15.0, "ssl on" was how TLS was turned on
        message = ('the "ssl" directive is deprecated, use the "listen ... ssl" directive instead'
                   if self.profile.may_lack(SSL_DIRECTIVE_REMOVED) else
                   f'the "ssl" directive was removed in nginx 1.25.1 (nginx {show(self.profile.version)} does '
                   'not start): use the "listen ... ssl" directive instead')
        self.problems.append(Problem(
            "TLS702", setting.location(), message,
            setting=setting, data={"listens": listens, "value": setting.value.lower()}))

    def http(self, nodes: list[Node], owner: Optional[Node], parent: Optional[Scope] = None) -> None:
        http = Scope(nodes, parent, owner)
        upstreams = {n.setting.value: n.setting for n in http.blocks("upstream")}
        servers = [_Server(n, Scope(n.children or [], http, n), n.setting) for n in http.blocks("server")]
        _socket_model(servers, default_listen=True)
        for srv in servers:
            self._server_endpoint(srv, "http")
        for srv in servers:
            where = self._plain_label(srv, "server")
            self._walk_locations(srv.scope, where, upstreams)
        self._deprecated_ssl(http, servers)

    @staticmethod
    def _plain_label(srv: _Server, head: str) -> str:
        listen = next((l for l in srv.listens if listen_params(l) & {"ssl", "quic"}), None) or \
            (srv.listens[0] if srv.listens else None)
        label = f"{head} {address_label(listen)}"
        first_name = next((a.value for s in srv.scope.own("server_name") for a in s.args if a.value), "")
        return f"{label} {first_name}" if first_name else label

    def server_fragment(self, nodes: list[Node]) -> None:
        """A file holding the inside of an http server block."""
        http = Scope([], None, None)
        scope = Scope(nodes, http, None)
        if not scope.nodes:
            return
        anchor = scope.own("listen")[0] if scope.own("listen") else scope.nodes[0].setting
        srv = _Server(None, scope, anchor)
        _socket_model([srv], default_listen=True)
        self._server_endpoint(srv, "fragment")
        self._walk_locations(scope, self._plain_label(srv, "server"), {})
        self._deprecated_ssl(http, [srv])

    def stream(self, nodes: list[Node], owner: Optional[Node]) -> None:
        stream = Scope(nodes, None, owner)
        upstreams = {n.setting.value: n.setting for n in stream.blocks("upstream")}
        servers = [_Server(n, Scope(n.children or [], stream, n), n.setting) for n in stream.blocks("server")]
        _socket_model(servers, default_listen=False)
        for srv in servers:
            self._server_endpoint(srv, "stream")
            if _flag(srv.scope.first("proxy_ssl")):
                pass_setting = srv.scope.first("proxy_pass") or srv.scope.first("proxy_ssl")
                assert pass_setting is not None
                host = self._url_host(pass_setting.value) if pass_setting.key == "proxy_pass" else ""
                where = self._plain_label(srv, "stream server")
                self._client_endpoint(srv.scope, pass_setting, "proxy", where, host, upstreams)

    def mail(self, nodes: list[Node], owner: Optional[Node]) -> None:
        mail = Scope(nodes, None, owner)
        servers = [_Server(n, Scope(n.children or [], mail, n), n.setting) for n in mail.blocks("server")]
        _socket_model(servers, default_listen=False)
        for srv in servers:
            self._server_endpoint(srv, "mail")
        self._deprecated_ssl(mail, servers)

    def main(self, nodes: list[Node]) -> None:
        top = Scope(nodes)
        for node in top.blocks("http"):
            self.http(node.children or [], node)
        for node in top.blocks("stream"):
            self.stream(node.children or [], node)
        for node in top.blocks("mail"):
            self.mail(node.children or [], node)


# ------------------------------------------------------------------ duplicates

def duplicate_problems(top: list[Node]) -> list[Problem]:
    """TLS009 for scalar TLS directives set twice on one level."""
    problems: list[Problem] = []
    seen_blocks: set[int] = set()
    pending: list[list[Node]] = [top]
    while pending:
        level = flatten(pending.pop())
        first: dict[str, Setting] = {}
        for node in level:
            key = node.key
            if key in DUPLICATE_SCALARS:
                if key in first:
                    problems.append(Problem("TLS009", node.setting.location(), f'"{key}" directive is duplicate',
                                            setting=node.setting,
                                            data={"severity": "error", "first": first[key]}))
                else:
                    first[key] = node.setting
            if node.children and not node.lua and id(node) not in seen_blocks:
                seen_blocks.add(id(node))
                pending.append(node.children)
    problems.sort(key=lambda p: (str(p.location.source.path), p.location.span.start))
    return problems
