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


PrincipalOpt = Annotated[
    str | None, typer.Option("--principal", help="The vendor's role ARN, for a vendor not in the list.")
]
OriginOpt = Annotated[
    list[str] | None, typer.Option("--origin", help="A web origin of the vendor (repeat for several).")
]
PrefixOpt = Annotated[str | None, typer.Option("--prefix", help="Limit the grant to keys under this prefix.")]
KmsKeyOpt = Annotated[
    str | None, typer.Option("--kms-key-arn", help="KMS key of SSE-KMS objects: adds kms:Decrypt via S3.")
]
RoleNameDefaultOpt = Annotated[str | None, typer.Option("--role-name", help="Default: the vendor's.")]
PolicyNameOpt = Annotated[str | None, typer.Option("--policy-name", help="Default: the vendor's.")]
PathOpt = Annotated[str | None, typer.Option("--path", help="IAM path, like /vendors/.")]
CorsOpt = Annotated[
    bool | None, typer.Option("--cors/--no-cors", help="Merge the vendor's CORS rule into the bucket's.")
]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="KEY=VALUE (repeatable).")]
MaxSessionOpt = Annotated[int, typer.Option("--max-session-duration", help="Seconds, 3600-43200.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")]


@policy_app.command("permissions")
def policy_permissions(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket the vendor reads.")],
    prefix: PrefixOpt = None,
    kms_key_arn: KmsKeyOpt = None,
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
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor issued.")],
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
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
    origin: OriginOpt = None,
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


# --- AWS commands ----------------------------------------------------------------------------

ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="AWS profile (default: AWS_PROFILE / default).")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region (default: the profile's).")]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        envvar="AWS_ENDPOINT_URL",
        help="Send AWS calls to this endpoint (a sandbox). Also AWS_ENDPOINT_URL.",
    ),
]
OutputOpt = Annotated[Output, typer.Option("--output", "-o")]


def _aws(profile: str | None, region: str | None, endpoint_url: str | None) -> Any:
    from provisioner.aws import Aws
    from provisioner.inputs import check_region

    if region is not None:
        check_region(region)
    return Aws(profile=profile, region=region, endpoint_url=endpoint_url)


def _show_plan(plan: Any, dry_run: bool) -> None:
    _warn(plan.warnings)
    if not plan.changes:
        typer.echo(f"no changes: role {plan.role_name} is as wanted", err=True)
        return
    verb = "would make" if dry_run else "will make"
    typer.echo(f"plan: {verb} {len(plan.changes)} change(s)", err=True)
    for change in plan.changes:
        typer.echo(f"  {change.line()}", err=True)


def _form_fields(result: Any, wanted: Any) -> list[tuple[str, str]]:
    return [
        ("Integration name", f"{wanted.vendor.display_name} {wanted.bucket} (a suggestion)"),
        ("AWS bucket name", wanted.bucket),
        ("AWS Role ARN", result.plan.role_arn),
        ("External ID", ", ".join(wanted.external_ids)),
    ]


@app.command("create-role")
def create_role_command(
    bucket: Annotated[str, typer.Option("--bucket", help="The S3 bucket the vendor reads.")],
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor issued.")],
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
    origin: OriginOpt = None,
    role_name: RoleNameDefaultOpt = None,
    policy_name: PolicyNameOpt = None,
    path: PathOpt = None,
    prefix: PrefixOpt = None,
    kms_key_arn: KmsKeyOpt = None,
    with_cors: CorsOpt = None,
    tag: TagOpt = None,
    max_session_duration: MaxSessionOpt = 3600,
    adopt: Annotated[
        bool, typer.Option("--adopt", help="Take over a role or policy provisioner did not create.")
    ] = False,
    dry_run: DryRunOpt = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Create or bring into line the vendor role, its read-only policy and the bucket's CORS rule."""
    from provisioner import report, role
    from provisioner.vendors import resolve_vendor

    chosen = resolve_vendor(vendor, principal, origin)
    wanted, warnings = role.wanted_role(
        vendor=chosen,
        bucket=bucket,
        external_id=external_id,
        role_name=role_name,
        policy_name=policy_name,
        path=path,
        prefix=prefix,
        kms_key_arn=kms_key_arn,
        region=region,
        with_cors=with_cors,
        tags=tag,
        max_session_duration=max_session_duration,
        adopt=adopt,
    )
    _warn(warnings)
    aws = _aws(profile, region, endpoint_url)
    result = role.create_role(aws, wanted, dry_run=dry_run, on_plan=lambda p: _show_plan(p, dry_run))
    if dry_run and result.plan.changes:
        typer.echo("dry run: nothing was changed", err=True)
    elif result.applied:
        typer.echo(f"applied {len(result.applied)} change(s)", err=True)
    if output is Output.json:
        typer.echo(
            report.to_json(
                {
                    "role_arn": result.plan.role_arn,
                    "role_name": result.plan.role_name,
                    "policy_arn": result.plan.policy_arn,
                    "bucket": wanted.bucket,
                    "external_id": wanted.external_ids[0],
                    "vendor": wanted.vendor.name,
                    "dry_run": dry_run,
                    "changes": [c.to_dict() for c in result.plan.changes],
                }
            )
        )
    else:
        typer.echo(report.table(_form_fields(result, wanted), ["FIELD", "VALUE"]))


RoleNameOpt = Annotated[str, typer.Option("--role-name", help="The role provisioner created.")]


@app.command("rotate-external-id")
def rotate_command(
    role_name: RoleNameOpt,
    external_id: Annotated[str, typer.Option("--external-id", help="The new external ID.")],
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Accept the current ID(s) too, for a transition.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Act on a role provisioner did not create.")] = False,
    dry_run: DryRunOpt = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Rewrite the role's external ID (with --keep-old, accept both during a transition)."""
    from provisioner import report, role

    aws = _aws(profile, region, endpoint_url)
    result = role.rotate_external_id(
        aws,
        role_name,
        external_id,
        keep_old=keep_old,
        dry_run=dry_run,
        force=force,
        on_plan=lambda p: _show_plan(p, dry_run),
    )
    _after_apply(result)
    ids = result.extra["external_ids"]
    if output is Output.json:
        typer.echo(
            report.to_json(
                {
                    "role_arn": result.plan.role_arn,
                    "role_name": result.plan.role_name,
                    "external_ids": ids,
                    "dry_run": dry_run,
                    "changes": [c.to_dict() for c in result.plan.changes],
                }
            )
        )
    else:
        typer.echo(
            report.table(
                [("AWS Role ARN", result.plan.role_arn), ("External ID", ", ".join(ids))],
                ["FIELD", "VALUE"],
            )
        )


@app.command("delete-role")
def delete_command(
    role_name: RoleNameOpt,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Delete a role provisioner did not create.")] = False,
    dry_run: DryRunOpt = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Delete the role, the policies provisioner made for it, and its CORS rule on the bucket."""
    from provisioner import report, role
    from provisioner.errors import InputError

    if not (yes or dry_run or sys.stdin.isatty()):
        raise InputError("--yes", "", "not a terminal, so no one can confirm: pass --yes to delete")
    aws = _aws(profile, region, endpoint_url)

    def confirm(plan: Any) -> bool:
        return yes or typer.confirm(f"delete role {plan.role_name} as planned above?", err=True)

    result = role.delete_role(
        aws,
        role_name,
        dry_run=dry_run,
        force=force,
        confirm=confirm,
        on_plan=lambda p: _show_plan(p, dry_run),
    )
    if not dry_run and not result.applied:
        typer.echo("nothing was deleted", err=True)
    _after_apply(result)
    if output is Output.json:
        typer.echo(
            report.to_json(
                {
                    "role_arn": result.plan.role_arn,
                    "role_name": result.plan.role_name,
                    "deleted": bool(result.applied),
                    "dry_run": dry_run,
                    "changes": [c.to_dict() for c in result.plan.changes],
                }
            )
        )
    else:
        state = "deleted" if result.applied else "kept"
        typer.echo(
            report.table([("AWS Role ARN", result.plan.role_arn), ("State", state)], ["FIELD", "VALUE"])
        )


def _after_apply(result: Any) -> None:
    if result.dry_run and result.plan.changes:
        typer.echo("dry run: nothing was changed", err=True)
    elif result.applied:
        typer.echo(f"applied {len(result.applied)} change(s)", err=True)


@app.command("validate")
def validate_command(
    role_arn: Annotated[str, typer.Option("--role-arn", help="The role the vendor will assume.")],
    external_id: Annotated[str, typer.Option("--external-id", help="The external ID the vendor uses.")],
    bucket: Annotated[str, typer.Option("--bucket", help="The bucket the vendor reads.")],
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
    origin: OriginOpt = None,
    prefix: Annotated[str | None, typer.Option("--prefix", help="The prefix the vendor reads.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="A sample object key.")] = None,
    live: Annotated[
        bool, typer.Option("--live", help="Also act as the vendor: assume, read, fetch.")
    ] = False,
    vendor_profile: Annotated[
        str | None, typer.Option("--vendor-profile", help="Credentials that act as the vendor (--live).")
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", help="Seconds to retry a refused live AssumeRole (IAM is eventually consistent)."
        ),
    ] = 30.0,
    strict: Annotated[bool, typer.Option("--strict", help="Fail, not warn, on broad permissions.")] = False,
    output: OutputOpt = Output.table,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Run the vendor's checks (AWSAssumeRole, AWSExternalID, ...) before the vendor does."""
    from provisioner import checks, inputs, report, sandbox
    from provisioner.aws import Aws
    from provisioner.errors import InputError
    from provisioner.vendors import resolve_vendor

    target = checks.Target(
        role_arn=inputs.check_role_arn(role_arn),
        external_id=inputs.check_external_id(external_id),
        bucket=inputs.check_bucket(bucket),
        vendor=resolve_vendor(vendor, principal, origin),
        prefix=inputs.check_prefix(prefix),
        key=key,
        strict=strict,
    )
    if not target.vendor.principal:
        raise InputError("--principal", "", "validate needs the vendor's principal (or --vendor)")
    if wait < 0:
        raise InputError("--wait", wait, "a number of seconds, 0 or more")
    aws = _aws(profile, region, endpoint_url)
    live_options = None
    if live:
        is_box = sandbox.is_sandbox(aws.endpoint_url)
        if vendor_profile:
            vendor_aws = Aws(profile=vendor_profile, endpoint_url=aws.endpoint_url)
        elif is_box and target.vendor.account_id:
            vendor_aws = Aws(
                session=sandbox.session_for(target.vendor.account_id), endpoint_url=aws.endpoint_url
            )
        else:
            raise InputError(
                "--live", "", "needs credentials that act as the vendor: give --vendor-profile PROFILE"
            )
        live_options = checks.LiveOptions(vendor_aws=vendor_aws, sandbox=is_box, wait_seconds=wait)
    result = checks.validate(aws, target, live_options)
    if output is Output.json:
        typer.echo(report.to_json(result.to_dict()))
    else:
        typer.echo(report.checks_table(result))
    if not result.valid:
        raise typer.Exit(EXIT_FINDINGS)


class AuditOutput(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    csv = "csv"


@app.command("audit")
def audit_command(
    from_file: Annotated[
        str | None,
        typer.Option("--from-file", help="JSON of 'aws iam get-account-authorization-details' (offline)."),
    ] = None,
    organization: Annotated[
        bool, typer.Option("--organization", help="Every active account of the organization.")
    ] = False,
    accounts: Annotated[
        str | None, typer.Option("--accounts", help="Comma-separated account IDs (with --member-role).")
    ] = None,
    member_role: Annotated[
        str, typer.Option("--member-role", help="Role to assume in each member account.")
    ] = "OrganizationAccountAccessRole",
    output: Annotated[AuditOutput, typer.Option("--output", "-o")] = AuditOutput.table,
    out: Annotated[str | None, typer.Option("--out", help="Write the report to this file.")] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")
    ] = FailOn.high,
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only roles of this vendor.")] = None,
    all_roles: Annotated[
        bool, typer.Option("--all", help="List every role, not only cross-account ones.")
    ] = False,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Find every role another account can assume, and judge its trust and its grants."""
    import re

    from provisioner import __version__, audit, report
    from provisioner.errors import InputError
    from provisioner.inputs import check_role_name

    if from_file and (organization or accounts):
        raise InputError(
            "--from-file", from_file, "reads one file offline: not with --organization/--accounts"
        )
    if organization and accounts:
        raise InputError("--accounts", accounts, "give --organization or --accounts, not both")
    wanted_accounts: list[str | None] = [None]
    if accounts:
        ids = [a.strip() for a in accounts.split(",") if a.strip()]
        bad = [a for a in ids if not re.fullmatch(r"\d{12}", a)]
        if bad or not ids:
            raise InputError("--accounts", accounts, "a comma-separated list of 12-digit account IDs")
        wanted_accounts = list(dict.fromkeys(ids))
    check_role_name(member_role, "--member-role")
    if vendor is not None:
        from provisioner.vendors import get_vendor

        get_vendor(vendor)

    org_accounts: frozenset[str] = frozenset()
    with _progress("reading roles") as advance:
        if from_file:
            data = [audit.load_file(from_file)]
        else:
            base = _aws(profile, region, endpoint_url)
            if organization:
                own = base.account_id()
                members = audit.organization_accounts(base)
                org_accounts = frozenset([own, *members])  # not "another account" for the rules
                wanted_accounts = [None] + [a for a in members if a != own]
            data = audit.gather_accounts(
                audit.member_aws(base, member_role), wanted_accounts, progress=advance
            )
    result = audit.audit(data, vendor=vendor, all_roles=all_roles, org_accounts=org_accounts)

    if output is AuditOutput.json:
        text = report.to_json([f.to_dict() for f in result.findings])
    elif output is AuditOutput.sarif:
        text = report.to_json(audit.to_sarif(result, __version__))
    elif output is AuditOutput.csv:
        text = audit.to_csv(result).rstrip("\n")
    else:
        text = report.audit_table(result)
    if out:
        try:
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            raise InputError("--out", out, f"cannot be written ({exc.strerror})") from None
        typer.echo(report.audit_summary(result), err=True)
    else:
        typer.echo(text)
    if result.fails(fail_on.value):
        raise typer.Exit(EXIT_FINDINGS)


class _progress:
    """A rich progress counter on a terminal; nothing when stderr is not one."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return lambda n: None
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}: {task.completed}"), transient=True
        )
        self.bar.start()
        task = self.bar.add_task(self.what, total=None)
        return lambda n: self.bar.update(task, advance=n)

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()


class ManifestFormat(StrEnum):
    labelbox = "labelbox"
    labelbox_ndjson = "labelbox-ndjson"
    rekognition = "rekognition"


class DatasetType(StrEnum):
    train = "train"
    test = "test"


@app.command("manifest")
def manifest_command(
    bucket: Annotated[str, typer.Option("--bucket", help="The bucket holding the images.")],
    prefix: Annotated[
        str | None, typer.Option("--prefix", help="The folder location (labels below it).")
    ] = None,
    fmt: Annotated[ManifestFormat, typer.Option("--format")] = ManifestFormat.labelbox,
    labels: Annotated[bool, typer.Option("--labels/--no-labels", help="Label images by folder.")] = True,
    label_attribute: Annotated[
        str, typer.Option("--label-attribute", help="Rekognition's label attribute name.")
    ] = "label",
    out: Annotated[str | None, typer.Option("--out", help="Write to this file (default stdout).")] = None,
    upload_to: Annotated[
        str | None, typer.Option("--upload", help="Write the manifest to s3://BUCKET/KEY.")
    ] = None,
    from_file: Annotated[
        str | None, typer.Option("--from-file", help="A listing (list-objects-v2 JSON or one key a line).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Keys Labelbox refuses are fatal.")] = False,
    split: Annotated[
        bool, typer.Option("--split", help="Rekognition: numbered files at the limits.")
    ] = False,
    create_project: Annotated[
        str | None, typer.Option("--create-project", help="Create this Custom Labels project first.")
    ] = None,
    create_dataset: Annotated[
        bool, typer.Option("--create-dataset", help="Create a Custom Labels dataset from the upload.")
    ] = False,
    project_arn: Annotated[
        str | None, typer.Option("--project-arn", help="The Custom Labels project.")
    ] = None,
    dataset_type: Annotated[DatasetType, typer.Option("--dataset-type")] = DatasetType.train,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Write the vendor's import file from a bucket, labels taken from folder names."""
    import os
    import tempfile

    from provisioner import manifest
    from provisioner.errors import InputError

    if out and upload_to:
        raise InputError("--upload", upload_to, "give --out or --upload, not both")
    if upload_to:
        manifest.parse_s3_url(upload_to)
    if split and not out:
        raise InputError("--split", "", "numbered files need --out NAME")
    wants_dataset = create_dataset or create_project
    if wants_dataset and (fmt is not ManifestFormat.rekognition or not upload_to):
        raise InputError("--create-dataset", "", "needs --format rekognition and --upload s3://BUCKET/KEY")
    if create_dataset and not (project_arn or create_project):
        raise InputError("--create-dataset", "", "needs --project-arn ARN or --create-project NAME")
    if fmt is not ManifestFormat.rekognition and from_file and region is None:
        raise InputError("--region", "", "a listing file does not say where the bucket is: give --region")
    options = manifest.check_options(
        manifest.Options(
            bucket=bucket,
            prefix=prefix or "",
            fmt=fmt.value,
            labels=labels,
            label_attribute=label_attribute,
            region=region or "us-east-1",
            strict=strict,
        )
    )

    aws = None if from_file else _aws(profile, None, endpoint_url)
    if aws is not None and region is None and fmt is not ManifestFormat.rekognition:
        options.region = manifest.bucket_region(aws, bucket)

    written: list[str] = []

    def create(name: str) -> Any:
        try:
            return open(name, "w", encoding="utf-8")
        except OSError as exc:
            raise InputError("--out", name, f"cannot be written ({exc.strerror})") from None

    def open_part(number: int) -> Any:
        stem, dot, ext = (out or "manifest").rpartition(".")
        name = f"{stem}-{number:03d}.{ext}" if dot else f"{out}-{number:03d}"
        written.append(name)
        return create(name)

    temp = None
    if upload_to:
        temp = tempfile.NamedTemporaryFile("w", suffix=".manifest", delete=False, encoding="utf-8")  # noqa: SIM115
        target: Any = temp
        written.append(temp.name)
    elif out:
        target = open_part(1) if split else create(out)
        if not split:
            written.append(out)
    else:
        target = sys.stdout
    try:
        with _progress("listing objects") as advance:
            keys = (
                manifest.keys_from_file(from_file)
                if from_file
                else manifest.list_keys(aws, bucket, options.prefix, advance)
            )
            summary = manifest.write_manifest(keys, target, options, open_part if split else None)
        if target is not sys.stdout:
            target.close()
    except BaseException:
        if target is not sys.stdout:
            target.close()
            for name in written:  # never leave a partial manifest behind
                if os.path.exists(name):
                    os.unlink(name)
        raise
    if summary.awkward_count:
        shown = ", ".join(repr(k) for k in summary.awkward)
        typer.echo(
            f"warning: {summary.awkward_count} key(s) have characters Labelbox does not accept in "
            f"URLs ({AWKWARD_TEXT}): {shown}; --strict makes them fatal",
            err=True,
        )
    summary.files = [] if upload_to else written
    for line in summary.lines():
        typer.echo(line, err=True)
    if upload_to and temp is not None:
        base = aws or _aws(profile, None, endpoint_url)
        try:
            manifest.upload(base, temp.name, upload_to)
        finally:
            os.unlink(temp.name)
        typer.echo(f"uploaded to {upload_to}", err=True)
        if wants_dataset:
            arn = project_arn or manifest.create_project(base, create_project or "")
            dataset = manifest.create_dataset(base, arn, upload_to, dataset_type.value)
            typer.echo(f"dataset {dataset} created in project {arn}", err=True)


AWKWARD_TEXT = "#, <, >, | or spaces"


class ExportFormat(StrEnum):
    cloudformation = "cloudformation"
    terraform = "terraform"


@app.command("export")
def export_command(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="cloudformation (JSON) or terraform.")],
    bucket: Annotated[str | None, typer.Option("--bucket", help="Default of the bucket parameter.")] = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="Default of the external ID parameter.")
    ] = None,
    vendor: VendorOpt = None,
    principal: PrincipalOpt = None,
    origin: OriginOpt = None,
    role_name: RoleNameDefaultOpt = None,
    policy_name: PolicyNameOpt = None,
    path: PathOpt = None,
    prefix: PrefixOpt = None,
    kms_key_arn: KmsKeyOpt = None,
    with_cors: CorsOpt = None,
    tag: TagOpt = None,
    max_session_duration: MaxSessionOpt = 3600,
) -> None:
    """Write CloudFormation or Terraform for the same role, policy and tags, parameterised by
    bucket and external ID (for StackSets or one workspace per account)."""
    from provisioner.export import export
    from provisioner.vendors import resolve_vendor

    text = export(
        fmt.value,
        resolve_vendor(vendor, principal, origin),
        bucket,
        external_id,
        role_name=role_name,
        policy_name=policy_name,
        path=path,
        prefix=prefix,
        kms_key_arn=kms_key_arn,
        with_cors=with_cors,
        tags=tag,
        max_session_duration=max_session_duration,
    )
    typer.echo(text)


@app.command("sandbox")
def sandbox_command(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1; 0 picks a free one.")] = 0,
) -> None:
    """Run a local AWS endpoint with a demo bucket and the vendors' accounts, until Ctrl-C."""
    import time

    from provisioner import sandbox

    if not 0 <= port <= 65535:
        raise typer.BadParameter("a port is 0 to 65535", param_hint="--port")
    box = sandbox.start(port)
    typer.echo(f"# local AWS endpoint on {box.endpoint} (moto); stop it with Ctrl-C")
    typer.echo(f"# customer account {sandbox.CUSTOMER_ACCOUNT}, demo bucket {sandbox.DEMO_BUCKET}")
    for name, account in sorted(box.vendor_accounts.items()):
        typer.echo(f"# vendor account {account} ({name})")
    for key, value in box.environment().items():
        typer.echo(f"export {key}={value}")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code instead of raising SystemExit."""
    return app(args=argv, prog_name="provision", standalone_mode=False)
