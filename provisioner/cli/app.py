"""The Typer application and the error boundary: every error is one line and an exit code
(0 ok, 1 findings, 2 bad input, 3 AWS refused or unreachable), never a traceback."""

from __future__ import annotations

import contextlib
import importlib
import sys
from contextvars import ContextVar
from typing import Annotated, Any, ClassVar

import typer
from typer.core import TyperGroup

from provisioner import __version__
from provisioner.errors import EXIT_BAD_INPUT, InputError, ProvisionerError, show_value


class _Group(TyperGroup):
    """Turns every error into one line and an exit code, for the console script and tests; its
    help is plain text (no rich markup: `[labelbox]` stays), commands grouped by their
    rich_help_panel, and the root's ends with the global options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rich_markup_mode = None  # click's plain help: text as written, `[labelbox]` kept
        for command in self.commands.values():
            if not isinstance(command, TyperGroup):
                _dress(command)

    def load(self, name: str) -> Any:
        """The subcommand called name, or None (the root imports its module on first use)."""
        return self.commands.get(name)

    def names(self) -> list[str]:
        """Every subcommand's name, loaded or not."""
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands under their panel's heading (PANELS first, in that order), not one list."""
        commands = [
            (name, command)
            for name, command in ((n, self.get_command(ctx, n)) for n in self.list_commands(ctx))
            if command is not None and not command.hidden
        ]
        if not commands:
            return
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, command in commands:  # the whole first sentence, wrapped, never cut with "..."
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            panels.setdefault(panel, []).append((name, command.get_short_help_str(limit=1000)))
        for panel in sorted(panels, key=lambda p: PANELS.index(p) if p in PANELS else len(PANELS)):
            with formatter.section(panel):
                formatter.write_dl(panels[panel])

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if ctx.parent is None:
            with formatter.section("Global options (before or after the command name)"):
                formatter.write_dl(GLOBAL_HELP)
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(GLOBAL_NOTE)
        super().format_epilog(ctx, formatter)

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        query = None
        try:
            args, query = global_options(list(sys.argv[1:] if args is None else args), self)
            if "default_map" not in extra:  # defaults from .provisioner.toml (provisioner.config)
                from provisioner import config

                found = config.load()
                extra["default_map"] = config.defaults(found, self) if found.path else {}
                environment_defaults(extra["default_map"], self, query)
                extra.setdefault("obj", found)
            QUERY.set(query)
            with contextlib.ExitStack() as stack:
                if DEBUG.get():  # botocore's request log on stderr, secrets taken out
                    from provisioner.debug import botocore_log

                    stack.enter_context(botocore_log(sys.stderr))
                code = super().main(
                    args=args,
                    prog_name="provision",
                    complete_var=complete_var,
                    standalone_mode=False,
                    **extra,
                )
            code = code if isinstance(code, int) else 0
            if code == 130:  # typer turns Ctrl-C into a silent Exit(130): say it, in one line
                typer.echo("aborted", err=True)
            if query is not None and not query.used and code in (0, 1):
                typer.echo("warning: --query filters JSON output, and this command printed none", err=True)
        except typer.TyperException as exc:
            code = _show_typer_error(exc)
        except InputError as exc:
            typer.echo(f"error: {option_line(exc)}", err=True)
            code = exc.exit_code
        except ProvisionerError as exc:
            typer.echo(f"error: {exc}", err=True)
            code = exc.exit_code
        except (typer.Abort, KeyboardInterrupt):
            typer.echo("aborted", err=True)
            code = 130
        except BrokenPipeError:
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


# The AWS CLI's global options. A command that has one takes it before its name too
# (`provision --region eu-west-1 audit`); a command without it (lint, policy, vendors, ...)
# accepts and ignores it anywhere, as `aws` does, so `alias provision='provision --profile prod'`
# works for every command. --query, --debug and --quiet are taken out wherever they are.
AWS_OPTIONS = ("--profile", "--region", "--endpoint-url")
GLOBAL_OPTIONS = {*AWS_OPTIONS, "--output", "-o"}
QUERY: ContextVar[Query | None] = ContextVar("query", default=None)
QUIET: ContextVar[bool] = ContextVar("quiet", default=False)
DEBUG: ContextVar[bool] = ContextVar("debug", default=False)

# The root help's "Global options" section (the options themselves are parsed above and by
# each command that takes them).
GLOBAL_HELP = [
    ("--profile NAME", "AWS profile (default: AWS_PROFILE, else the default profile). AWS commands."),
    ("--region REGION", "AWS region (default: the profile's). AWS commands; policy permissions."),
    ("--endpoint-url URL", "Send AWS calls to this endpoint (a sandbox); also AWS_ENDPOINT_URL."),
    (
        "-o, --output FORMAT",
        "table, json, text, or another format the command lists in its help; "
        "AWS_DEFAULT_OUTPUT sets the default. Commands that print a result.",
    ),
    ("--query EXPR", "Filter JSON output with JMESPath; makes json the default. Every command."),
    ("--debug", "botocore's request log on stderr, secrets taken out. Every command."),
    ("-q, --quiet", "No progress, summary or notes on stderr; errors are still shown. Every command."),
]
GLOBAL_NOTE = (
    "A command that does not take one of --profile, --region, --endpoint-url or --output (the "
    "offline commands take no AWS option) accepts and ignores it, as the AWS CLI does. -h or "
    "--help after any command shows its help: 'provision create-role -h'."
)

# How the root help orders its command groups (each command's rich_help_panel).
PANELS = ["Role lifecycle", "Checks", "Labelbox and import files", "Offline (no AWS account needed)"]

# The value an option takes, by option name, in every command's help: `--bucket BUCKET`, not
# `--bucket TEXT`. An option's own metavar= wins; a test refuses TEXT, INTEGER and the like.
METAVARS = {
    "--accounts": "ID[,ID...]",
    "--api-key-file": "FILE",
    "--baseline": "FILE",
    "--batch-size": "N",
    "--bucket": "BUCKET",
    "--connect": "VENDOR",
    "--create-project": "NAME",
    "--dataset": "NAME",
    "--endpoint-url": "URL",
    "--external-id": "ID",
    "--from-file": "FILE",
    "--integration": "NAME|ID",
    "--key": "KEY",
    "--kms-key-arn": "ARN",
    "--label-attribute": "NAME",
    "--manifest": "FILE",
    "--max-session-duration": "SECONDS",
    "--member-role": "NAME",
    "--mutelist": "FILE",
    "--name": "NAME",
    "--origin": "URL",
    "--out": "FILE",
    "--path": "/PATH/",
    "--permissions-boundary": "ARN",
    "--policy-name": "NAME",
    "--port": "PORT",
    "--prefix": "PREFIX",
    "--principal": "ARN",
    "--profile": "NAME",
    "--project-arn": "ARN",
    "--rcp-file": "FILE",
    "--region": "REGION",
    "--role-arn": "ARN",
    "--role-name": "NAME",
    "--scp-file": "FILE",
    "--tag": "KEY=VALUE",
    "--unused-days": "DAYS",
    "--upload": "s3://BUCKET/KEY",
    "--vendor": "VENDOR",
    "--vendor-profile": "NAME",
    "--wait": "SECONDS",
}


def _dress(command: Any) -> None:
    """A command's help: a metavar for each option that takes a value (METAVARS, or a choice's
    values: `-o table|json`), an argument's own metavar without typer's `<list[str]>` after it,
    and an epilog naming the global options its own list does not show."""
    command.rich_markup_mode = None
    names = set()
    for param in command.params:
        names.update(param.opts)
        if param.param_type_name == "argument":
            if param.metavar is not None:
                param.display_type_rich = _no_type
            continue
        if param.is_flag or param.count or param.metavar is not None:
            continue
        if param.type_descriptor.is_choice:
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in param.type_descriptor.choices)
        else:
            param.metavar = next((METAVARS[o] for o in param.opts if o in METAVARS), None)
    if command.epilog:
        return
    ignored = [o for o in (*AWS_OPTIONS, "--output") if o not in names]
    note = "Global options: --query EXPR, --debug, -q/--quiet"
    if ignored:
        note += f"; {', '.join(ignored)} accepted and ignored"
    command.epilog = note + " (see 'provision -h')."


def _no_type(ctx: Any = None) -> None:
    """What an argument with a metavar of its own shows after it: nothing."""
    return None


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
        sub = command.load(kept[index]) if isinstance(command, _Group) else None
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


# Spec fields whose option is not simply --FIELD-WITH-DASHES.
_OPTIONS = {"fmt": "--format", "with_cors": "--cors", "tags": "--tag", "origins": "--origin"}


def option_line(exc: InputError) -> str:
    """The library names the field at fault ('bucket'); the CLI names the option ('--bucket')."""
    field = exc.field
    if field in _OPTIONS:
        option = _OPTIONS[field]
    elif not field or field.isupper():
        option = field
    else:
        option = "--" + field.replace("_", "-")
    return f"{option} {show_value(exc.value)}: {exc.rule}"


def _show_typer_error(exc: typer.TyperException) -> int:
    """One line for a usage error (missing option, bad choice); the help when no arguments."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help(), err=True)
        return EXIT_BAD_INPUT
    where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    typer.echo(f"error: {exc.format_message()}{where}", err=True)
    return exc.exit_code


class _Root(_Group):
    """The `provision` group: each command's module is imported when the command is first
    looked up (only the one being run, for a run), so start-up does not pay for all of them.
    Help, completion and an unknown name load them all."""

    # each command's module under provisioner.cli, in the order the root help lists them
    LAZY: ClassVar[dict[str, str]] = {
        "audit": "audit",
        "create-role": "create_role",
        "delete-role": "delete",
        "export": "export",
        "lint": "lint",
        "manifest": "manifest",
        "rotate-external-id": "rotate",
        "sandbox": "sandbox",
        "config": "settings",
        "validate": "validate",
        "vendors": "vendors",
        "policy": "policy",
        "labelbox": "labelbox",
    }

    def load(self, name: str) -> Any:
        if name not in self.commands and name in self.LAZY:
            importlib.import_module(f"provisioner.cli.{self.LAZY[name]}")
            self._adopt()
        return self.commands.get(name)

    def load_all(self) -> dict[str, Any]:
        for name in self.LAZY:
            self.load(name)
        return dict(self.commands)

    def names(self) -> list[str]:
        return [*self.LAZY, *(name for name in self.commands if name not in self.LAZY)]

    def _adopt(self) -> None:
        """Click commands for what the imported modules registered on `app` since the group
        was made, as typer.main.get_command would have made them."""
        from typer.main import get_command_from_info, get_group_from_info

        for info in app.registered_commands:
            if info.name and info.name not in self.commands:
                command = get_command_from_info(
                    info,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
                _dress(command)
                self.commands[info.name] = command
        for group in app.registered_groups:
            if group.name and group.name not in self.commands:
                self.commands[group.name] = get_group_from_info(
                    group,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    suggest_commands=app.suggest_commands,
                    rich_markup_mode=app.rich_markup_mode,
                )

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self.load(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return self.names()

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and self.load(args[0]) is None:
            self.load_all()  # "No such command 'x'. Did you mean ...?" from every name
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self.load_all()
        super().format_commands(ctx, formatter)


app = typer.Typer(
    cls=_Root,
    no_args_is_help=True,
    add_completion=True,
    # every command inherits these: -h too, and help up to 100 columns wide on a wide terminal
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Connect an S3 bucket to a labeling or ML vendor through IAM delegated access.",
)
policy_app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help="Render the permission policy, trust policy or CORS rules as JSON on stdout.",
)
labelbox_app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    # rich would read a bare [labelbox] as markup and print nothing of it: the bracket is escaped
    help="Labelbox's side, through Labelbox's SDK (its extra, in a checkout: pip install '.[labelbox]').",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"provision {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version.", metavar=""),
    ] = False,
) -> None:
    """Connect an S3 bucket to a labeling or ML vendor through IAM delegated access."""
