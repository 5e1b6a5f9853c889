"""validate reads the access points a bucket policy delegates to (s3control ListAccessPoints and
GetAccessPointPolicy, against moto's server; validate/points.py, trial 20ab item 4). moto stores
and returns them; our evaluator decides the policies (moto does not enforce them)."""

from __future__ import annotations

import json

from provisioner import sandbox, validate

from .conftest import BUCKET
from .test_validate_known_keys import ROLE_ARN, setup_role, target

ACCOUNT = sandbox.CUSTOMER_ACCOUNT


def least(make_aws) -> validate.Check:
    return {c.name: c for c in validate.validate(make_aws(), target()).checks}["AWSLeastPrivilege"]


def delegate(aws) -> None:
    """The S3 User Guide's delegation of the bucket to the account's access points."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        "Condition": {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}}}]}  # fmt: skip
    aws.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))


def test_an_access_point_granting_the_role_writes_is_read_and_named(make_aws):
    setup_role(make_aws)
    aws = make_aws()
    delegate(aws)
    control = aws.client("s3control")  # at a local endpoint: no account prefix (provisioner/aws.py)
    control.create_access_point(AccountId=ACCOUNT, Name="readers", Bucket=BUCKET)
    reading = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/readers/object/*"}]}  # fmt: skip
    control.put_access_point_policy(AccountId=ACCOUNT, Name="readers", Policy=json.dumps(reading))
    assert least(make_aws).status == "pass"
    control.create_access_point(AccountId=ACCOUNT, Name="uploads", Bucket=BUCKET)
    writing = json.loads(
        json.dumps(reading).replace("readers", "uploads").replace("s3:GetObject", "s3:PutObject")
    )
    control.put_access_point_policy(AccountId=ACCOUNT, Name="uploads", Policy=json.dumps(writing))
    found = least(make_aws)
    assert found.status == "warn" and "s3:PutObject through access point uploads" in found.detail, (
        found.detail
    )
    assert "readers" not in found.detail


def test_an_objects_acl_letting_any_account_change_it_is_read_with_key(make_aws, customer):
    """Round 20ac G5, against moto: with ACLs on, an object's ACL granting WRITE_ACP to
    AuthenticatedUsers (any AWS account, the vendor's among them: S3 User Guide, "Access control
    list (ACL) overview") passed least privilege with --key. GetObjectAcl is read for --key."""
    from dataclasses import replace

    setup_role(make_aws)
    key = "notes/readme.txt"
    customer.s3.put_object(Bucket=BUCKET, Key=key, Body=b"hello")
    spec = replace(target(), key=key)
    least = {c.name: c for c in validate.validate(make_aws(), spec).checks}["AWSLeastPrivilege"]
    assert least.status == "pass", least.detail
    owner = customer.s3.get_bucket_acl(Bucket=BUCKET)["Owner"]["ID"]
    anyone = 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"'
    customer.s3.put_object_acl(Bucket=BUCKET, Key=key, GrantFullControl=f'id="{owner}"', GrantWriteACP=anyone)
    least = {c.name: c for c in validate.validate(make_aws(), spec).checks}["AWSLeastPrivilege"]
    assert least.status == "warn" and f"the object ACL of {key} grants WRITE_ACP" in least.detail, (
        least.detail
    )


def test_another_buckets_policy_granting_the_role_is_read(make_aws, customer):
    """Round 20ac G2, against moto: another bucket of the account whose policy grants the role
    s3:PutObject (same account: a resource policy naming the principal grants on its own) is
    read with ListBuckets and GetBucketPolicy, and named."""
    setup_role(make_aws)
    customer.s3.create_bucket(Bucket="customer-archive")
    assert least(make_aws).status == "pass"
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::customer-archive/*"}]}  # fmt: skip
    customer.s3.put_bucket_policy(Bucket="customer-archive", Policy=json.dumps(grant))
    found = least(make_aws)
    assert found.status == "warn" and "s3:PutObject on bucket customer-archive" in found.detail, found.detail


def test_another_keys_policy_granting_the_role_is_read(make_aws):
    """Round 20ad (redder item 2): GetKeyPolicy was asked without PolicyName, which moto refuses,
    so any KMS key made least privilege "not all read". A key whose policy gives the role kms:*
    is read and named; the account's own-root key is nothing of the role's."""
    setup_role(make_aws)
    kms = make_aws().client("kms")
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [root]}))
    assert least(make_aws).status == "pass"
    role_all = {**root, "Principal": {"AWS": ROLE_ARN}}
    kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [root, role_all]}))
    found = least(make_aws)
    assert found.status == "warn" and "on KMS key" in found.detail, found.detail


def test_a_multi_region_access_point_over_a_delegating_bucket_is_a_warn(make_aws):
    """Round 20ae item 11: a bucket policy delegating to the account's access points, and a
    Multi-Region Access Point over the bucket whose policy grants the vendor's account writes,
    passed. Its policy is not read; that one exists (ListMultiRegionAccessPoints) is a WARN."""
    setup_role(make_aws)
    aws = make_aws()
    delegate(aws)
    assert least(make_aws).status == "pass"
    details = {"Name": "mrap1", "Regions": [{"Bucket": BUCKET}]}
    aws.client("s3control", "us-west-2").create_multi_region_access_point(AccountId=ACCOUNT, Details=details)
    found = least(make_aws)
    assert found.status == "warn" and "Multi-Region Access Points (mrap1)" in found.detail, found.detail
