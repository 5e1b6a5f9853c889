"""external-id-reused at scale: N roles sharing one external ID, offline, every output format.

Before issue 18 each of the N findings listed all N roles: 1,000 roles gave 96 MB of JSON.
Now one finding per shared ID carries the roles in its evidence, so every output grows
linearly with N. Prints, for 1,000 and 10,000 roles, each format's size and time and the
ratio of the two (about 10 is linear; about 100 would be quadratic). Figures only.
"""

from __future__ import annotations

import time

from provisioner import report
from provisioner.audit import AccountData, RoleDetail, audit

ACCOUNT = "111122223333"
VENDOR = "arn:aws:iam::340636747488:role/labelbox-integration"
SHARED = "ckx5y2abcd0001zz0"


def trust() -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": VENDOR},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": SHARED}},
            }
        ],
    }


def data(n: int) -> list[AccountData]:
    roles = [
        RoleDetail(f"arn:aws:iam::{ACCOUNT}:role/vendor-{i:05}", f"vendor-{i:05}", trust()) for i in range(n)
    ]
    return [AccountData(ACCOUNT, roles)]


def outputs(n: int) -> dict[str, tuple[int, float]]:
    result = audit(data(n))
    view = report.audit_findings(result)
    out = {}
    for name in ("table", "json", "csv", "markdown", "html", "sarif"):
        start = time.perf_counter()
        text = report.render(view, name, version="bench", generated="now")
        out[name] = (len(text), time.perf_counter() - start)
    return out


def main() -> None:
    small, large = outputs(1_000), outputs(10_000)
    print(f"{'format':10} {'1,000 roles':>14} {'10,000 roles':>14} {'ratio':>7} {'time 10k':>9}")
    for name in small:
        (a, _), (b, seconds) = small[name], large[name]
        print(f"{name:10} {a:>12,} B {b:>12,} B {b / a:>6.1f}x {seconds:>8.2f}s")


if __name__ == "__main__":
    main()
