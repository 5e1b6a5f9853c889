"""Tables for people (tabulate). Pure: they return strings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from provisioner.lint import Finding
from provisioner.model import SEVERITIES, Status

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.validate.model import Report
from provisioner.vendors import Vendor


def table(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], widths: Sequence[int | None] | None = None
) -> str:
    """A plain text table; `widths` wraps the columns that have one."""
    from tabulate import tabulate

    wrap = list(widths) if widths else None
    text: str = tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=wrap)
    return text


def severity_counts(findings: Sequence[Any]) -> str:
    """'1 critical, 2 high' in severity order ('none' without findings)."""
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "none"


def findings_table(findings: Sequence[Finding], files: int, muted: int = 0) -> str:
    also = f"; {muted} muted (in JSON as suppressed)" if muted else ""
    if not findings:
        return f"no findings in {files} file(s){also}"
    ordered = sorted(findings, key=lambda f: (f.severity.rank, f.file, f.location))
    rows = [(f.severity, f.rule, _place(f), f.location, f.message) for f in ordered]
    body = table(rows, ["SEVERITY", "RULE", "FILE", "LOCATION", "MESSAGE"], [None, None, None, None, 70])
    return f"{body}\n\n{findings_summary(findings, files)}{also}"


def _place(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file


def findings_summary(findings: Sequence[Finding], files: int) -> str:
    return f"{len(findings)} finding(s) in {files} file(s): {severity_counts(findings)}"


def vendors_table(vendors: Sequence[Vendor]) -> str:
    rows = [(v.name, v.display_name, v.principal, "\n".join(v.cors_origins), v.role_name) for v in vendors]
    return table(rows, ["VENDOR", "NAME", "PRINCIPAL", "CORS ORIGINS", "DEFAULT ROLE"])


def form_table(fields: Sequence[tuple[str, str]]) -> str:
    return table(fields, ["FIELD", "VALUE"])


def checks_table(result: Report) -> str:
    rows = [(c.name, c.status.upper(), c.code or "", c.detail, c.remediation) for c in result.checks]
    body = table(rows, ["CHECK", "RESULT", "CODE", "DETAIL", "REMEDIATION"], [None, None, None, 60, 50])
    failed = [c.name for c in result.checks if c.status is Status.FAIL]
    summary = (
        f"VALID: the vendor's checks will pass for {result.role_arn}"
        if result.valid
        else f"INVALID: {', '.join(failed)} failed for {result.role_arn}"
    )
    return f"{body}\n\n{summary}"


def audit_summary(result: AuditResult) -> str:
    external = result.external_roles
    shown = result.shown
    new = " new" if result.baseline is not None else ""
    text = (
        f"{len(shown)}{new} finding(s): {severity_counts(shown)}; {result.roles_seen} role(s) "
        f"read in {len(result.accounts)} account(s), {external} another account can assume"
    )
    if result.muted:
        text += f"; {result.muted} muted (in JSON and SARIF as suppressed)"
    if result.baseline is not None:
        text += (
            f"; against {result.baseline}: {result.unchanged} unchanged (not shown), "
            f"{len(result.fixed)} fixed"
        )
    return text


def audit_table(result: AuditResult) -> str:
    body = "no findings"
    if result.shown:
        rows = [(f.severity, f.account, f.role, f.vendor, f.rule, f.message) for f in result.shown]
        body = table(
            rows, ["SEVERITY", "ACCOUNT", "ROLE", "VENDOR", "RULE", "MESSAGE"], [None, None, 28, 14, None, 60]
        )
    fixed = "".join(
        f"\nfixed: {old.get('rule')} {old.get('role_arn') or old.get('account')}" for old in result.fixed
    )
    notes = fixed + "".join(f"\nnote: {note}" for note in result.notes)
    return f"{body}\n\n{audit_summary(result)}{notes}"
