"""Federated callers in a trust diff: the identity providers (OIDC web identity, SAML) each side
lets in, and how far each is pinned (provisioner.federation: one subject, one owner, any, or not
decided), compared per provider. The solver does not model AssumeRoleWithWebIdentity or
AssumeRoleWithSAML, so each difference is "not decided" and a new one counts as new access: a
trust that newly lets GitHub Actions in, or lets it in from more repositories, fails the diff."""

from __future__ import annotations

from typing import Any

from provisioner.diff.model import NEW, REMOVED, Difference
from provisioner.federation import Access, federated_access
from provisioner.iam import statements

WHY = "a federated identity provider (OIDC, SAML): compared by its subject conditions, not by the solver"


def federated_differences(old: Any, new: Any) -> list[Difference]:
    """Each provider NEW lets in further than OLD (absent, or pinned to fewer subjects), then the
    reverse."""
    before, after = _admitted(old), _admitted(new)
    found = [_difference(NEW, a) for a in _wider(after, before)]
    return found + [_difference(REMOVED, a) for a in _wider(before, after)]


def _admitted(document: Any) -> dict[str, list[Access]]:
    by_issuer: dict[str, list[Access]] = {}
    for access in federated_access(list(statements(document))):
        by_issuer.setdefault(access.provider.issuer, []).append(access)
    return by_issuer


def _wider(side: dict[str, list[Access]], other: dict[str, list[Access]]) -> list[Access]:
    """The accesses of `side` that `other` does not cover: a provider it lacks, or one it pins
    to other subjects (an open or undecided one covers nothing but itself)."""
    found = []
    for issuer, accesses in side.items():
        theirs = other.get(issuer, [])
        for access in accesses:
            if not any(_covers(t, access) for t in theirs):
                found.append(access)
    return found


def _covers(wide: Access, narrow: Access) -> bool:
    if wide.status == "any":
        return narrow.status != "undecided"
    if wide.status == "undecided" or narrow.status in ("any", "undecided"):
        return (wide.status, wide.why) == (narrow.status, narrow.why)
    return set(narrow.values) <= set(wide.values) and (wide.status, narrow.status) != ("pinned", "owner")


def _difference(direction: str, access: Access) -> Difference:
    return Difference(
        direction,
        "trust",
        f"{access.party} through {access.provider.issuer} ({access.condition})",
        "",
        decided=False,
        why=WHY,
        path=access.where,
        detail={"caller_class": "federated", "provider": access.provider.name, "status": access.status},
    )
