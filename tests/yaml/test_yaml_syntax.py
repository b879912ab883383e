"""YAML syntax handling: spans, errors, templates, duplicates, anchors, flow, multi-doc, edits."""

from __future__ import annotations

from pathlib import Path

from yamlkit import assert_lossless, endpoint, parse, parse_text, problems, write

from tlslint.dialects import yaml as Y


def _rules():
    from tlslint.rules import tls007_unknown_dialect_setting, tls009_duplicate_setting
    return tls007_unknown_dialect_setting, tls009_duplicate_setting


def test_invalid_yaml_line_and_column(tmp_path):
    doc = parse_text(tmp_path, "web-config.yml", "tls_server_config:\n  cert_file: [a, b\n  key_file: k\n")
    (p,) = doc.problems
    assert p.code == "TLS001"
    assert p.location.start() == (3, 11)


def test_tab_indentation_is_tls001(tmp_path):
    doc = parse_text(tmp_path, "web-config.yml", "tls_server_config:\n\tcert_file: a\n")
    assert [c for c, _ in problems(doc)] == ["TLS001"]


def test_helm_template_is_skipped(tmp_path):
    doc = parse_text(tmp_path, "web-config.yml", """\
        # {{ not a template: a comment }}
        tls_server_config:
          cert_file: {{ .Values.cert }}
        """)
    assert problems(doc) == [("TLS006", 3)]
    assert doc.problems[0].data["severity"] == "info"
    assert doc.endpoints == []


def test_binary_and_unreadable(tmp_path):
    p = tmp_path / "web.yml"
    p.write_bytes(b"tls_server_config:\x00\n")
    assert problems(parse(p, "prometheus")) == [("TLS001", 1)]
    assert problems(parse(tmp_path / "missing.yml", "prometheus")) == [("TLS001", 1)]


def test_quoted_plain_block_and_flow_spans(tmp_path):
    doc = parse_text(tmp_path, "web-config.yml", """\
        tls_server_config:   # section comment
          cert_file: "dir/server.crt"  # double
          key_file: 'it''s.key'
          client_ca: |
            -----BEGIN CERTIFICATE-----
            AAAA
            -----END CERTIFICATE-----

          cipher_suites: [TLS_AES_128_GCM_SHA256, "TLS_AES_256_GCM_SHA384"]
          min_version: &v TLS12
          max_version: *v
        """)
    assert_lossless(doc)
    s = {x.key: x for x in doc.settings}
    assert s["tls_server_config.cert_file"].raw == '"dir/server.crt"'
    assert s["tls_server_config.cert_file"].value == "dir/server.crt"
    assert s["tls_server_config.key_file"].value == "it's.key"
    assert s["tls_server_config.client_ca"].raw.startswith("|\n")
    assert s["tls_server_config.client_ca"].raw.endswith("-----END CERTIFICATE-----")
    assert s["tls_server_config.cipher_suites[1]"].raw == '"TLS_AES_256_GCM_SHA384"'
    # the alias is located at its anchor
    assert s["tls_server_config.max_version"].span == s["tls_server_config.min_version"].span
    assert s["tls_server_config.max_version"].statement.end > s["tls_server_config.min_version"].statement.end
    assert [c.text.strip() for c in doc.comments] == ["section comment", "double"]
    ep = doc.endpoints[0]
    assert ep.protocols.value == frozenset({"TLSv1.2"})
    assert ep.ca_files[0].inline.startswith(b"-----BEGIN CERTIFICATE-----\nAAAA\n")


def test_crlf_and_bom(tmp_path):
    text = "\ufefftls_server_config:\r\n  cert_file: a.crt\r\n  key_file: \"b.key\"\r\n"
    p = tmp_path / "web.yml"
    p.write_bytes(text.encode())
    doc = parse(p, "prometheus")
    assert_lossless(doc)
    assert doc.endpoints[0].pairs[0].key.path == "b.key"
    assert doc.endpoints[0].pairs[0].key.setting.line == 3


def test_multi_document_and_merge_keys(tmp_path):
    doc = parse_text(tmp_path, "etcd.conf.yml", """\
        base: &tls
          cert-file: s.crt
          key-file: s.key
        client-transport-security:
          <<: *tls
          trusted-ca-file: ca.crt
        ---
        peer-transport-security:
          <<: *tls2
        """)
    # an undefined alias in the second document: the whole file is a parse error
    assert [c for c, _ in problems(doc)] == ["TLS001"]
    doc = parse_text(tmp_path, "etcd.conf.yml", """\
        name: a
        client-transport-security: &tls
          cert-file: s.crt
          key-file: s.key
        peer-transport-security:
          <<: *tls
          trusted-ca-file: ca.crt
        ---
        name: b
        """)
    assert_lossless(doc)
    peer = endpoint(doc, "peer-transport-security")
    assert peer.pairs[0].cert.path == "s.crt" and peer.verify.value == "required"
    assert peer.label.endswith("(document 1)")


def test_duplicates_and_tls009(tmp_path):
    tls007, tls009 = _rules()
    from modelkit import run_rule

    doc = parse_text(tmp_path, "config.yml", """\
        version: 0.1
        http:
          tls:
            certificate: /a.crt
            key: /a.key
            minimumtls: tls1.0
            minimumtls: tls1.2
        """, "docker-registry")
    assert problems(doc, "TLS009") == [("TLS009", 7)]
    assert endpoint(doc, "http.tls").protocols.value == frozenset({"TLSv1.2", "TLSv1.3"})
    (f,) = run_rule(tls009, doc)
    assert (f.code, f.line, f.severity.value) == ("TLS009", 7, "warning")
    # exporter-toolkit refuses duplicates: an error
    doc = parse_text(tmp_path, "web.yml", "tls_server_config:\n  cert_file: a\n  cert_file: b\n")
    (f,) = run_rule(tls009, doc)
    assert (f.line, f.severity.value) == (3, "error")
    # no duplicates: nothing
    doc = parse_text(tmp_path, "web.yml", "tls_server_config:\n  cert_file: a\n  key_file: b\n")
    assert run_rule(tls009, doc) == []


def test_tls007_unknown_keys(tmp_path):
    tls007, _ = _rules()
    from modelkit import run_rule

    doc = parse_text(tmp_path, "web.yml", """\
        tls_server_config:
          cert_file: a
          key_file: b
          client_auth_typ: RequireAndVerifyClientCert
        """)
    (f,) = run_rule(tls007, doc)
    assert (f.code, f.line) == ("TLS007", 4)
    assert doc.problems[0].data["suggestion"] == "client_auth_type"
    doc = parse_text(tmp_path, "web.yml", "tls_server_config:\n  cert_file: a\n  key_file: b\n")
    assert run_rule(tls007, doc) == []


def test_set_value_keeps_style(tmp_path):
    doc = parse_text(tmp_path, "web.yml", """\
        tls_server_config:
          cert_file: "a.crt"
          key_file: 'b.key'
          min_version: TLS10
          cipher_suites:
          - A
          - B
          flow: {x: [1, 2]}
        """)
    s = {x.key: x for x in doc.settings}
    text = doc.source.text

    def apply(edit):
        return text[:edit.span.start] + edit.replacement + text[edit.span.end:]

    assert 'cert_file: "c d.crt"' in apply(Y.set_value(s["tls_server_config.cert_file"], "c d.crt"))
    assert "key_file: 'it''s'" in apply(Y.set_value(s["tls_server_config.key_file"], "it's"))
    assert "min_version: TLS12\n" in apply(Y.set_value(s["tls_server_config.min_version"], "TLS12"))
    assert "cipher_suites:\n  - C\n  - D\n  flow" in apply(Y.set_value(s["tls_server_config.cipher_suites"], ["C", "D"]))
    assert "{x: [3, 4]}" in apply(Y.set_value(s["tls_server_config.flow.x"], ["3", "4"]))
    assert 'min_version: "a: b"' in apply(Y.set_value(s["tls_server_config.min_version"], "a: b"))


def test_insert_and_remove(tmp_path):
    path = write(tmp_path, "web.yml", "tls_server_config:\r\n  cert_file: a  # c\r\n  key_file: b\r\nother: 1\r\n")
    doc = parse(path)
    ep = doc.endpoints[0]
    text = doc.source.text
    e = Y.insert_setting(ep, "min_version", "TLS12")
    new = text[:e.span.start] + e.replacement + text[e.span.end:]
    assert new == "tls_server_config:\r\n  cert_file: a  # c\r\n  key_file: b\r\n  min_version: TLS12\r\nother: 1\r\n"
    s = {x.key: x for x in doc.settings}
    e = Y.remove_setting(s["tls_server_config.cert_file"])
    new = text[:e.span.start] + e.replacement + text[e.span.end:]
    assert new == "tls_server_config:\r\n  key_file: b\r\nother: 1\r\n"
    # flow style
    doc = parse_text(tmp_path, "web.yml", "tls_server_config: {cert_file: a, key_file: b}\n")
    text = doc.source.text
    e = Y.insert_setting(doc.endpoints[0], "client_auth_type", "RequireAndVerifyClientCert")
    assert (text[:e.span.start] + e.replacement + text[e.span.end:] ==
            "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}\n")
    s = {x.key: x for x in doc.settings}
    e = Y.remove_setting(s["tls_server_config.cert_file"])
    assert text[:e.span.start] + e.replacement + text[e.span.end:] == "tls_server_config: {key_file: b}\n"


def test_envoy_camel_case_insert(tmp_path):
    doc = parse_text(tmp_path, "envoy.yaml", """\
        staticResources:
          listeners:
          - name: l0
            filterChains:
            - transportSocket:
                name: tls
                typedConfig:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  commonTlsContext:
                    tlsCertificates:
                    - certificateChain: {filename: s.crt}
                      privateKey: {filename: s.key}
        """)
    ep = doc.endpoints[0]
    assert ep.label == "envoy listener l0 filter_chains[0]"
    assert ep.pairs[0].cert.path == "s.crt"
    text = doc.source.text
    e = Y.insert_setting(ep, "require_client_certificate", "true")
    new = text[:e.span.start] + e.replacement + text[e.span.end:]
    assert "\n          requireClientCertificate: true\n" in new
    e = Y.insert_setting(ep, "common_tls_context.tls_params.tls_minimum_protocol_version", "TLSv1_2")
    new = text[:e.span.start] + e.replacement + text[e.span.end:]
    assert "\n            tlsParams:\n              tlsMinimumProtocolVersion: TLSv1_2" in new
    reparsed = parse(write(tmp_path, "envoy2.yaml", new, dedent=False), "envoy")
    assert reparsed.endpoints[0].protocols.value == frozenset({"TLSv1.2", "TLSv1.3"})
    assert reparsed.endpoints[0].protocols.setting is not None
