"""Pure: a party's own way into a role that lets in more than one party: the trust's principals
of that party's account, the external IDs, and the trust findings about it (not those about the
other parties), then who else the role lets in."""

from __future__ import annotations

from typing import Any

from provisioner.iam import aws_principals, external_id_values, statements
from provisioner.inventory.model import ANYONE
from provisioner.model import account_of


def own_way_in(
    reached: str,
    mine: list[str],
    label: str,
    trust: Any,
    outside: tuple[str, ...],
    others: list[str],
    pinned: list[str],
    said: list[str],
) -> str:
    """`mine`: the party's principals the trust names (all of its account's when empty);
    `said`: the trust findings' messages; `others`: the labels of the other parties."""
    principals = mine or [
        p
        for statement in statements(trust)
        if statement.is_allow
        for p in aws_principals(statement)
        if (p == "*" if reached == ANYONE else account_of(p) == reached)
    ]
    if reached == ANYONE and not principals:
        principals = ["*"]
    words = f"{label} gets in as {', '.join(dict.fromkeys(principals)) or 'a principal of its account'}"
    words += id_phrase(own_ids(trust, principals, pinned))
    own = own_findings(said, reached, outside)
    return "; ".join([words, *own, f"the role also lets in {', '.join(others)}"])


def own_findings(said: list[str], reached: str, outside: Any) -> list[str]:
    """The trust findings about the party of `reached`: those naming it, or no other party."""
    elsewhere = [a for a in outside if a != reached]
    return [m for m in said if reached in m or not any(o in m for o in elsewhere)]


def own_ids(trust: Any, principals: list[str], pinned: list[str]) -> list[str] | None:
    """The pinned IDs of the Allow statements that name `principals`; None when one of those
    statements has no sts:ExternalId condition at all (its principals get in with any ID, or
    none). `pinned` itself when no statement names them (a way in the trust does not spell)."""
    naming = [
        statement
        for statement in statements(trust)
        if statement.is_allow and set(aws_principals(statement)) & set(principals)
    ]
    if not naming:
        return list(pinned)
    values: set[str] = set()
    for statement in naming:
        found = external_id_values(statement)
        if not found:
            return None
        values.update(found)
    return [i for i in pinned if i in values]


def id_phrase(ids: list[str] | None) -> str:
    """ ", with the external ID 'x'", ", with no external-ID condition", or "" (no ID is pinned)."""
    if ids is None:
        return ", with no external-ID condition"
    if not ids:
        return ""
    return f", with the external ID{'s' if len(ids) > 1 else ''} " + ", ".join(repr(i) for i in ids)
