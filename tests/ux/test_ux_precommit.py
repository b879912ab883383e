"""The pre-commit hooks, installed for real from this repository.

The working tree of this checkout (tracked and untracked files, less the
ignored ones) is committed to a temporary hook repository; a test repository
installs ``tlslint`` and ``tlslint-fix`` from it with ``pre-commit install``,
and one test uses ``pre-commit try-repo``. Building the hook's virtualenv
needs PyPI and takes most of a minute: it is built once (a shared
PRE_COMMIT_HOME) for the installed hooks, and once more for try-repo.

Deselect with ``-m 'not precommit'``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pkifactory import NOW_ISO, PkiFactory

pytestmark = [
    pytest.mark.precommit,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout of tlslint"),
]

NGINX_CONF = """\
events {}
http {
    server {
        listen 443 ssl;
        server_name www.example.test;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate certs/site.pem;
        ssl_certificate_key certs/site.key;
    }
}
"""


def git(cwd: Path, *args: str, env=None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, text=True, capture_output=True)


def base_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env.update({
        "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.test",
        "GIT_CONFIG_NOSYSTEM": "1",
    })
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str, dict]:
    """(hook repository, its commit, environment with a shared PRE_COMMIT_HOME)."""
    base = tmp_path_factory.mktemp("precommit")
    env = base_env(base / "cache")
    repo = base / "hooks"
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith("tests/"):
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(repo, "init", "-q", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "hooks under test", env=env)
    sha = git(repo, "rev-parse", "HEAD", env=env).stdout.strip()
    return repo, sha, env


class Site:
    """A repository with an nginx config, its certificates and the hooks installed."""

    def __init__(self, path: Path, hook_repo):
        self.path = path
        repo, sha, self.env = hook_repo
        path.mkdir(parents=True)
        git(path, "init", "-q", env=self.env)
        git(path, "config", "commit.gpgsign", "false", env=self.env)
        pki = PkiFactory(path / ".pki-work")
        self.root = pki.root("UX Root")
        self.inter = pki.intermediate(self.root, "UX Intermediate")
        self.leaf = pki.leaf(self.inter, "www.example.test")
        (path / "nginx").mkdir()
        (path / "nginx" / "nginx.conf").write_text(NGINX_CONF)
        (path / "nginx" / "certs").mkdir()
        (path / "nginx" / "certs" / "site.key").write_bytes(self.leaf.key_pem())
        (path / "ca").mkdir()
        (path / "ca" / "root.pem").write_bytes(self.root.pem)
        shutil.rmtree(path / ".pki-work")
        (path / "tlslint.toml").write_text('trust = ["ca/root.pem"]\n')
        (path / ".pre-commit-config.yaml").write_text(f"""\
repos:
  - repo: {repo}
    rev: {sha}
    hooks:
      - id: tlslint
        args: [--now, "{NOW_ISO}"]
      - id: tlslint-fix
        args: [--now, "{NOW_ISO}"]
""")
        self.pre_commit("install")

    def chain(self, *certs) -> None:
        (self.path / "nginx" / "certs" / "site.pem").write_bytes(b"".join(c.pem for c in certs))

    def pre_commit(self, *args: str, env=None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=self.path, text=True,
                              capture_output=True, env=env or self.env)

    def commit(self, *paths: str, skip: str = "") -> subprocess.CompletedProcess:
        env = dict(self.env, SKIP=skip) if skip else self.env
        git(self.path, "add", *(paths or ["-A"]), env=env)
        done = git(self.path, "commit", "-m", "change", env=env, check=False)
        done.output = done.stdout + done.stderr
        return done


@pytest.fixture
def site(tmp_path, hook_repo) -> Site:
    return Site(tmp_path / "site", hook_repo)


def test_clean_repository_passes(site):
    site.chain(site.leaf, site.inter)
    done = site.commit()
    assert done.returncode == 0, done.output
    assert "tlslint" in done.output and "Failed" not in done.output


def test_broken_chain_fails_the_commit(site):
    site.chain(site.leaf)  # the intermediate is missing
    done = site.commit(skip="tlslint-fix")
    assert done.returncode != 0, done.output
    assert "TLS101" in done.output and "nginx/nginx.conf:7:" in done.output
    assert git(site.path, "rev-list", "--all", env=site.env).stdout == ""  # nothing committed


def test_changing_only_the_certificate_fails_the_commit(site):
    site.chain(site.leaf, site.inter)
    assert site.commit().returncode == 0
    site.chain(site.leaf)  # a renewal that forgot the intermediate
    git(site.path, "add", "nginx/certs/site.pem", env=site.env)
    staged = git(site.path, "diff", "--cached", "--name-only", env=site.env).stdout.split()
    assert staged == ["nginx/certs/site.pem"]
    done = site.commit("nginx/certs/site.pem", skip="tlslint-fix")
    assert done.returncode != 0, done.output
    assert "TLS101" in done.output and "nginx/nginx.conf:7:" in done.output


def test_try_repo_checks_the_configs_of_a_changed_certificate(site, hook_repo):
    repo, sha, env = hook_repo
    site.chain(site.leaf)
    git(site.path, "add", "-A", env=env)
    done = site.pre_commit("try-repo", str(repo), "tlslint", "--ref", sha, "--files", "nginx/certs/site.pem",
                           "--verbose")
    assert done.returncode != 0, done.stdout + done.stderr
    assert "TLS101" in done.stdout and "nginx/nginx.conf:7:" in done.stdout
    site.chain(site.leaf, site.inter)
    done = site.pre_commit("try-repo", str(repo), "tlslint", "--ref", sha, "--files", "nginx/certs/site.pem")
    assert done.returncode == 0, done.stdout + done.stderr


def test_fix_hook_repairs_a_misordered_chain(site):
    site.chain(site.inter, site.leaf)  # intermediate first: nginx would refuse the key
    done = site.commit(skip="tlslint")
    assert done.returncode != 0, done.output
    assert "files were modified by this hook" in done.output
    assert (site.path / "nginx" / "certs" / "site.pem").read_bytes() == site.leaf.pem + site.inter.pem
    done = site.commit()  # stage the repaired file: both hooks pass now
    assert done.returncode == 0, done.output


@pytest.mark.parametrize("path,checked", [
    ("nginx/certs/site.PEM", True), ("pki/ca.crl", True), ("nginx/snippets/ssl.inc", True),
    ("keys/global.pass", True), ("home/.kube/config", True), ("kubeconfig-prod", True),
    ("conf.d/www.conf", True), ("rabbitmq/advanced.config", True), ("envoy/envoy.yaml", True),
    ("README.md", False), ("src/main.py", False), ("docs/kubeconfig/readme.md", False),
])
def test_hook_files_pattern(path, checked):
    """What a commit must touch for the hooks to run: configs, snippets,
    certificate material, CRLs and key password files, in any letter case."""
    import re

    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["files"] for h in hooks} == {hooks[0]["files"]}
    assert bool(re.search(hooks[0]["files"], path)) is checked
