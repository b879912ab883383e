"""The configuration file: ``[tool.tlslint]`` in pyproject.toml, ``tlslint.toml``
or ``.tlslint.toml``.

Discovery: from the current directory upwards, the first directory that has
one of them wins (no merging of several files). In one directory
``.tlslint.toml`` beats ``tlslint.toml``, which beats ``pyproject.toml``; a
``pyproject.toml`` without a ``[tool.tlslint]`` table does not count.
``--config FILE`` uses that file instead.

Paths in the file (``trust``, ``intermediates``, ``path-map`` targets) are
relative to the file's directory, and so are the globs of ``exclude``,
``per-file-ignores`` and ``dialects``: gitignore style, ``*.conf`` matches at
any depth, a pattern with a slash is anchored at the config directory, ``**/``
matches any number of folders, a trailing ``/`` matches folders only, and a
pattern that matches a folder matches everything below it.

Every error is one line naming the file and the key (``ConfigError``).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from tlslint.paths import real



def _toml():
    """tomllib, imported only when a configuration file is actually read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib

CONFIG_NAMES = (".tlslint.toml", "tlslint.toml", "pyproject.toml")

KEYS = ("select", "ignore", "trust", "intermediates", "path-map", "warn-days",
        "exclude", "per-file-ignores", "dialects", "max-file-size", "root", "nginx-version")


class ConfigError(Exception):
    """A configuration file that cannot be used: reported in one line, exit code 2."""


# -- globs ---------------------------------------------------------------------

def glob_to_regex(pattern: str) -> str:
    """Translate one gitignore-style glob to a regex over a relative POSIX path."""
    pat = pattern.strip()
    dir_only = pat.endswith("/")
    pat = pat.rstrip("/")
    anchored = "/" in pat
    pat = pat.lstrip("/")
    out: list[str] = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("/**", i) and i + 3 == len(pat):
            out.append("/.*")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pat.find("]", i + 2 if pat.startswith("[!", i) or pat.startswith("[^", i) else i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        elif c == "\\" and i + 1 < len(pat):
            out.append(re.escape(pat[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # A folder pattern (trailing slash) only matches a folder: a slash follows
    # (folders are tested as "dir/"); any pattern matching a folder matches below it.
    suffix = "/.*" if dir_only else "(?:/.*)?"
    return f"^{prefix}{body}{suffix}$"


@dataclass(frozen=True)
class Glob:
    pattern: str
    base: Path  # absolute directory the pattern is relative to
    regex: "re.Pattern[str]"

    @classmethod
    def compile(cls, pattern: str, base: Path) -> "Glob":
        return cls(pattern, base, re.compile(glob_to_regex(pattern)))

    def matches(self, path: Path, is_dir: bool = False) -> bool:
        rel = relative_to(path, self.base)
        return rel is not None and bool(self.regex.match(rel + "/" if is_dir else rel))


def relative_to(path: Path, base: Path) -> Optional[str]:
    """``path`` relative to ``base`` as a POSIX string, or None when outside it."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(base)
    except ValueError:
        try:  # a symlinked checkout: compare the real paths too
            rel = real(absolute).relative_to(real(base))
        except (ValueError, OSError):
            return None
    text = rel.as_posix()
    return None if text in ("", ".") else text


# -- the file ------------------------------------------------------------------

@dataclass
class FileConfig:
    path: Path  # the config file (absolute)
    select: Optional[list[str]] = None
    ignore: Optional[list[str]] = None
    trust: Optional[list[Path]] = None
    intermediates: Optional[list[Path]] = None
    path_map: Optional[list[tuple[str, Path]]] = None
    warn_days: Optional[int] = None
    max_file_size: Optional[int] = None  # bytes
    root: Optional[Path] = None  # read referenced files only below this directory
    nginx_version: Optional[tuple[int, int, int]] = None
    exclude: list[Glob] = field(default_factory=list)
    per_file_ignores: list[tuple[Glob, list[str]]] = field(default_factory=list)
    dialects: list[tuple[Glob, str]] = field(default_factory=list)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def is_excluded(self, path: Path, is_dir: bool = False) -> bool:
        return any(g.matches(path, is_dir) for g in self.exclude)

    def dialect_for(self, path: Path) -> Optional[str]:
        """The dialect forced for this file (the last matching pattern wins)."""
        chosen = None
        for glob, name in self.dialects:
            if glob.matches(path):
                chosen = name
        return chosen

    def ignored_codes(self, path: Path) -> list[str]:
        codes: list[str] = []
        for glob, patterns in self.per_file_ignores:
            if glob.matches(path):
                codes.extend(patterns)
        return codes


def has_tool_table(pyproject: Path) -> bool:
    tomllib = _toml()
    try:
        data = tomllib.loads(_read_config_text(pyproject))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "tlslint" in data["tool"]


def _read_config_text(path: Path) -> str:
    """The configuration file's text, through the guarded reader (a FIFO or
    /dev/zero named tlslint.toml must not hang the run)."""
    from tlslint.readfile import FileAccessError, read_bytes

    try:
        data = read_bytes(path, 4 * 1024 * 1024, trusted=True)
    except FileAccessError as exc:
        if exc.missing:
            raise FileNotFoundError(str(path)) from None
        raise OSError(0, exc.reason) from None
    return data.decode("utf-8")


def find_config(start: Optional[Path] = None) -> Optional[Path]:
    """The nearest configuration file from ``start`` (default: cwd) upwards."""
    here = Path(os.path.abspath(start or Path.cwd()))
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            try:
                if not candidate.is_file():
                    continue
            except OSError:  # an ancestor we may not enter: no config there for us
                continue
            if name == "pyproject.toml" and not has_tool_table(candidate):
                continue
            return candidate
    return None


def load_config(path: Path, known_codes: Optional[Callable[[str], bool]] = None) -> FileConfig:
    """Read and validate one configuration file.

    ``known_codes(token)`` tells whether a code, prefix or rule name exists;
    unknown ones are errors naming the key.
    """
    path = Path(os.path.abspath(path))
    display = _display(path)
    tomllib = _toml()
    try:
        data = tomllib.loads(_read_config_text(path))
    except FileNotFoundError:
        raise ConfigError(f"{display}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{display}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("tlslint") if isinstance(data.get("tool"), dict) else None
        if table is None:
            raise ConfigError(f"{display}: no [tool.tlslint] table")
        prefix = "tool.tlslint."
    else:
        table = data
        prefix = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{display}: {prefix.rstrip('.') or 'tlslint'} must be a table")
    return _parse_table(table, path, display, prefix, known_codes)


def _display(path: Path) -> str:
    from tlslint.source import display_path

    return display_path(path)


def _parse_table(table: dict, path: Path, display: str, prefix: str,
                 known_codes: Optional[Callable[[str], bool]]) -> FileConfig:
    base = path.parent
    config = FileConfig(path=path)

    def fail(key: str, why: str) -> ConfigError:
        return ConfigError(f"{display}: {prefix}{key}: {why}")

    def string_list(key: str, value: Any, allow_comma_string: bool = True) -> list[str]:
        if isinstance(value, str) and allow_comma_string:
            items = [v.strip() for v in value.split(",")]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = [v.strip() for v in value]
        else:
            raise fail(key, "expected a list of strings")
        return [v for v in items if v]

    def codes(key: str, value: Any) -> list[str]:
        items = string_list(key, value)
        for item in items:
            if known_codes is not None and not known_codes(item):
                raise fail(key, f"unknown rule code or name {item!r} (see `tlslint rules`)")
        return items

    def existing_paths(key: str, value: Any) -> list[Path]:
        out = []
        for item in string_list(key, [value] if isinstance(value, str) else value, allow_comma_string=False):
            resolved = Path(os.path.normpath(base / item))
            if not resolved.exists():
                raise fail(key, f"{item}: no such file or directory")
            out.append(resolved)
        return out

    def globs(key: str, value: Any) -> list[Glob]:
        return [_glob(fail, key, g, base) for g in string_list(key, value, allow_comma_string=False)]

    for key, value in table.items():
        if key not in KEYS:
            alias = key.replace("_", "-")
            import difflib  # only for a typo's suggestion

            hint = alias if alias in KEYS else next(iter(difflib.get_close_matches(key, KEYS, 1)), None)
            raise ConfigError(f"{display}: unknown key {prefix}{key!s}"
                              + (f" (did you mean {prefix}{hint}?)" if hint else "")
                              + f"; known keys: {', '.join(KEYS)}")
        if key == "select":
            config.select = codes(key, value)
        elif key == "ignore":
            config.ignore = codes(key, value)
        elif key == "trust":
            config.trust = existing_paths(key, value)
        elif key == "intermediates":
            config.intermediates = existing_paths(key, value)
        elif key == "max-file-size":
            from tlslint.readfile import parse_size

            try:
                config.max_file_size = parse_size(value)
            except ValueError as exc:
                raise fail(key, str(exc)) from None
        elif key == "root":
            if not isinstance(value, str) or not value:
                raise fail(key, "expected a directory (a string)")
            resolved = Path(os.path.normpath(base / value))
            if not resolved.is_dir():
                raise fail(key, f"{value}: not a directory")
            config.root = resolved
        elif key == "nginx-version":
            from tlslint.dialects.nginx.versions import parse_version

            try:
                config.nginx_version = parse_version(value if isinstance(value, str) else "")
            except ValueError:
                raise fail(key, f'expected an nginx version as a string, like "1.26.3", got {value!r}') from None
        elif key == "warn-days":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise fail(key, f"expected a whole number of days, 0 or more, got {value!r}")
            config.warn_days = value
        elif key == "path-map":
            if not isinstance(value, dict):
                raise fail(key, 'expected a table of "FROM" = "TO" (deployment path = repository path)')
            mapping = []
            for frm, to in value.items():
                if not isinstance(to, str) or not to:
                    raise fail(f"{key}.{frm}", "expected a repository path (a string)")
                if not frm.startswith("/"):
                    raise fail(f"{key}.{frm}", "FROM must be an absolute deployment path")
                mapping.append((frm, Path(os.path.normpath(base / to))))
            config.path_map = mapping
        elif key == "exclude":
            config.exclude = globs(key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise fail(key, 'expected a table of "GLOB" = ["CODE", ...]')
            config.per_file_ignores = [(_glob(fail, f"{key}.{pattern}", pattern, base),
                                        codes(f"{key}.{pattern}", items))
                                       for pattern, items in value.items()]
        elif key == "dialects":
            from tlslint.dialects import DIALECT_FAMILY

            if not isinstance(value, dict):
                raise fail(key, 'expected a table of "GLOB" = "dialect"')
            for pattern, name in value.items():
                if not isinstance(name, str) or name not in DIALECT_FAMILY:
                    raise fail(f"{key}.{pattern}", f"unknown dialect {name!r}; known: {', '.join(DIALECT_FAMILY)}")
                config.dialects.append((_glob(fail, f"{key}.{pattern}", pattern, base), name))
    return config


def _glob(fail, key: str, pattern: str, base: Path) -> Glob:
    if not pattern.strip() or pattern.strip() in ("/", "!"):
        raise fail(key, f"empty glob {pattern!r}")
    if pattern.startswith("!"):
        raise fail(key, f"negated globs are not supported: {pattern!r}")
    try:
        return Glob.compile(pattern, base)
    except re.error as exc:
        raise fail(key, f"bad glob {pattern!r}: {exc}") from None
