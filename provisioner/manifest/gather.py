"""Reads only: the bucket's keys (ListObjectsV2, page by page) or a listing file, and its region."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from provisioner import inputs
from provisioner.aws import translate
from provisioner.errors import InputError


def list_keys(
    aws: Any, bucket: str, prefix: str, progress: Callable[[int], None] | None = None
) -> Iterator[str]:
    """ListObjectsV2 page by page (1,000 keys a page), yielding keys as they arrive."""
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    with translate("s3:ListBucket", f"listing s3://{bucket}/{prefix}"):
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": 1000}):
            contents = page.get("Contents", [])
            if progress:
                progress(len(contents))
            for item in contents:
                yield item["Key"]


def bucket_region(aws: Any, bucket: str) -> str:
    with translate("s3:GetBucketLocation", f"finding the region of bucket {bucket}"):
        return inputs.region_of_location(
            aws.client("s3").get_bucket_location(Bucket=bucket).get("LocationConstraint")
        )


def keys_from_file(path: str) -> Iterator[str]:
    """Keys from a listing file: `aws s3api list-objects-v2` JSON ({"Contents": [...]}), or one
    key a line (JSON strings or objects with "Key" per line allowed). The file is opened here,
    so a missing one is reported before any row is written."""
    try:
        handle = open(path, encoding="utf-8-sig")  # noqa: SIM115 - closed by _read_listing
    except OSError as exc:
        raise InputError("from_file", path, f"cannot be read ({exc.strerror})") from None
    return _read_listing(handle, path)


def _read_listing(handle: IO[str], path: str) -> Iterator[str]:
    """Read once, front to back, never seeking: the listing may be a pipe or a FIFO
    (`--from-file <(aws s3api list-objects-v2 …)`), which cannot be rewound. Text that is not
    UTF-8 is bad input wherever it starts."""
    try:
        yield from _listing_keys(handle, path)
    except UnicodeDecodeError as exc:
        raise InputError("from_file", path, f"is not UTF-8 text (byte {exc.start} of a block)") from None


MAX_KEY_BYTES = 1024  # S3's limit on an object key
LISTING_FIELDS = frozenset(
    {"Contents", "KeyCount", "Name", "Prefix", "IsTruncated", "MaxKeys", "CommonPrefixes", "RequestCharged",
     "ContinuationToken", "NextContinuationToken", "StartAfter", "Delimiter", "EncodingType"}
)  # fmt: skip


def _listing_keys(handle: IO[str], path: str) -> Iterator[str]:
    with handle:
        first = handle.readline()
        lines: Iterable[str] = handle
        head = first.lstrip()
        if head.startswith(("{", "[")):
            try:
                data = json.loads(first)  # a one-line document, or the first line of JSON lines
            except json.JSONDecodeError:
                rest = handle.read()  # a document over several lines, or a key starting with "["
                lines = rest.splitlines(keepends=True)
                try:
                    data = json.loads(first + rest)
                except json.JSONDecodeError:
                    if head.startswith("{"):
                        raise InputError("from_file", path, "not a list-objects-v2 JSON document") from None
                    data = None
            if isinstance(data, dict) and "Key" not in data:
                yield from _contents_keys(data, path)
                return
            if isinstance(data, list):  # `aws s3api list-objects-v2 --query Contents` or `Contents[].Key`
                yield from _entries_keys(data, path, "each entry")
                return
        for number, line in enumerate(itertools.chain([first], lines), start=1):
            text = line.rstrip("\n")
            if not text.strip():
                continue
            if text.lstrip().startswith(("{", '"')):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    raise InputError("from_file", path, f"line {number} is not JSON") from None
                key = value.get("Key") if isinstance(value, dict) else value
                if not isinstance(key, str):
                    raise InputError("from_file", path, f"line {number} has no Key")
                text = key
            size = len(text.encode("utf-8"))
            if size > MAX_KEY_BYTES:
                raise InputError(
                    "from_file",
                    path,
                    f"line {number} is {size:,} bytes: an S3 key is at most {MAX_KEY_BYTES:,} bytes "
                    "(is this a listing of keys?)",
                )
            yield text


def _contents_keys(data: dict[str, Any], path: str) -> Iterator[str]:
    if not LISTING_FIELDS & set(data):  # an empty listing has no Contents, but has some of these
        raise InputError(
            "from_file", path, "not a list-objects-v2 JSON document (no Contents, Name, Prefix or KeyCount)"
        )
    if not isinstance(data.get("Contents", []), list):
        raise InputError("from_file", path, "Contents is not a list")
    yield from _entries_keys(data.get("Contents", []), path, "each Contents entry")


def _entries_keys(entries: list[Any], path: str, what: str) -> Iterator[str]:
    """Keys of list-objects-v2's Contents entries, or of plain key strings."""
    for item in entries:
        key = item.get("Key") if isinstance(item, dict) else item
        if not isinstance(key, str):
            raise InputError("from_file", path, f"{what} needs a Key (an object with Key, or a string)")
        yield key
