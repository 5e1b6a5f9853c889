"""Labelbox's side of the integration, through Labelbox's own SDK (the optional extra
`provisioner[labelbox]`): find or create the IAM integration for a role, wait out IAM's eventual
consistency while Labelbox validates it, set it as the default.

spec (ConnectSpec) -> gather (the organization's integrations) -> decide (reuse or create: never
a second integration for one role) -> act (create, validate with backoff, set default) ->
ConnectResult, whose checks put Labelbox's verdict next to ours (provision validate) and the
remediation of each failure (policies/checks.json).

The API key comes from LABELBOX_API_KEY or a file and is never printed or logged. The SDK does
not expose the integration's external ID: it is still copied from Labelbox's integration page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from provisioner.errors import EXIT_AWS, InputError, ProvisionerError
from provisioner.inputs import check_bucket, check_role_arn, read_file

ENV_KEY = "LABELBOX_API_KEY"
ENV_ENDPOINT = "LABELBOX_ENDPOINT"  # another GraphQL endpoint (self-hosted, or a test server)
RATE_LIMIT_TRIES = 5
T = TypeVar("T")


class LabelboxError(ProvisionerError):
    """Labelbox refused or could not be reached: exit 3, one line naming what to do."""

    exit_code = EXIT_AWS


@dataclass(frozen=True)
class ConnectSpec:
    role_arn: str
    bucket: str
    name: str | None = None  # default: provisioner-BUCKET
    set_default: bool = False
    wait_seconds: float = 60.0  # retry Labelbox's AWSAssumeRole failure this long (IAM propagation)

    @property
    def integration_name(self) -> str:
        return self.name or f"provisioner-{self.bucket}"


@dataclass(frozen=True)
class LabelboxCheck:
    """One of Labelbox's checks, beside ours of the same name when we ran it."""

    name: str
    success: bool
    message: str
    remediation: str = ""
    ours: str | None = None  # our verdict (pass, fail, warn, skip) when provision validate ran
    ours_detail: str = ""


@dataclass
class ConnectResult:
    integration_id: str
    name: str
    role_arn: str
    bucket: str
    created: bool
    valid: bool
    default: bool
    attempts: int
    checks: list[LabelboxCheck] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checks": [asdict(c) for c in self.checks]}


def check_spec(spec: ConnectSpec) -> ConnectSpec:
    check_role_arn(spec.role_arn)
    check_bucket(spec.bucket)
    if spec.name is not None and not spec.name.strip():
        raise InputError("name", spec.name, "an integration name cannot be empty")
    if not 0 <= spec.wait_seconds <= 900:
        raise InputError("wait", spec.wait_seconds, "seconds from 0 to 900")
    return spec


def api_key(path: str | None = None) -> str:
    """The API key from --api-key-file, else LABELBOX_API_KEY. Refused (exit 2) when absent."""
    if path:
        key = read_file(path, "api_key_file").strip()
        if not key:
            raise InputError("api_key_file", path, "is empty")
        return key
    key = os.environ.get(ENV_KEY, "").strip()
    if not key:
        raise ProvisionerError(
            "no Labelbox API key: set LABELBOX_API_KEY or give --api-key-file (Settings > API keys)"
        )
    return key


def client(key: str, endpoint: str | None = None) -> Any:
    """Labelbox's SDK client (imported here: the extra is optional)."""
    try:
        import labelbox
    except ImportError:
        raise ProvisionerError(
            "Labelbox's SDK is not installed: install provisioner with its labelbox extra"
            " (README, Install; in provisioner's checkout: pip install '.[labelbox]')"
        ) from None
    url = endpoint or os.environ.get(ENV_ENDPOINT) or "https://api.labelbox.com/graphql"
    return labelbox.Client(api_key=key, endpoint=url, rest_endpoint=url.replace("/graphql", "/api/v1"))


def call(what: str, do: Callable[[], T], sleep: Callable[[float], None] = time.sleep) -> T:
    """One SDK call: rate limiting retried with backoff (1, 2, 4, 8 s), Labelbox's other
    refusals turned into one line that says what to do. The key never appears in them."""
    from lbox import exceptions  # the SDK raises the errors of lbox-clients, its request layer

    for attempt in range(RATE_LIMIT_TRIES):
        try:
            return do()
        except exceptions.ApiLimitError as exc:
            if attempt == RATE_LIMIT_TRIES - 1:
                raise LabelboxError(
                    f"Labelbox rate-limited {what} {RATE_LIMIT_TRIES} times: {exc}; try again later"
                ) from None
            sleep(2.0**attempt)
        except exceptions.AuthenticationError:
            raise LabelboxError(
                f"Labelbox refused the API key while {what}: check LABELBOX_API_KEY"
            ) from None
        except exceptions.AuthorizationError as exc:
            raise LabelboxError(
                f"Labelbox refused {what}: {exc} (IAM integrations need an API key of an organization Admin)"
            ) from None
        except exceptions.LabelboxError as exc:
            raise LabelboxError(f"Labelbox failed while {what}: {exc}") from None
    raise AssertionError("unreachable")


def find(integrations: list[Any], role_arn: str) -> Any | None:
    """The organization's AWS integration for this role, if it has one (pure)."""
    for integration in integrations:
        settings = getattr(integration, "settings", None)
        if (
            getattr(integration, "provider", None) == "AWS"
            and getattr(settings, "role_arn", None) == role_arn
        ):
            return integration
    return None


def connect(
    spec: ConnectSpec,
    lb: Any,
    *,
    ours: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ConnectResult:
    """Find or create the integration, validate it (retrying AWSAssumeRole while IAM
    propagates, for spec.wait_seconds), set it as default when asked."""
    from labelbox.schema.iam_integration import AwsIamIntegrationSettings

    check_spec(spec)
    organization = call("reading the organization", lb.get_organization, sleep)
    existing = find(call("listing IAM integrations", organization.get_iam_integrations, sleep), spec.role_arn)
    integration = existing
    if integration is None:
        settings = AwsIamIntegrationSettings(role_arn=spec.role_arn, read_bucket=spec.bucket)
        integration = call(
            "creating the IAM integration",
            lambda: organization.create_iam_integration(spec.integration_name, settings),
            sleep,
        )
    deadline = clock() + spec.wait_seconds
    attempts, delay = 0, 2.0
    while True:
        attempts += 1
        answer = call("validating the IAM integration", integration.validate, sleep)
        failing = {c.get("name") for c in answer.get("checks", []) if not c.get("success")}
        if answer.get("valid") or "AWSAssumeRole" not in failing or clock() + delay > deadline:
            break
        sleep(delay)  # IAM is eventually consistent: a new role or trust takes seconds to reach STS
        delay = min(delay * 2, 16.0)
    default = bool(getattr(integration, "is_org_default", False))
    if spec.set_default and not default:
        call("setting the default IAM integration", integration.set_as_default, sleep)
        default = True
    return ConnectResult(
        integration_id=str(integration.uid),
        name=str(integration.name),
        role_arn=spec.role_arn,
        bucket=spec.bucket,
        created=existing is None,
        valid=bool(answer.get("valid")),
        default=default,
        attempts=attempts,
        checks=side_by_side(spec, answer.get("checks", []), ours),
    )


def side_by_side(spec: ConnectSpec, theirs: list[dict[str, Any]], ours: Any = None) -> list[LabelboxCheck]:
    """Labelbox's checks with our verdict of the same name and, for a failure, our remediation."""
    from provisioner.validate.fixes import labelbox_values
    from provisioner.validate.model import fill_remedy

    values = labelbox_values(spec.role_arn, spec.bucket)
    mine = {c.name: c for c in ours.checks} if ours is not None else {}
    out = []
    for check in theirs:
        name = str(check.get("name", ""))
        success = bool(check.get("success"))
        our = mine.get(name)
        remediation = ""
        if not success:
            remediation = (
                our.remediation if our is not None and our.remediation else fill_remedy(name, values)
            )
        out.append(
            LabelboxCheck(
                name,
                success,
                str(check.get("message") or ""),
                remediation,
                str(our.status) if our else None,
                our.detail if our else "",
            )
        )
    return out


# --- import: data rows by global key ---------------------------------------------------------


@dataclass(frozen=True)
class ImportSpec:
    dataset: str
    batch_size: int = 1000  # data rows per upsert task
    integration: str | None = None  # a name or ID; default: the organization's default
    timeout_seconds: float = 600.0  # per batch, for Labelbox's task


@dataclass
class ImportResult:
    dataset_id: str
    dataset: str
    created_dataset: bool
    rows: int
    batches: int
    failed: list[dict[str, str]] = field(default_factory=list)  # {"global_key", "message"}
    signer: str | None = None  # the ID of the IAM integration that signs the dataset's URLs
    signer_set: bool = False  # this run set it (the dataset had none, or another)
    warnings: list[str] = field(default_factory=list)

    @property
    def upserted(self) -> int:
        return self.rows - len(self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "upserted": self.upserted}


def check_import_spec(spec: ImportSpec) -> ImportSpec:
    if not spec.dataset.strip():
        raise InputError("dataset", spec.dataset, "a dataset name cannot be empty")
    if not 1 <= spec.batch_size <= 10_000:
        raise InputError("batch_size", spec.batch_size, "from 1 to 10,000 data rows a batch")
    return spec


def import_rows(
    spec: ImportSpec,
    lb: Any,
    rows: list[dict[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_plan: Callable[[str], None] | None = None,
) -> ImportResult:
    """The manifest's rows (provision manifest's labelbox format) upserted into the dataset by
    global key, in batches: a re-run updates the same data rows and creates none twice; rows
    Labelbox refuses are named, and a re-run finishes them.

    Before any row is sent, the dataset's signer (the IAM integration Labelbox signs its URLs
    with) is made the one wanted (--integration, else the organization's default) when it has
    none or another, announced through `on_plan`, and read back: a dataset an earlier run left
    unsigned is fixed, never silently reused."""
    from labelbox import Dataset, GlobalKey

    check_import_spec(spec)
    wanted = _integration(lb, spec.integration, sleep)
    if wanted is not None and getattr(wanted, "valid", True) is False:
        raise LabelboxError(
            f"IAM integration {wanted.name} ({wanted.uid}) is not valid in Labelbox, so it cannot sign "
            f"dataset {spec.dataset}'s URLs: run 'provision labelbox connect --role-arn "
            f"{_role_of(wanted)} --bucket BUCKET' to see why, then run the same command again"
        )
    found = call(
        "finding the dataset", lambda: list(lb.get_datasets(where=Dataset.name == spec.dataset)), sleep
    )
    created = not found
    if found:
        dataset = found[0]
    else:  # unsigned at first: the signer is set (and read back) below, as for an existing one
        dataset = call(
            "creating the dataset", lambda: lb.create_dataset(name=spec.dataset, iam_integration=None), sleep
        )
    result = ImportResult(str(dataset.uid), spec.dataset, created, len(rows), 0)
    ensure_signer(result, dataset, wanted, on_plan=on_plan, sleep=sleep)
    for start in range(0, len(rows), spec.batch_size):
        batch = rows[start : start + spec.batch_size]
        items = [
            {
                "key": GlobalKey(row["global_key"]),
                "row_data": row["row_data"],
                "global_key": row["global_key"],
                "media_type": row.get("media_type", "IMAGE"),
                **({"metadata_fields": row["metadata_fields"]} if row.get("metadata_fields") else {}),
            }
            for row in batch
        ]
        result.failed += _upsert(dataset, items, spec.timeout_seconds, sleep)
        result.batches += 1
        if progress:
            progress(len(batch))
    return result


def _upsert(
    dataset: Any, items: list[dict[str, Any]], timeout: float, sleep: Callable[[float], None]
) -> list[dict[str, str]]:
    """One batch: Labelbox's upsert task, waited for; the rows it refused, with its reason."""
    task = call("upserting data rows", lambda: dataset.upsert_data_rows(items), sleep)
    call("waiting for the upsert", lambda: task.wait_till_done(timeout_seconds=timeout), sleep)
    errors: list[dict[str, Any]] = call("reading the upsert's errors", lambda: task.errors or [], sleep)
    failed = []
    for error in errors:
        message = str(error.get("message") or "")
        for row in error.get("failedDataRows") or [{}]:
            failed.append({"global_key": str(row.get("globalKey") or ""), "message": message})
    return failed


def _integration(lb: Any, wanted: str | None, sleep: Callable[[float], None]) -> Any:
    """The integration the dataset signs its URLs with: the one named (by name or ID), else the
    organization's default, else None (there is none)."""
    organization = call("reading the organization", lb.get_organization, sleep)
    integrations = call("listing IAM integrations", organization.get_iam_integrations, sleep)
    for integration in integrations:
        if wanted is None and getattr(integration, "is_org_default", False):
            return integration
        if wanted is not None and wanted in (integration.uid, integration.name):
            return integration
    if wanted is None:
        return None
    raise InputError("integration", wanted, "no IAM integration of that name or ID in the organization")


def _role_of(integration: Any) -> str:
    return str(getattr(getattr(integration, "settings", None), "role_arn", None) or "ROLE_ARN")


def _describe(integration: Any) -> str:
    return "none" if integration is None else f"integration {integration.name} ({integration.uid})"


def ensure_signer(
    result: ImportResult,
    dataset: Any,
    wanted: Any,
    *,
    on_plan: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Make `wanted` the dataset's signer when it has none or another, then read it back; with
    nothing wanted (no integration named and no default), an unsigned dataset is a warning."""
    name = f"{result.dataset} ({result.dataset_id})"
    current = (
        None
        if result.created_dataset  # made unsigned a moment ago
        else call("reading the dataset's signer", dataset.iam_integration, sleep)
    )
    if wanted is None:
        result.signer = str(current.uid) if current is not None else None
        if current is None:
            result.warnings.append(
                f"dataset {name} has no IAM integration to sign its URLs, so Labelbox cannot show rows "
                "of a private bucket: run 'provision labelbox connect ... --set-default', or give "
                "--integration, then run the same command again"
            )
        return
    if current is not None and current.uid == wanted.uid:
        result.signer = str(wanted.uid)
        return
    if on_plan is not None:
        on_plan(f"set     dataset {name} signer: {_describe(current)} -> {_describe(wanted)}")
    try:
        call("setting the dataset's signer", lambda: dataset.add_iam_integration(wanted.uid), sleep)
    except LabelboxError as exc:
        raise LabelboxError(
            f"{exc}; dataset {name} is not signed by {_describe(wanted)}: run the same command "
            "again (it sets the signer before sending any row)"
        ) from None
    after = call("reading the dataset's signer back", dataset.iam_integration, sleep)
    if after is None or after.uid != wanted.uid:
        raise LabelboxError(
            f"Labelbox took {_describe(wanted)} as dataset {name}'s signer but reads back "
            f"{_describe(after)}, so it cannot sign the rows' URLs: run the same command again; if "
            "this repeats, set the dataset's IAM integration in Labelbox's dataset settings"
        )
    result.signer, result.signer_set = str(wanted.uid), True


def load_rows(path: str) -> list[dict[str, Any]]:
    """Rows of a Labelbox import file (what `provision manifest` writes: a JSON list, or NDJSON),
    each with row_data and global_key; bad input names the file and the row."""
    import json

    option = "manifest"
    text = read_file(path, option)
    try:
        data = (
            json.loads(text)
            if text.lstrip().startswith("[")
            else [json.loads(x) for x in text.splitlines() if x.strip()]
        )
    except json.JSONDecodeError as exc:
        raise InputError(option, path, f"not JSON: {exc.msg} at line {exc.lineno}") from None
    for index, row in enumerate(data):
        if not isinstance(row, dict) or not row.get("row_data") or not row.get("global_key"):
            raise InputError(
                option, path, f"row {index} has no row_data or global_key (provision manifest writes them)"
            )
    return data
