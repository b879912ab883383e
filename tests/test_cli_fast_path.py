"""The entry point reads common `check` and `fix` command lines without typer;
whatever it accepts, it must read exactly as the typer application does."""

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tlslint import commands
from tlslint.app import app
from tlslint.cli import read_command
from tlslint.commands import FIX_OPTIONS, SHARED_OPTIONS

FLAGS = [flag for option in SHARED_OPTIONS + FIX_OPTIONS for flag in option.flags]
VALUES = ["TLS101", "TLS1,tls2", "text", "json", "sarif", "bad", "5", "-3", "07", "x=y", "", "2026-01-01",
          "1.22", "a.conf", "dir/b.conf"]
WORDS = FLAGS + [f"{flag}={value}" for flag in FLAGS[:6] for value in VALUES[:4]] + VALUES + [
    "--", "-", "-vv", "--help", "--unknown", "--verbose=1", "--warn-days=x", "--format=JSON", "--diff=1"]


def typer_reading(argv):
    """(the RunArgs typer hands to the command, its own options), or the exit
    code when typer refuses the command line."""
    seen = {}

    def check(run):
        seen["read"] = (run, {})

    def fix(run, unsafe_fixes, diff):
        seen["read"] = (run, {"unsafe_fixes": unsafe_fixes, "diff": diff})

    originals = commands.run_check, commands.run_fix
    commands.run_check, commands.run_fix = check, fix
    try:
        result = CliRunner().invoke(app, argv)
    finally:
        commands.run_check, commands.run_fix = originals
    return seen.get("read"), result.exit_code


def assert_same_reading(argv):
    command, run, own = read_command(argv)
    read, code = typer_reading(argv)
    assert read is not None, f"typer refused {argv} (exit {code})"
    assert (vars(run), own) == (vars(read[0]), read[1])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["check", "fix"]), st.lists(st.sampled_from(WORDS), max_size=6))
def test_the_fast_reader_agrees_with_typer(command, words):
    argv = [command, *words]
    if read_command(argv) is not None:  # else: left to typer
        assert_same_reading(argv)


@pytest.mark.parametrize("argv", [
    ["check"],
    ["check", "nginx/", "rabbitmq/rabbitmq.conf"],
    ["check", "--format", "json", "--select", "TLS1", "--select=TLS2", "-v", "a.conf"],
    ["check", "--warn-days", "10", "--now", "2026-01-01T00:00:00Z", "--exit-zero", "--", "-odd-name.conf"],
    ["check", "--trust", "ca.pem", "--intermediates=ints/", "--path-map", "/etc/nginx=nginx", "x"],
    ["check", "--nginx-version", "1.22", "x"],
    ["fix", "x"],
    ["fix", "--diff", "--unsafe-fixes", "--format", "json", "x"],
])
def test_common_command_lines_skip_typer(argv):
    assert read_command(argv) is not None
    assert_same_reading(argv)


@pytest.mark.parametrize("argv", [
    ["rules"], ["explain", "TLS101"], ["--version"], ["check", "--help"], ["check", "--format", "xml"],
    ["check", "--warn-days", "soon"], ["check", "--select"], ["check", "--exit-zero=1"], ["check", "-"],
    ["check", "--diff"], ["fix", "--diff=yes"],
])
def test_anything_else_goes_to_typer(argv):
    assert read_command(argv) is None


def test_the_installed_command_does_not_import_typer(tmp_path):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 80; } }\n")
    probe = ("import sys, runpy; sys.argv = ['tlslint', sys.argv[1], sys.argv[2]]\n"
             "try:\n    runpy.run_module('tlslint', run_name='__main__')\n"
             "except SystemExit as end:\n    print(end.code, 'typer' in sys.modules)\n")
    for command in ("check", "fix"):
        done = subprocess.run([sys.executable, "-c", probe, command, str(tmp_path / "nginx.conf")],
                              capture_output=True, text=True, check=True)
        assert done.stdout.split()[-2:] == ["0", "False"], done
