"""TLS501 for Traefik: the certificate is picked by SNI from the whole store."""

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options


def test_a_name_covered_by_any_certificate_of_the_store_is_fine(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    www, api = pki.leaf(root, "www.example.test"), pki.leaf(root, "api.example.test")
    pki.write("root.pem", root)
    pki.write("www.pem", www)
    pki.write_key("www.key", www)
    pki.write("api.pem", api)
    pki.write_key("api.key", api)
    (tmp_path / "dynamic.yml").write_text(
        "http:\n  routers:\n    web:\n      rule: Host(`www.example.test`)\n      service: s\n      tls: {}\n"
        "    api:\n      rule: Host(`api.example.test`)\n      service: s\n      tls: {}\n"
        "    shop:\n      rule: Host(`shop.example.test`)\n      service: s\n      tls: {}\n"
        "  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:8080\n"
        "tls:\n  certificates:\n    - certFile: www.pem\n      keyFile: www.key\n"
        "    - certFile: api.pem\n      keyFile: api.key\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    assert sorted((f.code, f.line) for f in result.findings if f.code == "TLS501") == [("TLS501", 12)]
