"""Run options shared by check and fix (from the CLI, later also the config file)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from tlslint.config import FileConfig


@dataclass
class Options:
    select: list[str] = field(default_factory=list)  # codes, prefixes or names; empty = all
    ignore: list[str] = field(default_factory=list)
    trust: list[Path] = field(default_factory=list)
    intermediates: list[Path] = field(default_factory=list)
    path_map: list[tuple[str, Path]] = field(default_factory=list)  # (deployment prefix, repo dir)
    warn_days: int = 30
    now: Optional[dt.datetime] = None  # aware UTC; None = the clock
    use_system_store: bool = True
    verbose: bool = False
    # tlslint.readfile policy for the run: the size cap of every config and
    # every file a config names, and (when set) the only directory they may be read from.
    max_file_size: int = 1024 * 1024
    root: Optional[Path] = None
    # The nginx version configs are judged for ((1, 26, 3)); None: every version
    # in wide use (tlslint/dialects/nginx/versions.py).
    nginx_version: Optional[tuple[int, int, int]] = None
    # The configuration file in use (tlslint.config.FileConfig): exclude,
    # per-file-ignores and dialect overrides live there.
    config: Optional["FileConfig"] = None

    def validation_time(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.timezone.utc)
