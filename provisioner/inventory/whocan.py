"""Pure: `who-can read|write s3://BUCKET[/PREFIX]`, every outside principal that can read (or
write) objects there, and its route: party -> role -> bucket (a role the party can assume whose
session may, decided by the evaluator over the role's policies, boundary, SCPs, the bucket policy
and the RCPs), or party -> bucket policy (a statement naming the party directly; its own account
then decides for its principals, "Cross-account policy evaluation logic"). A party that may change
the bucket's policy or ACL (TAKEOVER) is listed for read and for write: it can grant itself both.
A statement whose
condition the evaluator cannot decide for the party is a WARN naming it, never a pass."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from provisioner.audit.memo_key import Memo
from provisioner.audit.model import AccountData, AuditResult, RoleDetail
from provisioner.audit.rules import analyse
from provisioner.audit.scope import Scope
from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.context import caller_context
from provisioner.iam import statements, wildcard_match
from provisioner.inventory.actions import TAKEOVER, WHO_CAN
from provisioner.inventory.hygiene import findings_by_role, reuse_is_mine
from provisioner.inventory.model import Bucket
from provisioner.inventory.parties import TRUST_RULES, parties_of, role_chain, unread_policies
from provisioner.inventory.parts import PROBE_KEY, probes
from provisioner.inventory.way_in import Way, own_example, own_findings, own_ids
from provisioner.model import Severity, session_arn
from provisioner.naming import Names, Party

# What "read" and "write" count: inventory.actions, the one definition inventory uses too.
ACTIONS = WHO_CAN
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
) -> WhoCanResult:
    owner = next((a for a, found in buckets.items() if any(b.name == bucket for b in found)), None)
    answer = WhoCanResult(action, bucket, prefix, owner)
    if owner is None:
        owner = data[0].account if len(data) == 1 and data[0].account.isdigit() else None
        answer.notes.append(
            f"bucket {bucket} is in none of the accounts read, or its policy was not read: routes through "
            "a bucket policy are not shown" + (f"; it is taken to be in account {owner}" if owner else "")
        )
    facts = next((b for b in buckets.get(owner or "", []) if b.name == bucket), Bucket(bucket, owner or ""))
    ours = frozenset({*(a.account for a in data), *org_accounts})
    answer.routes += _role_routes(action, facts, prefix, data, result, memo, names, org_accounts, ours)
    org_ids = frozenset(a.org.org_id for a in data if a.org is not None and a.org.org_id)
    owners = {b.name: account for account, found in buckets.items() for b in found}
    answer.routes += _policy_routes(action, facts, prefix, names, ours, org_ids, owners)
    answer.routes.sort(key=lambda r: (r.severity.rank if r.severity else 9, r.party.name.lower(), r.path))
    return answer


def _bucket_chain(role: Any, account: AccountData, bucket: Bucket, owner_org: Any) -> tuple[Chain, Chain]:
    """The role's own chain, and the chain of its session's request to the bucket: its policies,
    boundary and SCPs, the bucket's policy and the bucket owner's RCPs."""
    chain = role_chain(role, account)
    full = Chain(
        identity=chain.identity,
        resource=[Policy(f"bucket policy of {bucket.name}", bucket.policy)] if bucket.policy else (),
        boundary=chain.boundary,
        scps=chain.scps,
        rcps=owner_org.rcps if owner_org else (),
        cross_account=account.account != bucket.account,
    )
    return chain, full


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
            reaches = _role_reach(role, account, bucket, owner_org, action, prefix)
            # who may change the bucket's policy or ACL may grant itself read and write
            reaches += _role_control(role, account, bucket, owner_org, action)
            unread = unread_policies(role, account)
            if not reaches and unread:  # what the role's unread policies grant: not decided
                reaches = [_not_read(role, account, bucket, owner_org, prefix, unread)]
            if reaches:
                routes += _party_routes(role, analysis, worst.get(role.arn, []), reaches, names, ours)
    return routes


Reach = tuple[str, str, dict[str, Any], str]  # part, the parts as shown, actions that reach, verdict


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
    condition = _id_condition(ids)
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
            condition = _id_condition(ids)
        decides, pinned = _decided(federated.get(reached), condition, ids)
        for part, shown, by_action, verdict in reaches:
            routes.append(
                Route(
                    party,
                    f"{party.label} -> {role.arn} -> {shown}",
                    "role",
                    role.arn,
                    verdict,
                    trust_words or _gets_in(party.label, others, decides, pinned),
                    verdict.removeprefix("WARN: ") if verdict.startswith("WARN") else decides,
                    severity
                    if verdict == "can" or verdict.startswith("WARN")
                    else _at_least(severity, Severity.HIGH),
                    part,
                    tuple(by_action),
                )
            )
    return routes


def _not_read(
    role: RoleDetail,
    account: AccountData,
    bucket: Bucket,
    owner_org: Any,
    prefix: str,
    unread: tuple[str, ...],
) -> Reach:
    """A role whose policies were not all read reaches nothing through those that were: a WARN,
    never left out (trial 22e: a cross-account AdministratorAccess role was silently absent)."""
    _, full = _bucket_chain(role, account, bucket, owner_org)
    caller = session_arn(account.account, role.name, "vendor-session")
    resource = f"arn:aws:s3:::{bucket.name}/{prefix}{PROBE_KEY}"
    decision = authorize(full, Request(caller, "s3:GetObject", resource, caller_context(caller)))
    why = f"WARN: not decided: {', '.join(unread)} not read (not in the file, or refused)"
    part = f"s3://{bucket.name}/{prefix}*"
    return part, _with_allows(part, decision), {}, why


def _at_least(severity: Severity | None, floor: Severity) -> Severity:
    return severity if severity is not None and severity.rank <= floor.rank else floor


def _role_control(
    role: RoleDetail, account: AccountData, bucket: Bucket, owner_org: Any, action: str
) -> list[Reach]:
    """The role's session may change the bucket's policy or ACL, and so grant itself `action`."""
    _, full = _bucket_chain(role, account, bucket, owner_org)
    caller = session_arn(account.account, role.name, "vendor-session")
    arn = f"arn:aws:s3:::{bucket.name}"
    allowed = {
        a: d
        for a in TAKEOVER
        if (d := authorize(full, Request(caller, a, arn, caller_context(caller)))).allowed
    }
    if not allowed:
        return []
    part = f"s3://{bucket.name} (the bucket)"
    return [
        (part, _with_allows(part, next(iter(allowed.values()))), allowed, takeover_words(allowed, action))
    ]


def _with_allows(part: str, decision: Any) -> str:
    """A part as a route shows it: with the statements that allow it there."""
    allows = ", ".join(h.describe() for h in decision.allows)
    return f"{part} ({allows})" if allows else part


def _reached(chain: Chain, caller: str, action: str, asked: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    """(part, decision) for every part under the prefix the session may reach: the prefix itself
    (the first asked) is every part under it."""
    hits = []
    for index, (part, resource) in enumerate(asked):
        decision = authorize(chain, Request(caller, action, resource, caller_context(caller)))
        if decision.allowed:
            hits.append((part, decision))
            if index == 0:
                break
    return hits


def _policy_routes(
    action: str,
    bucket: Bucket,
    prefix: str,
    names: Names,
    ours: frozenset[str],
    org_ids: frozenset[str],
    owners: dict[str, str],
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
    )
    control = direct_grants(
        bucket, "", (), names, ours, control=TAKEOVER, org_ids=org_ids, bucket_accounts=owners
    )
    found += [g for g in control if set(g.power) & {a.removeprefix("s3:") for a in TAKEOVER}]
    routes: list[Route] = []
    for grant in found:
        taken = tuple(f"s3:{a}" for a in grant.power if f"s3:{a}" in TAKEOVER)
        verdict = grant.verdict
        if taken:
            words = takeover_words(taken, action)
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


def takeover_words(actions: Any, action: str) -> str:
    return f"can take control of the bucket: {', '.join(actions)} (it can grant itself {action})"


def _role_reach(
    role: RoleDetail, account: AccountData, bucket: Bucket, owner_org: Any, action: str, prefix: str
) -> list[Reach]:
    """What the role's session reaches in the bucket for the action's set: the parts it reaches
    (each with the statements that allow it there, and with the parts under it no action reaches
    as exceptions: a bucket policy's Deny on private/*), and, as a WARN of their own, the parts
    only a Deny with a condition refuses (the condition decides: never dropped, never a pass)."""
    chain, full = _bucket_chain(role, account, bucket, owner_org)
    caller = session_arn(account.account, role.name, "vendor-session")
    documents = [p.document for p in chain.identity] + [bucket.policy]
    asked = probes(documents, bucket.name, prefix)

    def allowed(where: Chain, resource: str) -> bool:
        return any(
            authorize(where, Request(caller, a, resource, caller_context(caller))).allowed
            for a in ACTIONS[action]
        )

    by_action = {a: found for a in ACTIONS[action] if (found := _reached(full, caller, a, asked))}
    guards = _guards(bucket)
    loose = replace(full, resource=[_without(bucket, guards)]) if guards else None
    reaches: list[Reach] = []
    if by_action:
        hits = list({p: (p, d) for found in by_action.values() for p, d in found}.values())
        named = [(_excepted(p, asked, lambda r: allowed(full, r)), d) for p, d in hits]
        reaches.append(
            (
                "; ".join(p for p, _ in named),
                "; ".join(_with_allows(p, d) for p, d in named),
                by_action,
                "can",
            )
        )
    if loose is not None:
        for part, resource in asked:
            if not allowed(full, resource) and allowed(loose, resource):
                words = "; ".join(g.words for g in guards if g.refuses(caller, resource, ACTIONS[action]))
                reaches.append((part, part, {}, f"WARN: depends on the condition {words} (not decided)"))
    return reaches


def _excepted(part: str, asked: list[tuple[str, str]], reaches: Any) -> str:
    """The part with the parts under it the session does not reach named as exceptions."""
    pattern = "arn:aws:s3:::" + part.removeprefix("s3://")
    closed = [
        q
        for q, resource in asked
        if q != part and wildcard_match(pattern, resource) and not reaches(resource)
    ]
    return f"{part} (except {', '.join(closed)})" if closed else part


@dataclass(frozen=True)
class _Guard:
    """A bucket policy's Deny with a condition."""

    statement: Any
    words: str  # "Deny $.Statement[1] (Sid Vpce): {...}"

    def refuses(self, caller: str, resource: str, actions: Any) -> bool:
        """Does the Deny, its condition taken to hold, refuse the request?"""
        bare = {k: v for k, v in self.statement.body.items() if k != "Condition"}
        policy = Policy(
            "guard",
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}, bare]},
        )
        chain = Chain(resource=[policy], cross_account=False)
        return any(
            not authorize(chain, Request(caller, a, resource, caller_context(caller))).allowed
            for a in actions
        )


def _guards(bucket: Bucket) -> list[_Guard]:
    found: list[_Guard] = []
    for statement in statements(bucket.policy or {}):
        if statement.effect == "Deny" and "Condition" in statement.body:
            sid = statement.body.get("Sid")
            where = statement.path + (f" (Sid {sid})" if isinstance(sid, str) else "")
            found.append(_Guard(statement, f"Deny {where}: {json.dumps(statement.body['Condition'])}"))
    return found


def _without(bucket: Bucket, guards: list[_Guard]) -> Policy:
    """The bucket policy without its Denies with a condition."""
    paths = {g.statement.path for g in guards}
    kept = [s.body for s in statements(bucket.policy or {}) if s.path not in paths]
    return Policy(f"bucket policy of {bucket.name}", {**(bucket.policy or {}), "Statement": kept})


def _id_condition(ids: list[str]) -> str:
    return f"sts:ExternalId {' or '.join(repr(i) for i in ids)}" if ids else "none: no external ID pinned"


def _own_route(findings: list[Any], way: Way) -> tuple[str, Severity | None, list[str]]:
    """One party's own trust words, worst severity and IDs, where a role lets in several."""
    ids = own_ids(way.trust, way.mine, way.pinned)
    own = own_findings([f for f in findings if f.rule in TRUST_RULES], way)
    mine_found = [f for f in findings if (f.rule not in TRUST_RULES or f in own) and reuse_is_mine(f, ids)]
    severity = min((f.severity for f in mine_found), key=lambda s: s.rank, default=None)
    return "; ".join(own_example(f.message, way, ids) for f in own), severity, ids or []


def _decided(provider: Any, condition: str, ids: list[str]) -> tuple[str, bool]:
    """What decides the route, and whether it is pinned: an identity provider's route is decided
    by its subject condition, not an external ID."""
    if provider is not None:
        return provider.condition, provider.status in ("pinned", "owner")
    return condition, bool(ids)


def _gets_in(label: str, others: str, decides: str, pinned: bool) -> str:
    return (
        (f"{label} gets in" if others else f"only {label} gets in")
        + (f", with {decides}" * pinned)
        + (f"; the role also lets in {others}" if others else "")
    )
