"""Whom a policy's Principal names and whom a Deny's NotPrincipal spares, for one symbolic caller
(analysis/request.py's Caller), as the concrete evaluator decides them (evaluation's
principal_matches and not_principal_spares)."""

from __future__ import annotations

from typing import Any, Protocol

import z3

from provisioner.iam import strings
from provisioner.model.arn import Arn


class _Caller(Protocol):
    """What these read of analysis/request.py's Caller."""

    kind: str
    acct: z3.SeqRef
    name: z3.SeqRef
    session: z3.SeqRef
    user: z3.BoolRef
    service: z3.SeqRef

    def principal_arn(self) -> z3.SeqRef: ...


def names(caller: _Caller, element: Any) -> z3.BoolRef:
    """Does a Principal element name the caller (evaluation's principal_matches)?"""
    if element == "*":
        return z3.BoolVal(True)
    if not isinstance(element, dict):
        return z3.BoolVal(False)
    options: list[z3.BoolRef] = []
    for kind, values in element.items():
        for value in strings(values):
            if kind == "AWS":
                options.append(_aws(caller, value))
            elif caller.kind == "service":
                options.append(caller.service == z3.StringVal(value))
    return z3.Or(*options) if options else z3.BoolVal(False)


def spares(caller: _Caller, element: Any) -> z3.BoolRef:
    """Does a Deny's NotPrincipal spare the caller (evaluation's not_principal_spares)? Only
    when it names every principal the request is made as: a role session's ARN, its role's
    ARN and its account; a user's ARN and its account ("AWS JSON policy elements:
    NotPrincipal")."""
    if element == "*":
        return z3.BoolVal(True)
    if not isinstance(element, dict):
        return z3.BoolVal(False)
    if caller.kind == "service":
        named = [v for kind, values in element.items() if kind != "AWS" for v in strings(values)]
        return z3.Or(*[caller.service == z3.StringVal(v) for v in named]) if named else z3.BoolVal(False)
    aws = strings(element.get("AWS", []))
    if "*" in aws:
        return z3.BoolVal(True)
    arns = [arn for arn in (Arn.parse(v) for v in aws) if arn is not None and arn.partition == "aws"]
    accounts = [v for v in aws if len(v) == 12 and v.isdigit()] + [a.account for a in arns if a.is_root]
    roles = [
        z3.And(caller.acct == z3.StringVal(a.account), caller.name == z3.StringVal(a.name))
        for a in arns
        if a.is_role
    ]
    sessions = []
    for arn in (a for a in arns if a.is_session):
        parts = arn.resource.split("/")
        if len(parts) == 3:
            sessions.append(
                z3.And(
                    caller.acct == z3.StringVal(arn.account),
                    caller.name == z3.StringVal(parts[1]),
                    caller.session == z3.StringVal(parts[2]),
                )
            )
    users = [
        caller.principal_arn() == z3.StringVal(v)
        for v, a in zip(aws, map(Arn.parse, aws), strict=True)
        if a is not None and a.service == "iam" and a.resource.startswith("user/")
    ]
    account = z3.Or(*[caller.acct == z3.StringVal(a) for a in accounts]) if accounts else z3.BoolVal(False)
    as_session = z3.And(
        z3.Or(*roles) if roles else z3.BoolVal(False), z3.Or(*sessions) if sessions else z3.BoolVal(False)
    )
    as_user = z3.Or(*users) if users else z3.BoolVal(False)
    return z3.And(account, z3.If(caller.user, as_user, as_session))


def _aws(caller: _Caller, value: str) -> z3.BoolRef:
    if value == "*":
        return z3.BoolVal(True)
    if caller.kind == "service":
        return z3.BoolVal(False)
    if len(value) == 12 and value.isdigit():
        return caller.acct == z3.StringVal(value)
    named = Arn.parse(value)
    if named is None or "*" in value or "?" in value or named.partition != "aws":
        return z3.BoolVal(False)
    same = caller.acct == z3.StringVal(named.account)
    if named.is_root:
        return same
    if named.is_role:
        return z3.And(same, z3.Not(caller.user), caller.name == z3.StringVal(named.name))
    if named.is_session:
        parts = named.resource.split("/")
        if len(parts) != 3:
            return z3.BoolVal(False)
        role, session = parts[1], parts[2]
        return z3.And(
            same,
            z3.Not(caller.user),
            caller.name == z3.StringVal(role),
            caller.session == z3.StringVal(session),
        )
    if named.service == "iam" and named.resource.startswith("user/"):
        return z3.And(caller.user, caller.principal_arn() == z3.StringVal(value))
    return z3.BoolVal(False)
