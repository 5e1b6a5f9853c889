"""Pure: audit's rules over one role, decided by the IAM evaluator.

One analysis per role (`analyse`): the verdict on its trust (trust.py) and, for a role another
account can assume, on its grants (grants.py), each computed once per distinct document in a
run (`Memo`: the many service roles, or one vendor's integrations that differ only in their
external IDs, are judged once). Then one short function per rule id reads it; `RULES` runs them
all, in the order of policies/audit-rules.json (the tests prove data and code name the same ids).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from provisioner.audit.grants import GrantVerdict
from provisioner.audit.memo_key import Memo
from provisioner.audit.model import UNUSED_DAYS, RoleDetail, rules
from provisioner.audit.scope import Scope
from provisioner.audit.trust import TrustVerdict
from provisioner.inputs import external_id_warnings
from provisioner.model.findings import Finding, RolePlace
from provisioner.model.rules import Hit, Rules
from provisioner.organization import OrgPolicies


@dataclass(slots=True)
class RoleVerdict:
    findings: list[Finding]
    external: bool
    vendor: str
    pinned_ids: list[str]
    reached_by: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()  # the buckets its policies name ("*": any)
    withheld: int = 0  # findings the role would have without the SCPs and RCPs, that it has not
    withheld_by: tuple[str, ...] = ()  # the SCPs and RCPs that refused what those findings need


@dataclass(slots=True)
class RoleAnalysis:
    """Everything audit's rules read about one role, computed once."""

    role: RoleDetail
    account: str
    trust: TrustVerdict
    pinned: list[str]  # the external IDs its trust pins and that alone let the vendor in
    grant: GrantVerdict | None  # None: nobody outside can assume it, or it has no policies
    now: datetime
    unused_days: int = UNUSED_DAYS
    statements: dict[str, Any] = field(default_factory=dict)  # its trust's statements by path
    trust_hits: dict[str, list[Hit]] | None = None  # the trust's hits by rule, with that evidence


# The rules that judge one role; those that judge the whole estate are aggregate.ESTATE_RULES.
RULES: Rules[RoleAnalysis] = Rules("audit rule", "audit-rules.json")


def _trust_hits(analysis: RoleAnalysis, rule_id: str) -> list[Hit]:
    """The trust verdict's hits of one rule, with the role's own statement as the evidence
    (each rule asks only when the verdict found anything: most roles' has not, and a call less
    for each of 10,000 roles and five rules shows). `analyse` has them grouped already, once
    per verdict and text (Memo.hits_by_rule); an analysis built without them groups them here."""
    if analysis.trust_hits is not None:
        return analysis.trust_hits.get(rule_id, [])
    by_path = analysis.statements
    return [
        Hit(h.rule, h.message, h.where, by_path.get(h.where))
        for h in analysis.trust.found
        if h.rule == rule_id
    ]


@RULES.register("trust-any-principal")
def trust_any_principal(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "trust-any-principal") if analysis.trust.found else []


@RULES.register("cross-account-no-external-id")
def cross_account_no_external_id(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "cross-account-no-external-id") if analysis.trust.found else []


@RULES.register("external-id-not-pinned")
def external_id_not_pinned(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "external-id-not-pinned") if analysis.trust.found else []


@RULES.register("federated-any-subject")
def federated_any_subject(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "federated-any-subject") if analysis.trust.found else []


@RULES.register("federated-subject-not-pinned")
def federated_subject_not_pinned(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "federated-subject-not-pinned") if analysis.trust.found else []


@RULES.register("federated-not-decided")
def federated_not_decided(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "federated-not-decided") if analysis.trust.found else []


@RULES.register("condition-value-malformed")
def condition_value_malformed(analysis: RoleAnalysis) -> list[Hit]:
    from provisioner.condition_values import never_matching

    return [
        Hit(
            "condition-value-malformed", message, where, analysis.statements.get(where.split(".Condition")[0])
        )
        for where, message in never_matching(analysis.role.trust)
    ]


@RULES.register("trusts-account-root")
def trusts_account_root(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "trusts-account-root") if analysis.trust.found else []


@RULES.register("trust-blocked-by-organization")
def trust_blocked_by_organization(analysis: RoleAnalysis) -> list[Hit]:
    return _trust_hits(analysis, "trust-blocked-by-organization") if analysis.trust.found else []


@RULES.register("external-id-weak")
def external_id_weak(analysis: RoleAnalysis) -> list[Hit]:
    return weak_external_ids(analysis.pinned) if analysis.pinned else []


def weak_external_ids(pinned: list[str]) -> list[Hit]:
    if not pinned:
        return []
    return [
        Hit("external-id-weak", f"external ID {i!r} is short or guessable", evidence={"sts:ExternalId": i})
        for i in pinned
        if external_id_warnings(i)
    ]


def _who(analysis: RoleAnalysis) -> str:
    """ "another account", or the identity provider's users, that can assume the role."""
    from provisioner.federation import assumed_by

    return assumed_by(analysis.trust.reached_by, analysis.trust.federated)


@RULES.register("vendor-write-access")
def vendor_write_access(analysis: RoleAnalysis) -> list[Hit]:
    grant = analysis.grant
    if grant is None or not grant.writes:
        return []
    message = f"the role, which {_who(analysis)} can assume, may {grant.shown}"
    return [Hit("vendor-write-access", message, evidence={"actions": grant.writes})]


@RULES.register("vendor-resource-wildcard")
def vendor_resource_wildcard(analysis: RoleAnalysis) -> list[Hit]:
    grant = analysis.grant
    if grant is None or not grant.wide:
        return []
    message = f"the role, which {_who(analysis)} can assume, may read any bucket: {grant.wide}"
    return [Hit("vendor-resource-wildcard", message)]


@RULES.register("vendor-privileged")
def vendor_privileged(analysis: RoleAnalysis) -> list[Hit]:
    grant = analysis.grant
    if grant is None or not grant.privileged:
        return []
    shown = "; ".join(grant.privileged[:3]) + (
        f" and {len(grant.privileged) - 3} more" if len(grant.privileged) > 3 else ""
    )
    message = f"the role, which {_who(analysis)} can assume, may do more than read data: {shown}"
    return [Hit("vendor-privileged", message, evidence={"power": list(grant.privileged)})]


@RULES.register("role-unused")
def role_unused(analysis: RoleAnalysis) -> list[Hit]:
    if not analysis.trust.external:
        return []
    return unused(analysis.role, analysis.now, analysis.unused_days)


def unused(role: RoleDetail, now: datetime, days: int = UNUSED_DAYS) -> list[Hit]:
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
    return [Hit("role-unused", message, evidence=evidence or None)]


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
    scope = Scope(account, policies, org_accounts, memo if memo is not None else Memo(), org)
    return judge(role, scope, now or datetime.now(UTC), unused_days)


def judge(role: RoleDetail, scope: Scope, now: datetime, unused_days: int = UNUSED_DAYS) -> RoleVerdict:
    """judge_role within a scope the caller keeps for the roles of an account (aggregate.audit)."""
    account = scope.account
    analysis = analyse(role, scope, now, unused_days)
    trust = analysis.trust
    findings: list[Finding] = []
    hits = RULES.run(analysis)
    if hits:  # most roles have none
        place = RolePlace(account, role.arn, role.name, trust.vendor)
        metadata = rules()
        findings = [
            Finding(
                hit.rule,
                metadata[hit.rule].severity,
                hit.message,
                place,
                metadata[hit.rule].remediation,
                hit.evidence,
            )
            for hit in hits
        ]
    grant = analysis.grant
    buckets = grant.buckets if grant is not None else ()
    refused = trust.refused_by or (grant.refused_by if grant else ())
    refusers = dict.fromkeys([*trust.refused_by, *(grant.refused_by if grant else ())]) if refused else {}
    # an SCP or RCP refused something: what would the role's findings be without them?
    withheld = _withheld(analysis, scope, findings) if refusers else 0
    return RoleVerdict(
        findings,
        trust.external,
        trust.vendor,
        analysis.pinned,
        trust.reached_by,
        buckets,
        withheld,
        tuple(refusers) if withheld else (),
    )


def analyse(role: RoleDetail, scope: Scope, now: datetime, unused_days: int = UNUSED_DAYS) -> RoleAnalysis:
    """The one analysis of a role that every rule reads."""
    trust, text = scope.trust_and_text(role)
    by_path = scope.memo.by_path(role.trust, text) if trust.found else {}
    hits = scope.memo.hits_by_rule(trust, text, by_path) if trust.found else None
    return RoleAnalysis(
        role,
        scope.account,
        trust,
        trust.pinned,
        scope.grant(role) if trust.external else None,
        now,
        unused_days,
        by_path,
        hits,
    )


def _withheld(analysis: RoleAnalysis, scope: Scope, findings: list[Finding]) -> int:
    """How many findings the role would have without the SCPs and RCPs, that it has not."""
    role = analysis.role
    free = analysis.trust
    if free.refused_by:
        free = scope.trust(role, with_rcps=False)
    free_rules = [hit.rule for hit in [*free.found, *weak_external_ids(free.pinned)]]
    if free.external:
        ungranted = analysis.grant or scope.grant(role)
        free_rules += ungranted.free_rules if ungranted else []
        free_rules += [hit.rule for hit in unused(role, analysis.now, analysis.unused_days)]
    return (Counter(free_rules) - Counter(f.rule for f in findings)).total()
