"""The wheel ships grammars/ and rules/: build it, install it in a fresh venv, run it."""

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from conftest import ROOT


def test_wheel_installs_and_checks_a_fixture(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("tlslint-*.whl"))

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    # Dependencies come from the test environment (no network); a plain path
    # entry does not activate this checkout's editable install.
    target_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip()
    Path(target_site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    conf = tmp_path / "repo" / "nginx.conf"
    conf.parent.mkdir()
    conf.write_text("events {}\nhttp {\n  server {\n    listen 443 ssl;\n  }\n}\n")
    run = subprocess.run([env_dir / "bin" / "tlslint", "check", "--format", "json", "repo"],
                         cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 1, run.stderr
    out = json.loads(run.stdout)
    assert [f["code"] for f in out["findings"]] == ["TLS703"]
    assert out["findings"][0]["line"] == 4
    # the package imported is the installed wheel, not this checkout
    where = subprocess.run([python, "-c", "import tlslint.grammars, tlslint.rules; "
                            "print(tlslint.grammars.__file__, tlslint.rules.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where
    assert Path(where.split()[0]).with_name("nginx.lark").exists()


def test_every_package_is_listed_in_pyproject():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tlslint").rglob("__init__.py")}
    assert found - listed == set()
