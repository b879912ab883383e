"""Small helpers the certificate rules share: walking an endpoint's file
references and describing certificates for ``Related`` entries."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from tlslint.findings import Related
from tlslint.model import CertKeyPair, FileRef, TlsEndpoint
from tlslint.pki.objects import CertInfo, LoadedFile

FILE_WORD = {"cert": "certificate file", "key": "key file", "ca": "CA file",
             "crl": "CRL file", "password": "password file", "dhparam": "DH parameters file",
             "ticket_key": "session ticket key file", "ocsp_response": "OCSP response file"}


def related_cert(c: CertInfo, note: str = "") -> Related:
    msg = f"{c.position()}: {c.subject}"
    if note:
        msg += f" ({note})"
    return Related(c.file, msg)


def related_file(lf: LoadedFile, note: str) -> Related:
    return Related(lf.display, note)


def verify_on(endpoint: TlsEndpoint) -> bool:
    """Does the endpoint verify its peer's certificate chain?"""
    return endpoint.verify.value in ("optional", "required")


def when(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M UTC")


def pair_label(pair: CertKeyPair) -> str:
    return pair.cert.label if pair.cert is not None else (pair.key.label if pair.key else "?")


def load_failure_consequence(endpoint: TlsEndpoint, ref: FileRef, content: bool = False) -> str:
    """What the server does when a file it needs cannot be loaded; ``content``:
    the file is there but what is in it cannot be used (not missing or
    unreadable)."""
    d = endpoint.dialect
    if d == "nginx":
        if ref.kind in ("cert", "key") and any(
                r.unresolved and "variable" in r.unresolved
                for p in endpoint.pairs for r in (p.cert, p.key) if r is not None):
            # with a variable in a certificate path nginx loads certificates
            # per handshake: nginx -t passes, the handshakes fail
            return "the TLS handshakes that need it will fail (nginx loads certificates per handshake here)"
        return "nginx will refuse to start (nginx -t fails)"
    if d == "rabbitmq":
        # rabbitmq.conf's schema checks at boot only that the file exists and
        # holds some PEM; Erlang/OTP reads what is in it at the first handshake
        if content or ref.setting.source.path.name.endswith(".config"):
            if endpoint.role == "client":
                return "every outgoing TLS connection that uses it fails"
            return "the listener starts but every TLS handshake fails"
        return "the RabbitMQ node will not boot"
    if endpoint.role == "client":
        return "the client cannot set up TLS"
    return "the service cannot start its TLS listener"


def analyses(endpoint: TlsEndpoint, ctx, loaded: bool = False) -> Iterator[tuple[CertKeyPair, "object"]]:
    """(pair, ChainAnalysis) for every pair whose certificate file loaded with a
    leaf and that is served; with ``loaded``, also a pair whose certificate a
    later one of the same key type replaces (the server still loads it)."""
    from tlslint.pki.slots import replaced

    pushed_out = {} if loaded else replaced(ctx.pki, endpoint)
    for pair in endpoint.pairs:
        if pair.cert is None or id(pair) in pushed_out:
            continue
        a = ctx.pki.analyze_served_chain(pair, endpoint)
        if a.leaf is None:
            continue
        yield pair, a


def served_related(a) -> list[Related]:
    """One Related per certificate the server sends (file order)."""
    return [related_cert(c, "leaf" if c is a.leaf else "") for c in a.served]


def node_where(node) -> str:
    return node.where or node.info.file


def key_mismatch_consequence(endpoint: TlsEndpoint) -> str:
    d = endpoint.dialect
    if d == "nginx":
        return "nginx will refuse to start (SSL_CTX_use_PrivateKey: 'key values mismatch')"
    if d == "rabbitmq":
        return "the listener starts but every TLS handshake fails"
    return "the service refuses to start or every TLS handshake fails"


def password_setting_name(endpoint: TlsEndpoint) -> str:
    prefix = getattr(endpoint, "prefix", "") or "ssl_options"  # RabbitMQ: management.ssl.password...
    return {"nginx": "ssl_password_file", "rabbitmq": f"{prefix}.password"}.get(endpoint.dialect, "a key password")


# More certificates than any private CA hierarchy has: a public trust store.
TRUST_STORE_SIZE = 20


def validity_targets(endpoint: TlsEndpoint, ctx) -> list[tuple[object, CertInfo, str]]:
    """(setting, certificate, role word) for every certificate whose dates
    matter: each cert of each served path, and each cert of the CA files used
    to verify peers. Each certificate once (by fingerprint)."""
    out: list[tuple[object, CertInfo, str]] = []
    seen: set[str] = set()
    for pair, a in analyses(endpoint, ctx):
        for i, node in enumerate(a.path):
            c = node.info
            if c.fingerprint in seen:
                continue
            seen.add(c.fingerprint)
            if c is a.leaf:
                word = "the certificate" if endpoint.role == "server" else "the client certificate"
            elif c.self_signed:
                word = "the root CA"
            else:
                word = "the intermediate"
            out.append((pair.cert.setting, c, word))
    if verify_on(endpoint) or endpoint.role == "client":
        for ref in endpoint.ca_files:
            lf = ctx.pki.load(ref)
            if not lf.ok or len(lf.certs) > TRUST_STORE_SIZE:
                # a whole trust store (/etc/ssl/certs/ca-certificates.crt): an
                # expired root in it that no peer chains to harms nobody
                continue
            for c in lf.certs:
                if c.fingerprint in seen:
                    continue
                seen.add(c.fingerprint)
                out.append((ref.setting, c, "the CA certificate"))
    return out


def days(delta: dt.timedelta) -> str:
    n = abs(delta.days) if delta.days else 0
    if abs(delta) < dt.timedelta(days=1):
        hours = int(abs(delta).total_seconds() // 3600)
        return f"{hours} hour(s)"
    return f"{n} day(s)"
