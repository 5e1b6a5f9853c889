"""Renderers: tables for people, JSON for programs. Pure: they return strings."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from provisioner.lint import SEVERITIES, Finding, severity_rank
from provisioner.vendors import Vendor


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], wrap: int | None = None) -> str:
    from tabulate import tabulate

    widths = [wrap if wrap and i == len(headers) - 1 else None for i in range(len(headers))]
    return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=widths)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def findings_table(findings: Sequence[Finding], files: int) -> str:
    if not findings:
        return f"no findings in {files} file(s)"
    ordered = sorted(findings, key=lambda f: (severity_rank(f.severity), f.file, f.location))
    rows = [(f.severity, f.rule, f.file, f.location, f.message) for f in ordered]
    body = table(rows, ["SEVERITY", "RULE", "FILE", "LOCATION", "MESSAGE"], wrap=70)
    return f"{body}\n\n{findings_summary(findings, files)}"


def findings_summary(findings: Sequence[Finding], files: int) -> str:
    counts = Counter(f.severity for f in findings)
    parts = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
    return f"{len(findings)} finding(s) in {files} file(s): {parts}"


def findings_json(findings: Sequence[Finding]) -> str:
    return to_json([f.to_dict() for f in findings])


def vendor_dict(vendor: Vendor) -> dict[str, Any]:
    return {
        "name": vendor.name,
        "display_name": vendor.display_name,
        "account_id": vendor.account_id,
        "principal": vendor.principal,
        "cors_origins": list(vendor.cors_origins),
        "role_name": vendor.role_name,
        "policy_name": vendor.policy_name,
        "sts_region": vendor.sts_region,
        "docs": vendor.docs,
    }


def vendors_table(vendors: Sequence[Vendor]) -> str:
    rows = [(v.name, v.display_name, v.principal, "\n".join(v.cors_origins), v.role_name) for v in vendors]
    return table(rows, ["VENDOR", "NAME", "PRINCIPAL", "CORS ORIGINS", "DEFAULT ROLE"])


def checks_table(result: Any) -> str:
    rows = [(c.name, c.status.upper(), c.code or "", c.detail, c.remediation) for c in result.checks]
    body = tabulate_checks(rows)
    failed = [c.name for c in result.checks if c.status == "fail"]
    summary = (
        f"VALID: the vendor's checks will pass for {result.role_arn}"
        if result.valid
        else f"INVALID: {', '.join(failed)} failed for {result.role_arn}"
    )
    return f"{body}\n\n{summary}"


def tabulate_checks(rows: Sequence[Sequence[Any]]) -> str:
    from tabulate import tabulate

    return tabulate(
        rows,
        headers=["CHECK", "RESULT", "CODE", "DETAIL", "REMEDIATION"],
        tablefmt="simple",
        maxcolwidths=[None, None, None, 60, 50],
    )


def audit_summary(result: Any) -> str:
    counts = Counter(f.severity for f in result.findings)
    parts = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "none"
    external = sum(1 for r in result.roles_listed if r["external"] == "true")
    return (
        f"{len(result.findings)} finding(s): {parts}; {result.roles_seen} role(s) read in "
        f"{len(result.accounts)} account(s), {external} another account can assume"
    )


def audit_table(result: Any) -> str:
    from tabulate import tabulate

    if not result.findings:
        body = "no findings"
    else:
        rows = [(f.severity, f.account, f.role, f.vendor, f.rule, f.message) for f in result.findings]
        body = tabulate(
            rows,
            headers=["SEVERITY", "ACCOUNT", "ROLE", "VENDOR", "RULE", "MESSAGE"],
            tablefmt="simple",
            maxcolwidths=[None, None, 28, 14, None, 60],
        )
    return f"{body}\n\n{audit_summary(result)}"
