"""The endpoint model: nginx's inheritance traps, listen sockets, upstream TLS,
includes, fragments, dumps, and the problems the dialect reports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from nginxkit import codes, endpoint, nginx_oracle, parse_conf, parse_file, tls001, write_tree  # noqa: E402


def pairs(ep):
    return [(p.cert.path if p.cert else None, p.key.path if p.key else None) for p in ep.pairs]


# ------------------------------------------------------------------ inheritance

def test_server_overriding_only_the_certificate_pairs_it_with_the_http_key(tmp_path):
    doc = parse_conf(tmp_path, """
        events {}
        http {
            ssl_certificate     http.pem;
            ssl_certificate_key http.key;
            server {
                listen 443 ssl;
                server_name www.example.test;
                ssl_certificate www.pem;
            }
        }
    """)
    ep = endpoint(doc, "www.example.test")
    assert pairs(ep) == [("www.pem", "http.key")]
    assert ep.pairs[0].cert.setting.line == 9 and ep.pairs[0].key.setting.line == 5


def test_arrays_are_replaced_whole_and_zipped_by_index(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            ssl_certificate rsa.pem;
            ssl_certificate ecdsa.pem;
            ssl_certificate_key rsa.key;
            ssl_certificate_key ecdsa.key;
            server { listen 443 ssl; server_name both; }
            server { listen 8443 ssl; server_name one; ssl_certificate one.pem; ssl_certificate_key one.key; }
            server { listen 9443 ssl; server_name fewer; ssl_certificate a.pem; ssl_certificate b.pem;
                     ssl_certificate_key a.key; }
            server { listen 9444 ssl; server_name extra; ssl_certificate a.pem;
                     ssl_certificate_key a.key; ssl_certificate_key b.key; }
        }
    """)
    assert pairs(endpoint(doc, "both")) == [("rsa.pem", "rsa.key"), ("ecdsa.pem", "ecdsa.key")]
    assert pairs(endpoint(doc, "one")) == [("one.pem", "one.key")]
    assert pairs(endpoint(doc, "fewer")) == [("a.pem", "a.key"), ("b.pem", None)]
    assert pairs(endpoint(doc, "extra")) == [("a.pem", "a.key")]


def test_password_files_apply_to_every_pair(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            ssl_password_file pass.txt;
            server { listen 443 ssl; ssl_certificate a.pem; ssl_certificate_key a.key;
                     ssl_certificate b.pem; ssl_certificate_key b.key; }
        }
    """)
    ep = doc.endpoints[0]
    assert [[f.path for f in p.password_files] for p in ep.pairs] == [["pass.txt"], ["pass.txt"]]
    assert ep.pairs[0].password_files[0].kind == "password"


def test_protocols_repeats_are_ored_and_defaults_are_explained(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            ssl_protocols TLSv1.2;
            ssl_protocols tlsv1 TLSv1.3;
            ssl_certificate a.pem; ssl_certificate_key a.key;
            server { listen 443 ssl; server_name inherits; }
            server { listen 8443 ssl; server_name own; ssl_protocols TLSv1.3; }
        }
        stream { server { listen 9000 ssl; ssl_certificate a.pem; ssl_certificate_key a.key; } }
    """)
    inherits = endpoint(doc, "inherits")
    assert inherits.protocols.value == {"TLSv1", "TLSv1.2", "TLSv1.3"}
    assert inherits.protocols.setting.line == 3
    assert endpoint(doc, "own").protocols.value == {"TLSv1.3"}
    stream = endpoint(doc, "stream server")
    assert stream.protocols.value == {"TLSv1.2", "TLSv1.3"} and stream.protocols.is_default
    assert "1.27.3" in stream.protocols.default_note
    assert "TLS009" not in codes(doc)


def test_verify_client_depth_and_ca_files(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            ssl_verify_client on;
            ssl_client_certificate ca.pem;
            ssl_certificate a.pem; ssl_certificate_key a.key;
            server { listen 443 ssl; server_name strict; ssl_trusted_certificate more.pem; ssl_crl crl.pem; }
            server { listen 8443 ssl; server_name opt; ssl_verify_client optional_no_ca; ssl_verify_depth 3; }
            server { listen 9443 ssl; server_name plain; ssl_verify_client off; }
        }
    """)
    strict = endpoint(doc, "strict")
    assert strict.verify.value == "required" and strict.verify.setting.line == 3
    assert [(f.kind, f.path) for f in strict.ca_files] == [("ca", "ca.pem"), ("ca", "more.pem")]
    assert [(f.kind, f.path) for f in strict.crl_files] == [("crl", "crl.pem")]
    assert strict.depth.value == 1 and strict.depth.is_default and "ssl_verify_depth 1" in strict.depth.default_note
    assert strict.depth_semantics == "openssl"
    opt = endpoint(doc, "opt")
    assert opt.verify.value == "optional_no_verify" and opt.depth.value == 3 and opt.depth.setting.line == 7
    assert endpoint(doc, "plain").verify.value == "none"
    assert strict.settings["ssl_verify_client"].line == 3
    assert strict.ciphers.value == "HIGH:!aNULL:!MD5" and strict.ciphers.is_default


def test_names(tmp_path):
    doc = parse_conf(tmp_path, """
        http { server {
            listen 443 ssl; ssl_certificate a.pem; ssl_certificate_key a.key;
            server_name Www.Example.test .example.org *.wild.test _ "" ~^re\\.gex$ www.*.bad mail.*;
        } }
    """)
    ep = doc.endpoints[0]
    assert [n.value for n in ep.names] == ["www.example.test", "example.org", "*.example.org", "*.wild.test"]
    assert all(n.setting is not None and n.setting.key == "server_name" for n in ep.names)
    assert ep.label == "server :443 Www.Example.test"


# ------------------------------------------------------------------ listen sockets

def test_default_server_requires_a_certificate_others_fall_back(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            server { listen 443 ssl; server_name first; ssl_certificate a.pem; ssl_certificate_key a.key; }
            server { listen 443 ssl; server_name second; }
            server { listen 443; server_name shares-the-socket; }
            server { listen 8443 ssl; server_name b1; }
            server { listen 8443 ssl default_server; server_name b2; ssl_certificate b.pem; ssl_certificate_key b.key; }
            server { listen 80; server_name plain; }
        }
    """)
    first = endpoint(doc, "first")
    assert first.requires_certificate and first.anchor.key == "listen" and first.anchor.line == 3
    second = endpoint(doc, "second")
    assert not second.requires_certificate and second.pairs == []
    assert second.settings["_default_server"] is first.settings["_block"]
    assert second.settings["_default_server_cert"].value == "a.pem"
    shares = endpoint(doc, "shares-the-socket")  # "ssl" on any listen of the address makes it TLS
    assert not shares.requires_certificate and shares.anchor.key == "listen"
    assert not endpoint(doc, "b1").requires_certificate
    assert endpoint(doc, "b2").requires_certificate
    assert not [e for e in doc.endpoints if "plain" in e.label]


def test_http_level_certificate_makes_every_server_load_it(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            ssl_certificate a.pem; ssl_certificate_key a.key;
            server { listen 80; server_name plain.example.test; }
        }
    """)
    ep = endpoint(doc, "plain.example.test")
    assert not ep.requires_certificate and ep.names == [] and pairs(ep) == [("a.pem", "a.key")]
    assert ep.anchor.key == "server"


def test_listen_ssl_without_any_certificate(tmp_path):
    doc = parse_conf(tmp_path, """
        http { server { listen 443 ssl; server_name nocert; } }
    """)
    ep = endpoint(doc, "nocert")
    assert ep.requires_certificate and ep.pairs == []


def test_reject_handshake_default_server(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            server { listen 443 ssl default_server; ssl_reject_handshake on; }
            server { listen 443 ssl; server_name named; }
        }
    """)
    assert [e.label for e in doc.endpoints] == ["server :443 named"]
    assert doc.endpoints[0].requires_certificate  # nginx then checks every server of the socket


def test_requires_certificate_matches_nginx(tmp_path):
    """What nginx -t refuses ("no ssl_certificate is defined for the listen ... ssl
    directive") is exactly requires_certificate without pairs."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from pkifactory import PkiFactory

    pki = PkiFactory(tmp_path)
    leaf = pki.self_signed_leaf()
    cert = pki.write("a.pem", leaf)
    key = pki.write_key("a.key", leaf)
    cases = {
        "named-without-cert": f"server {{ listen 8443 ssl; ssl_certificate {cert}; ssl_certificate_key {key}; }}\n"
                              "server { listen 8443 ssl; server_name b; }",
        "default-without-cert": "server { listen 8443 ssl; server_name b; }\n"
                                f"server {{ listen 8443 ssl; ssl_certificate {cert}; ssl_certificate_key {key}; }}",
        "explicit-default": "server { listen 8443 ssl; server_name b; }\n"
                            f"server {{ listen 8443 ssl default_server; ssl_certificate {cert}; "
                            f"ssl_certificate_key {key}; }}",
        "plain-listen-on-tls-socket": "server { listen 8443; server_name b; }\n"
                                      f"server {{ listen 8443 ssl; ssl_certificate {cert}; "
                                      f"ssl_certificate_key {key}; }}",
        "plain-listen-not-default": f"server {{ listen 8443 ssl; ssl_certificate {cert}; "
                                    f"ssl_certificate_key {key}; }}\n"
                                    "server { listen 8443; server_name b; }",
        "specific-address": "server { listen 127.0.0.1:8443 ssl; server_name b; }\n"
                            f"server {{ listen 8443 ssl; ssl_certificate {cert}; ssl_certificate_key {key}; }}",
        "reject-handshake-default": "server { listen 8443 ssl; ssl_reject_handshake on; }\n"
                                    "server { listen 8443 ssl; server_name a; }",
        "reject-handshake-alone": "server { listen 8443 ssl; ssl_reject_handshake on; }",
        "http-level-cert-plain-server": "server { listen 8080; }",
    }
    for name, servers in cases.items():
        top = f"ssl_certificate {cert}; ssl_certificate_key {key};\n" if "http-level" in name else ""
        text = f"events {{}}\nhttp {{\n{top}{servers}\n}}\n"
        oracle = nginx_oracle(tmp_path / name, text)
        if oracle is None:
            pytest.skip("nginx not runnable here")
        doc = parse_conf(tmp_path / name, text)
        refused = any(e.requires_certificate and not e.pairs for e in doc.endpoints)
        assert refused == ("ssl_certificate" in oracle[0]), (name, oracle)


# ------------------------------------------------------------------ files

def test_file_refs(tmp_path):
    doc = parse_conf(tmp_path, """
        http { server {
            listen 443 ssl;
            ssl_certificate $ssl_server_name.crt;
            ssl_certificate_key engine:pkcs11:id_45;
            ssl_certificate "data:-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----";
            ssl_certificate_key data:$secret_key;
            ssl_certificate /abs/c.pem;
            ssl_certificate_key store:pkcs11:token;
        } }
    """)
    ep = doc.endpoints[0]
    c1, c2, c3 = (p.cert for p in ep.pairs)
    k1, k2, k3 = (p.key for p in ep.pairs)
    assert c1.unresolved == "uses variable $ssl_server_name"
    assert k1.unresolved.startswith("key loaded from an OpenSSL engine")
    assert c2.inline.startswith(b"-----BEGIN CERTIFICATE-----\nMIIB") and c2.unresolved is None
    assert k2.unresolved == "uses variable $secret_key" and k2.inline is None
    assert c3.path == "/abs/c.pem" and c3.unresolved is None and c3.base_dir == tmp_path
    assert k3.unresolved.startswith("key loaded from an OpenSSL engine")


def test_relative_paths_in_included_files_resolve_against_the_main_config_dir(tmp_path):
    write_tree(tmp_path, {
        "etc/nginx/nginx.conf": "events {}\nhttp { include sites/*.conf; }\n",
        "etc/nginx/sites/site.conf": "server { listen 443 ssl; ssl_certificate certs/site.pem; "
                                     "ssl_certificate_key certs/site.key; }\n",
    })
    doc = parse_file(tmp_path / "etc/nginx/nginx.conf")
    ep = doc.endpoints[0]
    assert ep.pairs[0].cert.base_dir == tmp_path / "etc/nginx"
    assert ep.pairs[0].cert.setting.source.path.name == "site.conf"
    assert [s.path.name for s in doc.sources] == ["nginx.conf", "site.conf"]


# ------------------------------------------------------------------ includes

def test_include_glob_order_context_and_missing_files(tmp_path):
    write_tree(tmp_path, {
        "nginx.conf": """
            events {}
            http {
                include conf.d/*.conf;
                include nothing/*.conf;
                server {
                    listen 443 ssl;
                    include snippets/ssl.conf;
                }
            }
        """,
        "conf.d/b.conf": "server { listen 8443 ssl; server_name b; ssl_certificate b.pem; ssl_certificate_key b.key; }",
        "conf.d/a.conf": "server { listen 9443 ssl; server_name a; ssl_certificate a.pem; ssl_certificate_key a.key; }",
        "conf.d/.hidden.conf": "this is not nginx {",
        "snippets/ssl.conf": "ssl_certificate s.pem;\nssl_certificate_key s.key;\n",
    })
    doc = parse_file(tmp_path / "nginx.conf")
    assert tls001(doc) == []
    assert [s.path.name for s in doc.sources] == ["nginx.conf", "a.conf", "b.conf", "ssl.conf"]
    assert [e.label for e in doc.endpoints] == ["server :9443 a", "server :8443 b", "server :443"]
    assert pairs(doc.endpoints[2]) == [("s.pem", "s.key")]

    write_tree(tmp_path, {"broken.conf": "events {}\nhttp {\n    include missing.conf;\n"
                                         "    server { listen 443 ssl; ssl_certificate a.pem; "
                                         "ssl_certificate_key a.key; }\n}\n"})
    doc = parse_file(tmp_path / "broken.conf")
    [(name, line, message)] = tls001(doc)
    assert (name, line) == ("broken.conf", 3)
    assert message == f'open() "{tmp_path / "missing.conf"}" failed (2: No such file or directory)'
    assert len(doc.endpoints) == 1  # the rest is still modelled


def test_include_cycle_is_reported_not_followed(tmp_path):
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp { include a.conf; }\n",
        "a.conf": "include b.conf;\n",
        "b.conf": "\ninclude a.conf;\n",
    })
    doc = parse_file(tmp_path / "nginx.conf")
    [(name, line, message)] = tls001(doc)
    assert (name, line) == ("b.conf", 2)
    assert message == "include cycle: a.conf -> b.conf -> a.conf"


def test_a_syntax_error_in_an_included_file_stops_everything(tmp_path):
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp {\n include a.conf;\n server { listen 443 ssl; }\n x y\n}\n",
        "a.conf": "server {\n listen 443 ssl;\n",
    })
    doc = parse_file(tmp_path / "nginx.conf")
    # nginx processes the include (line 3) before it reaches line 6
    assert tls001(doc) == [("a.conf", 3, 'unexpected end of file, expecting "}"')]
    assert doc.endpoints == []
    assert any(s.key == "include" for s in doc.settings)


def test_fragments(tmp_path):
    write_tree(tmp_path, {
        "nginx/nginx.conf": "events {}\nhttp { include conf.d/*.conf; }\n",
        "nginx/conf.d/site.conf": "server { listen 443 ssl; ssl_certificate certs/a.pem; "
                                  "ssl_certificate_key certs/a.key; include snippets/x.conf; }\n",
        "nginx/snippets/x.conf": "ssl_protocols TLSv1.3;\n",
        "other/sites-enabled/default": "server { listen 443 ssl; ssl_certificate c.pem; }\n",
        "frag/locations.conf": "location /api { proxy_pass https://api.internal; }\n"
                               "location / { root /srv; }\n",
        "frag/stream.conf": "server { listen 5671 ssl; proxy_pass rabbit:5671; proxy_ssl on; "
                            "ssl_certificate s.pem; ssl_certificate_key s.key; }\n",
    })
    site = parse_file(tmp_path / "nginx/conf.d/site.conf")
    assert tls001(site) == []
    ep = site.endpoints[0]
    assert ep.pairs[0].cert.base_dir == tmp_path / "nginx"
    assert ep.protocols.value == {"TLSv1.3"}

    default = parse_file(tmp_path / "other/sites-enabled/default")
    assert default.endpoints[0].pairs[0].cert.base_dir == tmp_path / "other"

    locations = parse_file(tmp_path / "frag/locations.conf")
    [client] = locations.endpoints
    assert client.role == "client" and client.label == "proxy_pass https://api.internal (location /api)"

    stream = parse_file(tmp_path / "frag/stream.conf")
    assert sorted((e.role, e.label) for e in stream.endpoints) == [
        ("client", "proxy_pass rabbit:5671 (stream server :5671)"), ("server", "stream server :5671")]


def test_nginx_T_dump(tmp_path):
    dump = """\
# configuration file /etc/nginx/nginx.conf:
events {}
http {
    include /etc/nginx/conf.d/*.conf;
    include mime.types;
}

# configuration file /etc/nginx/conf.d/site.conf:
server {
    listen 443 ssl;
    server_name dump.example.test;
    ssl_certificate certs/site.pem;
    ssl_certificate_key certs/site.key;
}

# configuration file /etc/nginx/mime.types:
types { text/html html; }
"""
    path = tmp_path / "nginx-T.txt"
    path.write_text("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                    "nginx: configuration file /etc/nginx/nginx.conf test is successful\n" + dump)
    doc = parse_file(path)
    assert tls001(doc) == []
    ep = endpoint(doc, "dump.example.test")
    assert ep.pairs[0].cert.base_dir == Path("/etc/nginx")
    assert ep.anchor.source is doc.source and ep.anchor.line == 12
    assert doc.sources == [doc.source]


# ------------------------------------------------------------------ upstream TLS

def test_upstream_clients(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            proxy_ssl_trusted_certificate http-ca.pem;
            upstream backend { server 10.0.0.1:443; }
            server {
                listen 80;
                proxy_ssl_verify on;
                location /default { proxy_pass https://api.example.test:8443/v1; proxy_ssl_verify off; }
                location /group {
                    proxy_pass https://backend;
                    proxy_ssl_certificate client.pem;
                    proxy_ssl_certificate_key client.key;
                    proxy_ssl_verify_depth 2;
                }
                location /named { proxy_pass https://backend; proxy_ssl_name api.example.test;
                                  proxy_ssl_protocols TLSv1.1; proxy_ssl_ciphers HIGH; }
                location /plain { proxy_pass http://backend; }
                location /grpc { grpc_pass grpcs://grpc.example.test:443; }
                location /uwsgi { uwsgi_pass suwsgi://10.1.1.1:9000; uwsgi_ssl_verify on; }
                location /outer { location /outer/inner { if ($x) { proxy_pass https://in.example.test; } } }
            }
        }
    """)
    default = endpoint(doc, "(location /default)", role="client")
    assert default.verify.value == "none" and default.verify.setting.line == 8
    assert default.hostname_check.value is False
    assert [n.value for n in default.names] == ["api.example.test"] and default.names[0].is_default

    group = endpoint(doc, "(location /group)", role="client")
    assert group.verify.value == "required" and group.verify.setting.line == 7  # inherited from server
    assert group.hostname_check.value is True
    assert [f.path for f in group.ca_files] == ["http-ca.pem"]
    assert pairs(group) == [("client.pem", "client.key")]
    assert group.depth.value == 2
    assert group.settings["_upstream_block"].key == "upstream"
    assert [n.value for n in group.names] == ["backend"] and group.names[0].is_default
    assert group.anchor.key == "proxy_pass" and group.label == "proxy_pass https://backend (location /group)"
    assert group.protocols.value == {"TLSv1.2", "TLSv1.3"} and group.ciphers.value == "DEFAULT"
    assert "ssl_certificate" not in group.settings

    named = endpoint(doc, "(location /named)", role="client")
    assert [(n.value, n.is_default) for n in named.names] == [("api.example.test", False)]
    assert named.protocols.value == {"TLSv1.1"} and named.ciphers.value == "HIGH"

    assert not [e for e in doc.endpoints if "/plain" in e.label]
    grpc = endpoint(doc, "grpc_pass", role="client")
    assert grpc.verify.value == "none" and "grpc_ssl_verify" in grpc.verify.default_note
    uwsgi = endpoint(doc, "uwsgi_pass", role="client")
    assert uwsgi.verify.value == "required" and [n.value for n in uwsgi.names] == ["10.1.1.1"]
    inner = endpoint(doc, "in.example.test", role="client")
    assert inner.label == "proxy_pass https://in.example.test (location /outer/inner)"
    assert inner.verify.value == "required"
    assert all(not e.requires_certificate for e in doc.endpoints if e.role == "client")
    assert not [e for e in doc.endpoints if e.role == "server"]


def test_stream_and_mail(tmp_path):
    doc = parse_conf(tmp_path, """
        stream {
            ssl_certificate s.pem; ssl_certificate_key s.key;
            upstream pool { server 10.0.0.1:5671; }
            server { listen 12345 ssl; proxy_pass pool; proxy_ssl on; proxy_ssl_verify on;
                     proxy_ssl_trusted_certificate ca.pem; }
            server { listen 12346; proxy_pass 10.0.0.2:22; }
        }
        mail {
            ssl_certificate m.pem; ssl_certificate_key m.key;
            server { listen 993 ssl; protocol imap; }
            server { listen 587; protocol smtp; starttls only; }
            server { listen 25; protocol smtp; }
        }
    """)
    server = endpoint(doc, "stream server :12345")
    assert pairs(server) == [("s.pem", "s.key")] and server.requires_certificate
    client = endpoint(doc, "proxy_pass pool", role="client")
    assert client.verify.value == "required" and client.settings["_upstream_block"].value == "pool"
    plain = [e for e in doc.endpoints if ":12346" in e.label]
    assert [e.requires_certificate for e in plain] == [False]  # inherits the stream-level certificate
    assert endpoint(doc, "mail server :993").requires_certificate
    assert endpoint(doc, "mail server :587").settings["starttls"].value == "only"
    assert not [e for e in doc.endpoints if ":25" in e.label]


# ------------------------------------------------------------------ problems

def test_deprecated_ssl_directive(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            server {
                listen 443;
                listen [::]:443;
                ssl on;
                ssl_certificate a.pem; ssl_certificate_key a.key;
            }
        }
    """)
    [problem] = [p for p in doc.problems if p.code == "TLS702"]
    assert problem.setting.key == "ssl" and problem.location.start()[0] == 6
    assert [l.raw for l in problem.data["listens"]] == ["443", "[::]:443"]
    ep = doc.endpoints[0]
    assert ep.requires_certificate and ep.label == "server :443"


def test_duplicate_scalars(tmp_path):
    doc = parse_conf(tmp_path, """
        http {
            ssl_ciphers A;
            ssl_protocols TLSv1.2;
            ssl_protocols TLSv1.3;
            ssl_certificate a.pem;
            ssl_certificate b.pem;
            ssl_conf_command Options -SessionTicket;
            ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
            server {
                ssl_ciphers B;
                ssl_verify_depth 2;
                include depth.conf;
                location / { proxy_ssl_verify on; proxy_ssl_verify off; }
            }
            ssl_ciphers C;
        }
    """, **{"depth.conf": "ssl_verify_depth 3;\n"})
    dups = [(p.setting.key, p.location.source.path.name, p.location.start()[0], p.data["first"].line)
            for p in doc.problems if p.code == "TLS009"]
    assert sorted(dups) == [("proxy_ssl_verify", "nginx.conf", 14, 14), ("ssl_ciphers", "nginx.conf", 16, 3),
                            ("ssl_verify_depth", "depth.conf", 1, 12)]
    assert all(p.data["severity"] == "error" for p in doc.problems if p.code == "TLS009")
    assert all(p.message == f'"{p.setting.key}" directive is duplicate' for p in doc.problems if p.code == "TLS009")


def test_duplicate_matches_nginx(tmp_path):
    text = "events {}\nhttp {\n ssl_protocols TLSv1.2;\n ssl_protocols TLSv1.3;\n ssl_ciphers A;\n ssl_ciphers B;\n}\n"
    oracle = nginx_oracle(tmp_path, text)
    if oracle is None:
        pytest.skip("nginx not runnable here")
    doc = parse_conf(tmp_path, text)
    [dup] = [p for p in doc.problems if p.code == "TLS009"]
    assert (dup.message, dup.location.start()[0]) == (oracle[0], oracle[1])


def test_typo_in_a_tls_directive_is_tls007_error(tmp_path):
    from tlslint.dialects import nginx
    from tlslint.options import Options

    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certficate a.pem;\n"
                    "    ssl_certificate_by_lua_block { return }\n    ssl_ct on;\n  }\n}\n")
    (doc,) = nginx.parse(conf, "nginx", Options())
    found = [(p.code, p.location.start(), p.data.get("suggestion"), p.data.get("severity"))
             for p in doc.problems if p.code == "TLS007"]
    assert found == [("TLS007", (5, 5), "ssl_certificate", "error")]


def test_quic_listen_without_tlsv13_is_tls204(tmp_path):
    from tlslint.dialects import nginx
    from tlslint.options import Options

    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n  server {\n    listen 443 quic reuseport;\n    listen 443 ssl;\n"
                    "    ssl_protocols TLSv1.2;\n    ssl_certificate a.pem;\n    ssl_certificate_key a.key;\n"
                    "  }\n  server {\n    listen 8443 quic;\n    ssl_certificate a.pem;\n"
                    "    ssl_certificate_key a.key;\n  }\n}\n")
    (doc,) = nginx.parse(conf, "nginx", Options())
    assert [(p.code, p.location.start()[0]) for p in doc.problems if p.code == "TLS204"] == [("TLS204", 6)]


def test_directives_nginx_refuses_together_are_tls204(tmp_path):
    from tlslint.dialects import nginx
    from tlslint.options import Options

    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate a.pem;\n"
                    "    ssl_certificate_key a.key;\n    ssl_verify_client optional_no_ca;\n    ssl_ocsp leaf;\n"
                    "    ssl_stapling on;\n    ssl_certificate_compression on;\n  }\n"
                    "  server {\n    listen 8443 ssl;\n    ssl_certificate a.pem;\n    ssl_certificate_key a.key;\n"
                    "    ssl_verify_client optional;\n    ssl_ocsp on;\n    ssl_stapling on;\n  }\n}\n")
    (doc,) = nginx.parse(conf, "nginx", Options())
    assert sorted(p.location.start()[0] for p in doc.problems if p.code == "TLS204") == [8, 9]


def test_fragment_named_from_inside_conf_d_resolves_against_the_parent(tmp_path, monkeypatch):
    from tlslint.dialects import nginx
    from tlslint.options import Options

    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "site.conf").write_text("server {\n  listen 443 ssl;\n  ssl_certificate certs/a.pem;\n}\n")
    monkeypatch.chdir(tmp_path / "conf.d")
    (doc,) = nginx.parse(Path("site.conf"), "nginx", Options())
    ref = doc.endpoints[0].pairs[0].cert
    assert Path(ref.base_dir).resolve() == tmp_path.resolve()


def test_plain_http_server_with_a_certificate_gets_only_load_time_checks(tmp_path):
    from pkifactory import NOW, PkiFactory
    from tlslint import engine
    from tlslint.options import Options

    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter)
    pki.write("root.pem", root)
    pki.write("leafonly.pem", leaf)
    pki.write_key("other.key", pki.leaf(inter, "other.example.test"))
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  server {\n    listen 80;\n    server_name www.example.test;\n"
        "    ssl_certificate leafonly.pem;\n    ssl_certificate_key other.key;\n    ssl_protocols TLSv1;\n"
        "  }\n}\n")
    result = engine.check([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    # nginx still loads the files (a mismatch stops it), but nothing speaks TLS on :80
    assert sorted((f.code, f.line) for f in result.findings) == [("TLS301", 7)]


def test_nginx_T_dump_is_recognised_under_any_name(tmp_path):
    text = ("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
            "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n}\n")
    from tlslint.dialects import nginx

    assert nginx.detect(tmp_path / "dump.txt", text) == "nginx"
    assert nginx.detect(tmp_path / "notes.txt", "events {}\nhttp {\n}\n") is None  # no markers, no name
