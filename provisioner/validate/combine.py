"""Pure: one verdict per check from its static and its live verdict."""

from __future__ import annotations

from dataclasses import replace

from provisioner.model import Status
from provisioner.validate.model import Check


def combine(static: Check, live: Check | None) -> Check:
    """The worse of the two; when they differ, both are reported."""
    if live is None:
        return static
    if live.status is Status.SKIP and static.status is not Status.SKIP:
        return replace(
            static, detail=f"{static.detail} (live: {live.detail})", static=static.status, live=live.status
        )
    if static.status == live.status or static.status is Status.SKIP:
        return replace(
            live,
            code=static.code or live.code,
            detail=live.detail if static.status is Status.SKIP else f"{static.detail}; {live.detail}",
            static=static.status,
            live=live.status,
        )
    worse = static if static.status.badness < live.status.badness else live
    return replace(
        worse,
        code=worse.code or static.code or live.code,
        detail=f"static {static.status}: {static.detail}; live {live.status}: {live.detail}",
        remediation=worse.remediation or static.remediation or live.remediation,
        static=static.status,
        live=live.status,
    )
