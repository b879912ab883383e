"""Scenario tests for the RabbitMQ rules (codes and lines, never prose)."""

from __future__ import annotations

from pathlib import Path

from pkifactory import NOW, PkiFactory

from tlslint.dialects import rabbitmq

from .rmqkit import codes_lines, findings, parse, problems, write

SEED = """listeners.ssl.default = 5671
ssl_options.cacertfile = {d}/ca_certificate.pem
ssl_options.certfile = {d}/server_certificate.pem
ssl_options.keyfile = {d}/server_key.pem
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
ssl_options.depth = 2
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
"""


def seed_pki(tmp_path: Path, leaf_in_certfile_only: bool = True):
    pki = PkiFactory(tmp_path)
    root = pki.root("Test Root")
    inter = pki.intermediate(root, "Test Intermediate")
    leaf = pki.leaf(inter, "rabbit.example.test", sans=["rabbit.example.test"])
    pki.write("ca_certificate.pem", root, inter)
    pki.write("server_certificate.pem", leaf)
    pki.write_key("server_key.pem", leaf)
    return pki


def test_seed_example_has_no_error(tmp_path):
    seed_pki(tmp_path)
    write(tmp_path, {"rabbitmq.conf": SEED.format(d=tmp_path)})
    found = findings([tmp_path / "rabbitmq.conf"], now=NOW)
    bad = [(f.code, f.line, f.message) for f in found if f.severity.value in ("error", "warning")]
    assert bad == []


def test_seed_model(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": SEED.format(d="/etc/rabbitmq")})
    (ep,) = doc.endpoints
    assert ep.role == "server" and ep.label == "listeners.ssl.default (AMQPS :5671)"
    assert ep.anchor.key == "listeners.ssl.default"
    assert ep.verify.value == "required" and ep.verify.setting.key == "ssl_options.fail_if_no_peer_cert"
    assert ep.depth.value == 2 and ep.protocols.value == {"TLSv1.2", "TLSv1.3"}
    (pair,) = ep.pairs
    assert pair.chain_extra == ep.ca_files and pair.key.path == "/etc/rabbitmq/server_key.pem"
    assert ep.settings["ssl_options.fail_if_no_peer_cert"].value == "true"


# --- TLS204 --------------------------------------------------------------

def test_tls204_verify_none_with_fail_if_no_peer_cert(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "ssl_options.verify = verify_none\n"
                                      "ssl_options.fail_if_no_peer_cert = true\n"
                                      "management.ssl.port = 15671\n"
                                      "management.ssl.verify = verify_none\n"
                                      "management.ssl.fail_if_no_peer_cert = true\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS204"])
    assert codes_lines(found, "TLS204") == [("rabbitmq.conf", 3), ("rabbitmq.conf", 6)]


def test_tls204_not_for_consistent_settings(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "ssl_options.verify = verify_none\n"
                                      "ssl_options.fail_if_no_peer_cert = false\n"
                                      "management.ssl.verify = verify_peer\n"
                                      "management.ssl.fail_if_no_peer_cert = true\n"})
    assert codes_lines(findings([tmp_path / "rabbitmq.conf"], select=["TLS204"]), "TLS204") == []


def test_tls204_in_advanced_config(tmp_path):
    write(tmp_path, {"advanced.config": "[{rabbit, [{ssl_listeners, [5671]},\n"
                                        "  {ssl_options, [{verify, verify_none},\n"
                                        "                 {fail_if_no_peer_cert, true}]}]}].\n"})
    found = findings([tmp_path / "advanced.config"], select=["TLS204"])
    assert codes_lines(found, "TLS204") == [("advanced.config", 3)]


# --- TLS701 --------------------------------------------------------------

def test_tls701_unknown_keys_with_suggestion(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "ssl_options.cacertfiles = /ca.pem\n"
                                            "web_mqtt.ssl.verify = verify_peer\n"
                                            "listeners.tls.default = 5671\n"
                                            "management.ssl.certfile = /c.pem\n"
                                            "ssl_option.certfile = /c.pem\n"
                                            "totally.unrelated.key = 1\n"})
    assert problems(doc, "TLS701") == [("rabbitmq.conf", 1, 1), ("rabbitmq.conf", 2, 1),
                                       ("rabbitmq.conf", 3, 1), ("rabbitmq.conf", 5, 1)]
    suggestions = [p.data["suggestion"] for p in doc.problems if p.code == "TLS701"]
    assert suggestions[0] == "ssl_options.cacertfile"
    assert suggestions[2] == "listeners.ssl.default"
    assert suggestions[3] == "ssl_options.certfile"
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS701"])
    assert codes_lines(found, "TLS701") == [("rabbitmq.conf", 1), ("rabbitmq.conf", 2), ("rabbitmq.conf", 3),
                                            ("rabbitmq.conf", 5)]


def test_tls701_valid_keys(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "ssl_options = none\nssl_options.versions.tls13 = tlsv1.3\n"
                                            "ssl_options.ciphers.10 = TLS_AES_256_GCM_SHA384\n"
                                            "ssl_options.crl_sources.1 = dir\n"
                                            "auth_oauth2.oauth_providers.kc.https.verify = verify_peer\n"
                                            "cluster_formation.k8s.tls.cacertfile = /ca.pem\n"
                                            "ssl_options.key.RSAPrivateKey = abc\n"})
    assert problems(doc, "TLS701") == []


# --- TLS704 --------------------------------------------------------------

def test_tls704_hash_and_double_quotes_with_fix(tmp_path):
    text = ("listeners.ssl.default = 5671\n"
            "ssl_options.password = abc#def\n"
            "ssl_options.certfile = \"/etc/rabbitmq/server.pem\"\n"
            "ssl_options.keyfile = /etc/rabbitmq/key.pem # a real comment\n"
            "ssl_options.cacertfile = '/etc/rabbitmq/#ca.pem'\n")
    write(tmp_path, {"rabbitmq.conf": text})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS704"])
    assert codes_lines(found, "TLS704") == [("rabbitmq.conf", 2), ("rabbitmq.conf", 3)]
    edits = [f.fix.edits[0] for f in sorted(found, key=lambda f: f.line)]
    assert all(f.fix.applicability == "safe" for f in found)
    new = text
    for edit in sorted(edits, key=lambda e: -e.span.start):
        new = new[:edit.span.start] + edit.replacement + new[edit.span.end:]
    assert "ssl_options.password = 'abc#def'\n" in new
    assert "ssl_options.certfile = '/etc/rabbitmq/server.pem'\n" in new
    # the fixed file parses back to the intended values, without problems
    write(tmp_path, {"rabbitmq.conf": new})
    again = parse(tmp_path, {})
    assert problems(again, "TLS704") == []
    assert {s.key: s.value for s in again.settings}["ssl_options.password"] == "abc#def"


# --- TLS705 --------------------------------------------------------------

def test_tls705_advanced_config_discards_conf_lines(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "ssl_options.certfile = /etc/rabbitmq/server.pem\n"
                                      "ssl_options.keyfile = /etc/rabbitmq/key.pem\n"
                                      "management.ssl.port = 15671\n",
                     "advanced.config": "[\n {rabbit, [\n   {ssl_options, [{versions, ['tlsv1.3']}]}\n ]}\n].\n"})
    doc = parse(tmp_path, {})
    assert [s.path.name for s in doc.sources] == ["rabbitmq.conf", "advanced.config"]
    (p,) = [p for p in doc.problems if p.code == "TLS705"]
    assert p.location.start() == (3, 5) and len(p.data["discarded"]) == 2
    amqp = next(ep for ep in doc.endpoints if ep.surface == "amqp")
    assert amqp.pairs == [] and amqp.protocols.value == {"TLSv1.3"}
    assert amqp.protocols.setting.source.path.name == "advanced.config"
    found = findings([tmp_path], select=["TLS705"])
    assert codes_lines(found, "TLS705") == [("advanced.config", 3)]
    assert len(found[0].related) == 2


def test_tls705_not_without_conf_lines(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "management.ssl.port = 15671\n",
                     "advanced.config": "[{rabbit, [{ssl_options, [{versions, ['tlsv1.3']}]}]}].\n"})
    assert codes_lines(findings([tmp_path], select=["TLS705"]), "TLS705") == []


def test_advanced_config_syntax_error(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "management.ssl.port = 15671\n",
                           "advanced.config": "[{rabbit, [{ssl_options, [}]}].\n"})
    assert problems(doc, "TLS001") == [("advanced.config", 1, 27)]


# --- model facts used by the generic rules ---------------------------------------

def test_verify_peer_without_fail_if_no_peer_cert_is_optional_with_note(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\nssl_options.verify = verify_peer\n"})
    (ep,) = doc.endpoints
    assert ep.verify.value == "optional" and ep.verify.setting.key == "ssl_options.verify"
    assert "OTP 26" in ep.verify.default_note and ep.ca_files == []
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS202", "TLS205"])
    # no cacertfile: OTP refuses the options (TLS205); whether a certificate is required is moot
    assert [(f.code, f.severity.value, f.line) for f in found] == [("TLS205", "error", 2)]
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\nssl_options.verify = verify_peer\n"
                                      "ssl_options.cacertfile = /ca.pem\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS202", "TLS205"])
    assert [(f.code, f.severity.value, f.line) for f in found] == [("TLS202", "info", 2)]


def test_explicit_fail_false_is_tls202_warning(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\nssl_options.cacertfile = /ca.pem\n"
                                      "ssl_options.verify = verify_peer\nssl_options.fail_if_no_peer_cert = false\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS202"])
    assert [(f.code, f.severity.value, f.line) for f in found] == [("TLS202", "warning", 4)]


def test_unset_versions_is_legacy_by_default(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\nssl_options.certfile = /c.pem\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS601"])
    assert codes_lines(found, "TLS601") == [("rabbitmq.conf", 1)]


def test_client_endpoints_and_uris(tmp_path):
    doc = parse(tmp_path, {
        "rabbitmq.conf": "auth_ldap.servers.1 = ldap.example.test\nauth_ldap.use_ssl = true\n"
                         "auth_ldap.ssl_options.verify = verify_none\n"
                         "auth_http.ssl_options.cacertfile = /ca.pem\n",
        "advanced.config": '[{rabbitmq_shovel, [{shovels, [{s1, [{source, [{uris, '
                           '["amqps://u:p@broker.example.test:5671/%2f?cacertfile=/ca.pem&verify=verify_none'
                           '&server_name_indication=disable"]}]}]}]}]}].\n'})
    labels = {ep.surface: ep for ep in doc.endpoints}
    assert labels["auth_ldap"].role == "client" and labels["auth_ldap"].verify.value == "none"
    assert labels["auth_http"].verify.value == "required" and labels["auth_http"].verify.is_default
    uri = labels["uri"]
    assert uri.verify.value == "none" and uri.ca_files[0].path == "/ca.pem"
    assert uri.hostname_check.value is False
    assert "u:p" not in uri.label
    for ep in doc.endpoints:
        for s in ep.settings.values():
            assert s.source.text[s.span.start:s.span.end] == s.raw


def test_listeners_share_ssl_options(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\nmqtt.listeners.ssl.default = 8883\n"
                                            "stomp.listeners.ssl.1 = 127.0.0.1:61614\n"
                                            "ssl_options.certfile = /c.pem\n"})
    (ep,) = doc.endpoints
    assert ep.label == ("listeners.ssl.default (AMQPS :5671), mqtt.listeners.ssl.default (MQTTS :8883), "
                        "stomp.listeners.ssl.1 (STOMPS 127.0.0.1:61614)")
    assert ep.pairs[0].key_in_cert_file


def test_conf_d_alone_and_with_main(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n",
                     "conf.d/10-tls.conf": "ssl_options.certfile = /c.pem\n"})
    from tlslint import engine
    from tlslint.options import Options
    docs = [d for p in (tmp_path / "conf.d" / "10-tls.conf", tmp_path / "rabbitmq.conf")
            for d in rabbitmq.parse(p, "rabbitmq", Options())]
    assert [d.source.path.name for d in engine.drop_included(docs)] == ["rabbitmq.conf"]
    (alone,) = rabbitmq.parse(tmp_path / "conf.d" / "10-tls.conf", "rabbitmq", Options())
    assert [s.path.name for s in alone.sources] == ["10-tls.conf"]


def test_edits(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n  ssl_options.depth = 1\n"
                                            "ssl_options.verify = verify_peer\nother = x\n",
                           "advanced.config": "[{rabbitmq_management, [{ssl_config, [{port, 15671}, "
                                              "{certfile, \"/a.pem\"}]}]}]."})
    amqp = next(ep for ep in doc.endpoints if ep.surface == "amqp")
    assert rabbitmq.set_value(amqp.depth.setting, "3").replacement == "3"
    assert rabbitmq.set_value(amqp.depth.setting, "a b#c").replacement == "'a b#c'"
    ins = rabbitmq.insert_setting(amqp, "fail_if_no_peer_cert", "true")
    text = doc.source.text
    assert text[:ins.span.start].endswith("verify_peer\n") and ins.replacement == "ssl_options.fail_if_no_peer_cert = true\n"
    rm = rabbitmq.remove_setting(amqp.depth.setting)
    assert text[rm.span.start:rm.span.end] == "  ssl_options.depth = 1\n"
    mgmt = next(ep for ep in doc.endpoints if ep.surface == "management")
    cert = mgmt.pairs[0].cert.setting
    assert rabbitmq.set_value(cert, "/b.pem").replacement == '"/b.pem"'
    adv = cert.source.text
    ins = rabbitmq.insert_setting(mgmt, "depth", "3")
    new = adv[:ins.span.start] + ins.replacement + adv[ins.span.end:]
    assert '{certfile, "/a.pem"}, {depth, 3}]' in new
    rm = rabbitmq.remove_setting(cert)
    new = adv[:rm.span.start] + adv[rm.span.end:]
    assert new == "[{rabbitmq_management, [{ssl_config, [{port, 15671}]}]}]."


def test_classic_config_next_to_conf(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n", "rabbitmq.config": "[]."})
    assert problems(doc, "TLS705") == [("rabbitmq.conf", 1, 25)]


# --- TLS204: certificate login needs an explicit verify_peer --------------

def test_tls204_cert_login_without_explicit_verify_peer(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "auth_mechanisms.1 = EXTERNAL\n"
                                      "ssl_options.fail_if_no_peer_cert = true\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS204"])
    assert codes_lines(found, "TLS204") == [("rabbitmq.conf", 2)]


def test_tls204_mqtt_cert_login_with_verify_none(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "mqtt.listeners.ssl.default = 8883\n"
                                      "ssl_options.verify = verify_none\n"
                                      "mqtt.ssl_cert_login = true\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS204"])
    assert codes_lines(found, "TLS204") == [("rabbitmq.conf", 3)]


def test_tls204_cert_login_with_verify_peer_is_fine(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "auth_mechanisms.1 = EXTERNAL\n"
                                      "auth_mechanisms.2 = PLAIN\n"
                                      "ssl_options.verify = verify_peer\n"
                                      "ssl_options.fail_if_no_peer_cert = true\n"})
    assert codes_lines(findings([tmp_path / "rabbitmq.conf"], select=["TLS204"]), "TLS204") == []


def test_tls204_no_cert_login_no_finding(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "auth_mechanisms.1 = PLAIN\n"
                                      "mqtt.ssl_cert_login = false\n"})
    assert codes_lines(findings([tmp_path / "rabbitmq.conf"], select=["TLS204"]), "TLS204") == []


def test_oauth2_and_syslog_clients_in_advanced_config(tmp_path):
    write(tmp_path, {"advanced.config":
                     "[{syslog, [{ssl_options, [{verify, verify_none}]}]},\n"
                     " {rabbitmq_auth_backend_oauth2, [{key_config, [{jwks_url, \"https://idp/jwks\"},\n"
                     "                                               {peer_verification, verify_none}]}]}].\n"})
    found = findings([tmp_path / "advanced.config"], select=["TLS201"])
    assert codes_lines(found, "TLS201") == [("advanced.config", 1), ("advanced.config", 3)]


def test_tls204_tls12_options_with_tls13_only(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "ssl_options.versions.1 = tlsv1.3\n"
                                      "ssl_options.secure_renegotiate = true\n"
                                      "management.ssl.port = 15671\n"
                                      "management.ssl.versions.1 = tlsv1.3\n"
                                      "management.ssl.versions.2 = tlsv1.2\n"
                                      "management.ssl.reuse_sessions = true\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS204"])
    assert codes_lines(found, "TLS204") == [("rabbitmq.conf", 3)]


def test_tls601_is_reported_at_the_versions_line_that_enables_the_legacy_protocol(tmp_path):
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\n"
                                      "ssl_options.versions.1 = tlsv1.2\n"
                                      "ssl_options.versions.2 = tlsv1.1\n"})
    found = findings([tmp_path / "rabbitmq.conf"], select=["TLS601"])
    assert codes_lines(found, "TLS601") == [("rabbitmq.conf", 3)]
