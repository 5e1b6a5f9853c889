"""Tables for people (tabulate). Pure: they return strings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provisioner.model import SEVERITIES, Severity, Status
from provisioner.model.findings import Finding

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult
    from provisioner.naming import Named
    from provisioner.validate.model import Report
from provisioner.vendors import Vendor


@dataclass(frozen=True)
class Terminal:
    """How the table is shown: coloured severities and verdicts, and the width to fit (the
    last wrapped column takes what the others leave). The default is plain and unbounded."""

    colour: bool = False
    width: int | None = None


PLAIN = Terminal()
ANSI = {
    "critical": "1;35",
    "high": "1;31",
    "medium": "33",
    "low": "34",
    "info": "2",
    "pass": "32",
    "fail": "1;31",
    "warn": "33",
    "skip": "2",
}


def _coloured(text: str, key: Any, terminal: Terminal) -> str:
    code = ANSI.get(str(key).lower())
    return f"\x1b[{code}m{text}\x1b[0m" if terminal.colour and code else text


def paint(value: Any, terminal: Terminal) -> Any:
    """A severity or a verdict in its colour on a colour terminal (NO_COLOR honoured by the CLI)."""
    return _coloured(str(value), value, terminal) if isinstance(value, (Severity, Status)) else value


def table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    widths: Sequence[int | None] | None = None,
    terminal: Terminal = PLAIN,
) -> str:
    """A plain text table; `widths` wraps the columns that have one."""
    from tabulate import tabulate

    wrap = list(widths) if widths else None
    if wrap and terminal.width:
        wrap = _fit(rows, headers, wrap, terminal.width)
    shown = [[paint(cell, terminal) for cell in row] for row in rows] if terminal.colour else rows
    text: str = tabulate(shown, headers=headers, tablefmt="simple", maxcolwidths=wrap)
    return text


def _fit(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], wrap: list[int | None], width: int
) -> list[int | None]:
    """The last wrapped column's width so the table fits `width` columns (at least 20)."""
    last = max(i for i, w in enumerate(wrap) if w is not None)
    used = 2 * (len(headers) - 1)
    for i, header in enumerate(headers):
        if i == last:
            continue
        # tabulate pads every header by 2 (its MIN_PADDING), so a column is at least that wide
        natural = max([len(header) + 2, *(max(map(len, str(row[i]).splitlines() or [""])) for row in rows)])
        limit = wrap[i]
        used += min(natural, limit) if limit is not None else natural
    fitted = list(wrap)
    fitted[last] = max(20, width - used)
    return fitted


def severity_counts(findings: Sequence[Any]) -> str:
    """'1 critical, 2 high' in severity order ('none' without findings)."""
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "none"


def findings_table(
    findings: Sequence[Finding], files: int, muted: int = 0, terminal: Terminal = PLAIN, not_judged: str = ""
) -> str:
    """The findings, then 'N finding(s) in M file(s): …' and `not_judged` (what was skipped)."""
    also = (f"; {muted} muted (in JSON as suppressed)" if muted else "") + not_judged
    if not findings:
        return f"no findings in {files} file(s){also}"
    ordered = sorted(findings, key=lambda f: (f.severity.rank, f.file, f.location))
    rows = [(f.severity, f.rule, _place(f), f.location, f.message) for f in ordered]
    body = table(
        rows, ["SEVERITY", "RULE", "FILE", "LOCATION", "MESSAGE"], [None, None, None, None, 70], terminal
    )
    return f"{body}\n\n{findings_summary(findings, files)}{also}"


def _place(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file


def findings_summary(findings: Sequence[Finding], files: int) -> str:
    return f"{len(findings)} finding(s) in {files} file(s): {severity_counts(findings)}"


def vendors_table(vendors: Sequence[Vendor]) -> str:
    rows = [(v.name, v.display_name, v.principal, "\n".join(v.cors_origins), v.role_name) for v in vendors]
    return table(rows, ["VENDOR", "NAME", "PRINCIPAL", "CORS ORIGINS", "DEFAULT ROLE"])


def named_table(named: Sequence[Named]) -> str:
    """Named outside accounts (the user's and fwd:cloudsec's), one row per entry; an entry of
    principal patterns names only those principals of its accounts, and says so."""
    rows = [
        (
            n.name + ("" if n.enabled else " (retired)"),
            n.kind,
            ", ".join(n.accounts[:3])
            + (f" and {len(n.accounts) - 3} more" if len(n.accounts) > 3 else "")
            + (f" (only {', '.join(n.principals)})" if n.principals else ""),  # not the whole account
            n.source,
        )
        for n in named
    ]
    return table(rows, ["NAME", "KIND", "ACCOUNTS", "SOURCE"])


def form_table(fields: Sequence[tuple[str, str]]) -> str:
    return table(fields, ["FIELD", "VALUE"])


def checks_table(result: Report, terminal: Terminal = PLAIN) -> str:
    """The checks, then the remediation commands numbered, one a line and never wrapped (a
    command broken across a table cell's lines could not be copied as printed)."""
    commands: list[str] = []
    rows = []
    for c in result.checks:
        remediation = c.remediation
        for command in c.commands:
            if command not in commands:
                commands.append(command)
            remediation = remediation.replace(command, f"command [{commands.index(command) + 1}] below")
        rows.append(
            (c.name, _coloured(c.status.upper(), c.status, terminal), c.code or "", c.detail, remediation)
        )
    body = table(
        rows, ["CHECK", "RESULT", "CODE", "DETAIL", "REMEDIATION"], [None, None, None, 60, 50], terminal
    )
    summary = result.verdict()
    listed = "".join(f"\n[{i}] {command}" for i, command in enumerate(commands, 1))
    return f"{body}\n\n{summary}" + (f"\n{listed}" if listed else "")


def audit_summary(result: AuditResult) -> str:
    external = result.external_roles
    shown = result.shown
    new = " new" if result.baseline is not None else ""
    federated = result.federated_roles  # an identity provider's users are not "another account"
    who = (
        f"{external - federated} another account can assume" if external - federated or not federated else ""
    )
    if federated:
        who += (", " if who else "") + f"{federated} users of an identity provider can assume"
    text = (
        f"{len(shown)}{new} finding(s): {severity_counts(shown)}; {result.roles_seen} role(s) "
        f"read in {len(result.accounts)} account(s), {who}"
    )
    if result.muted:
        text += f"; {result.muted} muted (in JSON and SARIF as suppressed)"
    if result.baseline is not None:
        text += (
            f"; against {result.baseline}: {result.unchanged} unchanged (not shown), "
            f"{len(result.fixed)} fixed"
        )
    return text
