"""TLS404: CRLs used for client verification (nginx ssl_crl, CRL_CHECK_ALL)."""

import datetime as dt

import pytest

from pkifactory import NOW, PkiFactory, make_crl
from tlslint import engine
from tlslint.options import Options


@pytest.fixture
def site(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter)
    pki.write("site.pem", leaf, inter)
    pki.write_key("site.key", leaf)
    pki.write("clients.pem", inter, root)
    return tmp_path, root, inter


def run(tmp_path, crls: bytes, verify="on"):
    (tmp_path / "crl.pem").write_bytes(crls)
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
        "    ssl_certificate site.pem;\n    ssl_certificate_key site.key;\n"
        f"    ssl_client_certificate clients.pem;\n    ssl_verify_client {verify};\n"
        "    ssl_verify_depth 2;\n    ssl_crl crl.pem;\n  }\n}\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "clients.pem"]))
    return [(f.code, f.line) for f in result.findings if f.code == "TLS404"]


def test_current_crls_for_every_ca_are_fine(site):
    tmp_path, root, inter = site
    assert run(tmp_path, make_crl(inter) + make_crl(root)) == []


def test_expired_crl(site):
    tmp_path, root, inter = site
    old = make_crl(root, last_update=NOW - dt.timedelta(days=30), next_update=NOW - dt.timedelta(days=1))
    assert run(tmp_path, make_crl(inter) + old) == [("TLS404", 11)]


def test_crl_not_yet_valid(site):
    tmp_path, root, inter = site
    future = make_crl(inter, last_update=NOW + dt.timedelta(days=2), next_update=NOW + dt.timedelta(days=9))
    assert run(tmp_path, future + make_crl(root)) == [("TLS404", 11)]


def test_missing_crl_of_one_ca(site):
    tmp_path, root, inter = site
    assert run(tmp_path, make_crl(inter)) == [("TLS404", 11)]


def test_no_verification_no_crl_finding(site):
    tmp_path, root, inter = site
    assert run(tmp_path, make_crl(inter), verify="off") == []


def test_crl_signed_by_another_key(site):
    tmp_path, root, inter = site
    impostor = PkiFactory(tmp_path / "other")._build(root.name, None, __import__("pkifactory").new_key(), ca=True)
    assert run(tmp_path, make_crl(inter) + make_crl(impostor)) == [("TLS404", 11)]


def test_a_crl_file_of_certificates_is_tls404_not_a_load_error(site):
    """nginx loads certificates from an ssl_crl file without complaint (nginx -t
    passes): what fails is every client check, for want of CRLs."""
    tmp_path, root, inter = site
    (tmp_path / "crl.pem").write_bytes((tmp_path / "clients.pem").read_bytes())
    run(tmp_path, (tmp_path / "clients.pem").read_bytes())
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "clients.pem"]))
    assert sorted({f.code for f in result.findings}) == ["TLS404"]
