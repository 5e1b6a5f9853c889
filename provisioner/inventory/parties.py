"""Pure: the inventory from what audit read and judged. One entry per outside party (a named
vendor, an AWS service, an unknown account, or anyone), each role it can assume beneath with the
exact trust verdict, external-ID hygiene, data scope, power beyond data, use and removal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from provisioner.audit.grants import may_tag_session
from provisioner.audit.memo_key import Memo
from provisioner.audit.model import AccountData, AuditResult, RoleDetail
from provisioner.audit.rules import analyse, unused
from provisioner.audit.scope import Scope
from provisioner.federation import PREFIX as FEDERATED
from provisioner.iam import aws_principals, statements
from provisioner.inventory.actions import BUCKET_WRITES, OWNER_ONLY, RIGHT_OF
from provisioner.inventory.browser import browser_access
from provisioner.inventory.chaining import Chained, chained_accesses
from provisioner.inventory.hygiene import findings_by_role, id_notes, reuse_is_mine, shared_ids
from provisioner.inventory.key_parties import key_directs
from provisioner.inventory.model import (
    ANYONE,
    Bucket,
    DataScope,
    InventoryResult,
    Key,
    PartyEntry,
    RoleAccess,
)
from provisioner.inventory.narrowing import org_party, pinned_orgs
from provisioner.inventory.removal import leaves, removal, same_place
from provisioner.inventory.scope import data_scope
from provisioner.inventory.sessions import role_chain, session_context, unread_policies
from provisioner.inventory.way_in import Way, own_example, own_findings, own_ids, own_way_in, star_allows
from provisioner.model import Severity, account_of
from provisioner.model.findings import Finding
from provisioner.naming import AWS_SERVICE, IDENTITY_PROVIDER, VENDOR, Names, Party

PROVIDERS_FILE = "policies/federated-providers.json"
TRUST_RULES = (
    "trust-any-principal",
    "cross-account-no-external-id",
    "external-id-not-pinned",
    "trusts-account-root",
    "federated-any-subject",
    "federated-subject-not-pinned",
    "federated-not-decided",
)


def build(
    data: list[AccountData],
    result: AuditResult,
    memo: Memo,
    names: Names,
    *,
    org_accounts: frozenset[str],
    now: datetime,
    unused_days: int,
    buckets: dict[str, list[Bucket]],
    keys: dict[str, list[Key]] | None = None,
    profile: str | None = None,
    caller_account: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> InventoryResult:
    """The parties, worst first (cross-account administrators first of all)."""
    by_role = findings_by_role([f for f in result.findings if f.suppressed is None])
    entries: dict[str, PartyEntry] = {}
    id_holders: dict[str, set[tuple[str, str]]] = defaultdict(set)  # ID -> (role ARN, party account)
    accesses: list[tuple[RoleAccess, list[str]]] = []
    same = same_place(region, endpoint_url)
    scopes: dict[tuple[str, ...], DataScope] = {}  # one scope per distinct question
    ours = frozenset({*(a.account for a in data), *org_accounts})  # every audited account is ours
    firsts: list[tuple[AccountData, RoleDetail, tuple[str, ...], list[Any]]] = []

    def complete(found: RoleDetail, account: AccountData, access: RoleAccess, power: Any = None) -> None:
        """What build() decides beside a role's access: scope, power (analysed here where not
        given), use and removal."""
        own = buckets.get(account.account, [])
        access.scope = _scope(found, account, own, scopes, (keys or {}).get(account.account))
        if power is None:  # a role reached by chaining: judged through audit's memo, as analyse does
            grant = Scope(account.account, account.policies, org_accounts, memo, account.org).grant(found)
            power = grant.privileged if grant else ()
        access.power = power
        access.stale = bool(unused(found, now, unused_days))
        access.remove = removal(found, account.account, profile, caller_account, same)

    for account in data:
        if account.error:
            continue
        scope = Scope(account.account, account.policies, org_accounts, memo, account.org)
        for role in account.roles:
            analysis = analyse(role, scope, now, unused_days)
            trust = analysis.trust
            outside = tuple(a for a in trust.reached_by if a not in ours)
            if not trust.external or not outside:
                continue
            findings = by_role.get(role.arn, [])
            base = _access(role, account, analysis.pinned, outside, findings, names, ours)
            complete(role, account, base, analysis.grant.privileged if analysis.grant else ())
            everyone = [
                (reached, *found)
                for reached in outside
                for found in parties_of(reached, names, ours, role.trust)
            ]
            for reached, party, mine in everyone:
                access = base
                if len(everyone) > 1:  # each party's entry: its own way in
                    others = [p.label for _, p, _ in everyone if p != party]
                    pins, doors = analysis.pinned, trust.doors
                    way = Way(reached, mine, party.label, role.trust, outside, others, pins, trust.federated, doors, role.arn)  # noqa: E501  # fmt: skip
                    access = _own_access(base, way, role, findings)
                    access.id_notes = id_notes(access.external_ids, role, (reached,), names)
                _enter(entries.setdefault(party_key(party), PartyEntry(party)), reached, access, accesses)
                for external_id in access.external_ids:
                    id_holders[external_id].add((role.arn, party_key(party)))
            firsts.append((account, role, outside, everyone))
    for account, role, outside, everyone in firsts:  # the roles each reaches by chaining
        for access in _chains(role, account, outside, by_role, names, ours, complete):
            for reached, party, _ in everyone:
                _enter(entries.setdefault(party_key(party), PartyEntry(party)), reached, access, accesses)
    _direct(entries, data, buckets, names, ours, keys or {})
    shared_ids(accesses, id_holders)
    return _finished(entries, buckets, names, result)


def _finished(
    entries: dict[str, PartyEntry], buckets: dict[str, list[Bucket]], names: Names, result: AuditResult
) -> InventoryResult:
    """The parties with their browser access, worst first, and the run's notes."""
    browser_access(entries, buckets, names)
    parties = sorted(entries.values(), key=lambda e: e.sort_key)
    offline = "bucket policies and CORS rules not read (offline): scope is from the role's policies alone"
    return InventoryResult(result.accounts, parties, result, [*result.notes, *([offline] * (not buckets))])


def _chains(
    first: RoleDetail,
    account: AccountData,
    outside: tuple[str, ...],
    by_role: dict[str, list[Finding]],
    names: Names,
    ours: frozenset[str],
    complete: Callable[[RoleDetail, AccountData, RoleAccess], None],
) -> list[RoleAccess]:
    """The roles a session of `first` reaches by chaining, as accesses of its parties."""

    def access_of(found: Chained) -> RoleAccess:
        # the way in is the first role's trust: its findings rank the chained role too (22y item 3)
        entry = [f for f in by_role.get(first.arn, []) if f.rule in TRUST_RULES]
        findings = by_role.get(found.role.arn, []) + entry
        return _access(found.role, account, list(found.ids), outside, findings, names, ours)

    def context_of(role: RoleDetail, caller: str) -> dict[str, Any]:
        return session_context(role, account, caller)

    return chained_accesses(
        first, account, lambda role: role_chain(role, account), context_of, access_of, complete
    )


def _enter(
    entry: PartyEntry, reached: str, access: RoleAccess, accesses: list[tuple[RoleAccess, list[str]]]
) -> None:
    """The role beneath its party's entry, once."""
    if reached not in entry.accounts:
        entry.accounts.append(reached)
    if all(r.role_arn != access.role_arn for r in entry.roles):
        entry.roles.append(access)
        accesses.append((access, [reached]))


def _direct(
    entries: dict[str, PartyEntry],
    data: list[AccountData],
    buckets: dict[str, list[Bucket]],
    names: Names,
    ours: frozenset[str],
    keys: dict[str, list[Key]],
) -> None:
    """The parties a bucket policy (or a KMS key policy) of an audited account names directly
    (no role between), beside those that assume a role: inventory promises every outside party."""
    for grant in key_directs(data, keys, names, ours):
        entries.setdefault(party_key(grant.party), PartyEntry(grant.party)).direct.append(grant)
    from provisioner.inventory.direct import direct_grants

    read = {a.account for a in data if a.error is None}
    org_ids = frozenset(a.org.org_id for a in data if a.org is not None and a.org.org_id)
    owners = {b.name: account for account, found in buckets.items() for b in found}
    rcps = {a.account: a.org.rcps for a in data if a.org is not None}
    for account, found in buckets.items():
        if account not in read:
            continue
        for bucket in found:
            for grant in direct_grants(
                bucket,
                "",
                RIGHT_OF,
                names,
                ours,
                control=tuple(a for a in BUCKET_WRITES if a not in OWNER_ONLY),
                org_ids=org_ids,
                bucket_accounts=owners,
                rcps=rcps.get(account, ()),
            ):
                entry = entries.setdefault(party_key(grant.party), PartyEntry(grant.party))
                if (
                    grant.party.where == grant.party.account != ANYONE
                    and grant.party.account not in entry.accounts
                ):
                    entry.accounts.append(grant.party.account)
                entry.direct.append(grant)


def party_key(party: Party) -> str:
    """One entry per named vendor or AWS service (all its accounts), one per unknown account."""
    return f"{party.kind}:{party.name}" if party.kind in (VENDOR, AWS_SERVICE) else party.account


def party_of(reached: str, names: Names, ours: frozenset[str], trust: Any = None) -> Party:
    """The (first) party behind an account that gets in: see `parties_of`."""
    return parties_of(reached, names, ours, trust)[0][0]


def parties_of(
    reached: str, names: Names, ours: frozenset[str], trust: Any = None
) -> list[tuple[Party, list[str]]]:
    """The parties behind an account that gets in, each with its principals the trust names;
    `trust`: the role's trust, whose principals of that account a [[vendor]] entry's principal
    patterns may name (one account may host several parties)."""
    if reached == ANYONE:
        orgs = _pinned_orgs(trust)  # "*" narrowed to organizations: their accounts (trial 22q)
        return [(org_party(o), ["*"]) for o in orgs] or [
            (Party(ANYONE, "anyone (any AWS account)", "anyone"), ["*"])
        ]
    if reached.startswith(FEDERATED):  # an identity provider (provisioner/federation.py)
        return [(Party(reached, reached.removeprefix(FEDERATED), IDENTITY_PROVIDER, PROVIDERS_FILE), [])]
    return names.parties(reached, ours, principals_of(trust, reached) if trust is not None else ())


def _own_access(base: RoleAccess, way: Way, role: RoleDetail, findings: list[Finding]) -> RoleAccess:
    """The role's access as one of the several parties it lets in sees it: its own way in, IDs,
    findings and worst verdict (never another party's)."""
    access = replace(base, id_notes=list(base.id_notes))
    ids = own_ids(role.trust, way.mine, way.pinned)
    access.external_ids = ids or []  # the IDs of its own way in
    own = own_findings([f for f in findings if f.rule in TRUST_RULES], way)
    access.trust = own_way_in(way, [own_example(f.message, way, ids) for f in own])
    mine = [f for f in findings if (f.rule not in TRUST_RULES or f in own) and reuse_is_mine(f, ids)]
    worst = min((f.severity for f in mine), key=lambda s: s.rank, default=None)
    access.severity = worst if isinstance(worst, Severity) else None
    access.rules = sorted({f.rule for f in mine})
    also = f"it also removes {_possessive(way.others)} access: the role lets them in too"
    access.leaves = f"{base.leaves}; {also}"
    return access


def _possessive(labels: list[str]) -> str:
    """ "Ci Corp's and unknown account 222233334444's" """
    owned = [f"{label}'s" for label in dict.fromkeys(labels)]
    return owned[0] if len(owned) == 1 else f"{', '.join(owned[:-1])} and {owned[-1]}"


def _pinned_orgs(trust: Any) -> list[str]:
    """The organizations every Allow of the trust that names "*" is limited to (callers.pinned_orgs),
    [] where one is not."""
    found = [pinned_orgs(s) for s in star_allows(trust)]
    if not found or any(orgs is None for orgs in found):
        return []
    return list(dict.fromkeys(o for orgs in found for o in orgs or []))


def principals_of(trust: Any, account: str) -> list[str]:
    """The AWS principals of `account` the Allow statements of a trust name."""
    return [
        p
        for statement in statements(trust)
        if statement.is_allow
        for p in aws_principals(statement)
        if p != "*" and account_of(p) == account
    ]


def _access(
    role: RoleDetail,
    account: AccountData,
    pinned: list[str],
    reached_by: tuple[str, ...],
    findings: list[Finding],
    names: Names,
    ours: frozenset[str],
) -> RoleAccess:
    """The role's access but for what build() decides beside it (scope, power, use, removal)."""
    worst = min((f.severity for f in findings), key=lambda s: s.rank, default=None)
    return RoleAccess(
        account=account.account,
        role_arn=role.arn,
        role_name=role.name,
        trust=_trust_words(reached_by, pinned, findings, names, ours, role.trust),
        external_ids=list(pinned),
        id_notes=id_notes(pinned, role, reached_by, names),
        scope=DataScope(),
        power=(),
        created=role.created,
        last_used=role.last_used,
        last_region=role.last_used_region,
        stale=False,
        remove="",
        leaves=leaves(role),
        severity=worst if isinstance(worst, Severity) else None,
        rules=sorted({f.rule for f in findings}),
    )


def _trust_words(
    reached_by: tuple[str, ...],
    pinned: list[str],
    findings: list[Finding],
    names: Names,
    ours: frozenset[str],
    trust: Any = None,
) -> str:
    """The exact trust verdict: the trust findings' own words, else who gets in, with which IDs."""
    said = [f.message for f in findings if f.rule in TRUST_RULES]
    if said:
        return "; ".join(said)
    who = ", ".join(p.label for a in reached_by for p, _ in parties_of(a, names, ours, trust))
    if pinned:
        ids = ", ".join(repr(i) for i in pinned)
        return f"only {who} gets in, and only with the external ID{'s' if len(pinned) > 1 else ''} {ids}"
    return f"only {who} gets in"


def _scope(
    role: RoleDetail,
    account: AccountData,
    buckets: list[Bucket],
    memo: dict[tuple[str, ...], DataScope],
    keys: list[Key] | None = None,
) -> DataScope:
    """The role's data scope, once per distinct question in an account: its policies and
    boundary as written, its name where a bucket policy may name it, its tags where a policy
    reads them (the many roles of one integration share it)."""
    texts = repr([d for _, d in role.inline]) + repr(role.attached) + repr(role.permissions_boundary)
    # the role's name decides where any policy of its chain names it, or reads its ARN or session
    # (an SCP's aws:PrincipalArn pattern: trial 22m item 10, one role's scope given to another)
    org = account.org
    around = repr([b.policy for b in buckets]) + repr([k.policy for k in keys or ()])
    around += repr([[p.document for p in level] for level in (*org.scps, *org.rcps)]) if org else ""
    around += repr([account.policies.get(arn) for _, arn in role.attached])
    named = role.name in around or any(
        k in (around + texts).lower() for k in ("aws:principalarn", "aws:userid", "${")
    )
    tagged = "principaltag" in (texts + around).lower()  # an SCP's or RCP's tag condition too
    tagging = tagged and may_tag_session(role.trust)
    key = (
        account.account,
        texts,
        role.name if named else "",
        repr(role.tags) if tagged else "",
        str(tagging),
    )
    known = memo.get(key)
    if known is not None:
        return known
    chain = role_chain(role, account)
    memo[key] = found = data_scope(
        chain.identity,
        account.account,
        boundary=chain.boundary,
        scps=chain.scps,
        rcps=org.rcps if org else (),
        buckets=buckets,
        org_id=org.org_id if org else None,
        tags=role.tags,
        role_name=role.name,
        session_tags=tagging,
        keys=keys,
    )
    unread = unread_policies(role, account)
    if unread:
        why = "not in the file, refused, or not an IAM policy"
        note = f"{', '.join(unread)} not read ({why}): the scope is not decided"
        memo[key] = found = replace(found, unread=unread, notes=(*found.notes, note))
    return found
