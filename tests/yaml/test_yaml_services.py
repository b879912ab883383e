"""Each service's vocabulary mapped onto the endpoint model, with its defaults,
and end-to-end scenarios with generated PKIs."""

from __future__ import annotations

import base64
import datetime as dt

from pkifactory import NOW, PkiFactory
from yamlkit import assert_lossless, endpoint, found, parse_text, problems, run_rules


def test_mongodb(tmp_path):
    doc = parse_text(tmp_path, "mongod.conf", """\
        net:
          port: 27017
          tls:
            mode: requireTLS
            certificateKeyFile: /etc/ssl/mongodb.pem
            CAFile: /etc/ssl/ca.pem
            allowInvalidHostnames: true
            disabledProtocols: TLS1_0,TLS1_1
        replication:
          replSetName: rs0
        """)
    assert_lossless(doc)
    srv = endpoint(doc, "mongod net.tls")
    assert srv.role == "server" and srv.verify.value == "required"
    assert srv.pairs[0].key is None and srv.pairs[0].key_in_cert_file
    assert srv.protocols.value == frozenset({"TLSv1.2", "TLSv1.3"})
    cli = endpoint(doc, "outgoing cluster")
    assert cli.hostname_check.value is False and cli.hostname_check.setting.line == 7
    # legacy net.ssl, dotted keys, defaults
    doc = parse_text(tmp_path, "mongod.conf", """\
        net.ssl.mode: requireSSL
        net.ssl.PEMKeyFile: /etc/ssl/mongodb.pem
        net.ssl.allowInvalidCertificates: true
        """)
    srv = endpoint(doc, "mongod net.ssl")
    assert srv.verify.value == "none" and "fact.verify_disabled" in srv.settings
    assert srv.protocols.value == frozenset({"TLSv1.1", "TLSv1.2", "TLSv1.3"}) and srv.protocols.is_default
    assert endpoint(doc, "outgoing").verify.value == "none"
    doc = parse_text(tmp_path, "mongod.conf", "net:\n  tls:\n    mode: requireTLS\n    CAFile: ca\n    "
                                              "allowConnectionsWithoutCertificates: true\n    certificateKeyFil: x\n")
    assert endpoint(doc, "mongod net.tls").verify.value == "optional"
    assert problems(doc) == [("TLS007", 6)]


def test_elasticsearch_flat_and_nested(tmp_path):
    doc = parse_text(tmp_path, "elasticsearch.yml", """\
        cluster.name: c
        xpack.security.http.ssl:
          enabled: true
          certificate: certs/http.crt
          key: certs/http.key
          certificate_authorities: [certs/ca.crt]
          client_authentication: optional
        xpack.security.transport.ssl.enabled: true
        xpack.security.transport.ssl.keystore.path: certs/transport.p12
        xpack.security.transport.ssl.verification_mode: certificate
        xpack.security.transport.ssl.supported_protocols: [TLSv1.1, TLSv1.2]
        """)
    assert_lossless(doc)
    http = endpoint(doc, "elasticsearch xpack.security.http.ssl")
    assert http.verify.value == "optional" and [c.path for c in http.ca_files] == ["certs/ca.crt"]
    assert http.protocols.value == frozenset({"TLSv1.2", "TLSv1.3"}) and http.protocols.is_default
    transport = endpoint(doc, "elasticsearch xpack.security.transport.ssl")
    assert transport.verify.value == "required" and transport.verify.is_default
    assert transport.pairs[0].cert.unresolved and "fact.keystore" in transport.settings
    assert transport.protocols.value == frozenset({"TLSv1.1", "TLSv1.2"})
    out = endpoint(doc, "outgoing node")
    assert out.hostname_check.value is False and out.hostname_check.setting.line == 10


def test_etcd(tmp_path):
    doc = parse_text(tmp_path, "etcd.conf.yml", """\
        name: node1
        tls-min-version: TLS1.3
        client-transport-security:
          cert-file: /etc/etcd/server.crt
          key-file: /etc/etcd/server.key
          trusted-ca-file: /etc/etcd/ca.crt
          client-cert-auth: false
        peer-transport-security:
          auto-tls: true
        """)
    cl = endpoint(doc, "client-transport-security")
    assert cl.verify.value == "required" and cl.verify.setting.key.endswith("trusted-ca-file")
    assert cl.protocols.value == frozenset({"TLSv1.3"})
    assert problems(doc) == [("TLS204", 7)]
    peer = endpoint(doc, "etcd peer-transport-security")
    assert peer.pairs == [] and not peer.requires_certificate and "fact.auto_tls" in peer.settings
    # an auto-tls member dials its peers with InsecureSkipVerify
    dialer = endpoint(doc, "outgoing peer connections")
    assert dialer.role == "client" and dialer.verify.value == "none"
    assert dialer.verify.setting.key.endswith("auto-tls")


def test_registry(tmp_path):
    doc = parse_text(tmp_path, "config.yml", """\
        version: 0.1
        storage: {filesystem: {rootdirectory: /var/lib/registry}}
        http:
          addr: :5000
          host: https://registry.example.test:5000
          tls:
            certificate: /certs/domain.crt
            key: /certs/domain.key
            clientcas: [/certs/ca.pem]
            minimumtls: tls1.1
        """)
    ep = endpoint(doc, "http.tls")
    assert ep.verify.value == "required" and ep.verify.setting.key == "http.tls.clientcas[0]"
    assert ep.protocols.value == frozenset({"TLSv1.1", "TLSv1.2", "TLSv1.3"})
    assert [n.value for n in ep.names] == ["registry.example.test"]


def test_traefik_dynamic(tmp_path):
    doc = parse_text(tmp_path, "dynamic.yml", """\
        http:
          routers:
            web:
              rule: Host(`www.example.test`) || Host(`api.example.test`)
              tls:
                domains:
                  - main: example.test
                    sans: ["*.example.test"]
          serversTransports:
            insecure:
              insecureSkipVerify: true
        tls:
          certificates:
            - certFile: certs/site.crt
              keyFile: certs/site.key
          options:
            default:
              minVersion: VersionTLS11
              clientAuth:
                caFiles: [certs/ca.crt]
            strict:
              minVersion: VersionTLS13
              clientAuth:
                clientAuthType: RequireAnyClientCert
        """)
    assert_lossless(doc)
    d = endpoint(doc, "tls.options.default")
    assert d.verify.value == "required" and d.verify.setting.key.endswith("caFiles[0]")
    assert d.protocols.value == frozenset({"TLSv1.1", "TLSv1.2", "TLSv1.3"})
    assert sorted(n.value for n in d.names) == ["*.example.test", "api.example.test", "example.test",
                                                 "www.example.test"]
    s = endpoint(doc, "tls.options.strict")
    assert s.verify.value == "optional_no_verify" and s.pairs == []
    t = endpoint(doc, "serversTransports.insecure")
    assert t.role == "client" and t.verify.value == "none" and t.hostname_check.value is False


def test_kubeconfig_inline_and_conflict(tmp_path):
    pki = PkiFactory(tmp_path / "pki")
    root = pki.root()
    b64 = base64.b64encode(root.pem).decode()
    doc = parse_text(tmp_path, "kubeconfig", f"""\
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster:
            server: https://k8s.example.test:6443
            certificate-authority-data: {b64}
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user:
            client-certificate: admin.crt
            client-key: admin.key
        contexts:
        - name: prod
          context: {{cluster: prod, user: admin}}
        """)
    (ep,) = doc.endpoints
    assert ep.ca_files[0].inline == root.pem
    assert ep.verify.value == "none" and [n.value for n in ep.names] == ["k8s.example.test"]
    assert problems(doc) == [("TLS204", 8)]


def _server_files(tmp_path, expired=False):
    pki = PkiFactory(tmp_path)
    root = pki.root("Test Root")
    inter = pki.intermediate(root, "Test Intermediate")
    kw = {"not_after": NOW - dt.timedelta(days=1)} if expired else {}
    leaf = pki.leaf(inter, "www.example.test", **kw)
    pki.write("fullchain.pem", leaf, inter)
    pki.write("leaf.pem", leaf)
    pki.write_key("site.key", leaf)
    pki.write_key("other.key", pki.leaf(inter, "other.example.test"))
    pki.write("ca.pem", root)
    return pki


def _check(doc, tmp_path):
    return run_rules([doc], trust=[tmp_path / "ca.pem"], now=NOW)


def test_scenarios_prometheus(tmp_path):
    _server_files(tmp_path)
    good = """\
        tls_server_config:
          cert_file: fullchain.pem
          key_file: site.key
          client_ca_file: ca.pem
          client_auth_type: RequireAndVerifyClientCert
        """
    assert found(_check(parse_text(tmp_path, "web.yml", good), tmp_path)) == []
    bad = parse_text(tmp_path, "web.yml", good.replace("fullchain.pem", "leaf.pem"))
    assert ("TLS101", 2) in found(_check(bad, tmp_path))
    bad = parse_text(tmp_path, "web.yml", good.replace("site.key", "other.key"))
    assert ("TLS301", 3) in found(_check(bad, tmp_path))
    bad = parse_text(tmp_path, "web.yml", good.replace("RequireAndVerifyClientCert", "VerifyClientCertIfGiven"))
    assert found(_check(bad, tmp_path), "TLS202") == [("TLS202", 5)]
    bad = parse_text(tmp_path, "web.yml", good.replace("RequireAndVerifyClientCert", "RequireAnyClientCert"))
    assert ("TLS203", 5) in found(_check(bad, tmp_path))
    bad = parse_text(tmp_path, "web.yml", good + "  min_version: TLS10\n")
    assert found(_check(bad, tmp_path), "TLS601") == [("TLS601", 6)]


def test_scenario_expired_and_inline(tmp_path):
    pki = _server_files(tmp_path, expired=True)
    leaf_pem = (tmp_path / "fullchain.pem").read_text()
    inline = "\n".join("    " + line for line in leaf_pem.splitlines())
    doc = parse_text(tmp_path, "web.yml", "tls_server_config:\n  cert: |\n" + inline +
                     "\n  key_file: site.key\n", None)
    assert found(_check(doc, tmp_path), "TLS401") == [("TLS401", 2)]
    assert pki  # keep the factory alive for the files


def test_scenario_envoy_client_verification_disabled(tmp_path):
    _server_files(tmp_path)
    doc = parse_text(tmp_path, "envoy.yaml", """\
        static_resources:
          clusters:
          - name: backend
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                sni: www.example.test
        """)
    assert found(_check(doc, tmp_path), "TLS201") == [("TLS201", 6)]
