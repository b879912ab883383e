"""What a rule is, and what it is given.

Each module in rules/ defines a module docstring (its documentation: What it
checks / Why it matters / Example / Fix safety), a ``RULE = Rule(...)``, and
one or both of:

* ``check_endpoint(endpoint, ctx) -> Iterable[Finding]``
* ``check_document(document, ctx) -> Iterable[Finding]``

Rules are pure: they read the model, the Pki and the options, and build
findings with ``ctx.finding(...)``. They never write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Optional, Sequence

from tlslint.dialects import DIALECT_FAMILY
from tlslint.findings import Finding, Fix, Related, Severity
from tlslint.model import Location, Setting, TlsEndpoint

if TYPE_CHECKING:
    from tlslint.options import Options
    from tlslint.pki import Pki

ALL_DIALECTS = tuple(DIALECT_FAMILY)  # every dialect name, in the registry's order


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    fix: Optional[Literal["safe", "unsafe"]] = None
    dialects: tuple[str, ...] = ALL_DIALECTS
    # True: also judges endpoints that only load their files and serve no TLS
    # (a missing file, a key mismatch or a weak key stop the server all the same)
    load_time: bool = False


@dataclass
class CheckContext:
    options: "Options"
    pki: "Pki"
    rule: Optional[Rule] = None
    findings: list[Finding] = field(default_factory=list)

    def finding(
        self,
        where: Setting | Location | None,
        message: str,
        *,
        endpoint: TlsEndpoint | str | None = None,
        related: Sequence[Related] = (),
        fix: Optional[Fix] = None,
        severity: Optional[Severity] = None,
        rule: Optional[Rule] = None,
    ) -> Finding:
        rule = rule or self.rule
        assert rule is not None, "finding() outside a rule"
        location = where.location() if isinstance(where, Setting) else where
        label = endpoint.label if isinstance(endpoint, TlsEndpoint) else endpoint
        return Finding(
            code=rule.code,
            name=rule.name,
            severity=severity or rule.severity,
            message=message,
            location=location,
            path=location.source.display if location else "",
            endpoint=label,
            related=list(related),
            fix=fix,
        )


def _other_lines(problem) -> list[Related]:
    """For a repeated setting (``data["lines"]``): the other places it is given."""
    lines = problem.data.get("lines")
    if not lines or problem.location is None:
        return []
    here = problem.location.start()[0]
    key = problem.data.get("key", "the same setting")
    return [Related(problem.location.source.display, f"{key} also given here", line=n) for n in lines if n != here]


def problems_as_findings(document, ctx: CheckContext):
    """For rules that report what the dialect found while parsing (Problem objects
    carrying the rule's code). ``Problem.data["severity"]`` may override the
    rule's default severity (e.g. a duplicate that the server refuses);
    ``Problem.data["endpoint"]`` names the endpoint when the dialect knows it."""
    for problem in document.problems:
        if problem.code != ctx.rule.code:
            continue
        severity = problem.data.get("severity")
        yield ctx.finding(problem.location, problem.message, endpoint=problem.data.get("endpoint"),
                          severity=Severity(severity) if severity else None, related=_other_lines(problem))
