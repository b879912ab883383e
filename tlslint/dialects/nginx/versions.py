"""The nginx facts tlslint models that changed between versions, and the
version a config is judged for (``--nginx-version``).

Without a version, a config is judged for every nginx still in wide use:
distributions ship 1.22 to 1.26, nginx.org 1.28 and 1.29. Where a fact
changed, tlslint takes the reading under which the config fails on some of
them, and its message says which versions. The one exception is the default
of ``ssl_protocols``: before 1.27.3 it enabled TLSv1 and TLSv1.1, but the
OpenSSL 3 these versions are built with refuses both at its default security
level, so the default is taken as TLSv1.2 TLSv1.3 unless a version is given.
"""

from __future__ import annotations

from typing import Optional

Version = tuple[int, int, int]

# `ssl_verify_client` is satisfied by ssl_trusted_certificate alone (before:
# nginx -t fails with "no ssl_client_certificate for ssl_verify_client")
TRUSTED_CERTIFICATE_VERIFIES_CLIENTS: Version = (1, 27, 2)
SSL_DIRECTIVE_DEPRECATED: Version = (1, 15, 0)
SSL_DIRECTIVE_REMOVED: Version = (1, 25, 1)  # then: unknown directive "ssl"

# TLS directives and listen parameters newer than some nginx in use: with a
# version given, an older one refuses them (unknown directive / invalid parameter)
INTRODUCED: dict[str, Version] = {
    "ssl_ocsp": (1, 19, 0), "ssl_ocsp_responder": (1, 19, 0), "ssl_ocsp_cache": (1, 19, 0),
    "ssl_conf_command": (1, 19, 4), "proxy_ssl_conf_command": (1, 19, 4), "grpc_ssl_conf_command": (1, 19, 4),
    "uwsgi_ssl_conf_command": (1, 19, 4), "ssl_reject_handshake": (1, 19, 4),
    "ssl_certificate_cache": (1, 27, 4), "proxy_ssl_certificate_cache": (1, 27, 4),
    "grpc_ssl_certificate_cache": (1, 27, 4), "uwsgi_ssl_certificate_cache": (1, 27, 4),
    "ssl_certificate_compression": (1, 29, 1), "ssl_ech_file": (1, 29, 4),
}
LISTEN_QUIC: Version = (1, 25, 0)
# directives the stream module gained later than http's (http has them, so an
# older nginx says "not allowed here" in stream)
STREAM_INTRODUCED: dict[str, Version] = {
    **{name: (1, 27, 2) for name in ("ssl_stapling", "ssl_stapling_file", "ssl_stapling_responder",
                                     "ssl_stapling_verify", "ssl_ocsp", "ssl_ocsp_cache", "ssl_ocsp_responder")},
    "ssl_reject_handshake": (1, 25, 5), "server_name": (1, 25, 5),
}

# ssl_protocols (and proxy_ssl_protocols...) default, newest first
PROTOCOL_DEFAULTS: tuple[tuple[Version, frozenset], ...] = (
    ((1, 27, 3), frozenset({"TLSv1.2", "TLSv1.3"})),
    ((1, 23, 4), frozenset({"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"})),
    ((1, 9, 1), frozenset({"TLSv1", "TLSv1.1", "TLSv1.2"})),
    ((0, 0, 0), frozenset({"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"})),
)


def parse_version(text: str) -> Version:
    """"1.22" or "1.22.1" (a leading "nginx/" is allowed); ValueError otherwise."""
    parts = text.strip().removeprefix("nginx/").split(".")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not an nginx version (like 1.26 or 1.26.3): {text!r}")
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    return numbers[0], numbers[1], numbers[2]


def show(version: Version) -> str:
    return ".".join(str(n) for n in version)


class NginxProfile:
    """The nginx version a config is judged for; None: every version in use."""

    def __init__(self, version: Optional[Version] = None):
        self.version = version

    def has(self, change: Version) -> bool:
        """The judged nginx certainly has ``change``."""
        return self.version is not None and self.version >= change

    def may_lack(self, change: Version) -> bool:
        """Some judged nginx predates ``change``."""
        return self.version is None or self.version < change

    def predates(self, change: Version) -> bool:
        """The judged nginx certainly predates ``change``."""
        return self.version is not None and self.version < change

    def not_yet_in_stream(self) -> frozenset:
        """Directives the judged nginx's stream module does not have yet (a version given)."""
        if self.version is None:
            return frozenset()
        return frozenset(name for name, since in STREAM_INTRODUCED.items() if self.version < since)

    def unknown_directives(self) -> frozenset:
        """Directives the judged nginx does not know (``unknown directive``):
        removed ones, and, for a given version, ones that came later."""
        gone = {"ssl"} if self.has(SSL_DIRECTIVE_REMOVED) else set()
        if self.version is not None:
            gone |= {name for name, since in INTRODUCED.items() if self.version < since}
        return frozenset(gone)

    def default_protocols(self) -> tuple[frozenset, str]:
        """The default ssl_protocols, and a note saying whose default it is."""
        if self.version is None:
            return PROTOCOL_DEFAULTS[0][1], ("nginx default since 1.27.3; before, TLSv1 and TLSv1.1 were "
                                             "enabled too, which OpenSSL 3 refuses by default")
        index = next(i for i, (since, _) in enumerate(PROTOCOL_DEFAULTS) if self.version >= since)
        since, protocols = PROTOCOL_DEFAULTS[index]
        if index == 0:
            return protocols, f"nginx default since {show(since)}"
        until = PROTOCOL_DEFAULTS[index - 1][0]
        return protocols, f"nginx default before {show(until)}, which includes {show(self.version)}"
