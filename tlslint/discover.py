"""Find the config files under the given paths and tell which dialect each is."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tlslint import dialects
from tlslint.paths import real
from tlslint.source import decode

# Folders that never hold the repository's own configs.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "node_modules", "vendor", "third_party",
    ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "site-packages", ".terraform",
})
# Certificate material: referenced by configs, never a config itself.
MATERIAL_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".key", ".der", ".p12", ".pfx",
                               ".csr", ".crl", ".srl", ".jks", ".p7b", ".p7c"})
HEAD_SIZE = 64 * 1024


@dataclass
class Candidate:
    path: Path
    dialect: str


@dataclass
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # explicit paths that do not exist or cannot be read: a one-line error, exit 2
    errors: list[tuple[Path, str]] = field(default_factory=list)
    # files and folders met while walking that could not be read: a warning
    # (they may or may not be configs), the run goes on
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


# Reasons detect() passes a file by that are not about reading it.
NOT_A_CONFIG = ("certificate or key material", "binary", "not a recognised config")


def _walk(root: Path, config=None, unread: Optional[list] = None, skipped: Optional[list] = None):
    def unreadable(exc: OSError) -> None:
        if unread is not None:
            unread.append((Path(exc.filename or root), f"folder not read: {_os_reason(exc)}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
        kept = []
        for d in sorted(dirnames):
            if d in SKIP_DIRS or d.endswith(".egg-info"):
                if skipped is not None:
                    skipped.append((Path(dirpath) / d, "version control, virtualenv or vendored folder"))
            elif config is not None and config.is_excluded(Path(dirpath) / d, is_dir=True):
                if skipped is not None:
                    skipped.append((Path(dirpath) / d, f"excluded by {config.path.name}"))
            else:
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            yield Path(dirpath) / name


def detect(path: Path, forced: Optional[str] = None) -> tuple[Optional[str], str]:
    """(dialect, reason when None) for one file."""
    if forced:
        return forced, ""
    if path.suffix.lower() in MATERIAL_SUFFIXES:
        return None, "certificate or key material"
    from tlslint import readfile

    try:
        # the guarded reader: a FIFO or device never blocks, --root is honoured
        head_bytes = readfile.read_head(path, HEAD_SIZE)
    except readfile.FileAccessError as exc:
        return None, exc.reason
    if b"\0" in head_bytes:
        return None, "binary"
    head = decode(head_bytes)
    for name in dialects.FAMILIES:
        dialect = dialects.family(name).detect(path, head)
        if dialect:
            return dialect, ""
    return None, "not a recognised config"


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _broken_link_reason(path: Path) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "dangling symbolic link"


def discover(paths: list[Path], forced: Optional[dict[Path, str]] = None, config=None) -> Discovery:
    """``config`` (tlslint.config.FileConfig) excludes files, also ones named
    explicitly (so pre-commit runs honour it), and forces dialects."""
    found = Discovery()
    seen: set[Path] = set()
    for given in paths:
        try:
            if not given.exists() and not given.is_symlink():
                found.errors.append((given, "no such file or directory"))
                continue
            explicit = not given.is_dir()
        except OSError as exc:  # a folder on the way that cannot be searched
            found.errors.append((given, _os_reason(exc)))
            continue
        if not explicit and not os.access(given, os.R_OK | os.X_OK):
            found.errors.append((given, "permission denied"))  # a folder named on the command line
            continue
        files = [given] if explicit else _walk(given, config, found.unreadable, found.skipped)
        for path in files:
            try:
                key = real(path) if path.exists() else path
            except OSError as exc:
                (found.errors if explicit else found.unreadable).append((path, _os_reason(exc)))
                continue
            if key in seen:
                continue
            seen.add(key)
            if config is not None and config.is_excluded(path):
                found.skipped.append((path, f"excluded by {config.path.name}"))
                continue
            # a file named on the command line that cannot be read is an error:
            # a CI run must not pass on a config it never read
            if path.is_symlink() and not path.exists():
                reason = _broken_link_reason(path)
                if explicit:
                    found.errors.append((path, reason))
                elif reason == "symbolic link loop":
                    found.unreadable.append((path, reason))
                else:
                    found.skipped.append((path, reason))  # dangling links are common in checkouts
                continue
            override = (forced or {}).get(path) or (config.dialect_for(path) if config is not None else None)
            dialect, reason = detect(path, override)
            if dialect:
                found.candidates.append(Candidate(path, dialect))
            elif reason in NOT_A_CONFIG or (not explicit and reason.startswith("not a regular file")):
                found.skipped.append((path, reason))  # a FIFO or device met in a walk is no config
            else:
                (found.errors if explicit else found.unreadable).append((path, reason))
    return found
