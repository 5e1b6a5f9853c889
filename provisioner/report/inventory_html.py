"""inventory as one self-contained HTML page: a graph party -> role -> bucket, each line and
party coloured by its worst verdict, then one card per party. Pure; every text from AWS or a
policy is escaped (html.escape); the page loads nothing (report.html's Content-Security-Policy)."""

from __future__ import annotations

from html import escape

from provisioner.inventory.model import Direct, InventoryResult, PartyEntry, RoleAccess
from provisioner.model import Severity
from provisioner.report.html import COLOURS, STATUS_COLOURS, _page
from provisioner.report.inventory import direct_verdict

OK = "#2e7d32"
GRAPH_ROLES = 80


def _colour(severity: Severity | None) -> str:
    return COLOURS[severity] if severity is not None else OK


def _buckets(access: RoleAccess) -> list[str]:
    """The buckets of the role's data scope ("s3://b/p*" -> "b"; "every bucket" as is)."""
    found: dict[str, None] = {}
    for where, _ in access.scope.grants:
        if where.startswith("s3://* "):
            found["every bucket"] = None
        elif where.startswith("s3://"):
            found[where.removeprefix("s3://").split("/", 1)[0]] = None
    return list(found)


def _party_colour(entry: PartyEntry) -> str:
    """Its worst finding's colour; a bucket-policy grant not decided is a WARN, never green."""
    if entry.warned:
        return STATUS_COLOURS["warn"]
    return _colour(entry.worst)


def _grant_colour(grant: Direct) -> str:
    return _colour(grant.severity) if grant.decided else STATUS_COLOURS["warn"]


def graph(result: InventoryResult) -> str:
    """Three columns of inline SVG: parties, roles, buckets; a bucket policy's grant is a line
    from its party straight to the bucket (no role between). Each party is one node, named as
    its table row and card are (two parties of one account are two nodes)."""
    edges = [(i, entry, access) for i, entry in enumerate(result.parties) for access in entry.roles]
    direct = [(i, entry, grant) for i, entry in enumerate(result.parties) for grant in entry.direct]
    edges, direct = edges[:GRAPH_ROLES], direct[:GRAPH_ROLES]
    if not edges and not direct:
        return "<p>No outside party can assume a role or is named by a bucket policy.</p>"
    parties = list(dict.fromkeys(i for i, _, _ in [*edges, *direct]))
    roles = list(dict.fromkeys(access.role_arn for _, _, access in edges))
    buckets = list(
        dict.fromkeys(
            [*(b for _, _, access in edges for b in _buckets(access)), *(g.bucket for _, _, g in direct)]
        )
    )
    y_of = {("p", str(i)): 26 * n + 18 for n, i in enumerate(parties)}
    y_of.update({("r", a): 26 * n + 18 for n, a in enumerate(roles)})
    y_of.update({("b", b): 26 * n + 18 for n, b in enumerate(buckets)})
    parts = [
        _line(250, y_of["p", str(i)], 330, y_of["r", a.role_arn], _colour(a.severity)) for i, _, a in edges
    ]
    parts += [
        _line(640, y_of["r", a.role_arn], 720, y_of["b", b], _colour(a.severity))
        for _, _, a in edges
        for b in _buckets(a)
    ]
    parts += [
        _line(250, y_of["p", str(i)], 720, y_of["b", g.bucket], _grant_colour(g), dash=True)
        for i, _, g in direct
    ]
    for i in parties:
        entry = result.parties[i]
        parts.append(
            f'<text x="245" y="{y_of[("p", str(i))]}" text-anchor="end" fill="{_party_colour(entry)}">'
            f"{escape(entry.party.label)}</text>"
        )
    for arn in roles:
        parts.append(f'<text x="335" y="{y_of[("r", arn)]}">{escape(arn.split(":", 4)[-1])}</text>')
    for bucket in buckets:
        parts.append(f'<text x="725" y="{y_of[("b", bucket)]}">{escape(bucket)}</text>')
    height = max(len(parties), len(roles), len(buckets)) * 26 + 10
    return (
        f'<svg id="graph" role="img" aria-label="party, role, bucket" width="980" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _line(x1: int, y1: int, x2: int, y2: int, colour: str, *, dash: bool = False) -> str:
    """A line between two nodes' text baselines (a bucket policy's grant dashed)."""
    dashed = ' stroke-dasharray="4 3"' if dash else ""
    return f'<line x1="{x1}" y1="{y1 - 4}" x2="{x2}" y2="{y2 - 4}" stroke="{colour}"{dashed}/>'


def _card(entry: PartyEntry) -> str:
    party = entry.party
    verdict = escape(entry.verdict.lower())
    badge = (
        f'<span class="sev" style="background:{_party_colour(entry)}">{verdict}</span>'
        + ('<span class="badge">privileged</span>' if entry.privileged else "")
        + ('<span class="badge">stale</span>' if entry.stale else "")
    )
    rows = []
    for access in entry.roles:
        detail = [
            f"<b>trust</b> {escape(access.trust)}",
            f"<b>data</b> {escape(access.scope.shown)}",
            *([f"<b>power</b> {escape('; '.join(access.power))}"] if access.power else []),
            *[f"<b>external ID</b> {escape(n)}" for n in access.id_notes],
            f"<b>last used</b> {escape(access.use)}",
            *(
                [f"<b>remove</b> <code>{escape(access.remove)}</code>; leaves {escape(access.leaves)}"]
                if access.stale
                else []
            ),
        ]
        rows.append(f"<tr><td>{escape(access.role_arn)}</td><td>{'<br>'.join(detail)}</td></tr>")
    for grant in entry.direct:
        where = f"{grant.source} {grant.statement}"
        said = f"<b>data</b> {escape(grant.part + ' ' + ', '.join(grant.rights))}<br><b>verdict</b> "
        rows.append(f"<tr><td>{escape(where)}</td><td>{said}{escape(direct_verdict(grant))}</td></tr>")
    named = f"named by {escape(party.source)}" if party.source else "named by no source"
    browser = f"; browser access: {escape(', '.join(entry.cors_buckets))}" if entry.cors_buckets else ""
    accounts = entry.where
    return (
        f'<section class="party"><h2>{escape(party.label)} ({escape(accounts)}) {badge}</h2>'
        f"<p>{named}{browser}</p><table><tbody>{''.join(rows)}</tbody></table></section>"
    )


def inventory_html(result: InventoryResult, version: str, generated: str) -> str:
    body = (
        f"<section><h2>Who reaches what</h2>{graph(result)}</section>"
        + "".join(_card(entry) for entry in result.parties)
        + (
            "<section><h2>Notes</h2><ul class='notes'>"
            + "".join(f"<li>{escape(n)}</li>" for n in result.notes)
            + "</ul></section>"
            if result.notes
            else ""
        )
    )
    count = len(result.parties)
    subtitle = (
        f"{count} outside part{'y' if count == 1 else 'ies'} in {len(result.accounts)} account(s); "
        f"provisioner {version}, {generated}"
    )
    return _page("Outside parties", subtitle, body)
