"""SARIF 2.1.0 of audit findings: one rule per rule id, level by severity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provisioner.model import Rule, Severity
from provisioner.report.findings import Findings, Item

if TYPE_CHECKING:
    pass

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
    import hashlib  # here: OpenSSL's start costs every other format ~5 ms

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
    catalogue: dict[str, Rule],
    used: list[str],
    results: list[dict[str, Any]],
    version: str,
    command: str = "",
) -> dict[str, Any]:
    """One SARIF 2.1.0 run of provisioner: the rules used, described, and the results.
    `automationDetails.id` names the command, so lint and audit upload from one job as two
    categories."""
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "provisioner",
                "version": version,
                "rules": [descriptor(catalogue[rule_id]) for rule_id in used],
            }
        },
        "results": results,
    }
    if command:
        run["automationDetails"] = {"id": f"provisioner/{command}/"}
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}


def file_uri(path: str) -> str:
    """A file's artifactLocation.uri as code scanning reads it: a relative reference,
    percent-encoded (a space or a '#' is not a URI character), or a file:// URI when absolute."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    if os.path.isabs(path):
        return Path(path).as_uri()
    import posixpath

    relative = posixpath.normpath(path.replace(os.sep, "/"))  # ./a, .//a and b/../a: one file
    return quote(relative, safe="/")  # ':' too: "a:b.json" would read as a scheme


def _location(item: Item) -> dict[str, Any]:
    where = item.location
    if where.in_file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": file_uri(where.file)}}
        # a finding about the whole file (file-unreadable, say) at its first line
        region = {"startLine": where.line, "startColumn": max(where.column, 1)} if where.line else None
        physical["region"] = region or {"startLine": 1}
        location: dict[str, Any] = {"physicalLocation": physical}
        if where.path:
            location["logicalLocations"] = [{"fullyQualifiedName": where.path, "kind": "object"}]
        return location
    # an AWS resource: code scanning takes only the checkout's scheme (file) or a relative
    # reference, never arn: nor aws:, so a path that names the account and role, at line 1;
    # the ARN stays in the logical location and in the message
    from urllib.parse import quote

    parts = ["aws", where.account or "unknown"] + ([where.role] if where.role else [])
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": "/".join(quote(p, safe="") for p in parts)},
            "region": {"startLine": 1},
        },
        "logicalLocations": [
            {
                "name": where.role or where.account,
                "fullyQualifiedName": where.role_arn or where.account,
                "kind": "resource",
            }
        ],
    }


def _message(item: Item) -> str:
    arn = item.location.role_arn
    return item.message if not arn or arn in item.message else f"{arn}: {item.message}"


def _fingerprinted(item: Any) -> tuple[str, ...]:
    """What identifies a finding, its file as its uri says it: `./iam/p.json` and `iam/p.json`
    are one file, so one fingerprint (code scanning would close and reopen every alert)."""
    where = item.location
    if not where.in_file or not where.file:
        return tuple(item.key)
    return tuple(file_uri(part) if part == where.file else part for part in item.key)


def findings_sarif(view: Findings, version: str) -> dict[str, Any]:
    """Any command's findings for code scanning."""
    used = sorted({i.rule for i in view.items})
    index = {rule: n for n, rule in enumerate(used)}
    results = []
    for item in view.items:
        properties = {"severity": str(item.severity)}
        if not item.location.in_file:
            properties["account"] = item.location.account
            properties["vendor"] = str(item.data.get("vendor", ""))
        results.append(
            {
                "ruleId": item.rule,
                "ruleIndex": index[item.rule],
                "level": LEVEL[item.severity],
                "message": {"text": _message(item)},
                "locations": [_location(item)],
                "partialFingerprints": {"provisionerFinding/v1": fingerprint(*_fingerprinted(item))},
                **_state(item, view.baseline),
                "properties": properties,
            }
        )
    return sarif_log(view.rules, used, results, version, view.command)
