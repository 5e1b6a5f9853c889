"""API calls of create-role, counted with botocore's before-call event, against the sandbox.

Reports the calls of a fresh create and of a no-op re-run (which must make no mutating call).
"""

from __future__ import annotations

from provisioner import role, sandbox
from provisioner.aws import Aws
from provisioner.vendors import get_vendor


def main() -> None:
    box = sandbox.start(0)
    try:
        wanted, _ = role.wanted_role(
            role.RoleSpec(get_vendor("labelbox"), sandbox.DEMO_BUCKET, "ckbench000000000001")
        )
        for label in ("fresh create", "no-op re-run"):
            aws = Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)
            role.create_role(aws, wanted)
            counts = aws.log.counts()
            print(f"{label}: {len(aws.log.calls)} calls, {len(aws.log.mutating)} mutating")
            for call, n in sorted(counts.items()):
                print(f"  {n} x {call}")
    finally:
        box.stop()


if __name__ == "__main__":
    main()
