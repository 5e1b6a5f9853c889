"""`provision rotate-external-id`: options -> RotateSpec -> api.rotate_external_id -> render."""

from __future__ import annotations

from typing import Annotated

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
    confirmer,
    connect,
    show_plan,
    show_role_result,
)


@app.command("rotate-external-id", rich_help_panel="Role lifecycle")
def rotate_command(
    role_name: RoleNameOpt,
    external_id: Annotated[str, typer.Option("--external-id", help="The new external ID.")],
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Accept the current ID(s) too, for a transition.", metavar="")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Act on a role provisioner did not create.", metavar="")
    ] = False,
    dry_run: DryRunOpt = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Drop the current ID without asking (without --keep-old).", metavar=""
        ),
    ] = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Rewrite the role's external ID (with --keep-old, accept both during a transition)."""
    from provisioner import api
    from provisioner.role import RotateSpec

    spec = RotateSpec(role_name, external_id, keep_old=keep_old, force=force)
    result = api.rotate_external_id(
        spec,
        connect(profile, region, endpoint_url),
        dry_run=dry_run,
        on_plan=lambda p: show_plan(p, dry_run),
        confirm=confirmer(yes, "drop the current external ID as planned above?"),
    )
    show_role_result(result, output)
