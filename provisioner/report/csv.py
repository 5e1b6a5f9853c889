"""CSV of audit findings, one row a finding."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult

COLUMNS = ["account", "role_arn", "role", "vendor", "rule", "severity", "message"]


def audit_csv(result: AuditResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for f in result.findings:
        writer.writerow([f.account, f.role_arn, f.role, f.vendor, f.rule, f.severity, f.message])
    return buffer.getvalue()
