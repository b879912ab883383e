"""Source texts and spans.

A Span is a half-open range of *character* offsets into ``Source.text``.
Files are decoded as UTF-8 with ``surrogateescape`` so that any byte sequence
round-trips: ``Source.encode(text)`` gives back the original bytes, and
``len`` of a span is stable whatever the encoding quirks of the file.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def slice(self, text: str) -> str:
        return text[self.start:self.end]

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


def decode(data: bytes) -> str:
    """Decode file bytes losslessly (a UTF-8 BOM stays in the text)."""
    return data.decode("utf-8", errors="surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def display_path(path: Path) -> str:
    """A path as shown to users: relative to the current directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # other drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass(eq=False)
class Source:
    """One file's text, with the line index needed to turn offsets into line:col."""

    path: Path
    text: str
    _line_starts: list[int] = field(default_factory=list, repr=False)
    # what the file is when no server reads it as such ("an nginx -T dump"):
    # findings point into it, but fixes belong in the files it was made from
    generated: Optional[str] = None

    @classmethod
    def from_file(cls, path: Path, data: bytes) -> "Source":
        return cls(path=path, text=decode(data))

    @property
    def display(self) -> str:
        return display_path(self.path)

    def _index(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of an offset."""
        starts = self._index()
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_text(self, line: int) -> str:
        starts = self._index()
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r")
