"""Command line: tlslint check | rules | explain.

Exit codes: 0 no error or warning findings; 1 error or warning findings
remain (info never fails a run); 2 usage error or internal failure.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from tlslint import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Lint TLS settings of nginx, RabbitMQ and YAML service configs, and the certificate files they name.",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class RulesFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class UsageError(Exception):
    """A bad option value: reported in one line, exit code 2."""


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
                  max_file_size=None, root=None):
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
                   root=root if root is not None else pick(None, "root", None))


def known_selectors() -> set[str]:
    from tlslint import rules

    out = set()
    for module in rules.load_all():
        out.update({module.RULE.code, module.RULE.name})
    return out


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"tlslint {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """tlslint: TLS config linter."""


# Options shared by check and fix, declared once.
PathsArg = Annotated[Optional[List[Path]], typer.Argument(help="Files or directories (default: .)")]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
SelectOpt = Annotated[Optional[List[str]], typer.Option(
    "--select", help="Only these codes, prefixes (TLS2) or names; comma list.")]
IgnoreOpt = Annotated[Optional[List[str]], typer.Option(
    "--ignore", help="Skip these codes, prefixes or names; comma list.")]
TrustOpt = Annotated[Optional[List[Path]], typer.Option(
    "--trust", help="CA file or directory of trusted roots (repeatable).")]
IntermediatesOpt = Annotated[Optional[List[Path]], typer.Option(
    "--intermediates", help="Where missing intermediates may be found (repeatable).")]
PathMapOpt = Annotated[Optional[List[str]], typer.Option(
    "--path-map", help="FROM=TO: read deployment path FROM from repo path TO (repeatable).")]
WarnDaysOpt = Annotated[Optional[int], typer.Option(
    "--warn-days", help="Warn about certificates expiring within N days (default 30).")]
NowOpt = Annotated[Optional[str], typer.Option(
    "--now", help="Judge validity at this ISO 8601 instant instead of the clock.")]
ExitZeroOpt = Annotated[bool, typer.Option("--exit-zero", help="Report, but exit 0.")]
VerboseOpt = Annotated[bool, typer.Option("-v", "--verbose", help="Also list skipped files.")]
ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="Use this configuration file instead of looking for one from the current directory up.")]
StatisticsOpt = Annotated[bool, typer.Option(
    "--statistics", help="Also print the number of findings per rule.")]
MaxFileSizeOpt = Annotated[Optional[str], typer.Option(
    "--max-file-size", metavar="SIZE",
    help="Refuse configs and referenced files larger than SIZE (bytes, or 512K, 4M; default 1M).")]
RootOpt = Annotated[Optional[Path], typer.Option(
    "--root", metavar="DIR",
    help="Read configs and the files they name only inside DIR (symlinks resolved); for untrusted input.")]


def _options_or_exit(select, ignore, trust, intermediates, path_map, warn_days, now, verbose, config=None,
                     max_file_size=None, root=None):
    try:
        return build_options(select, ignore, trust, intermediates, path_map, warn_days, now, verbose, config,
                             max_file_size=max_file_size, root=root)
    except UsageError as exc:
        typer.echo(f"tlslint: error: {exc}", err=True)
        raise typer.Exit(2)


def _report_and_exit(result, format: Format, verbose: bool, exit_zero: bool, statistics: bool = False) -> None:
    from tlslint import report

    for path, reason in result.discovery.errors:
        typer.echo(f"tlslint: error: {path}: {reason}", err=True)
    if format is Format.sarif:
        from tlslint import sarif

        sarif.write_sarif(result, sys.stdout)
        if statistics:
            report.write_statistics(result, sys.stderr)
    elif format is Format.github:
        from tlslint import github

        github.write_github(result, sys.stdout, statistics=statistics)
    elif format is Format.json and statistics:
        report.write_statistics_json(result, sys.stdout)
    elif format is Format.json:
        report.write_json(result, sys.stdout)
    elif result.documents or not result.discovery.errors:
        # (a usage error with nothing analysed: the error line says it all)
        report.write_text(result, sys.stdout, verbose=verbose, statistics=statistics)
    if result.internal_errors or result.discovery.errors:
        raise typer.Exit(2)
    failing = any(f.severity.value in ("error", "warning") for f in result.findings)
    raise typer.Exit(0 if exit_zero or not failing else 1)


class RunArgs:
    """The options check and fix share, as one object."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def options(self):
        return _options_or_exit(self.select, self.ignore, self.trust, self.intermediates, self.path_map,
                                self.warn_days, self.now, self.verbose, self.config,
                                max_file_size=self.max_file_size, root=self.root)

    @property
    def targets(self) -> list[Path]:
        return list(self.paths) if self.paths else [Path(".")]

    def report_and_exit(self, result) -> None:
        _report_and_exit(result, self.format, self.verbose, self.exit_zero, self.statistics)


def _shared_options(
    paths: PathsArg = None,
    format: FormatOpt = Format.text,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    trust: TrustOpt = None,
    intermediates: IntermediatesOpt = None,
    path_map: PathMapOpt = None,
    warn_days: WarnDaysOpt = None,
    now: NowOpt = None,
    exit_zero: ExitZeroOpt = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
    statistics: StatisticsOpt = False,
    max_file_size: MaxFileSizeOpt = None,
    root: RootOpt = None,
) -> None:
    """The signature of the options check and fix share (declared once)."""


def run_command(func):
    """A command with the shared options: typer sees them in its signature, the
    command receives them as ``run`` (a RunArgs) besides its own options."""
    import inspect

    shared = list(inspect.signature(_shared_options, eval_str=True).parameters.values())
    names = {p.name for p in shared}
    own = [p for p in inspect.signature(func, eval_str=True).parameters.values() if p.name != "run"]

    def command(**values):
        run = RunArgs(**{name: values.pop(name) for name in names})
        return func(run=run, **values)

    command.__name__, command.__doc__ = func.__name__, func.__doc__
    command.__signature__ = inspect.Signature(shared[:1] + own + shared[1:])  # PATH first, as before
    command.__annotations__ = {p.name: p.annotation for p in shared + own}
    return command


@app.command()
@run_command
def check(run: RunArgs) -> None:
    """Check TLS configs and the certificate, key and CA files they name."""
    from tlslint import engine
    from tlslint.report import Progress

    options = run.options()
    progress = Progress(sys.stderr) if run.format is Format.text else None
    try:
        result = engine.check(run.targets, options, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    run.report_and_exit(result)


@app.command()
@run_command
def fix(
    run: RunArgs,
    unsafe_fixes: Annotated[bool, typer.Option(
        "--unsafe-fixes", help="Also apply fixes that change who can connect.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Print what would change; write nothing.")] = False,
) -> None:
    """Apply safe fixes (and unsafe ones with --unsafe-fixes), then report what remains."""
    from tlslint import fixer
    from tlslint.source import display_path

    options = run.options()
    try:
        outcome = fixer.run(run.targets, options, unsafe=unsafe_fixes, diff_only=diff)
    except fixer.FixError as exc:
        typer.echo(f"tlslint: fix refused: {exc}", err=True)
        raise typer.Exit(2)
    log = sys.stderr if run.format is Format.json else sys.stdout
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


@app.command("rules")
def list_rules(format: RulesFormat = typer.Option(RulesFormat.text, "--format", help="Output format.")) -> None:
    """List the rule catalogue: code, name, severity, dialects, fixable."""
    import json

    from tlslint import rules

    rows = [m.RULE for m in rules.load_all()]
    if format is RulesFormat.markdown:
        typer.echo(rules_markdown(rows), nl=False)
        return
    if format is RulesFormat.json:
        typer.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.value,
                                "dialects": list(r.dialects), "fixable": r.fix, "summary": r.summary}
                               for r in rows], indent=2))
        return
    for r in rows:
        fix = f"fix: {r.fix}" if r.fix else ""
        typer.echo(f"{r.code}  {r.name:<38} {r.severity.value:<8} {fix}")


def rules_markdown(rows) -> str:
    """The rule table of the README (a test keeps the README in sync with this)."""
    from tlslint.rulebase import ALL_DIALECTS

    lines = ["| code | name | severity | dialects | fix | what |", "|---|---|---|---|---|---|"]
    for r in rows:
        dialects = "all" if tuple(r.dialects) == ALL_DIALECTS else ", ".join(r.dialects)
        lines.append(f"| {r.code} | {r.name} | {r.severity.value} | {dialects} | {r.fix or ''} | {r.summary} |")
    return "\n".join(lines) + "\n"


@app.command()
def explain(rule: str = typer.Argument(..., help="A rule code (TLS101) or name (chain-incomplete).")) -> None:
    """Print a rule's documentation."""
    import inspect

    from tlslint import rules

    for module in rules.load_all():
        if rule.upper() == module.RULE.code or rule.lower() == module.RULE.name:
            typer.echo(inspect.cleandoc(module.__doc__ or ""))
            return
    typer.echo(f"tlslint: error: unknown rule {rule!r} (see `tlslint rules`)", err=True)
    raise typer.Exit(2)


def main() -> None:
    import os

    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # never a traceback for users; TLSLINT_DEBUG=1 shows it
        if os.environ.get("TLSLINT_DEBUG"):
            raise
        print(f"tlslint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
