"""validate against moto's server with a bucket policy keyed on what only the vendor chooses
(issue 20): S3 User Guide, "Amazon S3 condition key examples" / "s3:TlsVersion", a Deny of every
request below TLS 1.3. The vendor may connect with TLS 1.2 or 1.3, so its reads depend on it:
WARN, saying both sides, never PASS."""

from __future__ import annotations

import json

from provisioner import role
from provisioner.vendors import get_vendor

from .conftest import BUCKET, EXTERNAL_ID

ROLE_ARN = "arn:aws:iam::123456789012:role/LabelboxS3Access"
LABELBOX = get_vendor("labelbox")

TLS_13_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyBelowTls13",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.3"}},
        }
    ],
}


def test_a_tls_13_bucket_policy_is_not_decided_and_says_both_sides(cli, aws_env, make_aws, customer):
    wanted, _ = role.wanted_role(role.RoleSpec(LABELBOX, BUCKET, EXTERNAL_ID))
    role.create_role(make_aws(), wanted)
    customer.s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(TLS_13_ONLY))
    args = ("validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET)

    result = cli(*args, "-o", "json")
    # README, validate: exit 0 when no check fails, warnings included; the JSON lists what is undecided
    assert result.code == 0, result.stderr
    data = result.json()
    checks = {c["name"]: c for c in data["checks"]}
    assert data["undecided"] == ["AWSBucketAccess", "AWSObjectRead"]
    for name in data["undecided"]:
        check = checks[name]
        assert (check["status"], check["success"], check["code"]) == ("warn", True, None)
        assert "depends on s3:TlsVersion: allowed from 1.3, denied below" in check["detail"]
        assert "Sid DenyBelowTls13" in check["detail"]
    assert checks["AWSAssumeRole"]["status"] == "pass"

    table = cli(*args)
    assert table.code == 0
    assert "NOT DECIDED: no check fails" in table.stdout and "AWSObjectRead" in table.stdout
