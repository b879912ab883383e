"""The typer application: tlslint check | fix | rules | explain, their
options and help. What check and fix do is in tlslint/commands.py; the entry
point (tlslint/cli.py) reads the common check command lines without
importing typer.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from tlslint import __version__, commands
from tlslint.commands import FIX_OPTIONS, SHARED_OPTIONS, RunArgs

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


def _parameters(options) -> list:
    """Options of commands.SHARED_OPTIONS / FIX_OPTIONS as the parameters typer
    reads from a signature."""
    import inspect

    params = []
    for option in options:
        python_type = Format if option.name == "format" else option.python_type
        default = Format(option.default) if option.name == "format" else option.default
        if option.kind != "flag" and default is None:
            python_type = Optional[python_type]
        declaration = typer.Option(*option.flags, help=option.help, metavar=option.metavar)
        params.append(inspect.Parameter(option.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default,
                                        annotation=Annotated[python_type, declaration]))
    return params


def run_command(own_options=()):
    """A command with the PATH argument, the shared options and ``own_options``:
    typer sees them all in its signature; the command receives the shared
    ones as ``run`` (a RunArgs) and its own ones by name."""
    import inspect

    paths = inspect.Parameter("paths", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                              annotation=Annotated[Optional[List[Path]],
                                                   typer.Argument(help="Files or directories (default: .)")])
    shared = [paths] + _parameters(SHARED_OPTIONS)
    own = _parameters(own_options)
    names = {p.name for p in shared}

    def wrap(func):
        def command(**values):
            shared_values = {name: values.pop(name) for name in names}
            shared_values["format"] = shared_values["format"].value
            return func(run=RunArgs(**shared_values), **values)

        command.__name__, command.__doc__ = func.__name__, func.__doc__
        command.__signature__ = inspect.Signature(shared[:1] + own + shared[1:])  # PATH first
        command.__annotations__ = {p.name: p.annotation for p in shared + own}
        return command

    return wrap


@app.command()
@run_command()
def check(run: RunArgs) -> None:
    """Check TLS configs and the certificate, key and CA files they name."""
    commands.run_check(run)


@app.command()
@run_command(FIX_OPTIONS)
def fix(run: RunArgs, unsafe_fixes: bool, diff: bool) -> None:
    """Apply safe fixes (and unsafe ones with --unsafe-fixes), then report what remains."""
    commands.run_fix(run, unsafe_fixes, diff)


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
    from tlslint.rulebase import ALL_DIALECTS

    for r in rows:
        fix = f"fix: {r.fix}" if r.fix else ""
        dialects = "all" if tuple(r.dialects) == ALL_DIALECTS else ",".join(r.dialects)
        typer.echo(f"{r.code}  {r.name:<38} {r.severity.value:<8} {dialects:<16} {fix}".rstrip())


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
