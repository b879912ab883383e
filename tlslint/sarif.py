"""SARIF 2.1.0 output (``--format sarif``), shaped for GitHub code scanning.

* Every rule of the catalogue is in ``tool.driver.rules`` with its id, name,
  short description (the rule summary), full description and help (the rule
  module's docstring, also as Markdown), default level and tags.
* Each result points at the setting in the config (``artifactLocation.uri``
  relative to the repository root: the git toplevel of the current directory,
  or the current directory, as ``uriBaseId`` ``%SRCROOT%``), with the
  certificate files as ``relatedLocations``. A file outside the repository
  (``/etc/ssl/...``) is never a location URI: it is named in the message of a
  location without ``physicalLocation`` (GitHub rejects such URIs).
* ``partialFingerprints["tlslint/v1"]`` hashes code, file, endpoint and the
  message with line numbers removed, so an alert survives lines moving.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
from pathlib import Path
from typing import Optional, TextIO
from urllib.parse import quote

from tlslint import __version__
from tlslint.engine import RunResult
from tlslint.findings import Finding, Severity
from tlslint.paths import real

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tlslint/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub code scanning shows rules with a security-severity as security alerts.
SECURITY_SEVERITY = {Severity.ERROR: "7.5", Severity.WARNING: "5.0", Severity.INFO: "2.0"}


def repository_root(cwd: Optional[Path] = None) -> Path:
    from tlslint.related import git_root

    here = Path(os.path.abspath(cwd or Path.cwd()))
    return git_root(here) or here


def relative_uri(path: str | Path, root: Path) -> Optional[str]:
    """The URI of ``path`` relative to ``root``, or None when it is outside."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        try:
            rel = real(absolute).relative_to(real(root))
        except (ValueError, OSError):
            return None
    if not rel.parts:
        return None
    return quote(rel.as_posix(), safe="/")


# -- rules ---------------------------------------------------------------------

def doc_markdown(doc: str) -> str:
    """A rule docstring (title line, then indented sections) as Markdown."""
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []
    if lines:
        out += [f"**{lines[0]}**", ""]
    section: list[str] = []
    heading = None

    def flush() -> None:
        body = inspect.cleandoc("\n".join(section)) if section else ""
        if heading is None:
            if body:
                out.extend([body, ""])
        elif heading.lower() == "example":
            out.extend([f"### {heading}", "", "```", body, "```", ""])
        else:
            out.extend([f"### {heading}", "", body, ""])

    for line in lines[1:]:
        if line and not line[0].isspace() and line.strip() in (
                "What it checks", "Why it matters", "Example", "Examples", "Fix safety", "Fix", "Notes"):
            flush()
            heading, section = line.strip(), []
        else:
            section.append(line)
    flush()
    return "\n".join(out).strip() + "\n"


def rule_descriptor(module) -> dict:
    rule = module.RULE
    doc = inspect.cleandoc(module.__doc__ or f"{rule.code} {rule.name}: {rule.summary}")
    tags = ["security", "tls"] + [f"dialect:{d}" for d in rule.dialects]
    if rule.fix:
        tags.append(f"fix:{rule.fix}")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc},
        "help": {"text": doc + f"\n\nRun `tlslint explain {rule.code}` for this text.",
                 "markdown": doc_markdown(doc)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": tags, "precision": "very-high",
                       "security-severity": SECURITY_SEVERITY[rule.severity]},
    }


# -- results -------------------------------------------------------------------

_LINE_NUMBERS = re.compile(r"\b(?:line|lines)\s+\d+(?:\s*(?:-|–|to|and)\s*\d+)?|:\d+(?::\d+)?\b", re.I)


def fingerprint(finding: Finding, uri: str) -> str:
    """Stable across line moves and across the directory tlslint runs from:
    the rule, the repository-relative file, the endpoint and the flagged text
    itself (the message names files relative to the current directory)."""
    loc = finding.location
    flagged = loc.span.slice(loc.source.text) if loc is not None else _LINE_NUMBERS.sub("", finding.message)
    text = "\0".join((finding.code, uri, finding.endpoint or "", flagged))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _region(start: tuple, end: tuple) -> dict:
    region = {"startLine": start[0], "startColumn": start[1]}
    if end and end[0]:
        region.update({"endLine": end[0], "endColumn": end[1]})
    return region


def _physical(uri: str, region: Optional[dict] = None) -> dict:
    loc: dict = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if region:
        loc["region"] = region
    return loc


def result_object(finding: Finding, rule_index: dict[str, int], root: Path, seen: dict[str, int]) -> dict:
    message = finding.message
    if finding.endpoint:
        message += f" (in {finding.endpoint})"
    out: dict = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
    }
    if finding.code in rule_index:
        out["ruleIndex"] = rule_index[finding.code]
    uri = None
    if finding.location is not None:
        uri = relative_uri(finding.location.source.path, root)
        if uri is not None:
            out["locations"] = [{"physicalLocation": _physical(
                uri, _region(finding.location.start(), finding.location.end()))}]
    if uri is None:  # a config outside the repository: named in the message only
        where = f"{finding.path}:{finding.line}:{finding.column}" if finding.line else finding.path
        out["message"]["text"] = f"{where}: {message}"
        uri = finding.path
    related = []
    for number, rel in enumerate(finding.related, start=1):
        entry: dict = {"id": number, "message": {"text": f"{rel.path}: {rel.message}"}}
        rel_uri = relative_uri(rel.path, root) if rel.path else None
        if rel_uri is not None:
            entry["physicalLocation"] = _physical(
                rel_uri, {"startLine": rel.line, **({"startColumn": rel.column} if rel.column else {})}
                if rel.line else None)
        related.append(entry)
    if related:
        out["relatedLocations"] = related
    key = fingerprint(finding, uri)
    seen[key] = seen.get(key, 0) + 1
    out["partialFingerprints"] = {FINGERPRINT_KEY: f"{key}:{seen[key]}"}
    if finding.fix is not None:
        out["properties"] = {"fix": {"applicability": finding.fix.applicability, "title": finding.fix.title}}
    return out


def sarif_log(result: RunResult, cwd: Optional[Path] = None) -> dict:
    from tlslint import rules as catalogue

    root = repository_root(cwd)
    modules = catalogue.load_all()
    rule_index = {m.RULE.code: i for i, m in enumerate(modules)}
    seen: dict[str, int] = {}
    notifications = [{"level": "error", "message": {"text": text}} for text in result.internal_errors]
    notifications += [{"level": "error", "message": {"text": f"{path}: {reason}"}}
                      for path, reason in result.discovery.errors]
    run = {
        "tool": {"driver": {
            "name": "tlslint",
            "semanticVersion": __version__,
            "version": __version__,
            "rules": [rule_descriptor(m) for m in modules],
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{
            "executionSuccessful": not notifications,
            "toolExecutionNotifications": notifications,
        }],
        "results": [result_object(f, rule_index, root, seen) for f in result.findings],
    }
    return {"$schema": SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(result: RunResult, stream: TextIO, cwd: Optional[Path] = None) -> None:
    json.dump(sarif_log(result, cwd), stream, indent=2)
    stream.write("\n")
