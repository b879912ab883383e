"""Helpers for the YAML dialect tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tlslint.dialects import yaml as Y
from tlslint.options import Options

from conftest import CORPUS  # noqa: F401


def write(tmp_path: Path, name: str, text: str, dedent: bool = True) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((textwrap.dedent(text) if dedent else text).encode())
    return path


def parse(path: Path, dialect: str | None = None):
    if dialect is None:
        dialect = Y.detect(path, path.read_text(errors="replace")[:65536])
        assert dialect is not None, f"{path} not detected"
    docs = Y.parse(path, dialect, Options(use_system_store=False))
    assert len(docs) == 1
    return docs[0]


def parse_text(tmp_path: Path, name: str, text: str, dialect: str | None = None):
    return parse(write(tmp_path, name, text), dialect)


def assert_lossless(doc) -> None:
    text = doc.source.text
    settings = list(doc.settings)
    for ep in doc.endpoints:
        settings += [ep.anchor] + list(ep.settings.values())
        for ref in ep.file_refs():
            settings.append(ref.setting)
        for f in [ep.verify, ep.protocols, ep.ciphers, ep.depth, ep.hostname_check] + list(ep.names):
            if f.setting is not None:
                settings.append(f.setting)
    for s in settings:
        assert text[s.span.start:s.span.end] == s.raw, (s.key, s.raw)
        if s.key_span is not None:
            assert s.statement is not None
            assert s.statement.start <= s.key_span.start
    for c in doc.comments:
        assert text[c.span.start:c.span.end] == "#" + c.text


def problems(doc, code=None):
    return [(p.code, p.location.start()[0]) for p in doc.problems if code is None or p.code == code]


def endpoint(doc, label_part: str):
    found = [e for e in doc.endpoints if e.label == label_part] or [
        e for e in doc.endpoints if label_part in e.label]
    assert len(found) == 1, [e.label for e in doc.endpoints]
    return found[0]


def run_rules(docs, **options):
    from tlslint import engine

    opts = Options(use_system_store=False, **options)
    result = engine.RunResult()
    findings = engine.dedupe(engine.run_rules(list(docs), opts, result))
    assert not result.internal_errors, result.internal_errors
    return findings


def found(findings, code=None):
    return sorted((f.code, f.line) for f in findings if code is None or f.code == code)
