"""Build model objects directly, for rule tests that need no parser."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from tlslint.model import CertKeyPair, Field, FileRef, Setting, TlsEndpoint
from tlslint.options import Options
from tlslint.rulebase import CheckContext
from tlslint.source import Source, Span


class ConfigText:
    """A fake config file: line 1 is the endpoint's anchor (``listen 443 ssl;``),
    and each setting() call appends a line ``key value;``."""

    def __init__(self, path: Path = Path("/conf/test.conf")):
        self.source = Source(path=path, text="")
        self.anchor = self.setting("listen", "443 ssl")

    def setting(self, key: str, value: str) -> Setting:
        start = len(self.source.text) + len(key) + 1
        self.source.text += f"{key} {value};\n"
        self.source._line_starts = []
        return Setting(key=key, value=value, raw=value, span=Span(start, start + len(value)),
                       source=self.source)


def endpoint(text: Optional[ConfigText] = None, role="server", dialect="nginx", **fields) -> TlsEndpoint:
    text = text or ConfigText()
    anchor = fields.pop("anchor", None) or text.anchor
    return TlsEndpoint(dialect=dialect, role=role, label=f"{role} test", anchor=anchor, **fields)


def file_ref(text: ConfigText, kind: str, path: Path, key: Optional[str] = None) -> FileRef:
    key = key or {"cert": "ssl_certificate", "key": "ssl_certificate_key", "ca": "ssl_client_certificate",
                  "crl": "ssl_crl", "password": "ssl_password_file"}[kind]
    return FileRef(kind=kind, setting=text.setting(key, str(path)), path=str(path), base_dir=path.parent)


def pair(text: ConfigText, cert: Optional[Path], key: Optional[Path] = None) -> CertKeyPair:
    return CertKeyPair(cert=file_ref(text, "cert", cert) if cert else None,
                       key=file_ref(text, "key", key) if key else None)


def run_rule(module, target, options: Optional[Options] = None):
    from tlslint.pki import Pki

    options = options or Options(use_system_store=False)
    ctx = CheckContext(options=options, pki=Pki(options), rule=module.RULE)
    from tlslint.model import Document

    check = module.check_document if isinstance(target, Document) else module.check_endpoint
    return list(check(target, ctx) or ())


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


__all__ = ["ConfigText", "endpoint", "file_ref", "pair", "run_rule", "codes", "Field"]
