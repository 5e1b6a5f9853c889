"""`provision audit`: options -> AuditSpec -> api.audit -> table, json, sarif or csv."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    EndpointOpt,
    FailOn,
    FailOnOpt,
    MutelistOpt,
    ProfileOpt,
    RcpFileOpt,
    RegionOpt,
    ScpFileOpt,
    connect,
    json_text,
    mutes,
    note_what_the_files_changed,
    now_text,
    progress,
    terminal,
    write_out,
)
from provisioner.errors import EXIT_FINDINGS


class AuditOutput(StrEnum):
    table = "table"
    json = "json"
    text = "text"
    sarif = "sarif"
    csv = "csv"
    html = "html"
    markdown = "markdown"


@app.command("audit", rich_help_panel="Checks")
def audit_command(
    ctx: typer.Context,
    from_file: Annotated[
        str | None,
        typer.Option("--from-file", help="JSON of 'aws iam get-account-authorization-details' (offline)."),
    ] = None,
    organization: Annotated[
        bool, typer.Option("--organization", help="Every active account of the organization.", metavar="")
    ] = False,
    accounts: Annotated[
        str | None, typer.Option("--accounts", help="Comma-separated account IDs (with --member-role).")
    ] = None,
    member_role: Annotated[
        str, typer.Option("--member-role", help="Role to assume in each member account.")
    ] = "OrganizationAccountAccessRole",
    output: Annotated[
        AuditOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = AuditOutput.table,
    out: Annotated[str | None, typer.Option("--out", help="Write the report to this file.")] = None,
    fail_on: FailOnOpt = FailOn.high,
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only roles of this vendor.")] = None,
    all_roles: Annotated[
        bool, typer.Option("--all", help="List every role, not only cross-account ones.", metavar="")
    ] = False,
    scp_file: ScpFileOpt = None,
    rcp_file: RcpFileOpt = None,
    mutelist: MutelistOpt = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="A previous 'audit -o json': report only what is new, and what was fixed."
        ),
    ] = None,
    unused_days: Annotated[
        int,
        typer.Option(
            "--unused-days",
            help="role-unused: not used, nor created, within this many days.",
            metavar="DAYS",
            min=1,
            max=36_500,
        ),
    ] = 90,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Find every role another account can assume, and judge its trust and its grants."""
    from provisioner import __version__, api, report
    from provisioner.audit import AuditSpec
    from provisioner.errors import InputError

    listed = tuple(a.strip() for a in (accounts or "").split(",") if a.strip())
    if accounts is not None and not listed:
        raise InputError("--accounts", accounts, "a comma-separated list of 12-digit account IDs")
    spec = AuditSpec(
        from_file=from_file,
        organization=organization,
        accounts=listed,
        member_role=member_role,
        vendor=vendor,
        all_roles=all_roles,
        scp_files=tuple(scp_file or ()),
        rcp_files=tuple(rcp_file or ()),
        mutes=tuple(mutes(ctx, mutelist)),
        baseline=baseline,
        unused_days=unused_days,
    )
    with progress("reading roles") as advance:
        result = api.audit(
            spec,
            lambda: connect(profile, region, endpoint_url),
            progress=advance,
            accounts_progress=advance.extra,
        )

    if output in (AuditOutput.json, AuditOutput.text):
        text = json_text(result.to_dict(), output)
    elif output is AuditOutput.sarif:
        text = json_text(report.audit_sarif(result, __version__))
    elif output is AuditOutput.csv:
        text = report.audit_csv(result).rstrip("\n")
    elif output is AuditOutput.html:
        text = report.audit_html(result, __version__, now_text())
    elif output is AuditOutput.markdown:
        text = report.audit_markdown(result)
    else:
        text = report.audit_table(result, terminal() if not out else report.Terminal())
    from provisioner.cli.app import QUIET

    quiet = QUIET.get()
    if out:
        write_out(out, text)
        if not quiet:
            typer.echo(report.audit_summary(result), err=True)
    else:
        typer.echo(text)
    if (out or output is not AuditOutput.table) and not quiet:  # JSON and SARIF keep their shape
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
    note_what_the_files_changed(ctx, result.findings)
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
