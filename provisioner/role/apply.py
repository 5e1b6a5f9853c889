"""Writes only: make the planned calls in order, and say exactly where a failure left things.

Nothing in IAM or S3 can be locked, so every write is read back:

- A bucket's CORS configuration is written whole (PutBucketCors replaces it and has no
  precondition), so two runs that read, merge and write at the same time can each drop the
  other's rule while both succeed. After every CORS write the rules are read again after a short,
  jittered wait; while our rule, or a rule we kept, is missing, they are merged and written again,
  at most CORS_TRIES times, and then the run stops with a clear line instead of claiming success.
- A role's trust policy and its policy's default version are whole documents one run wants:
  when another run writes a different one at the same time, merging is not ours to do. After a
  journey's writes, `settle` reads the state again (the same wait) and reports what differs
  (exit 3) instead of claiming success; a difference that goes away on a later read is IAM's
  eventual consistency, not a rival.
- A deletion that finds the thing already gone (NoSuchEntity: another delete-role got there
  first) counts as done: what was wanted holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from provisioner import cors
from provisioner.aws import Aws, describe, error_code
from provisioner.errors import EXIT_AWS, ProvisionerError
from provisioner.polling import Waiter
from provisioner.role.model import ApplyError, Change

SETTLE_SECONDS = 1.0  # wait before re-reading, plus up to as much again at random
CORS_TRIES = 5
SETTLE_TRIES = 5
GONE_ALREADY = ("detach_", "delete_", "remove_")  # NoSuchEntity on these: the wanted end holds


class CorsNotSettled(ProvisionerError):
    exit_code = EXIT_AWS


class NotSettled(ProvisionerError):
    """What a run wrote is not what AWS holds once it is read back: another process wrote too."""

    exit_code = EXIT_AWS


def apply(aws: Aws, changes: list[Change], progress: Callable[[Change], None] | None = None) -> list[Change]:
    """Make the planned calls in order. On a failure, ApplyError names the step and what was done."""
    done: list[Change] = []
    for number, change in enumerate(changes, start=1):
        client = aws.client(change.service)
        try:
            getattr(client, change.method)(**change.params)
        except Exception as exc:
            if change.method.startswith(GONE_ALREADY) and error_code(exc) == "NoSuchEntity":
                pass  # another run deleted it first: what this step wants holds
            else:
                raise _step_failed(exc, number, len(changes), change, done) from exc
        done.append(change)
        if change.cors_intent is not None:
            try:
                settle_cors(aws, change)
            except CorsNotSettled:
                raise
            except Exception as exc:
                raise _step_failed(exc, number, len(changes), change, done, written=True) from exc
        if progress:
            progress(change)
    return done


def _step_failed(
    exc: Exception, number: int, total: int, change: Change, done: list[Change], written: bool = False
) -> Exception:
    described = describe(exc, change.permission)
    if described is not None:
        cause = described
    elif isinstance(exc, ProvisionerError):
        cause = str(exc)  # already said in words (a read-back, say)
    else:
        return exc  # not AWS's answer: a bug, let it raise as it is
    if error_code(exc) in ("AccessDenied", "AccessDeniedException") and not written:
        cause = f"AccessDenied: the credentials in use need {change.permission}"
    if written:
        cause = f"the change was made, but reading it back failed: {cause}"
    return ApplyError(number, total, change, cause, done)


def settle(
    left_to_do: Callable[[], str],
    what: str,
    *,
    wait_first: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Read back what a journey wrote: `left_to_do()` says what still differs from what the run
    wanted ("" when AWS holds it). Asked again after a jittered wait while it differs (IAM is
    eventually consistent), at most SETTLE_TRIES times; then NotSettled says what differs."""
    difference = ""
    waiter = Waiter(SETTLE_SECONDS, SETTLE_TRIES, jitter=1.0, sleep=sleep)
    for _ in waiter.attempts(wait_first=wait_first):
        try:
            difference = left_to_do()
        except ProvisionerError as exc:
            raise NotSettled(
                f"the changes were made, but reading {what} back failed: {exc}; run the same "
                "command again to check"
            ) from None
        if not difference:
            return
    raise NotSettled(
        f"{what} is not as this run left it: another process changed it at the same time "
        f"(what differs: {difference}); the other change stands. Find out who else manages "
        "it, then run the same command again"
    )


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
    for again in Waiter(SETTLE_SECONDS, CORS_TRIES, jitter=1.0, sleep=sleep).attempts(wait_first=True):
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
