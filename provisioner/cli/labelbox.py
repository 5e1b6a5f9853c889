"""`provision labelbox connect`: options -> ConnectSpec -> labelbox_api.connect -> render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from provisioner.cli.app import labelbox_app
from provisioner.cli.common import (
    EndpointOpt,
    Output,
    OutputOpt,
    ProfileOpt,
    RegionOpt,
    connect,
    json_text,
)
from provisioner.errors import EXIT_FINDINGS

if TYPE_CHECKING:
    from provisioner.labelbox_api import ConnectResult

ApiKeyFileOpt = Annotated[
    str | None,
    typer.Option("--api-key-file", help="A file holding the Labelbox API key (else LABELBOX_API_KEY)."),
]


@labelbox_app.command("connect")
def labelbox_connect(
    role_arn: Annotated[str, typer.Option("--role-arn", help="The role create-role printed.")],
    bucket: Annotated[str, typer.Option("--bucket", help="The bucket Labelbox reads.")],
    name: Annotated[str | None, typer.Option("--name", help="Default: provisioner-BUCKET.")] = None,
    set_default: Annotated[
        bool,
        typer.Option("--set-default", help="Make it the organization's default integration.", metavar=""),
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to retry Labelbox's AWSAssumeRole while IAM propagates.")
    ] = 60.0,
    external_id: Annotated[
        str | None,
        typer.Option("--external-id", help="Also run provision validate with it, and show both verdicts."),
    ] = None,
    api_key_file: ApiKeyFileOpt = None,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Create (or find) Labelbox's IAM integration for the role, validate it, set it as default."""
    from provisioner import api, labelbox_api

    spec = labelbox_api.check_spec(
        labelbox_api.ConnectSpec(role_arn, bucket, name, set_default=set_default, wait_seconds=wait)
    )
    ours = None
    if external_id is not None:
        from provisioner.validate import ValidateSpec

        ours = api.validate(
            ValidateSpec(
                role_arn=role_arn, external_id=external_id, bucket=bucket, vendor=api.vendor("labelbox")
            ),
            connect(profile, region, endpoint_url),
        )
    client = labelbox_api.client(labelbox_api.api_key(api_key_file))
    result = labelbox_api.connect(spec, client, ours=ours)
    if output is Output.json:
        typer.echo(json_text(result.to_dict()))
    else:
        typer.echo(connect_table(result))
    if not result.valid:
        raise typer.Exit(EXIT_FINDINGS)


def connect_table(result: ConnectResult) -> str:
    """Labelbox's checks beside ours, and one line on the integration."""
    from provisioner import report

    rows = [
        (c.name, "PASS" if c.success else "FAIL", (c.ours or "").upper(), c.message, c.remediation)
        for c in result.checks
    ]
    body = report.table(
        rows, ["CHECK", "LABELBOX", "OURS", "MESSAGE", "REMEDIATION"], [None, None, None, 40, 50]
    )
    how = "created" if result.created else "already there"
    state = "VALID" if result.valid else "INVALID"
    default = ", the organization's default" if result.default else ""
    return (
        f"{body}\n\n{state}: integration {result.name} ({result.integration_id}) {how}{default}; "
        f"Labelbox validated it {result.attempts} time(s)"
    )
