"""Inline suppressions: ``# tlslint: ignore[TLS202,TLS206]``.

A suppression comment applies to findings on its own line (a trailing
comment), or, when it stands alone on its line, to findings on the next line.
One that suppresses nothing is reported as TLS008.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tlslint.findings import Finding
from tlslint.model import Comment

PATTERN = re.compile(r"tlslint:\s*ignore\[([^\]]*)\]")


@dataclass(eq=False)
class Suppression:
    comment: Comment
    codes: tuple[str, ...]
    target_line: int
    used: set[str] = field(default_factory=set)

    @property
    def path(self) -> Path:
        return self.comment.source.path


def from_comments(comments: list[Comment]) -> list[Suppression]:
    found = []
    for comment in comments:
        match = PATTERN.search(comment.text)
        if not match:
            continue
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        source = comment.source
        line, col = source.line_col(comment.span.start)
        before = source.line_text(line)[: col - 1]
        alone = before.strip() == ""
        found.append(Suppression(comment, codes, line + 1 if alone else line))
    return found


def apply(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """Drop suppressed findings; mark which suppressions were used."""
    index: dict[tuple[Path, int], list[Suppression]] = {}
    for sup in suppressions:
        index.setdefault((sup.path, sup.target_line), []).append(sup)
    kept = []
    for finding in findings:
        suppressed = False
        if finding.location is not None:
            for sup in index.get((finding.location.source.path, finding.line), ()):
                for token in sup.codes:  # a code, or a rule name
                    if token == finding.code or token.lower() == finding.name:
                        sup.used.add(token)
                        suppressed = True
        if not suppressed:
            kept.append(finding)
    return kept
