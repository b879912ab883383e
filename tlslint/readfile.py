"""The one guarded way tlslint reads a file named by a config or a user.

Only regular files, at most ``max_size`` bytes; everything else is a
FileAccessError whose message is fit for users (it never contains content).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import Iterator, Mapping

DEFAULT_MAX_SIZE = 1024 * 1024


class FileAccessError(Exception):
    """The file exists (or may) but cannot be read as a regular file."""

    def __init__(self, path: Path, reason: str, missing: bool = False):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.missing = missing


# Planned contents that `tlslint fix` validates before it writes anything:
# while active, reads of these paths see the new bytes instead of the disk.
_overlay: dict[str, bytes] = {}


@contextlib.contextmanager
def overlay(contents: Mapping[Path, bytes]) -> Iterator[None]:
    saved = dict(_overlay)
    _overlay.update({os.path.abspath(p): data for p, data in contents.items()})
    try:
        yield
    finally:
        _overlay.clear()
        _overlay.update(saved)


def exists(path: Path) -> bool:
    """Like Path.exists(), but aware of the fix overlay."""
    return os.path.abspath(path) in _overlay or os.path.lexists(path)


def read_bytes(path: Path, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    planned = _overlay.get(os.path.abspath(path)) if _overlay else None
    if planned is not None:
        return planned
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileAccessError(path, "no such file", missing=True) from None
    except NotADirectoryError:
        raise FileAccessError(path, "a parent is not a directory", missing=True) from None
    except PermissionError:
        raise FileAccessError(path, "permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileAccessError(path, "symbolic link loop") from None
        raise FileAccessError(path, exc.strerror or "cannot open") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileAccessError(path, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileAccessError(path, "not a regular file (FIFO, socket or device)")
        if info.st_size > max_size:
            raise FileAccessError(path, f"larger than the size cap ({info.st_size} > {max_size} bytes)")
        chunks = []
        remaining = max_size + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_size:
            raise FileAccessError(path, f"larger than the size cap ({max_size} bytes)")
        return data
    except OSError as exc:
        raise FileAccessError(path, exc.strerror or "read error") from None
    finally:
        os.close(fd)
