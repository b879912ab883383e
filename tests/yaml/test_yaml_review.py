"""Review fixes of the YAML family, run through the real engine: file detection
(name matches need a YAML-ish suffix, kubeadm ``*.conf`` kubeconfigs,
Kubernetes workloads veto a name match, Grafana provisioning and Helm values
are not claimed), Traefik TCP passthrough routers, Envoy SDS certificates,
exporter-toolkit's strict decoding, and a min version above the max version.

Each test asserts (file, code, line) only.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from pkifactory import NOW, PkiFactory
from tlslint import engine
from tlslint.options import Options


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pki")
    pki = PkiFactory(d)
    root = pki.root("Review Root")
    inter = pki.intermediate(root, "Review Intermediate")
    www = pki.leaf(inter, "www.example.test")
    api = pki.leaf(inter, "api.example.test")
    pki.write("ca.pem", root)
    pki.write("fullchain.pem", www, inter)
    pki.write_key("site.key", www)
    pki.write("api/fullchain.pem", api, inter)
    pki.write_key("api/site.key", api)
    return d


def _check(tmp_path: Path, pki_dir: Path, files: dict[str, str]):
    shutil.copytree(pki_dir, tmp_path, dirs_exist_ok=True)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    opts = Options(now=NOW, use_system_store=False, trust=[tmp_path / "ca.pem"])
    result = engine.check([tmp_path], opts)
    assert not result.internal_errors, result.internal_errors
    docs = sorted(d.source.path.relative_to(tmp_path).as_posix() for d in result.documents)
    found = sorted((Path(f.path).name, f.code, f.line) for f in result.findings)
    return docs, found


# ---------------------------------------------------------------------------
# detection

KUBEADM_CONF = """\
    apiVersion: v1
    clusters:
    - cluster:
        certificate-authority: {ca}
        server: https://10.0.0.1:6443
      name: kubernetes
    contexts:
    - context:
        cluster: kubernetes
        user: kubernetes-admin
      name: kubernetes-admin@kubernetes
    current-context: kubernetes-admin@kubernetes
    kind: Config
    preferences: {}
    users:
    - name: kubernetes-admin
      user:
        client-certificate: missing.pem
        client-key: missing.key
    """

DEPLOYMENT = """\
    apiVersion: apps/v1
    kind: {kind}
    metadata:
      name: {name}
    spec:
      template:
        spec:
          containers:
          - name: {name}
            image: example/{name}
            args: ["--config", "/etc/{name}/config.yaml"]
    """


def test_name_match_needs_a_yaml_suffix(tmp_path, pki_dir):
    docs, found = _check(tmp_path, pki_dir, {
        "scripts/kubeconfig.go": "package main\n\nfunc kubeconfig() {}\n",
        "kubeconfig_test.py": "def test_kubeconfig():\n    assert {'a': 1}\n",
        "docs/kubeconfig.md": "# Kubeconfig\n\n```yaml\napiVersion: v1\nkind: Config\nclusters: []\n```\n\n{ :\n",
        "docs/mongod.conf.md": "# mongod.conf\n\nnet:\n  tls: {\n",
        "etc/mongod.conf": "# old INI format\nbind_ip = 127.0.0.1\nsslMode = requireSSL\n",
    })
    assert docs == []
    assert found == []


def test_kubeadm_conf_files_are_kubeconfigs(tmp_path, pki_dir):
    files = {f"kubernetes/{n}.conf": KUBEADM_CONF.replace("{ca}", "../ca.pem") for n in ("admin", "kubelet", "scheduler", "controller-manager")}
    files["nginx/site.conf"] = "server {\n    listen 443 ssl;\n    ssl_certificate fullchain.pem;\n" \
                               "    ssl_certificate_key site.key;\n}\n"
    docs, found = _check(tmp_path, pki_dir, files)
    assert docs == ["kubernetes/admin.conf", "kubernetes/controller-manager.conf", "kubernetes/kubelet.conf",
                    "kubernetes/scheduler.conf", "nginx/site.conf"]
    # client-certificate: missing.pem (line 18), client-key: missing.key (line 19) in each kubeconfig
    assert {(n, c, line) for n, c, line in found if n != "site.conf"} == {
        (f"{n}.conf", "TLS002", line) for n in ("admin", "kubelet", "scheduler", "controller-manager")
        for line in (18, 19)}


def test_kubernetes_workloads_veto_a_name_match(tmp_path, pki_dir):
    docs, found = _check(tmp_path, pki_dir, {
        "k8s/envoy-deployment.yaml": DEPLOYMENT.format(kind="Deployment", name="envoy"),
        "k8s/traefik.yaml": DEPLOYMENT.format(kind="DaemonSet", name="traefik"),
        "k8s/mongod.yaml": DEPLOYMENT.format(kind="StatefulSet", name="mongod"),
        "k8s/elasticsearch.yml": DEPLOYMENT.format(kind="StatefulSet", name="es"),
        "k8s/kubeconfig.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: kubeconfig\n"
                               "stringData:\n  config: |\n    apiVersion: v1\n",
        "manifests/etcd.yaml": """\
            apiVersion: v1
            kind: Pod
            metadata:
              name: etcd
            spec:
              containers:
              - command: [etcd, --cert-file=/etc/kubernetes/pki/etcd/server.crt]
                name: etcd
            """,
        "deploy/envoy.yaml": """\
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: envoy
            data:
              envoy.yaml: |
                static_resources: {}
            """,
        "grafana/provisioning/dashboards/traefik.yaml": """\
            apiVersion: 1
            providers:
              - name: default
                orgId: 1
                type: file
                options:
                  path: /var/lib/grafana/dashboards
            """,
        "grafana/provisioning/dashboards/default.yaml": """\
            apiVersion: 1
            providers:
              - name: default
                folder: ''
                type: file
                options:
                  path: /dashboards
            """,
        "charts/loki/values.yaml": """\
            replicaCount: 1
            server:
              http_listen_port: 3100
              grpc_listen_port: 9095
            image:
              repository: grafana/loki
            """,
    })
    assert docs == []
    assert found == []


def test_name_match_still_claims_service_kinds(tmp_path, pki_dir):
    docs, found = _check(tmp_path, pki_dir, {
        "traefik.yaml": """\
            apiVersion: traefik.io/v1alpha1
            kind: TLSOption
            metadata:
              name: legacy
            spec:
              minVersion: VersionTLS11
            """,
        "static/traefik.yml": "providers:\n  file:\n    directory: /etc/traefik/dynamic\n",
        "loki/values.yaml": """\
            server:
              http_listen_port: 3100
              http_tls_config:
                cert_file: ../fullchain.pem
                key_file: ../site.key
                client_auth_type: VerifyClientCertIfGiven
            """,
        "kubeconfig": KUBEADM_CONF.replace("{ca}", "ca.pem"),
    })
    assert docs == ["kubeconfig", "loki/values.yaml", "static/traefik.yml", "traefik.yaml"]
    assert ("traefik.yaml", "TLS601", 6) in found
    assert ("values.yaml", "TLS202", 6) in found
    assert ("kubeconfig", "TLS002", 18) in found


# ---------------------------------------------------------------------------
# services

def test_traefik_passthrough_router_has_no_names(tmp_path, pki_dir):
    _, found = _check(tmp_path, pki_dir, {"dynamic.yml": """\
        tcp:
          routers:
            pg:
              rule: "HostSNI(`db.example.test`)"
              service: pg
              tls:
                passthrough: true
            web:
              rule: "HostSNI(`other.example.test`)"
              service: pg
              tls: {}
          services:
            pg:
              loadBalancer:
                servers:
                  - address: "10.0.0.5:5432"
        tls:
          stores:
            default:
              defaultCertificate:
                certFile: fullchain.pem
                keyFile: site.key
        """})
    assert [f for f in found if f[1] == "TLS501"] == [("dynamic.yml", "TLS501", 9)]


def test_envoy_sds_certificate_is_not_keyless(tmp_path, pki_dir):
    _, found = _check(tmp_path, pki_dir, {"envoy.yaml": """\
        static_resources:
          listeners:
          - name: l0
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    tls_certificate_sds_secret_configs:
                    - name: server_cert
                      sds_config:
                        path_config_source:
                          path: /etc/envoy/sds.yaml
        """})
    assert found == [("envoy.yaml", "TLS006", 11)]


def test_exporter_toolkit_unknown_key_is_an_error(tmp_path, pki_dir):
    shutil.copytree(pki_dir, tmp_path, dirs_exist_ok=True)
    (tmp_path / "web-config.yml").write_text(textwrap.dedent("""\
        tls_server_config:
          cert_file: fullchain.pem
          key_file: site.key
          client_auth_typ: RequireAndVerifyClientCert
        """))
    opts = Options(now=NOW, use_system_store=False, trust=[tmp_path / "ca.pem"])
    result = engine.check([tmp_path / "web-config.yml"], opts)
    assert [(f.code, f.line, f.severity.value) for f in result.findings] == [("TLS007", 4, "error")]


def test_loki_unknown_key_stays_a_warning(tmp_path, pki_dir):
    shutil.copytree(pki_dir, tmp_path, dirs_exist_ok=True)
    (tmp_path / "loki.yaml").write_text(textwrap.dedent("""\
        server:
          http_tls_config:
            cert_file: fullchain.pem
            key_file: site.key
            client_auth_typ: RequireAndVerifyClientCert
        """))
    opts = Options(now=NOW, use_system_store=False, trust=[tmp_path / "ca.pem"])
    result = engine.check([tmp_path / "loki.yaml"], opts)
    assert [(f.code, f.line, f.severity.value) for f in result.findings] == [("TLS007", 5, "warning")]


@pytest.mark.parametrize("name,text,line", [
    ("web-config.yml", """\
        tls_server_config:
          cert_file: fullchain.pem
          key_file: site.key
          min_version: TLS12
          max_version: TLS11
        """, 5),
    ("web.yml", """\
        tls_server_config:
          cert_file: fullchain.pem
          key_file: site.key
          max_version: TLS11
        """, 4),
    ("dynamic.yml", """\
        tls:
          certificates:
            - certFile: fullchain.pem
              keyFile: site.key
          options:
            default:
              minVersion: VersionTLS13
              maxVersion: VersionTLS12
        """, 8),
    ("envoy.yaml", """\
        static_resources:
          listeners:
          - name: l0
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    tls_params:
                      tls_minimum_protocol_version: TLSv1_3
                      tls_maximum_protocol_version: TLSv1_1
                    tls_certificates:
                    - certificate_chain: {filename: fullchain.pem}
                      private_key: {filename: site.key}
        """, 12),
    # Envoy clients default to TLS 1.2 at most: a minimum of TLS 1.3 alone leaves nothing
    ("envoy-client.yaml", """\
        static_resources:
          clusters:
          - name: c
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                common_tls_context:
                  tls_params:
                    tls_minimum_protocol_version: TLSv1_3
                  validation_context:
                    trusted_ca: {filename: ca.pem}
                    match_typed_subject_alt_names:
                    - san_type: DNS
                      matcher: {exact: www.example.test}
        """, 10),
])
def test_min_version_above_max_version(tmp_path, pki_dir, name, text, line):
    docs, found = _check(tmp_path, pki_dir, {name: text})
    assert docs == [name]
    # TLS204 on the max setting; nothing about legacy versions (none is left)
    assert [f for f in found if f[1] in ("TLS204", "TLS601")] == [(name, "TLS204", line)]


def test_one_setting_shared_by_server_and_client_side_is_one_finding(tmp_path, pki_dir):
    """mongod's net.tls governs its listener and its outgoing cluster
    connections: one TLS601 at the setting, not one per side."""
    conf = ("net:\n  port: 27017\n  tls:\n    mode: requireTLS\n    certificateKeyFile: fullchain.pem\n"
            "    CAFile: ca.pem\n    allowConnectionsWithoutCertificates: true\n    allowInvalidHostnames: true\n")
    _, found = _check(tmp_path, pki_dir, {"mongod.conf": conf})
    assert [f for f in found if f[1] == "TLS601"] == [("mongod.conf", "TLS601", 4)]  # the default protocols


def test_exporter_toolkit_verifying_without_ca_uses_system_roots(tmp_path, pki_dir):
    """exporter-toolkit accepts a verifying client_auth_type without
    client_ca_file (Go then checks client certificates against the system
    roots): not TLS205; VerifyClientCertIfGiven is still optional (TLS202)."""
    conf = ("tls_server_config:\n  cert_file: fullchain.pem\n  key_file: site.key\n"
            "  client_auth_type: VerifyClientCertIfGiven\n")
    _, found = _check(tmp_path, pki_dir, {"web-config.yml": conf})
    assert found == [("web-config.yml", "TLS202", 4)]


@pytest.mark.parametrize("name,conf,expected", [
    # Elasticsearch flattens the file first: a key written dotted and nested is a duplicate it refuses
    ("elasticsearch.yml", "xpack.security.http.ssl:\n  enabled: true\n  certificate: fullchain.pem\n"
                          "  key: site.key\nxpack.security.http.ssl.key: site.key\n",
     [("elasticsearch.yml", "TLS009", 5)]),
    # registry.go: "cannot specify both certificate and Let's Encrypt"
    ("config.yml", "version: 0.1\nhttp:\n  addr: :5000\n  tls:\n    certificate: fullchain.pem\n"
                   "    key: site.key\n    letsencrypt:\n      cachefile: /le.cache\n",
     [("config.yml", "TLS204", 5)]),
    # etcd: client-cert-auth without trusted-ca-file leaves ClientCAs nil: Go uses the system roots
    ("etcd.conf.yml", "name: e1\nclient-transport-security:\n  cert-file: fullchain.pem\n"
                      "  key-file: site.key\n  client-cert-auth: true\n", []),
    # etcd: an auto-tls member does not verify its peers
    ("etcd.conf.yml", "name: e1\npeer-transport-security:\n  auto-tls: true\n",
     [("etcd.conf.yml", "TLS201", 3)]),
])
def test_service_semantics_from_review(tmp_path, pki_dir, name, conf, expected):
    _, found = _check(tmp_path, pki_dir, {name: conf})
    assert found == expected
