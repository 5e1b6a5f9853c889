"""`provision diff OLD NEW` (or `--base REF FILE…`, or `--role NAME [--policy NAME|ARN] FILE`):
what a policy change gives away (exit 1) and what it takes away."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from provisioner.cli.app import app
from provisioner.cli.common import (
    EndpointOpt,
    ProfileOpt,
    RegionOpt,
    connect,
    json_text,
    out_format,
    output_choices,
    print_data,
    render_findings,
    write_out,
)
from provisioner.errors import EXIT_FINDINGS, InputError

if TYPE_CHECKING:
    from provisioner.diff import DiffResult

    DiffOutput: TypeAlias = Any  # an enum of report.FORMATS["diff"], made at run time
else:
    DiffOutput = output_choices("diff")


class Kind(StrEnum):
    trust = "trust"
    permissions = "permissions"
    resource = "resource"


@app.command("diff", rich_help_panel="Offline (no AWS account needed)")
def diff_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            help="OLD NEW: the policy as it is and as it would be ('-' reads stdin); with --base, "
            "the changed files (or folders); with --role, the one file.",
            metavar="OLD NEW | FILE…",
        ),
    ],
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Diff each FILE against its version at this git revision ('auto': pre-commit's "
            "PRE_COMMIT_FROM_REF, else HEAD).",
            metavar="REF",
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Compare this role's live trust (OLD) with FILE (NEW).", metavar="NAME"),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy", help="With --role: one of the role's policies, not its trust.", metavar="NAME|ARN"
        ),
    ] = None,
    output: Annotated[
        DiffOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = DiffOutput.table,
    out: Annotated[
        str | None, typer.Option("--out", help="Write the report to this file (its extension: the format).")
    ] = None,
    kind: Annotated[
        Kind | None, typer.Option("--kind", help="The kind of both documents (inferred when not given).")
    ] = None,
    external_id: Annotated[
        list[str] | None,
        typer.Option(
            "--external-id",
            help="An external ID issued besides those the trusts name (repeatable).",
            metavar="ID",
        ),
    ] = None,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Who can now do what they could not before: NEW against OLD, exactly (exit 1 on new access)."""
    from provisioner import api, report

    fmt = out_format(ctx, output, out)
    from provisioner.inputs import check_external_id

    ids = tuple(check_external_id(i, "--external-id") for i in external_id or ())  # '' is refused
    skipped: list[str] = []
    if policy is not None and role is None:
        raise InputError("--policy", policy, "names one of a role's policies: give --role NAME too")
    if role is not None:
        if len(paths) != 1 or base is not None:
            raise InputError("--role", role, "compares the live document with one FILE: give exactly one")
        aws = connect(profile, region, endpoint_url)
        results = [api.diff_live(aws, role, paths[0], policy=policy, external_ids=ids)]
    elif base is not None:
        results, skipped = api.diff_base(paths, base, external_ids=ids)
    elif len(paths) != 2:
        raise InputError(
            "FILE", " ".join(paths), "give OLD and NEW (two files), or --base REF with the files"
        )
    else:
        results = [api.diff(paths[0], paths[1], kind=kind.value if kind else None, external_ids=ids)]
    if fmt in ("json", "text"):  # text: the AWS CLI's tab-separated form of the JSON
        text = json_text(report.versioned(_json(results, base, skipped)), fmt)
    else:
        text = render_findings(report.diff_findings(results, skipped), fmt, out)
    if out:
        write_out(out, text)
    else:
        print_data(text, fmt)
    if any(r.fails for r in results):
        raise typer.Exit(EXIT_FINDINGS)


def _json(results: list[DiffResult], base: str | None, skipped: list[str]) -> dict[str, Any]:
    """One result's JSON; with --base, every file's and those skipped."""
    if base is None:
        return results[0].to_dict()
    widens = any(r.fails for r in results)
    return {"base": base, "widens": widens, "files": [r.to_dict() for r in results], "skipped": skipped}
