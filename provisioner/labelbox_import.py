"""`provision labelbox import`: a manifest's rows upserted into a Labelbox dataset by global key,
through Labelbox's SDK (the optional extra `provisioner[labelbox]`).

spec (ImportSpec, checked by check_import_spec) -> the rows (a file `provision manifest` wrote,
or the bucket listed now) -> the dataset's signer made the one wanted and read back -> upserts
in batches -> ImportResult. The SDK calls go through labelbox_api.call (rate limits, refusals).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from provisioner.errors import InputError
from provisioner.inputs import read_file
from provisioner.labelbox_api import LabelboxError, call


@dataclass(frozen=True)
class ImportSpec:
    dataset: str
    batch_size: int = 1000  # data rows per upsert task
    integration: str | None = None  # a name or ID; default: the organization's default
    timeout_seconds: float = 600.0  # per batch, for Labelbox's task
    manifest: str | None = None  # the rows: an import file `provision manifest` wrote,
    bucket: str | None = None  # or this bucket listed now (needs AWS credentials)
    prefix: str = ""  # with bucket: the folder location


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


def check_import_spec(spec: ImportSpec, *, need_rows: bool = False) -> ImportSpec:
    """Every field checked before any call; with `need_rows`, exactly one source of rows
    (a manifest file or a bucket), as labelbox_import reads them."""
    if not spec.dataset.strip():
        raise InputError("dataset", spec.dataset, "a dataset name cannot be empty")
    if not 1 <= spec.batch_size <= 10_000:
        raise InputError("batch_size", spec.batch_size, "from 1 to 10,000 data rows a batch")
    if need_rows and (spec.manifest is None) == (spec.bucket is None):
        raise InputError(
            "manifest", spec.manifest or "", "give --manifest FILE or --bucket NAME (one of them)"
        )
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
