"""`provision policy permissions|trust|cors`: the documents, as JSON on stdout."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from provisioner.cli.app import app, policy_app
from provisioner.cli.common import KmsKeyOpt, OriginOpt, PrefixOpt, PrincipalOpt, VendorOpt, json_text, warn

app.add_typer(policy_app, name="policy", rich_help_panel="Offline (no AWS account needed)")


class PolicyOutput(StrEnum):
    json = "json"


PolicyOutputOpt = Annotated[
    PolicyOutput, typer.Option("--output", "-o", help="The documents are JSON (accepted as the AWS CLI's).")
]


def emit(rendered: Any) -> None:
    """The document as every policy command prints it, or filtered by --query."""
    from provisioner.cli.app import QUERY

    warn(rendered.warnings)
    typer.echo(json_text(rendered.document) if QUERY.get() is not None else rendered.to_json())


@policy_app.command("permissions")
def policy_permissions(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket the vendor reads.")],
    prefix: PrefixOpt = None,
    kms_key_arn: KmsKeyOpt = None,
    region: Annotated[
        str | None, typer.Option("--region", help="The bucket's region (taken from the key ARN).")
    ] = None,
    output: PolicyOutputOpt = PolicyOutput.json,
) -> None:
    """The read-only identity policy for the vendor role."""
    from provisioner import api

    rendered = api.permissions_policy(bucket, prefix, kms_key_arn, region)
    emit(rendered)


@policy_app.command("trust")
def policy_trust(
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor issued.")],
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
    output: PolicyOutputOpt = PolicyOutput.json,
) -> None:
    """The trust policy: the vendor's principal, only with the external ID."""
    from provisioner import api

    rendered = api.trust_policy(external_id, api.vendor(vendor, principal))
    emit(rendered)


@policy_app.command("cors")
def policy_cors(
    vendor: VendorOpt = None, origin: OriginOpt = None, output: PolicyOutputOpt = PolicyOutput.json
) -> None:
    """The S3 CORS configuration (put-bucket-cors shape) for the vendor's web origins."""
    from provisioner import api

    rendered = api.cors_rules(api.vendor(vendor, None, origin or ()))
    emit(rendered)
