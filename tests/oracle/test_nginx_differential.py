"""Differential test against real nginx: `nginx -t` is the judge of what refuses to load.

For each generated tree: wherever `nginx -t` refuses the config because of
TLS, tlslint reports the corresponding error code; wherever `nginx -t`
accepts it, tlslint reports none of TLS001/002/301/703.
The case also states nginx's verdict, so a change in the oracle is noticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
if NGINX is None:
    if os.environ.get("TLSLINT_REQUIRE_NGINX"):
        raise RuntimeError("nginx is required for the differential tests (apt-get install nginx-light)")
    pytest.skip("nginx not installed (apt-get install nginx-light)", allow_module_level=True)

LOAD_ERRORS = {"TLS001", "TLS002", "TLS301", "TLS703"}


def nginx_accepts(conf: Path) -> tuple[bool, str]:
    run = subprocess.run([NGINX, "-t", "-q", "-e", "stderr", "-p", str(conf.parent), "-c", str(conf)],
                         capture_output=True, text=True)
    return run.returncode == 0, run.stderr


def nginx_version() -> tuple[int, int, int]:
    """The installed nginx's version: tlslint judges the trees for exactly it."""
    from tlslint.dialects.nginx.versions import parse_version

    banner = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr
    return parse_version(banner.split("nginx/", 1)[1].split()[0])


def tlslint_codes(tree: Path) -> set[str]:
    result = engine.check([tree], Options(now=NOW, use_system_store=False, nginx_version=nginx_version()))
    assert not result.internal_errors, result.internal_errors
    return {f.code for f in result.findings}


def http(body: str, top: str = "") -> str:
    return f"events {{}}\n{top}http {{\n{body}\n}}\n"


def server(body: str, listen: str = "127.0.0.1:18443 ssl") -> str:
    return f"  server {{\n    listen {listen};\n    server_name www.example.test;\n{body}\n  }}"


def make_pki(tmp_path: Path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter)
    pki.write("certs/fullchain.pem", leaf, inter)
    pki.write("certs/root.pem", root)
    pki.write_key("certs/site.key", leaf)
    return pki, root, inter, leaf


# the site's certificate and key lines (make_pki writes the files)
SITE_CERT = "    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/site.key;"


def case_valid(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT)), True, None


def case_key_mismatch(tmp_path):
    pki, root, inter, leaf = make_pki(tmp_path)
    pki.write_key("certs/other.key", pki.leaf(inter, "other.example.test"))
    return http(server("    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/other.key;")), False, "TLS301"


def case_bundle_before_leaf(tmp_path):
    pki, root, inter, leaf = make_pki(tmp_path)
    pki.write("certs/reversed.pem", inter, leaf)
    return http(server("    ssl_certificate certs/reversed.pem;\n    ssl_certificate_key certs/site.key;")), False, "TLS301"


def case_inherited_key_mismatch(tmp_path):
    pki, root, inter, leaf = make_pki(tmp_path)
    other = pki.leaf(inter, "other.example.test")
    pki.write("certs/other.pem", other, inter)
    body = ("  ssl_certificate certs/fullchain.pem;\n  ssl_certificate_key certs/site.key;\n"
            + server("    ssl_certificate certs/other.pem;"))
    return http(body), False, "TLS301"


def case_missing_cert(tmp_path):
    make_pki(tmp_path)
    return http(server("    ssl_certificate certs/nope.pem;\n    ssl_certificate_key certs/site.key;")), False, "TLS002"


def case_missing_key(tmp_path):
    make_pki(tmp_path)
    return http(server("    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/nope.key;")), False, "TLS002"


def case_listen_ssl_without_cert(tmp_path):
    return http(server("")), False, "TLS703"


def case_verify_client_without_ca(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    ssl_verify_client on;")), False, "TLS205"


def case_verify_client_with_ca(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    ssl_verify_client on;\n    ssl_client_certificate certs/root.pem;\n"
                       "    ssl_verify_depth 2;")), True, None


def case_verify_client_with_trusted_certificate_only(tmp_path):
    """Refused before nginx 1.27.2, accepted since: the oracle decides which."""
    make_pki(tmp_path)
    text = http(server(SITE_CERT + "\n"
                       "    ssl_verify_client on;\n    ssl_trusted_certificate certs/root.pem;"))
    return text, nginx_version() >= (1, 27, 2), "TLS205"


def case_ssl_directive(tmp_path):
    """Deprecated (a warning) until nginx 1.25.1, an unknown directive since."""
    make_pki(tmp_path)
    text = http(server("    ssl on;\n    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/site.key;",
                       listen="127.0.0.1:18443"))
    return text, nginx_version() < (1, 25, 1), "TLS001"


def case_ssl_on_in_name_based_server_without_certificate(tmp_path):
    """`ssl on` needs a certificate even where it does nothing (a name-based
    server on a plain address)."""
    make_pki(tmp_path)
    text = http("  server {\n    listen 127.0.0.1:18446;\n    server_name plain.test;\n  }\n"
                "  server {\n    listen 127.0.0.1:18446;\n    server_name a.test;\n    ssl on;\n  }")
    return text, False, "TLS703" if nginx_version() < (1, 25, 1) else "TLS001"


def case_verify_client_without_ca_on_a_plain_server(tmp_path):
    """nginx loads the certificates of a server that listens for no TLS, and
    checks ssl_verify_client there too."""
    make_pki(tmp_path)
    text = http(server(SITE_CERT + "\n"
                       "    ssl_verify_client on;", listen="127.0.0.1:18080"))
    return text, False, "TLS205"


def case_proxy_verify_without_ca(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    location / {\n      proxy_pass https://10.0.0.1;\n      proxy_ssl_verify on;\n    }")), \
        False, "TLS205"


def case_weak_rsa_leaf(tmp_path):
    pki, root, inter, _ = make_pki(tmp_path)
    weak = pki.leaf(inter, key="rsa1024")
    pki.write("certs/weak.pem", weak, inter)
    pki.write_key("certs/weak.key", weak)
    return http(server("    ssl_certificate certs/weak.pem;\n    ssl_certificate_key certs/weak.key;")), False, "TLS302"


def case_sha1_leaf(tmp_path):
    pki, root, inter, _ = make_pki(tmp_path)
    sha1 = pki.sha1_leaf(inter, "www.example.test")
    pki.write("certs/sha1.pem", sha1, inter)
    pki.write_key("certs/sha1.key", sha1)
    return http(server("    ssl_certificate certs/sha1.pem;\n    ssl_certificate_key certs/sha1.key;")), False, "TLS108"


def case_encrypted_key_without_password(tmp_path):
    pki, root, inter, leaf = make_pki(tmp_path)
    pki.write_key("certs/enc.key", leaf, password=b"s3cret-pass")
    return http(server("    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/enc.key;")), False, "TLS303"


def case_encrypted_key_with_password_file(tmp_path):
    pki, root, inter, leaf = make_pki(tmp_path)
    pki.write_key("certs/enc.key", leaf, password=b"s3cret-pass")
    (tmp_path / "certs" / "pass.txt").write_text("wrong\ns3cret-pass\n")
    return http(server("    ssl_certificate certs/fullchain.pem;\n    ssl_certificate_key certs/enc.key;\n"
                       "    ssl_password_file certs/pass.txt;")), True, None


def case_fewer_keys_than_certs(tmp_path):
    pki, root, inter, leaf = make_pki(tmp_path)
    rsa_leaf = pki.leaf(inter, key="rsa2048")
    pki.write("certs/rsa.pem", rsa_leaf, inter)
    return http(server("    ssl_certificate certs/fullchain.pem;\n    ssl_certificate certs/rsa.pem;\n"
                       "    ssl_certificate_key certs/site.key;")), False, "TLS304"


def case_missing_brace(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT)
                + "\n  server {"), False, "TLS001"


def case_missing_semicolon(tmp_path):
    """nginx reads the next line as more arguments: 'invalid number of arguments'."""
    make_pki(tmp_path)
    return http(server("    ssl_certificate certs/fullchain.pem\n    ssl_certificate_key certs/site.key;")), False, "TLS001"


def case_include_resolves_against_main_dir(tmp_path):
    make_pki(tmp_path)
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "site.conf").write_text(
        server(SITE_CERT) + "\n")
    return http("  include conf.d/*.conf;"), True, None


def case_garbage_cert(tmp_path):
    make_pki(tmp_path)
    (tmp_path / "certs" / "junk.pem").write_text("not a certificate\n")
    return http(server("    ssl_certificate certs/junk.pem;\n    ssl_certificate_key certs/site.key;")), False, "TLS004"


def case_typo_in_tls_directive(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    ssl_verify_clinet on;")), False, "TLS007"


def case_listen_missing_semicolon(tmp_path):
    """The next line's words become listen parameters: 'invalid parameter'."""
    make_pki(tmp_path)
    return http(server(SITE_CERT,
                       listen="127.0.0.1:18443 ssl\n    proxy_protocol_timeout 5s")), False, "TLS001"


def case_listen_parameters(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT,
                       listen="127.0.0.1:18443 ssl default_server reuseport backlog=511 so_keepalive=on")), True, None


def case_crl_file_holding_only_certificates(tmp_path):
    """nginx loads it (X509_LOOKUP_load_file takes certificates too); every
    client check then fails for want of a CRL (TLS404), not at start."""
    make_pki(tmp_path)
    text = http(server(SITE_CERT + "\n"
                       "    ssl_verify_client on;\n    ssl_client_certificate certs/root.pem;\n"
                       "    ssl_verify_depth 2;\n    ssl_crl certs/root.pem;"))
    return text, True, None


def case_missing_dhparam_file(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    ssl_dhparam certs/dhparam.pem;")), False, "TLS002"


def case_missing_session_ticket_key(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    ssl_session_ticket_key certs/ticket.key;")), False, "TLS002"


def case_weak_dh_parameters(tmp_path):
    """OpenSSL's security level refuses 1024-bit DH parameters ('dh key too small')."""
    make_pki(tmp_path)
    subprocess.run(["openssl", "dhparam", "-dsaparam", "-out", str(tmp_path / "certs" / "dh.pem"), "1024"],
                   check=True, capture_output=True)
    return http(server(SITE_CERT + "\n"
                       "    ssl_dhparam certs/dh.pem;")), False, "TLS302"


def case_session_ticket_key_of_the_wrong_size(tmp_path):
    """'must be 48 or 80 bytes'."""
    make_pki(tmp_path)
    (tmp_path / "certs" / "ticket.key").write_bytes(b"0123456789")
    return http(server(SITE_CERT + "\n    ssl_session_ticket_key certs/ticket.key;")), False, "TLS004"


def case_dhparam_file_without_dh_parameters(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n    ssl_dhparam certs/root.pem;")), False, "TLS004"


def case_certificate_in_location(tmp_path):
    make_pki(tmp_path)
    return http(server("    ssl_certificate_key certs/site.key;\n"
                       "    location / {\n      ssl_certificate certs/fullchain.pem;\n    }")), False, "TLS001"


def case_upstream_verify_inside_if(tmp_path):
    make_pki(tmp_path)
    return http(server(SITE_CERT + "\n"
                       "    location / {\n      if ($http_x) {\n        proxy_ssl_verify on;\n      }\n"
                       "      proxy_pass https://127.0.0.1:9;\n    }")), False, "TLS001"


def case_listen_at_http_level(tmp_path):
    make_pki(tmp_path)
    return http("  listen 127.0.0.1:18443 ssl;\n" + server(
        SITE_CERT)), False, "TLS001"


def case_server_blocks_included_outside_http(tmp_path):
    make_pki(tmp_path)
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "site.conf").write_text(
        server(SITE_CERT) + "\n")
    return "events {}\ninclude sites/*.conf;\nhttp {\n}\n", False, "TLS001"


def case_directives_where_nginx_allows_them(tmp_path):
    """Upstream TLS at every level it is allowed on, proxy_pass inside if and
    limit_except, ssl_* at http level, a nested location, a server snippet
    included inside server: nginx accepts all of it."""
    make_pki(tmp_path)
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "tls.conf").write_text(
        "ssl_certificate certs/fullchain.pem;\nssl_certificate_key certs/site.key;\nssl_protocols TLSv1.2 TLSv1.3;\n")
    body = ("    include snippets/tls.conf;\n    proxy_ssl_verify_depth 2;\n"
            "    location / {\n      proxy_ssl_server_name on;\n      location /inner {\n"
            "        limit_except GET {\n          proxy_pass https://127.0.0.1:9;\n        }\n      }\n"
            "      if ($http_x) {\n        proxy_pass https://127.0.0.1:9;\n      }\n"
            "      proxy_pass https://127.0.0.1:9;\n    }")
    return http("  ssl_session_cache shared:SSL:1m;\n  proxy_ssl_protocols TLSv1.2;\n" + server(body)), True, None


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_nginx_oracle(tmp_path, name):
    text, nginx_should_accept, expected = CASES[name](tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    accepted, stderr = nginx_accepts(conf)
    assert accepted == nginx_should_accept, f"nginx -t changed its verdict:\n{stderr}"
    codes = tlslint_codes(tmp_path)
    if accepted:
        assert not codes & LOAD_ERRORS, (codes, stderr)
    else:
        assert expected in codes, (expected, codes, stderr)
