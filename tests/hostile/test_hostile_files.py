"""Files that are not what they seem: FIFOs, devices, sockets, symlink loops,
directories, unreadable and oversized files, include cycles.

Each case runs the real CLI in a subprocess with a generous timeout (a hang
fails the test, a slow machine does not), and asserts the exact finding code
and line, and exit code 1 (a finding), never 2 (an internal failure).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

from .hostilekit import codes_at, json_findings, run_cli

sys.path.insert(0, str(Path(__file__).parent.parent))
from pkifactory import NOW_ISO, PkiFactory  # noqa: E402

NGINX = """events {{}}
http {{
  server {{
    listen 443 ssl;
    server_name www.example.test;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_verify_client on;
    ssl_client_certificate {ca};
  }}
}}
"""
CERT_LINE, KEY_LINE, CA_LINE = 6, 7, 9


@pytest.fixture
def site(tmp_path):
    """A valid server: site.pem (leaf + intermediate), site.key, ca.pem (root)."""
    pki = PkiFactory(tmp_path)
    root = pki.root("Hostile Root")
    inter = pki.intermediate(root, "Hostile Intermediate")
    leaf = pki.leaf(inter, "www.example.test")
    pki.write("site.pem", leaf, inter)
    pki.write_key("site.key", leaf)
    pki.write("ca.pem", root)
    return tmp_path


def check(site: Path, *extra: str, cert="site.pem", key="site.key", ca="ca.pem", name="nginx.conf"):
    (site / name).write_text(NGINX.format(cert=cert, key=key, ca=ca))
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", *extra, name, cwd=site)
    return proc, json_findings(proc)


def test_baseline_site_is_clean(site):
    proc, findings = check(site)
    assert proc.returncode == 0, findings
    assert findings == []


def test_dev_zero_as_certificate_is_refused(site):
    proc, findings = check(site, cert="/dev/zero")
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", CERT_LINE) in codes_at(findings)


def test_dev_stdin_as_ca_file_is_refused(site):
    # stdin is /dev/null here; with a terminal or a pipe it would block: refused before reading
    proc, findings = check(site, ca="/dev/stdin")
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", CA_LINE) in codes_at(findings)


def test_fifo_as_key_does_not_block(site):
    os.mkfifo(site / "fifo.key")  # no writer: opening it for reading would block
    proc, findings = check(site, key="fifo.key")
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", KEY_LINE) in codes_at(findings)


def test_unix_socket_as_certificate(site):
    sock = socket.socket(socket.AF_UNIX)
    path = site / "cert.sock"
    try:
        sock.bind(str(path))
    except OSError:  # path too long for AF_UNIX on this machine
        pytest.skip("cannot create a unix socket here")
    try:
        proc, findings = check(site, cert="cert.sock")
    finally:
        sock.close()
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", CERT_LINE) in codes_at(findings)


def test_symlink_loop_as_ca_file(site):
    (site / "loop-a.pem").symlink_to("loop-b.pem")
    (site / "loop-b.pem").symlink_to("loop-a.pem")
    proc, findings = check(site, ca="loop-a.pem")
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", CA_LINE) in codes_at(findings)


def test_directory_as_certificate(site):
    (site / "certs").mkdir()
    proc, findings = check(site, cert="certs")
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", CERT_LINE) in codes_at(findings)


def test_certificate_over_the_size_cap(site):
    (site / "huge.pem").write_bytes((site / "site.pem").read_bytes() + b"# padding\n" * 120_000)  # 1.2 MB
    proc, findings = check(site, cert="huge.pem")
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", CERT_LINE) in codes_at(findings)
    # a larger cap reads it: the padding is harmless text between PEM blocks
    proc, findings = check(site, "--max-file-size", "4M", cert="huge.pem")
    assert "TLS003" not in {f["code"] for f in findings}


def test_max_file_size_in_the_config_file(site):
    (site / "huge.pem").write_bytes((site / "site.pem").read_bytes() + b"# padding\n" * 120_000)
    (site / "tlslint.toml").write_text('max-file-size = "4M"\n')
    proc, findings = check(site, cert="huge.pem")
    assert "TLS003" not in {f["code"] for f in findings}
    (site / "tlslint.toml").write_text("max-file-size = 1000\n")
    proc, findings = check(site)  # now even site.pem (about 1.3 kB) is over the cap
    assert ("TLS003", "nginx.conf", CERT_LINE) in codes_at(findings)


@pytest.mark.parametrize("value", ["0", "-1", "lots", "1T"])
def test_bad_max_file_size_is_a_usage_error(site, value):
    (site / "nginx.conf").write_text(NGINX.format(cert="site.pem", key="site.key", ca="ca.pem"))
    proc = run_cli("check", "--max-file-size", value, "nginx.conf", cwd=site)
    assert proc.returncode == 2
    assert proc.stderr.startswith("tlslint: error: --max-file-size")


def test_bad_max_file_size_in_config_names_the_key(site):
    (site / "tlslint.toml").write_text("max-file-size = true\n")
    (site / "nginx.conf").write_text(NGINX.format(cert="site.pem", key="site.key", ca="ca.pem"))
    proc = run_cli("check", "nginx.conf", cwd=site)
    assert proc.returncode == 2
    assert "max-file-size" in proc.stderr


def test_config_over_the_size_cap_is_tls003_at_line_1(site):
    conf = NGINX.format(cert="site.pem", key="site.key", ca="ca.pem")
    (site / "big.conf").write_text(conf + ("# " + "x" * 76 + "\n") * (5 * 1024 * 1024 // 79))  # 5 MiB
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem", "big.conf", cwd=site)
    findings = json_findings(proc)
    assert proc.returncode == 1
    assert codes_at(findings) == {("TLS003", "big.conf", 1)}
    proc = run_cli("check", "--format", "json", "--now", NOW_ISO, "--trust", "ca.pem",
                   "--max-file-size", "8M", "big.conf", cwd=site)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_key_is_tls003(site):
    (site / "site.key").chmod(0)
    proc, findings = check(site)
    assert proc.returncode == 1
    assert ("TLS003", "nginx.conf", KEY_LINE) in codes_at(findings)


def test_permission_denied_is_reported_not_raised(tmp_path, monkeypatch):
    """The same case in-process, so it also runs as root: the reader's
    PermissionError becomes a FileAccessError with a reason, never a traceback."""
    from tlslint import readfile

    target = tmp_path / "secret.key"
    target.write_bytes(b"x")
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(readfile.os, "open", deny)
    with pytest.raises(readfile.FileAccessError) as info:
        readfile.read_bytes(target)
    assert not info.value.missing and info.value.reason == "permission denied"


# --- discovery: walking a tree must not block or crash -----------------------------

def test_discovery_of_special_files(tmp_path):
    os.mkfifo(tmp_path / "fifo.conf")
    (tmp_path / "dir.conf").mkdir()
    (tmp_path / "dangling.conf").symlink_to("nowhere.conf")
    (tmp_path / "loop.conf").symlink_to("loop.conf")
    (tmp_path / "zero.conf").symlink_to("/dev/zero")
    proc = run_cli("check", "-v", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    skipped = {line.split(":")[0].removeprefix("skipped ") for line in proc.stdout.splitlines()
               if line.startswith("skipped ")}
    assert {"fifo.conf", "dangling.conf", "zero.conf"} <= skipped
    # a link loop may hide a config: a warning, even without -v
    assert "loop.conf: symbolic link loop; not checked" in proc.stderr


def test_unreadable_files_named_on_the_command_line_are_errors(tmp_path):
    os.mkfifo(tmp_path / "fifo.conf")
    (tmp_path / "loop.conf").symlink_to("loop.conf")
    for name in ("fifo.conf", "loop.conf"):
        proc = run_cli("check", name, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stderr.startswith(f"tlslint: error: {name}: "), proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_a_link_loop_elsewhere_in_the_repository_does_not_break_a_run(tmp_path):
    """Naming a certificate makes tlslint look for the configs using it; a link
    loop one of them names is TLS003 there, not an internal error."""
    (tmp_path / "loop1.pem").symlink_to("loop2.pem")
    (tmp_path / "loop2.pem").symlink_to("loop1.pem")
    (tmp_path / "site.conf").write_text("server {\n listen 443 ssl;\n ssl_certificate loop1.pem;\n"
                                        " ssl_certificate_key k.pem;\n}\n")
    (tmp_path / "other.pem").write_text("")
    proc = run_cli("check", "other.pem", cwd=tmp_path)
    assert proc.returncode == 0 and "internal error" not in proc.stderr, proc.stderr
    proc = run_cli("check", "loop1.pem", cwd=tmp_path)
    assert "internal error" not in proc.stderr, proc.stderr


def test_fifo_named_on_the_command_line_with_a_forced_dialect(tmp_path):
    os.mkfifo(tmp_path / "nginx.conf")
    (tmp_path / "tlslint.toml").write_text('[dialects]\n"*.conf" = "nginx"\n')
    proc = run_cli("check", "--format", "json", "nginx.conf", cwd=tmp_path)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS003", "nginx.conf", 1)}


def test_fifo_as_tlslint_toml_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "cfg.toml")
    (tmp_path / "nginx.conf").write_text("events {}\n")
    proc = run_cli("check", "--config", "cfg.toml", "nginx.conf", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("tlslint: error: cfg.toml")


# --- includes ---------------------------------------------------------------------------

def test_nginx_include_cycle(tmp_path):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n  include a.conf;\n}\n")
    (tmp_path / "a.conf").write_text("server_tokens off;\ninclude b.conf;\n")
    (tmp_path / "b.conf").write_text("include a.conf;\n")
    proc = run_cli("check", "--format", "json", "nginx.conf", cwd=tmp_path)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS001", "b.conf", 1)}


def test_nginx_include_of_itself(tmp_path):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n  include nginx.conf;\n}\n")
    proc = run_cli("check", "--format", "json", "nginx.conf", cwd=tmp_path)
    assert proc.returncode == 1
    assert codes_at(json_findings(proc)) == {("TLS001", "nginx.conf", 3)}


def test_nginx_include_of_a_fifo_and_dev_zero(tmp_path):
    os.mkfifo(tmp_path / "pipe.conf")
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n  include pipe.conf;\n  include /dev/zero;\n}\n")
    proc = run_cli("check", "--format", "json", "nginx.conf", cwd=tmp_path)
    assert proc.returncode == 1
    assert ("TLS001", "nginx.conf", 3) in codes_at(json_findings(proc))


def test_nginx_include_glob_is_bounded(tmp_path, monkeypatch):
    from tlslint.dialects import nginx
    from tlslint.dialects.nginx import loader

    monkeypatch.setattr(loader, "MAX_INCLUDED", 5)
    (tmp_path / "conf.d").mkdir()
    for i in range(12):
        (tmp_path / "conf.d" / f"{i:02}.conf").write_text("server_tokens off;\n")
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n  include conf.d/*.conf;\n}\n")
    [doc] = nginx.parse(tmp_path / "nginx.conf")
    assert [(p.code, p.location.start()[0]) for p in doc.problems] == [("TLS001", 3)]


def test_rabbitmq_include_cycle(tmp_path):
    (tmp_path / "rabbitmq.conf").write_text("listeners.ssl.default = 5671\ninclude extra.conf\n")
    (tmp_path / "extra.conf").write_text("include rabbitmq.conf\n")
    proc = run_cli("check", "--format", "json", "rabbitmq.conf", cwd=tmp_path)
    findings = json_findings(proc)
    assert proc.returncode == 1
    assert {(f["code"], f["path"]) for f in findings if f["code"] == "TLS001"} == {("TLS001", "extra.conf")}


def test_rabbitmq_include_glob_is_bounded(tmp_path):
    from tlslint.dialects import rabbitmq
    from tlslint.dialects.rabbitmq import nodeconf

    (tmp_path / "extra").mkdir()
    for i in range(nodeconf.MAX_INCLUDED_FILES + 5):
        (tmp_path / "extra" / f"{i:04}.conf").write_text("ssl_options.depth = 2\n")
    (tmp_path / "rabbitmq.conf").write_text("listeners.ssl.default = 5671\ninclude extra/*.conf\n")
    [doc] = rabbitmq.parse(tmp_path / "rabbitmq.conf")
    assert [(p.code, p.location.start()[0]) for p in doc.problems if p.code == "TLS001"] == [("TLS001", 2)]
    assert len(doc.sources) == nodeconf.MAX_INCLUDED_FILES + 1


def test_rabbitmq_conf_d_is_bounded(tmp_path):
    from tlslint.dialects import rabbitmq
    from tlslint.dialects.rabbitmq import nodeconf

    (tmp_path / "conf.d").mkdir()
    for i in range(nodeconf.MAX_INCLUDED_FILES + 5):
        (tmp_path / "conf.d" / f"{i:04}.conf").write_text("ssl_options.depth = 2\n")
    (tmp_path / "rabbitmq.conf").write_text("listeners.ssl.default = 5671\n")
    [doc] = rabbitmq.parse(tmp_path / "rabbitmq.conf")
    assert [(p.code, p.location.start()[0]) for p in doc.problems if p.code == "TLS001"] == [("TLS001", 1)]
    assert len(doc.sources) == nodeconf.MAX_INCLUDED_FILES + 1


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0,
                    reason="needs root to run tlslint as an unprivileged user")
def test_permission_denied_as_an_unprivileged_user(tmp_path):
    """A config in a folder that cannot be searched, named explicitly: a
    one-line error (not PermissionError as an internal error); met while
    walking: a warning, and the run goes on."""
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "site.conf").write_text("events {}\nhttp {}\n")
    (tmp_path / "secret.conf").write_text("events {}\nhttp {}\n")
    (tmp_path / "secret.conf").chmod(0)
    locked.chmod(0)
    tmp_path.chmod(0o755)
    try:
        for name in ("locked/site.conf", "secret.conf"):
            proc = run_cli("check", name, cwd=tmp_path, unprivileged=True)
            assert proc.returncode == 2 and proc.stderr == f"tlslint: error: {name}: permission denied\n"
        proc = run_cli("check", ".", cwd=tmp_path, unprivileged=True)
        assert proc.returncode == 0, proc.stderr
        assert "secret.conf: permission denied; not checked" in proc.stderr
        assert "locked: folder not read: permission denied; not checked" in proc.stderr
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0,
                    reason="needs root to run tlslint as an unprivileged user")
def test_unreadable_folder_named_on_the_command_line_is_an_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "nginx.conf").write_text("events {}\nhttp {}\n")
    locked.chmod(0o700)
    tmp_path.chmod(0o755)
    proc = run_cli("check", "locked", cwd=tmp_path, unprivileged=True)
    assert proc.returncode == 2 and proc.stderr == "tlslint: error: locked: permission denied\n"
