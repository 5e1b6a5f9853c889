"""`provision create-role`: options -> RoleSpec -> api.create_role -> the vendor's form."""

from __future__ import annotations

from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    BoundaryOpt,
    CorsOpt,
    DryRunOpt,
    EndpointOpt,
    KmsKeyOpt,
    MaxSessionOpt,
    OriginOpt,
    Output,
    OutputOpt,
    PathOpt,
    PolicyNameOpt,
    PrefixOpt,
    PrincipalOpt,
    ProfileOpt,
    RegionOpt,
    RoleNameDefaultOpt,
    TagOpt,
    VendorOpt,
    confirmer,
    connect,
    json_text,
    role_spec,
    show_plan,
    show_role_result,
    versioned,
)
from provisioner.cli.labelbox import ApiKeyFileOpt
from provisioner.errors import EXIT_FINDINGS


@app.command("create-role", rich_help_panel="Role lifecycle")
def create_role_command(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket the vendor reads.")],
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor issued.")],
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
    origin: OriginOpt = None,
    role_name: RoleNameDefaultOpt = None,
    policy_name: PolicyNameOpt = None,
    path: PathOpt = None,
    prefix: PrefixOpt = None,
    kms_key_arn: KmsKeyOpt = None,
    with_cors: CorsOpt = None,
    tag: TagOpt = None,
    max_session_duration: MaxSessionOpt = 3600,
    permissions_boundary: BoundaryOpt = None,
    adopt: Annotated[
        bool,
        typer.Option("--adopt", help="Take over a role or policy provisioner did not create.", metavar=""),
    ] = False,
    dry_run: DryRunOpt = False,
    connect_to: Annotated[
        str | None,
        typer.Option(
            "--connect",
            help="Then connect the vendor's side: 'labelbox' (its SDK; LABELBOX_API_KEY or --api-key-file).",
        ),
    ] = None,
    api_key_file: ApiKeyFileOpt = None,
    replace_external_id: Annotated[
        bool,
        typer.Option(
            "--replace-external-id",
            "--yes",
            help="Replace the role's current external ID or principal (the vendor's live integration "
            "breaks until it uses the new one). Asked on a terminal otherwise.",
            metavar="",
        ),
    ] = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Create or bring into line the vendor role, its read-only policy and the bucket's CORS rule."""
    from provisioner import api

    client = None
    if connect_to is not None:  # checked before any AWS call: nothing is created on bad input
        from provisioner import labelbox_api
        from provisioner.errors import InputError

        if connect_to != "labelbox" or (vendor or "labelbox").lower() != "labelbox" or principal:
            raise InputError(
                "connect", connect_to, "only 'labelbox', for the Labelbox vendor, can be connected"
            )
        client = labelbox_api.client(labelbox_api.api_key(api_key_file))
    spec = role_spec(
        vendor,
        principal,
        origin,
        bucket,
        external_id,
        role_name=role_name,
        policy_name=policy_name,
        path=path,
        prefix=prefix,
        kms_key_arn=kms_key_arn,
        region=region,
        with_cors=with_cors,
        tag=tag,
        max_session_duration=max_session_duration,
        permissions_boundary=permissions_boundary,
        adopt=adopt,
    )
    result = api.create_role(
        spec,
        connect(profile, region, endpoint_url),
        dry_run=dry_run,
        on_plan=lambda p: show_plan(p, dry_run),
        confirm=confirmer(replace_external_id, "replace the role's trust as planned above?"),
    )
    if client is None or dry_run:
        if client is not None:
            typer.echo("dry run: Labelbox was not connected", err=True)
        show_role_result(result, output)
        return
    from provisioner import labelbox_api
    from provisioner.cli.labelbox import connect_table

    connected = labelbox_api.connect(labelbox_api.ConnectSpec(result.plan.role_arn, bucket), client)
    if output in (Output.json, Output.text):
        typer.echo(json_text(versioned({"role": result.to_dict(), "labelbox": connected.to_dict()}), output))
    else:
        show_role_result(result, output)
        typer.echo("\n" + connect_table(connected))
    if not connected.valid:
        raise typer.Exit(EXIT_FINDINGS)
