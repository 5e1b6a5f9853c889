"""`provision delete-role`: options -> DeleteSpec -> api.delete_role (confirmed) -> render."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    DryRunOpt,
    EndpointOpt,
    Output,
    OutputOpt,
    ProfileOpt,
    RegionOpt,
    RoleNameOpt,
    connect,
    show_plan,
    show_role_result,
)
from provisioner.errors import InputError

if TYPE_CHECKING:
    from provisioner.role import Plan


@app.command("delete-role", rich_help_panel="Role lifecycle")
def delete_command(
    role_name: RoleNameOpt,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.", metavar="")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Delete a role provisioner did not create.", metavar="")
    ] = False,
    dry_run: DryRunOpt = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Delete the role, the policies provisioner made for it, and its CORS rule on the bucket."""
    from provisioner import api
    from provisioner.role import DeleteSpec

    if not (yes or dry_run or sys.stdin.isatty()):
        raise InputError("--yes", None, "not a terminal, so no one can confirm: pass --yes to delete")

    def confirm(plan: Plan) -> bool:
        return yes or typer.confirm(f"delete role {plan.role_name} as planned above?", err=True)

    result = api.delete_role(
        DeleteSpec(role_name, force=force),
        connect(profile, region, endpoint_url),
        dry_run=dry_run,
        confirm=confirm,
        on_plan=lambda p: show_plan(p, dry_run),
    )
    if not dry_run and not result.applied:
        typer.echo("nothing was deleted", err=True)
    show_role_result(result, output)
