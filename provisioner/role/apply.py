"""Writes only: make the planned calls in order, and say exactly where a failure left things."""

from __future__ import annotations

from collections.abc import Callable

from provisioner.aws import Aws, describe, error_code
from provisioner.role.model import ApplyError, Change


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
        done.append(change)
        if progress:
            progress(change)
    return done
