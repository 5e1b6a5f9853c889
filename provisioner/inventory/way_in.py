"""Pure: a party's own way into a role that lets in more than one party: the trust's principals
of that party's account, the external IDs, and the trust findings about it (not those about the
other parties), then who else the role lets in."""

from __future__ import annotations

from typing import Any

from provisioner.iam import aws_principals, statements
from provisioner.inventory.model import ANYONE
from provisioner.model import account_of
from provisioner.model.findings import Finding
from provisioner.naming import Names


def own_way_in(
    reached: str,
    trust: Any,
    outside: tuple[str, ...],
    pinned: list[str],
    findings: list[Finding],
    names: Names,
    ours: frozenset[str],
) -> str:
    from provisioner.inventory.parties import TRUST_RULES, party_of

    others = [a for a in outside if a != reached]
    principals = [
        p
        for statement in statements(trust)
        if statement.is_allow
        for p in aws_principals(statement)
        if (p == "*" if reached == ANYONE else account_of(p) == reached)
    ]
    if reached == ANYONE and not principals:
        principals = ["*"]
    label = party_of(reached, names, ours).label
    words = f"{label} gets in as {', '.join(dict.fromkeys(principals)) or 'a principal of its account'}"
    if pinned:
        words += f", with the external ID{'s' if len(pinned) > 1 else ''} " + ", ".join(
            repr(i) for i in pinned
        )
    said = [
        f.message
        for f in findings
        if f.rule in TRUST_RULES and (reached in f.message or not any(o in f.message for o in others))
    ]
    also = ", ".join(party_of(o, names, ours).label for o in others)
    return "; ".join([words, *said, f"the role also lets in {also}"])
