"""The global options, wherever they are on the line (`provision --region R audit` = `provision
audit --region R`), and --query: the AWS CLI's options taken or ignored per command, --query,
--quiet and --debug taken out, and the defaults AWS_DEFAULT_OUTPUT or --query give --output."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import typer
from typer.core import TyperGroup

from provisioner.errors import InputError

# The AWS CLI's global options. A command that has one takes it before its name too
# (`provision --region eu-west-1 audit`); a command without it (lint, policy, vendors, ...)
# accepts and ignores it anywhere, as `aws` does, so `alias provision='provision --profile prod'`
# works for every command. --query, --debug and --quiet are taken out wherever they are.
AWS_OPTIONS = ("--profile", "--region", "--endpoint-url")
GLOBAL_OPTIONS = {*AWS_OPTIONS, "--output", "-o"}
QUERY: ContextVar[Query | None] = ContextVar("query", default=None)
QUIET: ContextVar[bool] = ContextVar("quiet", default=False)
DEBUG: ContextVar[bool] = ContextVar("debug", default=False)


class NamedGroup(TyperGroup):
    """A group whose subcommands global_options looks up by name (the root loads its commands'
    modules on first use: cli/app.py's _Root)."""

    def load(self, name: str) -> Any:
        """The subcommand called name, or None (the root imports its module on first use)."""
        return self.commands.get(name)

    def names(self) -> list[str]:
        """Every subcommand's name, loaded or not."""
        return list(self.commands)


class Query:
    """A JMESPath expression (--query), compiled once; `used` says whether any JSON met it."""

    def __init__(self, text: str) -> None:
        import jmespath
        from jmespath.exceptions import JMESPathError

        self.text = text
        self.used = False
        try:
            self.compiled = jmespath.compile(text)
        except JMESPathError as exc:
            raise InputError(
                "--query", text, f"not a JMESPath expression ({str(exc).splitlines()[0]})"
            ) from None

    def apply(self, data: Any) -> Any:
        self.used = True
        return self.compiled.search(data)


def global_options(args: list[str], group: Any) -> tuple[list[str], Query | None]:
    """--query, --quiet and --debug taken out wherever they are; global options written before
    the command moved after its name (after `policy trust` for a group), where the command's own
    options are; those the command does not take dropped, wherever they are."""
    query = None
    QUIET.set(False)
    DEBUG.set(False)
    kept: list[str] = []
    index = 0
    while index < len(args):
        name, eq, value = args[index].partition("=")
        if args[index] in ("--quiet", "-q"):
            QUIET.set(True)
        elif args[index] == "--debug":
            DEBUG.set(True)
        elif name == "--query":
            if not eq:
                if index + 1 >= len(args):
                    raise InputError("--query", "", "needs a JMESPath expression")
                value = args[index + 1]
                index += 1
            query = Query(value)
        else:
            kept.append(args[index])
        index += 1
    leading: list[str] = []
    path: list[str] = []
    command = group
    index = 0
    while index < len(kept):
        if kept[index].partition("=")[0] in GLOBAL_OPTIONS:
            step = 1 if "=" in kept[index] else 2
            leading += kept[index : index + step]
            index += step
            continue
        sub = command.load(kept[index]) if isinstance(command, NamedGroup) else None
        if sub is None:
            break
        path.append(kept[index])
        command = sub
        index += 1
        if not isinstance(sub, TyperGroup):
            break
    if getattr(command, "context_settings", {}).get("ignore_unknown_options"):
        # `provision config COMMAND [OPTIONS]`: what follows is another command's line, shown as
        # given; without one, AWS options are ignored like any offline command's.
        # AWS options before `config` belong to the command it explains, as they would to that
        # command run alone (`provision --profile prod config audit` = `provision --profile prod audit`)
        rest = kept[index:]
        named = next((i for i, token in enumerate(rest) if token in group.names()), None)
        if named is None:
            return path + _own_options(command, leading + rest), query
        explained = path + _own_options(command, rest[:named]) + rest[named : named + 1]
        return explained + leading + rest[named + 1 :], query
    return path + _own_options(command, leading + kept[index:]), query


def _own_options(command: Any, args: list[str]) -> list[str]:
    """args without the global options (and their values) that the command does not take; an
    option of the command that takes a value keeps its value, whatever it looks like."""
    takes: set[str] = set()
    valued: set[str] = set()
    for param in getattr(command, "params", []):
        opts = set(param.opts) | set(param.secondary_opts)
        takes |= opts
        if param.param_type_name == "option" and not param.is_flag and not param.count:
            valued |= opts
    if isinstance(command, TyperGroup):
        valued = set()  # a group's own options (none take a value here) before a subcommand
    kept: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token == "--":
            return kept + args[index:]
        name, eq, _ = token.partition("=")
        if name in GLOBAL_OPTIONS and name not in takes:
            index += 1 if eq else 2
            continue
        kept.append(token)
        if token in valued:
            kept += args[index + 1 : index + 2]
            index += 1
        index += 1
    return kept


def environment_defaults(
    defaults: dict[str, dict[str, Any]], group: Any, query: Query | None
) -> dict[str, str]:
    """AWS_DEFAULT_OUTPUT (the AWS CLI's), where the command offers that output; json for every
    command that has it when --query is given. The environment wins over the config file.
    Returns, for each command whose --output it set, what set it (`provision config` shows it).
    Only the commands loaded so far count: the one being run is (global_options loads it)."""
    import os

    wanted = "json" if query is not None else os.environ.get("AWS_DEFAULT_OUTPUT", "").strip().lower()
    source = "--query" if query is not None else "AWS_DEFAULT_OUTPUT"
    found: dict[str, str] = {}
    if not wanted:
        return found
    for name, command in group.commands.items():
        option = next(
            (p for p in getattr(command, "params", []) if "--output" in getattr(p, "opts", ())), None
        )
        if option is None:
            continue
        try:
            option.process_value(typer.Context(command), wanted)
        except typer.BadParameter:
            continue  # AWS_DEFAULT_OUTPUT=text, say, where the command has no text output
        defaults.setdefault(name, {})["output"] = wanted
        found[name] = source
    return found
