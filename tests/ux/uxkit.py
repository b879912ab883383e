"""Helpers for the UX tests: a tiny stand-in nginx dialect, and the CLI runner.

The fake dialect understands one statement per line, ``key value;``, with
``#`` comments, so the engine's plumbing (config file, suppressions, related
files, output formats) is tested without depending on the real parsers:

* ``ssl on;``                -> a TLS702 problem on ``on``
* ``ssl_certificate PATH;``  -> an endpoint serving PATH (relative to the main file)
* ``include PATH;``          -> PATH becomes part of the document (its lines too)

Files named ``*.conf`` whose text contains ``ssl`` are detected as nginx.
"""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tlslint import dialects
from tlslint.app import app
from tlslint.model import CertKeyPair, Comment, Document, FileRef, Location, Problem, Setting, TlsEndpoint
from tlslint.source import Source, Span

STATEMENT = re.compile(r"^[ \t]*(?P<key>[a-z_]+)[ \t]+(?P<value>[^;#\n]+?)[ \t]*;")


def _detect(path: Path, head: str):
    return "nginx" if path.suffix == ".conf" and "ssl" in head else None


def _scan(source: Source, doc: Document, base: Path, seen: set) -> None:
    offset = 0
    for line in source.text.splitlines(keepends=True):
        hash_at = line.find("#")
        if hash_at != -1:
            start = offset + hash_at
            doc.comments.append(Comment(source, Span(start, offset + len(line.rstrip("\r\n"))),
                                        line[hash_at + 1:].rstrip("\r\n")))
        match = STATEMENT.match(line)
        if match:
            key, value = match.group("key"), match.group("value")
            span = Span(offset + match.start("value"), offset + match.end("value"))
            setting = Setting(key, value, value, span, source)
            doc.settings.append(setting)
            if key == "ssl" and value == "on":
                doc.problems.append(Problem("TLS702", Location(source, span), "ssl on is deprecated"))
            elif key == "ssl_certificate":
                ref = FileRef("cert", setting, value, base)
                doc.endpoints.append(TlsEndpoint("nginx", "server", f"server {source.path.name}", setting,
                                                 pairs=[CertKeyPair(cert=ref, key_in_cert_file=True)],
                                                 requires_certificate=True))
            elif key == "include":
                target = (base / value).resolve()
                if target not in seen and target.is_file():
                    seen.add(target)
                    included = Source.from_file(target, target.read_bytes())
                    doc.sources.append(included)
                    _scan(included, doc, base, seen)
        offset += len(line)


def _parse(path: Path, dialect: str, options):
    source = Source.from_file(path, path.read_bytes())
    doc = Document(dialect, source, fragment=path.name != "nginx.conf")  # like nginx: no http block
    _scan(source, doc, path.parent, {path.resolve()})
    return [doc]


FAKE_NGINX = types.ModuleType("fake_nginx")
FAKE_NGINX.NAME = "nginx"
FAKE_NGINX.detect = _detect
FAKE_NGINX.parse = _parse
NOTHING = types.ModuleType("fake_nothing")
NOTHING.detect = lambda path, head: None
NOTHING.parse = lambda path, dialect, options: []


@pytest.fixture
def fake_dialects(monkeypatch):
    """Replace every dialect family by the fake nginx one (others detect nothing)."""
    monkeypatch.setattr(dialects, "family", lambda name: FAKE_NGINX if name == "nginx" else NOTHING)


runner = CliRunner()


def run(*args):
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_json(*args):
    code, out, err = run(*args, "--format", "json")
    assert code != 2, err
    return code, json.loads(out)


def found(doc) -> list[tuple[str, str, int]]:
    """(code, path, line) of each finding of a JSON report, sorted."""
    return sorted((f["code"], f["path"], f["line"]) for f in doc["findings"])
