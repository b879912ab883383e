"""Every real-world config of the shared corpus: no exception, lossless spans,
and nginx's own verdict (line and wording) for the deliberately broken ones."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from nginxkit import CORPUS, parse_file, tls001  # noqa: E402

from tlslint.dialects import nginx  # noqa: E402
from tlslint.dialects.nginx import syntax  # noqa: E402

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv") if CORPUS.is_dir() else []

EOF_SEMI = 'unexpected end of file, expecting ";" or "}"'
EOF_BRACE = 'unexpected end of file, expecting "}"'

# corpus path -> (file of the error, line, message), as nginx -t reports them
# (checked with nginx 1.22.1 where nginx could judge the file).
BROKEN = {
    "crossplane/missing-semicolon/broken-above.conf": ("broken-above.conf", 5, 'unexpected "}"'),
    "crossplane/missing-semicolon/broken-below.conf": ("broken-below.conf", 8, 'unexpected "}"'),
    "nginx-go-crossplane/missing-semicolon/broken-above.conf": ("broken-above.conf", 5, 'unexpected "}"'),
    "nginx-go-crossplane/missing-semicolon/broken-below.conf": ("broken-below.conf", 8, 'unexpected "}"'),
    "nginx-go-crossplane/missing-semicolon-above/nginx.conf": ("nginx.conf", 5, 'unexpected "}"'),
    "nginx-go-crossplane/missing-semicolon-below/nginx.conf": ("nginx.conf", 8, 'unexpected "}"'),
    "nginx-go-crossplane/testdata/missing-semicolon-above/nginx.conf": ("nginx.conf", 5, 'unexpected "}"'),
    "nginx-go-crossplane/testdata/missing-semicolon-below/nginx.conf": ("nginx.conf", 8, 'unexpected "}"'),
    "nginx-go-crossplane/premature-eof/nginx.conf": ("nginx.conf", 3, EOF_SEMI),
    "crossplane/quote-behavior/nginx.conf": ("nginx.conf", 1, 'unexpected "-"'),
    "nginx-go-crossplane/quote-behavior/nginx.conf": ("nginx.conf", 1, 'unexpected "-"'),
    "nginx-go-crossplane/testdata/quote-behavior/nginx.conf": ("nginx.conf", 1, 'unexpected "-"'),
    "nginx-go-crossplane/braces/extra-brace.conf": ("extra-brace.conf", 11, 'unexpected "}"'),
    "nginx-go-crossplane/braces/missing-brace.conf": ("missing-brace.conf", 23, EOF_BRACE),
    "nginx-go-crossplane/testdata/braces/extra-brace.conf": ("extra-brace.conf", 11, 'unexpected "}"'),
    "nginx-go-crossplane/testdata/braces/missing-brace.conf": ("missing-brace.conf", 23, EOF_BRACE),
    "gonginx/issues/20.conf": ("20.conf", 33, EOF_BRACE),
    "crossplane/bad-args/nginx.conf": ("nginx.conf", 1, 'invalid number of arguments in "user" directive'),
    "nginx-go-crossplane/bad-args/nginx.conf": ("nginx.conf", 1, 'invalid number of arguments in "user" directive'),  # "-- comment } }" is a Lua comment
    # "this file should never be included" fixtures
    "crossplane/includes-regular/conf.d/bar.conf": ("bar.conf", 3, EOF_SEMI),
    "crossplane/includes-regular/conf.d/foo.conf": ("foo.conf", 3, EOF_SEMI),
    "crossplane/includes-globbed/servers/locations/not-included.conf": ("not-included.conf", 3, EOF_SEMI),
    "nginx-go-crossplane/includes-regular/conf.d/bar.conf": ("bar.conf", 3, EOF_SEMI),
    "nginx-go-crossplane/includes-regular/conf.d/foo.conf": ("foo.conf", 3, EOF_SEMI),
    "nginx-go-crossplane/includes-globbed/servers/locations/not-included.conf": ("not-included.conf", 3, EOF_SEMI),
    "nginx-go-crossplane/testdata/includes-regular/conf.d/bar.conf": ("bar.conf", 3, EOF_SEMI),
    "nginx-go-crossplane/testdata/includes-regular/conf.d/foo.conf": ("foo.conf", 3, EOF_SEMI),
    "nginx-go-crossplane/testdata/includes-globbed/servers/locations/not-included.conf":
        ("not-included.conf", 3, EOF_SEMI),
    "gonginx/include-glob/sites-enabled/conf.d/location-letsencrypt.conf": ("location-letsencrypt.conf", 2, EOF_SEMI),
    "gonginx/include-glob/sites-enabled/conf.d/location-root.conf": ("location-root.conf", 2, EOF_SEMI),
    # the include of a missing file (crossplane's own expectation)
    "crossplane/includes-regular/nginx.conf": ("server.conf", 5, 'open() "'),
    "crossplane/includes-regular/conf.d/server.conf": ("server.conf", 5, 'open() "'),
    "nginx-go-crossplane/includes-regular/nginx.conf": ("server.conf", 5, 'open() "'),
    "nginx-go-crossplane/includes-regular/conf.d/server.conf": ("server.conf", 5, 'open() "'),
    "nginx-go-crossplane/testdata/includes-regular/nginx.conf": ("server.conf", 5, 'open() "'),
    "nginx-go-crossplane/testdata/includes-regular/conf.d/server.conf": ("server.conf", 5, 'open() "'),
    # a directive where nginx does not allow it (checked with nginx -t)
    "gixy-dvershinin/plugins/simply/origins/origin_wo_slash.conf":
        ("origin_wo_slash.conf", 4, '"if" directive is not allowed here'),
    "gixy-yandex/plugins/simply/origins/origin_wo_slash.conf":
        ("origin_wo_slash.conf", 4, '"if" directive is not allowed here'),
    # http.conf includes the server files at main level, outside any http block
    "gonginx/include-glob/nginx.conf": ("example.com.conf", 1, '"server" directive is not allowed here'),
    # include cycles
    "nginx-go-crossplane/includes-cycle/invalid/nginx.conf": ("location2.conf", 2, "include cycle: "),
    "nginx-go-crossplane/includes-cycle/invalid/location1.conf": ("location2.conf", 2, "include cycle: "),
    "nginx-go-crossplane/includes-cycle/invalid/location2.conf": ("location1.conf", 2, "include cycle: "),
}


def _rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_corpus_file(path):
    doc = parse_file(path)
    errors = tls001(doc)
    assert len(errors) <= 1
    for p in doc.problems:
        assert p.location.start()[0] >= 1
    rel = _rel(path)
    if rel in BROKEN:
        name, line, message = BROKEN[rel]
        assert len(errors) == 1
        assert errors[0][0] == name and errors[0][1] == line and errors[0][2].startswith(message)
    elif errors:
        # only missing includes (mime.types, snippets/ next to a config not shipped whole)
        assert errors[0][2].startswith('open() "'), errors
    # lossless: every setting and argument is exactly its text
    for s in doc.settings:
        assert s.source.text[s.span.start:s.span.end] == s.raw
        assert syntax.word_value(s.source.text[s.key_span.start:s.key_span.end]) == s.key
        for a in s.args:
            assert a.source.text[a.span.start:a.span.end] == a.raw
    for c in doc.comments:
        assert c.source.text[c.span.start:c.span.end] == "#" + c.text


def test_include_trees_are_followed():
    doc = parse_file(CORPUS / "h5bp" / "nginx.conf")
    assert tls001(doc) == []
    names = {s.path.name for s in doc.sources}
    assert {"mime.types", "ssl_engine.conf", "policy_balanced.conf"} <= names or "mime.types" in names
    # conf.d/templates/ fragment: its includes resolve against the folder holding nginx.conf
    frag = parse_file(CORPUS / "h5bp" / "conf.d" / "templates" / "example.com.conf")
    assert tls001(frag) == []
    assert any(s.path.name == "certificate_files.conf" for s in frag.sources)
    assert frag.endpoints and all(e.pairs for e in frag.endpoints if e.role == "server" and e.requires_certificate)


def test_globbed_includes_in_sorted_order():
    doc = parse_file(CORPUS / "crossplane" / "includes-globbed" / "nginx.conf")
    assert tls001(doc) == []
    order = [s.path.relative_to(CORPUS / "crossplane" / "includes-globbed").as_posix() for s in doc.sources]
    assert order[0] == "nginx.conf"
    assert order.index("servers/server1.conf") < order.index("servers/server2.conf")
    assert "servers/locations/not-included.conf" not in order


def test_large_config_is_fast():
    path = next(CORPUS.glob("nginx-go-crossplane/**/large-config/nginx.conf"))
    syntax.get_parser()
    start = time.perf_counter()
    doc = nginx.parse(path, "nginx")[0]
    elapsed = time.perf_counter() - start
    assert tls001(doc) == []
    assert len(doc.settings) > 30_000
    assert elapsed < 5.0
