"""Files named on the command line that are not main configs: certificate and
key files, and fragments included by another config.

pre-commit passes only the files a commit changes. When that is a renewed
``site.pem`` or a ``conf.d/`` fragment, checking the file alone says nothing
(a certificate is not a config; a fragment lacks its ``http`` block, its
includer's directory and its siblings). So for every explicit file, tlslint
looks at the repository that holds it, parses the configs there, and checks
the ones that include the file or reference it (after ``--path-map``).

The repository is the git toplevel of the file (the nearest folder with a
``.git`` entry); for a file in no repository, the current directory when the
file is below it, else the file's own directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from tlslint.paths import candidates, is_dir, is_file, real

if TYPE_CHECKING:
    from tlslint.model import Document
    from tlslint.options import Options


def _abs(path: Path) -> Path:
    return Path(os.path.abspath(path))


def git_root(path: Path) -> Optional[Path]:
    """The nearest folder at or above ``path`` that holds ``.git`` (a folder, or a
    file for worktrees and submodules)."""
    here = _abs(path)
    if not is_dir(here):
        here = here.parent
    for directory in (here, *here.parents):
        try:
            if (directory / ".git").exists():
                return directory
        except OSError:  # a folder that cannot be searched: no repository found there
            continue
    return None


def repository_root(path: Path) -> Path:
    """The git toplevel of ``path``; else the current directory when ``path`` is
    below it; else the file's own directory (never a scan of an unrelated tree)."""
    found = git_root(path)
    if found is not None:
        return found
    cwd = _abs(Path.cwd())
    absolute = _abs(path)
    return cwd if cwd == absolute or cwd in absolute.parents else absolute.parent


def _same(path: Path) -> set[Path]:
    """The spellings of a path to compare: as given (absolute) and resolved."""
    absolute = _abs(path)
    out = {absolute}
    out.add(real(absolute))
    return out


def _wanted(paths: Iterable[Path]) -> set[Path]:
    wanted: set[Path] = set()
    for path in paths:
        if is_file(path):
            wanted |= _same(path)
    return wanted


def references(document: "Document", wanted: set[Path], options: "Options") -> bool:
    """Does ``document`` include one of ``wanted``, or name one as a cert/key/CA/CRL/password file?"""
    for source in document.sources:
        if _same(source.path) & wanted:
            return True
    for endpoint in document.endpoints:
        for ref in endpoint.file_refs():
            if ref.inline is not None or ref.unresolved:
                continue
            for place in candidates(ref.path, ref.base_dir, options.path_map):
                if _same(place) & wanted:
                    return True
    return False


def expand(paths: list[Path], documents: list["Document"], options: "Options") -> list["Document"]:
    """``documents`` plus the repository's documents that include or reference
    an explicitly named file; the main config then stands for its fragments."""
    from tlslint import engine
    from tlslint.discover import discover

    # A main config given by name stands on its own: nothing includes it, so
    # there is no need to parse the whole repository for it.
    standalone = {_abs(d.source.path) for d in documents if not d.fragment}
    explicit = [p for p in paths if is_file(p) and _abs(p) not in standalone]
    wanted = _wanted(explicit)
    if not wanted:
        return documents
    given_dirs = [_abs(p) for p in paths if is_dir(p)]
    roots: list[Path] = []
    for path in explicit:
        root = repository_root(path)
        if root in roots or any(root == d or d in root.parents for d in given_dirs):
            continue  # already walked as a directory argument
        roots.append(root)
    if not roots:
        return documents
    scratch = engine.RunResult()  # a broken unrelated config must not fail this run
    found = discover(roots, None, options.config)
    extra = [d for d in engine.parse_all(found, options, scratch) if references(d, wanted, options)]
    if not extra:
        return documents
    merged: list["Document"] = []
    mains: set[Path] = set()
    for doc in documents + extra:
        key = real(_abs(doc.source.path))
        if key in mains:
            continue
        mains.add(key)
        merged.append(doc)
    return engine.drop_included(merged)
