"""`provision audit`: options -> AuditSpec -> api.audit -> table, json, sarif or csv."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from provisioner.cli.accounts import AccountsOpt, FromFileOpt, MemberRoleOpt, OrganizationOpt, account_list
from provisioner.cli.app import app
from provisioner.cli.common import (
    EndpointOpt,
    FailOn,
    FailOnOpt,
    KnownAccountsOpt,
    MutelistOpt,
    ProfileOpt,
    RcpFileOpt,
    RegionOpt,
    ScpFileOpt,
    config_vendors,
    connect,
    mutes,
    out_format,
    output_choices,
    print_data,
    progress,
    write_out,
)
from provisioner.cli.reporting import (
    baseline_notes,
    check_baseline_format,
    file_notes,
    findings_text,
    say_notes,
)
from provisioner.errors import EXIT_FINDINGS

if TYPE_CHECKING:
    from provisioner.audit import AuditSpec
    from provisioner.audit.model import AuditResult
    from provisioner.aws import Aws


if TYPE_CHECKING:
    AuditOutput: TypeAlias = Any  # an enum of report.FORMATS["audit"], made at run time
else:
    AuditOutput = output_choices("audit")


@app.command("audit", rich_help_panel="Checks")
def audit_command(
    ctx: typer.Context,
    from_file: FromFileOpt = None,
    organization: OrganizationOpt = False,
    accounts: AccountsOpt = None,
    member_role: MemberRoleOpt = "OrganizationAccountAccessRole",
    output: Annotated[
        AuditOutput,
        typer.Option("--output", "-o", help="How to print the result (AWS_DEFAULT_OUTPUT sets the default)."),
    ] = AuditOutput.table,
    out: Annotated[str | None, typer.Option("--out", help="Write the report to this file.")] = None,
    fail_on: FailOnOpt = FailOn.high,
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only roles of this vendor.")] = None,
    all_roles: Annotated[
        bool, typer.Option("--all", help="List every role, not only cross-account ones.", metavar="")
    ] = False,
    scp_file: ScpFileOpt = None,
    rcp_file: RcpFileOpt = None,
    mutelist: MutelistOpt = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="A previous 'audit -o json': report only what is new, and what was fixed."
        ),
    ] = None,
    unused_days: Annotated[
        int,
        typer.Option(
            "--unused-days",
            help="role-unused: not used, nor created, within this many days.",
            metavar="DAYS",
            min=1,
            max=36_500,
        ),
    ] = 90,
    known_accounts: KnownAccountsOpt = None,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Find every role another account can assume, and judge its trust and its grants."""
    from provisioner.audit import AuditSpec, collector_paused

    fmt = out_format(ctx, output, out)  # before any AWS call
    check_baseline_format(baseline, fmt)
    listed = account_list(accounts)
    spec = AuditSpec(
        from_file=from_file,
        organization=organization,
        accounts=listed,
        member_role=member_role,
        vendor=vendor,
        all_roles=all_roles,
        scp_files=tuple(scp_file or ()),
        rcp_files=tuple(rcp_file or ()),
        mutes=tuple(mutes(ctx, mutelist)),
        baseline=baseline,
        unused_days=unused_days,
        vendors=config_vendors(ctx),
        known_accounts=known_accounts,
    )
    # Offline, the process ends with the report: the cycle collector stays off until the run's
    # objects are gone (audit.collector_paused; they are freed as _report returns).
    with collector_paused() if from_file else contextlib.nullcontext():
        code = _report(ctx, spec, fmt, out, fail_on, profile, region, endpoint_url)
    if code:
        raise typer.Exit(code)


def _report(
    ctx: typer.Context,
    spec: AuditSpec,
    fmt: str,
    out: str | None,
    fail_on: FailOn,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
) -> int:
    """Audit as the spec says, print or write the report in `fmt`; the exit code."""
    from provisioner import api, report

    sessions: list[Aws] = []

    def session() -> Aws:
        sessions.append(connect(profile, region, endpoint_url))
        return sessions[-1]

    with progress("reading roles") as advance:
        result = api.audit(
            spec,
            session,
            progress=advance,
            accounts_progress=advance.extra,
        )
    # The command ends after the report: the roles, read and judged, live until then, and the
    # cycle collector need not walk them again while the report is made (a fifth of the time
    # after the audit, for 10,000 roles).
    gc.freeze()

    caller = sessions[0].caller_arn if sessions and fmt == "html" else None
    context = audit_context(spec, profile, region, result, caller) if fmt == "html" else []
    said = file_notes(ctx, result.findings) + baseline_notes(result, fmt)
    from provisioner.audit import spec_names
    from provisioner.naming import using

    with using(spec_names(spec)):  # the HTML graph names outside accounts as the findings do
        text = findings_text(result, fmt, out, said, lambda: report.audit_findings(result, context))
    from provisioner.cli.app import QUIET

    quiet = QUIET.get()
    if out:
        write_out(out, text)
        if not quiet:
            typer.echo(report.audit_summary(result), err=True)
    else:
        print_data(text, fmt)
    if (out or fmt != "table") and not quiet:  # JSON and SARIF keep their shape
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
    say_notes(said)
    return EXIT_FINDINGS if result.fails(fail_on.value) else 0


def audit_context(
    spec: AuditSpec,
    profile: str | None,
    region: str | None,
    result: AuditResult,
    caller: Callable[[], str] | None,
) -> list[tuple[str, str]]:
    """What was audited, for the HTML report's header (the caller asked of STS only here, and
    once: the audit has most often asked already)."""
    import os

    if spec.from_file:
        source = [("Source", f"{spec.from_file} (offline)")]
    else:
        source = [
            ("Caller", _caller(caller)),
            ("Profile", profile or os.environ.get("AWS_PROFILE") or "default"),
            (
                "Region",
                region
                or os.environ.get("AWS_REGION")
                or os.environ.get("AWS_DEFAULT_REGION")
                or "the profile's",
            ),
        ]
    org = [n for n in result.notes if "SCPs and RCPs not considered" in n]
    considered = (
        "no (none read or given)"
        if org and len(org) >= len(result.accounts)
        else ("partly" if org else "yes")
    )
    given = [*spec.scp_files, *spec.rcp_files]
    return [
        *source,
        ("Mutelist", ", ".join(sorted({m.where.rsplit(":", 1)[0] for m in spec.mutes if m.where})) or "none"),
        ("Baseline", spec.baseline or "none"),
        ("SCPs/RCPs considered", considered + (f" ({', '.join(given)})" if given else "")),
    ]


def _caller(ask: Callable[[], str] | None) -> str:
    from provisioner.errors import ProvisionerError

    if ask is None:
        return "not read"
    try:
        return ask()
    except ProvisionerError as exc:
        return f"not read ({exc})"
