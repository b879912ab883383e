"""TLS501 for a name-based nginx server with no certificate of its own."""

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options


def run(tmp_path, body):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    leaf = pki.leaf(root, "www.example.test")
    pki.write("root.pem", root)
    pki.write("www.pem", leaf)
    pki.write_key("www.key", leaf)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n" + body + "}\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    return sorted((f.code, f.line) for f in result.findings if f.code == "TLS501")


DEFAULT = ("  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
           "    ssl_certificate www.pem;\n    ssl_certificate_key www.key;\n  }\n")


def test_name_based_server_gets_the_default_servers_certificate(tmp_path):
    other = "  server {\n    listen 443;\n    server_name shop.example.test;\n  }\n"
    assert run(tmp_path, DEFAULT + other) == [("TLS501", 11)]


def test_name_based_server_covered_by_the_default_certificate(tmp_path):
    other = "  server {\n    listen 443;\n    server_name www.example.test;\n  }\n"
    assert run(tmp_path, DEFAULT + other) == []


def test_server_with_its_own_certificate_is_judged_on_its_own(tmp_path):
    other = ("  server {\n    listen 443;\n    server_name shop.example.test;\n"
             "    ssl_certificate www.pem;\n    ssl_certificate_key www.key;\n  }\n")
    assert run(tmp_path, DEFAULT + other) == [("TLS501", 11)]
