"""`provision lint FILE…`: grammar, IAM limits and least privilege of policy documents."""

from __future__ import annotations

from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import FailOn, FailOnOpt, Output, OutputOpt
from provisioner.errors import EXIT_FINDINGS


@app.command("lint")
def lint_command(
    files: Annotated[
        list[str], typer.Argument(help="Policy documents (JSON); '-' reads stdin.", metavar="FILE…")
    ],
    output: OutputOpt = Output.table,
    fail_on: FailOnOpt = FailOn.high,
) -> None:
    """Lint IAM permission or trust policies for grammar, IAM limits and least privilege."""
    from provisioner import api, report

    result = api.lint(files)
    if output is Output.json:
        typer.echo(report.to_json(result.to_dict()))
    else:
        typer.echo(report.findings_table(result.findings, len(result.files)))
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)
