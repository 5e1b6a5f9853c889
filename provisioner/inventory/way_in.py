"""Pure: a party's own way into a role that lets in more than one party: the trust's principals
of that party's account, the external IDs, and the trust findings about it (not those about the
other parties), then who else the role lets in."""

from __future__ import annotations

from typing import Any

from provisioner.iam import aws_principals, statements
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
    if pinned:
        words += f", with the external ID{'s' if len(pinned) > 1 else ''} " + ", ".join(
            repr(i) for i in pinned
        )
    elsewhere = [a for a in outside if a != reached]
    own = [m for m in said if reached in m or not any(o in m for o in elsewhere)]
    return "; ".join([words, *own, f"the role also lets in {', '.join(others)}"])
