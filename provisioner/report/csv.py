"""CSV of audit findings, one row a finding."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult

COLUMNS = ["account", "role_arn", "role", "vendor", "rule", "severity", "message", "suppressed"]


def audit_csv(result: AuditResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for f in result.findings:
        muted = f.suppressed["reason"] if f.suppressed else ""
        writer.writerow([f.account, f.role_arn, f.role, f.vendor, f.rule, f.severity, f.message, muted])
    return buffer.getvalue()
