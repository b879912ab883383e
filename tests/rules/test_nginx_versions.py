"""--nginx-version: the facts that changed between nginx versions."""

import pytest
from typer.testing import CliRunner

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.app import app
from tlslint.dialects.nginx.versions import NginxProfile, parse_version
from tlslint.options import Options

SERVER = ("events {}\nhttp {\n  server {\n    listen 443 %s;\n    server_name www.example.test;\n"
          "    ssl_certificate www.pem;\n    ssl_certificate_key www.key;\n%s  }\n}\n")


def run(tmp_path, text, version=None, codes=None):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    leaf = pki.leaf(root, "www.example.test")
    pki.write("root.pem", root)
    pki.write("www.pem", leaf)
    pki.write_key("www.key", leaf)
    (tmp_path / "nginx.conf").write_text(text)
    options = Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"],
                      nginx_version=parse_version(version) if version else None)
    result = engine.check([tmp_path], options)
    return sorted((f.code, f.line) for f in result.findings if codes is None or f.code in codes)


@pytest.mark.parametrize("text,version", [("1.22", (1, 22, 0)), ("1.26.3", (1, 26, 3)), ("nginx/1.29.2", (1, 29, 2))])
def test_versions_are_read(text, version):
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["", "1", "one.two", "1.2.3.4", "1.x"])
def test_bad_versions_are_refused(text):
    with pytest.raises(ValueError):
        parse_version(text)


TRUSTED_ONLY = SERVER % ("ssl", "    ssl_verify_client on;\n    ssl_trusted_certificate root.pem;\n")


@pytest.mark.parametrize("version,expected", [
    (None, [("TLS205", 8)]),  # some nginx in use refuses it
    ("1.22.1", [("TLS205", 8)]),
    ("1.27.2", []),
])
def test_verify_client_with_only_trusted_certificate(tmp_path, version, expected):
    assert run(tmp_path, TRUSTED_ONLY, version, codes={"TLS205"}) == expected


def test_verify_client_with_client_certificate_is_fine_everywhere(tmp_path):
    text = SERVER % ("ssl", "    ssl_verify_client on;\n    ssl_client_certificate root.pem;\n")
    assert run(tmp_path, text) == []
    assert run(tmp_path, text, "1.22", codes={"TLS205"}) == []


SSL_ON = SERVER % ("", "    ssl on;\n")


@pytest.mark.parametrize("version,expected", [
    (None, [("TLS702", 8)]),
    # (TLS601: the default protocols then enabled TLSv1, reported at the listen ssl on made TLS)
    ("1.14.2", [("TLS601", 4)]),  # ssl on was the way to turn TLS on then
    ("1.22", [("TLS601", 4), ("TLS702", 8)]),
    ("1.26", [("TLS001", 8), ("TLS601", 4), ("TLS702", 8)]),  # unknown directive "ssl"
    ("1.28", [("TLS001", 8), ("TLS702", 8)]),
])
def test_ssl_directive_by_version(tmp_path, version, expected):
    assert run(tmp_path, SSL_ON, version) == sorted(expected)


PLAIN = SERVER % ("ssl", "")


@pytest.mark.parametrize("version,legacy", [(None, False), ("1.8", True), ("1.22", True), ("1.26.3", True),
                                            ("1.27.3", False), ("1.29", False)])
def test_default_protocols_by_version(tmp_path, version, legacy):
    assert run(tmp_path, PLAIN, version) == ([("TLS601", 4)] if legacy else [])


def test_protocol_defaults_history():
    assert NginxProfile((1, 8, 1)).default_protocols()[0] == {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"}
    assert NginxProfile((1, 23, 3)).default_protocols()[0] == {"TLSv1", "TLSv1.1", "TLSv1.2"}
    assert NginxProfile((1, 23, 4)).default_protocols()[0] == {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
    assert NginxProfile((1, 27, 3)).default_protocols()[0] == {"TLSv1.2", "TLSv1.3"}


def test_option_and_config_file(tmp_path, monkeypatch):
    run(tmp_path, TRUSTED_ONLY)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["check", "--now", NOW.isoformat(), "--trust", "root.pem", "."]).exit_code == 1
    assert runner.invoke(app, ["check", "--now", NOW.isoformat(), "--trust", "root.pem",
                               "--nginx-version", "1.28.0", "."]).exit_code == 0
    assert runner.invoke(app, ["check", "--nginx-version", "latest", "."]).exit_code == 2
    (tmp_path / ".tlslint.toml").write_text('nginx-version = "1.28.0"\n')
    assert runner.invoke(app, ["check", "--now", NOW.isoformat(), "--trust", "root.pem", "."]).exit_code == 0
    (tmp_path / ".tlslint.toml").write_text("nginx-version = 1.28\n")
    assert runner.invoke(app, ["check", "."]).exit_code == 2


@pytest.mark.parametrize("version,expected", [
    ("1.22.1", 'invalid parameter "quic"'),                         # listen ... quic came in 1.25.0
    ("1.25.0", 'unknown directive "ssl_certificate_compression"'),  # came in 1.29.1
    ("1.29.1", None),
    (None, None),                                                   # no version: nothing newer is refused
])
def test_newer_directives_and_parameters_by_version(tmp_path, version, expected):
    from tlslint.dialects import nginx

    text = ("events {}\nhttp {\n  server {\n    listen 8443 quic;\n    ssl_certificate_compression on;\n"
            "  }\n}\n")
    doc = nginx.parse_text(tmp_path / "nginx.conf", text,
                           Options(nginx_version=parse_version(version) if version else None))
    assert [p.message for p in doc.problems if p.code == "TLS001"] == ([expected] if expected else [])


@pytest.mark.parametrize("version,expected", [
    ("1.26.3", '"ssl_stapling" directive is not allowed here'),  # stream stapling came in 1.27.2
    ("1.27.2", None),
    (None, None),
])
def test_stream_directives_by_version(tmp_path, version, expected):
    from tlslint.dialects import nginx

    text = "events {}\nstream {\n  server {\n    listen 5671 ssl;\n    ssl_stapling on;\n  }\n}\n"
    doc = nginx.parse_text(tmp_path / "nginx.conf", text,
                           Options(nginx_version=parse_version(version) if version else None))
    assert [p.message for p in doc.problems if p.code == "TLS001"] == ([expected] if expected else [])
