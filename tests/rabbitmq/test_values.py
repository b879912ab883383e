"""rabbitmq.conf values cuttlefish (or Erlang/OTP's ssl) refuses: TLS001 at the
value, and the endpoint never reads such a value as something else."""

from __future__ import annotations

import pytest

from .rmqkit import findings, parse, problems

LISTENER = "listeners.ssl.default = 5671\n"


def _one(tmp_path, line: str, before: str = LISTENER):
    doc = parse(tmp_path, {"rabbitmq.conf": before + line + "\n"})
    return doc, problems(doc, "TLS001")


@pytest.mark.parametrize("line", [
    # booleans: only true/false (case-sensitive)
    "ssl_options.fail_if_no_peer_cert = on", "ssl_options.fail_if_no_peer_cert = yes",
    "ssl_options.fail_if_no_peer_cert = True", "ssl_options.honor_cipher_order = 1",
    "ssl_options.honor_ecc_order = enabled", "ssl_options.reuse_sessions = no",
    "ssl_options.secure_renegotiate = off", "ssl_options.client_renegotiation = FALSE",
    "ssl_options.log_alert = maybe", "management.ssl.fail_if_no_peer_cert = on",
    "web_mqtt.ssl.honor_cipher_order = yes", "auth_ldap.ssl_options.fail_if_no_peer_cert = on",
    "cluster_formation.k8s.tls.fail_if_no_peer_cert = yes",
    # enums
    "ssl_options.verify = verify_peers", "ssl_options.verify = peer", "ssl_options.verify = VERIFY_PEER",
    "management.ssl.verify = true", "auth_http.ssl_options.verify = on",
    "auth_oauth2.https.peer_verification = verify", "ssl_options.crl_check = yes",
    "web_stomp.ssl.crl_check = always", "auth_ldap.ssl_options.hostname_verification = strict",
    # depth: an integer 0..255
    "ssl_options.depth = two", "ssl_options.depth = 2.5", "ssl_options.depth = 256",
    "ssl_options.depth = -1", "management.ssl.depth = 1k", "auth_oauth2.https.depth = x",
    # versions: the atoms Erlang/OTP knows
    "ssl_options.versions.1 = TLSv1.2", "ssl_options.versions.1 = tlsv1.4", "ssl_options.versions.1 = tls1.2",
    "prometheus.ssl.versions.1 = tlsv1_2", "auth_ldap.ssl_options.versions.tls1_2 = TLS1.2",
    # ports
    "management.ssl.port = 15671x", "prometheus.ssl.port = https", "web_mqtt.ssl.port = 15,676",
])
def test_refused_value_is_tls001_at_the_value(tmp_path, line):
    doc, errors = _one(tmp_path, line)
    column = line.index("=") + 3
    assert errors == [("rabbitmq.conf", 2, column)]
    assert all(p.code != "TLS701" for p in doc.problems)


@pytest.mark.parametrize("line, column", [
    ("auth_ldap.use_ssl = on", 21), ("auth_ldap.use_starttls = yes", 26), ("management.listener.ssl = on", 27),
    ("mqtt.ssl_cert_login = TRUE", 23), ("ssl_allow_poodle_attack = yes", 27),
])
def test_refused_value_of_other_tls_keys(tmp_path, line, column):
    doc, errors = _one(tmp_path, line, before="")
    assert errors == [("rabbitmq.conf", 1, column)]


@pytest.mark.parametrize("line", [
    "ssl_options.fail_if_no_peer_cert = true", "ssl_options.fail_if_no_peer_cert = false",
    "ssl_options.verify = verify_none", "ssl_options.crl_check = best_effort", "ssl_options.crl_check = peer",
    "ssl_options.depth = 0", "ssl_options.depth = 255", "ssl_options.depth = +3",
    "ssl_options.versions.1 = tlsv1.3", "ssl_options.versions.2 = tlsv1", "ssl_options.versions.3 = sslv3",
    "ssl_options.versions.1 = 'tlsv1.2'", "management.ssl.port = 15671",
    "auth_ldap.ssl_options.hostname_verification = wildcard", "listeners.ssl.other = 127.0.0.1:5671",
    "listeners.ssl.v6 = ::1:5671", "auth_ldap.use_ssl = false",
    # quoted values keep their meaning
    "ssl_options.fail_if_no_peer_cert = 'true'",
    # not TLS value checks: unknown keys are TLS701's business, other keys are not judged
    "ssl_options.port = abc", "heartbeat = soon",
])
def test_accepted_values_pass(tmp_path, line):
    doc, errors = _one(tmp_path, line)
    assert errors == []


@pytest.mark.parametrize("line", [
    "ssl_options.fail_if_no_peer_cert = $(FAIL)", "ssl_options.verify = $(VERIFY)",
    "ssl_options.depth = $(DEPTH)", "ssl_options.versions.1 = $(TLS_VERSION)",
    "management.ssl.port = $(PORT)", "listeners.ssl.default = $(AMQPS_PORT)",
    "ssl_options.depth = $(<depth.txt)",
])
def test_substitutions_are_not_judged(tmp_path, line):
    doc, errors = _one(tmp_path, line)
    assert errors == []


def test_a_substitution_resolved_to_a_bad_value_is_not_given_a_meaning(tmp_path):
    doc, errors = _one(tmp_path, "ssl_options.verify = verify_peer\nx.mode = on\n"
                                 "ssl_options.fail_if_no_peer_cert = $(x.mode)")
    assert errors == []
    (ep,) = doc.endpoints
    assert ep.verify.value is None and ep.verify.setting.line == 4


def test_fail_if_no_peer_cert_on_is_not_read_as_false(tmp_path):
    files = {"rabbitmq.conf": LISTENER + "ssl_options.cacertfile = /etc/ca.pem\n"
                                         "ssl_options.verify = verify_peer\n"
                                         "ssl_options.fail_if_no_peer_cert = on\n"}
    doc = parse(tmp_path, files)
    assert problems(doc, "TLS001") == [("rabbitmq.conf", 4, 36)]
    (ep,) = doc.endpoints
    assert ep.verify.value is None and ep.verify.setting.line == 4
    found = findings([tmp_path / "rabbitmq.conf"])
    assert [(f.code, f.line) for f in found if f.code in ("TLS202", "TLS203", "TLS205")] == []


def test_invalid_verify_is_not_read_as_verify_none(tmp_path):
    files = {"rabbitmq.conf": "auth_http.ssl_options.verify = verify_peers\n"
                              "auth_http.ssl_options.cacertfile = /etc/ca.pem\n"}
    doc = parse(tmp_path, files)
    assert problems(doc, "TLS001") == [("rabbitmq.conf", 1, 32)]
    (ep,) = doc.endpoints
    assert ep.role == "client" and ep.verify.value is None and ep.hostname_check.value is None
    found = findings([tmp_path / "rabbitmq.conf"])
    assert [f.code for f in found if f.code in ("TLS201", "TLS207")] == []


def test_server_verify_invalid_is_unknown_not_none(tmp_path):
    doc, errors = _one(tmp_path, "ssl_options.verify = verify_peer_strict")
    (ep,) = doc.endpoints
    assert errors == [("rabbitmq.conf", 2, 22)] and ep.verify.value is None


@pytest.mark.parametrize("value", ["300", "two", "-1"])
def test_refused_depth_has_no_value(tmp_path, value):
    doc, errors = _one(tmp_path, f"ssl_options.depth = {value}")
    (ep,) = doc.endpoints
    assert errors == [("rabbitmq.conf", 2, 21)]
    assert ep.depth.value is None and ep.depth.setting.line == 2


def test_refused_versions_are_not_protocols(tmp_path):
    doc, errors = _one(tmp_path, "ssl_options.versions.1 = tlsv1.2\nssl_options.versions.2 = TLSv1.3\n"
                                 "ssl_options.versions.3 = tlsv1.4")
    assert errors == [("rabbitmq.conf", 3, 26), ("rabbitmq.conf", 4, 26)]
    (ep,) = doc.endpoints
    assert ep.protocols.value == frozenset({"TLSv1.2"}) and ep.protocols.setting.line == 2


def test_only_refused_versions_leave_no_protocol(tmp_path):
    doc, errors = _one(tmp_path, "ssl_options.versions.1 = TLSv1")
    (ep,) = doc.endpoints
    assert errors == [("rabbitmq.conf", 2, 26)]
    assert ep.protocols.value == frozenset() and ep.protocols.setting.line == 2
    found = findings([tmp_path / "rabbitmq.conf"])
    assert [f.code for f in found if f.code == "TLS601"] == []


def test_use_ssl_on_builds_no_ldap_endpoint(tmp_path):
    doc, errors = _one(tmp_path, "auth_ldap.use_ssl = on\nauth_ldap.ssl_options.verify = verify_peer", before="")
    assert errors == [("rabbitmq.conf", 1, 21)]
    assert [e.surface for e in doc.endpoints] == []


def test_refused_value_in_conf_d_and_crlf(tmp_path):
    files = {"rabbitmq.conf": LISTENER, "conf.d/10-tls.conf": "# tls\r\n  ssl_options.depth =  x1\r\n"}
    doc = parse(tmp_path, files)
    assert problems(doc, "TLS001") == [("10-tls.conf", 2, 24)]


def test_advanced_config_values_get_no_meaning_when_refused(tmp_path):
    files = {"rabbitmq.conf": LISTENER,
             "advanced.config": "[{rabbit, [{ssl_options, [{verify, verify_peer}, {fail_if_no_peer_cert, yes},"
                                " {depth, 999}, {versions, ['tlsv1.2', 'tlsv9']}]}]}].\n"}
    doc = parse(tmp_path, files)
    (ep,) = doc.endpoints
    assert ep.verify.value is None and ep.depth.value is None
    assert ep.protocols.value == frozenset({"TLSv1.2"})


@pytest.mark.parametrize("value, refused", [
    ("5671", False), ("127.0.0.1:5671", False), ("::1:5671", False), ("56x71", True), ("tls", True),
    (":5671", True), ("host:", True),
])
def test_listener_datatype(value, refused):
    from tlslint.dialects.rabbitmq import schema

    assert (schema.value_error(("listener",), value) is not None) == refused


def test_a_listener_that_is_not_a_port_is_tls001(tmp_path):
    doc = parse(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 56x71\nmqtt.listeners.ssl.1 = 8883\n"})
    assert problems(doc, "TLS001") == [("rabbitmq.conf", 1, 25)]
