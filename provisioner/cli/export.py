"""`provision export`: options -> RoleSpec (the same as create-role's) -> CloudFormation or Terraform."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    BoundaryOpt,
    CorsOpt,
    KmsKeyOpt,
    MaxSessionOpt,
    OriginOpt,
    PathOpt,
    PolicyNameOpt,
    PrefixOpt,
    PrincipalOpt,
    RoleNameDefaultOpt,
    TagOpt,
    VendorOpt,
    role_spec,
)


class ExportFormat(StrEnum):
    cloudformation = "cloudformation"
    terraform = "terraform"


@app.command("export", rich_help_panel="Offline (no AWS account needed)")
def export_command(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="cloudformation (JSON) or terraform.")],
    bucket: Annotated[str | None, typer.Option("--bucket", help="Default of the bucket parameter.")] = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="Default of the external ID parameter.")
    ] = None,
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
) -> None:
    """Write CloudFormation or Terraform for the same role, policy and tags, parameterised by
    bucket and external ID (for StackSets or one workspace per account)."""
    from provisioner import api

    spec = role_spec(
        vendor,
        principal,
        origin,
        bucket or "",
        external_id or "",
        role_name=role_name,
        policy_name=policy_name,
        path=path,
        prefix=prefix,
        kms_key_arn=kms_key_arn,
        with_cors=with_cors,
        tag=tag,
        max_session_duration=max_session_duration,
        permissions_boundary=permissions_boundary,
    )
    typer.echo(api.export(fmt.value, spec))
