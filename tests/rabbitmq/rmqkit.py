"""Helpers for the RabbitMQ tests: write a node's files, parse, run the engine."""

from __future__ import annotations

from pathlib import Path

from tlslint.dialects import rabbitmq
from tlslint.options import Options


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)
    return root


def parse(root: Path, files: dict[str, str | bytes], main: str = "rabbitmq.conf"):
    write(root, files)
    (doc,) = rabbitmq.parse(root / main, "rabbitmq", Options())
    return doc


def problems(doc, code):
    return [(p.location.source.path.name, *p.location.start()) for p in doc.problems if p.code == code]


def findings(paths, **opts):
    from tlslint import engine

    options = Options(**opts)
    result = engine.check([Path(p) for p in paths], options)
    return result.findings


def codes_lines(found, code):
    return sorted((Path(f.path).name, f.line) for f in found if f.code == code)
