"""validate's decisions on the demo role, gather excluded (issue 20: at most 1 s in-process).

The sandbox's demo bucket and the role create-role makes for it; one gather (the AWS reads),
then the pure decisions (`static_checks`: the trust's exact analysis, the S3 and KMS requests
over every value of the keys only the vendor chooses) timed alone: the first run in a fresh
process (the solver loaded and its questions asked for the first time) and the median of the
runs after it. Figures only; never a timed assertion in tests.
"""

from __future__ import annotations

import statistics
import time

from provisioner import api, sandbox
from provisioner.aws import Aws
from provisioner.role import RoleSpec
from provisioner.validate import ValidateSpec, check_spec, gather, static_checks
from provisioner.vendors import get_vendor

EXTERNAL_ID = "ckx5y2w9q0001abcd1234"
RUNS = 11


def main() -> None:
    box = sandbox.start(0)
    try:
        aws = Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)
        vendor = get_vendor("labelbox")
        created = api.create_role(RoleSpec(vendor, sandbox.DEMO_BUCKET, EXTERNAL_ID), aws)
        spec = check_spec(ValidateSpec(created.plan.role_arn, EXTERNAL_ID, sandbox.DEMO_BUCKET, vendor))
        start = time.perf_counter()
        state = gather(aws, spec)
        gathered = time.perf_counter() - start
        times = []
        for _ in range(RUNS + 1):
            start = time.perf_counter()
            checks = static_checks(state, spec)
            times.append(time.perf_counter() - start)
        first, rest = times[0], statistics.median(times[1:])
        print(f"gather (AWS reads, excluded)        {gathered:8.3f} s")
        print(f"decisions, first in the process     {first:8.3f} s (the solver loaded, its questions asked)")
        print(f"decisions, median of the next {RUNS}   {rest:8.3f} s")
        print("verdicts: " + ", ".join(f"{c.name} {c.status.value}" for c in checks))
    finally:
        box.stop()


if __name__ == "__main__":
    main()
