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

from provisioner.audit.grants import (
    GrantMemo,
    GrantVerdict,
    grant_verdict,
    level_names,
)
from provisioner.audit.model import UNUSED_DAYS, RoleDetail, rules
from provisioner.audit.trust import TrustVerdict, judge_trust
from provisioner.iam import statements
from provisioner.inputs import external_id_warnings
from provisioner.model.findings import Finding, RolePlace
from provisioner.model.rules import Hit, Rules
from provisioner.organization import OrgPolicies


@dataclass(slots=True)
class AbstractTrust:
    """A trust document as its verdict is asked for: its external IDs abstracted (`document`,
    `ids`: placeholder -> ID), the text that keys the verdict, and its statements by path (the
    findings' evidence), built when first asked. One per distinct trust text in a run."""

    document: Any
    ids: dict[str, str]
    key: str
    _by_path: dict[str, Any] | None = None

    @classmethod
    def of(cls, trust: Any, text: str) -> AbstractTrust:
        document, ids = _abstract_external_ids(trust)
        return cls(document, ids, text if not ids else repr(document), None)

    def by_path(self, trust: Any) -> dict[str, Any]:
        """`trust`'s statements by path (`trust` is the document this was made of, or one of
        the same text: the roles that share it share these, read-only)."""
        if self._by_path is None:
            self._by_path = {s.path: s.body for s in statements(trust)}
        return self._by_path


@dataclass
class Memo:
    """Verdicts of one run, by document; the trusts abstracted, by their text (`repr`: a fast,
    faithful key for JSON data), so the many roles that share a trust share its work."""

    trust: dict[tuple[str, frozenset[str], str], TrustVerdict] = field(default_factory=dict)
    grants: GrantMemo = field(default_factory=dict)
    abstracts: dict[str, AbstractTrust] = field(default_factory=dict)

    def abstract(self, trust: Any) -> AbstractTrust:
        text = repr(trust)
        found = self.abstracts.get(text)
        if found is None:
            found = self.abstracts[text] = AbstractTrust.of(trust, text)
        return found


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


# The rules that judge one role; those that judge the whole estate are aggregate.ESTATE_RULES.
RULES: Rules[RoleAnalysis] = Rules("audit rule", "audit-rules.json")


def _trust_hits(analysis: RoleAnalysis, rule_id: str) -> list[Hit]:
    """The trust verdict's hits of one rule, with the role's own statement as the evidence
    (each rule asks only when the verdict found anything: most roles' has not, and a call less
    for each of 10,000 roles and five rules shows)."""
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


@RULES.register("vendor-write-access")
def vendor_write_access(analysis: RoleAnalysis) -> list[Hit]:
    grant = analysis.grant
    if grant is None or not grant.writes:
        return []
    message = f"the role, which another account can assume, may {grant.shown}"
    return [Hit("vendor-write-access", message, evidence={"actions": grant.writes})]


@RULES.register("vendor-resource-wildcard")
def vendor_resource_wildcard(analysis: RoleAnalysis) -> list[Hit]:
    grant = analysis.grant
    if grant is None or not grant.wide:
        return []
    message = f"the role, which another account can assume, may read any bucket: {grant.wide}"
    return [Hit("vendor-resource-wildcard", message)]


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


# --- one role -------------------------------------------------------------------------------


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


@dataclass(slots=True)
class Scope:
    """What a role is judged within: its account, that account's policies, the organization."""

    account: str
    policies: dict[str, Any]
    org_accounts: frozenset[str]
    memo: Memo
    org: OrgPolicies | None

    @classmethod
    def of(
        cls, account: str, policies: dict[str, Any] | None = None, org: OrgPolicies | None = None
    ) -> Scope:
        """A scope of its own (a run's memo is not shared): for a test or a single role."""
        return cls(account, policies or {}, frozenset(), Memo(), org)

    def trust(self, abstract: AbstractTrust, with_rcps: bool = True) -> TrustVerdict:
        """The verdict on an abstracted trust, once per run (keyed by its text, and the
        organization's policies by name)."""
        rcps = self.org.rcps if self.org and with_rcps else ()
        key = (self.account, self.org_accounts, abstract.key + level_names(rcps) if rcps else abstract.key)
        verdict = self.memo.trust.get(key)
        if verdict is None:
            verdict = self.memo.trust[key] = judge_trust(
                abstract.document, self.account, self.org_accounts, rcps
            )
        return verdict

    def grant(self, role: RoleDetail) -> GrantVerdict | None:
        scps = self.org.scps if self.org else ()
        return grant_verdict(role, self.account, self.policies, self.memo.grants, scps)


def analyse(role: RoleDetail, scope: Scope, now: datetime, unused_days: int = UNUSED_DAYS) -> RoleAnalysis:
    """The one analysis of a role that every rule reads."""
    abstract = scope.memo.abstract(role.trust)
    trust = scope.trust(abstract)
    ids = abstract.ids
    return RoleAnalysis(
        role,
        scope.account,
        trust,
        sorted({ids[p] for p in trust.pinned if p in ids}) if ids else [],
        scope.grant(role) if trust.external else None,
        now,
        unused_days,
        abstract.by_path(role.trust) if trust.found else {},
    )


def _withheld(analysis: RoleAnalysis, scope: Scope, findings: list[Finding]) -> int:
    """How many findings the role would have without the SCPs and RCPs, that it has not."""
    role = analysis.role
    free = analysis.trust
    abstract = scope.memo.abstract(role.trust)
    if free.refused_by:
        free = scope.trust(abstract, with_rcps=False)
    free_pinned = sorted({abstract.ids[p] for p in free.pinned if p in abstract.ids})
    free_rules = [hit.rule for hit in [*free.found, *weak_external_ids(free_pinned)]]
    if free.external:
        ungranted = analysis.grant or scope.grant(role)
        free_rules += ungranted.free_rules if ungranted else []
        free_rules += [hit.rule for hit in unused(role, analysis.now, analysis.unused_days)]
    return (Counter(free_rules) - Counter(f.rule for f in findings)).total()
