"""Pure: a party's own way into a role that lets in more than one party: the trust's principals
of that party's account, the external IDs, and the trust findings about it (not those about the
other parties), then who else the role lets in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provisioner.federation import Access
from provisioner.iam import aws_principals, external_id_values, statements
from provisioner.inventory.model import ANYONE
from provisioner.model import account_of


@dataclass(frozen=True)
class Way:
    """One party's way into a role several parties get into."""

    reached: str  # its account, "*", or its federated token
    mine: list[str]  # its principals the trust names (all of its account's when empty)
    label: str
    trust: Any
    outside: tuple[str, ...]  # every party's account or token
    others: list[str]  # the labels of the other parties
    pinned: list[str]  # the role's pinned external IDs
    federated: tuple[Access, ...] = ()  # the role's identity providers, each judged

    @property
    def provider(self) -> Access | None:
        """The identity provider access this party is (None for an AWS account)."""
        return next((a for a in self.federated if a.token == self.reached), None)


def own_way_in(way: Way, said: list[str]) -> str:
    """`said`: the trust findings' messages."""
    provider = way.provider
    if provider is not None:
        words = f"{way.label} gets in through the identity provider {provider.provider.issuer}, "
        words += _subject_words(provider)
    else:
        principals = way.mine or [
            p
            for statement in statements(way.trust)
            if statement.is_allow
            for p in aws_principals(statement)
            if (p == "*" if way.reached == ANYONE else account_of(p) == way.reached)
        ]
        if way.reached == ANYONE and not principals:
            principals = ["*"]
        who = ", ".join(dict.fromkeys(principals)) or "a principal of its account"
        words = f"{way.label} gets in as {who}" + id_phrase(own_ids(way.trust, principals, way.pinned))
    return "; ".join([words, *own_findings(said, way), f"the role also lets in {', '.join(way.others)}"])


def _subject_words(access: Access) -> str:
    """For which subjects an identity provider's callers get in, as the trust pins them."""
    if access.status == "pinned":
        return f"for subject {' or '.join(access.values)}"
    if access.status == "owner":
        return f"for subjects matching {' or '.join(access.values)}"
    if access.status == "undecided":
        return f"for subjects not decided ({access.why})"
    return f"for {access.admits}"


def own_findings(said: list[str], way: Way) -> list[str]:
    """The trust findings about this party: those naming it, or no other party; an identity
    provider's finding is its own party's alone."""
    elsewhere = [a for a in way.outside if a != way.reached]
    provider = way.provider
    providers = {a.message for a in way.federated if a.rule}
    mine = provider.message if provider is not None and provider.rule else None  # a finding of its own
    return [
        m
        for m in said
        if (m not in providers or m == mine) and (way.reached in m or not any(o in m for o in elsewhere))
    ]


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
