"""`provision vendors`: the vendor profiles provisioner knows."""

from __future__ import annotations

import typer

from provisioner.cli.app import app
from provisioner.cli.common import Output, OutputOpt, json_text, versioned


@app.command("vendors", rich_help_panel="Offline (no AWS account needed)")
def vendors_command(output: OutputOpt = Output.table) -> None:
    """List the vendors provisioner knows: principal, CORS origins, default names."""
    from provisioner import api, report

    vendors = api.vendors()
    if output in (Output.json, Output.text):
        typer.echo(json_text(versioned([report.vendor_dict(v) for v in vendors], "vendors"), output))
    else:
        typer.echo(report.vendors_table(vendors))
