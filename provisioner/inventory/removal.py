"""Pure: how to remove a role an outside party can assume: the delete-role command for its
account (with the profile, region and endpoint of the run; --force where provisioner did not
make it, and --dry-run first), and what that command leaves behind."""

from __future__ import annotations

import shlex

from provisioner.audit.model import RoleDetail
from provisioner.role.model import MANAGED_BY_KEY, MANAGED_BY_VALUE


def same_place(region: str | None, endpoint_url: str | None) -> str:
    """The run's --region and --endpoint-url, for the removal commands shown."""
    return "".join(
        f" {flag} {shlex.quote(v)}"
        for flag, v in (("--region", region), ("--endpoint-url", endpoint_url))
        if v
    )


def ours(role: RoleDetail) -> bool:
    return role.tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE


def removal(
    role: RoleDetail, account: str, profile: str | None, caller_account: str | None, same: str = ""
) -> str:
    """The delete-role command for the role's account (--force where provisioner did not make it),
    with the region and endpoint the run used (`same`), so that it acts where the run read."""
    if caller_account is not None and account == caller_account and profile:
        chosen = f" --profile {shlex.quote(profile)}"
    elif caller_account is not None and account == caller_account:
        chosen = ""
    else:
        chosen = f" --profile <a profile for account {account}>"
    force = "" if ours(role) else " --force"
    return f"provision delete-role --role-name {role.name}{chosen}{same}{force} --dry-run"


def leaves(role: RoleDetail) -> str:
    if ours(role):
        return "policies attached to other roles too, and the bucket's CORS rule while other roles rely on it"
    return (
        "the customer-managed policies it did not create (detached, kept), and every bucket's CORS "
        "rules (a role provisioner did not create has no CORS rule of its own)"
    )
