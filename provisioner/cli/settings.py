"""`provision config`: the defaults in effect, where each comes from, and which one wins.

Flags win over the environment, which wins over the file. Given a command line
(`provision config audit --fail-on low`), the flags on it are shown too, and what they override.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from provisioner.cli.app import QUERY, app, environment_defaults
from provisioner.cli.common import Output, OutputOpt, json_text, versioned
from provisioner.errors import InputError

# The environment variables provisioner (through botocore) reads. None of them holds a secret,
# so their values are shown.
ENVIRONMENT = (
    "PROVISIONER_CONFIG",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_DEFAULT_OUTPUT",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)
# The option each variable is the default of (botocore's own for the first three), and the
# variables that win over it.
_ENV_OPTION = {
    "AWS_PROFILE": ("profile", ()),
    "AWS_REGION": ("region", ()),
    "AWS_DEFAULT_REGION": ("region", ("AWS_REGION",)),
    "AWS_ENDPOINT_URL": ("endpoint_url", ()),
    "AWS_DEFAULT_OUTPUT": ("output", ()),
}


@app.command(
    "config",
    rich_help_panel="Offline (no AWS account needed)",
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
)
def config_command(
    ctx: typer.Context,
    output: OutputOpt = Output.table,
    command_line: Annotated[
        list[str] | None,
        typer.Argument(
            help="A command and its options: also show the flags, and what they override.",
            metavar="COMMAND [OPTIONS]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the defaults in effect (.provisioner.toml or [tool.provisioner] in pyproject.toml,
    then the environment, then flags), where each comes from, and which wins."""
    from provisioner import report

    config = ctx.find_root().obj
    group: Any = ctx.find_root().command
    group.load_all()  # every command's defaults are shown, not only those loaded so far
    name, flags = _flags(group, command_line or [])
    rows = _rows(config, group, name, flags)
    if output in (Output.json, Output.text):
        data = {"file": config.path if config else None, "command": name, "settings": rows}
        typer.echo(json_text(versioned(data), output))
        return
    where = config.path if config is not None and config.path else "no .provisioner.toml found"
    body = report.table(
        [(r["command"], r["option"], r["value"], r["from"], _status(r)) for r in rows],
        ["COMMAND", "OPTION", "VALUE", "FROM", "IN EFFECT"],
        [None, None, 50, None, None],
    )
    typer.echo(f"config file: {where}\n\n{body}" if rows else f"config file: {where}\n\nno settings")


def _status(row: dict[str, Any]) -> str:
    return "yes" if row["wins"] else f"no: {row['overridden_by']} wins"


def _flags(group: Any, words: list[str]) -> tuple[str | None, dict[str, tuple[str, Any]]]:
    """The command named first in `words` ('labelbox connect' for a group's) and the flags
    given to it: {option's parameter name: (its long name, the value as given)}."""
    if not words:
        return None, {}
    command, rest = group, list(words)
    path: list[str] = []
    while hasattr(command, "commands"):  # a group: policy, labelbox
        if not rest or rest[0] not in command.commands:
            shown, rule = (rest[0], "no such command") if rest else (" ".join(path), "needs its command")
            raise InputError("COMMAND", shown, f"{rule} (one of: {', '.join(sorted(command.commands))})")
        path.append(rest[0])
        command = command.commands[rest.pop(0)]
    # the root's settings (its -h): a context without them would have the command cache a help
    # option of --help alone, and `provision delete-role -h` run later in the same process
    # (the library's callers, the tests) would say "No such option: -h"
    settings = app.info.context_settings or {}
    context = typer.Context(command, info_name=" ".join(path), **settings)
    parser = command.make_parser(context)
    given, _, order = parser.parse_args(rest)
    flags = {}
    for param in order:
        if param.name in given and param.param_type_name == "option" and param.expose_value:
            long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
            flags[param.name] = (long, given[param.name])
    return " ".join(path), flags


def _param_of(group: Any, command: str, key: str) -> str | None:
    """The parameter name of `--key` of `command` (the file's key), as config.defaults finds it."""
    found = group.commands.get(command)
    for param in getattr(found, "params", []):
        if param.param_type_name == "option" and f"--{key}" in param.opts:
            return str(param.name)
    return None


def _rows(
    config: Any, group: Any, name: str | None, flags: dict[str, tuple[str, Any]]
) -> list[dict[str, Any]]:
    """Every value from the file, the environment and the flags, each with `wins` and, when it
    does not, what `overridden_by` it: flags > environment > file."""
    from provisioner import mute

    env_output = environment_defaults({}, group, QUERY.get())  # command -> what sets its --output
    rows: list[dict[str, Any]] = []

    def row(command: str, option: str, value: Any, source: str, beaten_by: str | None) -> None:
        rows.append(
            {
                "command": command,
                "option": option,
                "value": value,
                "from": source,
                "wins": beaten_by is None,
                "overridden_by": beaten_by,
            }
        )

    if config is not None and config.path:
        for setting in config.settings:
            param = _param_of(group, setting.command, setting.key)
            beaten_by = None
            if setting.command == name and param in flags:
                beaten_by = f"flag {flags[param][0]}"
            elif param == "output" and setting.command in env_output:
                beaten_by = env_output[setting.command]
            row(setting.command, f"--{setting.key}", setting.value, config.where(setting), beaten_by)
        for entry in mute.parse(config.mutes, config.path):  # entries add up: none overrides another
            value = (
                f"rule {entry.rule}, role {entry.role}, account {entry.account}, file "
                f"{entry.file}: {entry.reason}" + (f" (until {entry.expires})" if entry.expires else "")
            )
            row("audit", "mute", value, entry.where, None)
    for variable in ENVIRONMENT:
        if not os.environ.get(variable):
            continue
        param, stronger = _ENV_OPTION.get(variable, ("", ()))
        beaten_by = None
        if param and param in flags:
            beaten_by = f"flag {flags[param][0]}"
        elif param == "output" and QUERY.get() is not None:
            beaten_by = "--query"
        else:
            beaten_by = next((v for v in stronger if os.environ.get(v)), None)
        row("*", variable, os.environ[variable], "environment", beaten_by)
    for option, value in flags.values():
        row(name or "", option, value, "flag", None)
    return rows
