"""The plainest trusts answered without the solver: Allow statements only, principals named
exactly (accounts, roles, users, services, or "*"), and either no condition or exactly
`StringEquals sts:ExternalId` with literal IDs; no RCPs. Most roles of an account are such
(service roles, vendor roles made by this tool), and audit then needs no z3 at all.

For these the answer follows from the statements alone: a class gets in through the statements
that name it, with the union of their IDs (any ID, or none, when one has no condition).
tests/test_trust_simple.py checks every answer here against analysis/trust.py on generated
trusts, and each door is re-checked by the concrete evaluator as the solver's are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from provisioner.analysis.answer import ACTION, ClassAnswer, Door, TrustAnswer, TrustQuestion, issued_ids
from provisioner.evaluation import Policy, evaluate
from provisioner.iam import action_matches, as_list, has_wildcard, statements, strings
from provisioner.model.arn import Arn, session_arn

_ACCOUNT = re.compile(r"\d{12}")
_STRANGERS = ("111122223333", "444455556666", "777788889999")
_NOT_ISSUED = "provisioner-not-issued-id"
_KEYS = {"Sid", "Effect", "Principal", "Action", "Condition"}


@dataclass(frozen=True)
class _Grant:
    """One Allow statement: whom it names and the IDs it admits (None: any ID, or none)."""

    anyone: bool  # Principal "*" or {"AWS": "*"}
    aws: tuple[tuple[str, str], ...]  # (account, caller ARN for a door)
    services: tuple[str, ...]
    ids: tuple[str, ...] | None


def simple_answer(question: TrustQuestion) -> TrustAnswer | None:
    """The answer, or None when the trust is not one of the plainest (the solver decides it)."""
    trust_doc, role_arn = question.trust, question.role_arn
    grants = None if question.rcps else _grants(trust_doc)
    if grants is None:
        return None
    ids = issued_ids(trust_doc, question.issued)
    trust = Policy("trust policy", trust_doc)
    party_list, own_account = question.parties, question.own_account
    excluded = set(question.excluded)
    stranger = next((a for a in _STRANGERS if a not in excluded), None)
    if stranger is None:
        return None

    def judge(kind: str, name: str, account: str | None) -> ClassAnswer:
        def member(named: str) -> bool:
            return named not in excluded if kind == "other" else named == account

        return _judge(trust, role_arn, ids, grants, (kind, name, account), member)

    answers = tuple(judge("party", f"account {a}", a) for a in party_list)
    other = judge("other", "any other account", stranger)
    own = None
    if own_account and own_account not in party_list:
        own = judge("own", f"its own account {own_account}", own_account)
    return TrustAnswer(ids, answers, other, own, judge("service", "an AWS service", None))


def _grants(trust_doc: Any) -> list[_Grant] | None:
    raw = trust_doc.get("Statement") if isinstance(trust_doc, dict) else None
    found = statements(trust_doc)
    if not found or len(found) != len(as_list(raw)):
        return None
    grants = []
    for statement in found:
        body = statement.body
        actions = body.get("Action")
        if set(body) - _KEYS or not statement.is_allow or len(strings(actions)) != len(as_list(actions)):
            return None
        if not strings(actions):
            return None
        if not any(action_matches(a, ACTION) for a in strings(actions)):
            continue
        grant = _grant(body)
        if grant is None:
            return None
        grants.append(grant)
    return grants


def _grant(body: dict[str, Any]) -> _Grant | None:
    plain, ids = _ids(body.get("Condition", {}))
    principal = body.get("Principal")
    if not plain or principal is None:
        return None
    if principal == "*":
        return _Grant(True, (), (), ids)
    if not isinstance(principal, dict) or set(principal) - {"AWS", "Service"}:
        return None
    aws, services = as_list(principal.get("AWS")), as_list(principal.get("Service"))
    if not all(isinstance(v, str) for v in (*aws, *services)):
        return None
    callers = []
    for value in aws:
        if value == "*":
            continue
        caller = _caller(value)
        if caller is None:
            return None
        callers.append(caller)
    return _Grant("*" in aws, tuple(callers), tuple(services), ids)


def _ids(condition: Any) -> tuple[bool, tuple[str, ...] | None]:
    """(plain?, the literal IDs of `StringEquals sts:ExternalId`, or None for no condition)."""
    if condition == {}:
        return True, None
    if not isinstance(condition, dict) or list(condition) != ["StringEquals"]:
        return False, None
    pairs = condition["StringEquals"]
    if not isinstance(pairs, dict) or [k.lower() for k in pairs] != ["sts:externalid"]:
        return False, None
    values = as_list(next(iter(pairs.values())))
    if not values or not all(
        isinstance(v, str) and v and not has_wildcard(v) and "${" not in v for v in values
    ):
        return False, None
    return True, tuple(values)


def _caller(value: str) -> tuple[str, str] | None:
    """(account, a caller the principal stands for) for an account, root, role or user principal."""
    if _ACCOUNT.fullmatch(value):
        return value, session_arn(value, "any-role", "session")
    arn = Arn.parse(value)
    if arn is None or has_wildcard(value) or arn.partition != "aws" or not _ACCOUNT.fullmatch(arn.account):
        return None
    if arn.is_root:
        return arn.account, session_arn(arn.account, "any-role", "session")
    if arn.is_role:
        return arn.account, session_arn(arn.account, arn.name, "session")
    if arn.service == "iam" and re.fullmatch(r"user/[\w+=,.@-]+", arn.resource):
        return arn.account, value
    return None


def _judge(
    trust: Policy,
    role_arn: str,
    issued: tuple[str, ...],
    grants: list[_Grant],
    who: tuple[str, str, str | None],
    member: Callable[[str], bool],
) -> ClassAnswer:
    """One class (kind, name, an account of it): the grants that name one of its accounts
    (`member`), their callers, and the IDs they admit."""
    kind, name, account = who
    admitting: list[tuple[str, tuple[str, ...] | None]] = []
    for grant in grants:
        if kind == "service":
            callers = list(grant.services) + (["service.amazonaws.com"] if grant.anyone else [])
        else:
            callers = [c for a, c in grant.aws if member(a)]
            if grant.anyone and account is not None:
                callers.append(session_arn(account, "any-role", "session"))
        admitting += [(caller, grant.ids) for caller in callers]
    if not admitting:
        return ClassAnswer(kind, name, account, None)
    free = next((c for c, ids in admitting if ids is None), None)
    if free is not None:
        other_id = _NOT_ISSUED + "-" * sum(i.lower() == _NOT_ISSUED for i in issued)
        doors = [_door(trust, role_arn, free, i) for i in (None, other_id)]
        return _described(kind, name, account, doors[0], doors[0], doors[1], issued, "any ID, or none")
    admitted = {i for _, ids in admitting for i in ids or ()}
    issued_in = tuple(i for i in issued if i in admitted)
    text = (
        f"exactly {issued_in[0]}"
        if len(issued_in) == 1
        else f"exactly these {len(issued_in)} IDs: {', '.join(issued_in)}"
    )
    # a caller and an ID of the same grant (the first grant may admit another ID than the first)
    caller, presented = next(
        ((c, i) for c, ids in admitting for i in issued_in if i in (ids or ())), (admitting[0][0], None)
    )
    first = _door(trust, role_arn, caller, presented)
    return _described(kind, name, account, first, None, None, issued_in, text)


def _described(
    kind: str,
    name: str,
    account: str | None,
    admitted: Door,
    without: Door | None,
    other: Door | None,
    issued_in: tuple[str, ...],
    ids: str,
) -> ClassAnswer:
    return ClassAnswer(
        kind, name, account, admitted, without, other, issued_in, "" if kind in ("own", "service") else ids
    )


def _door(trust: Policy, role_arn: str, caller: str, external_id: str | None) -> Door:
    door = Door(caller, external_id)
    return (
        door
        if evaluate([trust], door.request(role_arn)).allowed
        else Door(caller, external_id, checked=False)
    )
