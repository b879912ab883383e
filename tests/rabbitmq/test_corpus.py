"""RabbitMQ's own schema-test corpus (../shared/corpus/rabbitmq), used in place.

Every snippet is a config RabbitMQ accepts, and its ``.expected`` file holds
the app env RabbitMQ generates from it. So: no TLS001/TLS701 for any of them,
lossless spans, and the endpoints tlslint builds must carry the same TLS
facts as the Erlang terms RabbitMQ produced (a differential test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS as SHARED_CORPUS
from tlslint.dialects import rabbitmq
from tlslint.dialects.rabbitmq.terms import Term, parse_terms

CORPUS = SHARED_CORPUS / "rabbitmq"
SNIPPETS = sorted(CORPUS.glob("*/*.conf"))
TLS_KEYS = {"certfile", "keyfile", "cacertfile", "verify", "peer_verification", "fail_if_no_peer_cert",
            "depth", "versions", "ciphers"}
VERSION_NAMES = {"tlsv1.3": "TLSv1.3", "tlsv1.2": "TLSv1.2", "tlsv1.1": "TLSv1.1", "tlsv1": "TLSv1"}

pytestmark = pytest.mark.skipif(not SNIPPETS, reason="corpus not available")


def ids(paths):
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def test_corpus_is_complete():
    assert len(SNIPPETS) == 365


@pytest.mark.parametrize("path", SNIPPETS, ids=ids(SNIPPETS))
def test_snippet_parses_without_errors_or_unknown_keys(path):
    (doc,) = rabbitmq.parse(path, "rabbitmq", None)
    bad = [(p.code, p.location.start(), p.message) for p in doc.problems if p.code in ("TLS001", "TLS701")]
    assert bad == []
    assert path.stat().st_size == 0 or rabbitmq.detect(path, path.read_text()) == "rabbitmq"


@pytest.mark.parametrize("path", SNIPPETS, ids=ids(SNIPPETS))
def test_spans_are_lossless(path):
    (doc,) = rabbitmq.parse(path, "rabbitmq", None)
    for setting in doc.settings:
        text = setting.source.text
        assert text[setting.span.start:setting.span.end] == setting.raw
        assert text[setting.key_span.start:setting.key_span.end].replace("\\.", ".") \
            .endswith(setting.key.replace("\\.", ".").split(".")[-1])
        assert setting.statement.start <= setting.key_span.start and setting.span.end <= setting.statement.end
    for endpoint in doc.endpoints:
        for s in endpoint.settings.values():
            assert s.source.text[s.span.start:s.span.end] == s.raw


def _tls_lists(term: Term, path=()):
    """(app path, proplist) of every proplist holding TLS options in an expected term."""
    if term.kind == "list":
        keys = {k.value for k, _, _ in term.entries()}
        if keys & TLS_KEYS:
            yield path, term
        for k, v, _ in term.entries():
            yield from _tls_lists(v, path + (k.value,))
    elif term.kind == "map":
        for k, v in term.value:
            if k.kind in ("binary", "string", "atom"):
                yield from _tls_lists(v, path + (k.value,))


def _expected_cases():
    cases = []
    for conf in SNIPPETS:
        expected = conf.with_suffix(".expected")
        if not expected.is_file():
            continue
        text = expected.read_text().rstrip()
        term = parse_terms(text if text.endswith(".") else text + ".")
        for path, plist in _tls_lists(term):
            cases.append(pytest.param(conf, path, plist, id=f"{conf.parent.name}/{conf.stem}:{'.'.join(path)}"))
    return cases


CASES = _expected_cases()


def test_differential_cases_found():
    assert len(CASES) >= 40


@pytest.mark.parametrize("conf,path,plist", CASES)
def test_endpoint_matches_rabbitmq_schema(conf, path, plist):
    (doc,) = rabbitmq.parse(conf, "rabbitmq", None)
    matching = [ep for ep in doc.endpoints if tuple(ep.app_path) == path]
    assert len(matching) == 1, [(ep.label, ep.app_path) for ep in doc.endpoints]
    ep = matching[0]
    exp = {k.value: v for k, v, _ in plist.entries()}
    pair = ep.pairs[0] if ep.pairs else None

    def text(name):
        return exp[name].value if name in exp else None

    assert (pair.cert.path if pair and pair.cert else None) == text("certfile")
    assert (pair.key.path if pair and pair.key else None) == text("keyfile")
    assert (ep.ca_files[0].path if ep.ca_files else None) == text("cacertfile")
    if pair and pair.cert and not pair.key:
        assert pair.key_in_cert_file
    if ep.ca_files and ep.role == "server":
        assert pair is None or pair.chain_extra == ep.ca_files
    verify = text("verify") or text("peer_verification")
    fail = text("fail_if_no_peer_cert")
    got_verify = ep.option("verify")
    assert (got_verify.value if got_verify else None) == verify
    got_fail = ep.option("fail_if_no_peer_cert")
    assert (got_fail.value if got_fail else None) == fail
    if ep.role == "server":
        mode = ("required" if fail == "true" else "optional") if verify == "verify_peer" else "none"
        assert ep.verify.value == mode
        if verify == "verify_peer" and fail is None:
            assert "OTP 26" in ep.verify.default_note
    else:
        assert ep.verify.value == ("none" if verify == "verify_none" else "required")
    if "depth" in exp:
        assert ep.depth.value == exp["depth"].value and not ep.depth.is_default
    else:
        assert ep.depth.is_default and ep.depth.value == 10 and ep.depth.default_note
    if "versions" in exp:
        assert ep.protocols.value == {VERSION_NAMES[v.value] for v in exp["versions"].value}
        assert not ep.protocols.is_default
    else:
        assert ep.protocols.is_default and ep.protocols.default_note
    if "ciphers" in exp:
        assert ep.ciphers.value == ":".join(c.value for c in exp["ciphers"].value)
    else:
        assert ep.ciphers.value is None
    assert ep.dialect == "rabbitmq" and ep.depth_semantics == "otp"
