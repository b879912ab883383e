"""TLS501 for a name-based nginx server with no certificate of its own."""

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options


def run(tmp_path, body, leaves=(("www", ["www.example.test"]),), codes=("TLS501",)):
    """Check ``http { body }`` with a leaf NAME.pem/NAME.key per (NAME, SANs)
    under one trusted root; (code, line) of the findings with ``codes``."""
    pki = PkiFactory(tmp_path)
    root = pki.root()
    pki.write("root.pem", root)
    for name, sans in leaves:
        leaf = pki.leaf(root, sans[0], sans=sans)
        pki.write(f"{name}.pem", leaf)
        pki.write_key(f"{name}.key", leaf)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n" + body + "}\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    return sorted((f.code, f.line) for f in result.findings if codes is None or f.code in codes)


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


def test_each_address_has_its_own_default_server(tmp_path):
    """IPv4 and IPv6 sockets with different default servers: a server without a
    certificate of its own gets each one's certificate (confirmed with
    openssl s_client against nginx: CN=a.test over IPv4, *.a.test over IPv6)."""
    body = ("  server {\n    listen [::]:443 ssl;\n    listen 443 ssl;\n    server_name w.a.test;\n"
            "    ssl_certificate wild.pem;\n    ssl_certificate_key wild.key;\n  }\n"
            "  server {\n    listen 443 ssl default_server;\n    server_name a.test;\n"
            "    ssl_certificate apex.pem;\n    ssl_certificate_key apex.key;\n  }\n"
            "  server {\n    listen [::]:443 ssl;\n    listen 443 ssl;\n    server_name x.a.test;\n  }\n")
    assert run(tmp_path, body, leaves=(("wild", ["*.a.test"]), ("apex", ["a.test"]))) == [("TLS501", 19)]


def test_ip_name_gets_the_default_servers_certificate(tmp_path):
    """Clients connecting by IP send no SNI: nginx serves the default server's
    certificate even to a server with its own (curl: no alternative certificate
    subject name matches target host name '127.0.0.1')."""
    leaves = (("www", ["www.example.test"]), ("ip", ["IP:127.0.0.1"]))
    other = ("  server {\n    listen 443 ssl;\n    server_name 127.0.0.1;\n"
             "    ssl_certificate ip.pem;\n    ssl_certificate_key ip.key;\n  }\n")
    assert run(tmp_path, DEFAULT + other, leaves, codes=None) == [("TLS501", 11)]
    # as the default server itself, its own certificate is what clients get
    assert run(tmp_path, other + DEFAULT, leaves, codes=None) == []


def test_ip_name_is_judged_on_the_addresses_it_reaches(tmp_path):
    """127.0.0.1 arrives on the IPv4 socket only: the IPv6 default server's
    certificate does not matter for it (s_client -noservername to 127.0.0.1
    gets the IPv4 default's)."""
    leaves = (("ip", ["a.test", "IP:127.0.0.1"]), ("other", ["other.test"]))
    body = ("  server {\n    listen 8443 ssl;\n    server_name a.test;\n"
            "    ssl_certificate ip.pem;\n    ssl_certificate_key ip.key;\n  }\n"
            "  server {\n    listen [::]:8443 ssl;\n    server_name other.test;\n"
            "    ssl_certificate other.pem;\n    ssl_certificate_key other.key;\n  }\n"
            "  server {\n    listen 8443 ssl;\n    listen [::]:8443 ssl;\n    server_name 127.0.0.1;\n  }\n")
    assert run(tmp_path, body, leaves) == []
    # ::1 reaches only the IPv6 socket, whose default (other.pem) does not cover it
    assert run(tmp_path, body.replace("server_name 127.0.0.1", "server_name [::1]"), leaves) == [("TLS501", 18)]


def test_a_finding_in_a_shared_snippet_names_every_server_it_affects(tmp_path):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "ssl.conf").write_text("ssl_protocols TLSv1 TLSv1.2;\n")
    body = "".join(f"  server {{\n    listen {port} ssl;\n    server_name www.example.test;\n"
                   "    ssl_certificate www.pem;\n    ssl_certificate_key www.key;\n"
                   "    include snippets/ssl.conf;\n  }\n" for port in (443, 8443))
    run(tmp_path, body)
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    [finding] = [f for f in result.findings if f.code == "TLS601"]
    assert finding.path.endswith("ssl.conf") and ":443" in finding.endpoint
    assert [r.message for r in finding.related] == ["also in server :8443 www.example.test"]
