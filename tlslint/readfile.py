"""The one guarded way tlslint reads a file named by a config or a user.

Only regular files, at most the size cap; everything else is a
FileAccessError whose message is fit for users (it never contains content).

The run's policy (``policy()``, set by the engine from the options for the
duration of a check) holds:

* ``max_size``: the size cap for every config file and every file a config
  names (``--max-file-size``, config key ``max-file-size``; default 1 MiB).
  A caller may pass a smaller ``max_size``; only ``trusted`` reads may go above
  the run's cap. Outside a run (no policy: library use, unit tests) the
  caller's ``max_size`` applies, else DEFAULT_MAX_SIZE.
* ``root``: when set (``--root DIR``, config key ``root``), files are read
  only if their real path (symbolic links resolved) lies inside it; anything
  else is refused *before* it is opened or even tested for existence, so an
  untrusted config cannot make tlslint read, or probe, the runner's files.

``trusted=True`` is for files the user named on the command line or in the
configuration file (``--trust``, ``--intermediates``) and the system trust
store: the root does not apply to them and the caller chooses their cap.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

DEFAULT_MAX_SIZE = 1024 * 1024
# Config files may be bigger than certificate material: generated nginx configs
# of more than 1 MiB exist (the corpus holds a 1.3 MB one). Their cap is this
# many times the run's cap (4 MiB by default).
CONFIG_FACTOR = 4


class FileAccessError(Exception):
    """The file exists (or may) but cannot be read as a regular file.

    ``missing``: it does not exist (TLS002, not TLS003). ``refused``: the run's
    ``--root`` forbids reading it (nothing was opened).
    """

    def __init__(self, path: Path, reason: str, missing: bool = False, refused: bool = False):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.missing = missing
        self.refused = refused


@dataclass(frozen=True)
class Policy:
    # None outside a run (library use): the caller's max_size, else DEFAULT_MAX_SIZE
    max_size: Optional[int] = None
    root: Optional[Path] = None  # real path (symlinks resolved)


_policy = Policy()


def _cap(max_size: Optional[int], trusted: bool, config: bool = False) -> int:
    factor = CONFIG_FACTOR if config else 1
    if trusted or _policy.max_size is None:
        return DEFAULT_MAX_SIZE * factor if max_size is None else max_size
    run_cap = _policy.max_size * factor
    return run_cap if max_size is None else min(max_size, run_cap)


def current() -> Policy:
    return _policy


@contextlib.contextmanager
def policy(max_size: Optional[int] = None, root: Optional[Path] = None) -> Iterator[Policy]:
    """Set the run's size cap and root for the duration of the block."""
    global _policy
    saved = _policy
    _policy = Policy(max_size=DEFAULT_MAX_SIZE if max_size is None else int(max_size),
                     root=Path(os.path.realpath(root)) if root is not None else None)
    try:
        yield _policy
    finally:
        _policy = saved


def outside_root(path: Path) -> Optional[str]:
    """The refusal reason when ``path`` (symlinks resolved) is outside the run's root."""
    root = _policy.root
    if root is None:
        return None
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return f"outside --root {root} (cannot resolve the path)"
    if real == str(root) or real.startswith(str(root).rstrip(os.sep) + os.sep):
        return None
    return f"outside --root {root} (resolves to {real}); not read"


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


def _open(path: Path) -> int:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                       | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileAccessError(path, "no such file", missing=True) from None
    except NotADirectoryError:
        raise FileAccessError(path, "a parent is not a directory", missing=True) from None
    except PermissionError:
        raise FileAccessError(path, "permission denied") from None
    except IsADirectoryError:
        raise FileAccessError(path, "is a directory, not a file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileAccessError(path, "symbolic link loop") from None
        if exc.errno == errno.ENAMETOOLONG:
            raise FileAccessError(path, "file name too long") from None
        raise FileAccessError(path, exc.strerror or "cannot open") from None
    except ValueError:  # a NUL byte in the path
        raise FileAccessError(path, "invalid file name (NUL byte)", missing=True) from None


def _check_kind(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileAccessError(path, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "special")
        raise FileAccessError(path, f"not a regular file ({kind})")


def _guard(path: Path, trusted: bool) -> None:
    if not trusted:
        why = outside_root(path)
        if why is not None:
            raise FileAccessError(path, why, refused=True)


def check(path: Path, trusted: bool = False, config: bool = False) -> None:
    """Raise FileAccessError if ``read_bytes(path)`` would refuse the file
    (kind, root, size cap), without reading it."""
    if _overlay.get(os.path.abspath(path)) is not None:
        return
    _guard(path, trusted)
    fd = _open(path)
    try:
        info = os.fstat(fd)
        _check_kind(path, info)
        cap = _cap(None, trusted, config)
        if not trusted and info.st_size > cap:
            raise FileAccessError(path, f"larger than the size cap ({info.st_size} > {cap} bytes; "
                                        "see --max-file-size)")
    finally:
        os.close(fd)


def read_bytes(path: Path, max_size: Optional[int] = None, *, trusted: bool = False,
               config: bool = False) -> bytes:
    """The content of the regular file ``path``, at most the size cap.

    ``max_size`` lowers the run's cap (``trusted`` reads: sets it); ``config``
    reads (config files and their includes) get CONFIG_FACTOR times the cap."""
    planned = _overlay.get(os.path.abspath(path)) if _overlay else None
    if planned is not None:
        return planned
    cap = _cap(max_size, trusted, config)
    _guard(path, trusted)
    fd = _open(path)
    try:
        info = os.fstat(fd)
        _check_kind(path, info)
        if info.st_size > cap:
            raise FileAccessError(path, f"larger than the size cap ({info.st_size} > {cap} bytes; "
                                        "see --max-file-size)")
        chunks = []
        remaining = cap + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > cap:
            raise FileAccessError(path, f"larger than the size cap ({cap} bytes; see --max-file-size)")
        return data
    except BlockingIOError:
        raise FileAccessError(path, "read would block") from None
    except OSError as exc:
        raise FileAccessError(path, exc.strerror or "read error") from None
    finally:
        os.close(fd)


def read_head(path: Path, size: int, *, trusted: bool = False) -> bytes:
    """The first ``size`` bytes of a regular file, for detection: never blocks
    (FIFOs, devices are refused), honours the root, ignores the size cap."""
    _guard(path, trusted)
    fd = _open(path)
    try:
        _check_kind(path, os.fstat(fd))
        return os.read(fd, size)
    except OSError as exc:
        raise FileAccessError(path, exc.strerror or "read error") from None
    finally:
        os.close(fd)


_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
          "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


def parse_size(value) -> int:
    """``1048576``, ``512K``, ``1M``, ``2MiB`` -> bytes (K, M, G are powers of 1024).
    Raises ValueError with a message naming the value."""
    import re

    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 1048576, 512K or 4M, got {value!r}")
    if isinstance(value, int):
        number, unit = value, ""
    else:
        m = re.fullmatch(r"\s*([0-9]+)\s*([A-Za-z]*)\s*", str(value))
        if not m or m.group(2).lower() not in _UNITS:
            raise ValueError(f"expected a size such as 1048576, 512K or 4M, got {value!r}")
        number, unit = int(m.group(1)), m.group(2).lower()
    size = number * _UNITS[unit]
    if size <= 0:
        raise ValueError(f"the size must be more than 0, got {value!r}")
    return size
