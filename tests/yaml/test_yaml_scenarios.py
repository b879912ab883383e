"""Per YAML service, scenarios with a generated PKI run through the real engine.

Each service has one good config (no error or warning at all) and a table of
edits of it; each edit must produce exactly the expected (code, line) pairs
among the codes it is about. An expected line is given as a needle: the
first line of the edited config that contains it (None: the code must not
be reported at all).
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.findings import Severity
from tlslint.options import Options

DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory) -> Path:
    """One PKI for every scenario: root -> intermediate -> leaves (EC keys)."""
    d = tmp_path_factory.mktemp("pki")
    pki = PkiFactory(d)
    root = pki.root("Scenario Root")
    inter = pki.intermediate(root, "Scenario Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    old = pki.leaf(inter, "www.example.test", not_before=NOW - 400 * DAY, not_after=NOW - DAY)
    stranger = pki.leaf(inter, "other.example.test")
    client = pki.client(inter, "client.example.test")
    old_client = pki.client(inter, "client.example.test", not_before=NOW - 400 * DAY, not_after=NOW - DAY)
    pki.write("ca.pem", root)
    pki.write("upstream-ca.pem", root)
    # server certificate files
    pki.write("fullchain.pem", leaf, inter)
    pki.write("leaf.pem", leaf)
    pki.write("expired.pem", old, inter)
    pki.write_key("site.key", leaf)
    pki.write_key("other.key", stranger)
    pki.write_key("expired.key", old)
    # client certificate files
    pki.write("client.pem", client, inter)
    pki.write("client-expired.pem", old_client, inter)
    pki.write_key("client.key", client)
    pki.write_key("client-expired.key", old_client)
    # certificate and key in one file (MongoDB certificateKeyFile)
    pki.write("server.pem", leaf, inter, leaf.key_pem())
    pki.write("server-leaf.pem", leaf, leaf.key_pem())
    pki.write("server-mismatch.pem", leaf, inter, stranger.key_pem())
    pki.write("server-expired.pem", old, inter, old.key_pem())
    return d


def _edit(text: str, edit) -> str:
    if callable(edit):
        return edit(text)
    for old, new in edit:
        assert text.count(old) == 1, f"edit target not unique or missing: {old!r}"
        text = text.replace(old, new)
    return text


def _line(text: str, needle) -> int:
    """The line of the first occurrence of ``needle``, or of the n-th for ``(needle, n)``."""
    needle, nth = needle if isinstance(needle, tuple) else (needle, 1)
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in the config {nth} time(s)"
    return hits[nth - 1]


def _run(tmp_path: Path, pki_dir: Path, name: str, text: str):
    shutil.copytree(pki_dir, tmp_path, dirs_exist_ok=True)
    config = tmp_path / name
    config.write_text(text)
    opts = Options(now=NOW, use_system_store=False, trust=[tmp_path / "ca.pem"])
    result = engine.check([config], opts)
    assert not result.internal_errors, result.internal_errors
    assert [d.source.path.name for d in result.documents] == [name], "config not recognised"
    return result.findings


def _show(findings) -> str:
    return "\n".join(f"{f.code} line {f.line} {f.severity.value}: {f.message[:120]}" for f in findings)


def _good(tmp_path, pki_dir, name, good):
    findings = _run(tmp_path, pki_dir, name, good)
    loud = [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    assert loud == [], _show(loud)


def _scenario(tmp_path, pki_dir, name, good, edit, expected):
    text = _edit(good, edit)
    findings = _run(tmp_path, pki_dir, name, text)
    want = {(code, _line(text, needle)) for code, needle in expected if needle is not None}
    codes = {code for code, _ in expected}
    got = {(f.code, f.line) for f in findings if f.code in codes}
    assert got == want, _show(findings)


def _d(text: str) -> str:
    return textwrap.dedent(text)


# ---------------------------------------------------------------------------
# Prometheus / exporter-toolkit web config

PROMETHEUS = _d("""\
    tls_server_config:
      cert_file: fullchain.pem
      key_file: site.key
      client_ca_file: ca.pem
      client_auth_type: RequireAndVerifyClientCert
      min_version: TLS12
    """)

PROMETHEUS_CASES = {
    "leaf-only": ([("fullchain.pem", "leaf.pem")], [("TLS101", "cert_file:")]),
    "key-mismatch": ([("site.key", "other.key")], [("TLS301", "key_file:")]),
    "expired": ([("fullchain.pem", "expired.pem"), ("site.key", "expired.key")], [("TLS401", "cert_file:")]),
    "optional": ([("RequireAndVerifyClientCert", "VerifyClientCertIfGiven")], [("TLS202", "client_auth_type")]),
    "unverified-any": ([("RequireAndVerifyClientCert", "RequireAnyClientCert")],
                       [("TLS203", "client_auth_type")]),
    "unverified-request": ([("RequireAndVerifyClientCert", "RequestClientCert")],
                           [("TLS203", "client_auth_type")]),
    # verification disabled: a web config is a server only, it has no outgoing client.
    "legacy": ([("TLS12", "TLS10")], [("TLS601", "min_version")]),
    "legacy-tls11": ([("TLS12", "TLS11")], [("TLS601", "min_version")]),
}


def test_prometheus_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "web-config.yml", PROMETHEUS)


@pytest.mark.parametrize("case", PROMETHEUS_CASES)
def test_prometheus(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "web-config.yml", PROMETHEUS, *PROMETHEUS_CASES[case])


# ---------------------------------------------------------------------------
# Envoy: DownstreamTlsContext (server) and UpstreamTlsContext (client)

ENVOY = _d("""\
    static_resources:
      listeners:
      - name: https
        address:
          socket_address: {address: 0.0.0.0, port_value: 443}
        filter_chains:
        - filter_chain_match:
            server_names: [www.example.test]
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
              require_client_certificate: true
              common_tls_context:
                tls_params:
                  tls_minimum_protocol_version: TLSv1_2
                tls_certificates:
                - certificate_chain: {filename: fullchain.pem}
                  private_key: {filename: site.key}
                validation_context:
                  trusted_ca: {filename: ca.pem}
      clusters:
      - name: backend
        connect_timeout: 1s
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
            sni: www.example.test
            common_tls_context:
              tls_certificates:
              - certificate_chain: {filename: client.pem}
                private_key: {filename: client.key}
              validation_context:
                trusted_ca: {filename: upstream-ca.pem}
                match_typed_subject_alt_names:
                - san_type: DNS
                  matcher: {exact: www.example.test}
    """)

UPSTREAM_VALIDATION = ENVOY[ENVOY.index("          validation_context:\n            trusted_ca: {filename: upstream"):]

ENVOY_CASES = {
    "leaf-only": ([("filename: fullchain.pem", "filename: leaf.pem")], [("TLS101", "leaf.pem")]),
    "key-mismatch": ([("filename: site.key", "filename: other.key")], [("TLS301", "other.key")]),
    "expired": ([("filename: fullchain.pem", "filename: expired.pem"),
                 ("filename: site.key", "filename: expired.key")], [("TLS401", "expired.pem")]),
    # (no leaf-only case for the upstream's client certificate: TLS101 is about
    # served chains, i.e. server endpoints)
    "client-expired": ([("filename: client.pem", "filename: client-expired.pem"),
                        ("filename: client.key", "filename: client-expired.key")],
                       [("TLS401", "client-expired.pem")]),
    # trusted_ca without require_client_certificate: asked for, not required
    "optional": ([("require_client_certificate: true", "require_client_certificate: false")],
                 [("TLS202", "trusted_ca: {filename: ca.pem}")]),
    # required but no trusted_ca: Envoy never asks for a certificate
    # (addClientValidationContext returns early), every client gets in
    "unverified-no-ca": ([("trusted_ca: {filename: ca.pem}", "max_verify_depth: 3")],
                         [("TLS205", "require_client_certificate")]),
    # a SAN matcher makes Envoy require the certificate as much as the flag does
    "san-matcher-requires": (
        [("require_client_certificate: true", "require_client_certificate: false"),
         ("trusted_ca: {filename: ca.pem}",
          "trusted_ca: {filename: ca.pem}\n              match_typed_subject_alt_names:\n"
          "              - {san_type: DNS, matcher: {exact: client.example.test}}")], []),
    "unverified-accept-untrusted": (
        [("trusted_ca: {filename: ca.pem}",
          "trusted_ca: {filename: ca.pem}\n              trust_chain_verification: ACCEPT_UNTRUSTED")],
        [("TLS203", "ACCEPT_UNTRUSTED")]),
    # no trusted_ca: reported at the UpstreamTlsContext (its typed_config key)
    "verification-disabled": (lambda t: t.replace(UPSTREAM_VALIDATION, ""),
                              [("TLS201", ("typed_config:", 2))]),
    "verification-accept-untrusted": (
        [("trusted_ca: {filename: upstream-ca.pem}", "trust_chain_verification: ACCEPT_UNTRUSTED")],
        [("TLS201", "ACCEPT_UNTRUSTED")]),
    "legacy": ([("TLSv1_2", "TLSv1_0")], [("TLS601", "tls_minimum_protocol_version")]),
    "client-legacy": ([("tls_certificates:\n          - certificate_chain: {filename: client.pem}",
                        "tls_params: {tls_minimum_protocol_version: TLSv1_1}\n          tls_certificates:\n"
                        "          - certificate_chain: {filename: client.pem}")],
                      [("TLS601", "TLSv1_1")]),
}


def test_envoy_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "envoy.yaml", ENVOY)


@pytest.mark.parametrize("case", ENVOY_CASES)
def test_envoy(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "envoy.yaml", ENVOY, *ENVOY_CASES[case])


# ---------------------------------------------------------------------------
# Traefik dynamic file configuration

TRAEFIK = _d("""\
    http:
      routers:
        web:
          rule: Host(`www.example.test`)
          service: app
          tls: {}
      serversTransports:
        backend:
          serverName: www.example.test
          rootCAs:
            - upstream-ca.pem
          certificates:
            - certFile: client.pem
              keyFile: client.key
    tls:
      certificates:
        - certFile: fullchain.pem
          keyFile: site.key
      options:
        default:
          minVersion: VersionTLS12
          clientAuth:
            caFiles:
              - ca.pem
            clientAuthType: RequireAndVerifyClientCert
    """)

TRAEFIK_CASES = {
    "leaf-only": ([("certFile: fullchain.pem", "certFile: leaf.pem")], [("TLS101", "leaf.pem")]),
    "key-mismatch": ([("keyFile: site.key", "keyFile: other.key")], [("TLS301", "other.key")]),
    "expired": ([("certFile: fullchain.pem", "certFile: expired.pem"),
                 ("keyFile: site.key", "keyFile: expired.key")], [("TLS401", "expired.pem")]),
    "client-key-mismatch": ([("keyFile: client.key", "keyFile: other.key")], [("TLS301", "other.key")]),
    "optional": ([("RequireAndVerifyClientCert", "VerifyClientCertIfGiven")], [("TLS202", "clientAuthType")]),
    "unverified-any": ([("RequireAndVerifyClientCert", "RequireAnyClientCert")],
                       [("TLS203", "clientAuthType")]),
    "unverified-request": ([("RequireAndVerifyClientCert", "RequestClientCert")],
                           [("TLS203", "clientAuthType")]),
    "verification-disabled": ([("serverName: www.example.test", "insecureSkipVerify: true")],
                              [("TLS201", "insecureSkipVerify")]),
    "legacy": ([("VersionTLS12", "VersionTLS10")], [("TLS601", "minVersion")]),
    "client-legacy": ([("serverName: www.example.test", "serverName: www.example.test\n      minVersion: VersionTLS11")],
                      [("TLS601", "VersionTLS11")]),
}


def test_traefik_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "traefik-dynamic.yml", TRAEFIK)


@pytest.mark.parametrize("case", TRAEFIK_CASES)
def test_traefik(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "traefik-dynamic.yml", TRAEFIK, *TRAEFIK_CASES[case])


# ---------------------------------------------------------------------------
# MongoDB mongod.conf: net.tls (server, and the outgoing cluster client)

MONGODB = _d("""\
    net:
      port: 27017
      tls:
        mode: requireTLS
        certificateKeyFile: server.pem
        CAFile: ca.pem
        disabledProtocols: TLS1_0,TLS1_1
    replication:
      replSetName: rs0
    """)

MONGODB_CASES = {
    "leaf-only": ([("server.pem", "server-leaf.pem")], [("TLS101", "certificateKeyFile")]),
    # certificate and key in one file: reported at certificateKeyFile
    "key-mismatch": ([("server.pem", "server-mismatch.pem")], [("TLS301", "certificateKeyFile")]),
    "expired": ([("server.pem", "server-expired.pem")], [("TLS401", "certificateKeyFile")]),
    "optional": ([("CAFile: ca.pem", "CAFile: ca.pem\n    allowConnectionsWithoutCertificates: true")],
                 [("TLS202", "allowConnectionsWithoutCertificates")]),
    # allowInvalidCertificates with a CA: client certificates are asked for, not validated
    # (TLS203), and this member no longer validates the others (TLS201)
    "unverified": ([("CAFile: ca.pem", "CAFile: ca.pem\n    allowInvalidCertificates: true")],
                   [("TLS203", "allowInvalidCertificates"), ("TLS201", "allowInvalidCertificates")]),
    # without CAFile no client certificate is validated anyway: TLS201 only
    "verification-disabled": ([("CAFile: ca.pem", "allowInvalidCertificates: true")],
                              [("TLS201", "allowInvalidCertificates"), ("TLS203", None)]),
    "legacy": ([("TLS1_0,TLS1_1", "TLS1_0")], [("TLS601", "disabledProtocols")]),
    # mongod's default disables TLS 1.0 only: TLS 1.1 stays on
    "legacy-default": ([("    disabledProtocols: TLS1_0,TLS1_1\n", "")], [("TLS601", "mode: requireTLS")]),
}


def test_mongodb_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "mongod.conf", MONGODB)


@pytest.mark.parametrize("case", MONGODB_CASES)
def test_mongodb(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "mongod.conf", MONGODB, *MONGODB_CASES[case])


# ---------------------------------------------------------------------------
# Elasticsearch: HTTP and transport layers, nested and dotted keys

ELASTICSEARCH = _d("""\
    cluster.name: scenario
    xpack.security.http.ssl:
      enabled: true
      certificate: fullchain.pem
      key: site.key
      certificate_authorities: [ca.pem]
      client_authentication: required
      supported_protocols: [TLSv1.2, TLSv1.3]
    xpack.security.transport.ssl.enabled: true
    xpack.security.transport.ssl.certificate: fullchain.pem
    xpack.security.transport.ssl.key: site.key
    xpack.security.transport.ssl.certificate_authorities: [ca.pem]
    xpack.security.transport.ssl.verification_mode: full
    """)

ELASTICSEARCH_CASES = {
    "leaf-only": ([("  certificate: fullchain.pem", "  certificate: leaf.pem")], [("TLS101", "leaf.pem")]),
    "key-mismatch": ([("  key: site.key", "  key: other.key")], [("TLS301", "other.key")]),
    "expired": ([("  certificate: fullchain.pem", "  certificate: expired.pem"),
                 ("  key: site.key", "  key: expired.key")], [("TLS401", "expired.pem")]),
    "transport-leaf-only": ([("ssl.certificate: fullchain.pem", "ssl.certificate: leaf.pem")],
                            [("TLS101", "leaf.pem")]),
    "optional": ([("client_authentication: required", "client_authentication: optional")],
                 [("TLS202", "client_authentication")]),
    # verification_mode: none on transport: client certificates are not validated
    # (TLS203) and this node does not validate the others (TLS201)
    "verification-disabled": ([("verification_mode: full", "verification_mode: none")],
                              [("TLS201", "verification_mode"), ("TLS203", "verification_mode")]),
    "legacy": ([("[TLSv1.2, TLSv1.3]", "[TLSv1.1, TLSv1.2, TLSv1.3]")], [("TLS601", "supported_protocols")]),
    "legacy-tls10": ([("[TLSv1.2, TLSv1.3]", "[TLSv1, TLSv1.2]")], [("TLS601", "supported_protocols")]),
}


def test_elasticsearch_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "elasticsearch.yml", ELASTICSEARCH)


@pytest.mark.parametrize("case", ELASTICSEARCH_CASES)
def test_elasticsearch(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "elasticsearch.yml", ELASTICSEARCH, *ELASTICSEARCH_CASES[case])


# ---------------------------------------------------------------------------
# etcd: client and peer transport security

ETCD = _d("""\
    name: node1
    tls-min-version: TLS1.2
    client-transport-security:
      cert-file: fullchain.pem
      key-file: site.key
      trusted-ca-file: ca.pem
      client-cert-auth: true
    peer-transport-security:
      cert-file: fullchain.pem
      key-file: site.key
      trusted-ca-file: ca.pem
      client-cert-auth: true
    """)

ETCD_CASES = {
    "leaf-only": ([("  cert-file: fullchain.pem\n  key-file: site.key\n  trusted-ca-file: ca.pem\n"
                    "  client-cert-auth: true\npeer",
                    "  cert-file: leaf.pem\n  key-file: site.key\n  trusted-ca-file: ca.pem\n"
                    "  client-cert-auth: true\npeer")], [("TLS101", "leaf.pem")]),
    "key-mismatch": (lambda t: t.replace("key-file: site.key", "key-file: other.key", 1),
                     [("TLS301", "other.key")]),
    "expired": (lambda t: t.replace("fullchain.pem", "expired.pem").replace("site.key", "expired.key"),
                # one file used by both sections: reported at each
                [("TLS401", ("cert-file: expired.pem", 1)), ("TLS401", ("cert-file: expired.pem", 2))]),
    # optional / unverified client certificates: etcd has no such mode (a CA or
    # client-cert-auth always means RequireAndVerifyClientCert).
    # verification disabled: etcd's config file has no switch that turns off the
    # verification of its peers (auto-tls aside, which generates the certificate).
    # legacy minimum version: etcd accepts only TLS1.2 and TLS1.3 and refuses to
    # start on anything else: the right finding is TLS001, and no TLS601.
    "legacy": ([("TLS1.2", "TLS1.0")], [("TLS001", "tls-min-version"), ("TLS601", None)]),
}


def test_etcd_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "etcd.conf.yml", ETCD)


@pytest.mark.parametrize("case", ETCD_CASES)
def test_etcd(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "etcd.conf.yml", ETCD, *ETCD_CASES[case])


# ---------------------------------------------------------------------------
# Docker registry config.yml: http.tls (server), redis.tls (client)

REGISTRY = _d("""\
    version: 0.1
    storage:
      filesystem:
        rootdirectory: /var/lib/registry
    http:
      addr: :5000
      host: https://www.example.test:5000
      tls:
        certificate: fullchain.pem
        key: site.key
        clientcas:
          - ca.pem
        clientauth: require-and-verify-client-cert
        minimumtls: tls1.2
    redis:
      addrs: [redis.example.test:6379]
      tls:
        certificate: client.pem
        key: client.key
        rootcas:
          - upstream-ca.pem
    """)

REGISTRY_CASES = {
    "leaf-only": ([("certificate: fullchain.pem", "certificate: leaf.pem")], [("TLS101", "leaf.pem")]),
    "key-mismatch": ([("key: site.key", "key: other.key")], [("TLS301", "other.key")]),
    "expired": ([("certificate: fullchain.pem", "certificate: expired.pem"),
                 ("key: site.key", "key: expired.key")], [("TLS401", "expired.pem")]),
    "client-key-mismatch": ([("key: client.key", "key: other.key")], [("TLS301", "other.key")]),
    "optional": ([("require-and-verify-client-cert", "verify-client-cert-if-given")],
                 [("TLS202", "clientauth")]),
    "unverified-any": ([("require-and-verify-client-cert", "require-any-client-cert")],
                       [("TLS203", "clientauth")]),
    "unverified-request": ([("require-and-verify-client-cert", "request-client-cert")],
                           [("TLS203", "clientauth")]),
    # verification disabled: the registry's redis client has no switch for it
    # (RedisTLSOptions: certificate, key, rootcas): an `insecureskipverify` key is
    # unknown (TLS007) and changes nothing (no TLS201).
    "no-insecureskipverify": ([("    rootcas:", "    insecureskipverify: true\n    rootcas:")],
                              [("TLS007", "insecureskipverify"), ("TLS201", None)]),
    "legacy": ([("tls1.2", "tls1.0")], [("TLS601", "minimumtls")]),
}


def test_registry_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "config.yml", REGISTRY)


@pytest.mark.parametrize("case", REGISTRY_CASES)
def test_registry(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "config.yml", REGISTRY, *REGISTRY_CASES[case])


# ---------------------------------------------------------------------------
# kubeconfig (client side)

KUBECONFIG = _d("""\
    apiVersion: v1
    kind: Config
    clusters:
    - name: prod
      cluster:
        server: https://www.example.test:6443
        certificate-authority: ca.pem
    users:
    - name: admin
      user:
        client-certificate: client.pem
        client-key: client.key
    contexts:
    - name: prod
      context:
        cluster: prod
        user: admin
    current-context: prod
    """)

KUBECONFIG_CASES = {
    # leaf-only chain: a kubeconfig serves no chain (client side; TLS101 is about
    # served chains, i.e. server endpoints).
    "key-mismatch": ([("client-key: client.key", "client-key: other.key")], [("TLS301", "other.key")]),
    "expired": ([("client.pem", "client-expired.pem"), ("client.key", "client-expired.key")],
                [("TLS401", "client-expired.pem")]),
    # optional / unverified client certificates: a kubeconfig is a client only.
    "verification-disabled": ([("certificate-authority: ca.pem", "insecure-skip-tls-verify: true")],
                              [("TLS201", "insecure-skip-tls-verify")]),
    # legacy minimum version: a kubeconfig has no protocol setting (client-go: TLS 1.2+).
}


def test_kubeconfig_good(tmp_path, pki_dir):
    _good(tmp_path, pki_dir, "kubeconfig", KUBECONFIG)


@pytest.mark.parametrize("case", KUBECONFIG_CASES)
def test_kubeconfig(tmp_path, pki_dir, case):
    _scenario(tmp_path, pki_dir, "kubeconfig", KUBECONFIG, *KUBECONFIG_CASES[case])
