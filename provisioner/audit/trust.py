"""Pure: who may assume a role, presenting what, decided by the IAM evaluator (and the RCPs of
its account); one verdict per distinct trust document, shared by the roles that have it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provisioner.audit.grants import SESSION, Levels
from provisioner.evaluation import (
    OUTSIDER_ACCOUNT,
    Decision,
    Policy,
    Request,
    assume_role_request,
    caller_for,
    evaluate,
)
from provisioner.evaluation.chain import organization_decision
from provisioner.evaluation.witness import (
    OUTSIDER_ACCOUNTS,
    Witness,
    caller_candidates,
    external_id_witnesses,
    pinned_values,
)
from provisioner.iam import Statement, aws_principals, statements
from provisioner.model import account_of, role_arn, session_arn
from provisioner.model.rules import Hit
from provisioner.vendors import vendor_for_account


@dataclass(frozen=True)
class TrustVerdict:
    """What a trust document lets in. Its hits' `where` is the statement's path (the verdict
    is shared by roles: each role's finding shows its own statement)."""

    found: list[Hit]
    external: bool
    vendor: str
    pinned: list[str]  # placeholders of the pinned external IDs
    reached_by: tuple[str, ...] = ()  # the outside accounts that get in ("*": any)
    refused_by: tuple[str, ...] = ()  # the RCPs that refused a request the trust allows


@dataclass
class _Judging:
    """A trust verdict while it is being reached, principal by principal."""

    trust: list[Policy]
    arn: str  # the role asked about
    exact: list[str]  # the external IDs the trust pins exactly
    rcps: Levels
    found: list[Hit] = field(default_factory=list)
    refusers: dict[str, None] = field(default_factory=dict)
    reachers: list[str] = field(default_factory=list)
    vendors: set[str] = field(default_factory=set)
    pinned: list[str] = field(default_factory=list)
    external: bool = False

    def refused(self, request: Request) -> Decision | None:
        """The RCPs' refusal of a request the trust allows (recorded), or None."""
        refusal = organization_decision((), self.rcps, request) if self.rcps else None
        if refusal is not None:
            self.refusers.update(dict.fromkeys(refusal.deciders))
        return refusal


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
    judging = _Judging(trust, role_arn(account, "audited-role"), sorted(pinned_values(trust)), rcps)
    judging.found = _any_account(judging)
    judging.external = bool(judging.found)
    for value, caller, statement in _other_accounts(trust_doc, {account, *org_accounts}):
        _judge_principal(judging, value, caller, statement)
    if any(hit.rule == "trust-any-principal" for hit in judging.found):
        judging.reachers.insert(0, "*")
    return TrustVerdict(
        judging.found,
        judging.external,
        ", ".join(sorted(judging.vendors)),
        sorted(set(judging.pinned)),
        tuple(dict.fromkeys(judging.reachers)),
        tuple(judging.refusers),
    )


def _judge_principal(judging: _Judging, value: str, caller: str, statement: Statement) -> None:
    """The rules for one principal of another account the trust lets in (`value` as the trust
    writes it, `caller` a principal it stands for)."""
    principal_account = account_of(caller) or OUTSIDER_ACCOUNT
    known = vendor_for_account(principal_account)
    if known:
        judging.vendors.add(known.display_name)

    def request(external_id: str | None, caller: str = caller) -> Request:
        return assume_role_request(caller, judging.arn, external_id)

    # The witnesses include no ID at all and an ID nobody issued; the pinned IDs are asked apart.
    witnesses = external_id_witnesses(judging.trust, request, judging.exact)
    exact = judging.exact
    pinned_allowed = bool(exact) and evaluate(judging.trust, request(exact[0])).allowed
    if not (pinned_allowed or witnesses):
        return  # named, but refused whatever it presents (an explicit Deny, say)
    if judging.rcps:
        witnesses, pinned_allowed, blocked = _unblocked(judging, request, witnesses, pinned_allowed)
        if not (pinned_allowed or witnesses):
            message = (
                f"the trust lets {value} in, but the organization refuses its sts:AssumeRole: "
                f"{blocked[0].reason()}"
            )
            judging.found.append(Hit("trust-blocked-by-organization", message, statement.path))
            return
    judging.external = True
    judging.reachers.append(principal_account)
    hit = _external_id_hit(value, statement, witnesses)
    if hit is not None:
        judging.found.append(hit)
    else:
        judging.pinned.extend(exact)
    if value.endswith(":root") or value == principal_account:
        _account_root(judging, principal_account, statement)


def _unblocked(
    judging: _Judging,
    request: Callable[[str | None], Request],
    witnesses: list[Witness],
    pinned_allowed: bool,
) -> tuple[list[Witness], bool, list[Decision]]:
    """The witnesses the RCPs let through, whether the pinned ID still gets in, and the RCPs'
    refusals of the others."""
    refusals = [judging.refused(request(w.external_id)) for w in witnesses]
    blocked = [r for r in refusals if r is not None]
    kept = [w for w, r in zip(witnesses, refusals, strict=True) if r is None]
    if pinned_allowed and (refused := judging.refused(request(judging.exact[0]))) is not None:
        pinned_allowed = False
        blocked.append(refused)
    return kept, pinned_allowed, blocked


def _external_id_hit(value: str, statement: Statement, witnesses: list[Witness]) -> Hit | None:
    """cross-account-no-external-id or external-id-not-pinned for a principal that gets in, or
    None when only the pinned IDs get it in."""
    without_id = next((w for w in witnesses if w.external_id is None), None)
    has_condition = any(key.lower() == "sts:externalid" for _, key, _ in statement.conditions())
    if without_id is not None and not has_condition:
        return Hit(
            "cross-account-no-external-id",
            f"{value} can assume the role without an external ID: {without_id.decision.reason()}",
            statement.path,
        )
    if not witnesses:
        return None
    first = witnesses[0]
    how = (
        "without an external ID"
        if first.external_id is None
        else f"with external ID {first.external_id!r}, which the trust does not pin"
    )
    return Hit(
        "external-id-not-pinned",
        f"{value} can assume the role {how}: {first.decision.reason()}",
        statement.path,
    )


def _account_root(judging: _Judging, principal_account: str, statement: Statement) -> None:
    """trusts-account-root: another principal of the trusted account gets in too."""
    other = session_arn(principal_account, "some-other-role", SESSION)
    asked = assume_role_request(other, judging.arn, judging.exact[0] if judging.exact else None)
    if evaluate(judging.trust, asked).allowed and judging.refused(asked) is None:
        judging.found.append(
            Hit(
                "trusts-account-root",
                f"every principal of account {principal_account} that may "
                "call sts:AssumeRole can assume the role",
                statement.path,
            )
        )


def _any_account(judging: _Judging) -> list[Hit]:
    """trust-any-principal: a caller of an account the trust never names gets in, with no ID or
    with the ID it pins (external IDs are not secrets). The first candidate is a plain outsider
    (`Principal: "*"`); the others fill the trust's patterns (ArnLike aws:PrincipalArn
    "arn:aws:iam::*:role/NAME": anyone able to create a role of that name)."""
    blocked: Decision | None = None
    for index, caller in enumerate(caller_candidates(judging.trust, SESSION)):
        if account_of(caller) not in OUTSIDER_ACCOUNTS:
            continue
        for external_id in (None, *judging.exact[:1]):
            asked = assume_role_request(caller, judging.arn, external_id)
            decision = evaluate(judging.trust, asked)
            if decision.allowed and (refused := judging.refused(asked)) is not None:
                blocked = blocked or refused
                continue
            if decision.allowed:
                named = (
                    ""
                    if index == 0
                    else f"{caller}, of an account the trust never names, matches its patterns: "
                )
                message = f"any AWS account can assume the role: {named}{decision.reason()}"
                return [Hit("trust-any-principal", message, decision.allows[0].path)]
    if blocked is not None:
        message = (
            "the trust lets any AWS account in, but the organization refuses the "
            f"sts:AssumeRole of accounts outside it: {blocked.reason()}"
        )
        return [Hit("trust-blocked-by-organization", message, "")]
    return []


def _other_accounts(trust_doc: Any, ours: set[str]) -> list[tuple[str, str, Statement]]:
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


def _named_principals(trust: Any) -> list[tuple[str, Statement]]:
    """(AWS principal, statement) for Allow statements that let an AWS principal assume."""
    return [
        (value, statement)
        for statement in statements(trust)
        if statement.is_allow
        for value in aws_principals(statement)
    ]
