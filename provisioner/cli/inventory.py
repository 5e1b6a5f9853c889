"""`provision inventory`: options -> InventorySpec -> api.inventory -> table, json, csv or markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from provisioner.cli.accounts import AccountsOpt, FromFileOpt, MemberRoleOpt, OrganizationOpt, account_list
from provisioner.cli.app import app
from provisioner.cli.common import (
    EndpointOpt,
    FailOn,
    FailOnOpt,
    KnownAccountsOpt,
    ProfileOpt,
    RcpFileOpt,
    RegionOpt,
    ScpFileOpt,
    config_vendors,
    connect,
    out_format,
    output_choices,
    print_data,
    progress,
    write_out,
)
from provisioner.cli.reporting import file_notes, say_notes
from provisioner.errors import EXIT_FINDINGS

if TYPE_CHECKING:
    InventoryOutput: TypeAlias = Any  # an enum of report.FORMATS["inventory"], made at run time
else:
    InventoryOutput = output_choices("inventory")


@app.command("inventory", rich_help_panel="Checks")
def inventory_command(
    ctx: typer.Context,
    from_file: FromFileOpt = None,
    organization: OrganizationOpt = False,
    accounts: AccountsOpt = None,
    member_role: MemberRoleOpt = "OrganizationAccountAccessRole",
    output: Annotated[
        InventoryOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = InventoryOutput.table,
    out: Annotated[str | None, typer.Option("--out", help="Write the report to this file.")] = None,
    fail_on: FailOnOpt = FailOn.high,
    scp_file: ScpFileOpt = None,
    rcp_file: RcpFileOpt = None,
    bucket_policy: Annotated[
        list[str] | None,
        typer.Option(
            "--bucket-policy",
            help="With --from-file: BUCKET=FILE, a bucket's policy (repeat).",
            metavar="BUCKET=FILE",
        ),
    ] = None,
    unused_days: Annotated[
        int,
        typer.Option(
            "--unused-days", help="Stale: not used within this many days.", metavar="DAYS", min=1, max=36_500
        ),
    ] = 90,
    known_accounts: KnownAccountsOpt = None,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Every outside party by name: what it can read, write and do, when it last came in, and
    the command that removes it."""
    from provisioner import api
    from provisioner.errors import InputError
    from provisioner.inventory import InventorySpec

    fmt = out_format(ctx, output, out)
    from provisioner.report.render import FORMATS

    if fmt not in FORMATS["inventory"]:  # an --out extension of a format inventory does not make
        raise InputError("--out", out, f"inventory writes {', '.join(FORMATS['inventory'])}: not {fmt}")
    listed = account_list(accounts)
    spec = InventorySpec(
        from_file=from_file,
        organization=organization,
        accounts=listed,
        member_role=member_role,
        scp_files=tuple(scp_file or ()),
        rcp_files=tuple(rcp_file or ()),
        unused_days=unused_days,
        vendors=config_vendors(ctx),
        known_accounts=known_accounts,
        bucket_policies=tuple(bucket_policy or ()),
        profile=profile,
        region=region,
        endpoint_url=endpoint_url,
    )
    with progress("reading roles") as advance:
        result = api.inventory(spec, lambda: connect(profile, region, endpoint_url), progress=advance)
    text = _render(result, fmt)
    if out:
        write_out(out, text)
    else:
        print_data(text, fmt)
    # the run's notes on stderr in every format (the report keeps its shape; --quiet silences
    # them), with a fail-on or unused-days taken from the config file (greener, so said)
    say_notes(result.notes + file_notes(ctx, []))
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)


def _render(result: Any, fmt: str) -> str:
    """The inventory in `fmt`: table, json, text, csv, markdown or html."""
    from provisioner.report import inventory as shown

    if fmt in ("json", "text"):
        from provisioner.cli.common import json_text

        return json_text(shown.inventory_dict(result), fmt)  # text: the records, without the version
    if fmt == "csv":
        return shown.inventory_csv(result).rstrip("\n")
    if fmt == "markdown":
        return shown.inventory_markdown(result)
    if fmt == "html":
        from provisioner import __version__
        from provisioner.cli.common import now_text
        from provisioner.report.inventory_html import inventory_html

        return inventory_html(result, __version__, now_text())
    return shown.inventory_table(result)
