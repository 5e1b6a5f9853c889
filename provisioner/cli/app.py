"""The Typer application and the error boundary: every error is one line and an exit code
(0 ok, 1 findings, 2 bad input, 3 AWS refused or unreachable), never a traceback."""

from __future__ import annotations

import contextlib
import sys
from contextvars import ContextVar
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from provisioner import __version__
from provisioner.errors import EXIT_BAD_INPUT, InputError, ProvisionerError, show_value


class _Group(TyperGroup):
    """Turns every error into one line and an exit code, for the console script and tests."""

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


# Options any command that has them takes before its name too, as the AWS CLI's do
# (`provision --region eu-west-1 audit`), and --query, which filters any JSON output.
GLOBAL_OPTIONS = {"--profile", "--region", "--endpoint-url", "--output", "-o"}
QUERY: ContextVar[Query | None] = ContextVar("query", default=None)
QUIET: ContextVar[bool] = ContextVar("quiet", default=False)
DEBUG: ContextVar[bool] = ContextVar("debug", default=False)


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
    """--query taken out wherever it is; global options written before the command moved
    after its name (after `policy trust` for a group), where the command's own options are."""
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
    index = 0
    while index < len(kept) and kept[index].partition("=")[0] in GLOBAL_OPTIONS:
        step = 1 if "=" in kept[index] else 2
        leading += kept[index : index + step]
        index += step
    if not leading:
        return kept, query
    rest = kept[index:]
    depth = 1
    if rest and isinstance(getattr(group, "commands", {}).get(rest[0]), TyperGroup):
        depth = 2
    return rest[:depth] + leading + rest[depth:], query


def environment_defaults(
    defaults: dict[str, dict[str, Any]], group: Any, query: Query | None
) -> dict[str, str]:
    """AWS_DEFAULT_OUTPUT (the AWS CLI's), where the command offers that output; json for every
    command that has it when --query is given. The environment wins over the config file.
    Returns, for each command whose --output it set, what set it (`provision config` shows it)."""
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


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=True,
    help="Connect an S3 bucket to a labeling or ML vendor through IAM delegated access.",
)
policy_app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help="Render the permission policy, trust policy or CORS rules as JSON on stdout.",
)
app.add_typer(policy_app, name="policy")
labelbox_app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    # rich would read a bare [labelbox] as markup and print nothing of it: the bracket is escaped
    help="Labelbox's side, through Labelbox's SDK (its extra, in a checkout: pip install '.\\[labelbox]').",
)
app.add_typer(labelbox_app, name="labelbox")


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
