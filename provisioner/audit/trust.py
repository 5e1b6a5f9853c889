"""Pure: who may assume a role, presenting what, decided by the exact trust analysis
(provisioner/analysis: the trust and the RCPs of the role's account, every caller class, z3) and
read in rule terms through analysis/verdict.py, so that audit says what lint and validate say, with
the same counterexample. One verdict per distinct question, shared by the roles that ask it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from provisioner.analysis.answer import may_name
from provisioner.audit.grants import Levels
from provisioner.evaluation import Decision, Policy
from provisioner.evaluation.chain import organization_decision
from provisioner.iam import Statement, aws_principals, has_wildcard, statements
from provisioner.model import account_of, role_arn, session_arn
from provisioner.model.rules import Hit

if TYPE_CHECKING:
    from provisioner.analysis.answer import ClassAnswer, Door, TrustAnswer
    from provisioner.federation import Access

PLACEHOLDER_ROLE = "audited-role"  # the role asked about when none is given
_RULE = {
    "someone-else": "trust-any-principal",
    "no-external-id": "cross-account-no-external-id",
    "not-pinned": "external-id-not-pinned",
}


@dataclass(frozen=True)
class TrustVerdict:
    """What a trust document lets in. Its hits' `where` is the statement's path (the verdict
    is shared by roles: each role's finding shows its own statement)."""

    found: list[Hit]
    external: bool  # someone else, or a party, gets in
    vendor: str
    pinned: list[str]  # the issued IDs the parties get in with
    reached_by: tuple[str, ...] = ()  # the outside accounts that get in ("*": any other account)
    refused_by: tuple[str, ...] = ()  # the RCPs that refused a request the trust allows
    doors: tuple[Door, ...] = ()  # the requests the hits show (each allowed by the trust)
    parties: tuple[str, ...] = ()  # the outside accounts the trust names
    federated: tuple[Access, ...] = ()  # the identity providers that get in (federation.py)

    def with_pinned(self, pinned: list[str]) -> TrustVerdict:
        """The same verdict with other pinned IDs (dataclasses.replace, without its cost: the
        memo maps a vendor's shared verdict back to each integration's own IDs)."""
        copy = object.__new__(TrustVerdict)
        copy.__dict__.update(self.__dict__)
        object.__setattr__(copy, "pinned", pinned)
        return copy


def vendor_names(accounts: Any) -> str:
    """The named parties among outside accounts, as a finding shows them: our profiles, the
    user's [[vendor]] entries and --known-accounts, fwd:cloudsec's list (provisioner.naming)."""
    from provisioner.naming import current

    return current().vendor_names(accounts)


NOBODY = TrustVerdict([], False, "", [])


def judge_trust(
    trust_doc: Any,
    account: str,
    org_accounts: frozenset[str],
    rcps: Levels = (),
    *,
    role_arn: str | None = None,
    own_orgs: tuple[str, ...] = (),
    role_keys: tuple[tuple[str, str], ...] = (),
) -> TrustVerdict:
    """The trust rules, read from the exact analysis of the trust (and the RCPs, asked about
    `role_arn`, the role's own ARN; `own_orgs`, the audited organization's ID when known: a
    caller outside it cannot claim it in aws:PrincipalOrgID; `role_keys`, when given, the role's
    own keys with all its tags, audit/memo_key.role_keys: a trust or an RCP reading
    aws:ResourceTag/<key> is decided for this role, as validate decides it).

    The parties are the accounts the trust (or an RCP) names as callers
    (analysis/verdict.named_accounts), but for the role's own account and its organization's.
    Someone else getting in is trust-any-principal; a party getting in with no ID is
    cross-account-no-external-id when the trust has no sts:ExternalId condition at all, else
    external-id-not-pinned, as is a party getting in with an ID that is not issued ("IAM JSON
    policy elements: Condition operators"; "How to use an external ID when granting access to
    your AWS resources to a third party").
    A door (or a party's issued ID) that the trust opens and the RCPs close is
    trust-blocked-by-organization, at info ("Resource control policies": they apply to
    sts:AssumeRole on the account's roles)."""
    arn = role_arn or _placeholder_arn(account)
    ours = {account, *org_accounts}
    from provisioner.analysis.verdict import unreadable

    if unreadable(trust_doc) is None and not may_name(trust_doc, "other", None, tuple(ours)):
        return with_federated(NOBODY, _federated(trust_doc))  # no AWS principal outside: no z3
    from provisioner.analysis.verdict import analyze

    parties = _parties(trust_doc, rcps, ours)

    def ask(document: Any, levels: Levels) -> TrustAnswer:
        return analyze(
            document,
            role_arn=arn,
            parties=parties,
            own_account=account,
            org_accounts=org_accounts,
            own_orgs=own_orgs,
            rcps=levels,
            resource_keys=role_keys,
            resource_tags=bool(role_keys),
        )

    answer = ask(trust_doc, rcps)
    found, doors = _opening_hits(answer, trust_doc, arn)
    roots = _account_roots(trust_doc, answer, parties, lambda d: ask(d, rcps), arn, rcps)
    found, doors = [*found, *(hit for hit, _ in roots)], [*doors, *(door for _, door in roots)]
    refused_by: dict[str, None] = {}
    if rcps:
        free = ask(trust_doc, ())
        found += _blocked(trust_doc, free, answer, arn, rcps, refused_by)
    getting_in = [p for p in answer.parties if p.admitted is not None]
    reached = (["*"] if answer.other.admitted is not None else []) + [str(p.account) for p in getting_in]
    verdict = TrustVerdict(
        found,
        bool(reached),
        vendor_names(parties),
        sorted({i for p in getting_in for i in p.issued_in}),
        tuple(dict.fromkeys(reached)),
        tuple(refused_by),
        tuple(doors),
        tuple(parties),
    )
    return with_federated(verdict, _federated(trust_doc))  # and the identity providers that get in


def _federated(trust_doc: Any) -> list[Access]:
    """The identity providers an Allow lets in through sts:AssumeRoleWithWebIdentity or
    sts:AssumeRoleWithSAML (provisioner/federation.py), when the trust names any."""
    if "Federated" not in repr(trust_doc):
        return []
    from provisioner.federation import federated_access

    return federated_access(statements(trust_doc))


def with_federated(verdict: TrustVerdict, federated: list[Access]) -> TrustVerdict:
    """The verdict with the federated parties in: each is an outside party that can assume the
    role (listed, its grants judged), and a provider whose subject is not pinned is a finding
    (federated-any-subject, federated-subject-not-pinned, federated-not-decided)."""
    if not federated:
        return verdict
    hits = [Hit(a.rule, a.message, a.where) for a in federated if a.rule is not None]
    names = list(dict.fromkeys(a.provider.name for a in federated))
    return replace(
        verdict,
        found=[*verdict.found, *hits],
        external=True,
        vendor=", ".join(n for n in (verdict.vendor, *names) if n),
        reached_by=tuple(dict.fromkeys([*verdict.reached_by, *(a.token for a in federated)])),
        federated=tuple(federated),
    )


def _parties(trust_doc: Any, rcps: Levels, ours: set[str]) -> list[str]:
    """The outside accounts the trust names as callers, and those the RCPs name: an RCP that
    spares the vendor's account makes it the one party that gets in, not "any other account"."""
    from provisioner.analysis.verdict import named_accounts

    named = [
        *named_accounts(trust_doc),
        *(a for level in rcps for p in level for a in named_accounts(p.document)),
    ]
    return [a for a in dict.fromkeys(named) if a not in ours]


def _opening_hits(answer: TrustAnswer, trust_doc: Any, arn: str) -> tuple[list[Hit], list[Door]]:
    """One finding per kind of opening and caller class (its first door is the example)."""
    from provisioner.analysis.verdict import openings

    found: list[Hit] = []
    doors: list[Door] = []
    seen: set[tuple[str, str]] = set()
    for opening in openings(answer, trust_doc, arn):
        if (opening.kind, opening.who.name) not in seen:
            seen.add((opening.kind, opening.who.name))
            found.append(Hit(_RULE[opening.kind], opening.message, opening.path))
            doors.append(opening.door)
    return found, doors


def _placeholder_arn(account: str) -> str:
    return role_arn(account, PLACEHOLDER_ROLE)


def _account_roots(
    trust_doc: Any,
    answer: TrustAnswer,
    parties: list[str],
    ask: Callable[[Any], TrustAnswer],
    arn: str,
    rcps: Levels,
) -> list[tuple[Hit, Door]]:
    """trusts-account-root: the trust names a party's account (its root, or its bare ID) and a
    principal of that account other than those the trust names by ARN gets in, with an issued
    ID when there is one ("IAM JSON policy elements: Principal", AWS account principals: the
    account delegates to every principal its own policies let call sts:AssumeRole)."""
    found: list[tuple[Hit, Door]] = []
    by_account = {p.account: p for p in answer.parties}
    for account in parties:
        where = _root_statement(trust_doc, account)
        who = by_account.get(account)
        if where is None or who is None or who.admitted is None:
            continue
        named = _named_principals(trust_doc, account)
        if named:  # ask again with the principals the trust names by ARN shut out
            deny = {"Effect": "Deny", "Principal": {"AWS": named}, "Action": "sts:AssumeRole"}
            # the same issued IDs and parties: the added Deny has no condition and names no one new
            again = ask(_with_statement(trust_doc, deny))
            who = next(p for p in again.parties if p.account == account)
        door = _issued_door(who, answer)
        if door is None:
            continue
        door = _readable(door, account, trust_doc, arn, rcps)
        message = (
            f"every principal of account {account} that may call sts:AssumeRole can assume the role: "
            f"for example {door.describe()}"
        )
        found.append((Hit("trusts-account-root", message, where.path), door))
    return found


def _issued_door(who: ClassAnswer, answer: TrustAnswer) -> Door | None:
    """A door of the class with an issued ID when the trust issues any, else any door."""
    if who.admitted is None:
        return None
    if not answer.issued:
        return who.admitted
    if not who.issued_in:
        return None
    door = who.admitted
    if door.external_id is not None and door.external_id in who.issued_in:
        return door

    return dataclasses.replace(door, external_id=who.issued_in[0])


def _readable(door: Door, account: str, trust_doc: Any, arn: str, rcps: Levels) -> Door:
    """The door with a caller named for what it is (a role of the account that the trust never
    names), when the concrete evaluator lets that one in too; else the analysis's own."""
    from provisioner.evaluation import evaluate

    caller = session_arn(account, "some-other-role", "session")
    shown = replace(door, caller=caller)
    request = shown.request(arn)
    allowed = evaluate([Policy("trust policy", trust_doc)], request).allowed
    if allowed and (not rcps or organization_decision((), rcps, request) is None):
        return shown
    return door


def _root_statement(trust_doc: Any, account: str) -> Statement | None:
    for statement in statements(trust_doc):
        if statement.is_allow and any(
            v in (account, f"arn:aws:iam::{account}:root") for v in aws_principals(statement)
        ):
            return statement
    return None


def _named_principals(trust_doc: Any, account: str) -> list[str]:
    """The principals of `account` an Allow names by ARN: in Principal, and as a literal
    aws:PrincipalArn value; and those a Deny spares by a negated aws:PrincipalArn condition."""
    found: list[str] = []
    for statement in statements(trust_doc):
        if not statement.is_allow:
            # a Deny unless aws:PrincipalArn is one of these names them too: it spares only them
            # (trial 22p item 7: Allow the root, Deny all but role/ingest)
            found += [
                v
                for operator, key, values in statement.conditions()
                if key.lower() == "aws:principalarn" and "not" in operator.lower()
                for v in values
                if isinstance(v, str) and not has_wildcard(v) and account_of(v) == account
            ]
            continue
        found += [
            v
            for v in aws_principals(statement)
            if v not in (account, f"arn:aws:iam::{account}:root") and account_of(v) == account
        ]
        for _, key, values in statement.conditions():
            if key.lower() == "aws:principalarn":
                found += [
                    v
                    for v in values
                    if isinstance(v, str) and not has_wildcard(v) and account_of(v) == account
                ]
    return list(dict.fromkeys(found))


def _with_statement(trust_doc: Any, statement: dict[str, Any]) -> dict[str, Any]:
    raw = trust_doc.get("Statement")
    listed = raw if isinstance(raw, list) else [raw]
    return {**trust_doc, "Statement": [*listed, statement]}


def _blocked(
    trust_doc: Any,
    free: TrustAnswer,
    answer: TrustAnswer,
    arn: str,
    rcps: Levels,
    refused_by: dict[str, None],
) -> list[Hit]:
    """trust-blocked-by-organization: what the trust lets in without the RCPs and not with them
    (someone else; a party with no ID, with an ID not issued, with an issued ID)."""
    trust = [Policy("trust policy", trust_doc)]
    found: list[Hit] = []
    if free.other.admitted is not None and answer.other.admitted is None:
        why, where = _refusal(trust, [free.other.admitted], arn, rcps, refused_by)
        message = (
            "the trust lets any AWS account in, but the organization refuses the "
            f"sts:AssumeRole of accounts outside it: {why}"
        )
        found.append(Hit("trust-blocked-by-organization", message, where))
    with_rcps = {p.account: p for p in answer.parties}
    for party in free.parties:
        kept = with_rcps.get(party.account)
        lost: list[Door] = []
        if party.without_id is not None and (kept is None or kept.without_id is None):
            lost.append(party.without_id)
        if party.other_id is not None and (kept is None or kept.other_id is None):
            lost.append(party.other_id)
        shut = [i for i in party.issued_in if kept is None or i not in kept.issued_in]
        if party.admitted is not None and shut:
            lost += [_issued_door(party, free) or party.admitted]
        if not lost:
            continue
        why, where = _refusal(trust, lost, arn, rcps, refused_by)
        what = f"with {party.ids}" if kept is None or kept.admitted is None else _lost_words(lost, shut)
        message = (
            f"the trust lets {party.name} in {what}, but the organization refuses its sts:AssumeRole: {why}"
        )
        found.append(Hit("trust-blocked-by-organization", message, where))
    return found


def _lost_words(lost: list[Door], shut: list[str]) -> str:
    """What the RCPs took away from a party that still gets in, in words."""
    parts = []
    if any(d.external_id is None for d in lost):
        parts.append("with no external ID")
    if shut:
        parts.append("with the issued ID" + ("s " if len(shut) > 1 else " ") + ", ".join(shut))
    if any(d.external_id is not None and d.external_id not in shut for d in lost):
        parts.append("with IDs that are not issued")
    return " or ".join(parts)


def _refusal(
    trust: list[Policy], doors: list[Door], arn: str, rcps: Levels, refused_by: dict[str, None]
) -> tuple[str, str]:
    """Why the RCPs refuse the first of the doors they refuse (recorded in `refused_by`), and
    the trust statement that lets it in."""
    from provisioner.evaluation import evaluate

    for door in doors:
        request = door.request(arn)
        decision: Decision | None = organization_decision((), rcps, request)
        if decision is None:
            continue
        refused_by.update(dict.fromkeys(decision.deciders))
        allowed = evaluate(trust, request)
        return decision.reason(), allowed.allows[0].path if allowed.allows else ""
    names = [p.name for level in rcps for p in level if any(s.effect == "Deny" for s in p.statements)]
    refused_by.update(dict.fromkeys(names))
    return f"refused by the resource control policies ({', '.join(names) or 'a level allows none'})", ""
