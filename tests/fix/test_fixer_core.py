"""The fixer's mechanics, independent of any dialect: planning, splicing, atomic writes."""

import os
import stat
from pathlib import Path

import pytest

from tlslint import fixer, readfile
from tlslint.findings import Edit, Finding, Fix, NewFile, Severity
from tlslint.model import Location
from tlslint.source import Source, Span


def finding(source, span, fix, code="TLS702"):
    return Finding(code=code, name="x", severity=Severity.WARNING, message="m",
                   location=Location(source, span), path=source.display, fix=fix)


def test_apply_edits_keeps_every_other_byte():
    text = "a 1;\r\n\tb 2;  # keep\r\nc 3;"
    src = Source(Path("/x.conf"), text)
    out = fixer.apply_edits(text, [Edit(src, Span(2, 3), "10"), Edit(src, Span(9, 10), "'2'"),
                                   Edit(src, Span(len(text), len(text)), "\r\n")])
    assert out == "a 10;\r\n\tb '2';  # keep\r\nc 3;\r\n"


def test_overlapping_fix_is_deferred_and_unsafe_needs_opt_in():
    src = Source(Path("/x.conf"), "ssl on;\nlisten 443;\n")
    first = Fix("a", "safe", [Edit(src, Span(0, 7), "")])
    overlapping = Fix("b", "safe", [Edit(src, Span(4, 6), "off")])
    unsafe = Fix("c", "unsafe", [Edit(src, Span(8, 14), "listen")])
    findings = [finding(src, Span(0, 7), first), finding(src, Span(4, 6), overlapping),
                finding(src, Span(8, 14), unsafe)]
    plan = fixer.plan_fixes(findings, unsafe=False)
    assert [f.title for _, f in plan.fixes] == ["a"]
    assert len(plan.deferred) == 1
    plan = fixer.plan_fixes(findings, unsafe=True)
    assert [f.title for _, f in plan.fixes] == ["a", "c"]


def test_same_new_file_is_shared_different_content_is_deferred(tmp_path):
    src = Source(tmp_path / "x.conf", "a;\n")
    same = NewFile(tmp_path / "site.fullchain.pem", b"chain")
    other = NewFile(tmp_path / "site.fullchain.pem", b"other")
    fixes = [Fix("one", "safe", new_files=[same]), Fix("two", "safe", new_files=[same]),
             Fix("three", "safe", new_files=[other])]
    plan = fixer.plan_fixes([finding(src, Span(0, 1), f) for f in fixes], unsafe=False)
    assert [f.title for _, f in plan.fixes] == ["one", "two"]
    assert [f.fix.title for f, _ in plan.deferred] == ["three"]


def test_write_atomically_keeps_mode_and_replaces(tmp_path):
    target = tmp_path / "site.conf"
    target.write_bytes(b"old")
    target.chmod(0o640)
    fixer.write_atomically({target: b"new", tmp_path / "new.pem": b"pem"})
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert (tmp_path / "new.pem").read_bytes() == b"pem"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tlslint-tmp")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_changes_nothing(tmp_path):
    writable = tmp_path / "ok" / "a.conf"
    locked_dir = tmp_path / "locked"
    writable.parent.mkdir()
    locked_dir.mkdir()
    writable.write_bytes(b"old")
    (locked_dir / "b.conf").write_bytes(b"old")
    locked_dir.chmod(0o555)
    try:
        with pytest.raises(fixer.FixError):
            fixer.write_atomically({writable: b"new", locked_dir / "b.conf": b"new"})
        assert writable.read_bytes() == b"old"
        assert (locked_dir / "b.conf").read_bytes() == b"old"
        assert os.listdir(writable.parent) == ["a.conf"]
    finally:
        locked_dir.chmod(0o755)


def test_unwritable_target_directory_changes_nothing(tmp_path):
    """Works as root too: the second target's directory does not exist."""
    first = tmp_path / "a.conf"
    first.write_bytes(b"old")
    with pytest.raises(fixer.FixError):
        fixer.write_atomically({first: b"new", tmp_path / "missing" / "b.conf": b"new"})
    assert first.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.conf"]


def test_overlay_is_seen_by_reader_and_then_gone(tmp_path):
    path = tmp_path / "a.pem"
    with readfile.overlay({path: b"planned"}):
        assert readfile.read_bytes(path) == b"planned"
        assert readfile.exists(path)
    assert not readfile.exists(path)
    with pytest.raises(readfile.FileAccessError):
        readfile.read_bytes(path)


def test_diff_shows_edits_and_summaries(tmp_path):
    conf = tmp_path / "site.conf"
    conf.write_text("server {\n    ssl on;\n}\n")
    plan = fixer.Plan(files={tmp_path / "f.pem": NewFile(tmp_path / "f.pem", b"x", "2 certificates")})
    outcome = fixer.FixOutcome(before=None, after=None, plan=plan,
                               contents={conf: b"server {\n}\n", tmp_path / "f.pem": b"x"})
    text = fixer.diff_text(outcome)
    assert "-    ssl on;\n" in text
    assert "new file" in text and "2 certificates" in text


def test_symbolic_links_stay_links_and_their_targets_are_written(tmp_path):
    available = tmp_path / "sites-available"
    enabled = tmp_path / "sites-enabled"
    available.mkdir()
    enabled.mkdir()
    (available / "site").write_bytes(b"old")
    (enabled / "site").symlink_to("../sites-available/site")
    fixer.write_atomically({enabled / "site": b"new"})
    assert (enabled / "site").is_symlink()
    assert (available / "site").read_bytes() == b"new"
    assert sorted(p.name for p in enabled.iterdir()) == ["site"]
