"""tlslint fix against the real judges: openssl verify, nginx -t; and its safety nets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pkifactory import NOW, NOW_ISO, PkiFactory
from tlslint import fixer
from tlslint.findings import Edit, Fix
from tlslint.options import Options

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def leaf_only_site(tmp_path: Path):
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter)
    pki.write("certs/root.pem", root)
    pki.write("certs/ca-bundle.pem", inter, root)
    pki.write("certs/site.pem", leaf)
    pki.write_key("certs/site.key", leaf)
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n  ssl_trusted_certificate certs/ca-bundle.pem;\n  server {\n"
        "    listen 127.0.0.1:18443 ssl;\n    server_name www.example.test;\n"
        "    ssl_certificate certs/site.pem;\n    ssl_certificate_key certs/site.key;\n  }\n}\n")
    return pki


def cli(*args, cwd=None, user=None):
    cmd = [sys.executable, "-m", "tlslint", *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]  # numeric ids
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


def test_fullchain_verifies_with_openssl_and_nginx_accepts(tmp_path):
    leaf_only_site(tmp_path)
    run = cli("fix", "--now", NOW_ISO, "--trust", "certs/root.pem", ".", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    fullchain = tmp_path / "certs" / "site.fullchain.pem"
    assert fullchain.exists()
    assert b"PRIVATE KEY" not in fullchain.read_bytes()
    verify = subprocess.run(["openssl", "verify", "-attime", "1780272000", "-CAfile", "certs/root.pem",
                             "-untrusted", str(fullchain), str(fullchain)],
                            cwd=tmp_path, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "ssl_certificate certs/site.fullchain.pem;" in (tmp_path / "nginx.conf").read_text()
    if NGINX:
        t = subprocess.run([NGINX, "-t", "-q", "-e", "stderr", "-p", str(tmp_path),
                            "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
        assert t.returncode == 0, t.stderr


def test_diff_writes_nothing_and_shows_the_change(tmp_path):
    leaf_only_site(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    run = cli("fix", "--diff", "--now", NOW_ISO, "--trust", "certs/root.pem", ".", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "+    ssl_certificate certs/site.fullchain.pem;" in run.stdout
    assert "new file certs/site.fullchain.pem" in run.stdout
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def assert_fullchain_fix_refused(tmp_path, monkeypatch, replacement, match):
    """Replace TLS101's fix by one that sets ssl_certificate's value to
    ``replacement(raw)``; fix must refuse it (saying why) and write nothing."""
    leaf_only_site(tmp_path)
    conf = tmp_path / "nginx.conf"
    original = conf.read_bytes()
    from tlslint.rules import tls101_chain_incomplete as rule

    def misbehaving(endpoint, pair, analysis):
        setting = pair.cert.setting
        return Fix("misbehaving", "safe", [Edit(setting.source, setting.span, replacement(setting.raw))])

    monkeypatch.setattr(rule, "fullchain_fix", misbehaving)
    options = Options(now=NOW, use_system_store=False, trust=[tmp_path / "certs" / "root.pem"])
    outcome = fixer.run([tmp_path], options)
    assert outcome.written == [] and conf.read_bytes() == original
    [(finding, why)] = [(f, w) for f, w in outcome.plan.deferred if f.code == "TLS101"]
    assert match in why


def test_a_failing_fix_does_not_stop_the_others(tmp_path, monkeypatch):
    """TLS101's fix misbehaves, TLS702's in the same file is written."""
    leaf_only_site(tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(conf.read_text().replace("    server_name www.example.test;\n",
                                             "    server_name www.example.test;\n    ssl off;\n"))
    from tlslint.rules import tls101_chain_incomplete as rule

    def misbehaving(endpoint, pair, analysis):
        setting = pair.cert.setting
        return Fix("misbehaving", "safe", [Edit(setting.source, setting.span, setting.raw + " ")])

    monkeypatch.setattr(rule, "fullchain_fix", misbehaving)
    options = Options(now=NOW, use_system_store=False, trust=[tmp_path / "certs" / "root.pem"])
    outcome = fixer.run([tmp_path], options)
    assert [f.code for f, _ in outcome.plan.fixes] == ["TLS702"]
    assert [f.code for f, _ in outcome.plan.deferred] == ["TLS101"]
    assert "ssl off" not in conf.read_text() and "ssl_certificate certs/site.pem;" in conf.read_text()


def test_a_fix_that_does_not_remove_its_finding_writes_nothing(tmp_path, monkeypatch):
    assert_fullchain_fix_refused(tmp_path, monkeypatch, lambda raw: raw + " ", match="did not remove")


def test_a_fix_that_breaks_parsing_writes_nothing(tmp_path, monkeypatch):
    assert_fullchain_fix_refused(tmp_path, monkeypatch, lambda raw: "{", match="would not parse")


def test_a_fix_that_would_stop_the_server_writes_nothing(tmp_path, monkeypatch):
    """The fix removes its own finding but points ssl_certificate at a file that
    does not exist: nginx would refuse the config (TLS002), so nothing is written."""
    assert_fullchain_fix_refused(tmp_path, monkeypatch, lambda raw: "certs/nowhere.pem", match="TLS002")


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0,
                    reason="needs root to run tlslint as an unprivileged user")
def test_read_only_directory_gives_a_clear_error_and_changes_nothing():
    import tempfile

    # not under pytest's tmp_path: its root-only parent would hide everything from the user
    tmp_path = Path(tempfile.mkdtemp(prefix="tlslint-ro-"))
    site = tmp_path / "site"
    site.mkdir()
    leaf_only_site(site)
    os.chmod(tmp_path, 0o755)
    for p in [site, *site.rglob("*")]:
        os.chmod(p, 0o555 if p.is_dir() else 0o444)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    run = cli("fix", "--now", NOW_ISO, "--trust", "certs/root.pem", ".", cwd=site, user="65534")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "nothing was changed" in run.stderr and "Traceback" not in run.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in site.rglob("*")) == sorted([p.name for p in before] + ["certs"])
    os.chmod(site, 0o755)
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_diff_exits_like_check_on_what_would_remain(tmp_path):
    leaf_only_site(tmp_path)
    # nothing left once the fullchain is written: 0
    run = cli("fix", "--diff", "--now", NOW_ISO, "--trust", "certs/root.pem", ".", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    # without the intermediate anywhere, TLS101 cannot be fixed and would remain: 1
    (tmp_path / "certs" / "ca-bundle.pem").write_bytes((tmp_path / "certs" / "root.pem").read_bytes())
    run = cli("fix", "--diff", "--format", "json", "--now", NOW_ISO, "--trust", "certs/root.pem", ".",
              cwd=tmp_path)
    assert run.returncode == 1
    import json
    assert [f["code"] for f in json.loads(run.stdout)["findings"]] == ["TLS101"]


@pytest.mark.parametrize("default_has_ssl_on,expected_listen", [
    (True, "listen 127.0.0.1:18446 ssl;"),   # the address was TLS: "ssl" says so explicitly
    (False, "listen 127.0.0.1:18446;"),      # ssl on did nothing here: the address stays plain
])
def test_ssl_on_fix_keeps_what_each_address_serves(tmp_path, default_has_ssl_on, expected_listen):
    pki = leaf_only_site(tmp_path)
    named = ("  server {\n    listen 127.0.0.1:18446;\n    server_name www.example.test;\n    ssl on;\n"
             "    ssl_certificate certs/site.pem;\n    ssl_certificate_key certs/site.key;\n  }\n")
    default = ("  server {\n    listen 127.0.0.1:18446;\n    server_name plain.test;\n"
               + ("    ssl on;\n    ssl_certificate certs/site.pem;\n    ssl_certificate_key certs/site.key;\n"
                  if default_has_ssl_on else "") + "  }\n")
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n" + default + named + "}\n")
    run = cli("fix", "--now", NOW_ISO, "--trust", "certs/root.pem", "--select", "TLS702", ".", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    text = conf.read_text()
    assert "ssl on" not in text
    assert text.count(expected_listen) == 2
    if NGINX:
        t = subprocess.run([NGINX, "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
                           capture_output=True, text=True)
        assert t.returncode == 0, t.stderr


def test_an_nginx_T_dump_is_never_edited(tmp_path):
    """A dump is not what nginx reads: its findings carry no fix, nothing is written."""
    leaf_only_site(tmp_path)
    conf = tmp_path / "nginx.conf"
    dump = tmp_path / "dump.txt"
    dump.write_text(f"# configuration file {conf}:\n" + conf.read_text())
    conf.unlink()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    run = cli("check", "--now", NOW_ISO, "--trust", "certs/root.pem", "--format", "json", "dump.txt", cwd=tmp_path)
    import json

    found = json.loads(run.stdout)["findings"]
    assert [f["code"] for f in found] == ["TLS101"] and found[0]["fix"] is None
    cli("fix", "--now", NOW_ISO, "--trust", "certs/root.pem", "dump.txt", cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_certbot_cert_pem_is_repointed_at_certbot_fullchain(tmp_path):
    """ssl_certificate .../live/site/cert.pem (leaf only): the missing intermediate
    is found in the chain.pem next to it, and the fix points at certbot's own
    fullchain.pem (a link certbot renews), not at a copy renewals would not update."""
    pki = PkiFactory(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter)
    pki.write("root.pem", root)
    pki.write("archive/site/cert1.pem", leaf)
    pki.write("archive/site/chain1.pem", inter)
    pki.write("archive/site/fullchain1.pem", leaf, inter)
    pki.write_key("archive/site/privkey1.pem", leaf)
    (tmp_path / "live" / "site").mkdir(parents=True)
    for name in ("cert", "chain", "fullchain", "privkey"):
        (tmp_path / "live" / "site" / f"{name}.pem").symlink_to(f"../../archive/site/{name}1.pem")
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name www.example.test;\n"
                    "    ssl_certificate live/site/cert.pem;\n    ssl_certificate_key live/site/privkey.pem;\n"
                    "  }\n}\n")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    outcome = fixer.run([tmp_path], Options(now=NOW, use_system_store=False, trust=[tmp_path / "root.pem"]))
    assert [f.code for f, _ in outcome.plan.fixes] == ["TLS101"]
    assert "ssl_certificate live/site/fullchain.pem;" in conf.read_text()
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no new file
    assert (tmp_path / "live" / "site" / "fullchain.pem").is_symlink()
