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
    connect,
    role_spec,
    show_plan,
    show_role_result,
)


@app.command("create-role")
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
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Create or bring into line the vendor role, its read-only policy and the bucket's CORS rule."""
    from provisioner import api

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
        spec, connect(profile, region, endpoint_url), dry_run=dry_run, on_plan=lambda p: show_plan(p, dry_run)
    )
    show_role_result(result, output)
