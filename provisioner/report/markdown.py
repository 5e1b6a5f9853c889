"""Markdown for pull-request comments: a summary line and a GitHub table. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioner.report.render import MARKDOWN_LIMIT, cell, to_markdown

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.lint import LintReport
    from provisioner.validate.model import Report

__all__ = ["MARKDOWN_LIMIT", "audit_markdown", "cell", "lint_markdown", "validate_markdown"]


def audit_markdown(result: AuditResult) -> str:
    from provisioner.report.findings import audit_findings

    return to_markdown(audit_findings(result))


def lint_markdown(result: LintReport) -> str:
    from provisioner.report.findings import lint_findings

    return to_markdown(lint_findings(result))


def validate_markdown(result: Report) -> str:
    verdict = result.verdict().split(":", 1)[0]  # VALID, NOT DECIDED or INVALID
    lines = [
        f"**provision validate**: {verdict} for `{cell(result.role_arn)}`",
        "",
        "| Check | Result | Code | Detail | Remediation |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {c.name} | {str(c.status).upper()} | {cell(c.code or '')} | {cell(c.detail)} "
        f"| {cell(c.remediation or '')} |"
        for c in result.checks
    ]
    return "\n".join(lines)
