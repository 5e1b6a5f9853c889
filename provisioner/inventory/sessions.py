"""Pure: a role's session in its account: the policies on its side of a request (identity
policies, boundary, the account's SCPs) and the keys its requests carry (one definition, for
inventory's scope, who-can's routes and role chaining)."""

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
