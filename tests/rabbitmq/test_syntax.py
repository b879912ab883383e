"""cuttlefish syntax edge cases (reference/rabbitmq.md section 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .rmqkit import parse, problems
from tlslint.dialects import rabbitmq
from tlslint.dialects.rabbitmq.conf import parse_file
from tlslint.source import Source


def one(text: str):
    result = parse_file(Source(Path("/etc/rabbitmq/rabbitmq.conf"), text))
    return result


def values(text: str):
    result = one(text)
    assert result.ok, [p.message for p in result.problems]
    for item in result.items:
        s = item.setting
        assert s.source.text[s.span.start:s.span.end] == s.raw
    return {item.setting.key: item.setting.value for item in result.items}


def error_at(text: str):
    result = one(text)
    assert not result.ok
    (problem,) = result.problems
    assert problem.code == "TLS001"
    return problem.location.start()


@pytest.mark.parametrize("text,expected", [
    ("a = b#c\n", "b"),
    ("a = b # c\n", "b"),
    ("a = 'x#y'\n", "x#y"),
    ('a = "quoted"\n', '"quoted"'),
    ("a = '''\n  line one\n  two  \n'''\n", "  line one\n  two  "),
    ("a = '''\n'q'\n'''\n", "q"),
    ("a = ''\n", ""),
    ("a = b = c\n", "b = c"),
    ("a = b   ", "b   "),  # trailing blanks kept at EOF
    ("a = b   \n", "b"),
    ("a = 'x' # c\n", "x"),
    ("a = x\ry\n", "x\ry"),
    ("a = 'multi\nline'\n", "multi\nline"),
])
def test_values(text, expected):
    assert values(text)["a"] == expected


def test_escaped_dot_in_key():
    result = one("auth_backends.1\\.x = internal\n")
    (item,) = result.items
    assert item.segments == ("auth_backends", "1.x")


def test_duplicate_keys_last_wins(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "ssl_options.verify = verify_none\nlisteners.ssl.default = 5671\n"
                                            "ssl_options.verify = verify_peer\n"})
    (ep,) = doc.endpoints
    assert ep.option("verify").value == "verify_peer" and ep.option("verify").line == 3
    assert problems(doc, "TLS009") == [("rabbitmq.conf", 1, 22)]


def test_crlf_and_bom(tmp_path):
    text = "\ufeffssl_options.certfile = /a.pem\r\nssl_options.keyfile = '/b.pem'\r\n"
    doc = parse(tmp_path, {"rabbitmq.conf": text})
    got = {s.key: s.value for s in doc.settings}
    assert got == {"ssl_options.certfile": "/a.pem", "ssl_options.keyfile": "/b.pem"}
    for s in doc.settings:
        assert s.source.text[s.span.start:s.span.end] == s.raw
    edit = rabbitmq.insert_setting(doc.endpoints[0], "depth", "3")
    assert edit.replacement == "ssl_options.depth = 3\r\n"
    edit = rabbitmq.remove_setting(doc.settings[0])
    assert edit.span.start == 1  # the BOM stays


@pytest.mark.parametrize("text,line", [
    ("a = 1\nb =\n", 2),                   # missing value
    ("a = 1\nb = \n", 2),
    ("a = 1\n  b = 'x' junk\n", 2),        # junk after a quoted value
    ("a = 'x\ny' junk\n", 1),              # the failing line is where the value started
    ("a = 1\nnot a setting\n", 2),         # no '='
    ("a..b = 1\n", 1),
    ("a$ = 1\n", 1),
    ("include conf.d/*.conf \n", 1),       # blanks after an include path
    ("a = 'it''s'\n", 1),
])
def test_syntax_errors_at_cuttlefish_position(text, line):
    assert error_at(text) == (line, 1)


def test_invalid_utf8(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": b"a = 1\nb = \xff\n"})
    assert problems(doc, "TLS001") == [("rabbitmq.conf", 2, 1)]


def test_comments_recorded():
    result = one("# top\na = 1 # tlslint: ignore[TLS601]\n")
    assert [c.text for c in result.comments] == [" top", " tlslint: ignore[TLS601]"]


def test_include_glob_and_conf_d(tmp_path):
    doc = parse(tmp_path, {
        "rabbitmq.conf": "listeners.ssl.default = 5671\ninclude extra/*.conf\nssl_options.depth = 1\n",
        "extra/a.conf": "ssl_options.depth = 2\nssl_options.certfile = /a.pem\n",
        "extra/b.txt": "garbage\n",
        "conf.d/20-b.conf": "ssl_options.depth = 4\n",
        "conf.d/10-a.conf": "ssl_options.depth = 3\nssl_options.keyfile = /k.pem\n",
    })
    names = [s.path.name for s in doc.sources]
    assert names == ["rabbitmq.conf", "a.conf", "10-a.conf", "20-b.conf"]
    (ep,) = doc.endpoints
    assert ep.depth.value == 4 and ep.depth.setting.source.path.name == "20-b.conf"
    assert ep.pairs[0].cert.path == "/a.pem" and ep.pairs[0].key.path == "/k.pem"


def test_include_cycle(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "include other.conf\n", "other.conf": "include rabbitmq.conf\n"})
    assert problems(doc, "TLS001")


def test_variables_unresolved(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                            "ssl_options.certfile = $(CERT_DIR)/server.pem\n"
                                            "ssl_options.keyfile = $(<keyfile-path.txt)\n"
                                            "ssl_options.cacertfile = $(ssl_options.certfile)\n"})
    (ep,) = doc.endpoints
    assert "CERT_DIR" in ep.pairs[0].cert.unresolved
    assert "file" in ep.pairs[0].key.unresolved
    assert ep.ca_files[0].unresolved  # refers to a key that is itself unresolved


@pytest.mark.parametrize("name,head,expected", [
    ("rabbitmq.conf", "", "rabbitmq"),
    ("advanced.config", "[].", "rabbitmq"),
    ("x.conf", "listeners.ssl.default = 5671\n", "rabbitmq"),
    ("conf.d/10-tls.conf", "# tls\nssl_options.verify = verify_peer\n", "rabbitmq"),
    ("default.conf", "server {\n  listen 443 ssl;\n}\n", None),
    ("nginx.conf", "user nginx;\nworker_processes auto;\n", None),
    ("x.conf", "foo = bar\n", None),
    ("app.yaml", "ssl_options: 1\n", None),
])
def test_detect(name, head, expected):
    assert rabbitmq.detect(Path("/repo") / name, head) == expected
