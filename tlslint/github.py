"""GitHub Actions workflow commands (``--format github``).

One ``::error``/``::warning``/``::notice`` line per finding, placed on the
setting (``file`` relative to the repository root, as GitHub wants it), then
the statistics (with ``--statistics``) and the summary as plain lines:
GitHub keeps only 10 error and 10 warning annotations per step, the log keeps
everything.

Escaping follows the runner (``actions/toolkit`` ``command.ts``): in the
message ``%`` ``\\r`` ``\\n`` become ``%25`` ``%0D`` ``%0A``; in properties
``:`` and ``,`` also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, TextIO

from tlslint.engine import RunResult
from tlslint.findings import Finding, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, root: Path) -> str:
    from tlslint.sarif import relative_uri

    props: list[tuple[str, str]] = []
    if finding.location is not None:
        rel = relative_uri(finding.location.source.path, root)
        if rel is not None:
            from urllib.parse import unquote

            (line, col), (end_line, end_col) = finding.location.start(), finding.location.end()
            props += [("file", unquote(rel)), ("line", str(line)), ("col", str(col))]
            if end_line:
                props += [("endLine", str(end_line)), ("endColumn", str(end_col))]
    props.append(("title", f"{finding.code} {finding.name}"))
    lines = [finding.message]
    if not props[0][0] == "file" and finding.path:
        lines[0] = f"{finding.path}:{finding.line or ''}: {finding.message}"
    if finding.endpoint:
        lines.append(f"in {finding.endpoint}")
    for rel in finding.related:
        lines.append(f"{rel.path}{':' + str(rel.line) if rel.line else ''}: {rel.message}")
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[finding.severity]} {head}::{escape_data(chr(10).join(lines))}"


def write_github(result: RunResult, stream: TextIO, statistics: bool = False,
                 cwd: Optional[Path] = None) -> None:
    from tlslint import report
    from tlslint.sarif import repository_root

    root = repository_root(cwd)
    for finding in result.findings:
        stream.write(annotation(finding, root) + "\n")
    if statistics:
        report.write_statistics(result, stream)
    counts = report.summary_counts(result)
    plural = report._plural
    stream.write(f"tlslint: {plural(counts['errors'], 'error')}, {plural(counts['warnings'], 'warning')}, "
                 f"{counts['info']} info in {plural(counts['files'], 'file')}, "
                 f"{plural(counts['endpoints'], 'TLS endpoint')}"
                 + (f"; {counts['fixable']} fixable with `tlslint fix`" if counts["fixable"] else "") + "\n")
