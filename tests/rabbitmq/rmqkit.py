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
    """Run the engine's rule stage on RabbitMQ documents only (no discovery of other dialects)."""
    from tlslint import engine

    options = Options(**opts)
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.is_file() and rabbitmq.detect(q, q.read_text(errors="replace")))
        else:
            files.append(p)
    docs = engine.drop_included([d for f in files for d in rabbitmq.parse(f, "rabbitmq", options)])
    result = engine.RunResult(documents=docs)
    found = engine.run_rules(docs, options, result)
    assert result.internal_errors == []
    return engine.suppress_findings(engine.dedupe(found), docs, options)


def codes_lines(found, code):
    return sorted((Path(f.path).name, f.line) for f in found if f.code == code)
