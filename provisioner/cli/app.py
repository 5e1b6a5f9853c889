"""The Typer application and the error boundary: every error is one line and an exit code
(0 ok, 1 findings, 2 bad input, 3 AWS refused or unreachable), never a traceback."""

from __future__ import annotations

import contextlib
import importlib
import sys
from typing import Annotated, Any, ClassVar

import typer

from provisioner import __version__
from provisioner.cli_coercion import QuickTyper, quicken
from provisioner.cli_help import HelpGroup, dress
from provisioner.cli_options import DEBUG, QUERY, QUIET, Query, environment_defaults, global_options
from provisioner.errors import EXIT_BAD_INPUT, InputError, ProvisionerError, show_value

# The commands' modules import these from here; they live in cli_options (help is cli_help's).
__all__ = ["DEBUG", "QUERY", "QUIET", "Query", "app", "environment_defaults", "labelbox_app", "policy_app"]


class _Group(HelpGroup):
    """Turns every error into one line and an exit code, for the console script and tests; its
    help is cli_help's."""

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

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's own options (its help option too), coerced without pydantic
        (cli_coercion; its commands are QuickCommands: the apps below are QuickTypers)."""
        return quicken(super().get_params(ctx))


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
    shown = "" if exc.value is None else f" {show_value(exc.value)}"  # None: a flag, no value
    return f"{option}{shown}: {exc.rule}"


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
        "diff": "diff",
        "export": "export",
        "inventory": "inventory",
        "who-can": "who_can",
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
                dress(command)
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


app = QuickTyper(
    cls=_Root,
    no_args_is_help=True,
    add_completion=True,
    # every command inherits these: -h too, and help up to 100 columns wide on a wide terminal
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Connect an S3 bucket to a labeling or ML vendor through IAM delegated access.",
)
policy_app = QuickTyper(
    cls=_Group,
    no_args_is_help=True,
    help="Render the permission policy, trust policy or CORS rules as JSON on stdout.",
)
labelbox_app = QuickTyper(
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
