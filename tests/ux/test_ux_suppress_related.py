"""Inline suppressions (engine side) and checking the configs that use a
changed certificate or fragment, with a stand-in dialect (see uxkit)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from uxkit import fake_dialects, found, run_json  # noqa: F401  (fixture)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def check(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", "--select", "TLS702,TLS008", *args)
    return found(doc)


# -- suppressions ----------------------------------------------------------------

def test_same_line(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "ssl on;  # tlslint: ignore[TLS702]\nssl on;\n")
    assert check(tmp_path, monkeypatch, ".") == [("TLS702", "a.conf", 2)]


def test_alone_on_the_line_above(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "    # tlslint: ignore[TLS702]\n    ssl on;\nssl on;\n")
    assert check(tmp_path, monkeypatch, ".") == [("TLS702", "a.conf", 3)]


def test_not_two_lines_above(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "# tlslint: ignore[TLS702]\n\nssl on;\n")
    assert check(tmp_path, monkeypatch, ".") == [("TLS008", "a.conf", 1), ("TLS702", "a.conf", 3)]


def test_several_codes_and_names(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "ssl on;  # tlslint: ignore[TLS601, TLS702]\n"
                               "ssl on;  # tlslint: ignore[deprecated-ssl-directive]\n"
                               "ssl on;  # tlslint:ignore[tls702]\n")
    # TLS601 suppressed nothing on line 1: that part is reported, the rest worked
    assert check(tmp_path, monkeypatch, ".") == [("TLS008", "a.conf", 1)]


def test_unused_suppression_is_tls008(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "ssl_certificate x.pem;  # tlslint: ignore[TLS702]\n")
    assert check(tmp_path, monkeypatch, ".") == [("TLS008", "a.conf", 1)]


def test_tls008_can_be_ignored_and_suppressed_findings_stay_suppressed(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "ssl_certificate x.pem;  # tlslint: ignore[TLS702]\n")
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", "--select", "TLS702", ".")
    assert found(doc) == []


def test_suppression_in_an_included_file(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "main.conf", "ssl_certificate x.pem;\ninclude frag.inc;\n")
    write(tmp_path / "frag.inc", "# tlslint: ignore[TLS702]\nssl on;\nssl on;\n")
    assert check(tmp_path, monkeypatch, ".") == [("TLS702", "frag.inc", 3)]


def test_per_file_ignores_also_silence_tls008(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "a.conf", "ssl_certificate x.pem;  # tlslint: ignore[TLS702]\n")
    write(tmp_path / "tlslint.toml", "[per-file-ignores]\n'a.conf' = ['TLS008']\n")
    assert check(tmp_path, monkeypatch, ".") == []


# -- changed certificate files and fragments (pre-commit passes only those) ------

def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_a_certificate_file_checks_the_configs_that_reference_it(tmp_path, monkeypatch, fake_dialects):
    repo = git_repo(tmp_path / "repo")
    write(repo / "nginx" / "site.conf", "ssl on;\nssl_certificate certs/site.pem;\n")
    write(repo / "nginx" / "other.conf", "ssl on;\nssl_certificate certs/other.pem;\n")
    write(repo / "nginx" / "certs" / "site.pem", "")
    write(repo / "nginx" / "certs" / "other.pem", "")
    write(repo / "nginx" / "certs" / "unused.pem", "")
    site = os.path.join("nginx", "site.conf")
    assert check(repo, monkeypatch, "nginx/certs/site.pem") == [("TLS702", site, 1)]
    # from another directory of the repository, and with a key file that nobody uses
    assert check(repo / "nginx" / "certs", monkeypatch, "site.pem", "unused.pem") == \
        [("TLS702", str(repo / "nginx" / "site.conf"), 1)]  # above the cwd: shown absolute
    assert check(repo, monkeypatch, "nginx/certs/unused.pem") == []


def test_path_map_is_applied_when_matching_certificates(tmp_path, monkeypatch, fake_dialects):
    repo = git_repo(tmp_path / "repo")
    write(repo / "deploy" / "nginx" / "conf.d" / "site.conf", "ssl on;\nssl_certificate /etc/nginx/tls/site.pem;\n")
    write(repo / "deploy" / "nginx" / "tls" / "site.pem", "")
    pem = "deploy/nginx/tls/site.pem"
    assert check(repo, monkeypatch, pem) == []  # the deployment path does not exist here
    site = os.path.join("deploy", "nginx", "conf.d", "site.conf")
    assert check(repo, monkeypatch, "--path-map", "/etc/nginx=deploy/nginx", pem) == [("TLS702", site, 1)]
    write(repo / "tlslint.toml", "[path-map]\n'/etc/nginx' = 'deploy/nginx'\n")
    assert check(repo, monkeypatch, pem) == [("TLS702", site, 1)]


def test_an_included_fragment_checks_its_main_config(tmp_path, monkeypatch, fake_dialects):
    repo = git_repo(tmp_path / "repo")
    write(repo / "nginx" / "nginx.conf", "ssl on;\ninclude sites/a.conf;\nssl_certificate x.pem;\n")
    write(repo / "nginx" / "sites" / "a.conf", "ssl on;\n")
    write(repo / "nginx" / "sites" / "b.conf", "ssl on;\n")  # nobody includes it
    main, frag = os.path.join("nginx", "nginx.conf"), os.path.join("nginx", "sites", "a.conf")
    assert check(repo, monkeypatch, "nginx/sites/a.conf") == [("TLS702", main, 1), ("TLS702", frag, 1)]
    # a fragment nobody includes is checked alone
    assert check(repo, monkeypatch, "nginx/sites/b.conf") == [("TLS702", os.path.join("nginx", "sites", "b.conf"), 1)]
    # the main config itself, and a directory argument: nothing twice
    assert check(repo, monkeypatch, "nginx/nginx.conf", "nginx/sites/a.conf") == \
        [("TLS702", main, 1), ("TLS702", frag, 1)]
    assert check(repo, monkeypatch, ".", "nginx/sites/a.conf") == \
        [("TLS702", main, 1), ("TLS702", frag, 1), ("TLS702", os.path.join("nginx", "sites", "b.conf"), 1)]


def test_outside_a_git_repository_the_current_directory_is_searched(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "site.conf", "ssl on;\nssl_certificate site.pem;\n")
    write(tmp_path / "site.pem", "")
    assert check(tmp_path, monkeypatch, "site.pem") == [("TLS702", "site.conf", 1)]


def test_excluded_configs_are_not_pulled_in(tmp_path, monkeypatch, fake_dialects):
    repo = git_repo(tmp_path / "repo")
    write(repo / "legacy" / "site.conf", "ssl on;\nssl_certificate ../site.pem;\n")
    write(repo / "site.pem", "")
    write(repo / "tlslint.toml", "exclude = ['legacy/']\n")
    assert check(repo, monkeypatch, "site.pem") == []
