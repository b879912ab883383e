"""The nginx tokenizer and parser: values, spans, comments, errors at nginx's line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from nginxkit import nginx_oracle, parse_conf, tls001  # noqa: E402

from tlslint.dialects.nginx import syntax  # noqa: E402
from tlslint.source import Source  # noqa: E402


def parse_text(text: str):
    source = Source(Path("t.conf"), text)
    return source, syntax.parse_region(source)


def words(text: str) -> list[list[tuple[str, str]]]:
    """[[(key, key), (raw, value), ...] per directive, depth first]."""
    source, result = parse_text(text)
    assert result.error is None, result.error.message
    out = []
    for node in sorted(result.done, key=lambda n: n.setting.statement.start):
        s = node.setting
        out.append([(s.key, s.key)] + [(a.raw, a.value) for a in s.args])
    return out


def error(text: str) -> tuple[str, int]:
    source, result = parse_text(text)
    assert result.error is not None
    return result.error.message, source.line_col(result.error.offset)[0]


def test_parser_is_built_once():
    assert syntax.get_parser() is syntax.get_parser()


@pytest.mark.parametrize("text, expected", [
    # "}" right after a word is part of it; ";" and "{" separate
    ("a foo};", [[("a", "a"), ("foo}", "foo}")]]),
    # "#" starts a comment only at the start of a word
    ("a b#c; # comment\n", [[("a", "a"), ("b#c", "b#c")]]),
    # quotes only at the start of a word; inside a word they are ordinary characters
    ('a b"c"d;', [[("a", "a"), ('b"c"d', 'b"c"d')]]),
    ('a "b c" \'d;e\';', [[("a", "a"), ('"b c"', "b c"), ("'d;e'", "d;e")]]),
    # escapes: \" \' \\ lose the backslash, \t \r \n become control characters, others stay
    (r'a "x\"y" x\\y \t\n r\.s;', [[("a", "a"), (r'"x\"y"', 'x"y'), (r"x\\y", "x\\y"),
                                    (r"\t\n", "\t\n"), (r"r\.s", r"r\.s")]]),
    # "${" does not open a block
    ("a ${b}c;", [[("a", "a"), ("${b}c", "${b}c")]]),
    # ")" after a closing quote counts as a space
    ('if ($a = "b") { return 403; }', [[("if", "if"), ("($a", "($a"), ("=", "="), ('"b"', "b")],
                                       [("return", "return"), ("403", "403")]]),
    # CRLF and CR are blanks
    ("a b;\r\nc d;\r", [[("a", "a"), ("b", "b")], [("c", "c"), ("d", "d")]]),
    # a comment between arguments
    ("a b # c\n d;", [[("a", "a"), ("b", "b"), ("d", "d")]]),
    # a quoted directive name
    ('"a" b;', [[("a", "a"), ("b", "b")]]),
])
def test_words(text, expected):
    assert words(text) == expected


def test_spans_are_lossless_and_statements_cover_the_directive():
    text = 'http {\n  server_name  "a b"  c\\ d ${x};\n  location / { }\n}\n'
    source, result = parse_text(text)
    for node in result.done:
        s = node.setting
        assert text[s.span.start:s.span.end] == s.raw
        assert text[s.key_span.start:s.key_span.end] == s.key
        for a in s.args:
            assert text[a.span.start:a.span.end] == a.raw
    server_name = next(n.setting for n in result.done if n.key == "server_name")
    assert text[server_name.statement.start:server_name.statement.end] == 'server_name  "a b"  c\\ d ${x};'
    http = next(n for n in result.done if n.key == "http")
    assert text[http.setting.statement.start:http.setting.statement.end] == text.rstrip("\n")
    assert http.setting.raw == "" and http.setting.span.start == http.setting.span.end == 4


def test_comments_are_kept():
    source, result = parse_text("# top\na b; # inline\r\nc 'd # not a comment';\n")
    assert [source.text[a:b] for a, b in result.comments] == ["# top", "# inline\r"]


@pytest.mark.parametrize("text, message, line", [
    ("http {\n  a b\n}\n", 'unexpected "}"', 3),
    ("a;\n}\n", 'unexpected "}"', 2),
    ("http {\n  ;\n}", 'unexpected ";"', 2),
    ("http {\n a;\n {\n}", 'unexpected "{"', 3),
    ("http {\n a b;\n", 'unexpected end of file, expecting "}"', 3),
    ("http {\n a b;\n\n# tail", 'unexpected end of file, expecting "}"', 4),
    ("http {\n a b", 'unexpected end of file, expecting ";" or "}"', 2),
    ('a "unterminated;\n\n', 'unexpected end of file, expecting ";" or "}"', 3),
    ("a b\\", 'unexpected end of file, expecting ";" or "}"', 1),
    ('a "b"c;', 'unexpected "c"', 1),
    ('a "b"}', 'unexpected "}"', 1),
    ("http { location / { proxy_pass http://x\n location /b { } } }",
     'directive "proxy_pass" is not terminated by ";"', 2),
    ("http { if ($a) ; }", 'directive "if" has no opening "{"', 1),
    ("user;", 'invalid number of arguments in "user" directive', 1),
    ("http {\n ssl_certificate a.pem\n ssl_certificate_key a.key;\n}",
     'invalid number of arguments in "ssl_certificate" directive', 3),
    ("http { ssl_stapling yes; }", 'invalid value "yes" in "ssl_stapling" directive, it must be "on" or "off"', 1),
])
def test_errors_like_nginx(text, message, line):
    assert error(text) == (message, line)


ORACLE_CASES = [
    'events {}\nhttp { server { listen 8080; server_name "a"b; } }\n',
    'events {}\nhttp { server { listen 8080; server_name "a")b; } }\n',
    "events {}\nhttp {\n server {\n listen 8080\n }\n",
    "events {}\nhttp {\n server {\n listen 8080;\n }\n",
    "events {}\nhttp { server { listen 8080; server_name a; }}}\n",
    "events {}\nhttp { server { listen 8080; server_name a; ; }}\n",
    "events {}\nhttp { server { listen 8080; server_name a\\",
    "events {}\nhttp { server { listen 8080; server_name ${url ; } }\n",
    "events {}\nhttp { server { listen 8080; location / { proxy_pass http://x\n location /b { } } } }\n",
    "user;\nevents {}\n",
    "events {}\nhttp {\n ssl_certificate a.pem\n ssl_certificate_key a.key;\n}\n",
    "events {}\nhttp {\n ssl_stapling yes;\n}\n",
    "events {}\nhttp {\n ssl_protocols;\n}\n",
]


@pytest.mark.parametrize("text", ORACLE_CASES)
def test_errors_match_real_nginx(tmp_path, text):
    oracle = nginx_oracle(tmp_path, text)
    if oracle is None:
        pytest.skip("nginx not runnable here (needs /usr/sbin/nginx and root)")
    doc = parse_conf(tmp_path, text)
    errors = tls001(doc)
    if oracle[0] == "ok" or oracle[0].startswith("open()"):
        assert errors == []
    else:
        assert [(e[1], e[2]) for e in errors] == [(oracle[1], oracle[0])]


def test_lua_blocks_are_opaque():
    text = """
    http {
        server {
            content_by_lua_block {
                local t = { a = "}", b = '{' }  -- a } in a comment
                --[[ long { comment ]]
                local s = [==[ ]] } ]==]
                if x then ngx.say("}") end
            }
            set_by_lua_block $res { return 1 }
            "rewrite_by_lua_block" { a = { 1 } }
            listen 8080;
        }
    }
    """
    source, result = parse_text(text)
    assert result.error is None
    keys = [n.key for n in sorted(result.done, key=lambda n: n.setting.statement.start)]
    assert keys == ["http", "server", "content_by_lua_block", "set_by_lua_block", "rewrite_by_lua_block", "listen"]
    lua = next(n for n in result.done if n.key == "set_by_lua_block")
    assert lua.lua and lua.setting.value == "$res"
    assert text[lua.setting.statement.start:lua.setting.statement.end] == "set_by_lua_block $res { return 1 }"


def test_non_utf8_bytes_do_not_crash(tmp_path):
    path = tmp_path / "nginx.conf"
    path.write_bytes(b"http {\n server {\n  server_name caf\xe9 \xff\xfe;\n }\n}\n")
    from nginxkit import parse_file

    doc = parse_file(path)
    assert tls001(doc) == []
    name = next(s for s in doc.settings if s.key == "server_name")
    assert [a.raw for a in name.args] == ["caf\udce9", "\udcff\udcfe"]
    assert doc.source.text[name.span.start:name.span.end] == name.raw


def test_bom_is_reported_like_nginx_but_parsed_past(tmp_path):
    path = tmp_path / "nginx.conf"
    path.write_bytes(b"\xef\xbb\xbfevents {}\nhttp { server { listen 443 ssl; ssl_certificate a.pem; "
                     b"ssl_certificate_key a.key; } }\n")
    from nginxkit import parse_file

    doc = parse_file(path)
    assert [(p.code, p.location.start()[0]) for p in doc.problems] == [("TLS001", 1)]
    assert len(doc.endpoints) == 1


def test_fast_and_regular_setting_construction_agree(monkeypatch):
    text = 'http { server_name "a b" c; listen 443 ssl; }\n'
    fast = words(text)
    monkeypatch.setattr(syntax, "_FAST", False)
    assert words(text) == fast
    source, result = parse_text(text)
    listen = next(n.setting for n in result.done if n.key == "listen")
    assert [a.raw for a in listen.args] == ["443", "ssl"] and listen.span == listen.args[0].span


# ---------------------------------------------------------------- values (slot functions)

def _server(line: str) -> str:
    return f"events {{}}\nhttp {{\n server {{\n  listen 8443;\n  {line}\n }}\n}}\n"


BAD_VALUES = [
    # enums (ngx_conf_set_enum_slot)
    "ssl_verify_client maybe;", "ssl_verify_client yes;", "ssl_ocsp leafy;", "ssl_ocsp yes;",
    # flags (ngx_conf_set_flag_slot)
    "ssl_stapling yes;", "proxy_ssl_verify maybe;", "grpc_ssl_verify 1;", "uwsgi_ssl_verify true;",
    # numbers (ngx_atoi)
    "ssl_verify_depth abc;", "ssl_verify_depth -1;", "ssl_verify_depth 1.5;", "ssl_verify_depth '';",
    "ssl_verify_depth 9223372036854775808;", "proxy_ssl_verify_depth x;", "grpc_ssl_verify_depth +2;",
    "uwsgi_ssl_verify_depth 2k;",
    # sizes (ngx_parse_size)
    "ssl_buffer_size 4q;", "ssl_buffer_size 4g;", "ssl_buffer_size 4kb;", "ssl_buffer_size k;",
    "ssl_buffer_size 9007199254740992k;",
    # times (ngx_parse_time, seconds)
    "ssl_session_timeout 5x;", "ssl_session_timeout 500ms;", "ssl_session_timeout '30m 1h';",
    "ssl_session_timeout '1 h';", "ssl_session_timeout 1hh;", "ssl_session_timeout h;",
    "ssl_session_timeout 292471208678y;",
    # bitmasks (ngx_conf_set_bitmask_slot): the first bad name is reported
    "ssl_protocols TLSv1.4;", "ssl_protocols TLSv1.2 TLSv1.5 TLSv1.6;", "ssl_protocols TLSv1.2 TLS1.3;",
    "proxy_ssl_protocols TLSv1.4;", "grpc_ssl_protocols SSLv4;", "uwsgi_ssl_protocols tls1.2;",
]
GOOD_VALUES = [
    "ssl_verify_client ON;", "ssl_verify_client Optional_No_CA;", "ssl_verify_client optional;",
    "ssl_ocsp LEAF;", "ssl_stapling Off;", "ssl_verify_depth 0;", 'ssl_verify_depth "3";',
    "ssl_verify_depth 9223372036854775807;", "ssl_buffer_size 4k;", "ssl_buffer_size 16K;",
    "ssl_buffer_size 1M;", "ssl_buffer_size 1400;", "ssl_session_timeout 1h30m;",
    "ssl_session_timeout '1h 30m ';", "ssl_session_timeout 1y2M3w4d5h6m7s;", "ssl_session_timeout 300;",
    "ssl_session_timeout '1s 2';", "ssl_protocols tlsv1.2 sslv2 SSLv3 TLSv1 TLSv1.1 TLSv1.3;",
    "ssl_protocols TLSv1.2 TLSv1.2;", "proxy_ssl_protocols TLSv1.3;",
]


@pytest.mark.parametrize("line", BAD_VALUES)
def test_invalid_values_are_tls001_at_nginx_line(tmp_path, line):
    doc = parse_conf(tmp_path, _server(line))
    errors = tls001(doc)
    assert [(name, ln) for name, ln, _ in errors] == [("nginx.conf", 5)]
    oracle = nginx_oracle(tmp_path, _server(line))
    if oracle is not None:
        assert (oracle[1], oracle[0]) == (errors[0][1], errors[0][2])


@pytest.mark.parametrize("line", GOOD_VALUES)
def test_valid_values_pass(tmp_path, line):
    doc = parse_conf(tmp_path, _server(line))
    assert tls001(doc) == []
    oracle = nginx_oracle(tmp_path, _server(line))
    if oracle is not None:
        assert oracle[0] == "ok"


@pytest.mark.parametrize("line", [
    "ssl_verify_client $verify;", "ssl_verify_depth ${depth};", "ssl_buffer_size $size;",
    "ssl_session_timeout $t;", "ssl_protocols $protocols;", "ssl_protocols TLSv1.2 ${EXTRA};",
    "ssl_stapling $stapling;", "proxy_ssl_verify ${VERIFY};",
])
def test_values_with_variables_are_not_judged(tmp_path, line):
    assert tls001(parse_conf(tmp_path, _server(line))) == []


def test_value_error_is_at_the_line_of_the_semicolon_and_only_the_first_counts(tmp_path):
    text = ("events {}\nhttp {\n server {\n  listen 8443;\n  ssl_protocols TLSv1.2\n     TLSv1.4\n"
            "  ;\n  ssl_verify_depth x;\n  ssl_verify_client maybe;\n }\n}\n")
    doc = parse_conf(tmp_path, text)
    assert [(p.code, p.location.start()[0]) for p in doc.problems if p.code == "TLS001"] == [("TLS001", 7)]
    oracle = nginx_oracle(tmp_path, text)
    if oracle is not None:
        assert oracle[1] == 7


def test_value_checks_come_after_the_argument_count(tmp_path):
    source, result = parse_text("ssl_verify_depth x y;")
    assert result.error is not None and "number of arguments" in result.error.message


def test_table_blocks_are_not_directives(tmp_path):
    # the lines of types/map/geo/split_clients blocks are table entries, not directives
    text = ("events {}\nhttp {\n types { ssl yes; ssl_verify_depth abc; location x; }\n"
            " map $host $v { ssl_protocols TLSv9; default 0; }\n"
            " server { listen 8443; ssl_verify_depth 2; }\n}\n")
    doc = parse_conf(tmp_path, text)
    assert tls001(doc) == []
    # a value error after a table block is still found
    text2 = text.replace("ssl_verify_depth 2;", "ssl_verify_depth two;")
    doc2 = parse_conf(tmp_path / "b", text2)
    assert [(p.code, p.location.start()[0]) for p in doc2.problems if p.code == "TLS001"] == [("TLS001", 5)]


@pytest.mark.parametrize("text, is_sec, expected", [
    ("1h30m", True, 5400), ("1y", True, 31536000), ("2M", True, 5184000), ("500ms", False, 500),
    ("1s 500ms", False, 1500), ("5", False, 5000), ("1y", False, None), ("1ms", True, None),
    ("", True, None), (" ", True, None), ("1m1m", True, None), ("1s1ms1", False, 2001), ("1ms1s", False, None),
])
def test_ngx_parse_time(text, is_sec, expected):
    assert syntax.ngx_parse_time(text, is_sec) == expected


def test_a_file_included_inside_map_or_types_holds_table_entries(tmp_path):
    """nginx reads the lines of a file included inside map {} or types {} as
    table entries, not directives: no value or block checks there."""
    from nginxkit import parse_conf

    snippet = "default 0;\nssl_protocols 1;\nlocation 3;\n"
    main = ("events {}\nhttp {\n  map $host $b {\n    include snippets/m.conf;\n  }\n"
            "  types {\n    include snippets/m.conf;\n  }\n}\n")
    assert tls001(parse_conf(tmp_path, main, **{"snippets/m.conf": snippet})) == []
    # the same lines included as directives are nginx's errors
    main = "events {}\nhttp {\n  include snippets/m.conf;\n}\n"
    assert [m for _, _, m in tls001(parse_conf(tmp_path, main, **{"snippets/m.conf": snippet}))] == [
        'invalid value "1"']


@pytest.mark.parametrize("param,message", [
    ("backlog=x", 'invalid backlog "backlog=x"'), ("backlog=0", 'invalid backlog "backlog=0"'),
    ("rcvbuf=", 'invalid rcvbuf "rcvbuf="'), ("sndbuf=z", 'invalid sndbuf "sndbuf=z"'),
    ("fastopen=x", 'invalid fastopen "fastopen=x"'), ("so_keepalive=::", 'invalid so_keepalive value: "::"'),
    ("so_keepalive=on:1", 'invalid so_keepalive value: "on:1"'), ("ipv6only=yes", 'invalid parameter "ipv6only=yes"'), ("ipv6only=ox", 'invalid ipv6only flags "ox"'),
    ("so_keepalive=0::", 'invalid so_keepalive value: "0::"'),
    ("backlog=511 rcvbuf=1k fastopen=0 so_keepalive=30m::10 ipv6only=on", None),
    ("so_keepalive=1", None), ("so_keepalive=1:", None), ("so_keepalive=:1", None), ("so_keepalive=1m:2", None),
])
def test_listen_parameter_values(tmp_path, param, message):
    from nginxkit import nginx_oracle, parse_conf

    text = f"events {{}}\nhttp {{\n  server {{\n    listen [::]:8443 {param};\n  }}\n}}\n"
    assert tls001(parse_conf(tmp_path, text)) == ([("nginx.conf", 4, message)] if message else [])
    oracle = nginx_oracle(tmp_path, text)
    if oracle is not None:
        assert oracle == ((message, 4) if message else ("ok", None))
