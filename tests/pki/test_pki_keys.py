"""Key rules TLS301-TLS304."""

from __future__ import annotations

import pytest

from chainkit import check, nginx
from modelkit import codes
from pkifactory import PkiFactory
from tlslint.rules import tls004_bad_pem as r004
from tlslint.rules import tls301_key_mismatch as r301
from tlslint.rules import tls302_weak_key as r302
from tlslint.rules import tls303_encrypted_key_without_password as r303
from tlslint.rules import tls304_missing_key_or_certificate as r304


@pytest.fixture
def f(tmp_path):
    return PkiFactory(tmp_path)


@pytest.fixture
def site(f):
    root = f.root()
    inter = f.intermediate(root)
    leaf = f.leaf(inter)
    f.write("root.pem", root)
    f.write("site.pem", leaf, inter)
    f.write_key("site.key", leaf)
    return root, inter, leaf


def test_matching_key(tmp_path, site):
    ep = nginx(tmp_path, tmp_path / "site.pem", tmp_path / "site.key")
    for mod in (r301, r302, r303, r304):
        assert check(mod, ep) == []


def test_foreign_key(tmp_path, f, site):
    other = f.leaf(f.root("Other"))
    ep = nginx(tmp_path, tmp_path / "site.pem", f.write_key("other.key", other))
    assert codes(check(r301, ep)) == ["TLS301"]


def test_key_matches_second_cert(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("bundle.pem", inter, leaf), tmp_path / "site.key")
    found = check(r301, ep)
    assert codes(found) == ["TLS301"]
    assert len(found[0].related) == 2


def test_key_in_cert_file(tmp_path, f, site):
    root, inter, leaf = site
    combined = f.write("combined.pem", leaf, inter, leaf.key_pem())
    ep = nginx(tmp_path, combined, key_in_cert_file=True, dialect="mongodb")
    assert check(r301, ep) == [] and check(r304, ep) == []
    wrong = f.write("combined2.pem", leaf, inter, inter.key_pem())
    ep = nginx(tmp_path, wrong, key_in_cert_file=True, dialect="mongodb")
    assert codes(check(r301, ep)) == ["TLS301"]


def test_encrypted_key_without_password(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, tmp_path / "site.pem", f.write_key("enc.key", leaf, b"s3cret"))
    found = check(r303, ep)
    assert codes(found) == ["TLS303"]
    assert "s3cret" not in found[0].message
    assert check(r301, ep) == []  # cannot compare, not a mismatch


@pytest.mark.parametrize("traditional", [False, True])
def test_encrypted_key_with_password_file(tmp_path, f, site, traditional):
    root, inter, leaf = site
    key = f.write_key("enc.key", leaf, b"s3cret", traditional=traditional)
    pw = tmp_path / "pass.txt"
    pw.write_bytes(b"wrong-one\ns3cret\r\n")
    ep = nginx(tmp_path, tmp_path / "site.pem", key, password_files=[pw])
    assert check(r303, ep) == []
    assert check(r301, ep) == []
    pw.write_bytes(b"nope\nnot-it\n")
    ep = nginx(tmp_path, tmp_path / "site.pem", key, password_files=[pw])
    found = check(r303, ep)
    assert codes(found) == ["TLS303"]
    assert "nope" not in found[0].message and "not-it" not in found[0].message


def test_encrypted_key_opened_then_mismatch(tmp_path, f, site):
    other = f.leaf(f.root("Other"))
    key = f.write_key("enc.key", other, b"pw")
    pw = tmp_path / "pass.txt"
    pw.write_bytes(b"pw\n")
    ep = nginx(tmp_path, tmp_path / "site.pem", key, password_files=[pw])
    assert codes(check(r301, ep)) == ["TLS301"]


def test_missing_password_file_is_not_303(tmp_path, f, site):
    root, inter, leaf = site
    key = f.write_key("enc.key", leaf, b"pw")
    ep = nginx(tmp_path, tmp_path / "site.pem", key, password_files=[tmp_path / "absent.txt"])
    assert check(r303, ep) == []


def test_weak_keys(tmp_path, f):
    root = f.root()
    weak_inter = f.intermediate(root, "Weak Inter", key="rsa1024")
    leaf = f.leaf(weak_inter, key="ec192")
    f.write_key("k", leaf)
    f.write("root.pem", root)
    ep = nginx(tmp_path, f.write("site.pem", leaf, weak_inter), tmp_path / "k")
    assert codes(check(r302, ep, trust=[tmp_path / "root.pem"])) == ["TLS302", "TLS302"]


def test_strong_rsa_key(tmp_path, f):
    root = f.root()
    leaf = f.leaf(root, key="rsa2048")
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("site.pem", leaf), tmp_path / "k")
    assert check(r302, ep) == []


def test_cert_without_key_and_key_without_cert(tmp_path, site):
    ep = nginx(tmp_path, tmp_path / "site.pem")
    assert codes(check(r304, ep)) == ["TLS304"]
    ep = nginx(tmp_path, None, tmp_path / "site.key")
    assert codes(check(r304, ep)) == ["TLS304"]


def test_openssh_key_is_bad_pem(tmp_path, f, site):
    root, inter, leaf = site
    from cryptography.hazmat.primitives import serialization
    ssh = leaf.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                 serialization.NoEncryption())
    p = tmp_path / "ssh.key"
    p.write_bytes(ssh)
    ep = nginx(tmp_path, tmp_path / "site.pem", p)
    assert codes(check(r004, ep)) == ["TLS004"]
    assert check(r301, ep) == []
