"""The entry point of the `tlslint` command.

Importing typer costs about 30 ms, a third of a pre-commit run. So the
command lines pre-commit and CI send all the time, `tlslint check` with
plain options and paths, are read here from the same option table typer is
given (commands.SHARED_OPTIONS), and the check runs without typer. Anything
else goes to the typer application (tlslint/app.py): other commands, --help,
an option or a spelling this reader does not take, a value typer would
refuse. It then gives the same run or typer's own error message. A test
compares both readings over generated command lines.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence

from tlslint.commands import SHARED_OPTIONS, RunArgs

_BY_FLAG = {flag: option for option in SHARED_OPTIONS for flag in option.flags}


def read_check_command(argv: Sequence[str]) -> Optional[RunArgs]:
    """The RunArgs typer would build for ``tlslint check ...``, or None when
    this reader leaves ``argv`` to typer."""
    if not argv or argv[0] != "check":
        return None
    values = {option.name: option.default for option in SHARED_OPTIONS}
    paths: list[Path] = []
    words = iter(argv[1:])
    options_ended = False
    for word in words:
        if options_ended or not word.startswith("-"):
            paths.append(Path(word))
            continue
        if word == "--":
            options_ended = True
            continue
        flag, has_value, value = word.partition("=") if word.startswith("--") else (word, "", "")
        option = _BY_FLAG.get(flag)
        if option is None:
            return None
        if option.kind == "flag":
            if has_value:
                return None
            values[option.name] = True
            continue
        if not has_value:
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None  # typer's error message, or its own reading of a dash value
        try:
            converted = option.convert(value)
        except ValueError:
            return None
        if option.kind == "list":
            values[option.name] = [*(values[option.name] or []), converted]
        else:
            values[option.name] = converted
    return RunArgs(paths=paths or None, **values)


def main() -> None:
    import os

    try:
        run = read_check_command(sys.argv[1:])
        if run is not None:
            from tlslint.commands import run_check

            run_check(run)
        else:
            from tlslint.app import app

            app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (`tlslint check | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # never a traceback for users; TLSLINT_DEBUG=1 shows it
        if os.environ.get("TLSLINT_DEBUG"):
            raise
        print(f"tlslint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
