"""Pure: a party's own way into a role that lets in more than one party: the trust's principals
of that party's account, the external IDs, and the trust findings about it (not those about the
other parties), then who else the role lets in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from provisioner.evaluation import Policy, evaluate
from provisioner.federation import Access
from provisioner.iam import Statement, aws_principals, external_id_values, statements
from provisioner.inventory.model import ANYONE
from provisioner.model import account_of

if TYPE_CHECKING:
    from provisioner.analysis.answer import Door


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
    doors: tuple[Door, ...] = ()  # the requests the trust findings show
    role_arn: str = ""

    @property
    def provider(self) -> Access | None:
        """The identity provider access this party is (None for an AWS account)."""
        return next((a for a in self.federated if a.token == self.reached), None)


def own_way_in(way: Way, own: list[str]) -> str:
    """`own`: the trust findings' messages about this party (`own_findings`)."""
    provider = way.provider
    if provider is not None:
        words = f"{way.label} gets in through the identity provider {provider.provider.issuer}, "
        words += _subject_words(provider)
    else:
        principals = principals_of_way(way) or (["*"] if way.reached == ANYONE else [])
        who = ", ".join(dict.fromkeys(principals)) or "a principal of its account"
        words = f"{way.label} gets in as {who}" + id_phrase(own_ids(way.trust, principals, way.pinned))
    return "; ".join([words, *own, f"the role also lets in {', '.join(way.others)}"])


def principals_of_way(way: Way) -> list[str]:
    """The party's principals the trust names: its own (a [[vendor]] entry's patterns), else
    every principal of its account (or "*", for anyone) an Allow statement names."""
    return way.mine or [
        p
        for statement in statements(way.trust)
        if statement.is_allow
        for p in aws_principals(statement)
        if (p == "*" if way.reached == ANYONE else account_of(p) == way.reached)
    ]


def _subject_words(access: Access) -> str:
    """For which subjects an identity provider's callers get in, as the trust pins them."""
    if access.status == "pinned":
        return f"for subject {' or '.join(access.values)}"
    if access.status == "owner":
        return f"for subjects matching {' or '.join(access.values)}"
    if access.status == "undecided":
        return f"for subjects not decided ({access.why})"
    return f"for {access.admits}"


def own_findings(found: list[Any], way: Way) -> list[Any]:
    """The trust findings (objects with `message` and `evidence`, the statement) about this
    party: those whose statement names one of its principals (the root of its account is not a
    [[vendor]] entry's role in it) and whose words name it or no other party; an identity
    provider's finding is its own party's alone."""
    elsewhere = [a for a in way.outside if a != way.reached]
    provider = way.provider
    providers = {a.message for a in way.federated if a.rule}
    mine = provider.message if provider is not None and provider.rule else None  # a finding of its own
    principals = set(principals_of_way(way)) if provider is None else set()
    return [
        f
        for f in found
        if (f.message not in providers or f.message == mine)
        and (way.reached in f.message or not any(o in f.message for o in elsewhere))
        and (f.message == mine or _names_one_of(f.evidence, way.trust, principals))
    ]


def _names_one_of(evidence: Any, trust: Any, principals: set[str]) -> bool:
    """Does the finding's statement name one of the party's principals? True where the
    finding has no statement of the trust, or the party no principal the trust names (its words
    alone decide then)."""
    named = [s for s in statements(trust) if s.body == evidence] if evidence is not None else []
    if not named or not principals:
        return True
    return any(set(aws_principals(s)) & principals for s in named)


def own_example(message: str, way: Way, ids: list[str] | None) -> str:
    """A finding's words as this party's own: an example request presenting another party's
    external ID presents none, where the party's own way in needs none (the trust lets that very
    request in without one: the evaluator decides)."""
    trust = [Policy("trust policy", way.trust)]
    for door in way.doors:
        if door.external_id is None or door.external_id in (ids or ()) or door.describe() not in message:
            continue
        bare = replace(door, external_id=None)
        if evaluate(trust, bare.request(way.role_arn)).allowed:
            message = message.replace(door.describe(), bare.describe())
    return message


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


def id_condition(ids: list[str]) -> str:
    """What a route's way in turns on: "sts:ExternalId 'x' or 'y'"."""
    return f"sts:ExternalId {' or '.join(repr(i) for i in ids)}" if ids else "none: no external ID pinned"


def star_allows(trust: Any) -> list[Statement]:
    """The trust's Allow statements that let "*" in (Principal "*" or {"AWS": "*"})."""
    return [
        s for s in statements(trust) if s.is_allow and "*" in (*aws_principals(s), s.body.get("Principal"))
    ]


def anyones_ids(trust: Any) -> list[str]:
    """The IDs every Allow letting "*" in pins: what anyone must send ([] where one pins none)."""
    star = star_allows(trust)
    values = [external_id_values(s) for s in star]
    return sorted({v for found in values for v in found}) if star and all(values) else []


def id_phrase(ids: list[str] | None) -> str:
    """ ", with the external ID 'x'", ", with no external-ID condition", or "" (no ID is pinned)."""
    if ids is None:
        return ", with no external-ID condition"
    if not ids:
        return ""
    return f", with the external ID{'s' if len(ids) > 1 else ''} " + ", ".join(repr(i) for i in ids)


def without_id(doors: Any, reached: str, named: tuple[str, ...], ids: list[str] | None = None) -> str:
    """How a caller of the party (`reached`: its account, or "*": an account the trust does not
    name) gets in with no external ID, or with one other than `ids` (a door the trust analysis
    shows: "arn:… gets in with no external ID"), or ""."""
    for door in doors:
        account = account_of(door.caller) or ""
        mine = account == reached or (reached == "*" and account not in named)
        if not (door.decided and account and mine):
            continue
        if door.external_id is None:
            return f"{door.caller} gets in with no external ID"
        if ids and door.external_id not in ids:  # trial 22v item 8
            other = f"an external ID other than those, for example {door.external_id!r}"
            return f"{door.caller} gets in with {other}"
    return ""


def decided_by(provider: Any, condition: str, ids: list[str]) -> tuple[str, bool]:
    """What decides the route, and whether it is pinned: an identity provider's route is decided
    by its subject condition, not an external ID."""
    if provider is not None:
        return provider.condition, provider.status in ("pinned", "owner")
    return condition, bool(ids)


def gets_in(label: str, others: str, decides: str, pinned: bool) -> str:
    return (
        (f"{label} gets in" if others else f"only {label} gets in")
        + (f", with {decides}" * pinned)
        + (f"; the role also lets in {others}" if others else "")
    )
