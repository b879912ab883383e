"""What the commands do, without the command-line library.

The typer application (tlslint/app.py) and the fast path of the entry point
(tlslint/cli.py) both end here, so `tlslint check` runs the same code however
its command line was read. Nothing in this module imports typer: importing it
costs about 30 ms, a third of a pre-commit run.

Exit codes: 0 no error or warning findings; 1 error or warning findings
remain (info never fails a run); 2 usage error or internal failure.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable, List, NamedTuple, Optional


class UsageError(Exception):
    """A bad option value: reported in one line, exit code 2."""


FORMATS = ("text", "json", "sarif", "github")


class SharedOption(NamedTuple):
    """One option of check or fix, declared once for both readers of the
    command line. ``kind`` is "flag" (no value), "value" (the last one given
    wins) or "list" (repeatable); ``convert`` turns one given string into the
    value typer would pass (it raises ValueError where typer would refuse it)."""

    name: str
    flags: tuple
    kind: str
    python_type: Any  # the type typer reads the value as (a string for the formats' choice)
    default: Any
    help: str
    convert: Callable[[str], Any] = str
    metavar: Optional[str] = None


def _format(value: str) -> str:
    if value not in FORMATS:
        raise ValueError(value)
    return value


SHARED_OPTIONS = (
    SharedOption("format", ("--format",), "value", str, "text", "Output format.", _format),
    SharedOption("select", ("--select",), "list", List[str], None,
                 "Only these codes, prefixes (TLS2) or names; comma list."),
    SharedOption("ignore", ("--ignore",), "list", List[str], None,
                 "Skip these codes, prefixes or names; comma list."),
    SharedOption("trust", ("--trust",), "list", List[Path], None,
                 "CA file or directory of trusted roots (repeatable).", Path),
    SharedOption("intermediates", ("--intermediates",), "list", List[Path], None,
                 "Where missing intermediates may be found (repeatable).", Path),
    SharedOption("path_map", ("--path-map",), "list", List[str], None,
                 "FROM=TO: read deployment path FROM from repo path TO (repeatable)."),
    SharedOption("warn_days", ("--warn-days",), "value", int, None,
                 "Warn about certificates expiring within N days (default 30).", int),
    SharedOption("now", ("--now",), "value", str, None,
                 "Judge validity at this ISO 8601 instant instead of the clock."),
    SharedOption("exit_zero", ("--exit-zero",), "flag", bool, False, "Report, but exit 0."),
    SharedOption("verbose", ("-v", "--verbose"), "flag", bool, False, "Also list skipped files."),
    SharedOption("config", ("--config",), "value", Path, None,
                 "Use this configuration file instead of looking for one from the current directory up.", Path),
    SharedOption("statistics", ("--statistics",), "flag", bool, False,
                 "Also print the number of findings per rule."),
    SharedOption("max_file_size", ("--max-file-size",), "value", str, None,
                 "Refuse configs and referenced files larger than SIZE (bytes, or 512K, 4M; default 1M).",
                 metavar="SIZE"),
    SharedOption("nginx_version", ("--nginx-version",), "value", str, None,
                 "Judge nginx configs for this nginx version (e.g. 1.26.3) instead of every version in use.",
                 metavar="VERSION"),
    SharedOption("root", ("--root",), "value", Path, None,
                 "Read configs and the files they name only inside DIR (symlinks resolved); for untrusted input.",
                 Path, metavar="DIR"),
)


# fix's own options
FIX_OPTIONS = (
    SharedOption("unsafe_fixes", ("--unsafe-fixes",), "flag", bool, False,
                 "Also apply fixes that change who can connect."),
    SharedOption("diff", ("--diff",), "flag", bool, False, "Print what would change; write nothing."),
)


def parse_now(value: Optional[str]) -> Optional[dt.datetime]:
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: not an ISO 8601 date or time: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def split_codes(values: Optional[List[str]]) -> list[str]:
    return [c.strip() for v in values or [] for c in v.split(",") if c.strip()]


def build_options(select, ignore, trust, intermediates, path_map, warn_days, now, verbose, config_file=None,
                  max_file_size=None, root=None, nginx_version=None):
    """Options from the command line over the configuration file (``config_file``,
    or the one found from the current directory upwards) over the defaults.
    A list given on the command line replaces the file's list."""
    from tlslint.config import ConfigError, find_config, load_config
    from tlslint.options import Options
    from tlslint.paths import parse_path_map

    try:
        mapping = [parse_path_map(m) for m in path_map or []]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for path in list(trust or []) + list(intermediates or []):
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    if warn_days is not None and warn_days < 0:
        raise UsageError("--warn-days must be 0 or more")
    from tlslint.readfile import DEFAULT_MAX_SIZE, parse_size

    try:
        size_cap = parse_size(max_file_size) if max_file_size is not None else None
    except ValueError as exc:
        raise UsageError(f"--max-file-size: {exc}") from None
    if root is not None and not root.is_dir():
        raise UsageError(f"--root {root}: not a directory")
    version = None
    if nginx_version is not None:
        from tlslint.dialects.nginx.versions import parse_version

        try:
            version = parse_version(nginx_version)
        except ValueError as exc:
            raise UsageError(f"--nginx-version: {exc}") from None
    known = known_selectors()

    def is_known(code: str) -> bool:
        return any(k.startswith(code.upper()) or k == code.lower() for k in known)

    for code in split_codes(select) + split_codes(ignore):
        if not is_known(code):
            raise UsageError(f"unknown rule code or name: {code!r} (see `tlslint rules`)")
    try:
        found = config_file or find_config()
        file = load_config(found, is_known) if found else None
    except ConfigError as exc:
        raise UsageError(str(exc)) from None

    def pick(cli, key, default):
        if cli:
            return cli
        value = getattr(file, key, None) if file else None
        return default if value is None else value

    return Options(select=pick(split_codes(select), "select", []), ignore=pick(split_codes(ignore), "ignore", []),
                   trust=pick(list(trust or []), "trust", []),
                   intermediates=pick(list(intermediates or []), "intermediates", []),
                   path_map=pick(mapping, "path_map", []),
                   warn_days=warn_days if warn_days is not None else pick(None, "warn_days", 30),
                   now=parse_now(now), verbose=verbose, config=file,
                   max_file_size=size_cap or pick(None, "max_file_size", DEFAULT_MAX_SIZE),
                   root=root if root is not None else pick(None, "root", None),
                   nginx_version=version or pick(None, "nginx_version", None))


def known_selectors() -> set[str]:
    from tlslint import rules

    out = set()
    for module in rules.load_all():
        out.update({module.RULE.code, module.RULE.name})
    return out


def error(message: str) -> None:
    print(f"tlslint: error: {message}", file=sys.stderr)


class RunArgs:
    """The options check and fix share, as one object."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def options(self):
        try:
            return build_options(self.select, self.ignore, self.trust, self.intermediates, self.path_map,
                                 self.warn_days, self.now, self.verbose, self.config,
                                 max_file_size=self.max_file_size, root=self.root,
                                 nginx_version=self.nginx_version)
        except UsageError as exc:
            error(str(exc))
            raise SystemExit(2) from None

    @property
    def targets(self) -> list[Path]:
        return list(self.paths) if self.paths else [Path(".")]

    def report_and_exit(self, result) -> None:
        from tlslint import report

        for path, reason in result.discovery.errors:
            error(f"{path}: {reason}")
        for path, reason in result.discovery.unreadable:
            print(f"tlslint: warning: {path}: {reason}; not checked", file=sys.stderr)
        if self.format == "sarif":
            from tlslint import sarif

            sarif.write_sarif(result, sys.stdout)
            if self.statistics:
                report.write_statistics(result, sys.stderr)
        elif self.format == "github":
            from tlslint import github

            github.write_github(result, sys.stdout, statistics=self.statistics)
        elif self.format == "json" and self.statistics:
            report.write_statistics_json(result, sys.stdout)
        elif self.format == "json":
            report.write_json(result, sys.stdout)
        elif result.documents or not result.discovery.errors:
            # (a usage error with nothing analysed: the error line says it all)
            report.write_text(result, sys.stdout, verbose=self.verbose, statistics=self.statistics)
        if result.internal_errors or result.discovery.errors:
            raise SystemExit(2)
        failing = any(f.severity.value in ("error", "warning") for f in result.findings)
        raise SystemExit(0 if self.exit_zero or not failing else 1)


def run_check(run: RunArgs) -> None:
    """`tlslint check`: ends with SystemExit and the exit code."""
    from tlslint import engine
    from tlslint.report import Progress

    options = run.options()
    progress = Progress(sys.stderr) if run.format == "text" else None
    try:
        result = engine.check(run.targets, options, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    run.report_and_exit(result)


def run_fix(run: RunArgs, unsafe_fixes: bool, diff: bool) -> None:
    """`tlslint fix`: ends with SystemExit and the exit code."""
    from tlslint import fixer
    from tlslint.source import display_path

    options = run.options()
    try:
        outcome = fixer.run(run.targets, options, unsafe=unsafe_fixes, diff_only=diff)
    except fixer.FixError as exc:
        print(f"tlslint: fix refused: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    log = sys.stderr if run.format == "json" else sys.stdout
    if diff:
        # the diff, then what would remain after it, with check's exit codes
        log.write(fixer.diff_text(outcome))
        run.report_and_exit(outcome.after)
    for finding, applied in outcome.plan.fixes:
        print(f"fixed {finding.path}:{finding.line}: {finding.code} {applied.title}", file=log)
    for finding, why in outcome.plan.deferred:
        print(f"not fixed {finding.path}:{finding.line}: {finding.code}: {why}", file=log)
    if outcome.written:
        print(f"wrote {', '.join(display_path(p) for p in outcome.written)}", file=log)
    run.report_and_exit(outcome.after)
