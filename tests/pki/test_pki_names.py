"""Name rules TLS501-TLS503 and the RFC 6125 matcher."""

from __future__ import annotations

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from chainkit import check, nginx
from modelkit import codes
from pkifactory import PkiFactory
from tlslint.pki import Pki
from tlslint.pki.names import covers, dns_matches
from tlslint.rules import tls501_hostname_mismatch as r501
from tlslint.rules import tls502_missing_subject_alt_name as r502
from tlslint.rules import tls503_wrong_extended_key_usage as r503


@pytest.fixture
def f(tmp_path):
    return PkiFactory(tmp_path)


@pytest.mark.parametrize("pattern,host,ok", [
    ("www.example.org", "WWW.Example.org.", True),
    ("*.example.org", "www.example.org", True),
    ("*.example.org", "a.b.example.org", False),
    ("*.example.org", "example.org", False),
    ("*.org", "example.org", False),
    ("w*.example.org", "www.example.org", False),
    ("www.*.org", "www.example.org", False),
])
def test_dns_matching(pattern, host, ok):
    assert dns_matches(pattern, host) is ok


def served(tmp_path, f, sans, names, cn="www.example.org", **kw):
    root = f.root()
    leaf = f.leaf(root, cn, sans=sans, **kw)
    f.write_key("k", leaf)
    return nginx(tmp_path, f.write("s.pem", leaf), tmp_path / "k", names=names)


def test_wildcard_covers_one_label_not_apex(tmp_path, f):
    ep = served(tmp_path, f, ["*.example.org"], ["www.example.org", "example.org", "a.b.example.org"])
    found = check(r501, ep)
    assert codes(found) == ["TLS501", "TLS501"]


def test_all_names_covered(tmp_path, f):
    ep = served(tmp_path, f, ["example.org", "*.example.org", "IP:10.0.0.1"],
                ["example.org", "www.example.org", ".example.org", "10.0.0.1", "_", "~^(?<x>.+)$"])
    assert check(r501, ep) == []


def test_ip_needs_ip_san(tmp_path, f):
    ep = served(tmp_path, f, ["10.0.0.1"], ["10.0.0.1"])
    assert codes(check(r501, ep)) == ["TLS501"]
    leaf = Pki().load(ep.pairs[0].cert).certs[0]
    assert not covers(leaf, "10.0.0.1")


def test_dot_name_needs_apex_and_wildcard(tmp_path, f):
    ep = served(tmp_path, f, ["example.org"], [".example.org"])
    assert codes(check(r501, ep)) == ["TLS501"]


def test_client_endpoint_not_checked(tmp_path, f):
    root = f.root()
    leaf = f.client(root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("c.pem", leaf), tmp_path / "k", names=["upstream.example.org"],
               role="client")
    assert check(r501, ep) == [] and check(r502, ep) == []


def test_cn_only_is_502_not_501(tmp_path, f):
    ep = served(tmp_path, f, [], ["www.example.org"])
    assert codes(check(r502, ep)) == ["TLS502"]
    assert check(r501, ep) == []
    ep = served(tmp_path, f, [], ["other.example.org"])
    assert codes(check(r501, ep)) == ["TLS501"]


def test_server_cert_with_client_only_eku(tmp_path, f):
    root = f.root()
    leaf = f.client(root, "www.example.org")
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("s.pem", leaf), tmp_path / "k")
    assert codes(check(r503, ep)) == ["TLS503"]
    # the same certificate presented by a client is fine
    ep = nginx(tmp_path, tmp_path / "s.pem", tmp_path / "k", role="client")
    assert check(r503, ep) == []


def test_no_eku_is_fine_any_eku_alone_is_not(tmp_path, f):
    # OpenSSL: a leaf whose only EKU is anyExtendedKeyUsage is 'unsuitable
    # certificate purpose' for sslserver (error 26); no EKU at all is unrestricted
    root = f.root()
    for i, (eku, expected) in enumerate([(None, []), ((ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,), ["TLS503"])]):
        leaf = f.leaf(root, eku=eku)
        f.write_key(f"k{i}", leaf)
        ep = nginx(tmp_path, f.write(f"s{i}.pem", leaf), tmp_path / f"k{i}")
        assert [x.code for x in check(r503, ep)] == expected


def test_ca_eku_restricts_chain(tmp_path, f):
    root = f.root()
    inter = f.intermediate(root, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    leaf = f.leaf(inter)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("s.pem", leaf, inter), tmp_path / "k")
    assert codes(check(r503, ep, trust=[tmp_path / "root.pem"])) == ["TLS503"]


def test_client_ca_restricted_to_server_auth(tmp_path, f):
    root = f.root()
    inter = f.intermediate(root, eku=(ExtendedKeyUsageOID.SERVER_AUTH,))
    ca = f.write("clients.pem", inter, root)
    ep = nginx(tmp_path, None, ca=ca, verify="required")
    assert [x.code for x in check(r503, ep)] == ["TLS503"]
    good = f.write("good.pem", f.intermediate(root, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,)), root)
    assert check(r503, nginx(tmp_path, None, ca=good, verify="required")) == []
    assert check(r503, nginx(tmp_path, None, ca=ca, verify="none")) == []
