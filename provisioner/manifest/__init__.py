"""`provision manifest`: the vendor's import file from a bucket, labels from folder names.

spec (ManifestSpec) -> gather (gather.py: keys page by page, or a listing file) -> rows
(rows.py, pure, streamed) -> act (act.py: upload, Custom Labels project and dataset) ->
ManifestResult. Files are written whole or not at all: a failure removes what was started.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from provisioner.atomic import AtomicFiles
from provisioner.aws import Aws
from provisioner.errors import InputError
from provisioner.manifest.act import create_dataset, create_project, parse_s3_url, upload
from provisioner.manifest.gather import bucket_region, keys_from_file, list_keys
from provisioner.manifest.rows import (
    AWKWARD,
    FORMATS,
    ManifestWriter,
    Options,
    RowCollector,
    Summary,
    check_options,
    folder_label,
    object_url,
    write_manifest,
)

__all__ = [
    "AWKWARD",
    "AWKWARD_TEXT",
    "FORMATS",
    "ManifestResult",
    "ManifestSpec",
    "ManifestWriter",
    "Options",
    "Summary",
    "bucket_region",
    "check_options",
    "check_spec",
    "create_dataset",
    "create_project",
    "folder_label",
    "keys_from_file",
    "labelbox_rows",
    "list_keys",
    "object_url",
    "parse_s3_url",
    "run",
    "upload",
    "write_manifest",
]

AWKWARD_TEXT = "#, <, >, | or spaces"


@dataclass(frozen=True)
class ManifestSpec:
    bucket: str
    prefix: str = ""
    fmt: str = "labelbox"  # labelbox | labelbox-ndjson | rekognition
    labels: bool = True
    label_attribute: str = "label"
    region: str | None = None  # the bucket's; read from S3 when not given (Labelbox formats)
    strict: bool = False
    out: str | None = None  # a file; None writes to the stream given to run()
    upload: str | None = None  # s3://BUCKET/KEY
    from_file: str | None = None  # a listing instead of ListObjectsV2
    split: bool = False
    create_project: str | None = None
    create_dataset: bool = False
    project_arn: str | None = None
    dataset_type: str = "train"

    @property
    def needs_aws(self) -> bool:
        return not self.from_file or bool(self.upload)


@dataclass
class ManifestResult:
    summary: Summary  # its .files: the files written (none for stdout or an upload)
    uploaded_to: str | None = None
    project_arn: str | None = None
    dataset_arn: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.summary.rows,
            "labels": dict(sorted(self.summary.labels.items())),
            "skipped": dict(sorted(self.summary.skipped.items())),
            "awkward_keys": self.summary.awkward_count,
            "files": self.summary.files,
            "uploaded_to": self.uploaded_to,
            "project_arn": self.project_arn,
            "dataset_arn": self.dataset_arn,
        }


def check_spec(spec: ManifestSpec) -> Options:
    """Every contradiction and bad value refused before anything is read or written."""
    if spec.out and spec.upload:
        raise InputError("upload", spec.upload, "give --out or --upload, not both")
    if spec.upload:
        parse_s3_url(spec.upload)
    if spec.split and not spec.out:
        raise InputError("split", "", "numbered files need --out NAME")
    wants_dataset = spec.create_dataset or spec.create_project
    if wants_dataset and (spec.fmt != "rekognition" or not spec.upload):
        raise InputError("create_dataset", "", "needs --format rekognition and --upload s3://BUCKET/KEY")
    if spec.create_dataset and not (spec.project_arn or spec.create_project):
        raise InputError("create_dataset", "", "needs --project-arn ARN or --create-project NAME")
    if spec.dataset_type not in ("train", "test"):
        raise InputError("dataset_type", spec.dataset_type, "train or test")
    if spec.fmt != "rekognition" and spec.from_file and spec.region is None:
        raise InputError("region", "", "a listing file does not say where the bucket is: give --region")
    return check_options(
        Options(
            bucket=spec.bucket,
            prefix=spec.prefix,
            fmt=spec.fmt,
            labels=spec.labels,
            label_attribute=spec.label_attribute,
            region=spec.region or "us-east-1",
            strict=spec.strict,
        )
    )


def run(
    spec: ManifestSpec,
    aws: Aws | None = None,
    *,
    stdout: IO[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ManifestResult:
    """Write the import file (to spec.out, to S3, or to `stdout`), then create the dataset."""
    options, keys = _keys(spec, aws, progress)
    result = ManifestResult(Summary())
    if spec.upload:
        result.summary = _to_temporary(keys, options, lambda name: _upload(aws, name, spec.upload or ""))
        result.uploaded_to = spec.upload
    elif spec.out:
        result.summary = _to_files(keys, options, spec.out, spec.split)
    else:
        result.summary = write_manifest(keys, stdout or sys.stdout, options)
    if spec.upload and (spec.create_dataset or spec.create_project):
        assert aws is not None
        result.project_arn = spec.project_arn or create_project(aws, spec.create_project or "")
        result.dataset_arn = create_dataset(aws, result.project_arn, spec.upload, spec.dataset_type)
    return result


def _keys(
    spec: ManifestSpec, aws: Aws | None, progress: Callable[[int], None] | None
) -> tuple[Options, Iterator[str]]:
    """The spec checked, the bucket's region found when the rows need it, and the keys."""
    options = check_spec(spec)
    if spec.needs_aws and aws is None:
        raise InputError("from_file", "", "listing the bucket or uploading needs AWS credentials")
    if aws is not None and not spec.from_file and spec.region is None and spec.fmt != "rekognition":
        options.region = bucket_region(aws, spec.bucket)
    keys: Iterator[str] = (
        keys_from_file(spec.from_file)
        if spec.from_file
        else list_keys(aws, spec.bucket, options.prefix, progress)
    )
    return options, keys


def labelbox_rows(
    spec: ManifestSpec, aws: Aws | None = None, progress: Callable[[int], None] | None = None
) -> tuple[list[dict[str, Any]], Summary]:
    """The rows `run` would write for Labelbox (spec.fmt "labelbox"), as data."""
    options, keys = _keys(spec, aws, progress)
    collector = RowCollector(options)
    for key in keys:
        if key.startswith(options.prefix):
            collector.add(key)
    return collector.rows, collector.finish()


def _upload(aws: Aws | None, name: str, url: str) -> None:
    assert aws is not None
    upload(aws, name, url)


def _to_files(keys: Iterator[str], options: Options, out: str, split: bool) -> Summary:
    """Write to `out` (or numbered files next to it), named in the summary: all of them or none
    (provisioner.atomic: a failure or Ctrl-C leaves the folder, and an earlier manifest, as
    they were)."""
    written: list[str] = []
    with AtomicFiles("out") as files:

        def open_part(number: int) -> IO[str]:
            stem, dot, ext = out.rpartition(".")
            name = f"{stem}-{number:03d}.{ext}" if dot else f"{out}-{number:03d}"
            written.append(name)
            return files.open(name)

        target = open_part(1) if split else files.open(out)
        if not split:
            written.append(out)
        writer = ManifestWriter(target, options, open_part if split else None)
        writer.start()
        for key in keys:
            if key.startswith(options.prefix):
                writer.add(key)
        summary = writer.finish()
    summary.files = written
    return summary


def _to_temporary(keys: Iterator[str], options: Options, then: Callable[[str], None]) -> Summary:
    """Write to a temporary file, hand it to `then` (the upload), and remove it whatever happens."""
    handle = tempfile.NamedTemporaryFile("w", suffix=".manifest", delete=False, encoding="utf-8")  # noqa: SIM115
    try:
        with handle:
            summary = write_manifest(keys, handle, options)
        then(handle.name)
        return summary
    finally:
        os.unlink(handle.name)
