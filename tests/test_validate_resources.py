"""What the account's other buckets' and KMS keys' own policies give the role (validate/resources.py;
round 20ac G2). IAM User Guide, "Policy evaluation logic": within one account, an Allow in a
resource-based policy naming the principal grants on its own. Pure: no server (the policies are
gather's, in the snapshot; tests/e2e/test_validate_access_points.py reads one from moto)."""

from __future__ import annotations

from provisioner.model import Status
from provisioner.validate import Check, static_checks
from tests.validate_snapshot import ACCOUNT, ROLE_ARN, SPEC, snapshot

ARCHIVE = "arn:aws:s3:::customer-archive"
OTHER_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000aaaa-11bb-22cc-33dd-444455556666"


def grant(action: str, resource: str, principal: object = None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal or {"AWS": ROLE_ARN}, "Action": action}
    return {"Version": "2012-10-17", "Statement": [{**statement, "Resource": resource}]}


def least(others: list, **changes: object) -> Check:
    state = snapshot(other_policies=others, **changes)
    return {c.name: c for c in static_checks(state, SPEC)}["AWSLeastPrivilege"]


def test_another_buckets_policy_granting_the_role_writes_is_more_than_reading():
    found = least(
        [("bucket", ARCHIVE, grant(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], f"{ARCHIVE}/*"))]
    )
    assert found.status is Status.WARN, found.detail
    assert "on bucket customer-archive (granted by that bucket's policy, not the role's)" in found.detail, (
        found.detail
    )
    assert found.remedy == "BUCKET_POLICY_GRANTS"


def test_another_buckets_policy_granting_others_is_nothing_of_the_roles():
    other_role = grant("s3:PutObject", f"{ARCHIVE}/*", {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Other"})
    assert least([("bucket", ARCHIVE, other_role)]).status is Status.PASS
    # the account's root delegates to the role's own policies, which grant nothing there
    root = grant("s3:PutObject", f"{ARCHIVE}/*", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    assert least([("bucket", ARCHIVE, root)]).status is Status.PASS


def test_another_keys_policy_letting_the_role_delete_it():
    found = least([("key", OTHER_KEY, grant("kms:*", "*"))])
    assert found.status is Status.WARN and "on KMS key" in found.detail, found.detail
    assert "kms:" in found.detail


def test_other_policies_not_read_are_a_warn():
    found = least([], unreadable=["s3:ListAllMyBuckets"])
    assert found.status is Status.WARN and "s3:ListAllMyBuckets" in found.detail, found.detail
    found = least([], others_unread=["bucket logs: s3:GetBucketPolicy (AccessDenied)"])
    assert found.status is Status.WARN and "bucket logs" in found.detail, found.detail


def test_another_buckets_policy_granting_the_vendors_own_account():
    """Round 20ad item 5: another bucket's policy granting the vendor's account root reads and
    writes passed; across accounts that grant and the vendor's own policies (not ours to read,
    taken to allow) decide ("Cross-account policy evaluation logic")."""
    vendor = grant(
        ["s3:GetObject", "s3:PutObject"], f"{ARCHIVE}/*", {"AWS": "arn:aws:iam::340636424752:root"}
    )
    found = least([("bucket", ARCHIVE, vendor)])
    assert found.status is Status.WARN, found.detail
    assert "340636424752 may s3:GetObject, s3:PutObject on bucket customer-archive" in found.detail, (
        found.detail
    )
    assert "policy of bucket customer-archive $.Statement[0]" in found.detail
