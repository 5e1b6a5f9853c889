"""Pure: audit's rules over one role, decided by the IAM evaluator.

Each rule function is registered under the rule ids of policies/audit-rules.json it can emit
(the tests prove the ids in data and code match one to one). Verdicts on documents already
seen in a run come from a `Memo`: the many service roles, or one vendor's integrations that
differ only in their external IDs, are judged once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from provisioner.audit.model import UNUSED_DAYS, Finding, RoleDetail, rules
from provisioner.evaluation import (
    OUTSIDER_ACCOUNT,
    Decision,
    Policy,
    Request,
    assume_role_request,
    caller_for,
    evaluate,
)
from provisioner.evaluation.chain import Chain, authorize, organization_decision
from provisioner.evaluation.context import caller_context
from provisioner.evaluation.witness import (
    OUTSIDER_ACCOUNTS,
    caller_candidates,
    external_id_witnesses,
    pinned_values,
)
from provisioner.iam import (
    WRITE_LEVELS,
    Statement,
    aws_principals,
    expand_s3,
    s3_actions,
    split_action,
    statements,
    strings,
)
from provisioner.inputs import external_id_warnings
from provisioner.model import account_of, bucket_arn, role_arn, session_arn
from provisioner.model.rules import Registry
from provisioner.organization import OrgPolicies
from provisioner.vendors import vendor_for_account

PROBE_BUCKET = "provisioner-audit-probe-bucket"
SESSION = "provisioner-audit"

RULES: Registry[Callable[..., Any]] = Registry("audit rule")
Levels = Sequence[Sequence[Policy]]  # SCP or RCP levels: root, OU…, account


class RuleHit(NamedTuple):
    """A rule that holds for a role: its id, the message, and the evidence (a trust statement's
    path while the verdict is shared between roles, its body once it is the role's).
    A NamedTuple, not a dataclass: thousands are made per audit and it is four times cheaper."""

    rule: str
    message: str
    evidence: Any = None


@dataclass(frozen=True)
class TrustVerdict:
    """What a trust document lets in, with its statement paths (not bodies: shared by roles)."""

    found: list[RuleHit]  # evidence: the statement's path
    external: bool
    vendor: str
    pinned: list[str]  # placeholders of the pinned external IDs
    reached_by: tuple[str, ...] = ()  # the outside accounts that get in ("*": any)
    refused_by: tuple[str, ...] = ()  # the RCPs that refused a request the trust allows


@dataclass(frozen=True)
class GrantVerdict:
    writes: list[str]  # S3 write-level actions allowed
    wide: str | None  # why any bucket can be read, or None
    shown: str  # the actions as shown in the message
    free_writes: tuple[str, ...] = ()  # the same without the SCPs
    free_wide: bool = False
    refused_by: tuple[str, ...] = ()  # the SCPs that took every write, or the wide read, away

    @property
    def free_rules(self) -> list[str]:
        """The rules that would hold without the SCPs."""
        writes = ["vendor-write-access"] if self.free_writes else []
        return writes + (["vendor-resource-wildcard"] if self.free_wide else [])


@dataclass
class Memo:
    """Verdicts of one run, by document."""

    trust: dict[tuple[str, frozenset[str], str], TrustVerdict] = field(default_factory=dict)
    grants: dict[tuple[str, str], GrantVerdict] = field(default_factory=dict)


@dataclass
class RoleVerdict:
    findings: list[Finding]
    external: bool
    vendor: str
    pinned_ids: list[str]
    reached_by: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()  # the buckets its policies name ("*": any)
    withheld: int = 0  # findings the role would have without the SCPs and RCPs, that it has not
    withheld_by: tuple[str, ...] = ()  # the SCPs and RCPs that refused what those findings need


def judge_role(
    role: RoleDetail,
    account: str,
    policies: dict[str, Any],
    *,
    org_accounts: frozenset[str] = frozenset(),
    now: datetime | None = None,
    memo: Memo | None = None,
    org: OrgPolicies | None = None,
    unused_days: int = UNUSED_DAYS,
) -> RoleVerdict:
    """Every rule but those that need all roles (external-id-reused) for one role. `org`: the
    SCPs and RCPs of the role's account (RCPs decide who may assume it, SCPs what it may do);
    `unused_days`: role-unused's window."""
    now = now or datetime.now(UTC)
    abstract, ids = _abstract_external_ids(role.trust)
    rcps = org.rcps if org else ()
    # repr: a fast, faithful key for JSON data; the organization's policies by name
    key = (account, org_accounts, repr(abstract) + _names(rcps))
    memo = memo if memo is not None else Memo()
    if key not in memo.trust:
        memo.trust[key] = judge_trust(abstract, account, org_accounts, rcps)
    trust = memo.trust[key]
    found: list[RuleHit] = []
    if trust.found:
        by_path = {statement.path: statement.body for statement in statements(role.trust)}
        found = [RuleHit(hit.rule, hit.message, by_path.get(hit.evidence)) for hit in trust.found]
    pinned = sorted({ids[p] for p in trust.pinned if p in ids})
    found += weak_external_ids(pinned)
    scps = org.scps if org else ()
    grant = grant_verdict(role, account, policies, memo, scps) if trust.external else None
    if trust.external:
        found += grant_findings(role, account, policies, memo, scps)
        found += unused(role, now, unused_days)
    findings = [
        Finding(
            account,
            role.arn,
            role.name,
            trust.vendor,
            hit.rule,
            rules()[hit.rule].severity,
            hit.message,
            hit.evidence,
        )
        for hit in found
    ]
    buckets = named_buckets(role_policies(role, policies)) if trust.external else ()
    refusers = dict.fromkeys([*trust.refused_by, *(grant.refused_by if grant else ())])
    withheld = 0
    if refusers:  # an SCP or RCP refused something: what would the role's findings be without them?
        free = trust
        if trust.refused_by:
            free_key = (account, org_accounts, repr(abstract))
            if free_key not in memo.trust:
                memo.trust[free_key] = judge_trust(abstract, account, org_accounts)
            free = memo.trust[free_key]
        free_pinned = sorted({ids[p] for p in free.pinned if p in ids})
        free_rules = [hit.rule for hit in [*free.found, *weak_external_ids(free_pinned)]]
        if free.external:
            ungranted = grant or grant_verdict(role, account, policies, memo, scps)
            free_rules += ungranted.free_rules if ungranted else []
            free_rules += [hit.rule for hit in unused(role, now)]
        withheld = (Counter(free_rules) - Counter(f.rule for f in findings)).total()
    return RoleVerdict(
        findings,
        trust.external,
        trust.vendor,
        pinned,
        trust.reached_by,
        buckets,
        withheld,
        tuple(refusers) if withheld else (),
    )


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


# --- trust ----------------------------------------------------------------------------------


def _abstract_external_ids(document: Any) -> tuple[Any, dict[str, str]]:
    """The trust document with each wildcard-free external ID value replaced by a placeholder
    (the same value by the same placeholder, in every operator), and the placeholders' values.
    Trusts that differ only in their IDs (one per vendor integration) then share one verdict;
    the IDs are judged per role. Values with a wildcard stay: their pattern is the verdict.

    It runs for every role of an audit: one pass over the statements' conditions, and only a
    statement that names sts:ExternalId is copied (the others, and a trust that names none, are
    shared as they are), so most roles cost a few dict lookups."""
    raw = document.get("Statement") if isinstance(document, dict) else None
    listed = isinstance(raw, list)
    found: list[Any] = raw if isinstance(raw, list) else [raw]
    ids: dict[str, str] = {}
    by_value: dict[str, str] = {}

    def placeholder(value: Any) -> Any:
        if not isinstance(value, str) or "*" in value or "?" in value:
            return value
        if value not in by_value:
            by_value[value] = f"provisioner-external-id-{len(by_value)}"
            ids[by_value[value]] = value
        return by_value[value]

    changed: dict[int, Any] = {}
    for index, statement in enumerate(found):
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        if not isinstance(condition, dict) or not _mentions_external_id(condition):
            continue
        abstract: dict[str, Any] = {}
        for operator, pairs in condition.items():
            if isinstance(pairs, dict) and _compares_strings(operator):
                pairs = {
                    key: (
                        ([placeholder(v) for v in value] if isinstance(value, list) else placeholder(value))
                        if key.lower() == "sts:externalid"
                        else value
                    )
                    for key, value in pairs.items()
                }
            abstract[operator] = pairs
        changed[index] = {**statement, "Condition": abstract}
    if not changed:
        return document, {}
    kept = [changed.get(i, s) for i, s in enumerate(found)]
    return {**document, "Statement": kept if listed else kept[0]}, ids


def _compares_strings(operator: str) -> bool:
    """String operators compare the value itself (Null and Bool do not: their values are
    true/false and must stay)."""
    return operator.rpartition(":")[2].lower().startswith("string")


def _mentions_external_id(condition: dict[str, Any]) -> bool:
    """Does a statement's Condition test sts:ExternalId (under any operator)?"""
    for pairs in condition.values():
        if isinstance(pairs, dict):
            for key in pairs:
                if key.lower() == "sts:externalid":
                    return True
    return False


def _named_principals(trust: Any) -> list[tuple[str, Statement]]:
    """(AWS principal, statement) for Allow statements that let an AWS principal assume."""
    return [
        (value, statement)
        for statement in statements(trust)
        if statement.is_allow
        for value in aws_principals(statement)
    ]


def _names(levels: Levels) -> str:
    return repr([[p.name for p in level] for level in levels]) if levels else ""


def _refusal(rcps: Levels, request: Request) -> Decision | None:
    """The RCPs' refusal of a request the trust allows, or None."""
    return organization_decision((), rcps, request) if rcps else None


@RULES.register(
    "trust-any-principal",
    "cross-account-no-external-id",
    "external-id-not-pinned",
    "trusts-account-root",
    "trust-blocked-by-organization",
)
def judge_trust(
    trust_doc: Any, account: str, org_accounts: frozenset[str], rcps: Levels = ()
) -> TrustVerdict:
    """The trust rules, decided by the evaluator: who, presenting what, may assume the role.

    The principals asked about are those the trust names, and, for `Principal: "*"`, the callers
    its conditions admit (aws:PrincipalArn / aws:PrincipalAccount with or without wildcards,
    evaluation/witness.py). For each, the external IDs asked about are built from the trust's
    own patterns: any ID other than those it pins exactly that gets in is a witness. A request
    the trust allows but the account's RCPs refuse lets nobody in ("Resource control policies":
    they apply to sts:AssumeRole on the account's roles): it is reported as blocked, at info."""
    trust = [Policy("trust policy", trust_doc)]
    arn = role_arn(account, "audited-role")
    exact = sorted(pinned_values(trust))
    refusers: dict[str, None] = {}
    found = _any_account(trust, arn, exact, rcps, refusers)
    reachers: list[str] = []
    vendor_names: set[str] = set()
    external = bool(found)
    pinned: list[str] = []
    ours = {account, *org_accounts}
    for value, caller, statement in _other_accounts(trust, trust_doc, ours):
        principal_account = account_of(caller) or OUTSIDER_ACCOUNT
        known = vendor_for_account(principal_account)
        if known:
            vendor_names.add(known.display_name)

        def request(external_id: str | None, caller: str = caller) -> Request:
            return assume_role_request(caller, arn, external_id)

        # The witnesses include no ID at all and an ID nobody issued; the pinned IDs are asked apart.
        witnesses = external_id_witnesses(trust, request, exact)
        pinned_allowed = bool(exact) and evaluate(trust, request(exact[0])).allowed
        if not (pinned_allowed or witnesses):
            continue  # named, but refused whatever it presents (an explicit Deny, say)
        if rcps:
            refusals = [_refusal(rcps, request(w.external_id)) for w in witnesses]
            blocked = [r for r in refusals if r is not None]
            witnesses = [w for w, r in zip(witnesses, refusals, strict=True) if r is None]
            if pinned_allowed and (refused := _refusal(rcps, request(exact[0]))) is not None:
                pinned_allowed = False
                blocked.append(refused)
            for refusal in blocked:
                refusers.update(dict.fromkeys(refusal.deciders))
            if not (pinned_allowed or witnesses):
                found.append(
                    RuleHit(
                        "trust-blocked-by-organization",
                        f"the trust lets {value} in, but the organization refuses its "
                        f"sts:AssumeRole: {blocked[0].reason()}",
                        statement.path,
                    )
                )
                continue
        external = True
        reachers.append(principal_account)
        without_id = next((w for w in witnesses if w.external_id is None), None)
        has_condition = any(key.lower() == "sts:externalid" for _, key, _ in statement.conditions())
        if without_id is not None and not has_condition:
            found.append(
                RuleHit(
                    "cross-account-no-external-id",
                    f"{value} can assume the role without an external ID: {without_id.decision.reason()}",
                    statement.path,
                )
            )
        elif witnesses:
            first = witnesses[0]
            how = (
                "without an external ID"
                if first.external_id is None
                else f"with external ID {first.external_id!r}, which the trust does not pin"
            )
            found.append(
                RuleHit(
                    "external-id-not-pinned",
                    f"{value} can assume the role {how}: {first.decision.reason()}",
                    statement.path,
                )
            )
        else:
            pinned.extend(exact)
        if value.endswith(":root") or value == principal_account:
            other = session_arn(principal_account, "some-other-role", SESSION)
            asked = assume_role_request(other, arn, exact[0] if exact else None)
            trusted = evaluate(trust, asked).allowed
            refused = _refusal(rcps, asked) if trusted else None
            if refused is not None:
                refusers.update(dict.fromkeys(refused.deciders))
            elif trusted:
                found.append(
                    RuleHit(
                        "trusts-account-root",
                        f"every principal of account {principal_account} that may "
                        "call sts:AssumeRole can assume the role",
                        statement.path,
                    )
                )
    if any(hit.rule == "trust-any-principal" for hit in found):
        reachers.insert(0, "*")
    vendors = ", ".join(sorted(vendor_names))
    return TrustVerdict(
        found,
        external,
        vendors,
        sorted(set(pinned)),
        tuple(dict.fromkeys(reachers)),
        tuple(refusers),
    )


def _any_account(
    trust: list[Policy],
    arn: str,
    exact: list[str],
    rcps: Levels = (),
    refusers: dict[str, None] | None = None,
) -> list[RuleHit]:
    """trust-any-principal: a caller of an account the trust never names gets in, with no ID or
    with the ID it pins (external IDs are not secrets). The first candidate is a plain outsider
    (`Principal: "*"`); the others fill the trust's patterns (ArnLike aws:PrincipalArn
    "arn:aws:iam::*:role/NAME": anyone able to create a role of that name)."""
    blocked: Decision | None = None
    for index, caller in enumerate(caller_candidates(trust, SESSION)):
        if account_of(caller) not in OUTSIDER_ACCOUNTS:
            continue
        for external_id in (None, *exact[:1]):
            asked = assume_role_request(caller, arn, external_id)
            decision = evaluate(trust, asked)
            if decision.allowed and (refused := _refusal(rcps, asked)) is not None:
                blocked = blocked or refused
                if refusers is not None:
                    refusers.update(dict.fromkeys(refused.deciders))
                continue
            if decision.allowed:
                named = (
                    ""
                    if index == 0
                    else f"{caller}, of an account the trust never names, matches its patterns: "
                )
                return [
                    RuleHit(
                        "trust-any-principal",
                        f"any AWS account can assume the role: {named}{decision.reason()}",
                        decision.allows[0].path,
                    )
                ]
    if blocked is not None:
        return [
            RuleHit(
                "trust-blocked-by-organization",
                "the trust lets any AWS account in, but the organization refuses the "
                f"sts:AssumeRole of accounts outside it: {blocked.reason()}",
                None,
            )
        ]
    return []


def _other_accounts(trust: list[Policy], trust_doc: Any, ours: set[str]) -> list[tuple[str, str, Statement]]:
    """(the principal as the trust writes it, a caller it stands for, its statement) for every
    principal of another account the trust names, and for every caller of another account that
    a `Principal: "*"` statement's conditions name (with or without wildcards)."""
    out: list[tuple[str, str, Statement]] = []
    for value, statement in _named_principals(trust_doc):
        if value == "*":
            narrowed = [Policy("trust policy", {"Version": "2012-10-17", "Statement": [statement.body]})]
            for caller in caller_candidates(narrowed, SESSION, literals=True):
                caller_account = account_of(caller)
                if caller_account and caller_account not in ours and caller_account not in OUTSIDER_ACCOUNTS:
                    out.append((caller, caller, statement))
            continue
        principal_account = account_of(value)
        if principal_account is None or principal_account in ours:
            continue
        out.append((value, caller_for(value, SESSION), statement))
    return out


@RULES.register("external-id-weak")
def weak_external_ids(pinned: list[str]) -> list[RuleHit]:
    return [
        RuleHit("external-id-weak", f"external ID {i!r} is short or guessable", {"sts:ExternalId": i})
        for i in pinned
        if external_id_warnings(i)
    ]


# --- grants ---------------------------------------------------------------------------------


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


@RULES.register("vendor-write-access", "vendor-resource-wildcard")
def grant_findings(
    role: RoleDetail, account: str, policies: dict[str, Any], memo: Memo, scps: Levels = ()
) -> list[RuleHit]:
    grant = grant_verdict(role, account, policies, memo, scps)
    if grant is None:
        return []
    found: list[RuleHit] = []
    if grant.writes:
        found.append(
            RuleHit(
                "vendor-write-access",
                f"the role, which another account can assume, may {grant.shown}",
                {"actions": grant.writes},
            )
        )
    if grant.wide:
        found.append(
            RuleHit(
                "vendor-resource-wildcard",
                f"the role, which another account can assume, may read any bucket: {grant.wide}",
                None,
            )
        )
    return found


def grant_verdict(
    role: RoleDetail, account: str, policies: dict[str, Any], memo: Memo, scps: Levels = ()
) -> GrantVerdict | None:
    """The verdict on the role's grants (None: it has no policies), once per distinct set."""
    documents = role_policies(role, policies)
    if not documents:
        return None
    boundary_doc = policies.get(role.permissions_boundary or "")
    boundary = Policy("permissions boundary", boundary_doc) if boundary_doc is not None else None
    key = (account, repr([p.document for p in documents]) + repr(boundary_doc) + _names(scps))
    if key not in memo.grants:
        memo.grants[key] = judge_grants(documents, account, boundary, scps)
    return memo.grants[key]


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
_CALLER_CHOSEN = ("s3:x-amz-", "s3:prefix", "s3:delimiter", "s3:max-keys", "aws:requesttag/")
_CALLER_CHOSEN_KEYS = {
    "aws:useragent",
    "aws:referer",
    "aws:securetransport",
    "s3:signatureversion",
    "s3:authtype",
}


def _chosen_context(documents: list[Policy]) -> dict[str, str]:
    """Values the caller can send that the Allow statements ask for (the first each asks)."""
    context: dict[str, str] = {}
    for policy in documents:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            for operator, key, values in statement.conditions():
                lowered = key.lower()
                chosen = lowered.startswith(_CALLER_CHOSEN) or lowered in _CALLER_CHOSEN_KEYS
                if chosen and "not" not in operator.lower() and values and isinstance(values[0], str):
                    context.setdefault(key, values[0].replace("*", "x").replace("?", "x"))
    return context


def judge_grants(
    documents: list[Policy], account: str, boundary: Policy | None = None, scps: Levels = ()
) -> GrantVerdict:
    """What a session of the role may do to S3: its identity policies within its boundary and
    its account's SCPs, with the request keys a caller controls set the way the policies ask.
    (RCPs are not applied here: the buckets asked about are any account's.)"""
    caller = session_arn(account, "vendor-role", SESSION)
    # Without the SCPs first: a request they refuse is one whose finding they took away, and the
    # verdict keeps what it would be without them (audit's note counts those findings).
    chain = Chain(identity=documents, boundary=boundary)
    context = {**caller_context(caller), **_chosen_context(documents)}
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
        for resource in resources:
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
    )


# --- use ------------------------------------------------------------------------------------


@RULES.register("role-unused")
def unused(role: RoleDetail, now: datetime, days: int = UNUSED_DAYS) -> list[RuleHit]:
    """Not used within the window. A role created within it has not had the time to be used
    (CreateDate); one never used is judged by its age; without a CreateDate (a trimmed file),
    by its last use alone."""
    window = timedelta(days=days)
    created, last = role.created, role.last_used
    if created is not None and now - created <= window:
        return []
    if last is not None and now - last <= window:
        return []
    evidence = {"CreateDate": created.isoformat()} if created is not None else {}
    if last is not None:
        evidence["LastUsedDate"] = last.isoformat()
        message = f"{role.name} was last used {last.date().isoformat()}, over {days} days ago"
    elif created is not None:
        message = (
            f"{role.name} was created {created.date().isoformat()}, over {days} days ago, and never "
            "used since (or not in the 400 days IAM tracks)"
        )
    else:
        message = (
            "never used (or not in the 400 days IAM tracks), and no CreateDate to tell whether it "
            f"is older than {days} days"
        )
    return [RuleHit("role-unused", message, evidence or None)]
