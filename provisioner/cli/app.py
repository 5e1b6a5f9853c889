"""The Typer application and the error boundary: every error is one line and an exit code
(0 ok, 1 findings, 2 bad input, 3 AWS refused or unreachable), never a traceback."""

from __future__ import annotations

import sys
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
        try:
            if "default_map" not in extra:  # defaults from .provisioner.toml (provisioner.config)
                from provisioner import config

                found = config.load()
                extra["default_map"] = config.defaults(found, self) if found.path else None
                extra.setdefault("obj", found)
            code = super().main(
                args=args,
                prog_name="provision",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = code if isinstance(code, int) else 0
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
    add_completion=False,
    help="Connect an S3 bucket to a labeling or ML vendor through IAM delegated access.",
)
policy_app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help="Render the permission policy, trust policy or CORS rules as JSON on stdout.",
)
app.add_typer(policy_app, name="policy")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"provision {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Connect an S3 bucket to a labeling or ML vendor through IAM delegated access."""
