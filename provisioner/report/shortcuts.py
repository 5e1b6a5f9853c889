"""One call from a result to one format, for the library's callers: a result adapted to the
Findings view (report.findings), then rendered. Kept apart from the renderers, which the
adapters use, so that no two modules import each other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provisioner.report.findings import audit_findings, lint_findings
from provisioner.report.html import findings_html
from provisioner.report.render import to_table
from provisioner.report.sarif import findings_sarif
from provisioner.report.table import PLAIN, Terminal

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.lint import LintReport


def audit_html(result: AuditResult, version: str, generated: str, context: Any = ()) -> str:
    """The audit as one page."""
    return findings_html(audit_findings(result, context), version, generated)


def audit_sarif(result: AuditResult, version: str) -> dict[str, Any]:
    return findings_sarif(audit_findings(result), version)


def lint_sarif(report: LintReport, version: str) -> dict[str, Any]:
    """lint's findings for code scanning: the file, line and column, the JSON path as the
    logical location."""
    return findings_sarif(lint_findings(report), version)


def audit_table(result: AuditResult, terminal: Terminal = PLAIN) -> str:
    return to_table(audit_findings(result), terminal)
