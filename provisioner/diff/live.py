"""`provision diff --role NAME FILE` (and `--policy NAME|ARN`): the live document against a file.
Reads only (iam:GetRole, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy,
iam:GetPolicyVersion): the role's trust, or one of its policies (inline by name, or attached by
name or ARN); the role's ARN and account are those of the live role, so its own account is a
caller class of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provisioner.errors import InputError

if TYPE_CHECKING:
    from provisioner.aws import Aws
    from provisioner.diff.model import DiffResult


def live_document(aws: Aws, role_name: str, policy: str | None) -> tuple[Any, str, str]:
    """(the live document, the role's ARN, a name for it)."""
    from provisioner.aws import managed_policy, paginate_all, read_or_none, translate
    from provisioner.iam import parse_document
    from provisioner.inputs import check_role_name
    from provisioner.role.gather import find_role

    try:
        name = check_role_name(role_name)
    except InputError as exc:
        raise InputError("--role", role_name, exc.rule) from None
    iam = aws.client("iam")
    role = find_role(iam, name)
    if role is None:
        raise InputError("--role", role_name, "no such role in this account")
    name, arn = role["RoleName"], role["Arn"]
    if policy is None:
        return parse_document(role["AssumeRolePolicyDocument"]), arn, f"role {name} trust (live)"
    if not policy.startswith("arn:"):
        inline = read_or_none(
            "iam:GetRolePolicy",
            f"reading policy {policy} of role {name}",
            lambda: iam.get_role_policy(RoleName=name, PolicyName=policy),
        )
        if inline is not None:
            return parse_document(inline["PolicyDocument"]), arn, f"role {name} inline policy {policy} (live)"
    with translate("iam:ListAttachedRolePolicies", f"reading the policies of role {name}"):
        attached = paginate_all(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
    found = next((a for a in attached if policy in (a["PolicyArn"], a["PolicyName"])), None)
    if found is None:
        names = ", ".join(a["PolicyName"] for a in attached) or "none attached"
        raise InputError(
            "--policy", policy, f"role {name} has no inline or attached policy of that name or ARN ({names})"
        )
    _, document = managed_policy(iam, found["PolicyArn"])
    return parse_document(document), arn, f"{found['PolicyArn']} (live)"


def diff_live(
    aws: Aws, role_name: str, path: str, policy: str | None = None, external_ids: tuple[str, ...] = ()
) -> DiffResult:
    """The live trust (or policy) as OLD, the file as NEW."""
    from provisioner.analysis.verdict import unreadable
    from provisioner.diff import diff_documents, read_policy
    from provisioner.lint import positions
    from provisioner.model.arn import account_of

    text, new = read_policy(path, "FILE")  # bad input before any AWS call
    old, role_arn, name = live_document(aws, role_name, policy)
    if unreadable(old) is not None:
        raise InputError("--role", role_name, f"the live document is not a policy ({unreadable(old)})")
    kind = "trust" if policy is None else None
    result = diff_documents(
        old,
        new,
        kind=kind,
        external_ids=external_ids,
        old_name=name,
        new_name=path,
        role_arn=role_arn,
        own_account=account_of(role_arn) if kind == "trust" else None,
    )
    result.lines = positions(text)
    return result
