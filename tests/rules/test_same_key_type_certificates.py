"""nginx: two ssl_certificate of the same key type in one server. OpenSSL keeps
one certificate per key type, so the earlier one is loaded (load-time checks
apply) but never served (no served-chain or name findings; TLS009 says so)."""

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options

CONF = ("events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name a.test www.a.test;\n"
        "    ssl_certificate first.pem;\n    ssl_certificate_key first.key;\n"
        "    ssl_certificate second.pem;\n    ssl_certificate_key second.key;\n  }\n}\n")


def run(tmp_path, first, second):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    pki.write("root.pem", root)
    for name, (sans, key) in (("first", first), ("second", second)):
        leaf = pki.leaf(root, sans[0], sans=sans, key=key)
        pki.write(f"{name}.pem", leaf)
        pki.write_key(f"{name}.key", leaf)
    (tmp_path / "nginx.conf").write_text(CONF)
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    return sorted((f.code, f.line) for f in result.findings)


def test_earlier_certificate_of_the_same_type_is_never_served(tmp_path):
    # the first one lacks www.a.test, but it is never served: only TLS009
    assert run(tmp_path, (["a.test"], "ec"), (["a.test", "www.a.test"], "ec")) == [("TLS009", 6)]


def test_the_served_one_is_judged(tmp_path):
    assert run(tmp_path, (["a.test", "www.a.test"], "ec"), (["a.test"], "ec")) == [("TLS009", 6), ("TLS501", 5)]


def test_rsa_and_ecdsa_are_both_served(tmp_path):
    assert run(tmp_path, (["a.test"], "rsa"), (["a.test", "www.a.test"], "ec")) == [("TLS501", 5)]


def test_a_replaced_certificate_is_still_loaded(tmp_path):
    # nginx refuses a weak key at load time, served or not
    found = run(tmp_path, (["a.test", "www.a.test"], "rsa1024"), (["a.test", "www.a.test"], "rsa"))
    assert ("TLS302", 6) in found and ("TLS009", 6) in found
