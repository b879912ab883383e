"""Shared helpers for the certificate-rule tests (imported by name via tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from modelkit import ConfigText, endpoint, file_ref, run_rule
from pkifactory import NOW
from tlslint.model import CertKeyPair, Field
from tlslint.options import Options


def opts(trust=(), intermediates=(), **kw) -> Options:
    return Options(now=NOW, use_system_store=False, trust=list(trust),
                   intermediates=list(intermediates), **kw)


def nginx(tmp_path: Path, cert: Optional[Path], key: Optional[Path] = None, *, ca: Optional[Path] = None,
          verify: str = "none", depth: Optional[int] = None, names=(), role: str = "server",
          dialect: str = "nginx", chain_extra=(), password_files=(), key_in_cert_file=False,
          depth_semantics: str = "openssl"):
    """An endpoint with one pair, built the way a dialect would."""
    t = ConfigText(tmp_path / ("rabbitmq.conf" if dialect == "rabbitmq" else "nginx.conf"))
    keys = {"nginx": ("ssl_certificate", "ssl_certificate_key", "ssl_client_certificate",
                      "ssl_verify_client", "ssl_verify_depth"),
            "rabbitmq": ("ssl_options.certfile", "ssl_options.keyfile", "ssl_options.cacertfile",
                         "ssl_options.verify", "ssl_options.depth")}.get(dialect)
    keys = keys or ("cert_file", "key_file", "ca_file", "verify", "depth")
    p = CertKeyPair(
        cert=file_ref(t, "cert", cert, keys[0]) if cert else None,
        key=file_ref(t, "key", key, keys[1]) if key else None,
        key_in_cert_file=key_in_cert_file,
        chain_extra=[file_ref(t, "ca", c, keys[2]) for c in chain_extra],
        password_files=[file_ref(t, "password", pw) for pw in password_files],
    )
    fields = {}
    ca_refs = []
    if ca is not None:
        ca_refs.append(file_ref(t, "ca", ca, keys[2]))
    if dialect == "rabbitmq" and p.chain_extra:
        ca_refs = p.chain_extra + ca_refs
    fields["ca_files"] = ca_refs
    if verify != "none":
        fields["verify"] = Field(verify, t.setting(keys[3], "on"))
    if depth is not None:
        fields["depth"] = Field(depth, t.setting(keys[4], str(depth)))
    fields["names"] = [Field(n, t.setting("server_name", n)) for n in names]
    return endpoint(t, role=role, dialect=dialect, pairs=[p] if (cert or key) else [],
                    depth_semantics=depth_semantics, **fields)


def check(module, ep, **kw):
    return run_rule(module, ep, opts(**kw))


__all__ = ["opts", "nginx", "check", "NOW", "Field"]
