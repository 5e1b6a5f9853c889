"""Doors through the account's own roles (round 20ac trust item 1): a trust that lets in a
principal of its own account lets in, by role chaining, whoever may assume that principal (IAM
User Guide, "Roles terms and concepts", role chaining: "using a role to assume a second role"),
and with no external ID of its own. Each role of the account (ListRoles: its trust) that another
account, anyone, or a federated provider's users may assume is asked for a session of it
assuming this role with no external ID. A trust that names the role (or its session) lets it in
on its own (a resource policy naming the principal, "Policy evaluation logic"); one that names
the account lets it in where its identity policies allow sts:AssumeRole, which are not read: a
WARN. Pure."""

from __future__ import annotations

from typing import Any

from provisioner.evaluation import Policy, assume_role_request, evaluate
from provisioner.iam import aws_principals, statements
from provisioner.model import account_of, session_arn
from provisioner.validate.model import Snapshot, ValidateSpec


def chained_doors(state: Snapshot, spec: ValidateSpec, trust: list[Policy]) -> tuple[list[str], list[str]]:
    """(failing, undecided): the account's roles that others may assume and that may then assume
    this role with no external ID; undecided where it rests on their policies, or ListRoles was
    refused."""
    if "iam:ListRoles" in state.unreadable:
        return [], [
            "principals of your account get in, and the account's roles could not be read (iam:ListRoles "
            "was refused): one that another party may assume would chain in with no external ID"
        ]
    failing: list[str] = []
    undecided: list[str] = []
    for arn, document in state.account_roles:
        if arn == spec.role_arn or not _maybe_outside(document, spec.account):
            continue
        outside = _outsiders(document, arn, spec.account)
        if outside is None:
            continue
        name = arn.rsplit("/", 1)[-1]
        session = session_arn(spec.account, name, "chained", spec.partition)
        request = assume_role_request(session, spec.role_arn, None)
        said = f"role {name} of your account, which {outside}, may assume this role with no external ID"
        if evaluate(trust, request, account_delegates=True).allowed:
            failing.append(f"{said} (role chaining: the trust lets it in)")
        elif evaluate(trust, request).allowed:
            undecided.append(f"{said} where its own policies allow sts:AssumeRole on it (not read; the trust "
                             "lets the account's principals in)")  # fmt: skip
    return failing, undecided


def _maybe_outside(document: Any, account: str) -> bool:
    """Does an Allow of the trust name a principal outside the account: another account's, "*",
    or a federated provider? (Only those are analysed.)"""
    for statement in statements(document):
        principal = statement.body.get("Principal")
        if not statement.is_allow or "NotPrincipal" in statement.body:
            if statement.is_allow:
                return True  # an Allow with NotPrincipal lets in everyone it does not name
            continue
        if isinstance(principal, dict) and principal.get("Federated"):
            return True
        if any(p == "*" or account_of(p) != account for p in aws_principals(statement)):
            return True
    return False


def _outsiders(document: Any, arn: str, account: str) -> str | None:
    """Who outside the account may assume the role, in words; None when nobody."""
    from provisioner.analysis.verdict import analyze, openings
    from provisioner.federation import federated_access

    for access in federated_access(statements(document)):
        if access.rule:
            return f"{access.party} can assume"
    answer = analyze(document, role_arn=arn, parties=[], own_account=account)
    found = [o for o in openings(answer, document, arn) if o.kind == "someone-else"]
    if not found:
        return None
    door = found[0].door
    can = "can" if door.decided and door.concrete else "may be able to"
    return f"another AWS account {can} assume (for example {door.describe()})"
