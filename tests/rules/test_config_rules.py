"""Config-level rules on endpoints built directly (no parser, no files)."""

import importlib

from pathlib import Path

import pytest

from modelkit import ConfigText, Field, endpoint, file_ref, run_rule
from tlslint.findings import Severity


def rule(name):
    return importlib.import_module(f"tlslint.rules.{name}")


TLS201 = rule("tls201_peer_verification_disabled")
TLS202 = rule("tls202_client_cert_optional")
TLS203 = rule("tls203_client_cert_not_verified")
TLS205 = rule("tls205_verify_without_ca")
TLS207 = rule("tls207_hostname_verification_disabled")
TLS601 = rule("tls601_legacy_protocol")
TLS602 = rule("tls602_weak_cipher")
TLS703 = rule("tls703_listener_without_certificate")
TLS006 = rule("tls006_unresolved_path")


def test_client_without_verification_by_default_reports_at_anchor():
    text = ConfigText()
    ep = endpoint(text, role="client", verify=Field("none", None, "proxy_ssl_verify is off by default"))
    found = run_rule(TLS201, ep)
    assert [f.code for f in found] == ["TLS201"]
    assert found[0].line == 1  # the anchor


def test_client_with_explicit_verify_off_reports_at_setting():
    text = ConfigText()
    text.setting("proxy_pass", "https://x")
    off = text.setting("proxy_ssl_verify", "off")
    ep = endpoint(text, role="client", verify=Field("none", off))
    assert [f.line for f in run_rule(TLS201, ep)] == [3]


@pytest.mark.parametrize("mode", ["required", "optional"])
def test_verifying_client_is_not_tls201(mode):
    assert run_rule(TLS201, endpoint(role="client", verify=Field(mode))) == []


def test_server_is_never_tls201():
    assert run_rule(TLS201, endpoint(verify=Field("none"))) == []


def test_optional_client_certs_is_a_warning():
    text = ConfigText()
    ep = endpoint(text, verify=Field("optional", text.setting("ssl_verify_client", "optional")),
                  ca_files=[file_ref(text, "ca", Path("/ca.pem"))])
    found = run_rule(TLS202, ep)
    assert [(f.code, f.severity, f.line) for f in found] == [("TLS202", Severity.WARNING, 2)]
    ep.ca_files = []  # nothing to verify against: TLS205's business, not this rule's
    assert run_rule(TLS202, ep) == []


def test_optional_only_by_default_is_info():
    text = ConfigText()
    ep = endpoint(text, dialect="rabbitmq",
                  verify=Field("optional", text.setting("ssl_options.verify", "verify_peer"),
                               "fail_if_no_peer_cert unset: optional on this OTP"),
                  ca_files=[file_ref(text, "ca", Path("/ca.pem"), key="ssl_options.cacertfile")])
    assert [f.severity for f in run_rule(TLS202, ep)] == [Severity.INFO]


@pytest.mark.parametrize("mode", ["required", "none", "optional_no_verify"])
def test_not_optional_is_not_tls202(mode):
    assert run_rule(TLS202, endpoint(verify=Field(mode))) == []


def test_optional_no_ca_is_tls203():
    text = ConfigText()
    ep = endpoint(text, verify=Field("optional_no_verify", text.setting("ssl_verify_client", "optional_no_ca")))
    assert [(f.code, f.line) for f in run_rule(TLS203, ep)] == [("TLS203", 2)]
    assert run_rule(TLS203, endpoint(verify=Field("required"))) == []


def test_verify_without_ca():
    text = ConfigText()
    ep = endpoint(text, verify=Field("required", text.setting("ssl_verify_client", "on")))
    assert [f.line for f in run_rule(TLS205, ep)] == [2]
    ep.ca_files = [file_ref(text, "ca", __import__("pathlib").Path("/ca.pem"))]
    assert run_rule(TLS205, ep) == []


def test_verify_without_ca_with_system_roots_is_fine():
    ep = endpoint(role="client", dialect="prometheus", verify=Field("required"), system_roots=True)
    assert run_rule(TLS205, ep) == []


def test_no_verification_is_not_tls205():
    assert run_rule(TLS205, endpoint(verify=Field("none"))) == []


def test_hostname_check_off():
    text = ConfigText()
    off = text.setting("verification_mode", "certificate")
    ep = endpoint(text, role="client", dialect="elasticsearch", verify=Field("required"),
                  hostname_check=Field(False, off))
    assert [f.line for f in run_rule(TLS207, ep)] == [2]
    ep.hostname_check = Field(True)
    assert run_rule(TLS207, ep) == []


def test_nginx_upstream_group_without_ssl_name():
    text = ConfigText()
    group = text.setting("upstream", "backend")
    verify = text.setting("proxy_ssl_verify", "on")
    ep = endpoint(text, role="client", verify=Field("required", verify), hostname_check=Field(True),
                  settings={"_upstream_block": group, "proxy_ssl_verify": verify})
    assert [f.line for f in run_rule(TLS207, ep)] == [3]
    ep.settings["proxy_ssl_name"] = text.setting("proxy_ssl_name", "api.internal")
    assert run_rule(TLS207, ep) == []


def test_legacy_protocols_explicit_and_default():
    text = ConfigText()
    protocols = text.setting("ssl_protocols", "TLSv1")
    ep = endpoint(text, protocols=Field(frozenset({"TLSv1", "TLSv1.2"}), protocols))
    assert [(f.code, f.line) for f in run_rule(TLS601, ep)] == [("TLS601", 2)]
    ep.protocols = Field(frozenset({"TLSv1.1", "TLSv1.2"}), None, "server default")
    assert [f.line for f in run_rule(TLS601, ep)] == [1]
    ep.protocols = Field(frozenset({"TLSv1.2", "TLSv1.3"}))
    assert run_rule(TLS601, ep) == []


@pytest.mark.parametrize("ciphers,weak", [
    ("HIGH:!aNULL:!MD5", False),            # nginx default
    ("DEFAULT", False),
    ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256", False),
    ("kEDH+AESGCM:ECDHE-RSA-AES128-SHA256", False),
    ("ALL:!aNULL:!eNULL:!EXPORT:!RC4:!DES:!MD5", False),
    ("HIGH:!aNULL:DES-CBC3-SHA", True),
    ("ECDHE-RSA-AES128-GCM-SHA256:RC4-SHA", True),
    ("TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", True),
    ("NULL-SHA", True),
    ("ADH-AES128-SHA", True),
    ("ALL", True),
    ("EXP-RC4-MD5", True),
    # OpenSSL: HIGH and MEDIUM include the anonymous suites (openssl ciphers -v HIGH lists ADH-/AECDH-)
    ("HIGH", True),
    ("HIGH:!MD5", True),
    ("COMPLEMENTOFDEFAULT", True),
    # !ADH leaves AECDH in, and NULL means eNULL (no encryption), not aNULL
    ("ECDHE-RSA-AES128-GCM-SHA256:HIGH:!ADH:!MD5", True),
    ("HIGH:!NULL:!MD5", True),
    ("HIGH:!ADH:!AECDH:!MD5", False),
])
def test_weak_ciphers(ciphers, weak):
    text = ConfigText()
    ep = endpoint(text, ciphers=Field(ciphers, text.setting("ssl_ciphers", ciphers)))
    assert [f.code for f in run_rule(TLS602, ep)] == (["TLS602"] if weak else [])


def test_weak_ciphers_do_not_matter_with_tls13_only():
    text = ConfigText()
    ciphers = "DES-CBC3-SHA"
    ep = endpoint(text, ciphers=Field(ciphers, text.setting("ssl_ciphers", ciphers)),
                  protocols=Field(frozenset({"TLSv1.3"}), text.setting("ssl_protocols", "TLSv1.3")))
    assert run_rule(TLS602, ep) == []
    ep.protocols = Field(frozenset({"TLSv1.2", "TLSv1.3"}), text.setting("ssl_protocols", "TLSv1.2 TLSv1.3"))
    assert [f.code for f in run_rule(TLS602, ep)] == ["TLS602"]


def test_listener_without_certificate():
    ep = endpoint()
    assert [f.code for f in run_rule(TLS703, ep)] == ["TLS703"]
    ep.requires_certificate = False
    assert run_rule(TLS703, ep) == []


def test_unresolved_path_is_info_at_the_setting():
    text = ConfigText()
    ref = file_ref(text, "cert", __import__("pathlib").Path("/etc/ssl/$ssl_server_name.crt"))
    ref.unresolved = "uses variable $ssl_server_name"
    from tlslint.model import CertKeyPair
    ep = endpoint(text, pairs=[CertKeyPair(cert=ref)])
    found = run_rule(TLS006, ep)
    assert [(f.code, f.severity, f.line) for f in found] == [("TLS006", Severity.INFO, 2)]


def test_nginx_upstream_group_named_with_its_fqdn_is_fine():
    text = ConfigText()
    group = text.setting("upstream", "api.example.test")
    verify = text.setting("proxy_ssl_verify", "on")
    ep = endpoint(text, role="client", verify=Field("required", verify), hostname_check=Field(True),
                  settings={"_upstream_block": group, "proxy_ssl_verify": verify})
    assert run_rule(TLS207, ep) == []


def test_start_file_contents():
    from tlslint.rules.tls004_bad_pem import start_file_problem

    assert start_file_problem("ticket_key", b"x" * 48) is None
    assert start_file_problem("ticket_key", b"x" * 80) is None
    assert "48 or 80" in start_file_problem("ticket_key", b"x" * 10)
    assert "DH parameters" in start_file_problem("dhparam", b"not pem\n")
    assert "OCSP" in start_file_problem("ocsp_response", b"junk")
