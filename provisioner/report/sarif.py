"""SARIF 2.1.0 of audit findings: one rule per rule id, level by severity."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from provisioner.model import Rule, Severity

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.lint import LintReport

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


# No helpUri and no informationUri: the one page we had was PyPI's `provisioner`, an unrelated
# project's, and we do not know where this repository will live. Each rule carries its own help.


def fingerprint(*parts: str) -> str:
    """Stable across runs: what the finding is about, not its wording (code scanning matches
    results between runs by it)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _state(finding: Any, baseline: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if finding.suppressed:
        out["suppressions"] = [{"kind": "external", "justification": finding.suppressed["reason"]}]
    if baseline:
        out["baselineState"] = "new"
    return out


def descriptor(rule: Rule) -> dict[str, Any]:
    """A reportingDescriptor as GitHub code scanning shows it: title, full description, help,
    level and security-severity, tags."""
    return {
        "id": rule.id,
        "name": rule.id.replace("-", " ").title().replace(" ", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title}. Fix: {rule.remediation}"},
        "help": {"text": rule.remediation, "markdown": f"**{rule.title}**\n\nFix: {rule.remediation}"},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "tags": ["security", "aws", "iam", str(rule.severity)],
        },
    }


def sarif_log(
    catalogue: dict[str, Rule], used: list[str], results: list[dict[str, Any]], version: str
) -> dict[str, Any]:
    """One SARIF 2.1.0 run of provisioner: the rules used, described, and the results."""
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "provisioner",
                        "version": version,
                        "rules": [descriptor(catalogue[rule_id]) for rule_id in used],
                    }
                },
                "results": results,
            }
        ],
    }


def audit_sarif(result: AuditResult, version: str) -> dict[str, Any]:
    from provisioner.audit.model import rules

    used = sorted({f.rule for f in result.findings})
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": used.index(f.rule),
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": f.role_arn or f"aws://{f.account}"}},
                    "logicalLocations": [
                        {
                            "name": f.role or f.account,
                            "fullyQualifiedName": f.role_arn or f.account,
                            "kind": "resource",
                        }
                    ],
                }
            ],
            "partialFingerprints": {"provisionerFinding/v1": fingerprint(*f.key)},
            **_state(f, result.baseline is not None),
            "properties": {"account": f.account, "vendor": f.vendor, "severity": str(f.severity)},
        }
        for f in result.findings
    ]
    return sarif_log(rules(), used, results, version)


def lint_sarif(report: LintReport, version: str) -> dict[str, Any]:
    """lint's findings for code scanning: the file, line and column, the JSON path as the
    logical location."""
    from provisioner.lint import rules

    used = sorted({f.rule for f in report.findings})
    results = []
    for f in report.findings:
        physical: dict[str, Any] = {"artifactLocation": {"uri": f.file}}
        if f.line:
            physical["region"] = {"startLine": f.line, "startColumn": f.column}
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": used.index(f.rule),
                "level": LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": physical,
                        "logicalLocations": [{"fullyQualifiedName": f.location, "kind": "object"}],
                    }
                ],
                "partialFingerprints": {"provisionerFinding/v1": fingerprint(f.file, f.rule, f.location)},
                **_state(f, False),
                "properties": {"severity": str(f.severity)},
            }
        )
    return sarif_log(rules(), used, results, version)
