"""RabbitMQ cases from an independent review against the reference (codes and
lines): listeners switched off, ssl_options with no TLS listener, server-only
options on clients, version lists OTP refuses, k8s peer discovery's CA, an
unresolved cacertfile, and what a bad key file does to the node."""

from __future__ import annotations

from pathlib import Path

import pytest

from pkifactory import NOW, PkiFactory

from .rmqkit import codes_lines, findings, write


def pki_files(tmp_path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter, "rabbit.example.test")
    pki.write("ca.pem", root, inter)
    pki.write("leaf.pem", leaf)
    pki.write_key("leaf.key", leaf)
    pki.write("root.pem", root)
    return pki, leaf


def run(tmp_path, conf, **files):
    write(tmp_path, {"rabbitmq.conf": conf.format(d=tmp_path), **files})
    found = findings([tmp_path / "rabbitmq.conf"], now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"])
    return sorted((f.code, f.line) for f in found), found


@pytest.mark.parametrize("plugin", ["web_mqtt", "web_stomp"])
def test_web_listener_switched_off_gets_only_boot_time_checks(tmp_path, plugin):
    found, _ = run(tmp_path, f"{plugin}.ssl.listener = none\n")
    assert found == []
    # the schema's file check still runs at boot
    found, _ = run(tmp_path, f"{plugin}.ssl.listener = none\n{plugin}.ssl.certfile = /missing.pem\n")
    assert found == [("TLS002", 2)]


def test_advanced_config_that_does_not_evaluate(tmp_path):
    """rabbit_prelaunch_file evaluates advanced.config: an unbound variable or a
    leftover binding stops the boot (TLS001); a fun's own variables are fine."""
    for text, line in (("[{rabbit, [{ssl_options, [{verify, Verify}]}]}].\n", 1),
                       ("[{rabbit,\n  [{ssl_options, X = [{verify, verify_peer}]}]}].\n", 2)):
        write(tmp_path, {"advanced.config": text})
        found = findings([tmp_path / "advanced.config"])
        assert [(f.code, f.line) for f in found] == [("TLS001", line)]
    write(tmp_path, {"advanced.config": "[{rabbit, [{f, fun(X) -> X end}]}].\n"})
    assert findings([tmp_path / "advanced.config"]) == []


def test_the_last_app_block_of_advanced_config_wins(tmp_path):
    """cuttlefish overlays each {App, Env} on the generated config: of two
    {rabbit, ...} blocks only the last counts (here: no TLS listener)."""
    write(tmp_path, {"advanced.config": "[{rabbit, [{ssl_listeners, [5671]}]},\n {rabbit, [{tcp_listeners, [5672]}]}].\n"})
    from tlslint.dialects import rabbitmq
    from tlslint.options import Options

    (doc,) = rabbitmq.parse(tmp_path / "advanced.config", "rabbitmq", Options())
    assert doc.endpoints == []


def test_ssl_options_without_tls_listener_get_only_load_time_rules(tmp_path):
    pki_files(tmp_path)
    conf = ("listeners.ssl = none\nlisteners.tcp.default = 5672\nssl_options.cacertfile = {d}/ca.pem\n"
            "ssl_options.certfile = {d}/leaf.pem\nssl_options.keyfile = {d}/leaf.key\n")
    assert run(tmp_path, conf)[0] == []  # no TLS601: nothing accepts TLS
    conf = conf.replace("leaf.key", "missing.key")
    assert ("TLS002", 5) in run(tmp_path, conf)[0]  # the node still checks the files at boot


@pytest.mark.parametrize("conf,line", [
    ("auth_backends.1 = ldap\nauth_ldap.servers.1 = ldap.example.test\nauth_ldap.use_ssl = true\n"
     "auth_ldap.ssl_options.cacertfile = {d}/ca.pem\nauth_ldap.ssl_options.fail_if_no_peer_cert = true\n", 5),
    ("auth_http.user_path = https://auth.example.test/user\nauth_http.ssl_options.cacertfile = {d}/ca.pem\n"
     "auth_http.ssl_options.honor_cipher_order = true\n", 3),
])
def test_server_only_option_on_a_client_is_tls204(tmp_path, conf, line):
    pki_files(tmp_path)
    assert run(tmp_path, conf)[0] == [("TLS204", line)]


def test_server_only_option_in_a_shovel_uri(tmp_path):
    pki_files(tmp_path)
    advanced = ('[{rabbitmq_shovel, [{shovels, [{s1, [{destination, [{uris, '
                f'["amqps://dst.example.test?verify=verify_peer&fail_if_no_peer_cert=true&cacertfile={tmp_path}/ca.pem"]'
                '}]}]}]}]}].\n')
    found, _ = run(tmp_path, "", **{"advanced.config": advanced})
    assert [code for code, _ in found] == ["TLS204"]


def test_tls13_with_tls11_but_not_tls12_is_refused(tmp_path):
    pki_files(tmp_path)
    conf = ("listeners.ssl.default = 5671\nssl_options.cacertfile = {d}/ca.pem\nssl_options.certfile = {d}/leaf.pem\n"
            "ssl_options.keyfile = {d}/leaf.key\nssl_options.versions.1 = tlsv1.3\nssl_options.versions.2 = tlsv1.1\n")
    found, _ = run(tmp_path, conf)
    assert ("TLS204", 5) in found
    conf = conf.replace("tlsv1.1", "tlsv1.2")
    assert run(tmp_path, conf)[0] == []


def test_k8s_peer_discovery_always_has_a_ca(tmp_path):
    pki_files(tmp_path)
    conf = ("cluster_formation.peer_discovery_backend = k8s\n"
            "cluster_formation.k8s.host = kubernetes.default.svc.cluster.local\n"
            "cluster_formation.k8s.tls.certfile = {d}/leaf.pem\ncluster_formation.k8s.tls.keyfile = {d}/leaf.key\n")
    assert "TLS205" not in [code for code, _ in run(tmp_path, conf)[0]]


def test_unresolved_cacertfile_leaves_chain_completeness_unjudged(tmp_path):
    pki_files(tmp_path)
    conf = ("listeners.ssl.default = 5671\nssl_options.cacertfile = $(<ca_path.txt)\n"
            "ssl_options.certfile = {d}/leaf.pem\nssl_options.keyfile = {d}/leaf.key\n"
            "ssl_options.versions.1 = tlsv1.2\n")
    codes = [code for code, _ in run(tmp_path, conf)[0]]
    assert "TLS101" not in codes and "TLS006" in codes


def test_key_file_content_problems_do_not_stop_the_node(tmp_path):
    pki, leaf = pki_files(tmp_path)
    conf = ("listeners.ssl.default = 5671\nssl_options.cacertfile = {d}/ca.pem\n"
            "ssl_options.certfile = {d}/leaf.pem\nssl_options.keyfile = {d}/leaf.pem\n")
    _, found = run(tmp_path, conf)
    (bad,) = [f for f in found if f.code == "TLS004"]
    assert "node will not boot" not in bad.message and "handshake" in bad.message
    (tmp_path / "junk.key").write_text("not pem at all\n")
    _, found = run(tmp_path, conf.replace("keyfile = {d}/leaf.pem", "keyfile = {d}/junk.key"))
    (bad,) = [f for f in found if f.code == "TLS004"]
    assert "node will not boot" in bad.message  # no PEM at all: the schema's boot-time check fails


def test_a_fix_that_adds_a_boot_error_is_refused_even_when_another_removes_one(tmp_path):
    """Two TLS704 quoting fixes: the first removes a TLS002 (the double quotes
    were part of the path), the second would add one ('#' really is part of a
    path that does not exist). The second is refused, the first written."""
    from tlslint import fixer
    from tlslint.options import Options

    pki_files(tmp_path)
    conf = tmp_path / "rabbitmq.conf"
    write(tmp_path, {"rabbitmq.conf": f'listeners.ssl.default = 5671\nssl_options.certfile = "{tmp_path}/leaf.pem"\n'
                                      f"ssl_options.keyfile = {tmp_path}/leaf.key\n"
                                      f"ssl_options.cacertfile = {tmp_path}/ca.pem#comment\n"})
    outcome = fixer.run([conf], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    assert [(f.code, f.line) for f, _ in outcome.plan.fixes] == [("TLS704", 2)]
    assert ("TLS704", 4) in [(f.code, f.line) for f, _ in outcome.plan.deferred]
    text = conf.read_text()
    assert f"certfile = '{tmp_path}/leaf.pem'" in text and f"cacertfile = {tmp_path}/ca.pem#comment" in text


def test_no_versions_fix_where_it_cannot_apply(tmp_path):
    """advanced.config lists and the legacy management listener that reuses
    ssl_options get TLS601 without a fix (an edit there would be wrong)."""
    pki_files(tmp_path)
    conf = ("management.listener.port = 15671\nmanagement.listener.ssl = true\n"
            "ssl_options.cacertfile = {d}/ca.pem\nssl_options.certfile = {d}/leaf.pem\n"
            "ssl_options.keyfile = {d}/leaf.key\n")
    _, found = run(tmp_path, conf)
    assert [(f.code, f.fix) for f in found if f.code == "TLS601"] == [("TLS601", None)]
    advanced = (f'[{{rabbit, [{{ssl_listeners, [5671]}}, {{ssl_options, [{{cacertfile, "{tmp_path}/ca.pem"}}, '
                f'{{certfile, "{tmp_path}/leaf.pem"}}, {{keyfile, "{tmp_path}/leaf.key"}}]}}]}}].\n')
    _, found = run(tmp_path, "", **{"advanced.config": advanced})
    assert [(f.code, f.fix) for f in found if f.code == "TLS601"] == [("TLS601", None)]


def test_classic_rabbitmq_config_makes_the_node_ignore_the_others(tmp_path):
    """With rabbitmq.config the node reads that file alone: advanced.config and
    rabbitmq.conf next to it are ignored (TLS705), and what they configure is
    not judged."""
    write(tmp_path, {"rabbitmq.config": "[{rabbit, [{tcp_listeners, [5672]}]}].\n",
                     "advanced.config": '[{rabbit, [{ssl_listeners, [5671]}, '
                                        '{ssl_options, [{certfile, "/missing.pem"}]}]}].\n'})
    found = findings([tmp_path])
    assert [(Path(f.path).name, f.code) for f in found] == [("advanced.config", "TLS705")]
    write(tmp_path, {"rabbitmq.conf": "listeners.ssl.default = 5671\nssl_options.verify = verify_none\n"
                                      "ssl_options.fail_if_no_peer_cert = true\n"})
    found = findings([tmp_path])
    assert [(Path(f.path).name, f.code) for f in found] == [("rabbitmq.conf", "TLS705")]


def test_without_a_tls_listener_the_key_is_not_checked(tmp_path):
    """The node checks at boot only that the files exist and hold PEM; a key
    that does not match is found at the first handshake, which never comes."""
    pki, leaf = pki_files(tmp_path)
    other = pki.leaf(pki.root("Other Root"), "other.example.test")
    pki.write_key("other.key", other)
    conf = ("listeners.ssl = none\nssl_options.cacertfile = {d}/ca.pem\nssl_options.certfile = {d}/leaf.pem\n"
            "ssl_options.keyfile = {d}/other.key\n")
    assert run(tmp_path, conf)[0] == []
    assert [c for c, _ in run(tmp_path, conf.replace("listeners.ssl = none", "listeners.ssl.default = 5671"))[0]
            if c == "TLS301"] == ["TLS301"]
