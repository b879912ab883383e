"""Reading a configuration and everything it includes, the way nginx does.

* ``include`` patterns are resolved against the *conf prefix* (the main
  config's directory), also inside included files; a pattern with ``*?[`` is a
  glob (sorted, a glob matching nothing is fine), anything else a file that
  must open (else nginx's ``open() "..." failed``).
* Each file is read once (through :func:`tlslint.readfile.read_bytes`) and
  parsed once; including it again reuses its nodes. An include cycle is
  reported (TLS001) and not followed; at most ``MAX_INCLUDED`` inclusions.
* Errors come in nginx's order: depth first, includes processed where they
  stand. Like nginx, only the first error is reported (one TLS001); a syntax
  error anywhere stops the walk and means no endpoint model, while a missing
  include or an include cycle lets the rest be modelled.
* ``nginx -T`` dumps (``# configuration file /path:`` markers) are split into
  virtual files inside the one dump Source; includes resolve to them first.
"""

from __future__ import annotations

import glob as globmod
import os
import posixpath
import re
from pathlib import Path
from typing import Optional

from tlslint.model import Comment, Location, Problem
from tlslint.options import Options
from tlslint.paths import candidates
from tlslint.readfile import FileAccessError, read_bytes
from tlslint.source import Source, Span

from .syntax import TABLE_BLOCKS, Node, ParseResult, parse_region

MAX_INCLUDED = 10_000
MAX_INCLUDE_DEPTH = 64
MAX_CONFIG_SIZE = 32 * 1024 * 1024

_DUMP_MARKER = re.compile(r"^# configuration file (.+):[ \t]*\r?$", re.M)
_MAGIC = re.compile(r"[*?[]")


_DUMP_PREAMBLE = re.compile(r"(?:[\ufeff \t\r\n]*nginx: [^\n]*\n)*[\ufeff \t\r\n]*")


def dump_regions(text: str) -> Optional[list[tuple[str, int, int]]]:
    """``(path, start, end)`` per file of an ``nginx -T`` dump, or None.
    nginx's own "syntax is ok" lines (``nginx -T 2>&1``) may come first."""
    preamble = _DUMP_PREAMBLE.match(text)
    if not text.startswith("# configuration file ", preamble.end() if preamble else 0):
        return None
    marks = list(_DUMP_MARKER.finditer(text))
    if not marks:
        return None
    regions = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        regions.append((m.group(1).strip(), m.start(), end))
    return regions


def _glob_regex(pattern: str) -> "re.Pattern[str]":
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


class Loader:
    """Loads one document: the main file and what it includes."""

    def __init__(self, options: Options, conf_prefix: Path):
        self.options = options
        self.prefix = conf_prefix
        self.sources: list[Source] = []
        self.problems: list[Problem] = []
        self.comments: list[Comment] = []
        self.results: list[ParseResult] = []
        self.fatal = False  # a syntax error (or a limit) was met: no model
        self.reported = False  # the one TLS001 nginx would print has been reported
        self.included = 0
        self._cache: dict[str, Optional[ParseResult]] = {}
        self._expanded: set[str] = set()
        self._table_files: set[str] = set()  # files included inside map/types...: table entries
        self._main_key = ""
        # nginx -T dumps: virtual path -> (source, start, end)
        self.virtual: dict[str, tuple[Source, int, int]] = {}
        self.virtual_prefix = ""

    # ------------------------------------------------------------ entry points

    def parse_main(self, path: Path, source: Source) -> ParseResult:
        """Parse the main file (or the first file of an ``nginx -T`` dump)."""
        regions = dump_regions(source.text)
        self.sources.append(source)
        if regions:
            source.generated = "an nginx -T dump"
            for vpath, start, end in regions:
                self.virtual.setdefault(vpath, (source, start, end))
            main_path, start, end = regions[0]
            self.virtual_prefix = posixpath.dirname(main_path)
            self._main_key = "dump:" + main_path
            return self._parse(self._main_key, source, start, end)
        self._main_key = os.path.realpath(path)
        return self._parse(self._main_key, source, 0, len(source.text))

    def expand_main(self, result: ParseResult) -> None:
        """Follow the includes (after ``prefix`` is settled)."""
        self._expand(self._main_key, result, [self._main_key])

    # ------------------------------------------------------------ parsing

    def _parse(self, key: str, source: Source, start: int, end: int, table: bool = False) -> ParseResult:
        result = parse_region(source, start, end, table)
        if table:
            self._table_files.add(key)
        self._cache[key] = result
        self.results.append(result)
        text = source.text
        for a, b in result.comments:
            stop = b - 1 if b > a + 1 and text[b - 1] == "\r" else b
            self.comments.append(Comment(source, Span(a, stop), text[a + 1:stop]))
        return result

    def _load_file(self, path: Path, include: Node, table: bool = False) -> tuple[Optional[str], Optional[ParseResult]]:
        key = os.path.realpath(path)
        if key in self._cache:
            return key, self._cache[key]
        try:
            data = read_bytes(path, max_size=MAX_CONFIG_SIZE, config=True)
        except FileAccessError as exc:
            if exc.missing:
                message = f'open() "{path}" failed (2: No such file or directory)'
            else:
                message = f'open() "{path}" failed ({exc.reason})'
            self._problem(include, message)
            return None, None
        source = Source.from_file(path, data)
        self.sources.append(source)
        return key, self._parse(key, source, 0, len(source.text), table)

    # ------------------------------------------------------------ includes

    def _problem(self, node: Node, message: str, fatal: bool = False) -> None:
        self._error(Problem("TLS001", node.setting.location(), message, setting=node.setting,
                            data={"severity": "error"}))
        if fatal:
            self.fatal = True

    def _error(self, problem: Problem) -> None:
        # nginx stops at its first error: report only that one. Later errors are
        # still noticed (a syntax error anywhere means no model) but not reported.
        if not self.reported:
            self.problems.append(problem)
            self.reported = True

    def _expand(self, key: str, result: ParseResult, stack: list[str]) -> None:
        if key in self._expanded:
            return
        self._expanded.add(key)
        # Simple directives complete in text order, so this is nginx's order.
        tables = [(n.lbrace, n.rbrace) for n in result.done if n.key in TABLE_BLOCKS and n.children is not None]
        for node in result.done:
            if self.fatal:
                return
            if node.key != "include" or node.children is not None:
                continue
            node.included = []
            start = node.setting.statement.start
            table = key in self._table_files or any(a < start < b for a, b in tables)
            for sub_key, sub in self._resolve(node, table):
                if len(stack) >= MAX_INCLUDE_DEPTH:
                    self._problem(node, f"includes nested more than {MAX_INCLUDE_DEPTH} deep", fatal=True)
                    return
                if sub_key in stack:
                    cycle = " -> ".join(self._display(k) for k in stack[stack.index(sub_key):] + [sub_key])
                    self._problem(node, f"include cycle: {cycle}")
                    continue
                self.included += 1
                if self.included > MAX_INCLUDED:
                    self._problem(node, f"too many included files (more than {MAX_INCLUDED})", fatal=True)
                    return
                node.included.append(sub.nodes)
                self._expand(sub_key, sub, stack + [sub_key])
                if self.fatal:
                    return
        if result.error is not None and not self.fatal:
            err = result.error
            self._error(Problem("TLS001", Location(result.source, Span(err.offset, err.offset)),
                                err.message, data={"severity": "error"}))
            self.fatal = True

    def _display(self, key: str) -> str:
        if key.startswith("dump:"):
            return key[5:]
        try:
            return os.path.relpath(key, self.prefix)
        except ValueError:  # pragma: no cover
            return key

    def _resolve(self, node: Node, table: bool = False) -> list[tuple[str, ParseResult]]:
        pattern = node.setting.value
        if not pattern:
            return []
        magic = bool(_MAGIC.search(pattern))
        if self.virtual:
            full = pattern if pattern.startswith("/") else posixpath.normpath(
                posixpath.join(self.virtual_prefix, pattern))
            if magic:
                rx = _glob_regex(full)
                names = sorted(p for p in self.virtual if rx.match(p))
            else:
                names = [full] if full in self.virtual else []
            if names:
                out = []
                for name in names:
                    vkey = "dump:" + name
                    res = self._cache.get(vkey)
                    if res is None:
                        source, start, end = self.virtual[name]
                        res = self._parse(vkey, source, start, end, table)
                    out.append((vkey, res))
                return out
        target = candidates(pattern, self.prefix, self.options.path_map)[0]
        out = []
        if magic:
            for name in sorted(globmod.glob(str(target))):
                path = Path(name)
                if path.is_dir():
                    continue
                key, res = self._load_file(path, node, table)
                if res is not None:
                    out.append((key, res))
        else:
            key, res = self._load_file(target, node, table)
            if res is not None:
                out.append((key, res))
        return out
