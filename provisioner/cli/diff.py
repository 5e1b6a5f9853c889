"""`provision diff OLD NEW`: what a policy change gives away (exit 1) and what it takes away."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from provisioner.cli.app import app
from provisioner.cli.common import out_format, output_choices, print_data, render_findings, write_out
from provisioner.errors import EXIT_FINDINGS

if TYPE_CHECKING:
    DiffOutput: TypeAlias = Any  # an enum of report.FORMATS["diff"], made at run time
else:
    DiffOutput = output_choices("diff")


class Kind(StrEnum):
    trust = "trust"
    permissions = "permissions"
    resource = "resource"


@app.command("diff", rich_help_panel="Offline (no AWS account needed)")
def diff_command(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The policy as it is ('-' reads stdin).", metavar="OLD")],
    new: Annotated[str, typer.Argument(help="The policy as it would be ('-' reads stdin).", metavar="NEW")],
    output: Annotated[
        DiffOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = DiffOutput.table,
    out: Annotated[
        str | None, typer.Option("--out", help="Write the report to this file (its extension: the format).")
    ] = None,
    kind: Annotated[
        Kind | None, typer.Option("--kind", help="The kind of both documents (inferred when not given).")
    ] = None,
    external_id: Annotated[
        list[str] | None,
        typer.Option(
            "--external-id", help="An external ID issued besides those the trusts name (repeatable)."
        ),
    ] = None,
) -> None:
    """Who can now do what they could not before: NEW against OLD, exactly (exit 1 on new access)."""
    from provisioner import api, report
    from provisioner.cli.common import json_text

    fmt = out_format(ctx, output, out)
    result = api.diff(old, new, kind=kind.value if kind else None, external_ids=external_id or ())
    if fmt == "json":
        text = json_text(report.versioned(result.to_dict()), fmt)
    else:
        text = render_findings(report.diff_findings(result), fmt, out)
    if out:
        write_out(out, text)
    else:
        print_data(text, fmt)
    if result.fails:
        raise typer.Exit(EXIT_FINDINGS)
