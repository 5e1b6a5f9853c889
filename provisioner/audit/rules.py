"""Pure: audit's rules over one role, decided by the IAM evaluator.

One analysis per role (`analyse`): the verdict on its trust (trust.py) and, for a role another
account can assume, on its grants (grants.py), each computed once per distinct document in a
run (`Memo`: the many service roles, or one vendor's integrations that differ only in their
external IDs, are judged once). Then one short function per rule id reads it; `RULES` runs them
all, in the order of policies/audit-rules.json (the tests prove data and code name the same ids).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from provisioner.audit.grants import (
    GrantMemo,
    GrantVerdict,
    grant_verdict,
    level_names,
)
from provisioner.audit.model import UNUSED_DAYS, RoleDetail, rules
from provisioner.audit.trust import STRANGER, TrustVerdict, judge_trust, vendor_names
from provisioner.iam import statements, strings
from provisioner.inputs import external_id_warnings
from provisioner.model.findings import Finding, RolePlace
from provisioner.model.rules import Hit, Rules
from provisioner.organization import OrgPolicies


@dataclass
class Memo:
    """Verdicts of one run, by document (`repr`: a fast, faithful key for JSON data), so the
    many roles that share a trust share its work."""

    trust: dict[tuple[str, frozenset[str], str], TrustVerdict] = field(default_factory=dict)
    grants: GrantMemo = field(default_factory=dict)


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


# --- trust ---------------------------------------------------------------------------------

PLACEHOLDER = "provisioner-external-id-"  # + a number: an external ID in a memo key
_PLACEHOLDERS = re.compile(re.escape(PLACEHOLDER) + r"\d+")
_ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")
_VALID_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,256}")  # what the analysis lets a caller present


def _abstract_external_ids(document: Any) -> tuple[Any, dict[str, str]]:
    """The trust document with each external ID value replaced by a placeholder (the same value
    by the same placeholder, in every operator), and the placeholders' values, where that is
    sound: every sts:ExternalId value of the trust is a literal (no wildcard, no policy
    variable) that a caller can present, with a letter (as the placeholders have: "matched
    without regard to case" says the same of both), compared by a string operator (or tested by
    Null), and no two differ only in letter case. Then the analysis of the abstract trust is the analysis
    of the real one with the IDs renamed (it relates an ID to the trust's literals only, by
    equality up to case), and trusts that differ only in their IDs (one per vendor integration)
    share one verdict. Anywhere else the document is returned as it is, with no placeholders.

    It runs for every role of an audit: one pass over the statements' conditions, and only a
    statement that names sts:ExternalId is copied (the others, and a trust that names none, are
    shared as they are), so most roles cost a few dict lookups."""
    raw = document.get("Statement") if isinstance(document, dict) else None
    listed = isinstance(raw, list)
    found: list[Any] = raw if isinstance(raw, list) else [raw]
    ids: dict[str, str] = {}
    by_value: dict[str, str] = {}
    folded: set[str] = set()

    def placeholder(value: Any) -> str:
        if not isinstance(value, str) or not _VALID_ID.fullmatch(value) or PLACEHOLDER in value.lower():
            raise _Unsound
        if not any(c.isalpha() for c in value):
            raise _Unsound  # no letter: no case variant, where the placeholder has some
        if value not in by_value:
            if value.lower() in folded:
                raise _Unsound  # two IDs that differ only in letter case
            folded.add(value.lower())
            by_value[value] = f"{PLACEHOLDER}{len(by_value)}"
            ids[by_value[value]] = value
        return by_value[value]

    changed: dict[int, Any] = {}
    try:
        for index, statement in enumerate(found):
            condition = statement.get("Condition") if isinstance(statement, dict) else None
            if not isinstance(condition, dict) or not _mentions_external_id(condition):
                continue
            abstract: dict[str, Any] = {}
            for operator, pairs in condition.items():
                if isinstance(pairs, dict) and any(k.lower() == "sts:externalid" for k in pairs):
                    if _is_null(operator):
                        abstract[operator] = pairs
                        continue
                    if not _compares_strings(operator):
                        raise _Unsound  # Bool, Arn…, Numeric… on the ID: not renamed soundly
                    pairs = {
                        key: (
                            (
                                [placeholder(v) for v in value]
                                if isinstance(value, list)
                                else placeholder(value)
                            )
                            if key.lower() == "sts:externalid"
                            else value
                        )
                        for key, value in pairs.items()
                    }
                abstract[operator] = pairs
            changed[index] = {**statement, "Condition": abstract}
    except _Unsound:
        return document, {}
    if not changed or (ids and PLACEHOLDER in repr(document).lower()):
        return document, {}
    kept = [changed.get(i, s) for i, s in enumerate(found)]
    return {**document, "Statement": kept if listed else kept[0]}, ids


class _Unsound(Exception):
    """The trust's IDs cannot be renamed without changing its verdict."""


def _compares_strings(operator: str) -> bool:
    """String operators compare the value itself (Null and Bool do not: their values are
    true/false and must stay)."""
    return operator.rpartition(":")[2].lower().startswith("string")


def _is_null(operator: str) -> bool:
    return operator.rpartition(":")[2].lower() == "null"


def _mentions_external_id(condition: dict[str, Any]) -> bool:
    """Does a statement's Condition test sts:ExternalId (under any operator)?"""
    for pairs in condition.values():
        if isinstance(pairs, dict):
            for key in pairs:
                if key.lower() == "sts:externalid":
                    return True
    return False


def _abstract_accounts(document: Any, ours: Callable[[str], bool]) -> tuple[Any, dict[str, str]]:
    """The trust with every 12-digit account ID that is not ours renamed to a placeholder account
    (the same by the same), and the placeholders' accounts, where that is sound (_renaming)."""
    renaming = _renaming(document, repr(document), ours)
    if not renaming:
        return document, {}
    return _renamed(document, renaming), {p: t for t, p in renaming.items()}


def _renaming(document: Any, text: str, ours: Callable[[str], bool]) -> dict[str, str]:
    """The placeholder account for each outside account the trust names (`text`: its repr),
    where renaming them is sound: no Condition value has a wildcard and nothing is a policy
    variable. The analysis then relates such an account to the trust's literals by equality
    alone (both are 12 digits), so trusts that differ only in the outside account they name (one
    per vendor) share one verdict. The caller keeps the RCPs out: they may name the accounts."""
    tokens = [t for t in dict.fromkeys(_ACCOUNT.findall(text)) if not ours(t)]
    if not tokens or "${" in text or _condition_wildcards(document):
        return {}
    renaming: dict[str, str] = {}
    number = 1
    for token in tokens:
        while (placeholder := f"{number:012d}") in text or ours(placeholder) or placeholder == STRANGER:
            number += 1
        renaming[token] = placeholder
        number += 1
    return renaming


def _renamed(node: Any, renaming: dict[str, str]) -> Any:
    if isinstance(node, str):
        return _ACCOUNT.sub(lambda m: renaming.get(m.group(0), m.group(0)), node)
    if isinstance(node, dict):
        return {_renamed(k, renaming): _renamed(v, renaming) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, renaming) for v in node]
    return node


def _condition_wildcards(document: Any) -> bool:
    for statement in statements(document):
        condition = statement.body.get("Condition")
        if not isinstance(condition, dict):
            continue
        for pairs in condition.values():
            for values in pairs.values() if isinstance(pairs, dict) else [pairs]:
                if any("*" in v or "?" in v for v in strings(values)):
                    return True
    return False


def _concrete(verdict: TrustVerdict, ids: dict[str, str], accounts: dict[str, str]) -> TrustVerdict | None:
    """The verdict on an abstract trust with its placeholders (IDs, accounts) mapped back to the
    role's own, in every message and field. The renaming is an isomorphism of the question
    (where _abstract_external_ids and _abstract_accounts allow it), so each door maps to a door of
    the real trust, except where the solver chose, on its own, a value that is one of the real
    ones (in the real trust it means something else) or one the mapping cannot read back: None,
    and the real trust is judged."""
    if not accounts and (not ids or not (verdict.found or verdict.pinned)):
        return verdict
    if verdict.found or verdict.doors:
        shown = repr([verdict.found, verdict.doors]).lower()
        if any(real.lower() in shown for real in (*ids.values(), *accounts.values())):
            return None

    def mapped(text: str) -> str:
        text = _PLACEHOLDERS.sub(lambda m: ids.get(m.group(0), m.group(0)), text) if ids else text
        return _ACCOUNT.sub(lambda m: accounts.get(m.group(0), m.group(0)), text) if accounts else text

    doors = []
    for door in verdict.doors:
        from provisioner.analysis.trust import Door  # loaded already: the analysis showed a door

        real = mapped(door.external_id) if door.external_id is not None else None
        if real is not None and PLACEHOLDER in real.lower():
            return None
        keys = tuple((k, mapped(v)) for k, v in door.keys)
        doors.append(Door(mapped(door.caller), real, keys, door.decided, door.why, door.checked))
    found = [Hit(h.rule, mapped(h.message), h.where, h.evidence) for h in verdict.found]
    if any(PLACEHOLDER in h.message.lower() for h in found):
        return None
    parties = tuple(accounts.get(a, a) for a in verdict.parties)
    return replace(
        verdict,
        found=found,
        pinned=sorted(ids.get(p, p) for p in verdict.pinned),
        reached_by=tuple(accounts.get(a, a) for a in verdict.reached_by),
        doors=tuple(doors),
        parties=parties,
        vendor=vendor_names(parties) if accounts else verdict.vendor,
    )


def _role_dependent(levels: Any) -> bool:
    """Does a verdict under these RCPs depend on the role asked about: some RCP's Resource or
    NotResource has a pattern other than "*" (`arn:aws:iam::*:role/restricted-*`)?"""
    return any(
        value != "*"
        for level in levels
        for policy in level
        for statement in statements(policy.document)
        for element in ("Resource", "NotResource")
        for value in strings(statement.body.get(element))
    )


def _names_external_id(levels: Any) -> bool:
    return any("sts:externalid" in repr(policy.document).lower() for level in levels for policy in level)


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

    def trust(self, role: RoleDetail, with_rcps: bool = True) -> TrustVerdict:
        """The verdict on a role's trust, its IDs and accounts its own. The analysis runs once
        per distinct question in a run: the trust with its IDs and outside accounts abstracted
        where that is sound ("repr": a fast, faithful key for JSON data), the organization's
        policies by name, and the role's ARN when an RCP's Resource (or the trust's) has a
        pattern, so the RCPs are asked about the role's own ARN."""
        rcps = self.org.rcps if self.org and with_rcps else ()
        real_text = repr(role.trust)
        named = bool(rcps and _role_dependent(rcps)) or "Resource" in real_text
        suffix = level_names(rcps) + (role.arn if named else "")
        # the same trust again (the many service roles): its verdict, IDs and accounts its own
        seen = (self.account, self.org_accounts, "as written: " + real_text + suffix)
        if (known := self.memo.trust.get(seen)) is not None:
            return known
        abstract, ids = _abstract_external_ids(role.trust)
        if ids and rcps and _names_external_id(rcps):
            abstract, ids = role.trust, {}
        text = repr(abstract) if ids else real_text
        renaming = {} if rcps else _renaming(abstract, text, self._ours)
        if renaming:
            text = _ACCOUNT.sub(lambda m: renaming.get(m.group(0), m.group(0)), text)
        verdict = self._verdict(text, suffix, abstract, renaming, role, rcps)
        concrete = None
        if verdict is not None:
            concrete = _concrete(verdict, ids, {p: t for t, p in renaming.items()})
        if concrete is None:
            concrete = self._verdict(real_text, suffix, role.trust, {}, role, rcps)
            assert concrete is not None  # nothing renamed: always judged
        self.memo.trust[seen] = concrete
        return concrete

    def _ours(self, account: str) -> bool:
        return account == self.account or account in self.org_accounts

    def _verdict(
        self,
        text: str,
        suffix: str,
        document: Any,
        renaming: dict[str, str],
        role: RoleDetail,
        rcps: Any,
    ) -> TrustVerdict | None:
        """The memo's verdict for a key (the document's text, the RCPs' names, the role's ARN
        where it matters), judged on its first use; None when the renamed document is not what
        the key says (a number where a string was: the real one is judged)."""
        key = (self.account, self.org_accounts, text + suffix)
        if key not in self.memo.trust:
            if renaming:
                document = _renamed(document, renaming)
                if repr(document) != text:
                    return None
            self.memo.trust[key] = judge_trust(
                document, self.account, self.org_accounts, rcps, role_arn=role.arn
            )
        return self.memo.trust[key]

    def grant(self, role: RoleDetail) -> GrantVerdict | None:
        scps = self.org.scps if self.org else ()
        return grant_verdict(role, self.account, self.policies, self.memo.grants, scps)


def analyse(role: RoleDetail, scope: Scope, now: datetime, unused_days: int = UNUSED_DAYS) -> RoleAnalysis:
    """The one analysis of a role that every rule reads."""
    trust = scope.trust(role)
    by_path = {s.path: s.body for s in statements(role.trust)} if trust.found else {}
    return RoleAnalysis(
        role,
        scope.account,
        trust,
        trust.pinned,
        scope.grant(role) if trust.external else None,
        now,
        unused_days,
        by_path,
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
