"""`provision lint FILE…`: grammar, IAM limits and least privilege of policy documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    FailOn,
    FailOnOpt,
    MutelistOpt,
    mutes,
    out_format,
    output_choices,
    write_out,
)
from provisioner.cli.reporting import (
    baseline_notes,
    check_baseline_format,
    file_notes,
    findings_text,
    say_notes,
)
from provisioner.errors import EXIT_FINDINGS

if TYPE_CHECKING:
    LintOutput: TypeAlias = Any  # an enum of report.FORMATS["lint"], made at run time
else:
    LintOutput = output_choices("lint")


@app.command("lint", rich_help_panel="Offline (no AWS account needed)")
def lint_command(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(help="Policies, templates, plans, folders; '-' reads stdin.", metavar="FILE"),
    ],
    output: Annotated[
        LintOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = LintOutput.table,
    out: Annotated[
        str | None, typer.Option("--out", help="Write the report to this file (its extension: the format).")
    ] = None,
    fail_on: FailOnOpt = FailOn.high,
    mutelist: MutelistOpt = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="A previous 'lint -o json': report only what is new, and what was fixed."
        ),
    ] = None,
) -> None:
    """Lint IAM permission or trust policies for grammar, IAM limits and least privilege."""
    from provisioner import api, report

    fmt = out_format(ctx, output, out)
    check_baseline_format(baseline, fmt)
    result = api.lint(files, mutes=mutes(ctx, mutelist), baseline=baseline)
    from provisioner.cli.app import QUIET

    for path, what in () if QUIET.get() else result.unopened:
        typer.echo(f"note: {path}: {what}, not opened (pipe a document to 'provision lint -')", err=True)
    said = file_notes(ctx, result.findings) + baseline_notes(result, fmt)
    text = findings_text(result, fmt, out, said, lambda: report.lint_findings(result))
    if out:
        write_out(out, text)
    else:
        typer.echo(text)
    say_notes(said)
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
