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
VALIDATE = ("validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET)

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
    args = VALIDATE

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


def test_a_deny_of_some_objects_is_a_warning_naming_one_of_each(cli, aws_env, make_aws, customer):
    """Trial 20r item 1, against moto: a bucket policy denying every .png and one folder was VALID,
    judged at one made-up key. Without --key every object under the prefix is asked: a WARN
    naming an object read and one refused; with --key that object alone, here a FAIL."""
    wanted, _ = role.wanted_role(role.RoleSpec(LABELBOX, BUCKET, EXTERNAL_ID))
    role.create_role(make_aws(), wanted)
    deny = {
        "Sid": "NoImages",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": [f"arn:aws:s3:::{BUCKET}/*.png", f"arn:aws:s3:::{BUCKET}/private/*"],
    }
    customer.s3.put_bucket_policy(
        Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]})
    )
    args = (*VALIDATE, "-o", "json")

    result = cli(*args)
    assert result.code == 0, result.stderr
    read = {c["name"]: c for c in result.json()["checks"]}["AWSObjectRead"]
    assert read["status"] == "warn" and "depends on the object's key" in read["detail"], read["detail"]
    assert f"allowed for arn:aws:s3:::{BUCKET}/provisioner-sample-object" in read["detail"]
    assert "Sid NoImages" in read["detail"]

    customer.s3.put_object(Bucket=BUCKET, Key="cat.png", Body=b"x")
    at_key = cli(*args, "--key", "cat.png")
    assert at_key.code == 1
    assert {c["name"]: c for c in at_key.json()["checks"]}["AWSObjectRead"]["status"] == "fail"
