"""inventory's formats: a table (one row per party, its roles beneath), JSON with schema_version,
CSV (one row per party and role) and Markdown. Pure: they return strings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provisioner.inventory.model import SCHEMA_VERSION, Direct, InventoryResult, PartyEntry, RoleAccess
from provisioner.report.table import table

if TYPE_CHECKING:
    from provisioner.inventory.whocan import Route, WhoCanResult


def inventory_dict(result: InventoryResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "accounts": result.accounts,
        "parties": [_party(entry) for entry in result.parties],
        "notes": result.notes,
    }


def _party(entry: PartyEntry) -> dict[str, Any]:
    party = entry.party
    worst = entry.worst
    return {
        "account": party.account,
        "name": party.name,
        "kind": party.kind,
        "source": party.source,
        "worst": worst.value if worst else None,
        "privileged": entry.privileged,
        "stale": entry.stale,
        "browser_access": entry.cors_buckets,
        "accounts": entry.accounts,
        "roles": [_role(r) for r in entry.roles],
        "bucket_policy": [
            {
                "bucket": d.bucket,
                "statement": d.statement,
                "part": d.part,
                "rights": list(d.rights),
                "power": list(d.power),
                "condition": d.condition,
                "verdict": direct_verdict(d),
                "worst": d.severity.value if d.severity else None,
            }
            for d in entry.direct
        ],
    }


def direct_verdict(grant: Direct) -> str:
    """ "can", or a WARN naming the condition it depends on (never a pass)."""
    return grant.verdict


def _role_cell(access: RoleAccess) -> str:
    """Its worst finding, or a WARN where its scope is not decided (a policy not read, or a right
    only a Deny with a condition refuses) and that is what makes it worst."""
    worst = access.worst
    if worst is None:
        return "ok"
    open_ = bool(access.scope.unread or access.scope.undecided) and worst.value == "medium"
    return f"warn ({worst.value})" if open_ and worst != access.severity else worst.value


def _grant_cell(grant: Direct) -> str:
    severity = grant.severity.value if grant.severity else "ok"
    return severity if grant.decided else f"warn ({severity})"


def _direct_text(grant: Direct) -> str:
    return "\n".join(
        [
            f"data: {grant.part} {', '.join(grant.rights)} ({grant.source.split(' of ')[0]}, no role)",
            f"verdict: {direct_verdict(grant)}",
            f"condition: {grant.condition}",
        ]
    )


def _role(access: RoleAccess) -> dict[str, Any]:
    return {
        "account": access.account,
        "role_arn": access.role_arn,
        "trust": access.trust,
        "external_ids": access.external_ids,
        "external_id_notes": access.id_notes,
        "scope": [{"where": where, "rights": list(rights)} for where, rights in access.scope.grants],
        "scope_shown": access.scope.shown,
        "scope_notes": list(access.scope.notes),
        "power": list(access.power),
        "created": access.created.isoformat() if access.created else None,
        "last_used": access.last_used.isoformat() if access.last_used else None,
        "last_used_region": access.last_region,
        "stale": access.stale,
        "remove": access.remove,
        "remove_leaves": access.leaves,
        "worst": access.worst.value if access.worst else None,
        "rules": access.rules,
    }


def _verdict(entry: PartyEntry) -> str:
    words = entry.verdict
    if entry.privileged:
        words += " (privileged)"
    return words + (" stale" if entry.stale else "")


def inventory_table(result: InventoryResult) -> str:
    """One row per party, worst first; its roles beneath, indented."""
    rows: list[tuple[str, ...]] = []
    for entry in result.parties:
        party = entry.party
        browser = ", ".join(entry.cors_buckets) or "-"
        rows.append(
            (
                _verdict(entry),
                f"{party.label} [{entry.where}]",
                party.source or "-",
                f"browser: {browser}",
            )
        )
        for access in entry.roles:
            rows.append(
                (
                    "",
                    f"  {access.role_arn}",
                    _role_cell(access),
                    _role_text(access),
                )
            )
        for grant in entry.direct:
            rows.append(
                (
                    "",
                    f"  {grant.source} {grant.statement}",
                    _grant_cell(grant),
                    _direct_text(grant),
                )
            )
    body = table(rows, ["VERDICT", "PARTY / ROLE", "NAMED BY", "DETAIL"], [None, 60, 24, 90])
    count = len(result.parties)
    summary = f"\n{count} outside part{'y' if count == 1 else 'ies'} in {len(result.accounts)} account(s)"
    return body + summary  # the run's notes: on stderr (cli say_notes; --quiet silences them)


def _role_text(access: RoleAccess) -> str:
    lines = [f"trust: {access.trust}", f"data: {access.scope.shown}"]
    if access.power:
        lines.append("power: " + "; ".join(access.power))
    for note in access.id_notes:
        lines.append(f"external ID: {note}")
    lines.append(f"last used: {access.use}" + (" (stale)" if access.stale else ""))
    if access.stale:
        lines.append(f"remove: {access.remove} (then without --dry-run); leaves {access.leaves}")
    return "\n".join(lines)


CSV_COLUMNS = (
    "party", "party_account", "kind", "named_by", "role_arn", "worst", "trust", "scope", "power",
    "external_ids", "last_used", "last_used_region", "stale", "remove",
)  # fmt: skip


def inventory_csv(result: InventoryResult) -> str:
    import csv
    import io

    out = io.StringIO()
    plain = csv.writer(out, lineterminator="\n")

    def write(row: list[str] | tuple[str, ...]) -> None:
        plain.writerow([_safe(cell) for cell in row])

    write(CSV_COLUMNS)
    for entry in result.parties:
        party = entry.party
        for a in entry.roles:
            write([
                party.name, party.account, party.kind, party.source, a.role_arn,
                _role_cell(a).replace("ok", ""), a.trust, a.scope.shown, "; ".join(a.power),
                " ".join(a.external_ids), a.last_used.isoformat() if a.last_used else "",
                a.last_region or "", "yes" if a.stale else "no", a.remove if a.stale else "",
            ])  # fmt: skip
        for d in entry.direct:
            write([
                party.name, party.account, party.kind, party.source,
                f"{d.source} {d.statement}", _grant_cell(d) if d.severity else "",
                direct_verdict(d), f"{d.part} {', '.join(d.rights)}", "; ".join(d.power), "", "", "", "", "",
            ])  # fmt: skip
    return out.getvalue()


def _cell(text: str) -> str:
    """Markdown renders raw HTML: a name or ID with <tags> is escaped, then | and newlines."""
    from html import escape

    return escape(text, quote=False).replace("|", "\\|").replace("\n", "<br>")


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection": what a spreadsheet runs


def _safe(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, prefixed with ' (OWASP's advice)."""
    return "'" + cell if cell.startswith(FORMULA) else cell


def inventory_markdown(result: InventoryResult) -> str:
    lines = [f"# Outside parties ({len(result.parties)})", ""]
    for entry in result.parties:
        party = entry.party
        accounts = entry.where
        lines += [f"## {_cell(party.label)} ({accounts}): {_verdict(entry)}", ""]
        if party.source:
            lines.append(f"Named by {_cell(party.source)}.")
        if entry.cors_buckets:
            lines.append(f"Browser access: {_cell(', '.join(entry.cors_buckets))}.")
        if entry.roles:
            lines += ["", "| Role | Trust | Data | Power | Last used | Remove |", "|---|---|---|---|---|---|"]
        for a in entry.roles:
            remove = f"`{a.remove}`; leaves {_cell(a.leaves)}" if a.stale else ""
            use = _cell(a.use) + (" (stale)" if a.stale else "")
            lines.append(
                f"| {_cell(a.role_arn)} | {_cell(a.trust)} | {_cell(a.scope.shown)} | "
                f"{_cell('; '.join(a.power) or '-')} | {use} | {remove} |"
            )
        if entry.direct:
            lines += ["", "| Bucket policy | Data | Verdict |", "|---|---|---|"]
            for d in entry.direct:
                cells = (
                    f"{d.source.removeprefix('bucket policy of ')} {d.statement}",
                    d.part + " " + ", ".join(d.rights),
                    direct_verdict(d),
                )
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    lines += [f"- note: {_cell(n)}" for n in result.notes]
    return "\n".join(lines) + "\n"


def _route_verdict(route: Route) -> str:
    """The verdict column: the worst finding where it can, WARN where a condition decides (the
    DECIDED BY column shows the condition)."""
    if route.verdict.startswith("WARN: confused deputy"):
        return "WARN (confused deputy)"
    if route.verdict.startswith("WARN"):
        return "WARN (not decided)"
    if not route.verdict.startswith("can"):  # "can, only for aws:SourceAccount …": DECIDED BY shows it
        return route.verdict
    shown = route.severity.value.upper() if route.severity else "can"
    if route.verdict.startswith("can, only as the root user"):
        shown += " (root user only)"
    return f"{shown} (takes control)" if route.verdict.startswith("can take control") else shown


def who_can_table(result: WhoCanResult) -> str:
    """One row per route, worst first."""
    rows = [
        (
            _route_verdict(r),
            r.party.label,
            r.path,
            "\n".join(a.removeprefix("s3:") for a in r.actions) or "-",  # whole names (22s item 10)
            r.trust or "-",
            r.condition,
        )
        for r in result.routes
    ]
    head = f"who can {result.action} s3://{result.bucket}/{result.prefix}" + (
        f" (account {result.owner})"
        if result.owner
        else " (bucket not found in the accounts read: its bucket policy is not considered)"
    )
    if not rows:
        body = "no outside principal" + ("" if result.owner else " through the roles read")
    else:
        body = table(
            rows, ["VERDICT", "PARTY", "ROUTE", "ACTIONS", "TRUST", "DECIDED BY"], [16, 30, 60, None, 60, 40]
        )
    return "\n".join([head, body])  # the run's notes: on stderr (cli say_notes; --quiet silences them)
