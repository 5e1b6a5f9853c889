"""IAM policy evaluation: may principal P do action A on resource R with request context C?

A pure function of policy documents and a request, following the IAM User Guide ("Policy
evaluation logic", "IAM JSON policy elements", "Condition operators", "Policy variables") for
what vendor grants use. moto does not evaluate trust policies, so the trust verdicts of
`validate` and `audit` rest on this module; tests/test_evaluation.py holds its table of cases.

This module decides one set of policies (its data in evaluation/model.py, conditions and policy
variables in evaluation/conditions.py); evaluation/chain.py combines the layers (SCPs, RCPs,
resource and identity policies, permissions boundaries), evaluation/context.py builds the
request context a caller carries; analysis/ decides exactly, with a solver, which requests a
trust lets in, and re-checks its counterexamples here. Not modelled: session policies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from provisioner.evaluation.conditions import condition_holds, conditions_match, value_matches
from provisioner.evaluation.model import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Decision, Hit, Policy, Request
from provisioner.iam import Statement, action_matches, strings
from provisioner.model.arn import Arn, account_of, session_arn

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "OUTSIDER_ACCOUNT",
    "Decision",
    "Hit",
    "Policy",
    "Request",
    "assume_role_request",
    "caller_for",
    "caller_request",
    "condition_holds",
    "conditions_match",
    "evaluate",
    "not_principal_spares",
    "principal_matches",
    "statement_applies",
    "value_matches",
]

_ACCOUNT = re.compile(r"\d{12}")


OUTSIDER_ACCOUNT = "000000000000"  # an account no one here owns: "another AWS account"


def caller_for(principal: str, session: str = "provisioner-probe") -> str:
    """The ARN a trust policy's principal value calls STS as: a session of a named role, the
    user or session itself, or a session of some role of a named account (root or bare ID).
    validate asks it of the vendor's principal, audit of every principal a trust names."""
    account = account_of(principal) or OUTSIDER_ACCOUNT
    arn = Arn.parse(principal)
    if arn is not None and arn.is_role:
        return session_arn(account, arn.name, session, arn.partition)
    if arn is not None and arn.resource_type in ("user", "assumed-role"):
        return principal
    return session_arn(account, "any-role-in-the-account", session, arn.partition if arn else "aws")


def assume_role_request(
    caller: str,
    role_arn: str,
    external_id: str | None,
    *,
    region: str = "us-east-1",
    session_name: str = "provisioner-probe",
    now: datetime | None = None,
    **context: Any,
) -> Request:
    """sts:AssumeRole of role_arn by caller, with every key the caller's requests carry
    (evaluation/context.py's table), sts:RoleSessionName, sts:ExternalId when given, and the
    given keys on top."""
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    return caller_request(
        caller,
        "sts:AssumeRole",
        role_arn,
        region=region,
        now=now,
        assume_role_session=session_name,
        **context,
    )


def caller_request(
    caller: str,
    action: str,
    resource: str,
    *,
    region: str = "us-east-1",
    now: datetime | None = None,
    assume_role_session: str | None = None,
    **context: Any,
) -> Request:
    """A request of `caller` with every key its requests carry, and the given keys on top."""
    from provisioner.evaluation.context import caller_context  # context imports nothing of ours back

    keys = caller_context(caller, region=region, now=now, assume_role_session=assume_role_session)
    keys.update(context)
    return Request(caller, action, resource, keys)


def evaluate(
    policies: Iterable[Policy], request: Request, *, account_delegates: bool = False, bounded: bool = False
) -> Decision:
    """Explicit Deny beats Allow; without an Allow the answer is an implicit deny.

    (IAM User Guide, "Policy evaluation logic": "Determining whether a request is allowed or
    denied within an account".) All documents are taken as one set, as for identity and
    resource policies of the same account.

    account_delegates: a resource policy that names the caller's *account* (its root ARN or
    ID) rather than the caller grants nothing by itself: it lets the account's IAM policies
    decide ("IAM JSON policy elements: Principal", AWS account principals; "AWS KMS key
    policies", the default key policy). Use it when the caller's identity policies are among
    the policies evaluated; leave it off for a cross-account trust, where the other account's
    own policies are out of sight. A Deny that names the account still applies.

    bounded: the caller has a permissions boundary. A resource policy's Deny with NotPrincipal
    then denies it whatever the NotPrincipal names (IAM User Guide, "Permissions boundaries for
    IAM entities": "The NotPrincipal element with a Deny effect will always deny any IAM
    principal that has a permissions boundary policy attached, regardless of the values
    specified in the NotPrincipal element").
    """
    allows, denies = [], []
    for policy in policies:
        variables = policy.variables
        for statement in policy.statements:
            if not statement_applies(statement, request, variables=variables, bounded=bounded):
                continue
            if (
                account_delegates
                and statement.effect == "Allow"
                and "Principal" in statement.body
                and not principal_matches(statement.body["Principal"], request.principal, exact=True)
            ):
                continue
            hit = Hit(policy.name, statement.path, statement.body.get("Sid"), statement.effect or "")
            if statement.effect == "Deny":
                denies.append(hit)
            elif statement.effect == "Allow":
                allows.append(hit)
    if denies:
        return Decision(EXPLICIT_DENY, tuple(allows), tuple(denies))
    if allows:
        return Decision(ALLOW, tuple(allows))
    return Decision(IMPLICIT_DENY)


def statement_applies(
    statement: Statement, request: Request, *, variables: bool = True, bounded: bool = False
) -> bool:
    """Does the statement match the request? `bounded`: the caller has a permissions boundary,
    which no Deny's NotPrincipal exempts (see evaluate)."""
    body = statement.body
    if "Principal" in body and not principal_matches(body["Principal"], request.principal):
        return False
    if "NotPrincipal" in body:
        element = body["NotPrincipal"]
        if statement.effect == "Deny":
            if not bounded and not_principal_spares(element, request.principal):
                return False
        elif principal_matches(element, request.principal):
            return False
    if "Action" in body and not any(action_matches(a, request.action) for a in strings(body["Action"])):
        return False
    if "NotAction" in body and any(action_matches(a, request.action) for a in strings(body["NotAction"])):
        return False
    if "Resource" in body and not _any_resource(body["Resource"], request, variables):
        return False
    if "NotResource" in body and _any_resource(body["NotResource"], request, variables):
        return False
    return conditions_match(body.get("Condition"), request, variables=variables)


# --- principals ---------------------------------------------------------------------------


def principal_matches(element: Any, caller: str, *, exact: bool = False) -> bool:
    """Does a Principal element name the caller? ("IAM JSON policy elements: Principal".)

    - "*" and {"AWS": "*"}: everyone;
    - an account ID or arn:…:iam::ACCOUNT:root: every principal of that account;
    - a role ARN: that role and its sessions (arn:…:sts::ACCOUNT:assumed-role/NAME/…);
    - a user or session ARN: that one exactly; Service / Federated / CanonicalUser: exact.
    Wildcards other than a lone "*" are not supported by IAM and match nothing.
    With exact=True an account principal does not count (see evaluate's account_delegates).
    """
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    for kind, values in element.items():
        for value in strings(values):
            if kind == "AWS" and _aws_principal_matches(value, caller, exact):
                return True
            if kind != "AWS" and value == caller:
                return True
    return False


def not_principal_spares(element: Any, caller: str) -> bool:
    """Does a Deny's NotPrincipal spare the caller? Only when it names every principal the request
    is made as (IAM User Guide, "AWS JSON policy elements: NotPrincipal": with Deny, "you must also
    specify the account ARN of the not-denied principal", and for a role session "the
    assumed-role session ARN, the role ARN and the account"): a role session's own ARN, its role's
    ARN and its account; a user's ARN and its account; the account. A lone "*" spares everyone."""
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    aws = strings(element.get("AWS", []))
    if "*" in aws:
        return True
    who = Arn.parse(caller)
    if who is None:  # an AWS service principal
        return any(v == caller for kind, values in element.items() if kind != "AWS" for v in strings(values))
    named = [arn for arn in (Arn.parse(v) for v in aws) if arn is not None and arn.account == who.account]
    account = who.account in aws or any(arn.is_root and arn.partition == who.partition for arn in named)
    if who.is_root or not account:
        return account
    if who.is_session:
        role = any(arn.is_role and arn.name == who.session_role for arn in named)
        return role and caller in aws
    return caller in aws


def _aws_principal_matches(value: str, caller: str, exact: bool = False) -> bool:
    if value == "*":
        return True
    who = Arn.parse(caller)
    if who is None:
        return False
    if _ACCOUNT.fullmatch(value):
        return who.account == value and not exact
    named = Arn.parse(value)
    if named is None or "*" in value or "?" in value:
        return False
    if named.partition != who.partition or named.account != who.account:
        return False
    if named.is_root:
        return not exact
    if value == caller:
        return True
    if named.is_role:
        if who.is_session:
            return who.session_role == named.name
        if who.is_role:
            return who.name == named.name
    return False


# --- actions and resources ----------------------------------------------------------------


def _any_resource(element: Any, request: Request, variables: bool) -> bool:
    return any(
        value_matches(r, request.resource, request, wildcards=True, variables=variables)
        for r in strings(element)
    )
