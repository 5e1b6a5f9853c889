"""The public Python API: one function per command, over the same specs and results the CLI uses.

    from provisioner import api
    from provisioner.role import RoleSpec

    aws = api.connect(endpoint_url="http://127.0.0.1:5000")     # or profile=, region=
    spec = RoleSpec(api.vendor("labelbox"), bucket="my-images", external_id="ckx5y2...")
    result = api.create_role(spec, aws, dry_run=True)
    for change in result.plan.changes:
        print(change.line(), change.permission)

Every function checks its inputs before any AWS call and raises `provisioner.errors.InputError`
(exit code 2 in the CLI) naming the field, the value and the rule; AWS refusals raise
`provisioner.aws.AwsError` naming the IAM permission. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

from provisioner.errors import InputError

if TYPE_CHECKING:
    from provisioner.audit import AuditResult, AuditSpec
    from provisioner.aws import Aws
    from provisioner.documents import Rendered
    from provisioner.lint import LintReport
    from provisioner.manifest import ManifestResult, ManifestSpec
    from provisioner.mute import Mute
    from provisioner.role import (
        CreateResult,
        DeleteResult,
        DeleteSpec,
        Plan,
        RoleSpec,
        RotateResult,
        RotateSpec,
    )
    from provisioner.validate import LiveOptions, Report, ValidateSpec
    from provisioner.vendors import Vendor

OnPlan = Callable[["Plan"], None] | None


def connect(profile: str | None = None, region: str | None = None, endpoint_url: str | None = None) -> Aws:
    """A session for the AWS commands (botocore's adaptive retries; every call logged in .log)."""
    from provisioner.aws import Aws
    from provisioner.inputs import check_region

    if region is not None:
        check_region(region)
    return Aws(profile=profile, region=region, endpoint_url=endpoint_url)


# --- offline ------------------------------------------------------------------------------


def vendor(name: str | None = None, principal: str | None = None, origins: Sequence[str] = ()) -> Vendor:
    """A known vendor by name (default labelbox), or a custom one from its principal and origins."""
    from provisioner.vendors import resolve_vendor

    return resolve_vendor(name, principal, list(origins) or None)


def vendors() -> list[Vendor]:
    """Every vendor profile under policies/vendors, by name."""
    from provisioner.vendors import known_vendors

    return sorted(known_vendors().values(), key=lambda v: v.name)


def permissions_policy(
    bucket: str, prefix: str | None = None, kms_key_arn: str | None = None, region: str | None = None
) -> Rendered:
    from provisioner.documents import render_permissions

    return render_permissions(bucket, prefix, kms_key_arn, region)


def trust_policy(external_id: str, vendor: Vendor) -> Rendered:
    from provisioner.documents import render_trust

    return render_trust(external_id, vendor)


def cors_rules(vendor: Vendor) -> Rendered:
    from provisioner.documents import render_cors

    return render_cors(vendor)


def lint(
    paths: Sequence[str],
    stdin: IO[str] | None = None,
    mutes: Sequence[Mute] = (),
    baseline: str | None = None,
) -> LintReport:
    """Lint policy files ('-' reads `stdin`); findings `mutes` accept are marked suppressed;
    with `baseline` (a previous `lint -o json`), only new findings are kept and fixed ones listed."""
    from provisioner.lint import lint_paths

    return lint_paths(list(paths), stdin, mutes, baseline)


def export(fmt: str, spec: RoleSpec) -> str:
    """CloudFormation or Terraform for the role create-role would make from `spec`."""
    from provisioner.export import export as render

    return render(fmt, spec)


# --- AWS ----------------------------------------------------------------------------------


def create_role(
    spec: RoleSpec,
    aws: Aws,
    *,
    dry_run: bool = False,
    on_plan: OnPlan = None,
    confirm: Callable[[Plan], bool] | None = None,
) -> CreateResult:
    """Create or bring into line the vendor role, its read-only policy and the CORS rule.
    The spec's warnings (weak external ID, dotted bucket, ...) come first in plan.warnings. A
    plan that removes a working external ID or principal is refused unless `confirm(plan)`
    says yes (nothing is changed otherwise)."""
    from provisioner import role

    wanted, warnings = role.wanted_role(spec)

    def shown(plan: Plan) -> None:
        plan.warnings[:0] = warnings
        if on_plan:
            on_plan(plan)

    return role.create_role(aws, wanted, dry_run=dry_run, on_plan=shown, confirm=confirm)


def rotate_external_id(
    spec: RotateSpec,
    aws: Aws,
    *,
    dry_run: bool = False,
    on_plan: OnPlan = None,
    confirm: Callable[[Plan], bool] | None = None,
) -> RotateResult:
    """A new external ID; without spec.keep_old, dropping the current one needs `confirm`."""
    from provisioner import role

    return role.rotate_external_id(aws, spec, dry_run=dry_run, on_plan=on_plan, confirm=confirm)


def delete_role(
    spec: DeleteSpec,
    aws: Aws,
    *,
    dry_run: bool = False,
    confirm: Callable[[Plan], bool] | None = None,
    on_plan: OnPlan = None,
) -> DeleteResult:
    """Delete the role and what provisioner made for it. `confirm(plan)` may refuse."""
    from provisioner import role

    return role.delete_role(aws, spec, dry_run=dry_run, confirm=confirm, on_plan=on_plan)


def validate(
    spec: ValidateSpec,
    aws: Aws,
    live: LiveOptions | None = None,
    *,
    act_as_vendor: bool = False,
    vendor_profile: str | None = None,
    wait_seconds: float = 30.0,
) -> Report:
    """The vendor's checks, statically; also acting as the vendor with `live`, or with
    `act_as_vendor` (credentials from `vendor_profile`, or the sandbox's vendor account: see
    live_options). The spec is checked first, before any AWS call."""
    from provisioner import inputs
    from provisioner import validate as journey

    inputs.check_wait(wait_seconds)
    checked = check_validate_spec(spec)
    if live is None and act_as_vendor:
        live = live_options(aws, checked.vendor, vendor_profile=vendor_profile, wait_seconds=wait_seconds)
    return journey.validate(aws, checked, live)


def check_validate_spec(spec: ValidateSpec) -> ValidateSpec:
    """Every field checked; an empty prefix means the whole bucket (None)."""
    from dataclasses import replace

    from provisioner import inputs

    inputs.check_role_arn(spec.role_arn)
    inputs.check_external_id(spec.external_id)
    inputs.check_bucket(spec.bucket)
    if not spec.vendor.principal:
        raise InputError("principal", "", "validate needs the vendor's principal (or --vendor)")
    return replace(spec, prefix=inputs.check_prefix(spec.prefix))


def live_options(
    aws: Aws, vendor: Vendor, *, vendor_profile: str | None = None, wait_seconds: float = 30.0
) -> LiveOptions:
    """Credentials that act as the vendor: a profile, or in the sandbox the vendor's own account.
    Outside the sandbox there is no default: we never pretend to be the vendor with the admin's
    own credentials."""
    from provisioner import inputs, sandbox
    from provisioner.aws import Aws
    from provisioner.validate import LiveOptions

    inputs.check_wait(wait_seconds)
    is_box = sandbox.is_sandbox(aws.endpoint_url)
    if vendor_profile:
        vendor_aws = Aws(profile=vendor_profile, endpoint_url=aws.endpoint_url)
    elif is_box and vendor.account_id:
        vendor_aws = Aws(session=sandbox.session_for(vendor.account_id), endpoint_url=aws.endpoint_url)
    else:
        raise InputError(
            "live", "", "needs credentials that act as the vendor: give --vendor-profile PROFILE"
        )
    return LiveOptions(vendor_aws=vendor_aws, sandbox=is_box, wait_seconds=wait_seconds)


def audit(
    spec: AuditSpec,
    aws: Callable[[], Aws] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    accounts_progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> AuditResult:
    """Audit a GAAD file (spec.from_file) or the accounts reached with `aws()`'s credentials;
    `progress` counts roles, `accounts_progress(what, total)` gives a counter of accounts."""
    from provisioner import audit as journey

    return journey.run(spec, aws, progress=progress, accounts_progress=accounts_progress)


def manifest(
    spec: ManifestSpec,
    aws: Aws | None = None,
    *,
    stdout: IO[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ManifestResult:
    """Write the vendor's import file; `aws` is needed unless spec.from_file (and no upload)."""
    from provisioner import manifest as journey

    return journey.run(spec, aws, stdout=stdout, progress=progress)
