"""Served-chain rules TLS101-TLS109 on PKIs built at test time."""

from __future__ import annotations

import time

import pytest

from chainkit import check, nginx, opts
from modelkit import codes
from pkifactory import NOW, PkiFactory, reissue, self_issued
from tlslint.pki import Pki
from tlslint.rules import tls101_chain_incomplete as r101
from tlslint.rules import tls102_chain_misordered as r102
from tlslint.rules import tls103_chain_contains_root as r103
from tlslint.rules import tls104_chain_extraneous_certificate as r104
from tlslint.rules import tls105_chain_untrusted as r105
from tlslint.rules import tls106_self_signed_certificate as r106
from tlslint.rules import tls107_ca_bundle_not_ca as r107
from tlslint.rules import tls108_weak_signature as r108
from tlslint.rules import tls109_chain_invalid as r109

CHAIN_RULES = (r101, r102, r103, r104, r105, r106, r107, r108, r109)


def all_codes(ep, **kw):
    out = []
    for mod in CHAIN_RULES:
        out += check(mod, ep, **kw)
    return codes(out)


@pytest.fixture
def f(tmp_path):
    return PkiFactory(tmp_path)


@pytest.fixture
def site(f):
    root = f.root()
    inter = f.intermediate(root)
    leaf = f.leaf(inter)
    f.write("root.pem", root)
    f.write("inter.pem", inter)
    f.write_key("site.key", leaf)
    return root, inter, leaf


def test_good_chain_is_clean(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter), tmp_path / "site.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == []


def test_leaf_only_is_incomplete(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf), tmp_path / "site.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS101"]


def test_incomplete_names_where_found(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf), tmp_path / "site.key")
    found = check(r101, ep, trust=[tmp_path / "root.pem"], intermediates=[tmp_path / "inter.pem"])
    assert codes(found) == ["TLS101"]
    a = Pki(opts(trust=[tmp_path / "root.pem"], intermediates=[tmp_path / "inter.pem"])) \
        .analyze_served_chain(ep.pairs[0], ep)
    assert [n.info.subject for n in a.found] == ["CN=Test Intermediate"]
    assert [n.info.subject for n in a.completed_path] == ["CN=www.example.test", "CN=Test Intermediate",
                                                          "CN=Test Root"]


def test_intermediates_directory(tmp_path, f, site):
    root, inter, leaf = site
    f.write("pool/a.pem", inter)
    ep = nginx(tmp_path, f.write("site.pem", leaf), tmp_path / "site.key")
    a = Pki(opts(trust=[tmp_path / "root.pem"], intermediates=[tmp_path / "pool"])) \
        .analyze_served_chain(ep.pairs[0], ep)
    assert a.end == "missing_issuer" and len(a.found) == 1


def test_rabbitmq_leaf_only_certfile_with_cacertfile_is_complete(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("leaf.pem", leaf), tmp_path / "site.key", dialect="rabbitmq",
               chain_extra=[f.write("cacert.pem", root, inter)], depth_semantics="otp")
    assert all_codes(ep) == []
    # the same leaf-only file for nginx is incomplete
    ep2 = nginx(tmp_path, tmp_path / "leaf.pem", tmp_path / "site.key")
    assert all_codes(ep2, trust=[tmp_path / "root.pem"]) == ["TLS101"]


def test_misordered(tmp_path, f, site):
    root, inter, leaf = site
    inter2 = f.intermediate(inter, "Test Intermediate 2")
    leaf2 = f.leaf(inter2)
    f.write_key("site2.key", leaf2)
    ep = nginx(tmp_path, f.write("site.pem", leaf2, inter, inter2), tmp_path / "site2.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS102"]


def test_reversed_chain(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", inter, leaf), tmp_path / "site.key")
    # the key matches certificate 2: TLS301 says so, and TLS102 carries the
    # reorder that repairs both
    found = all_codes(ep, trust=[tmp_path / "root.pem"])
    assert found == ["TLS102"]
    from tlslint.rules import tls301_key_mismatch as r301
    assert codes(check(r301, ep, trust=[tmp_path / "root.pem"])) == ["TLS301"]
    # without a key to tell, the order itself is reported
    ep = nginx(tmp_path, tmp_path / "site.pem")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS102"]


def test_root_included(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, root), tmp_path / "site.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS103"]


def test_root_included_not_reported_for_rabbitmq(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, root), tmp_path / "site.key",
               dialect="rabbitmq", chain_extra=[tmp_path / "root.pem"])
    assert all_codes(ep) == []


def test_extra_unrelated_and_duplicate(tmp_path, f, site):
    root, inter, leaf = site
    other = f.intermediate(f.root("Other Root"), "Other Intermediate")
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, other), tmp_path / "site.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS104"]
    ep = nginx(tmp_path, f.write("dup.pem", leaf, inter, inter), tmp_path / "site.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS104"]


def test_untrusted_root(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, root), tmp_path / "site.key")
    assert all_codes(ep) == ["TLS105"]


def test_root_not_sent_and_unknown_is_incomplete_not_untrusted(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter), tmp_path / "site.key")
    assert all_codes(ep) == ["TLS101"]


def test_ca_file_root_anchors_server_chain(tmp_path, f, site):
    root, inter, leaf = site
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter), tmp_path / "site.key",
               ca=tmp_path / "root.pem", verify="required")
    assert all_codes(ep) == []


def test_self_signed_leaf(tmp_path, f):
    leaf = f.self_signed_leaf()
    f.write_key("ss.key", leaf)
    ep = nginx(tmp_path, f.write("ss.pem", leaf), tmp_path / "ss.key")
    assert all_codes(ep) == ["TLS106"]


def test_ca_file_with_leaf_and_key(tmp_path, f, site):
    root, inter, leaf = site
    ca = f.write("ca.pem", root, leaf, root.key_pem())
    ep = nginx(tmp_path, None, ca=ca, verify="required")
    assert codes(check(r107, ep)) == ["TLS107", "TLS107"]
    ep = nginx(tmp_path, None, ca=tmp_path / "root.pem", verify="required")
    assert check(r107, ep) == []
    # without peer verification only the key is reported
    ep = nginx(tmp_path, None, ca=ca)
    assert codes(check(r107, ep)) == ["TLS107"]


def test_sha1_leaf(tmp_path, f, site):
    root, inter, leaf = site
    weak = f.sha1_leaf(inter)
    f.write_key("weak.key", weak)
    ep = nginx(tmp_path, f.write("weak.pem", weak, inter), tmp_path / "weak.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == ["TLS108"]


def test_sha1_intermediate(tmp_path, f):
    root = f.root()
    # an intermediate re-signed with SHA-1: sha1_leaf builds CA=False, so build a CA by hand
    weak_inter = f.sha1_leaf(root, "Weak Intermediate")
    assert Pki(opts()).load_path(f.write("w.pem", weak_inter)).certs[0].signature_hash == "sha1"
    # a SHA-1 self-signed root is fine (anchor signature not checked): the chain is clean
    inter = f.intermediate(root)
    leaf = f.leaf(inter)
    f.write_key("k", leaf)
    f.write("root.pem", root)
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter), tmp_path / "k")
    assert check(r108, ep, trust=[tmp_path / "root.pem"]) == []


def test_pathlen_violation(tmp_path, f):
    root = f.root(path_len=0)
    i1 = f.intermediate(root, "Inter 1")
    i2 = f.intermediate(i1, "Inter 2")
    leaf = f.leaf(i2)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("site.pem", leaf, i2, i1), tmp_path / "k")
    found = all_codes(ep, trust=[tmp_path / "root.pem"])
    assert found == ["TLS109"]


def test_issuer_not_ca(tmp_path, f, site):
    root, inter, leaf = site
    fake_issuer = f.leaf(root, "Not A CA")
    under = f._build("victim.example.test", fake_issuer, f.root().key, ca=False, sans=["victim.example.test"])
    f.write_key("v.key", under)
    ep = nginx(tmp_path, f.write("v.pem", under, fake_issuer), tmp_path / "v.key")
    assert "TLS109" in all_codes(ep, trust=[tmp_path / "root.pem"])


def test_same_name_other_key_is_not_the_issuer(tmp_path, f, site):
    """A stale intermediate (same name, another key: a rotated CA) whose key id
    is not the one the leaf names: OpenSSL does not take it for the issuer
    ("unable to get local issuer certificate", error 20), so the intermediate
    is missing (TLS101), and the right one is found elsewhere for the fix."""
    root, inter, leaf = site
    stale = f.intermediate(root, "Test Intermediate")  # same name, another key
    f.write("ints/inter.pem", inter)
    ep = nginx(tmp_path, f.write("site.pem", leaf, stale), tmp_path / "site.key")
    found = all_codes(ep, trust=[tmp_path / "root.pem"], intermediates=[tmp_path / "ints"])
    assert "TLS101" in found and "TLS109" not in found


def test_same_name_other_key_without_key_ids_is_signature_failure(tmp_path, f):
    """Without key identifiers OpenSSL goes by the name and the signature
    fails (error 7, "certificate signature failure"): TLS109."""
    root = f.root()
    inter = f.intermediate(root, aki=False)
    leaf = f.leaf(inter, aki=False)
    impostor = f.intermediate(root, "Test Intermediate", aki=False)
    f.write("root.pem", root)
    f.write_key("site.key", leaf)
    ep = nginx(tmp_path, f.write("site.pem", leaf, impostor), tmp_path / "site.key")
    found = all_codes(ep, trust=[tmp_path / "root.pem"])
    assert "TLS109" in found and "TLS101" not in found


def test_self_issued_rollover_chain(tmp_path, f):
    root = f.root()
    rollover = self_issued(f, root)
    inter = f.intermediate(rollover, "Inter")
    leaf = f.leaf(inter)
    f.write("root.pem", root)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, rollover), tmp_path / "k")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == []


def test_pathological_same_subject_same_key_roots(tmp_path, f):
    """chains.md 1.5: re-issued self-signed CAs with one key must not explode."""
    root = f.root("Loop Root")
    copies = [reissue(f, root) for _ in range(8)]
    inter = f.intermediate(root, "Loop Inter")
    leaf = f.leaf(inter)
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, *copies), tmp_path / "k")
    start = time.monotonic()
    a = Pki(opts()).analyze_served_chain(ep.pairs[0], ep)
    assert time.monotonic() - start < 5
    assert a.end == "untrusted_root"
    assert all_codes(ep).count("TLS105") == 1


def test_cross_signed_mesh_is_bounded(tmp_path, f):
    """Many CAs cross-signing each other with one name: the search stays bounded."""
    roots = [f.root(f"Mesh {i}") for i in range(6)]
    crosses = [f.intermediate(a, f"Mesh {j}") for i, a in enumerate(roots)
               for j in range(6) if i != j]
    leaf = f.leaf(roots[0])
    f.write_key("k", leaf)
    ep = nginx(tmp_path, f.write("site.pem", leaf, *crosses), tmp_path / "k")
    a = Pki(opts()).analyze_served_chain(ep.pairs[0], ep)
    assert a.end in ("untrusted_root", "missing_issuer", "limit")


def test_a_served_ca_bundle_is_one_tls104_finding(tmp_path, f, site):
    root, inter, leaf = site
    strays = [f.root(f"Stray Root {i}") for i in range(12)]
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, *strays), tmp_path / "site.key")
    from tlslint.rules import tls104_chain_extraneous_certificate as r104
    found = check(r104, ep, trust=[tmp_path / "root.pem"])
    assert codes(found) == ["TLS104"]
    assert len(found[0].related) == 10


def test_cross_signed_copy_of_the_trusted_root_is_accepted(tmp_path, f, site):
    # leaf, intermediate, and the root cross-signed by an old root (Let's
    # Encrypt's "long chain"): clients that trust the root stop at the copy
    # with its key, older clients go on to the old root; a deliberate,
    # working chain, so no finding at all
    root, inter, leaf = site
    old = f.root("Old Root")
    cross = f._build(root.name, old, root.key, ca=True)
    ep = nginx(tmp_path, f.write("site.pem", leaf, inter, cross), tmp_path / "site.key")
    assert all_codes(ep, trust=[tmp_path / "root.pem"]) == []
