"""Pure: the bucket-level writes (its policy, ACL, CORS, …: control of the bucket, power beyond
data) a role's session may make, on every bucket and on each bucket its policies name, and those
only a condition on a key the vendor chooses decides (not decided)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from provisioner.audit.grants import PROBE_BUCKET
from provisioner.inventory.actions import BUCKET_WRITES

EVERY_BUCKET_WRITE = "every bucket-level write (PutBucketPolicy, PutBucketAcl, DeleteBucket, …)"


def bucket_writes(
    allowed: Callable[[str, str, str | None], bool], bucket: str, asked: str | None, skip: Sequence[str] = ()
) -> tuple[str, ...]:
    """The BUCKET_WRITES the session may make on `bucket` (all of them: EVERY_BUCKET_WRITE)."""
    found = [a for a in BUCKET_WRITES if a not in skip and allowed(a, f"arn:aws:s3:::{bucket}", asked)]
    if len(found) == len(BUCKET_WRITES):
        return (EVERY_BUCKET_WRITE,)
    return tuple(a.removeprefix("s3:") for a in found)


def buckets_written(
    allowed: Callable[[str, str, str | None], bool],
    asked_about: list[tuple[str, str]],
    every_bucket: tuple[str, ...],
    policies: Mapping[str, Any],
) -> list[tuple[str, tuple[str, ...]]]:
    """Each bucket's own bucket-level writes, beyond those on every bucket (unless its policy
    may add or take away)."""
    skipped = BUCKET_WRITES if every_bucket == (EVERY_BUCKET_WRITE,) else [f"s3:{a}" for a in every_bucket]
    found: list[tuple[str, tuple[str, ...]]] = []
    for bucket, prefix in asked_about:
        asked = bucket.replace("*", "x").replace("?", "x")
        if prefix != "":
            continue
        own = bucket_writes(allowed, asked, asked, () if asked in policies else skipped)
        if own and own != every_bucket:  # what every bucket gets: said once
            found.append((f"s3://{bucket} (the bucket)", own))
    return found


def open_control(
    asker: Any, grants: list[tuple[str, tuple[str, ...]]], asked: list[tuple[str, str]]
) -> list[tuple[str, tuple[str, ...], str]]:
    """The bucket-level writes (control of a bucket) only a condition on a key the vendor chooses
    decides, on every bucket and on each bucket the policies name (trial 22p item 4: under an
    SCP's NotIpAddress Deny they vanished)."""
    loose = lambda action, resource, bucket: asker.allowed(action, resource, bucket, loose=True)  # noqa: E731
    held = {where: set(rights) for where, rights in grants}
    found: list[tuple[str, tuple[str, ...], str]] = []
    every = held.get(next((w for w in held if w.startswith("s3://* (every bucket")), ""), set())
    places: list[tuple[str, str, str | None]] = [("s3://* (every bucket)", PROBE_BUCKET, None)]
    places += [
        (f"s3://{b} (the bucket)", b.replace("*", "x").replace("?", "x"), b) for b, p in asked if p == ""
    ]
    for where, bucket, named in places:
        opened = [w for w in bucket_writes(loose, bucket, named) if w not in held.get(where, every)]
        if opened:
            why = asker.decides(BUCKET_WRITES, f"arn:aws:s3:::{bucket}", named)
            found.append((where, tuple(opened), why))
    return found
