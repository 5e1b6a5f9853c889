"""SARIF 2.1.0 of audit findings: one rule per rule id, level by severity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provisioner.model import Severity

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def audit_sarif(result: AuditResult, version: str) -> dict[str, Any]:
    from provisioner.audit.model import rules

    used = sorted({f.rule for f in result.findings})
    catalogue = rules()
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "provisioner",
                        "version": version,
                        "informationUri": "https://pypi.org/project/provisioner/",
                        "rules": [
                            {
                                "id": rule_id,
                                "name": rule_id.replace("-", " ").title().replace(" ", ""),
                                "shortDescription": {"text": catalogue[rule_id].title},
                                "help": {"text": catalogue[rule_id].remediation},
                                "defaultConfiguration": {"level": LEVEL[catalogue[rule_id].severity]},
                                "properties": {
                                    "security-severity": SECURITY_SEVERITY[catalogue[rule_id].severity]
                                },
                            }
                            for rule_id in used
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": f.rule,
                        "ruleIndex": used.index(f.rule),
                        "level": LEVEL[f.severity],
                        "message": {"text": f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.role_arn or f"aws://{f.account}"}
                                },
                                "logicalLocations": [
                                    {
                                        "name": f.role or f.account,
                                        "fullyQualifiedName": f.role_arn or f.account,
                                        "kind": "resource",
                                    }
                                ],
                            }
                        ],
                        "properties": {"account": f.account, "vendor": f.vendor, "severity": str(f.severity)},
                    }
                    for f in result.findings
                ],
            }
        ],
    }
