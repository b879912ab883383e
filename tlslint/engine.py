"""Run the check: discover → parse → model → rules → filter.

The engine is the only place that knows the order of things; dialects,
Pki and rules each do one job and never call each other back.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from tlslint import dialects, suppress
from tlslint.discover import Discovery, discover
from tlslint.findings import Finding, Related, Severity
from tlslint.model import Document
from tlslint.options import Options
from tlslint.paths import real
from tlslint.rulebase import CheckContext, Rule


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    discovery: Discovery = field(default_factory=Discovery)
    internal_errors: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len({s.path for d in self.documents for s in d.sources})

    @property
    def endpoints(self) -> int:
        return sum(len(d.endpoints) for d in self.documents)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def rule_matches(rule: Rule, patterns: Iterable[str]) -> bool:
    """A pattern is a code (TLS101), a code prefix (TLS1, TLS) or a rule name."""
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if rule.code.startswith(pattern.upper()) or rule.name == pattern.lower():
            return True
    return False


def enabled_rules(options: Options):
    from tlslint import rules as catalogue  # the rules/ folder, shipped as tlslint.rules

    chosen = []
    for module in catalogue.load_all():
        rule = module.RULE
        if options.select and not rule_matches(rule, options.select):
            continue
        if options.ignore and rule_matches(rule, options.ignore):
            continue
        chosen.append(module)
    return chosen


def parse_all(discovery: Discovery, options: Options, result: RunResult, progress=None) -> list[Document]:
    documents: list[Document] = []
    for number, candidate in enumerate(discovery.candidates):
        if progress is not None:
            progress("parsing", number, len(discovery.candidates))
        family = dialects.for_dialect(candidate.dialect)
        refused = _unreadable_document(candidate)
        if refused is not None:
            documents.append(refused)
            continue
        try:
            documents.extend(family.parse(candidate.path, candidate.dialect, options))
        except RecursionError:  # last line of defence: dialects bound their own nesting
            documents.append(_problem_document(candidate, "TLS001", "configuration nested too deeply to analyse"))
        except Exception as exc:  # a parser bug must not hide other files' findings
            result.internal_errors.append(
                f"{candidate.path}: internal error while parsing: {_describe(exc)}")
    return drop_included(documents)


def _describe(exc: BaseException) -> str:
    """An internal error for users: the exception type and where it was raised,
    not its message (which may quote the file being read: a password line, key
    material). TLSLINT_DEBUG=1 adds the message."""
    import os
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    text = f"{type(exc).__name__}{where}"
    if os.environ.get("TLSLINT_DEBUG"):
        text += f": {exc}"
    return text


# Characters that must not reach a terminal or a log verbatim: C0/C1 controls
# (escape sequences, NUL, lone CR and LF that would forge output lines), bytes
# that were not UTF-8 (surrogate escapes), and bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029"
                          "\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: "re.Match[str]") -> str:
    code = ord(m.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: Optional[str]) -> Optional[str]:
    """``text`` with control characters and undecodable bytes shown as escapes."""
    if not text:
        return text
    return _UNPRINTABLE.sub(_escape_char, text)


def sanitize(finding: Finding) -> Finding:
    """Config text reaches messages (names, paths, labels): make it inert for
    terminals and line-oriented formats, whatever the output format."""
    import dataclasses

    finding.message = printable(finding.message)
    finding.path = printable(finding.path)
    finding.endpoint = printable(finding.endpoint)
    finding.related = [dataclasses.replace(r, path=printable(r.path), message=printable(r.message))
                       for r in finding.related]
    return finding


def _problem_document(candidate, code: str, message: str) -> Document:
    from tlslint.model import Location, Problem
    from tlslint.source import Source, Span

    source = Source(path=candidate.path, text="")
    return Document(dialect=candidate.dialect, source=source,
                    problems=[Problem(code, Location(source, Span(0, 0)), message, data={"severity": "error"})])


def _unreadable_document(candidate) -> Optional[Document]:
    """A config over the size cap, outside --root, or not readable: TLS003 at its line 1."""
    from tlslint import readfile

    try:
        readfile.check(candidate.path, config=True)
    except readfile.FileAccessError as exc:
        if exc.missing:  # vanished since discovery: let the dialect say so
            return None
        return _problem_document(candidate, "TLS003", f"config file cannot be read: {exc.reason}")
    return None


def drop_included(documents: list[Document]) -> list[Document]:
    """A file included by another is analysed as part of it, not alone.

    The biggest documents go first, so with an include cycle the file that
    pulls in the most wins and the others are dropped.
    """
    covered: set[Path] = set()
    kept = []
    for doc in sorted(documents, key=lambda d: -len(d.sources)):
        main = real(doc.source.path)
        if main in covered:
            continue
        kept.append(doc)
        covered.update(real(s.path) for s in doc.sources)
    order = {id(d): i for i, d in enumerate(documents)}
    return sorted(kept, key=lambda d: order[id(d)])


def run_rules(documents: list[Document], options: Options, result: RunResult, progress=None) -> list[Finding]:
    from tlslint.pki import Pki

    ctx = CheckContext(options=options, pki=Pki(options))
    findings: list[Finding] = []
    modules = enabled_rules(options)
    for number, doc in enumerate(documents):
        if progress is not None:
            progress("checking", number, len(documents))
        for module in modules:
            rule: Rule = module.RULE
            ctx.rule = rule
            targets = []
            if hasattr(module, "check_document") and doc.dialect in rule.dialects:
                targets.append((module.check_document, doc, doc.source.display))
            if hasattr(module, "check_endpoint"):
                targets.extend((module.check_endpoint, ep, ep.label)
                               for ep in doc.endpoints if ep.dialect in rule.dialects
                               and (ep.serves_tls or (rule.load_time and (ep.load_checks is None
                                                                          or rule.code in ep.load_checks))))
            for check, target, where in targets:
                try:
                    findings.extend(check(target, ctx) or ())
                except Exception as exc:
                    result.internal_errors.append(
                        f"{doc.source.display}: internal error in {rule.code} ({where}): {_describe(exc)}")
    return findings


def without_forbidden_fixes(findings: list[Finding], options: Options) -> list[Finding]:
    """No fix edits a generated file (an ``nginx -T`` dump: the server never
    reads it, the fix belongs in the files it was made from) or a file the
    configuration file excludes."""
    import dataclasses

    config = options.config

    def forbidden(edit) -> bool:
        return bool(edit.source.generated) or (config is not None and config.is_excluded(edit.source.path))

    return [dataclasses.replace(f, fix=None) if f.fix is not None and any(forbidden(e) for e in f.fix.edits)
            else f for f in findings]


def dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (code, place, message): a file inherited by ten servers
    is reported once, and so is one setting that two endpoints share (a
    service's server and client side of the same TLS block) when the messages
    differ only by the endpoint's name."""
    kept: dict[tuple, Finding] = {}
    unique = []
    for finding in findings:
        loc = finding.location
        message = finding.message
        if finding.endpoint:
            message = message.replace(finding.endpoint, "\0")
        key = (finding.code, finding.path, loc.span if loc else None, message)
        first = kept.get(key)
        if first is None:
            kept[key] = finding
            unique.append(finding)
        elif finding.endpoint and finding.endpoint != first.endpoint and \
                not any(r.message == f"also in {finding.endpoint}" for r in first.related):
            # one place (a shared snippet, an http-level setting), several endpoints
            first.related.append(Related(first.path, f"also in {finding.endpoint}"))
    return unique


def suppress_findings(findings: list[Finding], documents: list[Document], options: Options) -> list[Finding]:
    from tlslint import rules as catalogue

    suppressions = [s for d in documents for s in suppress.from_comments(d.comments)]
    kept = suppress.apply(findings, suppressions)
    unused_rule = next((m for m in catalogue.load_all() if m.RULE.code == "TLS008"), None)
    if unused_rule is not None and not (options.ignore and rule_matches(unused_rule.RULE, options.ignore)) \
            and (not options.select or rule_matches(unused_rule.RULE, options.select)):
        kept.extend(unused_rule.unused(suppressions))
    return kept


def per_file_ignored(findings: list[Finding], options: Options) -> list[Finding]:
    """Drop findings whose file matches a ``per-file-ignores`` glob of the config
    file, and findings in ``exclude``d files. An excluded file another config
    includes is still read as part of it (the server reads it), but nothing is
    reported in it (and no fix edits it: without_forbidden_fixes)."""
    config = options.config
    if config is None or not (config.per_file_ignores or config.exclude):
        return findings
    kept = []
    for finding in findings:
        if finding.location is not None and config.is_excluded(finding.location.source.path):
            continue
        if finding.location is not None:
            patterns = config.ignored_codes(finding.location.source.path)
            if patterns and rule_matches(Rule(finding.code, finding.name, finding.severity, ""), patterns):
                continue
        kept.append(finding)
    return kept


def check(paths: list[Path], options: Options, forced: Optional[dict[Path, str]] = None,
          progress=None) -> RunResult:
    """``progress(stage, done, total)``, when given, is called as the run advances."""
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    # Trust stores hold certificates cryptography warns about (non-positive
    # serials); the warning is for library authors, not for tlslint's users.
    from tlslint import readfile

    with warnings.catch_warnings(), readfile.policy(max_size=options.max_file_size, root=options.root):
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        # Library warnings are for library authors, and some quote the input:
        # ruamel's ReusedAnchorWarning prints the YAML lines (a password next to
        # an anchor). Users see findings, never a library's warning.
        warnings.simplefilter("ignore")
        return _check(paths, options, forced, progress)


def _check(paths, options, forced, progress) -> RunResult:
    from tlslint import related

    result = RunResult()
    result.discovery = discover(paths, forced, options.config)
    result.documents = parse_all(result.discovery, options, result, progress)
    # certificate files and included fragments named explicitly: check the configs using them
    result.documents = related.expand(paths, result.documents, options)
    findings = run_rules(result.documents, options, result, progress)
    findings = suppress_findings(dedupe(without_forbidden_fixes(findings, options)), result.documents, options)
    findings = per_file_ignored(findings, options)
    result.findings = sorted((sanitize(f) for f in findings), key=Finding.sort_key)
    for message in result.internal_errors:
        print(f"tlslint: {message}", file=sys.stderr)
    return result
