"""The HTML report's graph: which outside accounts reach which roles and buckets, as inline
SVG. Pure; its own module, so that the audit adapter (report.findings) and the page
(report.html) do not import each other."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provisioner.audit.model import AuditResult

GRAPH_ROLES = 60


def graph_section(result: AuditResult) -> str:
    """Outside accounts (and vendors) -> roles -> buckets, as three columns of inline SVG."""
    from provisioner.federation import PREFIX as FEDERATED
    from provisioner.federation import token_words
    from provisioner.naming import current

    names = current()
    roles = [r for r in result.roles_listed if r.external][:GRAPH_ROLES]
    if not roles:
        return "<p>No role another account can assume.</p>"

    def who(account: str) -> str:
        if account == "*":
            return "any AWS account"
        if account.startswith(FEDERATED):  # an identity provider's users, never an account
            return token_words(account)
        known = names.of(account)  # our profiles, the user's entries, fwd:cloudsec's list
        return f"{names.account_party(account).label} ({account})" if known else account

    outsiders = list(dict.fromkeys(who(a) for r in roles for a in (r.reached_by or ("?",))))
    buckets = list(dict.fromkeys(("any bucket" if b == "*" else b) for r in roles for b in r.buckets))
    rows = max(len(outsiders), len(roles), len(buckets), 1)
    height = rows * 26 + 10
    y_of = {("o", name): 26 * i + 18 for i, name in enumerate(outsiders)}
    y_of.update({("r", r.role_arn): 26 * i + 18 for i, r in enumerate(roles)})
    y_of.update({("b", name): 26 * i + 18 for i, name in enumerate(buckets)})
    parts = []
    for r in roles:
        for a in r.reached_by or ("?",):
            parts.append(
                f'<line x1="250" y1="{y_of[("o", who(a))] - 4}" x2="330" y2="{y_of[("r", r.role_arn)] - 4}" '
                'stroke="#c62828" stroke-opacity=".5"/>'
            )
        for b in r.buckets:
            name = "any bucket" if b == "*" else b
            parts.append(
                f'<line x1="640" y1="{y_of[("r", r.role_arn)] - 4}" x2="720" y2="{y_of[("b", name)] - 4}" '
                'stroke="#1565c0" stroke-opacity=".5"/>'
            )
    for name in outsiders:
        parts.append(f'<text x="245" y="{y_of[("o", name)]}" text-anchor="end">{escape(name)}</text>')
    for r in roles:
        label = r.role_arn.split(":", 4)[-1]
        parts.append(f'<text x="335" y="{y_of[("r", r.role_arn)]}">{escape(label)}</text>')
    for name in buckets:
        parts.append(f'<text x="725" y="{y_of[("b", name)]}">{escape(name)}</text>')
    more = len([r for r in result.roles_listed if r.external]) - len(roles)
    note = f"<p>First {GRAPH_ROLES} roles shown; {more} more in the table.</p>" if more > 0 else ""
    return (
        f'<svg id="graph" role="img" aria-label="who reaches which roles and buckets" width="980" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>{note}'
    )
