"""`"x" directive is not allowed here`: where nginx accepts a directive."""

import pytest

from nginxkit import nginx_oracle, parse_conf, tls001

NOT_ALLOWED = [
    # (config, line of nginx's error, directive)
    ("events {}\nhttp {\n server {\n  listen 443 ssl;\n  location / {\n   ssl_certificate a.pem;\n  }\n }\n}\n",
     6, "ssl_certificate"),
    ("events {}\nhttp {\n server {\n  location / {\n   ssl_verify_client on;\n  }\n }\n}\n", 5, "ssl_verify_client"),
    ("ssl_protocols TLSv1.2;\nevents {}\nhttp {}\n", 1, "ssl_protocols"),
    ("events {\n ssl_ciphers HIGH;\n}\nhttp {}\n", 2, "ssl_ciphers"),
    ("events {}\nhttp {\n listen 443 ssl;\n}\n", 3, "listen"),
    ("events {}\nhttp {\n server_name a.test;\n}\n", 3, "server_name"),
    ("events {}\nhttp {\n location / {}\n}\n", 3, "location"),
    ("events {}\nhttp {\n server {\n  server {}\n }\n}\n", 4, "server"),
    ("events {}\nhttp {\n server {\n  upstream u { server a:1; }\n }\n}\n", 4, "upstream"),
    ("events {}\nhttp {\n if ($x) {}\n}\n", 3, "if"),
    ("events {}\nhttp {\n server {\n  proxy_pass https://a.test;\n }\n}\n", 4, "proxy_pass"),
    ("events {}\nhttp {\n server {\n  location / {\n   if ($x) {\n    proxy_ssl_verify on;\n   }\n  }\n }\n}\n",
     6, "proxy_ssl_verify"),
    ("events {}\nhttp {\n server {\n  if ($x) {\n   ssl_stapling on;\n  }\n }\n}\n", 5, "ssl_stapling"),
    ("events {}\nhttp {\n proxy_ssl on;\n}\n", 3, "proxy_ssl"),
    ("events {}\nhttp {\n http {}\n}\n", 3, "http"),
    ("events {}\nhttp {\n server {\n  listen 443;\n  ssl_preread on;\n }\n}\n", 5, "ssl_preread"),
    ("events {}\nstream {\n server {\n  listen 443;\n  ssl on;\n }\n}\n", 5, "ssl"),
]


@pytest.mark.parametrize("text,line,name", NOT_ALLOWED)
def test_misplaced_directive_is_nginx_error(tmp_path, text, line, name):
    doc = parse_conf(tmp_path, text)
    assert tls001(doc) == [("nginx.conf", line, f'"{name}" directive is not allowed here')]
    problem = next(p for p in doc.problems if p.code == "TLS001")
    assert text[problem.location.span.start:problem.location.span.end] == name  # at the directive's name
    oracle = nginx_oracle(tmp_path, text)
    if oracle is not None and "unknown directive" not in oracle[0]:  # a build without that module
        assert oracle == (f'"{name}" directive is not allowed here', line)


@pytest.mark.parametrize("text,message", [
    ("events {}\nhttp {\n server a:1;\n}\n", 'directive "server" has no opening "{"'),
    ("events {}\nhttp {\n upstream u {\n  server {}\n }\n}\n", 'directive "server" is not terminated by ";"'),
])
def test_server_line_and_block_are_two_directives(tmp_path, text, message):
    [(_, _, found)] = tls001(parse_conf(tmp_path, text))
    assert found == message
    oracle = nginx_oracle(tmp_path, text)
    if oracle is not None:
        assert oracle[0] == message


ALLOWED = [
    "events {}\nhttp {\n ssl_protocols TLSv1.2;\n proxy_ssl_verify on;\n grpc_ssl_verify on;\n"
    " server {\n  listen 443 ssl;\n  ssl_ciphers HIGH;\n  location / {\n   proxy_ssl_name a;\n"
    "   location /b {\n    limit_except GET {\n     proxy_pass https://a.test;\n    }\n   }\n"
    "   if ($x) {\n    proxy_pass https://a.test;\n   }\n  }\n  if ($y) {\n   return 403;\n  }\n }\n"
    " upstream u {\n  server 127.0.0.1:1;\n }\n map $a $b {\n  ssl_certificate x;\n }\n}\n",
    # an unknown (third-party) block and directive: not judged
    "events {}\nhttp {\n my_module_block {\n  listen 1;\n }\n}\n",
    # stream and mail
    "events {}\nstream {\n ssl_certificate a.pem;\n proxy_ssl on;\n server {\n  listen 1 ssl;\n"
    "  ssl_preread on;\n  proxy_pass a.test:1;\n }\n}\n",
    "events {}\nmail {\n server_name m.test;\n starttls on;\n server {\n  listen 143;\n  protocol imap;\n }\n}\n",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_directives_where_nginx_takes_them(tmp_path, text):
    assert tls001(parse_conf(tmp_path, text)) == []


def test_fragment_of_unknown_level_is_not_judged_at_its_top(tmp_path):
    # a snippet included inside location {} elsewhere: proxy_pass at its top is fine
    snippet = "proxy_pass https://backend.test;\nproxy_ssl_verify on;\n"
    assert tls001(parse_conf(tmp_path, snippet, name="snippets/proxy.conf")) == []
    # the inside of its blocks is judged all the same
    located = "location / {\n  ssl_certificate a.pem;\n}\n"
    assert tls001(parse_conf(tmp_path, located, name="snippets/loc.conf")) == [
        ("loc.conf", 2, '"ssl_certificate" directive is not allowed here')]


def test_server_fragment_is_read_at_http_level(tmp_path):
    text = "server {\n  listen 443 ssl;\n  location / {\n    ssl_protocols TLSv1.2;\n  }\n}\n"
    assert tls001(parse_conf(tmp_path, text, name="conf.d/site.conf")) == [
        ("site.conf", 4, '"ssl_protocols" directive is not allowed here')]


def test_included_file_is_judged_where_it_is_included(tmp_path):
    main = "events {}\nhttp {\n server {\n  listen 443 ssl;\n  location / {\n   include tls.conf;\n  }\n }\n}\n"
    doc = parse_conf(tmp_path, main, **{"tls.conf": "# shared\nssl_certificate a.pem;\n"})
    assert tls001(doc) == [("tls.conf", 2, '"ssl_certificate" directive is not allowed here')]


def test_first_error_in_reading_order_wins(tmp_path):
    # the misplaced directive comes before the missing include: nginx stops there
    main = "events {}\nhttp {\n listen 1;\n include missing.conf;\n}\n"
    assert tls001(parse_conf(tmp_path, main)) == [("nginx.conf", 3, '"listen" directive is not allowed here')]
    # and after it: the missing include is nginx's error
    main = "events {}\nhttp {\n include missing.conf;\n listen 1;\n}\n"
    [(name, line, message)] = tls001(parse_conf(tmp_path, main))
    assert (name, line) == ("nginx.conf", 3) and message.startswith('open() "')


@pytest.mark.parametrize("block,listen,message", [
    ("http", "listen 8443 udp;", 'invalid parameter "udp"'),          # udp is stream's
    ("mail", "listen 993 ssl http2;", 'invalid parameter "http2"'),    # mail has a short list
    ("stream", "listen 53 udp reuseport;", None),
    ("http", "listen 8443 ssl http2 reuseport;", None),
])
def test_listen_parameters_of_each_module(tmp_path, block, listen, message):
    text = f"events {{}}\n{block} {{\n  server {{\n    {listen}\n  }}\n}}\n"
    assert tls001(parse_conf(tmp_path, text)) == ([("nginx.conf", 4, message)] if message else [])
    oracle = nginx_oracle(tmp_path, text)
    if oracle is not None and block == "http" and message:
        assert oracle == (message, 4)
