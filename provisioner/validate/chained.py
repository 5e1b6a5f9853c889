"""Doors through the account's own roles (rounds 20ac trust item 1, 20ad item 1): a trust that
lets in a principal of its own account lets in, by role chaining, whoever may assume that
principal (IAM User Guide, "Roles terms and concepts", role chaining: "using a role to assume a
second role"; no limit on the hops, only the session's hour). The account's roles (ListRoles:
their trusts) that another account, anyone, or a federated provider's users may assume are
found, then those that one of them may assume in turn, by name; each is asked, as a session
whose name, tags, MFA and network are its caller's choice (the analysis of analysis/decide.py),
for AssumeRole on this role with no external ID and with the issued one (which is written in
the trust, for anyone who reads it, not a secret). A trust that names the role lets it in on its
own ("Policy evaluation logic"); one that names the account lets it in where its identity
policies allow sts:AssumeRole, which are not read: a WARN. Pure."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.analysis.answer import issued_ids
from provisioner.evaluation import Policy, assume_role_request, evaluate
from provisioner.iam import admits_anyone, aws_principals, raw_statements, statements
from provisioner.model import account_of, session_arn
from provisioner.validate.model import Snapshot, ValidateSpec

HOPS = 5  # roles chained into roles, followed this far (validate and audit/chains.py)


def chained_doors(state: Snapshot, spec: ValidateSpec, trust: list[Policy]) -> tuple[list[str], list[str]]:
    """(failing, undecided): the account's roles that others may reach and that may then assume
    this role; undecided where it rests on their policies, on a federated provider's users, or
    ListRoles was refused."""
    if "iam:ListRoles" in state.unreadable:
        return [], [
            "principals of your account get in, and the account's roles could not be read (iam:ListRoles "
            "was refused): one that another party may assume would chain in with no external ID"
        ]
    failing: list[str] = []
    undecided: list[str] = []
    for arn, (outside, decided) in _reached(state, spec).items():
        name = arn.rsplit("/", 1)[-1]
        said = f"role {name} of your account, which {outside}, may assume this role"
        how = _asks(state, spec, trust, arn)
        if how is None:
            continue
        direct, with_id = how
        said += " with the external ID too (it is written in the trust, not a secret)" if with_id else ""
        said += " with no external ID" if not with_id else ""
        if direct and decided:
            failing.append(f"{said} (role chaining: the trust lets it in)")
        elif direct:
            undecided.append(f"{said} (role chaining: the trust lets it in)")
        else:
            undecided.append(f"{said} where its own policies allow sts:AssumeRole on it (not read; the trust "
                             "lets the account's principals in)")  # fmt: skip
    return failing, undecided


def _asks(
    state: Snapshot, spec: ValidateSpec, trust: list[Policy], arn: str
) -> tuple[bool, str | None] | None:
    """May a session of the role (`arn`) assume this one (may_assume)?"""
    org = [state.org.org_id] if state.org.org_id else []
    return may_assume(statements_of(trust), spec.role_arn, arn, state.org.rcps, org)


def may_assume(
    trust: list[Any], role_arn: str, arn: str, rcps: Any = (), orgs: list[str] | None = None
) -> tuple[bool, str | None] | None:
    """May a session of the role `arn` assume the role `role_arn` whose trust's statements are
    `trust`: (by the trust alone, the external ID it needs: one the trust writes), or None. The trust analysis
    (analysis/verdict.py: every value the caller chooses, its session name, tags, ID and network
    among them) of the trust with a Deny of every caller but that role's sessions; by the trust
    alone where an Allow names the role, its sessions or "*", else through the account (its
    identity policies, not read, taken to allow)."""
    from provisioner.analysis.verdict import analyze

    guard = {"Effect": "Deny", "Principal": "*", "Action": "*",
             "Condition": {"ArnNotEquals": {"aws:PrincipalArn": arn}}}  # fmt: skip
    document = {"Version": "2012-10-17", "Statement": [*trust, guard]}
    answer = analyze(document, role_arn=role_arn, parties=[], rcps=rcps, own_orgs=orgs or [])
    door = answer.other.admitted
    if door is None:
        return None
    name = arn.rsplit("/", 1)[-1]
    session = f"{arn.split(':role/')[0].replace(':iam:', ':sts:')}:assumed-role/{name}/"
    direct = any(
        p in ("*", arn) or p.startswith(session)
        for statement in statements({"Statement": trust})
        if statement.is_allow
        for p in aws_principals(statement)
    )
    return direct, door.external_id


def statements_of(trust: list[Policy]) -> list[Any]:
    """The statements of the trust's documents, as written."""
    return [statement for policy in trust for statement in raw_statements(policy.document)]


def _reached(state: Snapshot, spec: ValidateSpec) -> dict[str, tuple[str, bool]]:
    """The account's roles (but this one) that outsiders may assume, with who, in words, and
    whether it is decided (a federated provider's users are a WARN, as on this role's own trust);
    then, hop by hop, those whose trust names one of them."""
    reached: dict[str, tuple[str, bool]] = {}
    for arn, document in state.account_roles:
        if arn != spec.role_arn and _maybe_outside(document, spec.account):
            found = _outsiders(document, arn, spec.account)
            if found is not None:
                reached[arn] = found
    for _ in range(HOPS):
        more = {}
        for arn, document in state.account_roles:
            if arn == spec.role_arn or arn in reached:
                continue
            ids = [None, *issued_ids(document)]  # with the IDs the trust writes too (round 20ag)
            policy = [Policy("trust", document)]
            for via, (_, decided) in reached.items():
                caller = session_arn(spec.account, via.rsplit("/", 1)[-1], "chained", spec.partition)
                # the role's ARN with its path (aws:PrincipalArn; its session's has none: 20af)
                asked = [assume_role_request(caller, arn, i) for i in ids]
                asked = [replace(r, context={**r.context, "aws:PrincipalArn": via}) for r in asked]
                if any(evaluate(policy, r, account_delegates=True).allowed for r in asked):
                    more[arn] = (
                        f"role {via.rsplit('/', 1)[-1]} (which others may assume) may assume",
                        decided,
                    )
                    break
        if not more:
            break
        reached.update(more)
    return reached


def _maybe_outside(document: Any, account: str) -> bool:
    """Does an Allow of the trust name a principal outside the account: another account's, "*",
    or a federated provider? (Only those are analysed.)"""
    for statement in statements(document):
        principal = statement.body.get("Principal")
        if admits_anyone(statement):
            return True
        if not statement.is_allow:
            continue
        if isinstance(principal, dict) and principal.get("Federated"):
            return True
        if any(account_of(p) != account for p in aws_principals(statement)):
            return True
    return False


def _outsiders(document: Any, arn: str, account: str) -> tuple[str, bool] | None:
    """Who outside the account may assume the role, in words, and whether it is decided; None
    when nobody."""
    from provisioner.analysis.verdict import analyze, openings
    from provisioner.federation import federated_access

    answer = analyze(document, role_arn=arn, parties=[], own_account=account)
    found = [o for o in openings(answer, document, arn) if o.kind == "someone-else"]
    if found:
        door = found[0].door
        can = "can" if door.decided and door.concrete else "may be able to"
        return f"another AWS account {can} assume (for example {door.describe()})", True
    for access in federated_access(statements(document)):
        return f"{access.party} can assume", bool(access.rule)
    return None
