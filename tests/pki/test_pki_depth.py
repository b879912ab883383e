"""TLS206: verify depth vs the CA hierarchy, per server semantics."""

from __future__ import annotations

import pytest

from chainkit import check, nginx
from modelkit import codes
from pkifactory import PkiFactory, self_issued
from tlslint.rules import tls206_verify_depth_too_small as r206


@pytest.fixture
def f(tmp_path):
    return PkiFactory(tmp_path)


def two_level(f):
    root = f.root()
    i1 = f.intermediate(root, "Inter 1")
    i2 = f.intermediate(i1, "Inter 2")
    return f.write("clients-ca.pem", root, i1, i2)


def one_level(f):
    root = f.root()
    i1 = f.intermediate(root, "Inter 1")
    return f.write("clients-ca1.pem", i1, root)


def test_nginx_default_depth_one_level_ok(tmp_path, f):
    ep = nginx(tmp_path, None, ca=one_level(f), verify="required")
    assert check(r206, ep) == []


def test_nginx_default_depth_two_levels_fails(tmp_path, f):
    ep = nginx(tmp_path, None, ca=two_level(f), verify="required")
    found = check(r206, ep)
    assert codes(found) == ["TLS206"]
    assert found[0].fix is not None and found[0].fix.applicability == "safe"
    assert found[0].fix.title.endswith(" 2")


def test_explicit_depth(tmp_path, f):
    ca = two_level(f)
    assert codes(check(r206, nginx(tmp_path, None, ca=ca, verify="required", depth=1))) == ["TLS206"]
    assert check(r206, nginx(tmp_path, None, ca=ca, verify="required", depth=2)) == []


def test_no_verification_no_depth(tmp_path, f):
    assert check(r206, nginx(tmp_path, None, ca=two_level(f))) == []


def test_root_only_ca_file(tmp_path, f):
    ca = f.write("root-only.pem", f.root())
    assert check(r206, nginx(tmp_path, None, ca=ca, verify="required", depth=0)) == []


def test_self_issued_counts_for_openssl_not_otp(tmp_path, f):
    root = f.root()
    roll = self_issued(f, root)
    inter = f.intermediate(roll, "Inter")
    ca = f.write("ca.pem", root, roll, inter)
    # openssl: rollover + inter = 2 > 1
    assert codes(check(r206, nginx(tmp_path, None, ca=ca, verify="required", depth=1))) == ["TLS206"]
    # otp: only inter counts = 1 <= 1
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=1, dialect="rabbitmq",
               depth_semantics="otp")
    assert check(r206, ep) == []


def test_rabbitmq_depth(tmp_path, f):
    ca = two_level(f)
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=1, dialect="rabbitmq",
               depth_semantics="otp")
    assert codes(check(r206, ep)) == ["TLS206"]
    ep = nginx(tmp_path, None, ca=ca, verify="required", dialect="rabbitmq", depth_semantics="otp")
    assert check(r206, ep) == []  # no depth value known: OTP default applies (dialect sets 10)


def test_envoy_depth_zero_with_only_a_root_is_too_small(tmp_path, f):
    # BoringSSL counts the anchor: a client issued directly by the root needs max_verify_depth 1
    root = f.root()
    ca = f.write("clients.pem", root)
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=0, dialect="envoy", depth_semantics="envoy")
    assert [x.code for x in check(r206, ep)] == ["TLS206"]
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=1, dialect="envoy", depth_semantics="envoy")
    assert check(r206, ep) == []
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=0)  # nginx/OpenSSL: root alone needs 0
    assert check(r206, ep) == []


def test_envoy_partial_chain_makes_every_trusted_ca_an_anchor(tmp_path, f):
    """Envoy sets X509_V_FLAG_PARTIAL_CHAIN: a client issued by an intermediate
    of trusted_ca stops there (openssl verify -partial_chain accepts it at any
    depth), so max_verify_depth 1 is enough where nginx needs 2."""
    root = f.root()
    c1 = f.intermediate(root, "C1")
    c2 = f.intermediate(c1, "C2")
    ca = f.write("clients.pem", c2, c1, root)
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=1, dialect="envoy", depth_semantics="envoy")
    assert check(r206, ep) == []
    ep = nginx(tmp_path, None, ca=ca, verify="required", depth=1)  # nginx: no partial chain, needs 2
    assert [x.code for x in check(r206, ep)] == ["TLS206"]
