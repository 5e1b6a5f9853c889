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
from typing import IO, TYPE_CHECKING, Any

from provisioner.errors import InputError

if TYPE_CHECKING:
    from provisioner.audit import AuditResult, AuditSpec
    from provisioner.aws import Aws
    from provisioner.diff import DiffResult
    from provisioner.documents import Rendered
    from provisioner.inventory import InventoryResult, InventorySpec
    from provisioner.inventory.whocan import WhoCanResult
    from provisioner.labelbox_api import ConnectResult, ConnectSpec
    from provisioner.labelbox_import import ImportResult, ImportSpec
    from provisioner.lint import LintReport
    from provisioner.manifest import ManifestResult, ManifestSpec
    from provisioner.mute import Mute
    from provisioner.naming import Named
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


def named_accounts(
    config_entries: Sequence[Named] = (), known_accounts: str | None = None
) -> tuple[list[Named], list[dict[str, Any]]]:
    """Every named outside account of the three sources, in precedence order (our profiles,
    the config's [[vendor]] entries and --known-accounts, fwd:cloudsec's list), and each
    source's name, size and origin."""
    from provisioner.naming import COMMUNITY, community, load_known_accounts, profiles

    if known_accounts is not None and not known_accounts.strip():  # as inventory and who-can
        from provisioner.errors import InputError

        raise InputError(
            "known_accounts", known_accounts, "empty: give the path of a file, or leave the option out"
        )
    given = load_known_accounts(known_accounts) if known_accounts else []
    shipped, about = community()
    own = profiles()
    sources: list[dict[str, Any]] = [{"source": "profiles", "entries": len(own), "where": "policies/vendors"}]
    if config_entries:
        where = config_entries[0].source.removeprefix("config ").rsplit(":", 1)[0]
        sources.append({"source": "config", "entries": len(config_entries), "where": where})
    if known_accounts:
        sources.append({"source": "--known-accounts", "entries": len(given), "where": known_accounts})
    sources.append(
        {"source": COMMUNITY, "entries": len(shipped), "where": about["source"], "commit": about["commit"]}
    )
    return [*own, *config_entries, *given, *shipped], sources


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


def diff(
    old: str,
    new: str,
    *,
    kind: str | None = None,
    external_ids: Sequence[str] = (),
    stdin: IO[str] | None = None,
) -> DiffResult:
    """What NEW allows that OLD did not, and the reverse (files; '-' reads `stdin`), each as a
    concrete request checked by the evaluator. `kind` (trust, permissions, resource) is inferred
    when None; `external_ids` are issued besides those the trusts name."""
    from provisioner.diff import diff_files

    return diff_files(old, new, kind=kind, external_ids=external_ids, stdin=stdin)


def diff_base(
    paths: Sequence[str], base: str, *, external_ids: Sequence[str] = ()
) -> tuple[list[DiffResult], list[str]]:
    """Each policy file among `paths` (folders walked) against its version at the git revision
    `base` ('auto': PRE_COMMIT_FROM_REF, else HEAD); returns the results and the files skipped
    as not policies."""
    from provisioner.diff.git import diff_against_base

    return diff_against_base(paths, base, external_ids)


def diff_live(
    aws: Aws, role_name: str, path: str, *, policy: str | None = None, external_ids: Sequence[str] = ()
) -> DiffResult:
    """The role's live trust (or, with `policy`, one of its inline or attached policies, by name
    or ARN) as OLD against the file at `path` as NEW. Reads only."""
    from provisioner.diff.live import diff_live

    return diff_live(aws, role_name, path, policy, tuple(external_ids))


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
    """Delete the role and what provisioner made for it. Needs `confirm(plan)` to say yes (the
    CLI's --yes or its question); without `confirm` (and not a dry run) it is refused with an
    InputError on `yes`, before any AWS call, as create and rotate refuse a destructive plan."""
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
    validate.connect.live_options). The spec is checked first, before any AWS call."""
    from dataclasses import replace

    from provisioner import inputs
    from provisioner import validate as journey
    from provisioner.validate.connect import caller_role_arn, live_options

    inputs.check_wait(wait_seconds)
    checked = journey.check_spec(spec)  # before live_options may reach for credentials
    org = journey.read_org_files(checked)  # a bad file is refused before the account is read
    if checked.role is not None:
        checked = replace(checked, role_arn=caller_role_arn(aws, checked.role), role=None)
    elif (account := aws.account_id()) != checked.account:
        # validate reads the role by name with these credentials, and its remediation commands
        # act with them: another account's ARN would check and fix a role of this account
        raise InputError(
            "role_arn",
            checked.role_arn,
            f"the role is in account {checked.account}, but the credentials in use are of account "
            f"{account}: run validate with credentials of account {checked.account} (--profile)",
        )
    if live is None and act_as_vendor:
        live = live_options(aws, checked.vendor, vendor_profile=vendor_profile, wait_seconds=wait_seconds)
    return journey.validate(aws, checked, live, org)


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


def inventory(
    spec: InventorySpec,
    aws: Callable[[], Aws] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> InventoryResult:
    """Every outside party by name, from a GAAD file (spec.from_file) or the accounts reached
    with `aws()`'s credentials: what each can read, write and do, its use, how to remove it."""
    from provisioner import inventory as journey

    return journey.run(spec, aws, progress=progress)


def who_can(
    spec: InventorySpec,
    action: str,
    target: str,
    aws: Callable[[], Aws] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> WhoCanResult:
    """Every outside principal that can read (or write) objects at s3://BUCKET[/PREFIX], and its route."""
    from provisioner import inventory as journey

    return journey.who_can(spec, action, target, aws, progress=progress)


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


# --- Labelbox -----------------------------------------------------------------------------


def labelbox_connect(
    spec: ConnectSpec,
    aws: Callable[[], Aws] | None = None,
    *,
    api_key: str | None = None,
    api_key_file: str | None = None,
) -> ConnectResult:
    """Find or create Labelbox's IAM integration for the role, have Labelbox validate it, set it
    as the default when asked. With spec.external_id, `validate` runs first (with `aws()`'s
    credentials) and its verdicts stand beside Labelbox's. The key is `api_key`, else the file,
    else LABELBOX_API_KEY; every input, the key included, is checked before any call."""
    from provisioner import labelbox_api
    from provisioner.validate import ValidateSpec

    labelbox_api.check_spec(spec)
    key = api_key or labelbox_api.api_key(api_key_file)
    ours = None
    if spec.external_id is not None:
        if aws is None:
            raise InputError("external_id", spec.external_id, "validating needs AWS credentials")
        labelbox = vendor("labelbox")
        ours = validate(ValidateSpec(spec.role_arn, spec.external_id, spec.bucket, labelbox), aws())
    return labelbox_api.connect(spec, labelbox_api.client(key), ours=ours)


def labelbox_import(
    spec: ImportSpec,
    aws: Callable[[], Aws] | None = None,
    *,
    api_key: str | None = None,
    api_key_file: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[str], None] | None = None,
) -> ImportResult:
    """Upsert rows into the Labelbox dataset by global key: those of spec.manifest (a file
    `provision manifest` wrote), or of spec.bucket listed now with `aws()`'s credentials. The
    spec and the key are checked before any AWS or Labelbox call; `on_plan` hears the signer
    change before it is made."""
    from provisioner import labelbox_api
    from provisioner import labelbox_import as journey

    journey.check_import_spec(spec, need_rows=True)
    key = api_key or labelbox_api.api_key(api_key_file)  # before any AWS call
    if spec.manifest is not None:
        rows = journey.load_rows(spec.manifest)
    else:
        from provisioner.manifest import ManifestSpec, labelbox_rows

        if aws is None:
            raise InputError("bucket", spec.bucket or "", "listing the bucket needs AWS credentials")
        rows, _ = labelbox_rows(ManifestSpec(bucket=spec.bucket or "", prefix=spec.prefix), aws())
    return journey.import_rows(spec, labelbox_api.client(key), rows, progress=progress, on_plan=on_plan)
