"""API calls of create-role, counted with botocore's before-call event, against the sandbox.

Reports the calls of a fresh create (with its read-back after the writes) and of a no-op
re-run (which must make no mutating call), then the same for a second role once the account
holds 300 more roles and policies: no lookup lists the account, so the counts do not grow.
Targets (issue 18): at most 10 calls fresh, at most 6 on a no-op.
"""

from __future__ import annotations

import json

from provisioner import role, sandbox
from provisioner.aws import Aws
from provisioner.vendors import get_vendor

EXTRA = 300


def _run(box: sandbox.Sandbox, role_name: str, bucket: str, label: str) -> None:
    spec = role.RoleSpec(
        get_vendor("labelbox"),
        bucket,
        "ckbench000000000001",
        role_name=role_name,
        policy_name=role_name + "Read",
    )
    wanted, _ = role.wanted_role(spec)
    for run in ("fresh create", "no-op re-run"):
        aws = Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)
        role.create_role(aws, wanted)
        print(f"{label}, {run}: {len(aws.log.calls)} calls, {len(aws.log.mutating)} mutating")
        for call, n in sorted(aws.log.counts().items()):
            print(f"  {n} x {call}")


def main() -> None:
    box = sandbox.start(0)
    try:
        _run(box, "LabelboxS3Access", sandbox.DEMO_BUCKET, "empty account")
        admin = Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)
        iam, s3 = admin.client("iam"), admin.client("s3")
        document = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
            }
        )
        for n in range(EXTRA):
            iam.create_role(RoleName=f"Other{n}", AssumeRolePolicyDocument="{}")
            iam.create_policy(PolicyName=f"Other{n}", PolicyDocument=document)
        s3.create_bucket(Bucket="bench-second-bucket")
        _run(box, "SecondRole", "bench-second-bucket", f"{EXTRA} more roles and policies")
        print("targets: at most 10 calls fresh (with the read-back), at most 6 on a no-op")
    finally:
        box.stop()


if __name__ == "__main__":
    main()
