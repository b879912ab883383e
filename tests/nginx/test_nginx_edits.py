"""Edits (set_value, insert_setting, remove_setting) and file detection."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from nginxkit import parse_conf, parse_file, tls001, write_tree  # noqa: E402

from tlslint.dialects import nginx  # noqa: E402


def apply(edit) -> str:
    text = edit.source.text
    return text[:edit.span.start] + edit.replacement + text[edit.span.end:]


def reparsed(tmp_path: Path, text: str, name: str = "re.conf"):
    doc = parse_conf(tmp_path / "re", text, name=name)
    assert tls001(doc) == []
    return doc


def setting(doc, key, nth=0):
    return [s for s in doc.settings if s.key == key][nth]


CONF = """\
events {}
http {
    server {
        listen 443 ssl;   # tls
        server_name www.example.test;
        ssl_certificate "certs/site one.pem";
        ssl_certificate_key 'certs/site.key';
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        ssl on;
        location / { proxy_pass https://up; }
    }
}
"""


def test_set_value_keeps_quoting(tmp_path):
    doc = parse_conf(tmp_path, CONF)
    cert = setting(doc, "ssl_certificate")
    text = apply(nginx.set_value(cert, "certs/site.fullchain.pem"))
    assert 'ssl_certificate "certs/site.fullchain.pem";' in text
    key = setting(doc, "ssl_certificate_key")
    assert "ssl_certificate_key 'it\\'s.key';" in apply(nginx.set_value(key, "it's.key"))
    name = setting(doc, "server_name")
    assert 'server_name "a b";' in apply(nginx.set_value(name.args[0], "a b"))
    protocols = setting(doc, "ssl_protocols")
    new = apply(nginx.set_value(protocols, "TLSv1.2 TLSv1.3"))
    assert "        ssl_protocols TLSv1.2 TLSv1.3;\n" in new
    redoc = reparsed(tmp_path, new)
    assert redoc.endpoints[0].protocols.value == {"TLSv1.2", "TLSv1.3"}
    # a value that needs quoting when the original was bare
    depth_doc = parse_conf(tmp_path / "d", "http { server { listen 443 ssl; ssl_ciphers HIGH; } }\n")
    out = apply(nginx.set_value(setting(depth_doc, "ssl_ciphers"), "HIGH:!aNULL;x"))
    assert 'ssl_ciphers "HIGH:!aNULL;x";' in out
    assert setting(reparsed(tmp_path, out), "ssl_ciphers").value == "HIGH:!aNULL;x"


def test_remove_setting(tmp_path):
    doc = parse_conf(tmp_path, CONF)
    out = apply(nginx.remove_setting(setting(doc, "ssl")))
    assert out == CONF.replace("        ssl on;\n", "")
    one_line = parse_conf(tmp_path / "o", "http { server { listen 443 ssl; ssl on; root /x; } }\n")
    assert apply(nginx.remove_setting(setting(one_line, "ssl"))) == "http { server { listen 443 ssl; root /x; } }\n"
    # removing through an argument Setting removes the directive
    assert apply(nginx.remove_setting(setting(doc, "ssl").args[0])) == CONF.replace("        ssl on;\n", "")


def test_insert_setting_after_the_last_ssl_directive(tmp_path):
    doc = parse_conf(tmp_path, CONF)
    server = next(e for e in doc.endpoints if e.role == "server")
    out = apply(nginx.insert_setting(server, "ssl_verify_depth", "2"))
    assert "        ssl on;\n        ssl_verify_depth 2;\n        location" in out
    assert reparsed(tmp_path, out).endpoints[0].depth.value == 2
    client = next(e for e in doc.endpoints if e.role == "client")
    out = apply(nginx.insert_setting(client, "proxy_ssl_verify", "on"))
    assert "location / { proxy_pass https://up; proxy_ssl_verify on; }" in out
    assert next(e for e in reparsed(tmp_path, out).endpoints if e.role == "client").verify.value == "required"


def test_insert_setting_for_a_pass_inside_if_goes_to_the_location(tmp_path):
    doc = parse_conf(tmp_path, "http { server { listen 80;\n  location /a {\n    if ($x) { proxy_pass https://u; }\n"
                               "    root /x;\n  }\n} }\n")
    [client] = doc.endpoints
    out = apply(nginx.insert_setting(client, "proxy_ssl_verify", "on"))
    assert out == ("http { server { listen 80;\n  location /a {\n    proxy_ssl_verify on;\n"
                   "    if ($x) { proxy_pass https://u; }\n    root /x;\n  }\n} }\n")


def test_insert_setting_at_block_start_with_crlf_and_tabs(tmp_path):
    text = "http {\r\n\tserver {\r\n\t\tlisten 443 ssl;\r\n\t\troot /srv;\r\n\t}\r\n}\r\n"
    doc = parse_conf(tmp_path, text)
    out = apply(nginx.insert_setting(doc.endpoints[0], "ssl_certificate", "certs/a.pem"))
    assert out == "http {\r\n\tserver {\r\n\t\tssl_certificate certs/a.pem;\r\n\t\tlisten 443 ssl;\r\n" \
                  "\t\troot /srv;\r\n\t}\r\n}\r\n"
    redoc = reparsed(tmp_path, out)
    assert redoc.endpoints[0].pairs[0].cert.path == "certs/a.pem"


def test_insert_setting_in_a_fragment(tmp_path):
    write_tree(tmp_path, {"frag/srv.conf": "listen 443 ssl;\nlocation / { root /x; }\n"})
    doc = parse_file(tmp_path / "frag/srv.conf")
    out = apply(nginx.insert_setting(doc.endpoints[0], "ssl_certificate", "a.pem"))
    assert out == "ssl_certificate a.pem;\nlisten 443 ssl;\nlocation / { root /x; }\n"


@pytest.mark.parametrize("rel, head, expected", [
    ("nginx.conf", "", "nginx"),
    ("etc/nginx/conf.d/site.conf", "server {\n listen 443 ssl;\n}\n", "nginx"),
    ("etc/nginx/sites-enabled/default", "# default\nserver {\n  listen 80 default_server;\n}\n", "nginx"),
    ("deploy/snippets/ssl.conf", "ssl_certificate /etc/ssl/a.pem;\nssl_certificate_key /etc/ssl/a.key;\n", "nginx"),
    ("app.conf", "upstream app {\n server 127.0.0.1:8000;\n}\n", "nginx"),
    ("dump.txt.nginx", "# configuration file /etc/nginx/nginx.conf:\nevents {}\n", "nginx"),
    ("nginx-T.txt", "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                    "# configuration file /etc/nginx/nginx.conf:\nuser www;\n", "nginx"),
    ("rabbitmq.conf", "listeners.ssl.default = 5671\nssl_options.cacertfile = /ca.pem\n", None),
    ("etc/rabbitmq/conf.d/10-tls.conf",
     "# server { }\nlisteners.ssl.default = 5671\nssl_options.verify = verify_peer\n", None),
    ("config.yml", "server:\n  listen: 443\n", None),
    ("app.conf", "[section]\nkey = value\n", None),
    ("notes.txt", "server { listen 443; }", None),
])
def test_detect(rel, head, expected):
    assert nginx.detect(Path(rel), head) == expected
