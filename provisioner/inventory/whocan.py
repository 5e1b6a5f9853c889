"""Pure: `who-can read|write s3://BUCKET[/PREFIX]`, every outside principal that can read (or
write) objects there, and its route: party -> role -> bucket (a role the party can assume whose
session may, decided by the evaluator over the role's policies, boundary, SCPs, the bucket policy
and the RCPs), or party -> bucket policy (a statement naming the party directly; its own account
then decides for its principals, "Cross-account policy evaluation logic"). A party that may change
the bucket's policy (TAKEOVER) is listed for read and for write, one that may change its ACL for
write (reach.self_granted), unless an explicit Deny keeps it from them. A statement whose
condition the evaluator cannot decide for the party is a WARN naming it, never a pass."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from provisioner.audit.memo_key import Memo
from provisioner.audit.model import AccountData, AuditResult, RoleDetail
from provisioner.audit.rules import analyse
from provisioner.audit.scope import Scope
from provisioner.inventory.actions import EXPIRE, OWNER_ONLY, TAKEOVER, WHO_CAN
from provisioner.inventory.hygiene import findings_by_role, reuse_is_mine
from provisioner.inventory.model import ANYONE, Bucket, at_least, route_severity
from provisioner.inventory.narrowing import ORGANIZATION
from provisioner.inventory.parties import TRUST_RULES, parties_of
from provisioner.inventory.reach import (
    EXPIRE_WORDS,
    OBJECT_ACL,
    Reach,
    not_read,
    role_control,
    role_reach,
    self_granted,
    takeover_words,
)
from provisioner.inventory.sessions import unread_policies
from provisioner.inventory.way_in import (
    Way,
    anyones_ids,
    decided_by,
    gets_in,
    id_condition,
    own_example,
    own_findings,
    own_ids,
    without_id,
)
from provisioner.model import Severity
from provisioner.naming import Names, Party

# What "read" and "write" count: inventory.actions, the one definition inventory uses too.
ACTIONS = WHO_CAN
WRITES = frozenset(WHO_CAN["write"])
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Route:
    party: Party
    path: str  # "Datadog -> role/X -> s3://b/p" or "anyone -> bucket policy statement … -> s3://b/p"
    via: str  # "role" or "bucket policy"
    role_arn: str | None
    verdict: str  # "PASS"-like words: "can", or "WARN: depends on …"
    trust: str  # the role's exact trust verdict ("" for a bucket-policy route)
    condition: str  # the condition that decides it
    severity: Severity | None = None  # the worst audit finding on the role
    part: str = ""  # where under the target the grant is: "s3://b/prefix/" or a deeper pattern
    actions: tuple[str, ...] = ()  # the counted actions (ACTIONS) the route allows


@dataclass
class WhoCanResult:
    action: str  # "read" or "write"
    bucket: str
    prefix: str
    owner: str | None  # the audited account that holds the bucket (None: not found)
    routes: list[Route] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "action": self.action,
            "target": f"s3://{self.bucket}/{self.prefix}",
            "owner": self.owner,
            "routes": [
                {
                    "party": r.party.name,
                    "party_account": r.party.account,
                    "kind": r.party.kind,
                    "via": r.via,
                    "route": r.path,
                    "role_arn": r.role_arn,
                    "verdict": r.verdict,
                    "trust": r.trust,
                    "condition": r.condition,
                    "part": r.part,
                    "worst": r.severity.value if r.severity else None,
                    "actions": list(r.actions),
                }
                for r in self.routes
            ],
            "notes": self.notes,
        }


def who_can(
    action: str,
    bucket: str,
    prefix: str,
    data: list[AccountData],
    result: AuditResult,
    memo: Memo,
    names: Names,
    *,
    org_accounts: frozenset[str],
    buckets: dict[str, list[Bucket]],
    listed: bool = False,
) -> WhoCanResult:
    """`listed`: buckets were listed (online): one in none of them is another account's."""
    owner = next((a for a, found in buckets.items() if any(b.name == bucket for b in found)), None)
    answer = WhoCanResult(action, bucket, prefix, owner, notes=list(result.notes))  # audit's, as inventory's
    if owner is None:
        owner = data[0].account if len(data) == 1 and data[0].account.isdigit() else None
        answer.notes.append(
            f"bucket {bucket} is in none of the accounts read, or its policy was not read: routes through "
            "a bucket policy are not shown" + (f"; it is taken to be in account {owner}" if owner else "")
        )
    facts = next(
        (b for b in buckets.get(owner or "", []) if b.name == bucket),
        Bucket(bucket, owner or "", placed=False),
    )
    ours = frozenset({*(a.account for a in data), *org_accounts})
    routes = _role_routes(action, facts, prefix, data, result, memo, names, org_accounts, ours)
    if listed and answer.owner is None:  # trial 22r item 14: its owner's bucket policy decides
        why = f"WARN: not decided: bucket {bucket} is in none of the accounts read (if it exists, its owner's bucket policy decides)"  # noqa: E501
        routes = [replace(r, verdict=f"{why}; if so, {r.verdict}", severity=at_least(r.severity, Severity.MEDIUM)) for r in routes]  # noqa: E501  # fmt: skip
    answer.routes += routes
    org_ids = frozenset(a.org.org_id for a in data if a.org is not None and a.org.org_id)
    owners = {b.name: account for account, found in buckets.items() for b in found}
    owner_org = next((a.org for a in data if a.account == facts.account), None)
    rcps = owner_org.rcps if owner_org is not None else []
    answer.routes += _policy_routes(action, facts, prefix, names, ours, org_ids, owners, rcps)
    answer.routes.sort(key=lambda r: (r.severity.rank if r.severity else 9, r.party.name.lower(), r.path))
    return answer


def _role_routes(
    action: str,
    bucket: Bucket,
    prefix: str,
    data: list[AccountData],
    result: AuditResult,
    memo: Memo,
    names: Names,
    org_accounts: frozenset[str],
    ours: frozenset[str],
) -> list[Route]:
    worst = findings_by_role(result.findings)
    owner_org = next((a.org for a in data if a.account == bucket.account), None)
    routes: list[Route] = []
    for account in data:
        if account.error:
            continue
        scope = Scope(account.account, account.policies, org_accounts, memo, account.org)
        for role in account.roles:
            analysis = analyse(role, scope, datetime.now(UTC))
            if not analysis.trust.external:
                continue
            reaches = role_reach(role, account, bucket, owner_org, action, prefix)
            # who may change the bucket's policy or ACL may grant itself read and write
            reaches += role_control(role, account, bucket, owner_org, action, prefix)
            unread = unread_policies(role, account)
            if role.permissions_boundary and role.permissions_boundary in unread:  # it may narrow all
                boundary = role.permissions_boundary
                why = f"WARN: not decided: its boundary {boundary} not read (it may narrow this)"
                reaches = [
                    (
                        p,
                        shown,
                        acts,
                        why if v == "can" else f"{why}; if not, {v}" if v.startswith("can") else v,
                    )
                    for p, shown, acts, v in reaches
                ]
                unread = tuple(u for u in unread if u != boundary)
            head = f"s3://{bucket.name}/{prefix}*"
            # what the role's unread policies grant: not decided, unless the whole target is reached
            if unread and not any(r[3] == "can" and r[0].split(" (")[0] == head for r in reaches):
                reaches.append(not_read(role, account, bucket, owner_org, prefix, unread))
            reaches += _chained_reaches(role, account, bucket, owner_org, action, prefix)
            if reaches:
                routes += _party_routes(role, analysis, worst.get(role.arn, []), reaches, names, ours)
    return routes


def _chained_reaches(
    first: RoleDetail, account: AccountData, bucket: Bucket, owner_org: Any, action: str, prefix: str
) -> list[Reach]:
    """What the roles a session of `first` reaches by chaining (inventory.chaining) reach in the
    bucket, each part shown with the roles between (first -> … -> role -> part); a trust pinning
    an external ID the party may not know leaves it not decided."""
    from provisioner.inventory.chaining import chained
    from provisioner.inventory.sessions import role_chain, session_context

    found: list[Reach] = []
    context_of = lambda role, caller: session_context(role, account, caller)  # noqa: E731
    for hop in chained(first, account, lambda role: role_chain(role, account), context_of):
        reaches = role_reach(hop.session_role, account, bucket, owner_org, action, prefix)
        reaches += role_control(hop.session_role, account, bucket, owner_org, action, prefix)
        between = " -> ".join((*hop.path[1:], hop.role.arn))
        for part, shown, by_action, verdict in reaches:
            if (hop.ids or hop.undecided) and not verdict.startswith("WARN"):
                verdict = f"WARN: not decided: {hop.words}"
            found.append((part, f"{between} -> {shown}", by_action, verdict))
    return found


def _party_routes(
    role: RoleDetail,
    analysis: Any,
    findings: list[Any],
    reaches: list[Reach],
    names: Names,
    ours: frozenset[str],
) -> list[Route]:
    """The routes through a role its outside parties can assume, each party's own way in."""
    trust_words = "; ".join(f.message for f in findings if f.rule in TRUST_RULES)
    ids = analysis.pinned
    condition = id_condition(ids)
    severity = min((f.severity for f in findings), key=lambda s: s.rank, default=None)
    federated = {a.token: a for a in analysis.trust.federated}
    everyone = [
        (r, *found) for r in analysis.trust.reached_by for found in parties_of(r, names, ours, role.trust)
    ]
    routes: list[Route] = []
    for reached, party, mine in everyone:
        others = ", ".join(dict.fromkeys(p.label for _, p, _ in everyone if p != party))
        if len(everyone) > 1:  # each party's route: its own way in and its own findings
            way = Way(
                reached,
                mine,
                party.label,
                role.trust,
                analysis.trust.reached_by,
                [],
                analysis.pinned,
                analysis.trust.federated,
                analysis.trust.doors,
                role.arn,
            )
            trust_words, severity, ids = _own_route(findings, way)
            condition = id_condition(ids)
        if (party.account == ANYONE or party.account.startswith(ORGANIZATION)) and (
            star := anyones_ids(role.trust)
        ):
            ids, condition = star, f"{id_condition(star)} (anyone who knows it)"
        decides, pinned = decided_by(federated.get(reached), condition, ids)
        # one party: each door is its own (several: _own_route's IDs); one Allow suffices (22u item 1)
        bare = (
            without_id(analysis.trust.doors, reached, analysis.trust.parties, ids)
            if len(everyone) == 1
            else ""
        )
        if bare and reached not in federated:  # another statement lets it in with no ID, or any
            decides, pinned = f"none: {bare}", False
        for part, shown, by_action, verdict in reaches:
            routes.append(
                Route(
                    party,
                    f"{party.label} -> {role.arn} -> {shown}",
                    "role",
                    role.arn,
                    verdict,
                    trust_words or gets_in(party.label, others, decides, pinned),
                    verdict.removeprefix("WARN: ") if verdict.startswith("WARN") else decides,
                    route_severity(severity, verdict, any(a in WRITES for a in by_action)),
                    part,
                    tuple(by_action),
                )
            )
    return routes


def _policy_routes(
    action: str,
    bucket: Bucket,
    prefix: str,
    names: Names,
    ours: frozenset[str],
    org_ids: frozenset[str],
    owners: dict[str, str],
    rcps: Any = (),
) -> list[Route]:
    """Statements of the bucket policy that name an outside account (or "*") directly, and those
    that let it change the bucket's policy or ACL (it can grant itself read and write)."""
    from provisioner.inventory.direct import direct_grants

    found = direct_grants(
        bucket,
        prefix,
        tuple((a, a) for a in ACTIONS[action]),
        names,
        ours,
        org_ids=org_ids,
        bucket_accounts=owners,
        rcps=rcps,
    )
    control = direct_grants(
        bucket,
        "",
        (),
        names,
        ours,
        # another account: only the ACL (and, for write, a lifecycle rule: EXPIRE)
        control=(*(a for a in TAKEOVER if a not in OWNER_ONLY), *((EXPIRE,) if action == "write" else ())),
        org_ids=org_ids,
        bucket_accounts=owners,
        rcps=rcps,
    )
    found += [g for g in control if set(g.power) & {a.removeprefix("s3:") for a in (*TAKEOVER, EXPIRE)}]
    if action == "read":  # one that may set an object's ACL can grant itself READ on it
        acl = direct_grants(
            bucket, prefix, tuple((a, a) for a in OBJECT_ACL), names, ours,
            org_ids=org_ids, bucket_accounts=owners, rcps=rcps,
        )  # fmt: skip
        found += [replace(g, power=tuple(a.removeprefix("s3:") for a in g.rights)) for g in acl]
    routes: list[Route] = []
    for grant in found:
        taken = tuple(f"s3:{a}" for a in grant.power if f"s3:{a}" in (*TAKEOVER, *OBJECT_ACL, EXPIRE))
        verdict = grant.verdict
        if taken:
            words = _control_words(bucket, prefix, grant, taken, action)
            if not words:
                continue  # an explicit Deny keeps it from `action` however it grants itself
            verdict = words if grant.decided else f"{verdict}; if so, {words}"
        routes.append(
            Route(
                grant.party,
                f"{grant.party.label} -> bucket policy {grant.statement} -> {grant.part}",
                "bucket policy",
                None,
                verdict,
                "",
                grant.condition,
                grant.severity,
                grant.part,
                taken or grant.rights,
            )
        )
    return routes


def _control_words(bucket: Bucket, prefix: str, grant: Any, taken: tuple[str, ...], action: str) -> str:
    """What a party the bucket policy lets change the bucket can do with it for `action`."""
    grants = tuple(a for a in taken if a != EXPIRE)
    granted = _granted_directly(bucket, prefix, grant, grants, action) if grants else ()
    words = [takeover_words(grants, action, granted)] if granted else []
    return "; ".join(words + ([EXPIRE_WORDS] if EXPIRE in taken else []))


def _granted_directly(
    bucket: Bucket, prefix: str, grant: Any, taken: tuple[str, ...], action: str
) -> tuple[str, ...]:
    """What of `action` a party the bucket policy lets change the bucket's ACL (or policy) can
    grant itself there: reach.self_granted, asked as a principal of its account."""
    from provisioner.evaluation import Policy, Request
    from provisioner.evaluation.chain import Chain
    from provisioner.evaluation.context import caller_context
    from provisioner.inventory.callers import stranger
    from provisioner.inventory.direct import THEIRS
    from provisioner.inventory.parts import probe_arn
    from provisioner.model import session_arn

    account = stranger(bucket.policy) if grant.party.account == ANYONE else grant.party.account
    caller = session_arn(account, "any-role", "session")
    policy = [Policy(f"bucket policy of {bucket.name}", bucket.policy)] if bucket.policy else []
    chain = Chain(identity=[THEIRS], resource=policy, cross_account=True)
    asked = Request(caller, "", probe_arn(bucket.name, prefix), caller_context(caller))
    return self_granted(chain, asked, taken, action)


def _own_route(findings: list[Any], way: Way) -> tuple[str, Severity | None, list[str]]:
    """One party's own trust words, worst severity and IDs, where a role lets in several."""
    ids = own_ids(way.trust, way.mine, way.pinned)
    own = own_findings([f for f in findings if f.rule in TRUST_RULES], way)
    mine_found = [f for f in findings if (f.rule not in TRUST_RULES or f in own) and reuse_is_mine(f, ids)]
    severity = min((f.severity for f in mine_found), key=lambda s: s.rank, default=None)
    return "; ".join(own_example(f.message, way, ids) for f in own), severity, ids or []
