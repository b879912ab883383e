"""The configuration file: discovery, keys, precedence, globs, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tlslint.config import ConfigError, Glob, find_config, glob_to_regex, load_config
from uxkit import fake_dialects, found, run, run_json  # noqa: F401  (fixture)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- globs ---------------------------------------------------------------------

@pytest.mark.parametrize("pattern,path,expected", [
    ("*.conf", "a.conf", True),
    ("*.conf", "deep/er/a.conf", True),
    ("*.conf", "a.yaml", False),
    ("site.conf", "x/site.conf", True),
    ("deploy/*.conf", "deploy/a.conf", True),
    ("deploy/*.conf", "x/deploy/a.conf", False),
    ("deploy/*.conf", "deploy/sub/a.conf", False),
    ("/top.conf", "top.conf", True),
    ("/top.conf", "sub/top.conf", False),
    ("**/legacy/*.conf", "legacy/a.conf", True),
    ("**/legacy/*.conf", "a/b/legacy/a.conf", True),
    ("deploy/**/site.conf", "deploy/site.conf", True),
    ("deploy/**/site.conf", "deploy/a/b/site.conf", True),
    ("deploy/**", "deploy/a/b/c.yml", True),
    ("legacy/", "legacy/a.conf", True),
    ("legacy/", "x/legacy/y/a.conf", True),
    ("legacy/", "legacy", False),  # a folder pattern never matches a file of that name
    ("legacy", "legacy/a.conf", True),  # a pattern matching a folder matches below it
    ("site-?.conf", "site-a.conf", True),
    ("site-[ab].conf", "site-c.conf", False),
    ("site-[!ab].conf", "site-c.conf", True),
])
def test_gitignore_style_globs(pattern, path, expected, tmp_path):
    glob = Glob.compile(pattern, tmp_path)
    assert glob.matches(tmp_path / path) is expected, glob_to_regex(pattern)


def test_glob_outside_the_config_directory_never_matches(tmp_path):
    glob = Glob.compile("*.conf", tmp_path / "sub")
    assert not glob.matches(tmp_path / "a.conf")


# -- discovery -----------------------------------------------------------------

def test_found_from_the_current_directory_upwards(tmp_path, monkeypatch):
    write(tmp_path / "tlslint.toml", "warn-days = 10\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == tmp_path / "tlslint.toml"


def test_nearest_directory_wins_and_files_are_not_merged(tmp_path, monkeypatch):
    write(tmp_path / "tlslint.toml", "warn-days = 10\n")
    write(tmp_path / "sub" / ".tlslint.toml", "select = ['TLS7']\n")
    monkeypatch.chdir(tmp_path / "sub")
    path = find_config()
    assert path == tmp_path / "sub" / ".tlslint.toml"
    config = load_config(path)
    assert config.select == ["TLS7"] and config.warn_days is None


def test_order_within_one_directory(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.tlslint]\nwarn-days = 1\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / "tlslint.toml", "warn-days = 2\n")
    assert find_config(tmp_path) == tmp_path / "tlslint.toml"
    write(tmp_path / ".tlslint.toml", "warn-days = 3\n")
    assert find_config(tmp_path) == tmp_path / ".tlslint.toml"


def test_pyproject_without_tool_table_is_not_a_config(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path / "sub") is None


def test_pyproject_tool_table(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.tlslint]\nignore = ['TLS702']\n[tool.tlslint.path-map]\n"
                                       "'/etc/nginx' = 'deploy/nginx'\n")
    (tmp_path / "deploy" / "nginx").mkdir(parents=True)
    config = load_config(tmp_path / "pyproject.toml")
    assert config.ignore == ["TLS702"]
    assert config.path_map == [("/etc/nginx", tmp_path / "deploy" / "nginx")]


# -- every key, paths relative to the file -------------------------------------

def test_every_key(tmp_path):
    (tmp_path / "ca").mkdir()
    write(tmp_path / "ca" / "root.pem", "")
    write(tmp_path / "ca" / "inter.pem", "")
    write(tmp_path / "conf" / "tlslint.toml", """
select = ["TLS1", "TLS702"]
ignore = "TLS103, chain-extraneous-certificate"
trust = ["../ca/root.pem"]
intermediates = "../ca/inter.pem"
warn-days = 45
exclude = ["legacy/", "*.bak.conf"]

[path-map]
"/etc/nginx" = "../deploy/nginx"

[per-file-ignores]
"sites/*.conf" = ["TLS702"]

[dialects]
"rmq/*.ini" = "rabbitmq"
""")
    config = load_config(tmp_path / "conf" / "tlslint.toml")
    assert config.select == ["TLS1", "TLS702"]
    assert config.ignore == ["TLS103", "chain-extraneous-certificate"]
    assert config.trust == [tmp_path / "ca" / "root.pem"]
    assert config.intermediates == [tmp_path / "ca" / "inter.pem"]
    assert config.warn_days == 45
    assert config.path_map == [("/etc/nginx", tmp_path / "deploy" / "nginx")]
    assert config.is_excluded(tmp_path / "conf" / "legacy" / "a.conf")
    assert config.is_excluded(tmp_path / "conf" / "x" / "old.bak.conf")
    assert not config.is_excluded(tmp_path / "conf" / "x" / "old.conf")
    assert config.ignored_codes(tmp_path / "conf" / "sites" / "a.conf") == ["TLS702"]
    assert config.ignored_codes(tmp_path / "conf" / "a.conf") == []
    assert config.dialect_for(tmp_path / "conf" / "rmq" / "node.ini") == "rabbitmq"


@pytest.mark.parametrize("text,key", [
    ("selct = ['TLS1']\n", "selct"),
    ("warn_days = 3\n", "warn_days"),
    ("[tool]\nx = 1\n", "tool"),
    ("warn-days = 'soon'\n", "warn-days"),
    ("warn-days = -1\n", "warn-days"),
    ("warn-days = true\n", "warn-days"),
    ("select = ['TLS999']\n", "select"),
    ("ignore = [1, 2]\n", "ignore"),
    ("trust = ['missing.pem']\n", "trust"),
    ("exclude = 'legacy/'\n", "exclude"),
    ("path-map = ['/etc/nginx=deploy']\n", "path-map"),
    ("[path-map]\n'etc/nginx' = 'deploy'\n", "path-map.etc/nginx"),
    ("[per-file-ignores]\n'*.conf' = ['TLS999']\n", "per-file-ignores.*.conf"),
    ("[dialects]\n'*.ini' = 'apache'\n", "dialects.*.ini"),
    ("select = [\n", None),  # not TOML
])
def test_bad_files_are_one_line_errors_naming_the_key(tmp_path, monkeypatch, text, key):
    write(tmp_path / "tlslint.toml", text)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("check", ".")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tlslint: error: tlslint.toml: ")
    if key:
        assert key in lines[0]
    assert "Traceback" not in err


def test_unknown_key_in_pyproject_names_the_full_key(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool.tlslint]\nexclud = ['x']\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check", ".")
    assert code == 2 and "tool.tlslint.exclud" in err and "exclude" in err


def test_explicit_config_option(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "tlslint.toml", "selct = 1\n")  # would fail if discovered
    other = write(tmp_path / "ci" / "strict.toml", "warn-days = 5\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check", "--config", other, str(tmp_path / "ci"))
    assert code == 0, err
    code, _, err = run("check", "--config", tmp_path / "nope.toml", ".")
    assert code == 2 and "nope.toml" in err


# -- precedence: CLI over file over defaults -------------------------------------

def test_cli_replaces_file_values(tmp_path, monkeypatch):
    from tlslint.commands import build_options

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "tlslint.toml", "select = ['TLS7']\nignore = ['TLS702']\nwarn-days = 10\n"
                                     "trust = ['a']\n[path-map]\n'/etc/x' = 'a'\n")
    monkeypatch.chdir(tmp_path)
    from_file = build_options(None, None, None, None, None, None, None, False)
    assert from_file.select == ["TLS7"] and from_file.ignore == ["TLS702"] and from_file.warn_days == 10
    assert from_file.trust == [tmp_path / "a"] and from_file.path_map == [("/etc/x", tmp_path / "a")]
    cli = build_options(["TLS1"], ["TLS101"], [Path("b")], None, ["/etc/y=b"], 3, None, False)
    assert cli.select == ["TLS1"] and cli.ignore == ["TLS101"] and cli.warn_days == 3
    assert cli.trust == [Path("b")] and cli.path_map == [("/etc/y", Path("b"))]
    zero = build_options(None, None, None, None, None, 0, None, False)
    assert zero.warn_days == 0  # 0 on the command line is a value, not "unset"
    os.remove(tmp_path / "tlslint.toml")
    default = build_options(None, None, None, None, None, None, None, False)
    assert default.warn_days == 30 and default.select == [] and default.config is None


# -- exclude, per-file-ignores, dialects in a run ------------------------------

def test_select_and_ignore_from_file_with_cli_override(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "site.conf", "ssl on;\nssl_certificate missing.pem;\n")
    write(tmp_path / "tlslint.toml", "ignore = ['TLS702']\n")
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", ".")
    assert "TLS702" not in {f["code"] for f in doc["findings"]}
    # each key separately: --select replaces the file's select, the file's ignore still applies
    _, doc = run_json("check", "--select", "TLS702", ".")
    assert found(doc) == []
    _, doc = run_json("check", "--ignore", "TLS0", "--select", "TLS702", ".")
    assert found(doc) == [("TLS702", "site.conf", 1)]  # --ignore replaced the file's ignore


def test_exclude_skips_walked_and_explicit_files(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "site.conf", "ssl on;\n")
    write(tmp_path / "legacy" / "old.conf", "ssl on;\n")
    write(tmp_path / "x" / "skip.conf", "ssl on;\n")
    write(tmp_path / "tlslint.toml", "select = ['TLS702']\nexclude = ['legacy/', 'x/skip.conf']\n")
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", ".")
    assert found(doc) == [("TLS702", "site.conf", 1)]
    _, doc = run_json("check", "x/skip.conf", "legacy/old.conf")
    assert found(doc) == []
    code, out, _ = run("check", "-v", ".")
    assert "legacy" not in out or "excluded" in out


def test_exclude_covers_included_files_and_their_fixes(tmp_path, monkeypatch):
    """An excluded file that nginx.conf includes is still read as part of it,
    but nothing is reported in it and fix never edits it."""
    write(tmp_path / "nginx.conf", "events {}\nhttp {\n  include conf.d/*.conf;\n}\n")
    write(tmp_path / "conf.d" / "legacy.conf", "server {\n  listen 8080;\n  ssl on;\n}\n")
    write(tmp_path / "tlslint.toml", "select = ['TLS702']\nexclude = ['conf.d/legacy.conf']\n")
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", ".")
    assert found(doc) == []
    before = (tmp_path / "conf.d" / "legacy.conf").read_bytes()
    run("fix", ".")
    assert (tmp_path / "conf.d" / "legacy.conf").read_bytes() == before
    (tmp_path / "tlslint.toml").write_text("select = ['TLS702']\n")
    _, doc = run_json("check", ".")
    assert found(doc) == [("TLS702", "conf.d/legacy.conf", 3)]


def test_per_file_ignores(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "sites" / "a.conf", "ssl on;\n")
    write(tmp_path / "sites" / "deep" / "b.conf", "ssl on;\n")
    write(tmp_path / "main.conf", "ssl on;\n")
    write(tmp_path / "tlslint.toml", "select = ['TLS702']\n[per-file-ignores]\n"
                                     "'sites/*.conf' = ['TLS7']\n'**/deep/*' = ['deprecated-ssl-directive']\n")
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", ".")
    assert found(doc) == [("TLS702", "main.conf", 1)]


def test_per_file_ignores_are_relative_to_the_config_file(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "repo" / "sites" / "a.conf", "ssl on;\n")
    write(tmp_path / "repo" / "tlslint.toml", "select = ['TLS702']\n[per-file-ignores]\n'/sites/' = ['TLS702']\n")
    monkeypatch.chdir(tmp_path / "repo" / "sites")  # config found upwards, globs still from repo/
    _, doc = run_json("check", ".")
    assert found(doc) == []


def test_dialects_override_detection(tmp_path, monkeypatch, fake_dialects):
    write(tmp_path / "weird" / "frontend.txt", "ssl on;\n")  # not detected: not *.conf
    write(tmp_path / "tlslint.toml", "select = ['TLS702']\n")
    monkeypatch.chdir(tmp_path)
    _, doc = run_json("check", ".")
    assert found(doc) == []
    write(tmp_path / "tlslint.toml", "select = ['TLS702']\n[dialects]\n'weird/*.txt' = 'nginx'\n")
    _, doc = run_json("check", ".")
    assert found(doc) == [("TLS702", os.path.join("weird", "frontend.txt"), 1)]


def test_warn_days_from_file_reaches_the_options(tmp_path, monkeypatch):
    from tlslint.commands import build_options

    write(tmp_path / "tlslint.toml", "warn-days = 90\n")
    monkeypatch.chdir(tmp_path)
    assert build_options(None, None, None, None, None, None, None, False).warn_days == 90


def test_config_error_class_is_one_line(tmp_path):
    write(tmp_path / "tlslint.toml", "[dialects]\n'x' = 3\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "tlslint.toml")
    assert "\n" not in str(info.value) and "dialects.x" in str(info.value)


def test_verbose_lists_skipped_folders_and_duplicates_name_their_other_lines(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    write(tmp_path / "web-config.yml", "tls_server_config:\n  cert_file: a.pem\n  cert_file: b.pem\n")
    monkeypatch.chdir(tmp_path)
    _, out, _ = run("check", "-v", ".")
    assert "skipped .git:" in out and "skipped node_modules:" in out
    _, doc = run_json("check", "--select", "TLS009", ".")
    [finding] = doc["findings"]
    assert finding["line"] == 3 and [r["line"] for r in finding["related"]] == [2]
