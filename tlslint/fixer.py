"""tlslint fix: plan the fixes of a check, validate them, then write atomically.

1. Plan: take the fixes of the findings (safe ones, plus unsafe ones with
   --unsafe-fixes). A fix whose edits overlap an edit already planned is
   left for the next run; two fixes that write one file with different
   content likewise.
2. Validate: apply every edit in memory, then re-run the whole check with
   the planned contents overlaid on the disk (tlslint.readfile.overlay). If
   an edited file no longer parses, or a fix did not remove its finding,
   nothing is written and the user is told which fix and why.
3. Write: every new content goes to a temporary file in the target's own
   directory first (keeping the original mode); only when all of them exist
   are they moved into place with os.replace. A failure before that point
   (read-only directory, full disk) removes the temporaries and leaves every
   file as it was.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tlslint import engine, readfile
from tlslint.engine import RunResult
from tlslint.findings import Edit, Finding, Fix, NewFile
from tlslint.options import Options
from tlslint.source import Source, decode, display_path, encode


class FixError(Exception):
    """Fixing was refused or failed; nothing was written."""


@dataclass
class Plan:
    fixes: list[tuple[Finding, Fix]] = field(default_factory=list)
    deferred: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, why not now)
    edits: dict[Path, tuple[Source, list[Edit]]] = field(default_factory=dict)
    files: dict[Path, NewFile] = field(default_factory=dict)  # new files and whole-file rewrites

    def contents(self) -> dict[Path, bytes]:
        """Every file the plan writes, with its new bytes."""
        out = {path: encode(apply_edits(source.text, edits)) for path, (source, edits) in self.edits.items()}
        out.update({path: new.content for path, new in self.files.items()})
        return out


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Splice edits (non-overlapping) into text, from the end so spans stay valid.
    Insertions at one point keep the order in which they were given."""
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].span.start, ie[1].span.end, ie[0]), reverse=True)
    for _, edit in ordered:
        text = text[: edit.span.start] + edit.replacement + text[edit.span.end:]
    return text


def _overlaps(edit: Edit, planned: list[Edit]) -> bool:
    for other in planned:
        if (edit.span, edit.replacement) == (other.span, other.replacement):
            continue  # the same edit, e.g. two endpoints repointed to one shared fullchain
        if edit.span.overlaps(other.span):
            return True
        # two insertions at one point would interleave unpredictably
        if edit.span.start == edit.span.end == other.span.start == other.span.end:
            return True
    return False


def plan_fixes(findings: list[Finding], unsafe: bool) -> Plan:
    plan = Plan()
    for finding in findings:
        fix = finding.fix
        if fix is None or (fix.applicability == "unsafe" and not unsafe):
            continue
        if not (fix.edits or fix.new_files or fix.rewrites):
            plan.deferred.append((finding, "no automatic edit available for this case"))
            continue
        why = _conflict(plan, fix)
        if why:
            plan.deferred.append((finding, why))
            continue
        for edit in fix.edits:
            path = edit.source.path
            source, edits = plan.edits.setdefault(path, (edit.source, []))
            if not any((e.span, e.replacement) == (edit.span, edit.replacement) for e in edits):
                edits.append(edit)
        for new in fix.new_files + fix.rewrites:
            plan.files[new.path] = new
        plan.fixes.append((finding, fix))
    return plan


def _conflict(plan: Plan, fix: Fix) -> Optional[str]:
    for edit in fix.edits:
        planned = plan.edits.get(edit.source.path)
        if planned and _overlaps(edit, planned[1]):
            return "overlaps another fix; run `tlslint fix` again"
        if edit.source.path in plan.files:
            return "the file is rewritten by another fix; run `tlslint fix` again"
    for new in fix.new_files + fix.rewrites:
        same = plan.files.get(new.path)
        if same is not None and same.content != new.content:
            return f"{display_path(new.path)} is written differently by another fix; run `tlslint fix` again"
        if new.path in plan.edits:
            return "the file is edited by another fix; run `tlslint fix` again"
    return None


def _finding_key(f: Finding) -> tuple:
    return (f.code, f.location.source.path if f.location else f.path, f.endpoint)


def validate(plan: Plan, paths: list[Path], options: Options, before: RunResult) -> RunResult:
    """Re-run the check on the planned contents; raise FixError if a fix misbehaves."""
    contents = plan.contents()
    with readfile.overlay(contents):
        after = engine.check(paths, options)
    edited = set(contents)
    for f in after.findings:
        if f.code == "TLS001" and f.location and f.location.source.path in edited:
            raise FixError(f"the fixed {f.path} would not parse ({f.message})")
    _refuse_new_load_errors(before, after)
    remaining = Counter(_finding_key(f) for f in after.findings)
    expected = Counter(_finding_key(f) for f in before.findings)
    for finding, fix in plan.fixes:
        key = _finding_key(finding)
        expected[key] -= 1
        if remaining[key] > expected[key]:
            raise FixError(f"the fix for {finding.code} at {finding.path}:{finding.line} "
                           f"({fix.title}) did not remove the finding")
    return after


def validated(plan: Plan, paths: list[Path], options: Options,
              before: RunResult) -> tuple[Plan, RunResult, list[tuple[Finding, str]]]:
    """The plan without the fixes that misbehave, the check after it, and the
    fixes refused with the reason. A refused fix is written nowhere; the other
    fixes still apply."""
    try:
        return plan, validate(plan, paths, options, before), []
    except FixError as whole:
        if len(plan.fixes) == 1:
            return Plan(deferred=plan.deferred), before, [(plan.fixes[0][0], str(whole))]
    good: list[Finding] = []
    refused: list[tuple[Finding, str]] = []
    for finding, _fix in plan.fixes:
        try:
            validate(plan_fixes([finding], unsafe=True), paths, options, before)
        except FixError as exc:
            refused.append((finding, str(exc)))
            continue
        good.append(finding)
    kept = plan_fixes(good, unsafe=True)
    kept.deferred = plan.deferred + kept.deferred
    try:
        return kept, validate(kept, paths, options, before) if kept.fixes else before, refused
    except FixError as exc:  # each fix is fine alone, not together
        return Plan(deferred=plan.deferred), before, refused + [(f, str(exc)) for f, _ in kept.fixes]


def _load_error_codes() -> set[str]:
    """Codes of the errors that stop a server from starting: a fix never adds one."""
    from tlslint import rules

    return {"TLS001"} | {m.RULE.code for m in rules.load_all() if m.RULE.load_time}


def _refuse_new_load_errors(before: RunResult, after: RunResult) -> None:
    codes = _load_error_codes()

    def load_errors(result: RunResult) -> Counter:
        # by message, not line: an inserted line moves the old findings down,
        # and by message, not count per file: one error removed must not hide another added
        return Counter((f.code, f.path, f.message) for f in result.findings
                       if f.code in codes and f.severity.value == "error")

    new = load_errors(after) - load_errors(before)
    if new:
        (code, path, message), _ = next(iter(new.items()))
        finding = next(f for f in after.findings if (f.code, f.path, f.message) == (code, path, message))
        raise FixError(f"the fixes would make the server refuse its config ({code} at {finding.path}:"
                       f"{finding.line}: {finding.message})")


def _targets(contents: dict[Path, bytes]) -> dict[Path, bytes]:
    """Where each content really goes: through symbolic links to the file they
    point to, so that a sites-enabled/ link or certbot's live/cert.pem stays a
    link and the file behind it is fixed."""
    targets: dict[Path, bytes] = {}
    for path, data in contents.items():
        real = Path(os.path.realpath(path)) if os.path.lexists(path) else path
        if targets.get(real, data) != data:
            raise FixError(f"{display_path(path)} and another file are links to {display_path(real)} "
                           "and would get different contents; nothing was changed")
        targets[real] = data
    return targets


def write_atomically(contents: dict[Path, bytes]) -> None:
    """All temporaries first, then os.replace each: all or nothing up to the moves."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in _targets(contents).items():
            directory = path.parent
            mode = None
            if path.exists():
                mode = path.stat().st_mode & 0o7777
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tlslint-tmp", dir=directory)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode if mode is not None else 0o644)
    except OSError as exc:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        where = exc.filename or ""
        raise FixError(f"cannot write {where}: {exc.strerror or exc}; nothing was changed") from None
    for tmp, path in staged:
        os.replace(tmp, path)


def diff_text(outcome: "FixOutcome") -> str:
    """Unified diffs of config edits (original on disk vs. planned), and a
    summary of each file written whole (certificate subjects, never content)."""
    from tlslint.redact import redact_diff_line

    out = []
    for path in sorted(outcome.contents):
        if path in outcome.plan.files:
            continue
        try:
            old = decode(readfile.read_bytes(path))
        except readfile.FileAccessError:
            old = ""
        new = decode(outcome.contents[path])
        name = display_path(path).lstrip("/")
        # redacted: a password next to an edited line must not reach the terminal (tlslint.redact)
        out.extend(redact_diff_line(line) for line in difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"))
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n\\ No newline at end of file\n"
    for path, new in sorted(outcome.plan.files.items()):
        verb = "rewrite" if readfile.exists(path) else "new file"
        out.append(f"{verb} {display_path(path)}: {new.summary or f'{len(new.content)} bytes'}\n")
    return "".join(out)


@dataclass
class FixOutcome:
    before: RunResult
    after: RunResult
    plan: Plan  # every fix applied, over all rounds
    written: list[Path] = field(default_factory=list)
    contents: dict[Path, bytes] = field(default_factory=dict)


MAX_ROUNDS = 5


def run(paths: list[Path], options: Options, unsafe: bool = False, diff_only: bool = False) -> FixOutcome:
    """Fix in rounds until nothing fixable is left (a reorder, then dropping the
    root it revealed...), each round validated on the contents planned so far,
    so one run leaves nothing for a second one. Writes once, at the end."""
    before = engine.check(paths, options)
    result = before
    total = Plan()
    contents: dict[Path, bytes] = {}
    refused: dict[tuple, tuple[Finding, str]] = {}  # fixes that failed validation: not tried again
    for _ in range(MAX_ROUNDS):
        plan = plan_fixes([f for f in result.findings if _finding_key(f) + (f.message,) not in refused], unsafe)
        total.deferred = plan.deferred + list(refused.values())
        if not plan.fixes:
            break
        with readfile.overlay(contents):
            plan, result, failed = validated(plan, paths, options, result)
            contents.update(plan.contents())
        for finding, why in failed:
            refused.setdefault(_finding_key(finding) + (finding.message,), (finding, why))
        total.deferred = plan.deferred + list(refused.values())
        if not plan.fixes:
            break
        total.fixes += plan.fixes
        total.files.update(plan.files)
    if diff_only or not contents:
        # with --diff, ``after`` is what would remain once the planned fixes are written
        return FixOutcome(before, result, total, contents=contents)
    write_atomically(contents)
    return FixOutcome(before, result, total, written=sorted(contents), contents=contents)
