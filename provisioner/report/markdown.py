"""Markdown for pull-request comments: a summary line and a GitHub table. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioner.report.table import severity_counts

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.validate.model import Report


def cell(text: object) -> str:
    """One table cell: pipes escaped, lines joined, Markdown's own characters left as text."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "*_`[]<>":
        value = value.replace(char, "\\" + char)
    return value


def audit_markdown(result: AuditResult) -> str:
    shown = result.shown
    lines = [
        f"**provision audit**: {len(shown)} finding(s) ({severity_counts(shown)}) in "
        f"{len(result.accounts)} account(s); {result.external_roles} role(s) another account can assume"
        + (f"; {result.muted} muted" if result.muted else ""),
        "",
    ]
    if shown:
        lines += ["| Severity | Account | Role | Rule | Message |", "|---|---|---|---|---|"]
        lines += [
            f"| {cell(f.severity)} | {cell(f.account)} | {cell(f.role)} | `{f.rule}` | {cell(f.message)} |"
            for f in shown
        ]
    if result.fixed:
        lines += ["", f"Fixed since the baseline: {len(result.fixed)}"]
    return "\n".join(lines)


def validate_markdown(result: Report) -> str:
    verdict = "VALID" if result.valid else "INVALID"
    lines = [
        f"**provision validate**: {verdict} for `{cell(result.role_arn)}`",
        "",
        "| Check | Result | Code | Detail |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c.name} | {str(c.status).upper()} | {cell(c.code or '')} | {cell(c.detail)} |"
        for c in result.checks
    ]
    return "\n".join(lines)
