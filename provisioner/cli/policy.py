"""`provision policy permissions|trust|cors`: the documents, as JSON on stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from provisioner.cli.app import policy_app
from provisioner.cli.common import KmsKeyOpt, OriginOpt, PrefixOpt, PrincipalOpt, VendorOpt, warn


@policy_app.command("permissions")
def policy_permissions(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket the vendor reads.")],
    prefix: PrefixOpt = None,
    kms_key_arn: KmsKeyOpt = None,
    region: Annotated[
        str | None, typer.Option("--region", help="The bucket's region (taken from the key ARN).")
    ] = None,
) -> None:
    """The read-only identity policy for the vendor role."""
    from provisioner import api

    rendered = api.permissions_policy(bucket, prefix, kms_key_arn, region)
    warn(rendered.warnings)
    typer.echo(rendered.to_json())


@policy_app.command("trust")
def policy_trust(
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor issued.")],
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
) -> None:
    """The trust policy: the vendor's principal, only with the external ID."""
    from provisioner import api

    rendered = api.trust_policy(external_id, api.vendor(vendor, principal))
    warn(rendered.warnings)
    typer.echo(rendered.to_json())


@policy_app.command("cors")
def policy_cors(vendor: VendorOpt = None, origin: OriginOpt = None) -> None:
    """The S3 CORS configuration (put-bucket-cors shape) for the vendor's web origins."""
    from provisioner import api

    rendered = api.cors_rules(api.vendor(vendor, None, origin or ()))
    warn(rendered.warnings)
    typer.echo(rendered.to_json())
