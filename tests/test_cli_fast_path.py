"""The entry point reads common `check` command lines without typer; whatever
it accepts, it must read exactly as the typer application does."""

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tlslint import commands
from tlslint.app import app
from tlslint.cli import read_check_command
from tlslint.commands import SHARED_OPTIONS

FLAGS = [flag for option in SHARED_OPTIONS for flag in option.flags]
VALUES = ["TLS101", "TLS1,tls2", "text", "json", "sarif", "bad", "5", "-3", "07", "x=y", "", "2026-01-01",
          "a.conf", "dir/b.conf"]
WORDS = FLAGS + [f"{flag}={value}" for flag in FLAGS[:6] for value in VALUES[:4]] + VALUES + [
    "--", "-", "-vv", "--help", "--unknown", "--verbose=1", "--warn-days=x", "--format=JSON"]


def typer_reading(argv):
    """The RunArgs typer hands to check, or the exit code when it refuses."""
    seen = {}

    def capture(run):
        seen["run"] = run

    original = commands.run_check
    commands.run_check = capture
    try:
        result = CliRunner().invoke(app, argv)
    finally:
        commands.run_check = original
    return seen.get("run"), result.exit_code


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=6))
def test_the_fast_reader_agrees_with_typer(words):
    argv = ["check", *words]
    fast = read_check_command(argv)
    if fast is None:
        return  # left to typer
    run, code = typer_reading(argv)
    assert run is not None, f"typer refused {argv} (exit {code})"
    assert vars(fast) == vars(run)


@pytest.mark.parametrize("argv", [
    ["check"],
    ["check", "nginx/", "rabbitmq/rabbitmq.conf"],
    ["check", "--format", "json", "--select", "TLS1", "--select=TLS2", "-v", "a.conf"],
    ["check", "--warn-days", "10", "--now", "2026-01-01T00:00:00Z", "--exit-zero", "--", "-odd-name.conf"],
    ["check", "--trust", "ca.pem", "--intermediates=ints/", "--path-map", "/etc/nginx=nginx", "x"],
])
def test_common_command_lines_skip_typer(argv):
    fast = read_check_command(argv)
    assert fast is not None
    run, _ = typer_reading(argv)
    assert vars(fast) == vars(run)


@pytest.mark.parametrize("argv", [
    ["fix", "x"], ["rules"], ["--version"], ["check", "--help"], ["check", "--format", "xml"],
    ["check", "--warn-days", "soon"], ["check", "--select"], ["check", "--exit-zero=1"], ["check", "-"],
])
def test_anything_else_goes_to_typer(argv):
    assert read_check_command(argv) is None


def test_the_installed_command_does_not_import_typer(tmp_path):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 80; } }\n")
    probe = ("import sys, runpy; sys.argv = ['tlslint', 'check', sys.argv[1]]\n"
             "try:\n    runpy.run_module('tlslint', run_name='__main__')\n"
             "except SystemExit as end:\n    print(end.code, 'typer' in sys.modules, 'lark' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "nginx.conf")], capture_output=True,
                          text=True, check=True)
    assert done.stdout.split()[-3:] == ["0", "False", "True"]
