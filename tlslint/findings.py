"""Findings and fixes.

A Fix is a set of text edits on original sources plus new files, with an
applicability: ``safe`` keeps behaviour and only repairs, ``unsafe`` changes
who can connect. Rules attach fixes; ``tlslint fix`` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Literal, Optional

from tlslint.model import Location
from tlslint.source import Source, Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Edit:
    source: Source
    span: Span
    replacement: str


@dataclass(frozen=True)
class NewFile:
    """A file a fix writes whole. ``summary`` describes the content for
    ``--diff`` (certificate subjects, never key material)."""

    path: Path
    content: bytes
    summary: str = ""
    mode: Optional[int] = None


@dataclass
class Fix:
    title: str
    applicability: Literal["safe", "unsafe"]
    edits: list[Edit] = field(default_factory=list)
    new_files: list[NewFile] = field(default_factory=list)
    # files rewritten whole (e.g. a chain file reordered in place)
    rewrites: list[NewFile] = field(default_factory=list)


@dataclass(frozen=True)
class Related:
    """A secondary location: usually a certificate file and what is in it."""

    path: str  # display path
    message: str
    line: Optional[int] = None
    column: Optional[int] = None


@dataclass
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    location: Optional[Location]  # None only when no file can be named (never in practice)
    path: str  # display path of the location, or of the file concerned
    endpoint: Optional[str] = None
    related: list[Related] = field(default_factory=list)
    fix: Optional[Fix] = None

    @property
    def line(self) -> Optional[int]:
        return self.location.start()[0] if self.location else None

    @property
    def column(self) -> Optional[int]:
        return self.location.start()[1] if self.location else None

    def sort_key(self) -> tuple:
        start = self.location.span.start if self.location else -1
        return (self.path, start, self.code, self.message)
