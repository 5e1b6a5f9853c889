"""`provision lint FILE…`: grammar, IAM limits and least privilege of policy documents."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    FailOn,
    FailOnOpt,
    MutelistOpt,
    json_text,
    mutes,
    note_what_the_files_changed,
    terminal,
)
from provisioner.errors import EXIT_FINDINGS


class LintOutput(StrEnum):
    table = "table"
    json = "json"
    text = "text"
    sarif = "sarif"


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
    fail_on: FailOnOpt = FailOn.high,
    mutelist: MutelistOpt = None,
) -> None:
    """Lint IAM permission or trust policies for grammar, IAM limits and least privilege."""
    from provisioner import api, report

    result = api.lint(files, mutes=mutes(ctx, mutelist))
    from provisioner.cli.app import QUIET

    for path, what in () if QUIET.get() else result.unopened:
        typer.echo(f"note: {path}: {what}, not opened (pipe a document to 'provision lint -')", err=True)
    if output in (LintOutput.json, LintOutput.text):
        typer.echo(json_text(result.to_dict(), output))
    elif output is LintOutput.sarif:
        from provisioner import __version__

        typer.echo(json_text(report.lint_sarif(result, __version__)))
    else:
        muted = len(result.findings) - len(result.shown)
        table = report.findings_table(result.shown, len(result.files), muted, terminal(), result.not_judged())
        typer.echo(table)
    note_what_the_files_changed(ctx, result.findings)
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
