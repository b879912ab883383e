"""The entry point of the `tlslint` command.

Importing typer costs about 30 ms, a third of a pre-commit run. So the
command lines pre-commit and CI send all the time, `tlslint check` and
`tlslint fix` with plain options and paths, are read here from the same
option tables typer is given (commands.SHARED_OPTIONS, FIX_OPTIONS), and
the command runs without typer. Anything else goes to the typer application
(tlslint/app.py): other commands, --help, an option or a spelling this
reader does not take, a value typer would refuse. It then gives the same run
or typer's own error message. A test compares both readings over generated
command lines.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence

from tlslint.commands import FIX_OPTIONS, SHARED_OPTIONS, RunArgs

# command -> its options by flag
_OPTIONS = {
    "check": {flag: option for option in SHARED_OPTIONS for flag in option.flags},
    "fix": {flag: option for option in SHARED_OPTIONS + FIX_OPTIONS for flag in option.flags},
}
_OWN = {option.name for option in FIX_OPTIONS}


def read_command(argv: Sequence[str]) -> Optional[tuple[str, RunArgs, dict]]:
    """(command, the RunArgs typer would build, the command's own options) for
    ``tlslint check|fix ...``, or None when this reader leaves ``argv`` to typer."""
    if not argv or argv[0] not in _OPTIONS:
        return None
    command, by_flag = argv[0], _OPTIONS[argv[0]]
    values = {option.name: option.default for option in set(by_flag.values())}
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
        option = by_flag.get(flag)
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
    own = {name: values.pop(name) for name in _OWN if name in values}
    return command, RunArgs(paths=paths or None, **values), own


def main() -> None:
    import os

    try:
        read = read_command(sys.argv[1:])
        if read is not None:
            from tlslint import commands

            command, run, own = read
            if command == "check":
                commands.run_check(run)
            else:
                commands.run_fix(run, **own)
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
