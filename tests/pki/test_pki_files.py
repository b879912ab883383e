"""Loading files: TLS002 (missing), TLS003 (unreadable), TLS004 (bad PEM)."""

from __future__ import annotations

import os

import pytest

from modelkit import ConfigText, codes, endpoint, file_ref, pair, run_rule
from pkifactory import NOW, PkiFactory
from tlslint.model import CertKeyPair
from tlslint.options import Options
from tlslint.pki import Pki
from tlslint.rules import tls002_file_not_found as r002
from tlslint.rules import tls003_file_unreadable as r003
from tlslint.rules import tls004_bad_pem as r004


def opts(**kw):
    return Options(now=NOW, use_system_store=False, **kw)


@pytest.fixture
def f(tmp_path):
    return PkiFactory(tmp_path)


def site(f):
    root = f.root()
    inter = f.intermediate(root)
    leaf = f.leaf(inter)
    return root, inter, leaf


def test_missing_cert_lists_every_place(tmp_path, f):
    t = ConfigText(tmp_path / "nginx.conf")
    p = pair(t, tmp_path / "nope.pem", tmp_path / "nope.key")
    ep = endpoint(t, pairs=[p])
    found = run_rule(r002, ep, opts())
    assert codes(found) == ["TLS002", "TLS002"]
    assert all(fd.related for fd in found)


def test_missing_with_path_map_looks_only_in_the_repository(tmp_path, f):
    # the runner's own /etc/nginx is not the deployed one: a mapped path is
    # looked for in the repository only
    t = ConfigText(tmp_path / "nginx.conf")
    ref = file_ref(t, "cert", tmp_path / "x")
    ref.path = "/etc/nginx/certs/site.pem"
    ep = endpoint(t, pairs=[CertKeyPair(ref)])
    found = run_rule(r002, ep, opts(path_map=[("/etc/nginx", tmp_path / "deploy")]))
    assert codes(found) == ["TLS002"]
    assert [r.path for r in found[0].related] == [str(tmp_path / "deploy" / "certs" / "site.pem")]


def test_path_map_finds_file(tmp_path, f):
    root, inter, leaf = site(f)
    f.write("deploy/certs/site.pem", leaf, inter)
    t = ConfigText(tmp_path / "nginx.conf")
    ref = file_ref(t, "cert", tmp_path / "x")
    ref.path = "/etc/nginx/certs/site.pem"
    o = opts(path_map=[("/etc/nginx", tmp_path / "deploy")])
    assert Pki(o).load(ref).status == "ok"
    assert run_rule(r002, endpoint(t, pairs=[CertKeyPair(ref)]), o) == []


def test_present_files_no_findings(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[pair(t, f.write("site.pem", leaf, inter), f.write_key("site.key", leaf))])
    for mod in (r002, r003, r004):
        assert run_rule(mod, ep, opts()) == []


def test_unresolved_skipped(tmp_path):
    t = ConfigText(tmp_path / "nginx.conf")
    ref = file_ref(t, "cert", tmp_path / "x")
    ref.unresolved = "uses $ssl_server_name"
    ep = endpoint(t, pairs=[CertKeyPair(ref)])
    for mod in (r002, r003, r004):
        assert run_rule(mod, ep, opts()) == []


def test_directory_is_unreadable(tmp_path):
    (tmp_path / "certs").mkdir()
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[CertKeyPair(file_ref(t, "cert", tmp_path / "certs"))])
    assert codes(run_rule(r003, ep, opts())) == ["TLS003"]
    assert run_rule(r002, ep, opts()) == []


def test_fifo_is_unreadable(tmp_path):
    os.mkfifo(tmp_path / "fifo.pem")
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[CertKeyPair(file_ref(t, "cert", tmp_path / "fifo.pem"))])
    assert codes(run_rule(r003, ep, opts())) == ["TLS003"]


def test_too_large_is_unreadable(tmp_path):
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * (1024 * 1024 + 10))
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[CertKeyPair(file_ref(t, "cert", big))])
    assert codes(run_rule(r003, ep, opts())) == ["TLS003"]


@pytest.mark.parametrize("content", [
    b"",
    b"hello world\n",
    b"\x01\x02\x03garbage",
])
def test_no_certificate(tmp_path, content):
    p = tmp_path / "site.pem"
    p.write_bytes(content)
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[CertKeyPair(file_ref(t, "cert", p))])
    assert codes(run_rule(r004, ep, opts())) == ["TLS004"]


def test_key_in_place_of_cert_and_cert_in_place_of_key(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[pair(t, f.write_key("site.key", leaf), f.write("site.pem", leaf))])
    assert codes(run_rule(r004, ep, opts())) == ["TLS004", "TLS004"]


def test_truncated_pem(tmp_path, f):
    root, inter, leaf = site(f)
    data = leaf.pem + inter.pem[: len(inter.pem) // 2]
    p = tmp_path / "site.pem"
    p.write_bytes(data)
    lf = Pki(opts()).load_path(p)
    assert len(lf.certs) == 1 and lf.pem_problems
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[CertKeyPair(file_ref(t, "cert", p))])
    assert codes(run_rule(r004, ep, opts())) == ["TLS004"]


def test_missing_end_line_in_the_middle(tmp_path, f):
    root, inter, leaf = site(f)
    broken = leaf.pem.replace(b"-----END CERTIFICATE-----\n", b"")
    p = tmp_path / "site.pem"
    p.write_bytes(broken + inter.pem)
    lf = Pki(opts()).load_path(p)
    assert lf.pem_problems
    assert [c.subject for c in lf.certs] == ["CN=Test Intermediate"]


def test_harmless_text_between_blocks(tmp_path, f):
    root, inter, leaf = site(f)
    p = tmp_path / "site.pem"
    p.write_bytes(b"subject=CN = www.example.test\n" + leaf.pem + b"\nBag Attributes\n" + inter.pem)
    lf = Pki(opts()).load_path(p)
    assert lf.pem_problems == [] and len(lf.certs) == 2


def test_two_keys_and_der(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "nginx.conf")
    two = tmp_path / "two.key"
    two.write_bytes(leaf.key_pem() + inter.key_pem())
    from cryptography.hazmat.primitives import serialization
    der = tmp_path / "site.der"
    der.write_bytes(leaf.cert.public_bytes(serialization.Encoding.DER))
    ep = endpoint(t, pairs=[pair(t, der, two)])
    found = run_rule(r004, ep, opts())
    assert codes(found) == ["TLS004", "TLS004"]
    lf = Pki(opts()).load_path(der)
    assert lf.encoding == "der" and len(lf.certs) == 1


def test_combined_file_without_key(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "mongod.yaml")
    p = CertKeyPair(file_ref(t, "cert", f.write("combined.pem", leaf, inter)), key_in_cert_file=True)
    ep = endpoint(t, dialect="mongodb", pairs=[p])
    assert codes(run_rule(r004, ep, opts())) == ["TLS004"]
    f.write("combined.pem", leaf, inter, leaf.key_pem())
    assert run_rule(r004, ep, opts()) == []


def test_encrypted_key_is_not_bad_pem(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[pair(t, f.write("site.pem", leaf), f.write_key("k", leaf, b"pw"))])
    assert run_rule(r004, ep, opts()) == []
    lf = Pki(opts()).load(ep.pairs[0].key)
    assert lf.keys[0].encrypted and lf.keys[0].key is None


def test_load_is_cached(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "nginx.conf")
    ref = file_ref(t, "cert", f.write("site.pem", leaf))
    pki = Pki(opts())
    assert pki.load(ref) is pki.load(ref)


def test_csr_in_cert_file(tmp_path, f):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    root, inter, leaf = site(f)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
           .sign(leaf.key, hashes.SHA256()))
    p = tmp_path / "req.pem"
    p.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[CertKeyPair(file_ref(t, "cert", p))])
    found = run_rule(r004, ep, opts())
    assert codes(found) == ["TLS004"] and "CERTIFICATE REQUEST" in found[0].message


def test_inline_data(tmp_path, f):
    root, inter, leaf = site(f)
    t = ConfigText(tmp_path / "nginx.conf")
    ref = file_ref(t, "cert", tmp_path / "unused")
    ref.inline = leaf.pem + inter.pem
    lf = Pki(opts()).load(ref)
    assert lf.status == "ok" and lf.display == "inline data" and lf.path is None
    assert [c.index for c in lf.certs] == [1, 2]


def test_trust_bundle_tolerates_bad_blocks(tmp_path, f):
    root, inter, leaf = site(f)
    bad = b"-----BEGIN CERTIFICATE-----\nMIIBroken\n-----END CERTIFICATE-----\n"
    f.write("trust/bundle.pem", bad, root)
    pki = Pki(opts(trust=[tmp_path / "trust"]))
    t = ConfigText(tmp_path / "nginx.conf")
    ep = endpoint(t, pairs=[])
    anchors = pki.anchors(ep)
    assert [n.info.subject for n in anchors] == ["CN=Test Root"]
    assert all(n.origin == "anchor" for n in anchors)


def test_certinfo_describes(tmp_path, f):
    root, inter, leaf = site(f)
    lf = Pki(opts()).load_path(f.write("chain.pem", leaf, inter, root))
    c2 = lf.certs[1]
    assert c2.describe() == "certificate 2 of 3 (CN=Test Intermediate)"
    assert c2.is_ca and not c2.self_signed and not c2.self_issued
    assert lf.certs[2].self_signed and lf.certs[2].self_issued
    assert len(c2.fingerprint) == 64
