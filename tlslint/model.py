"""The dialect-neutral model: settings with spans, documents, TLS endpoints.

Dialects (tlslint/dialects) turn config text into a Document whose
endpoints all have the same shape, whatever the server. Rules (rules/) only
ever see this model, so one rule serves nginx, RabbitMQ and YAML alike.

Every value a rule can report on remembers where it came from: a Setting
(file + span) when the config set it, or ``setting=None`` plus a note when it
is the server's default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Literal, Optional, TypeVar

from tlslint.source import Source, Span

T = TypeVar("T")

Role = Literal["server", "client"]
# none: no peer certificate asked for (or, for a client, the server's is not verified)
# optional: asked for and verified when sent, but a peer without one is accepted
# optional_no_verify: asked for, not verified against any CA
# required: a verified peer certificate is required
VerifyMode = Literal["none", "optional", "optional_no_verify", "required"]
FileKind = Literal["cert", "key", "ca", "crl", "password"]

# Protocol names after normalisation by the dialects.
PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
LEGACY_PROTOCOLS = frozenset({"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"})


@dataclass(eq=False)
class Setting:
    """One configured value, located exactly in its source.

    ``raw`` is the value as written (quotes and escapes included) and
    ``source.text[span] == raw`` always holds. ``value`` is what the server
    makes of it (quotes removed, escapes applied).
    ``statement`` spans the whole setting (key, value, terminator) so a fix can
    remove it; ``key_span`` spans the key alone.
    """

    key: str
    value: str
    raw: str
    span: Span
    source: Source
    key_span: Optional[Span] = None
    statement: Optional[Span] = None
    args: tuple["Setting", ...] = ()  # for multi-argument directives: each argument

    @property
    def line(self) -> int:
        return self.source.line_col(self.span.start)[0]

    def location(self) -> "Location":
        return Location(self.source, self.span)


@dataclass(frozen=True, eq=False)
class Location:
    source: Source
    span: Span

    def start(self) -> tuple[int, int]:
        return self.source.line_col(self.span.start)

    def end(self) -> tuple[int, int]:
        return self.source.line_col(self.span.end)


@dataclass
class Field(Generic[T]):
    """A value of the endpoint model: set by ``setting``, or a server default.

    ``default_note`` says which default applies, e.g. "nginx default since 1.27.3".
    """

    value: T
    setting: Optional[Setting] = None
    default_note: str = ""
    # further settings that make up the value with ``setting`` (nginx ORs
    # repeated ssl_protocols lines of one level)
    others: tuple[Setting, ...] = ()

    @property
    def is_default(self) -> bool:
        return self.setting is None


@dataclass(eq=False)
class FileRef:
    """A reference to a certificate, key, CA, CRL or password file.

    ``path`` is the path as configured (after unquoting). Relative paths are
    resolved against ``base_dir`` (the dialect decides which directory that is).
    ``inline`` holds PEM/DER bytes when the config embeds the object itself
    (nginx ``data:``, Envoy ``inline_string``, kubeconfig ``*-data``).
    ``unresolved`` explains why the file cannot be checked statically
    (variables, templating, ``engine:`` keys); rules then report TLS006 only.
    """

    kind: FileKind
    setting: Setting
    path: str
    base_dir: Path
    inline: Optional[bytes] = None
    unresolved: Optional[str] = None

    @property
    def label(self) -> str:
        return "inline data" if self.inline is not None else self.path


@dataclass(eq=False)
class CertKeyPair:
    """One served (or, for a client, presented) certificate and its key.

    ``key`` is None when the key is read from the certificate file itself
    (MongoDB's combined PEM, an nginx certificate file that holds its key), in
    which case ``key_in_cert_file`` is True, or when no key is configured at
    all (TLS304).
    ``chain_extra`` lists files whose certificates the server appends to the
    served chain (RabbitMQ sends cacertfile's certificates too).
    """

    cert: Optional[FileRef]
    key: Optional[FileRef] = None
    key_in_cert_file: bool = False
    chain_extra: list[FileRef] = field(default_factory=list)
    password_files: list[FileRef] = field(default_factory=list)
    password: Optional[Setting] = None  # an inline password (never printed)


@dataclass(eq=False)
class TlsEndpoint:
    """One TLS listener (role server) or one outgoing TLS client (role client).

    ``anchor`` is where endpoint-level findings are reported when no better
    setting exists (the ``listen`` directive, the section key...).
    ``settings`` holds the effective raw settings by the dialect's own key
    names, for the few rules that need a dialect-specific fact (e.g.
    RabbitMQ's ``fail_if_no_peer_cert``).
    """

    dialect: str
    role: Role
    label: str
    anchor: Setting
    pairs: list[CertKeyPair] = field(default_factory=list)
    ca_files: list[FileRef] = field(default_factory=list)
    crl_files: list[FileRef] = field(default_factory=list)
    # other files the server loads at start (nginx ssl_dhparam,
    # ssl_session_ticket_key, ssl_stapling_file): checked to exist and be readable
    other_files: list[FileRef] = field(default_factory=list)
    verify: Field[VerifyMode] = field(default_factory=lambda: Field("none"))
    depth: Field[Optional[int]] = field(default_factory=lambda: Field(None))
    # How the server counts depth: "openssl" (intermediates between peer and
    # anchor, self-issued counted) or "otp" (non-self-issued intermediates).
    depth_semantics: Literal["openssl", "otp", "envoy", "go"] = "openssl"
    protocols: Field[frozenset[str]] = field(default_factory=lambda: Field(frozenset({"TLSv1.2", "TLSv1.3"})))
    ciphers: Field[Optional[str]] = field(default_factory=lambda: Field(None))
    names: list[Field[str]] = field(default_factory=list)  # server: names served; client: name expected
    # client only: does it check the server's name? (None: not applicable)
    hostname_check: Field[Optional[bool]] = field(default_factory=lambda: Field(None))
    # Server listens for TLS (e.g. nginx `listen ... ssl`): a missing certificate is TLS703.
    requires_certificate: bool = True
    # False: the server loads these files but accepts no TLS connection (an
    # nginx server without any TLS listen that has, or inherits,
    # ssl_certificate). Only the rules about loading them apply.
    serves_tls: bool = True
    # For an endpoint that serves no TLS: the codes of the load-time checks
    # its server still makes when it starts (None: all of them, as nginx
    # loading every certificate; RabbitMQ only checks that the files exist).
    load_checks: Optional[frozenset] = None
    # What a server with no certificate of its own serves instead (nginx: the
    # default server of the same listen socket). Used for name checks only.
    fallback_pairs: list[CertKeyPair] = field(default_factory=list)
    # What clients that connect by IP address get, by IP name: they send no SNI
    # (it cannot carry an address), so nginx serves the default server's
    # certificate of each address they can reach. Used for IP names only.
    no_sni_pairs: dict[str, list[CertKeyPair]] = field(default_factory=dict)
    # An empty ca_files means the system trust store (Go and Java clients), so
    # verification without a configured CA is not a mistake there.
    system_roots: bool = False
    settings: dict[str, Setting] = field(default_factory=dict)

    @property
    def source(self) -> Source:
        return self.anchor.source

    def file_refs(self):
        """Every file reference of this endpoint, each object once."""
        refs: list[FileRef] = []
        for pair in self.pairs:
            refs += [r for r in (pair.cert, pair.key) if r is not None]
            refs += pair.chain_extra + pair.password_files
        refs += self.ca_files + self.crl_files + self.other_files
        seen: set[int] = set()
        for ref in refs:
            if id(ref) not in seen:
                seen.add(id(ref))
                yield ref


@dataclass(eq=False)
class Problem:
    """A syntax-level fact a dialect found while parsing (parse error, unknown
    key, deprecated directive, quoting pitfall...). Rules of the same code turn
    problems into findings; the dialect only reports, it never judges TLS."""

    code: str
    location: Location
    message: str
    setting: Optional[Setting] = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Comment:
    source: Source
    span: Span
    text: str  # without the leading '#'


@dataclass(eq=False)
class Document:
    """The parsed configuration rooted at one main file (plus what it includes)."""

    dialect: str
    source: Source
    sources: list[Source] = field(default_factory=list)  # main first, then included files
    settings: list[Setting] = field(default_factory=list)
    endpoints: list[TlsEndpoint] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # The main file is only a piece of a config (an nginx conf.d/ server block,
    # a RabbitMQ conf.d/ file): another file may include it.
    fragment: bool = False

    def __post_init__(self) -> None:
        if not self.sources:
            self.sources = [self.source]
