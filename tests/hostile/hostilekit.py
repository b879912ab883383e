"""Helpers for the hostile-input suite: seeds and mutations for fuzzing,
invariant checks on parsed documents, and a CLI runner with a time bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Optional

from conftest import CORPUS as SHARED_CORPUS
from hypothesis import strategies as st

HERE = Path(__file__).parent
CASES = HERE / "cases"
ROOT = HERE.parent.parent
CORPUS = SHARED_CORPUS

# A generous bound: a hang shows up as a failure, a slow machine does not.
RUN_TIMEOUT = 60


# --- seeds ----------------------------------------------------------------------

def _pick(files: list[Path], count: int, max_bytes: int) -> list[str]:
    files = sorted(p for p in files if p.is_file() and p.stat().st_size <= max_bytes)
    if len(files) > count:  # spread over the corpus, deterministically
        step = len(files) / count
        files = [files[int(i * step)] for i in range(count)]
    return [p.read_bytes().decode("utf-8", "surrogateescape") for p in files]


def corpus_seeds(folder: str, patterns: Iterable[str], count: int = 40, max_bytes: int = 12_000) -> list[str]:
    base = CORPUS / folder
    if not base.is_dir():
        return []
    files: list[Path] = []
    for pattern in patterns:
        files.extend(base.rglob(pattern))
    return _pick(files, count, max_bytes)


NGINX_SEEDS = [
    "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
    "    ssl_certificate certs/site.pem;  # the chain\n    ssl_certificate_key certs/site.key;\n"
    "    ssl_protocols TLSv1 TLSv1.2;\n    ssl_verify_client optional;\n"
    "    location / { proxy_pass https://backend; proxy_ssl_verify off; }\n  }\n}\n",
    "server {\n  listen 8443 ssl http2;\n  ssl_certificate \"/etc/ssl/a b.pem\";\n"
    "  ssl_certificate_key '/etc/ssl/a.key';\n  ssl_password_file /etc/keys/pass.txt;\n}\n",
    "stream { server { listen 636 ssl; proxy_pass ldap:389; ssl_certificate $ssl_server_name.pem; } }\n",
    "http { include conf.d/*.conf; map $host $x { default 1; } "
    "server { content_by_lua_block { ngx.say(\"}\") } } }\n",
]
RABBITMQ_CONF_SEEDS = [
    "listeners.ssl.default = 5671\nssl_options.cacertfile = /etc/rabbitmq/ca.pem\n"
    "ssl_options.certfile = /etc/rabbitmq/server.pem\nssl_options.keyfile = /etc/rabbitmq/server.key\n"
    "ssl_options.verify = verify_peer\nssl_options.fail_if_no_peer_cert = false\n"
    "ssl_options.versions.1 = tlsv1.2\n# a comment\nssl_options.password = 'pa#ss'\n",
    "management.ssl.port = 15671\nmanagement.ssl.certfile = \"/quoted/path.pem\"\n"
    "ssl_options.depth = 2\nssl_options.honor_cipher_order = true\n",
    "include /etc/rabbitmq/conf.d/*.conf\nlisteners.ssl.1 = 0.0.0.0:5671\n"
    "ssl_options.keyfile = $(SSL_KEY)\nssl_options.password = $(<pwfile)\n",
]
ERLANG_SEEDS = [
    "[{rabbit, [{ssl_listeners, [5671]},\n  {ssl_options, [{cacertfile, \"/etc/ca.pem\"},\n"
    "    {certfile, \"/etc/server.pem\"}, {keyfile, \"/etc/server.key\"},\n"
    "    {verify, verify_peer}, {fail_if_no_peer_cert, true}, {versions, ['tlsv1.2']}]}]}].\n",
    "%% comment\n[{rabbitmq_management, [{ssl_config, [{port, 15671}, {password, <<\"secret\">>},\n"
    "  {ciphers, [\"ECDHE\" ++ \"-RSA\"]}, {depth, 16#0A}, {customize_hostname_check, "
    "[{match_fun, public_key:pkix_verify_hostname_match_fun(https)}]}]}]}].\n",
    "[{kernel, [{x, #{a => 1, \"b\" => $c}}, {f, fun(X) -> case X of 1 -> ok end end}, {y, [a | b]}]}].\n",
]
YAML_SEEDS = [
    ("prometheus", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                   "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem\n"
                   "  min_version: TLS10\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n"),
    ("kubeconfig", "apiVersion: v1\nclusters:\n- cluster:\n    server: https://k8s:6443\n"
                   "    insecure-skip-tls-verify: true\n    certificate-authority-data: |\n      QUJD\n"
                   "  name: c\nusers:\n- name: u\n  user: {client-key-data: QUJD}\n"),
    ("traefik", "tls:\n  options:\n    default:\n      minVersion: VersionTLS10\n"
                "  certificates:\n    - certFile: &c /certs/a.pem\n      keyFile: *c\n"),
    ("envoy", "static_resources:\n  listeners:\n  - filter_chains:\n    - transport_socket:\n"
              "        name: envoy.transport_sockets.tls\n        typed_config:\n"
              "          \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3."
              "DownstreamTlsContext\n          common_tls_context:\n            tls_certificates:\n"
              "            - certificate_chain: {filename: a.pem}\n              private_key: {filename: a.key}\n"),
]

# Characters and tokens that break parsers: structure, quoting, comments,
# NUL, lone CR, BOM, YAML indicators, Erlang brackets, templating.
SPECIAL = ["{", "}", ";", "'", '"', "#", "\0", "\r", "\n", "\r\n", "\\", "$", "[", "]", ",", ".",
           "%", ":", "-", " ", "\t", "\ufeff", "<<", ">>", "#{", "{{", "}}", "&a", "*a", "!!str",
           "---", "...", "|", ">", "?", "`", "\udcff", "\u2028", "=", "include ", "${x}", "$(<f)",
           "-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n"]


@st.composite
def mutated(draw, seeds: list[str], max_ops: int = 6) -> str:
    """A seed after a few flips, truncations, insertions, deletions and duplications."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "insert", "delete", "duplicate"]))
        i = draw(st.integers(0, len(text)))
        if op == "flip" and text:
            i = min(i, len(text) - 1)
            text = text[:i] + draw(st.sampled_from(SPECIAL + [chr(draw(st.integers(1, 0x7F)))])) + text[i + 1:]
        elif op == "truncate":
            text = text[:i]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(SPECIAL)) * draw(st.integers(1, 3)) + text[i:]
        elif op == "delete":
            j = draw(st.integers(i, min(len(text), i + 40)))
            text = text[:i] + text[j:]
        elif op == "duplicate":
            j = draw(st.integers(i, min(len(text), i + 80)))
            text = text[:j] + text[i:j] + text[j:]
    return text


def random_text(alphabet: str = "{};'\"#\\$[](),.%:-= \t\r\nabcsl_0189\0\ufeff") -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=300)


def fuzz_text(seeds: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(mutated(seeds), random_text())


# --- invariants -----------------------------------------------------------------

def check_span(span, text: str, what: str) -> None:
    assert 0 <= span.start <= span.end <= len(text), f"{what}: span {span} outside 0..{len(text)}"


def check_setting(setting, seen: Optional[set] = None) -> None:
    text = setting.source.text
    check_span(setting.span, text, f"setting {setting.key!r}")
    assert text[setting.span.start:setting.span.end] == setting.raw, \
        f"setting {setting.key!r}: text[span] != raw"
    if setting.key_span is not None:
        check_span(setting.key_span, text, f"key of {setting.key!r}")
    if setting.statement is not None:
        check_span(setting.statement, text, f"statement of {setting.key!r}")
    for arg in setting.args:
        check_setting(arg)


def check_document(doc) -> None:
    """Every span of a parsed document lies within its source text, and
    ``text[span] == raw`` for every setting."""
    for setting in doc.settings:
        check_setting(setting)
    for problem in doc.problems:
        assert problem.code.startswith("TLS"), problem.code
        check_span(problem.location.span, problem.location.source.text, f"problem {problem.code}")
        if problem.setting is not None:
            check_setting(problem.setting)
    for comment in doc.comments:
        check_span(comment.span, comment.source.text, "comment")
    for endpoint in doc.endpoints:
        for ref in endpoint.file_refs() if hasattr(endpoint, "file_refs") else ():
            check_setting(ref.setting)


def signature(docs) -> list:
    """What must not change between two parses of the same input."""
    out = []
    for doc in docs:
        out.append((
            doc.dialect,
            [(s.key, s.value, s.raw, s.span.start, s.span.end, str(s.source.path)) for s in doc.settings],
            [(p.code, p.location.span.start, p.location.span.end, p.message) for p in doc.problems],
            [(c.span.start, c.span.end) for c in doc.comments],
            [(e.label, e.role) for e in doc.endpoints],
        ))
    return out


# --- the command line -------------------------------------------------------------

def run_cli(*args: str, cwd: Path, timeout: int = RUN_TIMEOUT, stdin=subprocess.DEVNULL,
            env: Optional[dict] = None, unprivileged: bool = False) -> subprocess.CompletedProcess:
    """``tlslint ARGS`` in a subprocess; a hang fails the test after ``timeout``
    seconds. ``unprivileged``: as user nobody (the caller runs as root)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("TLSLINT_DEBUG", None)
    command = [sys.executable, "-m", "tlslint", *args]
    if unprivileged:
        full_env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=stdin,
                          env=full_env)


def json_findings(proc: subprocess.CompletedProcess) -> list[dict]:
    assert proc.returncode in (0, 1), f"exit {proc.returncode}: {proc.stderr}"
    return json.loads(proc.stdout)["findings"]


def codes_at(findings: list[dict]) -> set[tuple[str, str, int]]:
    return {(f["code"], f["path"], f["line"]) for f in findings}
