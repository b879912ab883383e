"""Expiry rules TLS401-TLS403."""

from __future__ import annotations

import datetime as dt

import pytest

from chainkit import check, nginx
from modelkit import codes
from pkifactory import NOW, PkiFactory
from tlslint.rules import tls401_certificate_expired as r401
from tlslint.rules import tls402_certificate_expires_soon as r402
from tlslint.rules import tls403_certificate_not_yet_valid as r403

DAY = dt.timedelta(days=1)


@pytest.fixture
def f(tmp_path):
    return PkiFactory(tmp_path)


def run_all(ep, **kw):
    return codes(check(r401, ep, **kw) + check(r402, ep, **kw) + check(r403, ep, **kw))


def test_valid_chain(tmp_path, f):
    root = f.root()
    inter = f.intermediate(root)
    leaf = f.leaf(inter)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("s.pem", leaf, inter), tmp_path / "k")
    assert run_all(ep, trust=[tmp_path / "root.pem"]) == []


def test_expired_intermediate(tmp_path, f):
    root = f.root()
    inter = f.intermediate(root, not_after=NOW - 10 * DAY)
    leaf = f.leaf(inter)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("s.pem", leaf, inter), tmp_path / "k")
    assert run_all(ep, trust=[tmp_path / "root.pem"]) == ["TLS401"]


def test_expires_soon_and_window(tmp_path, f):
    root = f.root()
    leaf = f.leaf(root, not_after=NOW + 10 * DAY)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("s.pem", leaf), tmp_path / "k")
    assert run_all(ep, trust=[tmp_path / "root.pem"]) == ["TLS402"]
    assert run_all(ep, trust=[tmp_path / "root.pem"], warn_days=5) == []


def test_not_yet_valid(tmp_path, f):
    root = f.root()
    leaf = f.leaf(root, not_before=NOW + 3 * DAY)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("s.pem", leaf), tmp_path / "k")
    assert run_all(ep, trust=[tmp_path / "root.pem"]) == ["TLS403"]


def test_expired_ca_in_client_ca_file_only_when_verifying(tmp_path, f):
    old = f.root("Old Client CA", not_after=NOW - DAY)
    ca = f.write("clients.pem", old)
    ep = nginx(tmp_path, None, ca=ca, verify="required")
    assert run_all(ep) == ["TLS401"]
    ep = nginx(tmp_path, None, ca=ca)
    assert run_all(ep) == []


def test_same_cert_reported_once(tmp_path, f):
    root = f.root(not_after=NOW - DAY)
    leaf = f.leaf(root)
    f.write_key("k", leaf)
    ca = f.write("root.pem", root)
    ep = nginx(tmp_path, f.write("s.pem", leaf), tmp_path / "k", ca=ca, verify="required")
    assert run_all(ep) == ["TLS401"]


def test_expired_roots_of_a_whole_trust_store_are_not_reported(tmp_path, f):
    # a client verifying against a system-style bundle: an expired root in it
    # that no peer chains to makes nobody fail
    from tlslint.rules import tls401_certificate_expired as r401
    import datetime as dt
    from pkifactory import NOW

    roots = [f.root(f"Root {i}") for i in range(25)]
    old = f.root("Expired Root", not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=1))
    bundle = f.write("bundle.pem", *roots, old)
    ep = nginx(tmp_path, None, ca=bundle, verify="required", role="client")
    assert check(r401, ep) == []
    small = f.write("small.pem", roots[0], old)
    ep = nginx(tmp_path, None, ca=small, verify="required", role="client")
    assert [x.code for x in check(r401, ep)] == ["TLS401"]
