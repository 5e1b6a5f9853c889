"""`provision validate`: options -> ValidateSpec (+ live options) -> api.validate -> render."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    EndpointOpt,
    OriginOpt,
    PrincipalOpt,
    ProfileOpt,
    RcpFileOpt,
    RegionOpt,
    ScpFileOpt,
    VendorOpt,
    connect,
    json_text,
    now_text,
    terminal,
    versioned,
)
from provisioner.errors import EXIT_FINDINGS


class ValidateOutput(StrEnum):
    table = "table"
    json = "json"
    text = "text"
    html = "html"
    markdown = "markdown"


@app.command("validate", rich_help_panel="Checks")
def validate_command(
    ctx: typer.Context,
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor uses.")],
    bucket: Annotated[str, typer.Option("--bucket", help="The bucket the vendor reads.")],
    role_arn: Annotated[
        str | None, typer.Option("--role-arn", help="The role the vendor will assume (or --role-name).")
    ] = None,
    role_name: Annotated[
        str | None,
        typer.Option("--role-name", help="The role's name in the account of the credentials in use."),
    ] = None,
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
    origin: OriginOpt = None,
    prefix: Annotated[str | None, typer.Option("--prefix", help="The prefix the vendor reads.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="A sample object key.")] = None,
    live: Annotated[
        bool, typer.Option("--live", help="Also act as the vendor: assume, read, fetch.", metavar="")
    ] = False,
    vendor_profile: Annotated[
        str | None, typer.Option("--vendor-profile", help="Credentials that act as the vendor (--live).")
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", help="Seconds to retry a refused live AssumeRole (IAM is eventually consistent)."
        ),
    ] = 30.0,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail, not warn, on broad permissions.", metavar="")
    ] = False,
    scp_file: ScpFileOpt = None,
    rcp_file: RcpFileOpt = None,
    output: Annotated[
        ValidateOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = ValidateOutput.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Run the vendor's checks (AWSAssumeRole, AWSExternalID, ...) before the vendor does."""
    from provisioner import api, report
    from provisioner.validate import ValidateSpec

    spec = ValidateSpec(
        role_arn=role_arn or "",
        role=role_name,
        external_id=external_id,
        bucket=bucket,
        vendor=api.vendor(vendor, principal, origin or ()),
        prefix=prefix,
        key=key,
        strict=strict,
        scp_files=tuple(scp_file or ()),
        rcp_files=tuple(rcp_file or ()),
        selection=selection(ctx, profile, region, endpoint_url),
    )
    result = api.validate(
        spec,
        connect(profile, region, endpoint_url),
        act_as_vendor=live,
        vendor_profile=vendor_profile,
        wait_seconds=wait,
    )
    if output in (ValidateOutput.json, ValidateOutput.text):
        typer.echo(json_text(versioned(result.to_dict()), output))
    elif output is ValidateOutput.html:
        from provisioner import __version__

        typer.echo(report.validate_html(result, __version__, now_text()), nl=False)
    elif output is ValidateOutput.markdown:
        typer.echo(report.validate_markdown(result))
    else:
        typer.echo(report.checks_table(result, terminal()))
    if not result.valid:
        raise typer.Exit(EXIT_FINDINGS)


def selection(
    ctx: typer.Context, profile: str | None, region: str | None, endpoint: str | None
) -> tuple[str, ...]:
    """The account selection given on the command line, which the printed remediation commands
    repeat so that they reach the account validate read. What came from the environment
    (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL) is not repeated: the same shell supplies it."""
    options: list[str] = []
    if profile is not None:
        options += ["--profile", profile]
    if region is not None:
        options += ["--region", region]
    source = ctx.get_parameter_source("endpoint_url")
    if endpoint is not None and source is not None and source.name == "COMMANDLINE":
        options += ["--endpoint-url", endpoint]
    return tuple(options)
