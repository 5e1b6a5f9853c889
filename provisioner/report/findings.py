"""The one interface every renderer of findings reads: a `Findings` set of `Item`s, each a rule,
a severity, a message, a location (a file position, or an account and role), a remediation and
its evidence. lint and audit each give one through an adapter (`lint_findings`,
`audit_findings`); a future rules core (one Finding, one FindingSet) needs only its own
adapter to be rendered in every format. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from provisioner.model import Rule, Severity

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.diff import DiffResult
    from provisioner.lint import LintReport

SCHEMA_VERSION = 1  # of every report's JSON (README, "JSON output")


@dataclass(frozen=True)
class Location:
    """Where a finding is: a file position (lint: `file`, 1-based `line` and `column`, 0 when
    not known, and the JSON `path` inside it) or an AWS account and role (audit)."""

    file: str = ""
    line: int = 0
    column: int = 0
    path: str = ""
    account: str = ""
    role_arn: str = ""
    role: str = ""

    @property
    def in_file(self) -> bool:
        return bool(self.file)


@dataclass(frozen=True)
class Item:
    """One finding as renderers see it. `data` is its JSON object, `key` what identifies it
    across runs (SARIF fingerprints), `cells` its values for the set's columns."""

    rule: str
    severity: Severity
    message: str
    location: Location
    remediation: str
    evidence: Any = None
    suppressed: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """A column shown between the severity and the message (table, Markdown, HTML)."""

    header: str
    wrap: int | None = None  # the table's wrapping width


@dataclass
class Findings:
    """What a command found, for every format.

    `command` names it (SARIF's automationDetails.id); `columns` are the columns a person is
    shown, `csv` the keys of `data` written as CSV columns; `summary` the line after the table,
    `empty` what the table says instead when nothing is shown (None: 'no findings', then the
    summary); `trailer` the lines after the summary; `context` what was judged, as (label,
    value) (the HTML header); `notes` what the verdicts could not take into account; `json` the
    findings as JSON (a list); `extra_html` sections of the page only this command has."""

    command: str
    items: list[Item]
    rules: dict[str, Rule]
    columns: tuple[Column, ...]
    csv: tuple[str, ...]
    summary: str
    json: list[dict[str, Any]]
    empty: str | None = None
    trailer: list[str] = field(default_factory=list)
    context: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra_html: Callable[[], str] | None = None
    baseline: bool = False  # findings are the new ones against a baseline
    sort: Callable[[Item], Any] | None = None  # the order a person reads them in

    @property
    def shown(self) -> list[Item]:
        """The findings a person is shown: those not muted."""
        shown = [i for i in self.items if i.suppressed is None]
        return sorted(shown, key=self.sort) if self.sort else shown

    @property
    def muted(self) -> int:
        return sum(1 for i in self.items if i.suppressed is not None)

    def document(self) -> dict[str, Any]:
        """The JSON report: {"schema_version": 1, "findings": [...]}."""
        return {"schema_version": SCHEMA_VERSION, "findings": self.json}


def versioned(data: Any, key: str = "items") -> dict[str, Any]:
    """A report's JSON with its schema_version first (a list goes under `key`)."""
    if isinstance(data, dict):
        return {"schema_version": SCHEMA_VERSION, **data}
    return {"schema_version": SCHEMA_VERSION, key: data}


def audit_findings(result: AuditResult, context: Sequence[tuple[str, str]] = ()) -> Findings:
    """audit's result as findings: each at its account and role."""
    from provisioner.audit.model import rules
    from provisioner.report.table import audit_summary

    catalogue = rules()
    items = [
        Item(
            f.rule,
            f.severity,
            f.message,
            _audit_location(f),
            catalogue[f.rule].remediation if f.rule in catalogue else "",
            f.evidence,
            f.suppressed,
            f.to_dict(),
            f.key,
            (f.account, f.role, f.vendor, f.rule),
        )
        for f in result.findings
    ]
    fixed = [f"fixed: {old.get('rule')} {old.get('role_arn') or old.get('account')}" for old in result.fixed]

    def graph() -> str:
        from provisioner.report.graph import graph_section

        return graph_section(result)

    return Findings(
        "audit",
        items,
        catalogue,
        (Column("ACCOUNT"), Column("ROLE", 28), Column("VENDOR", 14), Column("RULE")),
        ("account", "role_arn", "role", "vendor", "rule", "severity", "message"),
        audit_summary(result),
        result.to_dict(),
        trailer=fixed + [f"note: {note}" for note in result.notes],
        context=[("Accounts", ", ".join(result.accounts) or "none"), *context],
        notes=list(result.notes),
        extra_html=graph,
        baseline=result.baseline is not None,
    )


def _audit_location(finding: Any) -> Location:
    if not finding.account and isinstance(finding.evidence, dict) and finding.evidence.get("entry"):
        # mute-expired: the entry of the mutelist, file:line
        file, _, line = str(finding.evidence["entry"]).rpartition(":")
        if file and line.isdigit():
            return Location(file=file, line=int(line), column=1)
        return Location(file=str(finding.evidence["entry"]))
    return Location(account=finding.account, role_arn=finding.role_arn, role=finding.role)


def lint_findings(result: LintReport, context: Sequence[tuple[str, str]] = ()) -> Findings:
    """lint's report as findings: each at its file, line and column, and JSON path."""
    from provisioner.lint import rules
    from provisioner.report.table import findings_summary

    items = [
        Item(
            f.rule,
            f.severity,
            f.message,
            Location(file=f.file, line=f.line, column=f.column, path=f.location),
            f.remediation,
            None,
            f.suppressed,
            f.to_dict(),
            (f.file, f.rule, f.location),
            (f.rule, f"{f.file}:{f.line}:{f.column}" if f.line else f.file, f.location),
        )
        for f in result.findings
    ]
    muted = len(result.findings) - len(result.shown)
    also = (
        (f"; {muted} muted (in JSON as suppressed)" if muted else "")
        + result.not_judged()
        + result.baseline_note()
    )
    fixed = [f"fixed: {old.get('rule')} {old.get('file')} {old.get('location')}" for old in result.fixed]
    files = len(result.files)
    return Findings(
        "lint",
        items,
        rules(),
        (Column("RULE"), Column("FILE"), Column("LOCATION")),
        ("file", "line", "column", "location", "rule", "severity", "message"),
        findings_summary(result.shown, files) + also,
        result.to_dict(),
        empty=f"no findings in {files} file(s){also}",
        context=[("Files", str(files)), *context],
        notes=[f"{path}: {what}, not opened" for path, what in result.unopened],
        trailer=fixed,
        sort=lambda i: (i.severity.rank, i.location.file, i.location.path),
    )


def diff_findings(results: Sequence[DiffResult], skipped: Sequence[str] = ()) -> Findings:
    """diff's differences as findings: each at NEW's file, at the line of the statement that
    decides it there (the Allow that lets a new request in); several files with --base."""
    from provisioner.model import load_rules

    catalogue = load_rules("diff-rules.json")
    items = []
    for result in results:
        for d in result.differences:
            rule = (
                "access-removed" if not d.widens else "new-access" if d.decided else "new-access-not-decided"
            )
            path = d.path or "$"
            line, column = result.lines.get(path, (0, 0))
            items.append(
                Item(
                    rule,
                    catalogue[rule].severity,
                    d.message,
                    Location(file=result.new, line=line, column=column, path=path),
                    catalogue[rule].remediation,
                    None,
                    None,
                    d.to_dict(),
                    (result.new, rule, d.subject),
                    (d.direction, f"{result.new}:{line}" if line else result.new),
                )
            )
    summary = "; ".join(r.summary() for r in results) if len(results) == 1 else _diff_summary(results)
    notes = [f"{len(skipped)} file(s) not policies, skipped"] if skipped else []
    return Findings(
        "diff",
        items,
        catalogue,
        (Column("CHANGE"), Column("WHERE")),
        ("direction", "kind", "subject", "request", "decided", "path", "message"),
        summary,
        [{"file": r.new, **d.to_dict()} for r in results for d in r.differences],
        empty=summary,
        context=[("Old", ", ".join(r.old for r in results)), ("New", ", ".join(r.new for r in results))],
        notes=[*notes, *(n for r in results for n in r.notes)],
        sort=lambda i: (i.severity.rank, i.location.file, i.location.path),
    )


def _diff_summary(results: Sequence[DiffResult]) -> str:
    new = sum(len(r.widened) for r in results)
    gone = sum(len(r.narrowed) for r in results)
    widened = sum(1 for r in results if r.fails)
    return (
        f"{len(results)} policy file(s) against their base: {new} new access in {widened} file(s), "
        f"{gone} no longer allowed"
    )
