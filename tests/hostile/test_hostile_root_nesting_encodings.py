"""--root confinement, deep nesting in every dialect, and encoding oddities
(the committed cases under ``cases/``, each named for what it tests)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .hostilekit import CASES, codes_at, json_findings, run_cli

sys.path.insert(0, str(Path(__file__).parent.parent))
from pkifactory import NOW_ISO, PkiFactory  # noqa: E402


# --- --root -------------------------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """repo/ (the untrusted checkout) and secret/ beside it."""
    repo, secret = tmp_path / "repo", tmp_path / "secret"
    repo.mkdir()
    pki = PkiFactory(secret)
    root = pki.root("Outside Root")
    leaf = pki.leaf(root, "www.example.test")
    pki.write("site.pem", leaf)
    pki.write_key("site.key", leaf)
    pki.write("ca.pem", root)
    PkiFactory(repo).write("ca.pem", root)
    return repo, secret


def _conf(repo: Path, cert: str, key: str) -> None:
    (repo / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
        f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n  }}\n}}\n")


def test_root_refuses_absolute_paths_outside(outside):
    repo, secret = outside
    _conf(repo, f"{secret}/site.pem", f"{secret}/site.key")
    args = ("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem")
    proc = run_cli(*args, "nginx.conf", cwd=repo)
    assert proc.returncode == 0  # without --root the files are read: a valid server
    proc = run_cli(*args, "--root", ".", "nginx.conf", cwd=repo)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS003", "nginx.conf", 6), ("TLS003", "nginx.conf", 7)}


def test_root_resolves_symlinks_before_the_check(outside):
    repo, secret = outside
    (repo / "certs").mkdir()
    (repo / "certs" / "site.pem").symlink_to(secret / "site.pem")
    (repo / "certs" / "site.key").symlink_to(secret / "site.key")
    _conf(repo, "certs/site.pem", "certs/../certs/site.key")
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", "--root", ".",
                   "nginx.conf", cwd=repo)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS003", "nginx.conf", 6), ("TLS003", "nginx.conf", 7)}


def test_root_refuses_missing_files_outside_without_probing(outside):
    repo, secret = outside
    _conf(repo, f"{secret}/nope.pem", "/etc/shadow")
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--root", ".", "nginx.conf", cwd=repo)
    assert proc.returncode == 1
    # not TLS002: whether a file exists outside the root is not revealed
    assert codes_at(json_findings(proc)) == {("TLS003", "nginx.conf", 6), ("TLS003", "nginx.conf", 7)}


def test_root_refuses_includes_outside(outside):
    repo, secret = outside
    (secret / "evil.conf").write_text("server { listen 443 ssl; }\n")
    (repo / "nginx.conf").write_text(f"events {{}}\nhttp {{\n  include {secret}/evil.conf;\n}}\n")
    proc = run_cli("check", "--format", "json", "--root", ".", "nginx.conf", cwd=repo)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS001", "nginx.conf", 3)}


def test_root_refuses_a_symlinked_config(outside):
    repo, secret = outside
    (secret / "real.conf").write_text("events {}\n")
    (repo / "nginx.conf").symlink_to(secret / "real.conf")
    (repo / "tlslint.toml").write_text('root = "."\n[dialects]\n"*.conf" = "nginx"\n')
    proc = run_cli("check", "--format", "json", "nginx.conf", cwd=repo)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS003", "nginx.conf", 1)}


def test_root_must_be_a_directory(outside):
    repo, _ = outside
    _conf(repo, "a.pem", "a.key")
    proc = run_cli("check", "--root", "nginx.conf", "nginx.conf", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.startswith("tlslint: error: --root")


# --- deep nesting: TLS001 with a line, never an internal error ---------------------------

def _run_one(tmp_path: Path, name: str, text: str, dialect: str | None = None):
    (tmp_path / name).write_text(text)
    if dialect:
        (tmp_path / "tlslint.toml").write_text(f'[dialects]\n"{name}" = "{dialect}"\n')
    # some of these are over the default 1 MiB cap: read them anyway
    proc = run_cli("check", "--format", "json", "--max-file-size", "4M", name, cwd=tmp_path)
    return proc, json_findings(proc)


def test_nginx_100000_open_braces(tmp_path):
    proc, findings = _run_one(tmp_path, "deep.conf", "http {\n" + "server {" * 100_000 + "\n")
    assert proc.returncode == 1
    assert codes_at(findings) == {("TLS001", "deep.conf", 3)}


def test_nginx_100000_balanced_blocks(tmp_path):
    text = ("events {}\nhttp {\n  server {\n    listen 443 ssl;\n"
            + "location / {" * 100_000 + "}" * 100_000 + "\n  }\n}\n")
    proc, findings = _run_one(tmp_path, "nginx.conf", text)
    assert proc.returncode == 1
    assert codes_at(findings) == {("TLS703", "nginx.conf", 4)}


def test_erlang_terms_nested_100000_deep(tmp_path):
    text = "[{rabbit, [{ssl_options,\n" + "[" * 100_000 + "]" * 100_000 + "}]}].\n"
    proc, findings = _run_one(tmp_path, "rabbitmq.config", text)
    assert proc.returncode == 1
    assert codes_at(findings) == {("TLS001", "rabbitmq.config", 2)}


def test_yaml_deeply_nested_flow(tmp_path):
    text = "tls_server_config:\n  cert_file: " + "[" * 100_000 + "]" * 100_000 + "\n"
    proc, findings = _run_one(tmp_path, "web.yml", text, "prometheus")
    assert proc.returncode == 1
    assert {(f["code"], f["path"]) for f in findings} == {("TLS001", "web.yml")}
    assert all(f["line"] >= 1 for f in findings)


def test_yaml_deeply_nested_blocks(tmp_path):
    text = "tls_server_config:\n  cert_file: a\nx:\n" + "".join(" " * i + "k:\n" for i in range(1, 1500))
    proc, findings = _run_one(tmp_path, "web.yml", text, "prometheus")
    assert proc.returncode == 1
    assert {(f["code"], f["path"]) for f in findings} == {("TLS001", "web.yml")}


def test_pem_with_5000_nested_begin_lines_parses_without_recursion():
    from tlslint.pki.parse import parse_bytes

    parsed = parse_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n" * 5000 + b"-----END CERTIFICATE-----\n")
    assert parsed.certs == [] and parsed.problems


# --- encodings: the committed cases -----------------------------------------------------

DIALECT_OF = {"nginx": "nginx", "rabbitmq": "rabbitmq", "prometheus": "prometheus"}
# case file -> the (code, line) findings it must produce
ENCODING_CASES = {
    "nginx-crlf-line-endings.conf": {("TLS002", 6), ("TLS002", 7), ("TLS601", 8)},
    "nginx-cr-only-line-endings.conf": {("TLS002", 1), ("TLS601", 1)},  # nginx counts lines by LF only
    "nginx-utf8-bom.conf": {("TLS001", 1), ("TLS002", 6), ("TLS002", 7), ("TLS601", 8)},
    "nginx-latin1-comment.conf": {("TLS002", 7), ("TLS002", 8), ("TLS601", 9)},
    "nginx-nul-byte-in-directive.conf": {("TLS002", 6), ("TLS002", 7), ("TLS007", 8)},  # ssl_proto\\0cols
    "rabbitmq-crlf-line-endings.conf": {("TLS002", 2), ("TLS002", 3), ("TLS601", 4)},
    "rabbitmq-utf8-bom.conf": {("TLS002", 2), ("TLS002", 3), ("TLS601", 4)},
    "rabbitmq-latin1-value.conf": {("TLS001", 3)},
    # the port with a NUL in it is not a port: RabbitMQ refuses the value
    "rabbitmq-nul-byte.conf": {("TLS001", 1), ("TLS002", 2), ("TLS002", 3), ("TLS601", 4)},
    "rabbitmq-utf16.config": {("TLS001", 1)},
    "prometheus-crlf-line-endings.yml": {("TLS002", 2), ("TLS002", 3), ("TLS601", 4)},
    "prometheus-cr-only-line-endings.yml": {("TLS002", 1), ("TLS601", 1)},
    "prometheus-utf8-bom.yml": {("TLS002", 2), ("TLS002", 3), ("TLS601", 4)},
    "prometheus-latin1-value.yml": {("TLS002", 2), ("TLS002", 3), ("TLS601", 4)},
    "prometheus-nul-byte.yml": {("TLS001", 3)},
}


def test_every_case_file_has_an_expectation():
    assert {p.name for p in CASES.iterdir()} == set(ENCODING_CASES) | {"rabbitmq-cr-only-line-endings.conf"}


@pytest.mark.parametrize("name", sorted(ENCODING_CASES))
def test_encoding_case(tmp_path, name):
    shutil.copy(CASES / name, tmp_path / name)
    dialect = DIALECT_OF[name.split("-")[0]]
    (tmp_path / "tlslint.toml").write_text(f'[dialects]\n"{name}" = "{dialect}"\n')
    proc = run_cli("check", "--format", "json", name, cwd=tmp_path)
    findings = json_findings(proc)
    assert proc.returncode == 1
    assert {(f["code"], f["line"]) for f in findings} >= ENCODING_CASES[name]
    assert {f["code"] for f in findings} <= {c for c, _ in ENCODING_CASES[name]} | {"TLS304", "TLS703"}


def test_rabbitmq_cr_only_file_is_one_line_and_no_crash(tmp_path):
    """cuttlefish ends lines at LF: a CR-only file is one long line."""
    name = "rabbitmq-cr-only-line-endings.conf"
    shutil.copy(CASES / name, tmp_path / name)
    (tmp_path / "tlslint.toml").write_text(f'[dialects]\n"{name}" = "rabbitmq"\n')
    proc = run_cli("check", name, cwd=tmp_path)
    assert proc.returncode == 1
    assert "\r" not in proc.stdout  # escaped, never a raw CR that rewrites the terminal line
