"""Fuzzing every parser with mutated corpus files and fixtures, and random text.

For each parser: nothing is raised (bad input is a Problem, i.e. a finding
such as TLS001), every span lies within the text with ``text[span] == raw``,
and the same input always gives the same settings and problems.

Budget: the ``ci`` profile of conftest.py; ``HYPOTHESIS_PROFILE=fuzz`` for more.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from .hostilekit import (ERLANG_SEEDS, NGINX_SEEDS, RABBITMQ_CONF_SEEDS, YAML_SEEDS, check_document,
                        check_span, corpus_seeds, fuzz_text, mutated, signature)
from tlslint import readfile
from tlslint.source import Source, encode

NGINX = NGINX_SEEDS + corpus_seeds("nginx", ["*.conf"])
RABBITMQ_CONF = RABBITMQ_CONF_SEEDS + corpus_seeds("rabbitmq", ["*.conf"])
ERLANG = ERLANG_SEEDS + corpus_seeds("rabbitmq", ["*.expected", "*.config"], count=30)
YAML = [t for _, t in YAML_SEEDS] + corpus_seeds("yaml", ["*.yml", "*.yaml"])


@pytest.fixture(scope="module")
def sandbox():
    """A scratch directory; reads are confined to it (--root) so that mutated
    include and certificate paths never reach the machine's files."""
    with tempfile.TemporaryDirectory(prefix="tlslint-fuzz-") as tmp:
        with readfile.policy(root=Path(tmp)):
            yield Path(tmp)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(encode(text))
    return path


# --- nginx ----------------------------------------------------------------------

@given(text=fuzz_text(NGINX))
def test_fuzz_nginx_parse_text(sandbox, text):
    from tlslint.dialects import nginx

    path = sandbox / "nginx.conf"
    first = nginx.parse_text(path, text)
    check_document(first)
    assert signature([first]) == signature([nginx.parse_text(path, text)])


@given(text=mutated(NGINX))
def test_fuzz_nginx_file(sandbox, text):
    from tlslint.dialects import nginx

    path = _write(sandbox, "site.conf", text)
    docs = nginx.parse(path, "nginx")
    for doc in docs:
        check_document(doc)
    assert signature(docs) == signature(nginx.parse(path, "nginx"))


# --- rabbitmq.conf (cuttlefish) -----------------------------------------------------

@given(text=fuzz_text(RABBITMQ_CONF))
def test_fuzz_rabbitmq_conf_lines(text):
    from tlslint.dialects.rabbitmq.conf import parse_file

    source = Source(path=Path("rabbitmq.conf"), text=text)
    result = parse_file(source)
    for problem in result.problems:
        check_span(problem.location.span, text, problem.code)
    for item in result.items:
        setting = getattr(item, "setting", None)
        if setting is not None:
            assert text[setting.span.start:setting.span.end] == setting.raw
        span = getattr(item, "span", None)
        if span is not None:
            check_span(span, text, "include")
    again = parse_file(Source(path=Path("rabbitmq.conf"), text=text))
    assert [(p.code, p.message) for p in result.problems] == [(p.code, p.message) for p in again.problems]
    assert len(result.items) == len(again.items)


@given(text=mutated(RABBITMQ_CONF))
def test_fuzz_rabbitmq_node(sandbox, text):
    from tlslint.dialects import rabbitmq

    path = _write(sandbox, "rabbitmq.conf", text)
    docs = rabbitmq.parse(path)
    for doc in docs:
        check_document(doc)
    assert signature(docs) == signature(rabbitmq.parse(path))


# --- Erlang terms (advanced.config, rabbitmq.config) -------------------------------------

def _check_term(term, text: str) -> None:
    stack = [term]
    while stack:
        t = stack.pop()
        check_span(t.span, text, f"term {t.kind}")
        if t.kind in ("list", "tuple"):
            stack.extend(t.value)
        elif t.kind == "map":
            stack.extend(x for pair in t.value for x in pair)
        if t.tail is not None:
            stack.append(t.tail)


@given(text=fuzz_text(ERLANG))
def test_fuzz_erlang_terms(text):
    from tlslint.dialects.rabbitmq.terms import TermSyntaxError, parse_terms

    try:
        term = parse_terms(text)
    except TermSyntaxError as exc:
        assert 0 <= exc.pos <= len(text)
        with pytest.raises(TermSyntaxError) as again:
            parse_terms(text)
        assert (again.value.pos, again.value.message) == (exc.pos, exc.message)
        return
    if term is not None:
        _check_term(term, text)


@given(text=mutated(ERLANG))
def test_fuzz_advanced_config(sandbox, text):
    from tlslint.dialects import rabbitmq

    path = _write(sandbox, "rabbitmq.config", text)
    docs = rabbitmq.parse(path)
    for doc in docs:
        check_document(doc)
    assert signature(docs) == signature(rabbitmq.parse(path))


# --- YAML family ------------------------------------------------------------------

@given(text=fuzz_text(YAML), dialect=st.sampled_from(
    ["prometheus", "envoy", "traefik", "mongodb", "elasticsearch", "etcd", "docker-registry", "kubeconfig"]))
def test_fuzz_yaml(sandbox, text, dialect):
    from tlslint.dialects import yaml

    path = _write(sandbox, "config.yml", text)
    docs = yaml.parse(path, dialect)
    for doc in docs:
        check_document(doc)
    assert signature(docs) == signature(yaml.parse(path, dialect))


# --- PEM / DER ----------------------------------------------------------------------

def _pem_seeds() -> list[bytes]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent))
    from pkifactory import PkiFactory

    with tempfile.TemporaryDirectory() as tmp:
        pki = PkiFactory(Path(tmp))
        root = pki.root("Fuzz Root")
        inter = pki.intermediate(root, "Fuzz Inter")
        leaf = pki.leaf(inter, "fuzz.example.test")
        from cryptography.hazmat.primitives import serialization

        der = leaf.cert.public_bytes(serialization.Encoding.DER)
        return [leaf.pem + inter.pem + root.pem, leaf.key_pem(), leaf.key_pem(b"pw"),
                leaf.key_pem(traditional=True) + leaf.pem, der,
                b"Bag Attributes\n    friendlyName: x\nsubject=/CN=x\n" + leaf.pem]


PEM_SEEDS = _pem_seeds()


@st.composite
def mutated_bytes(draw) -> bytes:
    data = draw(st.sampled_from(PEM_SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        i = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
        elif op == "truncate":
            data = data[:i]
        elif op == "insert":
            data = data[:i] + draw(st.sampled_from(
                [b"\0", b"\r", b"\n", b"-----", b"-----BEGIN CERTIFICATE-----\n", b"-----END CERTIFICATE-----\n",
                 b"-----BEGIN PRIVATE KEY-----\n", b"=", b"Proc-Type: 4,ENCRYPTED\n", b"\xef\xbb\xbf", b"\x30\x82"]
            )) + data[i:]
        elif op == "delete":
            j = draw(st.integers(i, min(len(data), i + 64)))
            data = data[:i] + data[j:]
        else:
            j = draw(st.integers(i, min(len(data), i + 200)))
            data = data[:j] + data[i:j] + data[j:]
    return data


@given(data=st.one_of(mutated_bytes(), st.binary(max_size=400)))
def test_fuzz_pem_parse(data):
    from cryptography.hazmat.primitives import hashes

    from tlslint.pki.parse import parse_bytes

    first = parse_bytes(data)
    second = parse_bytes(data)
    assert [c.fingerprint(hashes.SHA256()) for c in first.certs] == \
        [c.fingerprint(hashes.SHA256()) for c in second.certs]
    assert list(first.problems) == list(second.problems)
    assert [(k.encrypted, k.error) for k in first.keys] == [(k.encrypted, k.error) for k in second.keys]
    for problem in first.problems:  # messages describe, they never quote the file
        assert b"MII" not in problem.encode("utf-8", "surrogateescape")
