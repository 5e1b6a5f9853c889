"""Pure: a role's session in its account: the policies on its side of a request (identity
policies, boundary, the account's SCPs) and the keys its requests carry (one definition, for
inventory's scope, who-can's routes and role chaining), and its policies that were not read."""

from __future__ import annotations

from typing import Any

from provisioner.audit.grants import may_tag_session, role_policies
from provisioner.audit.grants import session_context as shared_context
from provisioner.audit.model import AccountData, RoleDetail
from provisioner.evaluation import Policy
from provisioner.evaluation.chain import Chain


def role_chain(role: RoleDetail, account: AccountData) -> Chain:
    """The role's side of a request: its identity policies, boundary and its account's SCPs."""
    boundary_doc = account.policies.get(role.permissions_boundary or "")
    return Chain(
        identity=role_policies(role, account.policies),
        boundary=Policy("permissions boundary", boundary_doc) if boundary_doc is not None else None,
        scps=account.org.scps if account.org else (),
    )


def session_context(role: RoleDetail, account: AccountData, caller: str) -> dict[str, Any]:
    """The keys of the role session's requests, as inventory's scope puts them (one definition,
    audit.grants.session_context): a bucket policy granting "*" on the organization grants the
    role's session (trial 22h item 2)."""
    org_id = account.org.org_id if account.org is not None else None
    documents = role_chain(role, account).identity
    tagging = may_tag_session(role.trust)
    return shared_context(list(documents), caller, account.account, org_id, role.tags, tagging)


def unread_policies(role: RoleDetail, account: AccountData) -> tuple[str, ...]:
    """The role's managed policies and boundary whose documents were not read, and its policies
    that are no IAM policy (a hand-edited file: IAM refuses such a document, so what it would
    grant is not known; trial 22u item 3), each with the first grammar error."""
    bounded = [role.permissions_boundary] if role.permissions_boundary else []
    arns = list(dict.fromkeys([arn for _, arn in role.attached] + bounded))
    named = [(f"inline policy {name}", document) for name, document in role.inline]
    named += [(arn, account.policies[arn]) for arn in arns if arn in account.policies]
    broken = tuple(
        f"{name} (not an IAM policy: {why})" for name, document in named if (why := _not_a_policy(document))
    )
    return tuple(a for a in arns if a not in account.policies) + broken


def _not_a_policy(document: Any) -> str:
    """The first way the document breaks the IAM policy grammar, or "" (no statement at all is
    read as it is: it grants nothing, whatever IAM makes of it)."""
    from provisioner.documents import schema_errors

    if isinstance(document, dict) and document.get("Statement") == []:
        return ""
    return next(iter(schema_errors(document, "iam-policy")), "")
