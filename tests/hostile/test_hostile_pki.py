"""Broken and pathological certificate material, generated at test time (no
committed keys): truncated PEM, junk between blocks, DER where PEM is
expected, a key where a certificate is expected (and the reverse), empty and
binary files, a 10,000-certificate bundle, a 2,000-label SAN, and the
exponential-search chains of chains.md §1.5 (re-issues of one self-signed CA
with the same subject and key). Every run finishes within the CLI timeout
and reports the exact code at the exact line, with exit code 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .hostilekit import json_findings, run_cli

sys.path.insert(0, str(Path(__file__).parent.parent))
from pkifactory import NOW, NOW_ISO, PkiFactory, reissue  # noqa: E402

# case name -> (file content builder, which setting it is used for)
SERVER = """  server {{
    listen 443 ssl;
    server_name www.example.test;
    ssl_certificate {cert};
    ssl_certificate_key {key};
  }}
"""


def _cases(pki: PkiFactory, leaf, inter) -> dict[str, tuple[bytes, str]]:
    pem = leaf.pem + inter.pem
    der = leaf.cert.public_bytes(serialization.Encoding.DER)
    return {
        # name: (bytes, "cert" | "key")
        "truncated-pem.pem": (pem[:len(leaf.pem) + 200], "cert"),
        "junk-between-pem-blocks.pem": (leaf.pem + b"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxxxxxxxx\n" + inter.pem,
                                        "cert"),
        "der-where-pem-expected.der": (der, "cert"),
        "key-where-cert-expected.pem": (leaf.key_pem(), "cert"),
        "cert-where-key-expected.key": (leaf.pem, "key"),
        "empty-certificate-file.pem": (b"", "cert"),
        "binary-garbage.pem": (bytes(range(256)) * 8, "cert"),
        "begin-lines-without-end.pem": (b"-----BEGIN CERTIFICATE-----\n" * 30_000, "cert"),
        "nested-begin-lines.pem": (b"-----BEGIN CERTIFICATE-----\nAAAA\n" * 5_000 + b"-----END CERTIFICATE-----\n",
                                   "cert"),
        "two-private-keys.key": (leaf.key_pem() + inter.key_pem(), "key"),
    }


EXPECTED = {
    "truncated-pem.pem": "TLS004",
    "junk-between-pem-blocks.pem": "TLS004",
    "der-where-pem-expected.der": "TLS004",
    "key-where-cert-expected.pem": "TLS004",
    "cert-where-key-expected.key": "TLS004",
    "empty-certificate-file.pem": "TLS004",
    "binary-garbage.pem": "TLS004",
    "begin-lines-without-end.pem": "TLS004",
    "nested-begin-lines.pem": "TLS004",
    "two-private-keys.key": "TLS004",
}


@pytest.fixture(scope="module")
def broken_material(tmp_path_factory):
    """One config with a server per case; one CLI run for all of them."""
    folder = tmp_path_factory.mktemp("broken-pem")
    pki = PkiFactory(folder)
    root = pki.root("Broken Root")
    inter = pki.intermediate(root, "Broken Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    pki.write("ca.pem", root)
    pki.write("site.pem", leaf, inter)
    pki.write_key("site.key", leaf)
    lines: dict[str, int] = {}
    text = "events {}\nhttp {\n"
    for name, (data, role) in _cases(pki, leaf, inter).items():
        (folder / name).write_bytes(data)
        block = SERVER.format(cert=name if role == "cert" else "site.pem",
                              key=name if role == "key" else "site.key")
        offset = 4 if role == "cert" else 5
        lines[name] = text.count("\n") + offset
        text += block
    text += "}\n"
    (folder / "nginx.conf").write_text(text)
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", "nginx.conf", cwd=folder)
    return proc, json_findings(proc), lines


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_material_is_a_finding(broken_material, name):
    proc, findings, lines = broken_material
    assert proc.returncode == 1
    at_line = {f["code"] for f in findings if f["path"] == "nginx.conf" and f["line"] == lines[name]}
    assert EXPECTED[name] in at_line, (name, at_line)


# --- big and pathological ---------------------------------------------------------

def _bulk(issuer, count: int, subject=None) -> list[bytes]:
    """``count`` CA certificates signed by ``issuer`` with one shared key (fast)."""
    key = ec.generate_private_key(ec.SECP256R1())
    out = []
    for i in range(count):
        name = subject or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Bulk CA {i}")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer.cert.subject)
                .public_key(key.public_key()).serial_number(i + 1)
                .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=100))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(issuer.key, hashes.SHA256()))
        out.append(cert.public_bytes(serialization.Encoding.PEM))
    return out


def _one_server(folder: Path, cert: str, key: str, extra: str = "") -> None:
    (folder / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
        f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n{extra}  }}\n}}\n")


CERT_LINE = 6


def test_ten_thousand_certificate_bundle(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root("Bundle Root")
    inter = pki.intermediate(root, "Bundle Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    pki.write("ca.pem", root)
    pki.write("bundle.pem", leaf, inter, *_bulk(root, 10_000))  # about 4.7 MB
    pki.write_key("site.key", leaf)
    _one_server(tmp_path, "bundle.pem", "site.key")
    args = ("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", "nginx.conf")
    # over the default 1 MiB cap: refused, not read
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 1
    assert {(f["code"], f["line"]) for f in json_findings(proc)} == {("TLS003", CERT_LINE)}
    # read with a larger cap: the extra certificates are one finding, in bounded time
    proc = run_cli(args[0], "--max-file-size", "8M", *args[1:], cwd=tmp_path)
    findings = json_findings(proc)
    assert proc.returncode == 1
    assert [(f["code"], f["line"]) for f in findings] == [("TLS104", CERT_LINE)]
    assert len(findings[0]["related"]) == 10


def test_ten_thousand_issuer_candidates_with_the_same_subject(tmp_path):
    """Every bundled certificate claims the intermediate's name (different key):
    each is an issuer candidate whose signature must be checked."""
    pki = PkiFactory(tmp_path)
    root = pki.root("Crowd Root")
    inter = pki.intermediate(root, "Crowd Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    pki.write("ca.pem", root)
    pki.write("crowd.pem", leaf, *_bulk(root, 10_000, subject=inter.cert.subject), inter)
    pki.write_key("site.key", leaf)
    _one_server(tmp_path, "crowd.pem", "site.key")
    proc = run_cli("check", "--max-file-size", "8M", "--format", "json", "--now", NOW_ISO,
                   "--trust", "ca.pem", "nginx.conf", cwd=tmp_path)
    findings = json_findings(proc)
    assert proc.returncode == 1
    assert {(f["code"], f["line"]) for f in findings} == {("TLS104", CERT_LINE)}


@pytest.mark.parametrize("reissues", [3, 8])
def test_reissued_self_signed_root_same_subject_same_key(tmp_path, reissues):
    """chains.md §1.5: n re-issues of one self-signed CA (same subject, same
    key) in the served file, anchor unreachable: exponential in a naive path
    builder (n=4 45 s, n>=6 more than a minute in cryptography alone)."""
    pki = PkiFactory(tmp_path)
    root = pki.root("Renewed Root")
    copies = [root] + [reissue(pki, root) for _ in range(reissues)]
    inter = pki.intermediate(root, "Renewed Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    pki.write("chain.pem", leaf, inter, *copies)
    pki.write_key("site.key", leaf)
    # the roots are not trust anchors (no CA file, no system store)
    _one_server(tmp_path, "chain.pem", "site.key")
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "nginx.conf", cwd=tmp_path,
                   env={"SSL_CERT_FILE": "/dev/null", "SSL_CERT_DIR": "/nonexistent"})
    findings = json_findings(proc)
    assert proc.returncode == 1
    assert ("TLS105", CERT_LINE) in {(f["code"], f["line"]) for f in findings}


def test_certificate_with_a_2000_label_san(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root("SAN Root")
    name = ".".join(["a"] * 2000)  # 3,999 characters, 2,000 labels
    leaf = pki.leaf(root, "www.example.test", sans=[name, *[f"h{i}.example.test" for i in range(2000)]])
    pki.write("ca.pem", root)
    pki.write("site.pem", leaf)
    pki.write_key("site.key", leaf)
    _one_server(tmp_path, "site.pem", "site.key")
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", "nginx.conf", cwd=tmp_path)
    findings = json_findings(proc)
    # www.example.test is not among the SANs
    assert proc.returncode == 1
    assert {(f["code"], f["line"]) for f in findings} == {("TLS501", 5)}
