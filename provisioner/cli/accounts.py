"""The inputs audit, inventory and who-can read the same way: a GAAD file offline, or the
caller's account, listed accounts or the organization, through a member role."""

from __future__ import annotations

from typing import Annotated

import typer


def account_list(accounts: str | None) -> tuple[str, ...]:
    """--accounts A,B,…: the IDs given; a value that lists none (",", " ") is bad input."""
    from provisioner.errors import InputError

    listed = tuple(a.strip() for a in (accounts or "").split(",") if a.strip())
    if accounts is not None and not listed:
        raise InputError("--accounts", accounts, "a comma-separated list of 12-digit account IDs")
    return listed


FromFileOpt = Annotated[
    str | None,
    typer.Option("--from-file", help="JSON of 'aws iam get-account-authorization-details' (offline)."),
]
OrganizationOpt = Annotated[
    bool, typer.Option("--organization", help="Every active account of the organization.", metavar="")
]
AccountsOpt = Annotated[
    str | None, typer.Option("--accounts", help="Comma-separated account IDs (with --member-role).")
]
MemberRoleOpt = Annotated[str, typer.Option("--member-role", help="Role to assume in each member account.")]
