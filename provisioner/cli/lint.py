"""`provision lint FILE…`: grammar, IAM limits and least privilege of policy documents."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import FailOn, FailOnOpt, MutelistOpt, json_text, mutes, terminal
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
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="A previous 'lint -o json': report only what is new, and what was fixed."
        ),
    ] = None,
) -> None:
    """Lint IAM permission or trust policies for grammar, IAM limits and least privilege."""
    from provisioner import api, report

    result = api.lint(files, mutes=mutes(ctx, mutelist), baseline=baseline)
    for path, what in result.unopened:
        typer.echo(f"note: {path}: {what}, not opened (pipe a document to 'provision lint -')", err=True)
    if output in (LintOutput.json, LintOutput.text):
        typer.echo(json_text(result.to_dict(), output))
    elif output is LintOutput.sarif:
        from provisioner import __version__

        typer.echo(json_text(report.lint_sarif(result, __version__)))
    else:
        also = result.not_judged() + result.baseline_note()
        table = report.findings_table(result.shown, len(result.files), result.muted, terminal(), also)
        fixed = "".join(
            f"\nfixed: {old.get('rule')} {old.get('file')} {old.get('location')}" for old in result.fixed
        )
        typer.echo(table + fixed)
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
