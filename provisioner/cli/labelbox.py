"""`provision labelbox connect|import`: options -> ConnectSpec|ImportSpec -> api.labelbox_connect|
api.labelbox_import -> render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from provisioner.cli.app import app, labelbox_app
from provisioner.cli.common import (
    EndpointOpt,
    Output,
    OutputOpt,
    ProfileOpt,
    RegionOpt,
    connect,
    json_text,
    versioned,
)
from provisioner.errors import EXIT_FINDINGS

if TYPE_CHECKING:
    from provisioner.labelbox_api import ConnectResult

ApiKeyFileOpt = Annotated[
    str | None,
    typer.Option("--api-key-file", help="A file holding the Labelbox API key (else LABELBOX_API_KEY)."),
]


app.add_typer(labelbox_app, name="labelbox", rich_help_panel="Labelbox and import files")


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

    spec = labelbox_api.ConnectSpec(
        role_arn, bucket, name, set_default=set_default, wait_seconds=wait, external_id=external_id
    )
    result = api.labelbox_connect(
        spec, lambda: connect(profile, region, endpoint_url), api_key_file=api_key_file
    )
    if output in (Output.json, Output.text):
        typer.echo(json_text(versioned(result.to_dict()), output))
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


@labelbox_app.command("import")
def labelbox_import(
    dataset: Annotated[str, typer.Option("--dataset", help="The dataset (created when missing).")],
    manifest: Annotated[
        str | None, typer.Option("--manifest", help="An import file 'provision manifest' wrote.")
    ] = None,
    bucket: Annotated[str | None, typer.Option("--bucket", help="Or list this bucket now.")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="With --bucket: the folder location.")] = "",
    integration: Annotated[
        str | None,
        typer.Option(
            "--integration",
            help="The IAM integration that signs the dataset's URLs (default: the org's default).",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Data rows per upsert task.")] = 1000,
    api_key_file: ApiKeyFileOpt = None,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Upsert the import file's rows into a dataset by global key (a re-run creates nothing twice)."""
    from provisioner import api, report
    from provisioner.cli.common import progress
    from provisioner.labelbox_import import ImportSpec

    spec = ImportSpec(
        dataset,
        batch_size=batch_size,
        integration=integration,
        manifest=manifest,
        bucket=bucket,
        prefix=prefix,
    )
    with progress("upserting data rows") as advance:
        result = api.labelbox_import(
            spec,
            lambda: connect(profile, region, endpoint_url),
            api_key_file=api_key_file,
            progress=advance,
            on_plan=lambda line: typer.echo(f"plan: {line}", err=True),
        )
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if output in (Output.json, Output.text):
        typer.echo(json_text(versioned(result.to_dict()), output))
    else:
        how = "created" if result.created_dataset else "existing"
        text = (
            f"{result.upserted} of {result.rows} data row(s) upserted into dataset {result.dataset} "
            f"({result.dataset_id}, {how}) in {result.batches} batch(es)"
        )
        if result.signer is not None:
            text += f"; signed by integration {result.signer}" + (" (set now)" if result.signer_set else "")
        if result.failed:
            failed = report.table(
                [(f["global_key"], f["message"]) for f in result.failed], ["GLOBAL KEY", "WHY"]
            )
            text += f"\n\n{failed}\n\n{len(result.failed)} failed: run the same command again to retry them"
        typer.echo(text)
    if result.failed:
        raise typer.Exit(EXIT_FINDINGS)
