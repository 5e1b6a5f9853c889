"""Writes only: make the planned calls in order, and say exactly where a failure left things.

A bucket's CORS configuration is written whole (PutBucketCors replaces it and has no
precondition), so two runs that read, merge and write at the same time can each drop the
other's rule while both succeed. After every CORS write the rules are read again after a short,
jittered wait; while our rule, or a rule we kept, is missing, they are merged and written again,
at most CORS_TRIES times, and then the run stops with a clear line instead of claiming success.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from provisioner import cors
from provisioner.aws import Aws, describe, error_code
from provisioner.errors import EXIT_AWS, ProvisionerError
from provisioner.role.model import ApplyError, Change

SETTLE_SECONDS = 1.0  # wait before re-reading, plus up to as much again at random
CORS_TRIES = 5


class CorsNotSettled(ProvisionerError):
    exit_code = EXIT_AWS


def apply(aws: Aws, changes: list[Change], progress: Callable[[Change], None] | None = None) -> list[Change]:
    """Make the planned calls in order. On a failure, ApplyError names the step and what was done."""
    done: list[Change] = []
    for number, change in enumerate(changes, start=1):
        client = aws.client(change.service)
        try:
            getattr(client, change.method)(**change.params)
        except Exception as exc:
            cause = describe(exc, change.permission)
            if cause is None:
                raise
            if error_code(exc) in ("AccessDenied", "AccessDeniedException"):
                cause = f"AccessDenied: the credentials in use need {change.permission}"
            raise ApplyError(number, len(changes), change, cause, done) from exc
        if change.cors_intent is not None:
            settle_cors(aws, change)
        done.append(change)
        if progress:
            progress(change)
    return done


def settle_cors(aws: Aws, change: Change, sleep: Callable[[float], None] = time.sleep) -> int:
    """Re-read the bucket's CORS rules after our write and write again while our intent (our
    rule present, or removed) or a rule we kept is not what S3 holds. Returns the writes made
    again; raises CorsNotSettled past CORS_TRIES."""
    from provisioner.role.gather import read_cors

    intent = change.cors_intent or {}
    bucket = change.params["Bucket"]
    written = change.params.get("CORSConfiguration", {}).get("CORSRules", [])
    ours = intent.get("add")
    kept = [rule for rule in written if ours is None or rule.get("ID") != ours.get("ID")]
    s3 = aws.client("s3")
    for again in range(CORS_TRIES):
        sleep(SETTLE_SECONDS * (1 + random.random()))
        current = read_cors(aws, bucket)
        missing = [rule for rule in kept if not any(cors.same_rule(rule, c) for c in current)]
        if ours is not None:
            merged = cors.merge_rule(current, ours)
            if merged is None and not missing:
                return again
            rules = (merged if merged is not None else current) + missing
        else:
            without = cors.remove_rule(current, intent["remove"])
            if without is None and not missing:
                return again
            rules = (without if without is not None else current) + missing
        if rules:
            s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
        else:
            s3.delete_bucket_cors(Bucket=bucket)
    raise CorsNotSettled(
        f"the CORS rules of bucket {bucket} did not settle after {CORS_TRIES} writes: another "
        "process is changing them at the same time; run the same command again once it has finished"
    )
