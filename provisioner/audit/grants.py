"""Pure: what a role's own policies let a session of it do to S3, decided by the evaluator
(within its permissions boundary and its account's SCPs), once per distinct set of policies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provisioner.audit.model import RoleDetail
from provisioner.audit.power import privileged
from provisioner.evaluation import Decision, Policy, Request
from provisioner.evaluation.chain import Chain, authorize, organization_decision
from provisioner.evaluation.context import caller_context
from provisioner.iam import (
    REQUEST_KEYS,
    WRITE_LEVELS,
    Statement,
    document_text,
    expand_s3,
    fits_type,
    names_action,
    s3_actions,
    split_action,
    statements,
    strings,
)
from provisioner.model import bucket_arn, session_arn

PROBE_BUCKET = "provisioner-audit-probe-bucket"
SESSION = "provisioner-audit"
Levels = Sequence[Sequence[Policy]]  # SCP or RCP levels: root, OU…, account
GrantMemo = dict[tuple[str, str], "GrantVerdict"]


def level_names(levels: Levels) -> str:
    """The organization's policies by name: part of a memo key."""
    return repr([[p.name for p in level] for level in levels]) if levels else ""


@dataclass(frozen=True)
class GrantVerdict:
    writes: list[str]  # S3 write-level actions allowed
    wide: str | None  # why any bucket can be read, or None
    shown: str  # the actions as shown in the message
    free_writes: tuple[str, ...] = ()  # the same without the SCPs
    free_wide: bool = False
    refused_by: tuple[str, ...] = ()  # the SCPs that took every write, or the wide read, away
    buckets: tuple[str, ...] = ()  # the buckets the policies name ("*": any), for the report
    privileged: tuple[str, ...] = ()  # power beyond data (audit/power.py), worst first
    free_privileged: bool = False  # the same without the SCPs

    @property
    def free_rules(self) -> list[str]:
        """The rules that would hold without the SCPs."""
        writes = ["vendor-write-access"] if self.free_writes else []
        privileged = ["vendor-privileged"] if self.free_privileged else []
        return writes + privileged + (["vendor-resource-wildcard"] if self.free_wide else [])


def named_buckets(documents: list[Policy]) -> tuple[str, ...]:
    """The buckets the role's Allow statements name in Resource, "*" for any (for the report's
    graph; the verdicts come from the evaluator)."""
    found: dict[str, None] = {}
    for policy in documents:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            for resource in strings(statement.body.get("Resource")):
                if resource == "*" or resource.startswith("arn:aws:s3:::*"):
                    found["*"] = None
                elif ":s3:::" in resource:
                    found[resource.split(":::", 1)[1].split("/", 1)[0]] = None
    return tuple(found)


def role_policies(role: RoleDetail, policies: dict[str, Any]) -> list[Policy]:
    out = [Policy(f"inline policy {name}", document) for name, document in role.inline]
    for name, arn in role.attached:
        document = policies.get(arn)
        if document is not None:
            out.append(Policy(f"policy {name}", document))
    return out


def _probe_resources(documents: list[Policy]) -> list[str]:
    """S3 resources to ask about: those the policies name (wildcards filled in) and a bucket no
    policy names, so a grant on '*' shows."""
    found = {bucket_arn(PROBE_BUCKET), f"{bucket_arn(PROBE_BUCKET)}/x"}
    for policy in documents:
        for statement in statements(policy.document):
            for resource in strings(statement.body.get("Resource")):
                if resource.startswith("arn:") and ":s3:::" in resource:
                    found.add(resource.replace("*", "x").replace("?", "x"))
    return sorted(found)


def grant_verdict(
    role: RoleDetail,
    account: str,
    policies: dict[str, Any],
    memo: GrantMemo,
    scps: Levels = (),
    org_id: str | None = None,
) -> GrantVerdict | None:
    """The verdict on the role's grants (None: it has no policies), once per distinct set (the
    key is made of the documents alone: a role whose set was judged builds nothing). `org_id`:
    the account's organization, in its sessions' requests (aws:PrincipalOrgID); the role's
    tags, and whether its trust lets the caller tag its session, where a policy reads them."""
    attached = [d for _, arn in role.attached if (d := policies.get(arn)) is not None]
    texts = [document for _, document in role.inline] + attached  # role_policies' documents
    if not texts:
        return None
    boundary_doc = policies.get(role.permissions_boundary or "")
    text = document_text(texts)
    if boundary_doc is not None:
        text += " bounded by " + document_text(boundary_doc)
    # the role's tags matter only to a policy that reads them: the others share one verdict
    reads_tags = "principaltag/" in text.lower()
    tags = role.tags if role.raw_tags and reads_tags else {}
    tagging = reads_tags and may_tag_session(role.trust)
    key = (
        account,
        text
        + level_names(scps)
        + (org_id or "")
        + (repr(sorted(tags.items())) if tags else "")
        + (" session tags" if tagging else ""),
    )
    verdict = memo.get(key)
    if verdict is None:
        boundary = Policy("permissions boundary", boundary_doc) if boundary_doc is not None else None
        verdict = memo[key] = judge_grants(
            role_policies(role, policies),
            account,
            boundary,
            scps,
            org_id=org_id,
            tags=tags,
            session_tags=tagging,
        )
    return verdict


def _write_candidates(documents: list[Policy]) -> list[str]:
    """S3 write-level actions some Allow statement could grant (the evaluator then decides)."""
    every = [f"s3:{a}" for a, level in s3_actions().items() if level in WRITE_LEVELS]
    candidates: set[str] = set()
    for policy in documents:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            if "NotAction" in statement.body:
                return every
            for action in strings(statement.body.get("Action")):
                service, pattern = split_action(action)
                if service == "" and pattern == "*":
                    return every
                if service == "s3":
                    candidates.update(
                        f"s3:{a}" for a, level in expand_s3(pattern).items() if level in WRITE_LEVELS
                    )
    return sorted(candidates)


_HEADLINE = ("s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:PutObjectAcl", "s3:DeleteBucket")


# Request keys the caller chooses: a grant conditioned on them is a grant ("Amazon S3 condition
# key examples": s3:x-amz-acl and the other x-amz headers, s3:prefix, s3:delimiter; the
# caller's own TLS, user agent, referer and request tags).
_CALLER_CHOSEN = (*REQUEST_KEYS, "aws:requesttag/")  # iam.REQUEST_KEYS: one definition
_CALLER_CHOSEN_KEYS = {
    "aws:useragent",
    "aws:referer",
    "aws:securetransport",
    "s3:signatureversion",
    "s3:authtype",
}


def may_tag_session(trust: Any) -> bool:
    """Does an Allow of the trust name sts:TagSession? Then whoever assumes the role chooses its
    session tags, and a session tag overrides the role's tag of the same key (STS API
    Reference, AssumeRole, Tags): every aws:PrincipalTag/KEY is the caller's to choose. (Its
    conditions on aws:TagKeys or aws:RequestTag are not read: the tags are taken as free.)"""
    return any(s.is_allow and names_action(s, "sts:TagSession") for s in statements(trust))


def may_pass_tag(trust: Any, key: str, value: str) -> bool:
    """May the caller pass the session tag KEY=value? An Allow of the trust naming sts:TagSession
    whose conditions on aws:TagKeys and aws:RequestTag/KEY hold for it (IAM User Guide, "Passing
    session tags in AWS STS": the trust controls the tags with them; its other conditions are the
    AssumeRole call's, taken as met)."""
    from provisioner.evaluation import condition_holds

    request = Request("", "sts:TagSession", "", {"aws:TagKeys": [key], f"aws:RequestTag/{key}": value})
    allowed = False
    for statement in statements(trust):
        if not names_action(statement, "sts:TagSession"):
            continue
        entries = list(statement.conditions())
        limits = [
            (operator, name, values)
            for operator, name, values in entries
            if name.lower() == "aws:tagkeys" or name.lower().startswith("aws:requesttag/")
        ]
        holds = all(condition_holds(operator, name, values, request) for operator, name, values in limits)
        if not statement.is_allow and holds and len(limits) == len(entries):
            return False  # a Deny on these tags alone refuses them (trial 22s item 4)
        allowed = allowed or (statement.is_allow and holds)
    return allowed


def chosen_context(documents: list[Policy], session_tags: bool = False) -> dict[str, str]:
    """Values the caller can send that the Allow statements ask for (the first each asks);
    `session_tags`: its aws:PrincipalTag/KEY too (may_tag_session)."""
    chosen_prefixes = (*_CALLER_CHOSEN, "aws:principaltag/") if session_tags else _CALLER_CHOSEN
    return first_values(
        [s for policy in documents for s in statements(policy.document)],
        lambda key: key.startswith(chosen_prefixes) or key in _CALLER_CHOSEN_KEYS,
    )


def first_values(allowing: list[Statement], chosen: Callable[[str], bool]) -> dict[str, str]:
    """The first value each positive condition of the Allow statements asks of a key `chosen`
    names (lower case), wildcards filled: what a caller that sets the key sends (one definition,
    for audit's grants and inventory's callers)."""
    context: dict[str, str] = {}
    for statement in allowing:
        if not statement.is_allow:
            continue
        for operator, key, values in statement.conditions():
            if (
                chosen(key.lower())
                and "not" not in operator.lower()
                and values
                and isinstance(values[0], str)
            ):
                context.setdefault(key, values[0].replace("*", "x").replace("?", "x"))
    return context


def power_refusers(
    allowed: Callable[[str, str], tuple[Decision, Decision | None]], documents: list[Policy], account: str
) -> list[str]:
    """The SCPs that refuse the first request of power beyond data the role's policies allow."""
    from provisioner.audit.power import ANY_ACTION, ANY_IAM_ACTION, escalation_methods, probe_resources

    actions = [
        ANY_ACTION,
        ANY_IAM_ACTION,
        *dict.fromkeys(a for m in escalation_methods().values() for a in m),
    ]
    for action in actions:
        for resource in probe_resources(documents, account):
            decision, refused = allowed(action, resource)
            if decision.allowed and refused is not None:
                return list(refused.deciders)
    return []


def _power(
    allowed: Callable[[str, str], tuple[Decision, Decision | None]],
    documents: list[Policy],
    account: str,
    scps: bool,
    refusers: dict[str, None],
) -> tuple[tuple[str, ...], bool]:
    """Power beyond data with the SCPs, and whether there is any without them (the SCPs that
    took it all away go into `refusers`: audit counts the finding they withheld)."""
    power = privileged(lambda action, resource: _passes(*allowed(action, resource)), documents, account)
    free = bool(power) or bool(scps and privileged(lambda a, r: allowed(a, r)[0].allowed, documents, account))
    if free and not power:
        refusers.update(dict.fromkeys(power_refusers(allowed, documents, account)))
    return power, free


def _passes(decision: Decision, refused: Decision | None) -> bool:
    """Allowed by the role's policies and boundary, and not refused by the SCPs."""
    return decision.allowed and refused is None


def session_context(
    documents: list[Policy],
    caller: str,
    account: str,
    org_id: str | None,
    tags: Mapping[str, str] | None,
    session_tags: bool,
) -> dict[str, Any]:
    """The keys of the role session's requests (audit's grants, inventory's scope, who-can's
    routes: one definition): the caller's, its tags and organization, the keys a caller controls
    set the way the policies ask, and the bucket's account and organization,
    taken to be the role's own (its data: what a vendor's write reaches), so a resource perimeter
    on the account or organization keeps them."""
    known: dict[str, Any] = {f"aws:PrincipalTag/{k}": v for k, v in (tags or {}).items()}
    known["aws:ResourceAccount"] = account
    if org_id:
        known["aws:PrincipalOrgID"] = known["aws:ResourceOrgID"] = org_id
    return {**caller_context(caller), **known, **chosen_context(documents, session_tags)}


def judge_grants(
    documents: list[Policy],
    account: str,
    boundary: Policy | None = None,
    scps: Levels = (),
    *,
    org_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    session_tags: bool = False,
) -> GrantVerdict:
    """What a session of the role may do to S3: its identity policies within its boundary and
    its account's SCPs, with the request keys a caller controls set the way the policies ask,
    and the organization of the role's account as the session's aws:PrincipalOrgID when known
    (IAM User Guide, "AWS global condition context keys": the organization "to which the
    requesting principal belongs") and the role's `tags` as its aws:PrincipalTag/<key>, unless
    the caller may tag its session (`session_tags`: then those are the caller's choice). The
    buckets asked about are taken to be the role's account's (aws:ResourceAccount, and
    aws:ResourceOrgID when known: a resource perimeter SCP keeps them); RCPs are not applied
    here (each bucket's own account's would be)."""
    caller = session_arn(account, "vendor-role", SESSION)
    # Without the SCPs first: a request they refuse is one whose finding they took away, and the
    # verdict keeps what it would be without them (audit's note counts those findings).
    chain = Chain(identity=documents, boundary=boundary)
    context = session_context(documents, caller, account, org_id, tags, session_tags)
    resources = _probe_resources(documents)
    refusers: dict[str, None] = {}

    def allowed(action: str, resource: str) -> tuple[Decision, Decision | None]:
        """The decision without the SCPs, and the SCPs' refusal of it when it is allowed."""
        request = Request(caller, action, resource, context)
        decision = authorize(chain, request)
        return decision, organization_decision(scps, (), request) if scps and decision.allowed else None

    writes: list[str] = []
    free_writes: list[str] = []
    for action in _write_candidates(documents):
        refusals: list[Decision] = []
        for resource in (r for r in resources if fits_type(action, r)):  # its own resource type
            decision, refused = allowed(action, resource)
            if decision.allowed and refused is None:
                writes.append(action)
                break
            if refused is not None:
                refusals.append(refused)
        if refusals or action in writes[-1:]:
            free_writes.append(action)
        if refusals and action not in writes[-1:]:
            refusers.update(dict.fromkeys(name for r in refusals for name in r.deciders))
    if writes:
        refusers.clear()  # some writes remain: the SCPs took no finding away
    wide, wide_refused = allowed("s3:GetObject", f"{bucket_arn(PROBE_BUCKET)}/x")
    if wide_refused is not None:
        refusers.update(dict.fromkeys(wide_refused.deciders))
    power, free_power = _power(allowed, documents, account, bool(scps), refusers)
    ordered = sorted(
        writes, key=lambda a: (a not in _HEADLINE, _HEADLINE.index(a) if a in _HEADLINE else 0, a)
    )
    shown = ", ".join(ordered[:5]) + (f" and {len(writes) - 5} more" if len(writes) > 5 else "")
    return GrantVerdict(
        sorted(writes),
        wide.reason() if wide.allowed and wide_refused is None else None,
        shown,
        tuple(sorted(free_writes)),
        wide.allowed,
        tuple(refusers),
        named_buckets(documents),
        power,
        free_power,
    )
