"""Where a configured path is read from: relative paths, and --path-map."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Sequence


def is_file(path: Path) -> bool:
    """Path.is_file, but False (not PermissionError) under a folder that cannot be searched."""
    try:
        return path.is_file()
    except OSError:
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def real(path: Path) -> Path:
    """``path`` with its symbolic links resolved. Never raises: a link loop
    (where Path.resolve raises RuntimeError) gives the path as far as it goes."""
    return Path(os.path.realpath(path))


def candidates(path: str, base_dir: Path, path_map: Sequence[tuple[str, Path]] = ()) -> list[Path]:
    """The places to look for ``path``, in order.

    Absolute deployment paths are translated with the longest matching
    --path-map prefix (``/etc/nginx=deploy/nginx``), and then only the
    repository copy is read: the machine running tlslint may have a file of
    that name too (a CI runner's own /etc/nginx), which is not the one
    deployed. If no prefix matches, the absolute path is read as is (tlslint
    run on the server itself). Relative paths are joined to ``base_dir`` (the
    dialect chose it), and then mapped too if ``base_dir`` itself is a mapped
    deployment path.
    """
    posix = PurePosixPath(path)
    full = str(posix) if posix.is_absolute() else str(PurePosixPath(base_dir.as_posix()) / posix)
    for frm, to in sorted(path_map, key=lambda m: len(m[0]), reverse=True):
        frm = frm.rstrip("/") or "/"
        if full == frm or full.startswith(frm.rstrip("/") + "/"):
            rest = full[len(frm):].lstrip("/")
            return [to / rest if rest else to]
    return [Path(full)]


def parse_path_map(item: str) -> tuple[str, Path]:
    """``FROM=TO`` as given on the command line."""
    if "=" not in item:
        raise ValueError(f"--path-map expects FROM=TO, got {item!r}")
    frm, to = item.split("=", 1)
    if not frm.startswith("/"):
        raise ValueError(f"--path-map FROM must be an absolute deployment path, got {frm!r}")
    return frm, Path(to)
