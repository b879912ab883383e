"""No secret in any output.

Fixtures plant recognisable secrets: private keys (their PEM body lines),
passwords in ``ssl_password_file``, a RabbitMQ ``ssl_options.password``
(plain, double-quoted, and in advanced.config), a ``$(<file)`` password
file, YAML inline keys (Traefik ``keyFile`` PEM, Envoy ``inline_string``,
kubeconfig ``client-key-data``), and keys in the wrong place (a key named
as a certificate, a key file included as an nginx config). Every output
format, ``-v``, ``--statistics`` and ``fix --diff`` is run and stdout and
stderr are scanned for any of them.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest

from .hostilekit import run_cli

sys.path.insert(0, str(Path(__file__).parent.parent))
from pkifactory import NOW_ISO, PkiFactory  # noqa: E402

PASSWORDS = {
    "nginx_password_file": "PLANTED-NGINX-PASSWORD-FILE-4711",
    "nginx_password_file_2": "PLANTED-NGINX-SECOND-LINE-0815",
    "rmq_plain": "PLANTED_RMQ_PLAIN_9931",
    "rmq_quoted": "PLANTED_RMQ_QUOTED_7731#tail",
    "rmq_file": "PLANTED-RMQ-FROM-FILE-3391",
    "advanced": "PLANTED-ADVANCED-CONFIG-2251",
    "envoy": "PLANTED-ENVOY-INLINE-PASSWORD-6610",
}


def _key_lines(pem: bytes) -> list[str]:
    """The base64 body lines of a PEM key: none may ever be printed."""
    return [line for line in pem.decode().splitlines() if line and not line.startswith("-----")
            and ":" not in line and len(line) >= 16]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("secrets")
    pki = PkiFactory(folder)
    root = pki.root("Secret Root")
    leaf = pki.leaf(root, "www.example.test")
    other = pki.leaf(root, "other.example.test")
    pki.write("ca.pem", root)
    pki.write("site.pem", leaf)
    secrets: list[str] = list(PASSWORDS.values())

    def key(name: str, item, password: bytes | None = None) -> bytes:
        pem = item.key_pem(password)
        (folder / name).write_bytes(pem)
        secrets.extend(_key_lines(pem))
        return pem

    key("site.key", leaf)
    key("mismatch.key", other)
    key("encrypted.key", leaf, b"the-real-password")
    key("as-cert.key", other)
    (folder / "nginx.pass").write_text(f"{PASSWORDS['nginx_password_file']}\n{PASSWORDS['nginx_password_file_2']}\n")
    (folder / "nginx.conf").write_text(
        "events {}\nhttp {\n"
        "  server { listen 443 ssl; server_name www.example.test;\n"
        "    ssl_certificate site.pem; ssl_certificate_key encrypted.key; ssl_password_file nginx.pass; }\n"
        "  server { listen 443 ssl; server_name www.example.test;\n"
        "    ssl_certificate site.pem; ssl_certificate_key mismatch.key; }\n"
        "  server { listen 443 ssl; server_name www.example.test;\n"
        "    ssl_certificate as-cert.key; ssl_certificate_key site.key; }\n"
        "}\n")
    (folder / "keyconf").mkdir()
    (folder / "keyconf" / "nginx.conf").write_text("events {}\nhttp {\n  include ../site.key;\n}\n")

    (folder / "rmq").mkdir()
    (folder / "rmq" / "pwfile").write_text(PASSWORDS["rmq_file"] + "\n")
    pki.write("rmq/server.pem", leaf)
    key("rmq/server.key", leaf, b"rmq-real-password")
    (folder / "rmq" / "rabbitmq.conf").write_text(
        "listeners.ssl.default = 5671\n"
        f"ssl_options.certfile = {folder}/rmq/server.pem\n"
        f"ssl_options.keyfile = {folder}/rmq/server.key\n"
        f"ssl_options.password = {PASSWORDS['rmq_plain']}\n"
        f"management.ssl.password = \"{PASSWORDS['rmq_quoted']}\"\n"
        "management.ssl.port = 15671\n"
        f"management.ssl.certfile = {folder}/rmq/server.pem\n"
        f"management.ssl.keyfile = {folder}/rmq/server.key\n"
        "web_mqtt.ssl.password = $(<pwfile)\n"
        "ssl_options.password_typo = oops\n")
    (folder / "rmq" / "advanced.config").write_text(
        "[{rabbitmq_stomp, [{ssl_options, [{certfile, \"" + f"{folder}/rmq/server.pem" + "\"},\n"
        "  {keyfile, \"" + f"{folder}/rmq/server.key" + "\"}, {password, \"" + PASSWORDS["advanced"] + "\"}]}]}].\n")

    (folder / "yaml").mkdir()
    inline_key = leaf.key_pem()
    secrets.extend(_key_lines(inline_key))
    indented = "".join(f"        {line}\n" for line in inline_key.decode().splitlines())
    (folder / "yaml" / "traefik.yml").write_text(
        "tls:\n  certificates:\n    - certFile: ../site.pem\n      keyFile: |\n" + indented)
    other_key = other.key_pem()
    secrets.extend(_key_lines(other_key))
    (folder / "yaml" / "envoy.yaml").write_text(
        "static_resources:\n  listeners:\n  - name: l\n    filter_chains:\n    - transport_socket:\n"
        "        name: envoy.transport_sockets.tls\n        typed_config:\n"
        "          \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\n"
        "          common_tls_context:\n            tls_certificates:\n"
        "            - certificate_chain: {filename: ../site.pem}\n"
        f"              private_key: {{inline_string: {other_key.decode()!r}}}\n"
        f"              password: {{inline_string: {PASSWORDS['envoy']}}}\n".replace("'", '"'))
    kube_data = base64.b64encode(other_key).decode()
    secrets.append(kube_data[20:80])
    (folder / "yaml" / "kubeconfig.yaml").write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://k8s.example.test\n"
        "    certificate-authority: ../ca.pem\nusers:\n- name: u\n  user:\n"
        f"    client-certificate: ../site.pem\n    client-key-data: {kube_data}\n"
        "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n")
    (folder / "tlslint.toml").write_text(
        '[dialects]\n"yaml/traefik.yml" = "traefik"\n"yaml/envoy.yaml" = "envoy"\n'
        '"yaml/kubeconfig.yaml" = "kubeconfig"\n')
    return folder, secrets


RUNS = [
    ("check",),
    ("check", "-v", "--statistics"),
    ("check", "--format", "json"),
    ("check", "--format", "json", "--statistics"),
    ("check", "--format", "sarif", "--statistics"),
    ("check", "--format", "github", "--statistics"),
    ("fix", "--diff"),
    ("fix", "--diff", "--unsafe-fixes"),
]


@pytest.mark.parametrize("args", RUNS, ids=[" ".join(r) for r in RUNS])
def test_no_secret_in_any_output(planted, args):
    folder, secrets = planted
    proc = run_cli(*args, "--now", NOW_ISO, "--trust", "ca.pem", ".", "keyconf/nginx.conf", cwd=folder)
    assert proc.returncode in (0, 1), proc.stderr
    output = proc.stdout + proc.stderr
    leaked = [s for s in secrets if s in output]
    assert not leaked, f"{len(leaked)} secret(s) printed, e.g. {leaked[0][:12]}..."
    assert "PLANTED" not in output
    assert "PRIVATE KEY-----\n" not in output


def test_the_fixture_does_produce_findings_about_the_secret_files(planted):
    """Guard against a vacuous scan: the runs do look at the planted material."""
    import json

    folder, _ = planted
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", ".", "keyconf/nginx.conf",
                   cwd=folder)
    codes = {(f["code"], Path(f["path"]).name) for f in json.loads(proc.stdout)["findings"]}
    assert ("TLS303", "nginx.conf") in codes  # the password file does not open the key
    assert ("TLS301", "nginx.conf") in codes  # mismatch.key
    assert ("TLS004", "nginx.conf") in codes  # a key named as the certificate
    assert ("TLS001", "site.key") in codes  # the key file included as a config


def test_library_warnings_never_quote_the_config(tmp_path):
    """ruamel.yaml warns about a reused anchor by printing the YAML lines:
    with a password on one of them, that was a leak on stderr."""
    (tmp_path / "web.yml").write_text(
        "tls_server_config:\n  cert_file: &c a.crt\n  key_file: a.key\n"
        "basic_auth_users:\n  admin: &c PLANTED-ANCHOR-SECRET-1207\n")
    proc = run_cli("check", "web.yml", cwd=tmp_path)
    assert proc.returncode == 1
    assert "PLANTED" not in proc.stdout + proc.stderr
    assert "Warning" not in proc.stderr


def test_a_key_file_name_is_not_redacted_in_diffs():
    # a path is no secret; redacting it would make the diff unappliable
    from tlslint.redact import redact_diff_line

    line = ' private_key: { filename: "server.key" }\n'
    assert redact_diff_line(line) == line


@pytest.mark.parametrize("line,kept", [
    ("        proxy_pass https://api_backend;\n", True),  # an upstream, not a password
    ("    grpc_pass grpcs://backend:50051;\n", True),
    ("default_pass = guest\n", False),                   # RabbitMQ's default user password
    ("ssl_options.password = s3cret\n", False),
])
def test_upstream_pass_directives_are_not_secrets(line, kept):
    from tlslint.redact import redact_diff_line

    assert (redact_diff_line(" " + line) == " " + line) is kept
