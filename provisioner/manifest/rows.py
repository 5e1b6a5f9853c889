"""Pure: import-file rows from keys, labels from folder names, the vendors' limits.

Rows are written as keys come, so memory does not grow with the bucket. Labels follow
Rekognition Custom Labels' folder rule.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import quote

from provisioner import inputs
from provisioner.errors import InputError
from provisioner.inputs.iam import IAM_NAME

FORMATS = ("labelbox", "labelbox-ndjson", "rekognition")
LABELBOX_TYPES = (".jpg", ".jpeg", ".png", ".bmp")
REKOGNITION_TYPES = (".jpg", ".jpeg", ".png")
AWKWARD = "#<>|"
MAX_LINES = 250_000
MAX_BYTES = 1_000_000_000
MIN_LABELS, MAX_LABELS = 2, 250


def folder_label(key: str, prefix: str) -> str | None:
    """The label Rekognition gives an image: the child folder of the folder location that
    contains it (deeper folders take that child's name); none directly in the location.
    (Rekognition Custom Labels, "Importing image-level labels using folder names".)"""
    if not key.startswith(prefix):
        return None
    parts = key[len(prefix) :].split("/")
    return parts[0] if len(parts) > 1 and parts[0] else None


def object_url(bucket: str, region: str, key: str) -> str:
    """Virtual-hosted-style HTTPS URL, each path segment percent-encoded (RFC 3986)."""
    partition = inputs.partition_of_region(region) or "aws"
    suffix = inputs.partitions()[partition]["dns_suffix"]
    path = "/".join(quote(segment, safe="-_.~") for segment in key.split("/"))
    return f"https://{bucket}.s3.{region}.{suffix}/{path}"


@dataclass
class Summary:
    rows: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    awkward: list[str] = field(default_factory=list)
    awkward_count: int = 0
    files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.rows} row(s) written" + (f" to {', '.join(self.files)}" if self.files else "")]
        if self.labels:
            out.append("labels: " + ", ".join(f"{label} {n}" for label, n in sorted(self.labels.items())))
        if self.skipped:
            out.append("skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items())))
        return out


@dataclass
class Options:
    bucket: str
    prefix: str = ""
    fmt: str = "labelbox"
    labels: bool = True
    label_attribute: str = "label"
    region: str = "us-east-1"
    strict: bool = False
    job_name: str = "provisioner"
    created: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"))


def check_options(options: Options) -> Options:
    inputs.check_bucket(options.bucket)
    if options.fmt not in FORMATS:
        raise InputError("format", options.fmt, f"one of {', '.join(FORMATS)}")
    if options.fmt.startswith("labelbox") and "." in options.bucket:
        raise InputError(
            "bucket",
            options.bucket,
            "Labelbox needs virtual-hosted HTTPS URLs, and a bucket name with dots fails their TLS "
            "certificate check: copy the images to a bucket without dots",
        )
    if options.fmt == "rekognition" and not options.labels:
        raise InputError("no_labels", "", "Rekognition image classification needs the folder labels")
    if not IAM_NAME.fullmatch(options.label_attribute.replace(" ", "_")):
        raise InputError("label_attribute", options.label_attribute, "letters, digits and _+=,.@- only")
    prefix = inputs.check_prefix(options.prefix) or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"  # a folder location
    options.prefix = prefix
    inputs.check_region(options.region)
    return options


class ManifestWriter:
    """Writes rows as they come; for Rekognition, starts a numbered file at the limits when a
    factory for more files is given, and refuses past them otherwise."""

    def __init__(self, out: IO[str], options: Options, next_file: Callable[[int], IO[str]] | None = None):
        self.out = out
        self.options = options
        self.next_file = next_file
        self.summary = Summary()
        self.class_ids: dict[str, int] = {}
        self.first = True
        self.lines = 0
        self.bytes = 0
        self.part = 1

    def start(self) -> None:
        """Nothing is written before the first row: a listing found bad before it leaves no
        half document on stdout (the Labelbox list opens with its first row, or at the end)."""

    def finish(self) -> Summary:
        if self.options.fmt == "labelbox":
            self.out.write("\n]\n" if not self.first else "[]\n")
        if self.options.fmt == "rekognition" and self.summary.rows:
            count = len(self.summary.labels)
            if not MIN_LABELS <= count <= MAX_LABELS:
                raise InputError(
                    "prefix",
                    self.options.prefix,
                    f"Rekognition needs {MIN_LABELS} to {MAX_LABELS} labels; its folders give {count}",
                )
        return self.summary

    def add(self, key: str, size: int = 0) -> None:
        options = self.options
        lowered = key.lower()
        if key.endswith("/"):
            self.summary.skipped["folder markers"] += 1
            return
        allowed = REKOGNITION_TYPES if options.fmt == "rekognition" else LABELBOX_TYPES
        if not lowered.endswith(allowed):
            self.summary.skipped["not an image type the vendor imports"] += 1
            return
        if any(c in key for c in AWKWARD) or " " in key:
            self.summary.awkward_count += 1
            if len(self.summary.awkward) < 5:
                self.summary.awkward.append(key)
            if options.strict:
                raise InputError(
                    "strict", key, f"the key has characters Labelbox does not accept ({AWKWARD} or a space)"
                )
        label = folder_label(key, options.prefix) if options.labels else None
        if options.fmt == "rekognition":
            if label is None:
                self.summary.skipped["no folder label (directly in the folder location)"] += 1
                return
            self._write(self._rekognition(key, label))
        else:
            self.emit_labelbox(self._labelbox(key, label))
        self.summary.rows += 1
        if label is not None:
            self.summary.labels[label] += 1

    def _labelbox(self, key: str, label: str | None) -> dict[str, Any]:
        row: dict[str, Any] = {
            "row_data": object_url(self.options.bucket, self.options.region, key),
            "global_key": key,
            "media_type": "IMAGE",
        }
        if label is not None:
            row["metadata_fields"] = [{"name": "tag", "value": label}]
        return row

    def emit_labelbox(self, row: dict[str, Any]) -> None:
        self._write(json.dumps(row, ensure_ascii=False))

    def _rekognition(self, key: str, label: str) -> str:
        attribute = self.options.label_attribute
        class_id = self.class_ids.setdefault(label, len(self.class_ids))
        return json.dumps(
            {
                "source-ref": f"s3://{self.options.bucket}/{key}",
                attribute: class_id,
                f"{attribute}-metadata": {
                    "confidence": 1,
                    "class-name": label,
                    "human-annotated": "yes",
                    "creation-date": self.options.created,
                    "type": "groundtruth/image-classification",
                    "job-name": f"labeling-job/{self.options.job_name}",
                },
            },
            ensure_ascii=False,
        )

    def _write(self, line: str) -> None:
        fmt = self.options.fmt
        size = len(line.encode("utf-8")) + 1
        if fmt == "rekognition" and (self.lines + 1 > MAX_LINES or self.bytes + size > MAX_BYTES):
            if self.next_file is None:
                raise InputError(
                    "out",
                    "",
                    f"a Rekognition manifest holds at most {MAX_LINES:,} lines and 1 GB: "
                    "pass --split to write numbered files",
                )
            self.out.close()
            self.part += 1
            self.out = self.next_file(self.part)
            self.lines = self.bytes = 0
        if fmt == "labelbox":
            self.out.write(("[\n  " if self.first else ",\n  ") + line)
        else:
            self.out.write(line + "\n")
        self.first = False
        self.lines += 1
        self.bytes += size


class RowCollector(ManifestWriter):
    """The Labelbox rows as data, filtered and labelled as the import file's would be, for a
    caller that sends them itself (provision labelbox import): no file, no JSON round trip."""

    def __init__(self, options: Options) -> None:
        super().__init__(io.StringIO(), options)  # never written to: rows are kept as data
        self.rows: list[dict[str, Any]] = []

    def start(self) -> None:
        pass

    def finish(self) -> Summary:
        return self.summary

    def emit_labelbox(self, row: dict[str, Any]) -> None:
        self.rows.append(row)


def write_manifest(
    keys: Iterable[str], out: IO[str], options: Options, next_file: Callable[[int], IO[str]] | None = None
) -> Summary:
    """Library twin of `provision manifest`, over any iterable of keys (streamed)."""
    writer = ManifestWriter(out, options, next_file)
    writer.start()
    for key in keys:
        if key.startswith(options.prefix):
            writer.add(key)
    return writer.finish()
