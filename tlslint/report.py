"""Output formats: text for people, versioned JSON for machines."""

from __future__ import annotations

import os
from typing import TextIO

from tlslint.engine import RunResult, printable
from tlslint.findings import Finding, Severity

JSON_VERSION = 1

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")


def summary_counts(result: RunResult) -> dict:
    return {
        "files": result.files,
        "endpoints": result.endpoints,
        "errors": result.count(Severity.ERROR),
        "warnings": result.count(Severity.WARNING),
        "info": result.count(Severity.INFO),
        "fixable": sum(1 for f in result.findings if f.fix is not None),
    }


def write_text(result: RunResult, stream: TextIO, verbose: bool = False, statistics: bool = False) -> None:
    colour = use_colour(stream)

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    if verbose:
        for path, reason in result.discovery.skipped:
            stream.write(paint(printable(f"skipped {path}: {reason}"), _DIM) + "\n")
    for f in result.findings:
        where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
        sev = paint(f"[{f.severity.value}]", _COLOURS[f.severity])
        stream.write(f"{paint(where, _BOLD)}: {f.code} {sev} {f.message}\n")
        if f.endpoint:
            stream.write(paint(f"    in {f.endpoint}", _DIM) + "\n")
        for rel in f.related:
            rel_where = f"{rel.path}:{rel.line}" if rel.line else rel.path
            stream.write(f"    {rel_where}: {rel.message}\n")
    if statistics:
        write_statistics(result, stream)
    counts = summary_counts(result)
    total = counts["errors"] + counts["warnings"] + counts["info"]
    if total:
        line = (f"Found {_plural(total, 'problem')} ({_plural(counts['errors'], 'error')}, "
                f"{_plural(counts['warnings'], 'warning')}, {counts['info']} info)")
    else:
        line = "No problems found"
    line += f" in {_plural(counts['files'], 'file')}, {_plural(counts['endpoints'], 'TLS endpoint')}."
    stream.write(line + "\n")
    if counts["fixable"]:
        unsafe = sum(1 for f in result.findings if f.fix and f.fix.applicability == "unsafe")
        safe = counts["fixable"] - unsafe
        if not unsafe:
            stream.write(f"{safe} fixable with `tlslint fix`.\n")
        elif not safe:
            stream.write(f"{unsafe} fixable with `tlslint fix --unsafe-fixes`.\n")
        else:
            stream.write(f"{safe} fixable with `tlslint fix`, {unsafe} more with --unsafe-fixes.\n")


def finding_json(f: Finding) -> dict:
    loc = f.location
    start = loc.start() if loc else (None, None)
    end = loc.end() if loc else (None, None)
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "path": f.path,
        "line": start[0],
        "column": start[1],
        "end_line": end[0],
        "end_column": end[1],
        "endpoint": f.endpoint,
        "related": [{"path": r.path, "line": r.line, "message": r.message} for r in f.related],
        "fix": ({"applicability": f.fix.applicability, "title": f.fix.title} if f.fix else None),
    }


def write_json(result: RunResult, stream: TextIO) -> None:
    import json  # deferred: text output, the common case, does not need it

    doc = {
        "version": JSON_VERSION,
        "findings": [finding_json(f) for f in result.findings],
        "summary": summary_counts(result),
    }
    json.dump(doc, stream, indent=2)
    stream.write("\n")


# -- --statistics ----------------------------------------------------------------

def statistics_rows(result: RunResult) -> list[dict]:
    """One row per rule that has findings: most frequent first, then by code."""
    rows: dict[str, dict] = {}
    for f in result.findings:
        row = rows.setdefault(f.code, {"code": f.code, "name": f.name, "severity": f.severity.value,
                                       "count": 0, "fixable": 0})
        row["count"] += 1
        row["fixable"] += f.fix is not None
    return sorted(rows.values(), key=lambda r: (-r["count"], r["code"]))


def write_statistics(result: RunResult, stream: TextIO) -> None:
    """``  3  TLS101  [error]    chain-incomplete  (2 fixable)`` per rule."""
    rows = statistics_rows(result)
    width = max((len(str(r["count"])) for r in rows), default=1)
    for r in rows:
        fixable = f"  ({r['fixable']} fixable)" if r["fixable"] else ""
        stream.write(f"{r['count']:>{width}}  {r['code']}  {'[' + r['severity'] + ']':<9}  {r['name']}{fixable}\n")


def write_statistics_json(result: RunResult, stream: TextIO) -> None:
    import json

    json.dump({"version": JSON_VERSION, "statistics": statistics_rows(result),
               "summary": summary_counts(result)}, stream, indent=2)
    stream.write("\n")


# -- progress ---------------------------------------------------------------------

class Progress:
    """A one-line progress indicator on a terminal (stderr) for long runs.

    Silent unless the stream is a terminal, and until the run has lasted
    ``delay`` seconds; redrawn at most ten times a second; ``close()`` erases it.
    Called as ``progress(stage, done, total)`` by the engine.
    """

    def __init__(self, stream: TextIO, delay: float = 1.0, clock=None):
        import time

        self.stream = stream
        self.clock = clock or time.monotonic
        self.enabled = hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("CI")
        self.start = self.clock()
        self.delay = delay
        self.last = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.start < self.delay or (self.shown and now - self.last < 0.1):
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\r\033[Ktlslint: {stage} {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
