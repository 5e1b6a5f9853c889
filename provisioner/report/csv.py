"""CSV of findings, one row a finding (provisioner.report.render.to_csv)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioner.report.render import to_csv

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult


def audit_csv(result: AuditResult) -> str:
    from provisioner.report.findings import audit_findings

    return to_csv(audit_findings(result))
