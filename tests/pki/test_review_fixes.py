"""Review fixes: TLS301 follows OpenSSL's per-key-type slots for nginx's
certificate lists; TLS105 reports CA files that hold no self-signed root
(nginx and RabbitMQ reject every peer then; Go and Envoy do not).

Every nginx TLS301 case also states what real `nginx -t` says (skipped
when nginx is not installed), so the rule and the server cannot drift apart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def nginx_accepts(conf: Path) -> bool | None:
    if NGINX is None:
        return None
    run = subprocess.run([NGINX, "-t", "-q", "-e", "stderr", "-p", str(conf.parent), "-c", str(conf)],
                         capture_output=True, text=True)
    return run.returncode == 0


def findings(tree: Path, code: str, trust: list[Path] = ()) -> list[tuple[str, int]]:
    result = engine.check([tree], Options(now=NOW, use_system_store=False, trust=list(trust)))
    assert not result.internal_errors, result.internal_errors
    return sorted((f.code, f.line) for f in result.findings if f.code == code)


# ---------------------------------------------------------------------------
# TLS301: nginx certificate lists of mixed key types

def mixed_tree(tmp_path: Path, certs: list[str], keys: list[str]) -> Path:
    """certs/{ec,rsa,ec2,rsa2}.pem and .key; ``reversed-ec`` is the EC leaf after
    its intermediate. The server block's directives start at line 6."""
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaves = {"ec": pki.leaf(inter), "rsa": pki.leaf(inter, key="rsa2048"),
              "ec2": pki.leaf(inter, "other.example.test"),
              "rsa2": pki.leaf(inter, "other.example.test", key="rsa2048")}
    for name, leaf in leaves.items():
        pki.write(f"certs/{name}.pem", leaf, inter)
        pki.write_key(f"certs/{name}.key", leaves[name])
    pki.write("certs/reversed-ec.pem", inter, leaves["ec"])
    pki.write("certs/root.pem", root)
    body = "".join(f"    ssl_certificate certs/{c}.pem;\n" for c in certs)
    body += "".join(f"    ssl_certificate_key certs/{k}.key;\n" for k in keys)
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n  server {\n    listen 127.0.0.1:18443 ssl;\n"
                    "    server_name www.example.test;\n" + body + "  }\n}\n")
    return conf


# (certificates, keys, nginx -t accepts, (code, line) findings). Where nginx -t
# accepts, never TLS301: a certificate left without a key is TLS304 (nginx
# starts, but never serves that certificate).
MIXED = {
    # the reviewer's case: keys in the other order; OpenSSL files each by type
    "keys-swapped": (["ec", "rsa"], ["rsa", "ec"], True, []),
    "same-order": (["ec", "rsa"], ["ec", "rsa"], True, []),
    "rsa-first-swapped": (["rsa", "ec"], ["ec", "rsa"], True, []),
    # the ECDSA key goes to the ECDSA slot, which holds a certificate it does not match
    "foreign-ecdsa-key": (["ec", "rsa"], ["rsa", "ec2"], False, [("TLS301", 9)]),
    # no ECDSA key at all: nginx starts, the ECDSA certificate is never served
    "no-ecdsa-key": (["ec", "rsa"], ["rsa", "rsa"], True, [("TLS304", 6)]),
    # the ECDSA key loaded first is dropped when a certificate it does not match takes the slot
    "ecdsa-key-dropped": (["rsa", "ec2"], ["ec", "rsa"], True, [("TLS304", 7)]),
    # the last ECDSA certificate wins the slot and has no key
    "last-of-type-wins": (["ec", "rsa", "ec2"], ["rsa", "ec", "rsa"], True, [("TLS304", 8)]),
    # same type: nginx's positional pairing decides, as before
    "same-type-swapped": (["ec", "ec2"], ["ec2", "ec"], False, [("TLS301", 8), ("TLS301", 9)]),
    "bundle-before-leaf-with-rsa": (["reversed-ec", "rsa"], ["ec", "rsa"], False, [("TLS301", 8)]),
}


@pytest.mark.parametrize("case", MIXED)
def test_mixed_key_types_follow_openssl_slots(tmp_path, case):
    certs, keys, accepted, expected = MIXED[case]
    conf = mixed_tree(tmp_path, certs, keys)
    verdict = nginx_accepts(conf)
    if verdict is not None:
        assert verdict is accepted
    trust = [tmp_path / "certs/root.pem"]
    got = findings(tmp_path, "TLS301", trust) + findings(tmp_path, "TLS304", trust)
    assert sorted(got) == sorted(expected)
    if accepted:
        assert not [c for c, _ in got if c == "TLS301"]


def test_inherited_key_of_the_same_type_still_reported(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    site, other = pki.leaf(root), pki.leaf(root, "other.example.test")
    pki.write("certs/site.pem", site)
    pki.write_key("certs/site.key", site)
    pki.write("certs/other.pem", other)
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n  ssl_certificate certs/site.pem;\n  ssl_certificate_key certs/site.key;\n"
                    "  server {\n    listen 127.0.0.1:18443 ssl;\n    server_name www.example.test;\n"
                    "    ssl_certificate certs/other.pem;\n  }\n}\n")
    verdict = nginx_accepts(conf)
    if verdict is not None:
        assert verdict is False
    assert findings(tmp_path, "TLS301", [tmp_path / "certs/root.pem"]) == [("TLS301", 4)]


# ---------------------------------------------------------------------------
# TLS105: a CA file without its root

def ca_pki(tmp_path: Path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root, "Client CA")
    leaf = pki.leaf(inter)
    pki.write("certs/fullchain.pem", leaf, inter)
    pki.write_key("certs/site.key", leaf)
    pki.write("certs/root.pem", root)
    pki.write("certs/i1.pem", inter)
    pki.write("certs/i1-root.pem", inter, root)
    return pki


def nginx_ca(tmp_path: Path, lines: str) -> list[tuple[str, int]]:
    ca_pki(tmp_path)
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
        "    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/site.key;\n"
        + textwrap.indent(textwrap.dedent(lines), "    ") + "  }\n}\n")
    return findings(tmp_path, "TLS105", [tmp_path / "certs/root.pem"])


def test_nginx_client_ca_intermediate_only(tmp_path):
    got = nginx_ca(tmp_path, "ssl_verify_client on;\nssl_client_certificate certs/i1.pem;\n")
    assert got == [("TLS105", 9)]


def test_nginx_client_ca_intermediate_only_optional(tmp_path):
    got = nginx_ca(tmp_path, "ssl_client_certificate certs/i1.pem;\nssl_verify_client optional;\n")
    assert got == [("TLS105", 8)]


def test_nginx_client_ca_with_root(tmp_path):
    got = nginx_ca(tmp_path, "ssl_verify_client on;\nssl_client_certificate certs/i1-root.pem;\n"
                             "ssl_verify_depth 2;\n")
    assert got == []


def test_nginx_root_in_trusted_certificate(tmp_path):
    got = nginx_ca(tmp_path, "ssl_verify_client on;\nssl_client_certificate certs/i1.pem;\n"
                             "ssl_trusted_certificate certs/root.pem;\n")
    assert got == []


def test_nginx_client_ca_not_verified(tmp_path):
    got = nginx_ca(tmp_path, "ssl_client_certificate certs/i1.pem;\n")
    assert got == []


def test_nginx_proxy_trusted_intermediate_only(tmp_path):
    got = nginx_ca(tmp_path, "location / {\n  proxy_pass https://10.0.0.1;\n  proxy_ssl_verify on;\n"
                             "  proxy_ssl_trusted_certificate certs/i1.pem;\n}\n")
    assert got == [("TLS105", 11)]


def test_nginx_proxy_trusted_with_root(tmp_path):
    got = nginx_ca(tmp_path, "location / {\n  proxy_pass https://10.0.0.1;\n  proxy_ssl_verify on;\n"
                             "  proxy_ssl_trusted_certificate certs/i1-root.pem;\n  proxy_ssl_verify_depth 2;\n}\n")
    assert got == []


def rabbit(tmp_path: Path, ca: str, verify: str) -> list[tuple[str, int]]:
    ca_pki(tmp_path)
    d = tmp_path / "certs"
    (tmp_path / "rabbitmq.conf").write_text(
        f"listeners.ssl.default = 5671\n"
        f"ssl_options.certfile = {d}/fullchain.pem\n"
        f"ssl_options.keyfile = {d}/site.key\n"
        f"ssl_options.cacertfile = {d}/{ca}\n"
        f"ssl_options.verify = {verify}\n"
        f"ssl_options.fail_if_no_peer_cert = true\n")
    return findings(tmp_path, "TLS105", [tmp_path / "certs/root.pem"])


def test_rabbitmq_cacertfile_intermediate_only(tmp_path):
    assert rabbit(tmp_path, "i1.pem", "verify_peer") == [("TLS105", 4)]


def test_rabbitmq_cacertfile_with_root(tmp_path):
    assert rabbit(tmp_path, "i1-root.pem", "verify_peer") == []


def test_rabbitmq_cacertfile_without_verification(tmp_path):
    assert rabbit(tmp_path, "i1.pem", "verify_none") == []


def test_go_service_pool_anchors_intermediates(tmp_path):
    ca_pki(tmp_path)
    (tmp_path / "web-config.yml").write_text(
        "tls_server_config:\n  cert_file: certs/fullchain.pem\n  key_file: certs/site.key\n"
        "  client_ca_file: certs/i1.pem\n  client_auth_type: RequireAndVerifyClientCert\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False))
    assert any(e.ca_files and e.verify.value == "required" for d in result.documents for e in d.endpoints)
    assert findings(tmp_path, "TLS105", [tmp_path / "certs/root.pem"]) == []


def test_envoy_allows_partial_chains(tmp_path):
    ca_pki(tmp_path)
    (tmp_path / "envoy.yaml").write_text(textwrap.dedent("""\
        static_resources:
          listeners:
          - name: https
            address:
              socket_address: {address: 0.0.0.0, port_value: 443}
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  require_client_certificate: true
                  common_tls_context:
                    tls_certificates:
                    - certificate_chain: {filename: certs/fullchain.pem}
                      private_key: {filename: certs/site.key}
                    validation_context:
                      trusted_ca: {filename: certs/i1.pem}
        """))
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "certs/root.pem"]))
    assert any(e.dialect == "envoy" and e.ca_files for d in result.documents for e in d.endpoints)
    assert sorted((f.code, f.line) for f in result.findings if f.code == "TLS105") == []


# ---------------------------------------------------------------------------
# chain review: leaf choice, missing basicConstraints, stale copies

def _site(tmp_path: Path, certs, key) -> list[tuple[str, int]]:
    pki_dir = tmp_path / "certs"
    pki_dir.mkdir(exist_ok=True)
    (pki_dir / "site.pem").write_bytes(b"".join(c.pem for c in certs))
    (pki_dir / "site.key").write_bytes(key.key_pem())
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
        "    ssl_certificate certs/site.pem;\n    ssl_certificate_key certs/site.key;\n  }\n}\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    assert not result.internal_errors
    return sorted((f.code, f.line) for f in result.findings)


def test_the_intermediates_key_does_not_make_it_the_leaf(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    pki.write("root.pem", root)
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter)
    # only the key mismatch: no name, SAN or order findings about the CA, no reorder fix
    assert _site(tmp_path, [leaf, inter], inter) == [("TLS301", 7)]


def test_an_intermediate_without_basic_constraints_is_invalid(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    pki.write("root.pem", root)
    inter = pki._build("No BC CA", root, __import__("pkifactory").new_key("ec"), ca=True)
    # rebuild without the basicConstraints extension: cryptography's builder, by hand
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    import datetime as dt
    key = inter.key
    cert = (x509.CertificateBuilder().subject_name(inter.cert.subject).issuer_name(root.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=90))
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(root.key, hashes.SHA256()))
    inter.cert = cert
    leaf = pki.leaf(inter)
    assert ("TLS109", 6) in _site(tmp_path, [leaf, inter], leaf)


def test_an_expired_copy_of_the_intermediate_before_the_valid_one_is_no_error(tmp_path):
    import datetime as dt

    pki = PkiFactory(tmp_path)
    root = pki.root()
    pki.write("root.pem", root)
    inter = pki.intermediate(root)
    stale = pki._build(inter.name, root, inter.key, ca=True, not_before=NOW - dt.timedelta(days=400),
                       not_after=NOW - dt.timedelta(days=5))
    leaf = pki.leaf(inter)
    found = _site(tmp_path, [leaf, stale, inter], leaf)
    assert not [c for c, _ in found if c in ("TLS401", "TLS101", "TLS105", "TLS109")]


def test_an_expired_cross_sign_kept_in_the_served_file_is_tls104(tmp_path):
    import datetime as dt

    pki = PkiFactory(tmp_path)
    new_root, old_root = pki.root("New Root"), pki.root("Old Root")
    pki.write("root.pem", new_root)
    inter = pki.intermediate(new_root)
    cross = pki._build(new_root.name, old_root, new_root.key, ca=True,
                       not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=5))
    leaf = pki.leaf(inter)
    found = _site(tmp_path, [leaf, inter, cross], leaf)
    assert found == [("TLS104", 6)]


def test_an_intermediate_above_a_missing_one_is_not_extraneous(tmp_path):
    # leaf -> I2 (missing) -> I1 -> root, the file holds leaf and I1: TLS101 only;
    # calling I1 extraneous would let the unsafe fix drop a certificate still needed
    pki = PkiFactory(tmp_path)
    root = pki.root()
    pki.write("root.pem", root)
    i1 = pki.intermediate(root, "I1")
    i2 = pki.intermediate(i1, "I2")
    leaf = pki.leaf(i2)
    assert _site(tmp_path, [leaf, i1], leaf) == [("TLS101", 6)]
