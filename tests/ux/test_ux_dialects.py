"""End to end with the real dialects: inline suppressions in nginx,
rabbitmq.conf and YAML; certificate and fragment changes checked through the
configs that use them; SARIF of real configs and of the corpus validates."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import CORPUS
from pkifactory import NOW_ISO, PkiFactory
from uxkit import found, run, run_json

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())

NGINX = """\
events {}
http {
    server {
        listen 443 ssl;
        server_name www.example.test;
        ssl_certificate certs/site.pem;
        ssl_certificate_key certs/site.key;
        ssl_client_certificate certs/ca.pem;
        ssl_verify_client optional;
        ssl_protocols TLSv1 TLSv1.2;
    }
}
"""

RABBITMQ = """\
listeners.ssl.default = 5671
ssl_options.cacertfile = /etc/rabbitmq/ca.pem
ssl_options.certfile = /etc/rabbitmq/cert.pem
ssl_options.keyfile = /etc/rabbitmq/key.pem
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
"""

PROMETHEUS = """\
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_ca_file: ca.crt
  client_auth_type: VerifyClientCertIfGiven
"""

DIALECTS = {
    "nginx": ("nginx/nginx.conf", NGINX),
    "rabbitmq": ("rabbitmq/rabbitmq.conf", RABBITMQ),
    "yaml": ("prometheus/web-config.yml", PROMETHEUS),
}
SELECT = "TLS202,TLS008"


def checked(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    _, doc = run_json("check", "--select", SELECT, ".")
    return found(doc)


def line_of(tmp_path, name, text, code="TLS202"):
    findings = checked(tmp_path, name, text)
    lines = [line for c, _, line in findings if c == code]
    assert len(lines) == 1, findings
    return lines[0]


def edit(text, line, *, trailing=None, above=None):
    lines = text.splitlines(keepends=True)
    target = lines[line - 1]
    if trailing is not None:
        lines[line - 1] = target.rstrip("\n") + f"  # {trailing}\n"
    if above is not None:
        indent = target[: len(target) - len(target.lstrip())]
        lines.insert(line - 1, f"{indent}# {above}\n")
    return "".join(lines)


@pytest.fixture(params=sorted(DIALECTS))
def dialect(request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name, text = DIALECTS[request.param]
    return name, text, line_of(tmp_path, name, text)


def test_suppression_on_the_same_line(dialect, tmp_path):
    name, text, line = dialect
    assert checked(tmp_path, name, edit(text, line, trailing="tlslint: ignore[TLS202]")) == []


def test_suppression_alone_on_the_line_above(dialect, tmp_path):
    name, text, line = dialect
    assert checked(tmp_path, name, edit(text, line, above="tlslint: ignore[TLS202]")) == []


def test_suppression_by_rule_name(dialect, tmp_path):
    name, text, line = dialect
    assert checked(tmp_path, name, edit(text, line, trailing="tlslint: ignore[client-cert-optional]")) == []


def test_suppression_of_several_codes_reports_the_unused_one(dialect, tmp_path):
    name, text, line = dialect
    result = checked(tmp_path, name, edit(text, line, above="tlslint: ignore[TLS601, TLS202]"))
    assert result == [("TLS008", name, line)]  # TLS202 suppressed; TLS601 had nothing to suppress


def test_unused_suppression_is_reported(dialect, tmp_path):
    name, text, line = dialect
    result = checked(tmp_path, name, edit(text, 1, trailing="tlslint: ignore[TLS202]"))
    assert result == [("TLS008", name, 1), ("TLS202", name, line)]


def test_suppression_does_not_reach_two_lines_down(dialect, tmp_path):
    name, text, line = dialect
    changed = edit(edit(text, line, above="tlslint: ignore[TLS202]"), line + 1, above="")  # a comment line between
    assert sorted(c for c, _, _ in checked(tmp_path, name, changed)) == ["TLS008", "TLS202"]


# -- certificates and fragments named alone (what pre-commit passes) ------------

SITE = """\
events {}
http {
    include conf.d/*.conf;
}
"""
FRAGMENT = """\
server {
    listen 443 ssl;
    server_name www.example.test;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate certs/site.pem;
    ssl_certificate_key certs/site.key;
}
"""


@pytest.fixture
def nginx_repo(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    pki = PkiFactory(tmp_path / "pki")
    root = pki.root("UX Root")
    inter = pki.intermediate(root, "UX Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    nginx = repo / "deploy" / "nginx"
    (nginx / "conf.d").mkdir(parents=True)
    (nginx / "certs").mkdir()
    (nginx / "nginx.conf").write_text(SITE)
    (nginx / "conf.d" / "site.conf").write_text(FRAGMENT)
    (nginx / "certs" / "site.pem").write_bytes(leaf.pem)  # the intermediate is missing
    (nginx / "certs" / "site.key").write_bytes(leaf.key_pem())
    (repo / "ca").mkdir()
    (repo / "ca" / "root.pem").write_bytes(root.pem)
    (repo / "tlslint.toml").write_text('trust = ["ca/root.pem"]\n')
    monkeypatch.chdir(repo)
    return repo, leaf, inter


def codes_at(*args):
    _, doc = run_json("check", "--now", NOW_ISO, *args)
    return found(doc)


def test_a_changed_certificate_checks_the_configs_that_use_it(nginx_repo):
    fragment = os.path.join("deploy", "nginx", "conf.d", "site.conf")
    expected = [("TLS101", fragment, 5)]
    assert codes_at(".") == expected
    assert codes_at("deploy/nginx/certs/site.pem") == expected
    assert codes_at("deploy/nginx/certs/site.key") == expected
    assert codes_at("ca/root.pem") == []  # referenced by no config


def test_a_changed_fragment_is_checked_within_its_main_config(nginx_repo):
    repo, leaf, inter = nginx_repo
    fragment = os.path.join("deploy", "nginx", "conf.d", "site.conf")
    assert codes_at("deploy/nginx/conf.d/site.conf") == [("TLS101", fragment, 5)]
    (repo / "deploy" / "nginx" / "certs" / "site.pem").write_bytes(leaf.pem + inter.pem)
    assert codes_at("deploy/nginx/conf.d/site.conf", "deploy/nginx/certs/site.pem") == []


def test_path_map_from_the_config_file(nginx_repo):
    repo, _, _ = nginx_repo
    conf = repo / "deploy" / "nginx" / "conf.d" / "site.conf"
    conf.write_text(FRAGMENT.replace("certs/", "/etc/nginx/certs/"))
    (repo / "tlslint.toml").write_text('trust = ["ca/root.pem"]\n[path-map]\n"/etc/nginx" = "deploy/nginx"\n')
    assert codes_at("deploy/nginx/certs/site.pem") == [("TLS101", os.path.join("deploy", "nginx", "conf.d", "site.conf"), 5)]


# -- SARIF of real configs validates ----------------------------------------------------

def test_sarif_of_an_nginx_repository(nginx_repo):
    code, out, err = run("check", "--now", NOW_ISO, "--format", "sarif", ".")
    assert code == 1, err
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "TLS101"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/nginx/conf.d/site.conf"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    related = {r["physicalLocation"]["artifactLocation"]["uri"] for r in result.get("relatedLocations", [])
               if "physicalLocation" in r}
    assert "deploy/nginx/certs/site.pem" in related


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")
def test_sarif_of_the_corpus_validates(monkeypatch):
    monkeypatch.chdir(CORPUS)
    code, out, err = run("check", "--now", NOW_ISO, "--format", "sarif", ".")
    assert code in (0, 1), err
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert results and all("locations" in r for r in results)
    prints = [r["partialFingerprints"]["tlslint/v1"] for r in results]
    assert len(set(prints)) == len(prints)


# -- the configuration file with the real dialects ----------------------------------

def test_dialects_override_and_per_file_ignores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    odd = tmp_path / "edge" / "frontend.cfg"  # nginx syntax under a name nothing detects
    odd.parent.mkdir()
    odd.write_text(NGINX)
    _, doc = run_json("check", "--select", SELECT, ".")
    assert found(doc) == []
    (tmp_path / "pyproject.toml").write_text("[tool.tlslint.dialects]\n'edge/*.cfg' = 'nginx'\n")
    _, doc = run_json("check", "--select", SELECT, ".")
    assert found(doc) == [("TLS202", os.path.join("edge", "frontend.cfg"), 9)]
    (tmp_path / "pyproject.toml").write_text("[tool.tlslint.dialects]\n'edge/*.cfg' = 'nginx'\n"
                                             "[tool.tlslint.per-file-ignores]\n'frontend.cfg' = ['TLS2']\n")
    _, doc = run_json("check", "--select", SELECT, ".")
    assert found(doc) == []


def test_sarif_of_the_examples_validates(monkeypatch):
    from conftest import ROOT

    if not (ROOT / "examples").is_dir():
        pytest.skip("no examples/")
    monkeypatch.chdir(ROOT)
    code, out, err = run("check", "--format", "sarif", "examples")
    assert code in (0, 1), err
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("examples/")
