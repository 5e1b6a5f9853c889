"""Access points a bucket policy delegates to (validate/points.py; trial 20ab item 4). Pure: no
server (tests/e2e/test_validate_access_points.py reads them from moto). Before they were read,
a delegating bucket was a WARN saying so (test_validate_causes.py's case, now
test_access_points_not_read_are_a_warn for what is still not read).

S3 User Guide, "Delegating access control to access points": the bucket policy allows every
principal under s3:DataAccessPointAccount, and the access points' own policies then decide.
"Configuring IAM policies for using access points": "both the access point and the underlying
bucket must permit the request". "Creating access points restricted to a virtual private
cloud": S3 rejects any request to a VPC access point that does not come from its VPC."""

from __future__ import annotations

from provisioner.model import Status
from provisioner.validate import Check, Snapshot, static_checks
from provisioner.validate.model import AccessPoint
from tests.validate_snapshot import ACCOUNT, ROLE_ARN, SPEC, snapshot

PASS, FAIL, WARN = Status.PASS, Status.FAIL, Status.WARN
POINT = f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/uploads"
VENDOR_ACCOUNT = "340636424752"


def delegating(**condition: str) -> dict:
    """The S3 User Guide's delegation statement (its account under s3:DataAccessPointAccount)."""
    condition = condition or {"s3:DataAccessPointAccount": ACCOUNT}
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
        "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
        "Condition": {"StringEquals": condition}}]}  # fmt: skip


def point_policy(action: str = "s3:PutObject", principal: str = ROLE_ARN) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": principal}, "Action": action,
        "Resource": f"{POINT}/object/*"}]}  # fmt: skip


def least(state: Snapshot) -> Check:
    return {c.name: c for c in static_checks(state, SPEC)}["AWSLeastPrivilege"]


def test_an_access_point_whose_policy_lets_the_role_write_is_more_than_reading():
    """The access point's policy names the role (same account: it grants on its own) and the
    bucket delegates: the session may write through it. The role's own policies do not grant it,
    so create-role is not the fix: the access point's policy is."""
    found = least(
        snapshot(
            bucket_policy=delegating(),
            access_points=[AccessPoint("uploads", POINT, "Internet", point_policy())],
        )
    )
    assert found.status is WARN and found.code == "PERMISSIONS_TOO_BROAD", found.detail
    assert (
        "s3:PutObject through access point uploads (granted by the access point's policy, not the role's)"
        in found.detail
    )
    assert found.remedy == "BUCKET_POLICY_GRANTS" and "put-access-point-policy" in found.remediation


def test_an_access_point_granting_reads_only_passes():
    reading = AccessPoint("uploads", POINT, "Internet", point_policy("s3:GetObject"))
    found = least(snapshot(bucket_policy=delegating(), access_points=[reading]))
    assert found.status is PASS, found.detail


def test_a_vpc_access_point_is_not_the_vendors():
    """A VPC access point takes requests from its VPC only; the vendor calls from its own network."""
    state = snapshot(
        bucket_policy=delegating(), access_points=[AccessPoint("uploads", POINT, "VPC", point_policy())]
    )
    assert least(state).status is PASS


def test_the_bucket_must_permit_the_request_too():
    """Without the delegation (the bucket policy allows nothing through access points), the
    access point's grant is no write; the bucket policy's Deny refuses it as well."""
    points = [AccessPoint("uploads", POINT, "Internet", point_policy())]
    assert least(snapshot(access_points=points)).status is PASS
    deny = delegating()
    deny["Statement"].append(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/*"}
    )
    assert least(snapshot(bucket_policy=deny, access_points=points)).status is PASS


def test_the_vendors_own_account_through_an_access_point():
    """An access point policy naming the vendor's account: with the bucket's delegation, the
    vendor may write without the role (its own policies are not ours to read: taken to allow)."""
    theirs = point_policy(principal=f"arn:aws:iam::{VENDOR_ACCOUNT}:root")
    found = least(
        snapshot(
            bucket_policy=delegating(), access_points=[AccessPoint("uploads", POINT, "Internet", theirs)]
        )
    )
    assert found.status is WARN, found.detail
    assert (
        f"the vendor's own account {VENDOR_ACCOUNT} may s3:PutObject through access point uploads"
        in found.detail
    )
    assert "policy of access point uploads $.Statement[0]" in found.detail


def test_access_points_not_read_are_a_warn():
    """Another account's access points, and the account's own when AWS refused to list them, are
    not read: never a PASS."""
    other = least(snapshot(bucket_policy=delegating(**{"s3:DataAccessPointAccount": "999999999999"})))
    assert other.status is WARN and "999999999999" in other.detail, other.detail
    refused = least(snapshot(bucket_policy=delegating(), unreadable=["s3:ListAccessPoints"]))
    assert refused.status is WARN and "s3:ListAccessPoints" in refused.detail, refused.detail
    # the account's own access points, read, none granting more: a PASS
    assert least(snapshot(bucket_policy=delegating())).status is PASS


def test_a_delegation_by_network_origin_is_to_any_access_point():
    """Round 20ac G1: a bucket policy allowing everything under s3:AccessPointNetworkOrigin
    "Internet" (a key every request through an access point carries: Service Authorization
    Reference, Amazon S3, condition keys) delegates to every Internet access point, the account's
    own and any other account's. It passed, while an access point's policy let the role delete.
    The account's own are read; the others are not: a WARN, never a PASS."""
    origin = delegating()
    origin["Statement"][0]["Condition"] = {"StringEquals": {"s3:AccessPointNetworkOrigin": "Internet"}}
    deleting = AccessPoint("ap1", POINT, "Internet", point_policy("s3:DeleteObject"))
    found = least(snapshot(bucket_policy=origin, access_points=[deleting]))
    assert found.status is WARN and "s3:DeleteObject through access point ap1" in found.detail, found.detail
    unseen = least(snapshot(bucket_policy=origin))
    assert unseen.status is WARN and "any account's access points" in unseen.detail, unseen.detail
    # with the account named too, it is the account's own alone (the conditions hold together)
    both = delegating()
    both["Statement"][0]["Condition"]["StringEquals"]["s3:AccessPointNetworkOrigin"] = "Internet"
    assert least(snapshot(bucket_policy=both)).status is PASS


def test_reading_through_any_access_point_is_reading_other_buckets():
    """Round 20ac G3: a role policy granting s3:GetObject on arn:aws:s3:*:ACCOUNT:accesspoint/*
    reads, through their access points, every bucket that delegates to them (an access point's
    object ARN is accesspoint/NAME/object/KEY: "Configuring IAM policies for using access
    points"). It passed as "on this bucket only"."""
    from provisioner.evaluation import Policy

    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:*:{ACCOUNT}:accesspoint/*"}]}  # fmt: skip
    state = snapshot()
    state.identity_policies = [*state.identity_policies, Policy("inline policy points", wide)]
    found = least(state)
    assert found.status is WARN and "s3:GetObject on other access points" in found.detail, found.detail


def test_writing_through_a_multi_region_access_point_is_a_write():
    """Round 20ad item 3: a role policy granting s3:PutObject on arn:aws:s3::ACCOUNT:accesspoint/*
    (Multi-Region Access Points' ARNs name no region: S3 User Guide, "Multi-Region Access Points",
    permissions; within the account the identity policy is what they ask) passed."""
    from provisioner.evaluation import Policy

    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3::{ACCOUNT}:accesspoint/*"}]}  # fmt: skip
    state = snapshot()
    state.identity_policies = [*state.identity_policies, Policy("inline policy mrap", wide)]
    found = least(state)
    assert found.status is WARN and "s3:PutObject on other multi-region access points" in found.detail, (
        found.detail
    )
