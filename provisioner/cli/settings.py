"""`provision config`: the defaults in effect, and where each comes from."""

from __future__ import annotations

import os
from typing import Any

import typer

from provisioner.cli.app import app
from provisioner.cli.common import Output, OutputOpt, json_text

# The environment variables provisioner (through botocore) reads, in the order they win.
ENVIRONMENT = (
    "PROVISIONER_CONFIG",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@app.command("config", rich_help_panel="Offline (no AWS account needed)")
def config_command(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
    """Show the defaults in effect (.provisioner.toml or [tool.provisioner] in pyproject.toml,
    then the environment, then flags) and where each comes from."""
    from provisioner import mute, report

    config = ctx.find_root().obj
    rows: list[dict[str, Any]] = []
    if config is not None and config.path:
        rows += [
            {"command": s.command, "option": f"--{s.key}", "value": s.value, "from": config.where(s)}
            for s in config.settings
        ]
        for entry in mute.parse(config.mutes, config.path):
            rows.append(
                {
                    "command": "audit",
                    "option": "mute",
                    "value": f"rule {entry.rule}, role {entry.role}, account {entry.account}, file "
                    f"{entry.file}: {entry.reason}" + (f" (until {entry.expires})" if entry.expires else ""),
                    "from": entry.where,
                }
            )
    for name in ENVIRONMENT:
        if os.environ.get(name):  # secrets are never among these names: values are shown
            rows.append({"command": "*", "option": name, "value": os.environ[name], "from": "environment"})
    if output in (Output.json, Output.text):
        typer.echo(json_text({"file": config.path if config else None, "settings": rows}, output))
        return
    where = config.path if config is not None and config.path else "no .provisioner.toml found"
    body = report.table(
        [(r["command"], r["option"], r["value"], r["from"]) for r in rows],
        ["COMMAND", "OPTION", "VALUE", "FROM"],
        [None, None, 50, None],
    )
    typer.echo(f"config file: {where}\n\n{body}" if rows else f"config file: {where}\n\nno settings")
