"""The `provision` command line: option parsing and rendering only; the work is in the package.

Errors end in one line on stderr and a stable exit code (0 ok, 1 findings, 2 bad input,
3 AWS refused or unreachable), never a traceback.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from provisioner import __version__
from provisioner.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, ProvisionerError


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


class Output(StrEnum):
    table = "table"
    json = "json"


class FailOn(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    none = "none"


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


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


VendorOpt = Annotated[
    str | None,
    typer.Option("--vendor", help="A known vendor (see 'provision vendors'). Default: labelbox."),
]


@policy_app.command("permissions")
def policy_permissions(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket the vendor reads.")],
    prefix: Annotated[
        str | None, typer.Option("--prefix", help="Limit the grant to keys under this prefix.")
    ] = None,
    kms_key_arn: Annotated[
        str | None,
        typer.Option("--kms-key-arn", help="KMS key of SSE-KMS objects: adds kms:Decrypt via S3."),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="The bucket's region (taken from the key ARN).")
    ] = None,
) -> None:
    """The read-only identity policy for the vendor role."""
    from provisioner.documents import render_permissions

    rendered = render_permissions(bucket, prefix, kms_key_arn, region)
    _warn(rendered.warnings)
    typer.echo(rendered.to_json())


@policy_app.command("trust")
def policy_trust(
    external_id: Annotated[
        str, typer.Option("--external-id", help="The external ID the vendor issued.")
    ],
    vendor: VendorOpt = None,
    principal: Annotated[
        str | None,
        typer.Option("--principal", help="The vendor's role ARN, for a vendor not in the list."),
    ] = None,
) -> None:
    """The trust policy: the vendor's principal, only with the external ID."""
    from provisioner.documents import render_trust
    from provisioner.vendors import resolve_vendor

    rendered = render_trust(external_id, resolve_vendor(vendor, principal, None))
    _warn(rendered.warnings)
    typer.echo(rendered.to_json())


@policy_app.command("cors")
def policy_cors(
    vendor: VendorOpt = None,
    origin: Annotated[
        list[str] | None,
        typer.Option("--origin", help="A web origin of the vendor (repeat for several)."),
    ] = None,
) -> None:
    """The S3 CORS configuration (put-bucket-cors shape) for the vendor's web origins."""
    from provisioner.documents import render_cors
    from provisioner.vendors import resolve_vendor

    rendered = render_cors(resolve_vendor(vendor, None, origin))
    _warn(rendered.warnings)
    typer.echo(rendered.to_json())


@app.command("vendors")
def vendors_command(
    output: Annotated[Output, typer.Option("--output", "-o")] = Output.table,
) -> None:
    """List the vendors provisioner knows: principal, CORS origins, default names."""
    from provisioner import report
    from provisioner.vendors import known_vendors

    vendors = sorted(known_vendors().values(), key=lambda v: v.name)
    if output is Output.json:
        typer.echo(report.to_json([report.vendor_dict(v) for v in vendors]))
    else:
        typer.echo(report.vendors_table(vendors))


@app.command("lint")
def lint_command(
    files: Annotated[
        list[str], typer.Argument(help="Policy documents (JSON); '-' reads stdin.", metavar="FILE…")
    ],
    output: Annotated[Output, typer.Option("--output", "-o")] = Output.table,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")
    ] = FailOn.high,
) -> None:
    """Lint IAM permission or trust policies for grammar, IAM limits and least privilege."""
    from provisioner import report
    from provisioner.lint import lint_paths

    result = lint_paths(files)
    if output is Output.json:
        typer.echo(report.findings_json(result.findings))
    else:
        typer.echo(report.findings_table(result.findings, len(result.files)))
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code instead of raising SystemExit."""
    return app(args=argv, prog_name="provision", standalone_mode=False)
