"""validate's verdicts over the values only the vendor chooses (issue 20, evaluation/free.py):
its session name, where it calls from, its TLS version and its session tags. PASS only when the
read is allowed for every value, FAIL when denied for every value, otherwise WARN naming the key
and both sides. Each case cites the AWS page that says the key is the vendor's; each one was
decided as one request with our own values before (a wrong PASS or a wrong FAIL). No endpoint."""

from __future__ import annotations

from provisioner.evaluation import Policy
from provisioner.model import Status
from provisioner.role import RoleSpec, wanted_role
from provisioner.validate import Snapshot, ValidateSpec, kms_decrypt, static_checks
from provisioner.vendors import get_vendor

ACCOUNT = "123456789012"
ID = "ckx5y2w9q0001abcd1234"
LABELBOX = get_vendor("labelbox")
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/LabelboxS3Access/provisioner-validate"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SPEC = ValidateSpec(ROLE_ARN, ID, "images", LABELBOX)
WANTED, _ = wanted_role(RoleSpec(LABELBOX, "images", ID))
PASS, FAIL, WARN = Status.PASS, Status.FAIL, Status.WARN
READS = ("AWSBucketAccess", "AWSObjectRead")
BUCKET_AND_OBJECTS = ["arn:aws:s3:::images", "arn:aws:s3:::images/*"]


def snapshot(**changes) -> Snapshot:
    state = Snapshot(
        role={
            "RoleName": "LabelboxS3Access",
            "Arn": ROLE_ARN,
            "RoleId": "AROAEXAMPLEROLEID0001",
            "AssumeRolePolicyDocument": WANTED.trust,
        },
        identity_policies=[Policy("policy LabelboxReadAccess", WANTED.permissions)],
        cors=[WANTED.cors_rule],
    )
    for name, value in changes.items():
        setattr(state, name, value)
    return state


def bucket_policy(effect: str, condition: dict | None = None, **principal) -> dict:
    statement = {"Sid": "Guard", "Effect": effect, "Action": "s3:*", "Resource": BUCKET_AND_OBJECTS}
    statement.update(principal or {"Principal": "*"})
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def checks(state: Snapshot) -> dict:
    return {c.name: c for c in static_checks(state, SPEC)}


def reads(state: Snapshot) -> tuple[Status, Status]:
    found = checks(state)
    return found["AWSBucketAccess"].status, found["AWSObjectRead"].status


# S3 User Guide, "Amazon S3 condition key examples" / "s3:TlsVersion" ("Example bucket policy:
# deny access to requests that use a TLS version lower than 1.3"); "Protecting data in transit
# with encryption": S3 supports TLS 1.2 and TLS 1.3, so the vendor sends 1.2 or 1.3.
TLS_BELOW_13 = bucket_policy("Deny", {"NumericLessThan": {"s3:TlsVersion": "1.3"}})


def test_a_bucket_policy_denying_tls_below_13_is_a_warning_that_says_both_sides():
    found = checks(snapshot(bucket_policy=TLS_BELOW_13))
    for name in READS:
        assert found[name].status is WARN and found[name].code is None
        assert "depends on s3:TlsVersion: allowed from 1.3, denied below" in found[name].detail
        assert "Sid Guard" in found[name].detail  # the statement that denies the other side
        # the fix is not the role's policy (it allows): ask the vendor, or change that statement
        assert "depends on a value only the vendor chooses" in found[name].remediation
        assert found[name].commands == ()


def test_a_tls_floor_above_every_version_the_vendor_can_use_fails_every_read():
    # NumericLessThan 1.4 denies TLS 1.2 and 1.3 alike ("s3:TlsVersion"): FAIL, not a warning
    state = snapshot(bucket_policy=bucket_policy("Deny", {"NumericLessThan": {"s3:TlsVersion": "1.4"}}))
    found = checks(state)
    assert found["AWSBucketAccess"].code == "BUCKET_ACCESS_DENIED"
    assert found["AWSObjectRead"].code == "OBJECT_READ_DENIED"
    for name in READS:  # the remediation names the Deny that refuses, though our request has no TLS key
        assert "the bucket policy of images refuses it" in found[name].remediation
        assert "Sid Guard" in found[name].remediation


def test_a_grant_only_over_tls_13_is_a_warning_not_a_failure():
    # The role's own policies allow nothing; the bucket policy grants the role over TLS 1.3 only.
    grant = bucket_policy(
        "Allow", {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.3"}}, Principal={"AWS": ROLE_ARN}
    )
    assert reads(snapshot(bucket_policy=grant, identity_policies=[])) == (WARN, WARN)


# IAM User Guide, "IAM JSON policy elements: Principal" (role session principals:
# arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) and "AWS global condition context keys"
# (aws:userid is ROLE-ID:SESSION-NAME for a role session): the session name is the vendor's.


def test_a_bucket_policy_granting_only_our_simulated_session_name_is_a_warning():
    grant = bucket_policy("Allow", Principal={"AWS": SESSION})
    found = checks(snapshot(bucket_policy=grant, identity_policies=[]))
    for name in READS:
        assert found[name].status is WARN
        assert (
            "depends on the vendor's session name: allowed only for sessions named provisioner-validate"
            in found[name].detail
        )


def test_a_deny_to_every_session_but_one_is_a_warning():
    # the guide's form names the session, its role and the account ("AWS JSON policy elements:
    # NotPrincipal"); naming the session alone spares no one (tests/test_evaluation.py)
    spared = [SESSION, ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:root"]
    assert reads(snapshot(bucket_policy=bucket_policy("Deny", NotPrincipal={"AWS": spared}))) == (WARN, WARN)
    assert reads(snapshot(bucket_policy=bucket_policy("Deny", NotPrincipal={"AWS": SESSION}))) == (FAIL, FAIL)


def test_a_userid_pattern_on_the_session_name_is_a_warning_both_ways():
    # a Deny unless the session name starts with lb-: our own name would have been refused (FAIL)
    deny = bucket_policy("Deny", {"StringNotLike": {"aws:userid": "AROAEXAMPLEROLEID0001:lb-*"}})
    found = checks(snapshot(bucket_policy=deny))
    detail = found["AWSObjectRead"].detail
    assert found["AWSObjectRead"].status is WARN
    assert "allowed only for sessions named like lb-*" in detail and "denied for any other" in detail


def test_a_deny_of_names_matching_two_patterns_at_once_is_found():
    # "Creating a condition with multiple keys or values": both operators must match, so only a
    # name like lb-* that also ends in -prod is denied; a member of each pattern alone is allowed
    deny = bucket_policy(
        "Deny", {"StringLike": {"aws:userid": "*:lb-*"}, "ForAnyValue:StringLike": {"aws:userid": "*:*-prod"}}
    )
    detail = checks(snapshot(bucket_policy=deny))["AWSObjectRead"].detail
    assert "denied for sessions named like lb-* and *-prod" in detail


def test_aws_userid_carries_the_roles_own_unique_id():
    # "aws:userid": ROLE-ID:SESSION; a policy pinned to the role's ID and any session name passes
    deny = bucket_policy("Deny", {"StringNotLike": {"aws:userid": "AROAEXAMPLEROLEID0001:*"}})
    assert reads(snapshot(bucket_policy=deny)) == (PASS, PASS)


# IAM User Guide, "AWS global condition context keys": aws:SourceIp is the requester's address
# and is absent through a VPC endpoint, where aws:VpcSourceIp, aws:SourceVpc and aws:SourceVpce
# are present; S3 User Guide, "Controlling access from VPC endpoints with bucket policies".


def test_a_deny_outside_an_address_range_is_a_warning_not_a_failure():
    deny = bucket_policy("Deny", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    found = checks(snapshot(bucket_policy=deny))
    detail = found["AWSObjectRead"].detail
    assert found["AWSObjectRead"].status is WARN
    assert "depends on where the vendor calls from (aws:SourceIp)" in detail
    assert "allowed only from 203.0.113.0 (inside 203.0.113.0/24)" in detail
    assert "denied from 203.0.114.0 (outside 203.0.113.0/24)" in detail


def test_a_deny_of_one_address_range_is_a_warning_not_a_pass():
    deny = bucket_policy("Deny", {"IpAddress": {"aws:SourceIp": "198.51.100.0/22"}})
    assert reads(snapshot(bucket_policy=deny)) == (WARN, WARN)


def test_a_bucket_reachable_only_through_your_vpc_endpoint_fails_the_vendor():
    """A VPC endpoint is in one account's VPC: the vendor calls from its own network, through its
    own endpoint or none, never through the one your policy names (IAM User Guide, "AWS global
    condition context keys", aws:SourceVpce: "the identifier of the VPC endpoint the request was
    made through"; AWS's data-perimeter patterns name the customer's own endpoints). The reads
    fail, naming the statement, as AWS would refuse them."""
    deny = bucket_policy("Deny", {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
    found = checks(snapshot(bucket_policy=deny))
    assert reads(snapshot(bucket_policy=deny)) == (FAIL, FAIL)
    assert "Guard" in (found["AWSBucketAccess"].detail or "")


# IAM User Guide, "Passing session tags in AWS STS" (the trust must allow sts:TagSession) and
# "AWS global condition context keys" (aws:PrincipalTag/KEY).


def trust_with_tags(allowed: bool) -> dict:
    trust = {**WANTED.trust, "Statement": [dict(s) for s in WANTED.trust["Statement"]]}
    if allowed:
        trust["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    return trust


def test_a_principal_tag_the_role_has_not_is_the_vendors_only_when_it_may_tag_its_session():
    deny = bucket_policy("Deny", {"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})
    found = {}
    for tagging in (True, False):
        role = {**snapshot().role, "AssumeRolePolicyDocument": trust_with_tags(tagging)}
        found[tagging] = checks(snapshot(bucket_policy=deny, role=role))["AWSObjectRead"]
    assert found[True].status is WARN, found[True].detail
    assert (
        "depends on the vendor's session tag aws:PrincipalTag/team: allowed only when it is 'labeling'"
        in found[True].detail
    )
    # without sts:TagSession the session has only the role's tags, and the role has no team tag
    assert found[False].code == "OBJECT_READ_DENIED"


# STS API Reference, AssumeRole, Tags: "You can pass a session tag with the same key as a tag
# that is already attached to the role. When you do, session tags override a role tag with the
# same key." (IAM User Guide, "Pass session tags in AWS STS", links it.) A role's tag decides
# only while the vendor may not tag its session.


def test_a_role_tag_the_vendor_may_override_with_a_session_tag_is_the_vendors_choice():
    deny = bucket_policy("Deny", {"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})
    found = {}
    for value in ("labeling", "other"):
        for tagging in (True, False):
            role = {
                **snapshot().role,
                "AssumeRolePolicyDocument": trust_with_tags(tagging),
                "Tags": [{"Key": "team", "Value": value}],
            }
            found[value, tagging] = checks(snapshot(bucket_policy=deny, role=role))["AWSObjectRead"]
    # the role's own tag decides when the vendor cannot tag its session
    assert found["labeling", False].status is PASS
    assert found["other", False].code == "OBJECT_READ_DENIED"
    # with sts:TagSession the vendor's session tag overrides it: either way, the vendor decides
    said = {
        "labeling": "allowed when it is 'labeling', when the vendor passes none (the role's own tag)",
        "other": "allowed only when it is 'labeling'",
    }
    for value, words in said.items():
        check = found[value, True]
        assert check.status is WARN, (value, check.status, check.detail)
        assert f"session tag aws:PrincipalTag/team: {words}" in (check.detail or ""), check.detail


# A write some value allows is a write the vendor may make (AWSLeastPrivilege).


def test_a_write_granted_from_one_address_range_is_too_broad():
    grant = bucket_policy(
        "Allow", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, Principal={"AWS": ROLE_ARN}
    )
    grant["Statement"][0]["Action"] = "s3:PutObject"
    check = checks(snapshot(bucket_policy=grant))["AWSLeastPrivilege"]
    assert check.status is WARN and check.code == "PERMISSIONS_TOO_BROAD" and "s3:PutObject" in check.detail


def test_a_write_granted_only_over_http_or_signature_version_2_is_too_broad():
    """Round 20af item 3: a write granted only where aws:SecureTransport is false (or
    s3:signatureversion is "AWS", Signature Version 2) passed AWSLeastPrivilege, the session's
    requests being taken over HTTPS with SigV4. IAM User Guide, "AWS global condition context
    keys", aws:SecureTransport: "whether the request was sent using TLS" (the client's choice);
    Amazon S3 condition keys, s3:signatureversion ("AWS" for SigV2, "AWS4-HMAC-SHA256" for
    SigV4). The vendor holds the session and may call either way; its reads stay over HTTPS: a
    Deny of plain HTTP leaves them a PASS."""
    for condition in (
        {"Bool": {"aws:SecureTransport": "false"}},
        {"BoolIfExists": {"aws:SecureTransport": "false"}},
        {"StringEquals": {"s3:signatureversion": "AWS"}},
    ):
        grant = bucket_policy("Allow", condition, Principal={"AWS": ROLE_ARN})
        grant["Statement"][0]["Action"] = ["s3:PutObject", "s3:DeleteObject"]
        check = checks(snapshot(bucket_policy=grant))["AWSLeastPrivilege"]
        assert check.status is WARN and "s3:PutObject" in check.detail, (condition, check.detail)
    https_only = bucket_policy("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    assert reads(snapshot(bucket_policy=https_only)) == (Status.PASS, Status.PASS)
    assert checks(snapshot(bucket_policy=https_only))["AWSLeastPrivilege"].status is Status.PASS


# AWS KMS Developer Guide, "Key policies": a key policy naming one session of the role.


def test_a_key_policy_naming_one_session_is_a_warning():
    wanted, _ = wanted_role(RoleSpec(LABELBOX, "images", ID, kms_key_arn=KEY))
    grant = {"Effect": "Allow", "Principal": {"AWS": SESSION}, "Action": "kms:Decrypt", "Resource": "*"}
    key_policy = {"Version": "2012-10-17", "Statement": [grant]}
    state = snapshot(
        kms_key=KEY,
        key_policy=key_policy,
        identity_policies=[Policy("policy LabelboxReadAccess", wanted.permissions)],
    )
    verdict = kms_decrypt(state, SPEC)
    assert verdict.status is WARN and "depends on the vendor's session name" in verdict.detail


def test_reads_refused_on_the_bucket_leave_the_verdicts_they_could_change_not_decided():
    """Round 20ag items 1-3: with s3:GetEncryptionConfiguration refused, AWSObjectRead passed
    (an SSE-KMS key whose policy refuses S3's decrypt would not be seen); with GetBucketAcl,
    GetBucketPolicy or GetObjectAcl refused, AWSLeastPrivilege passed (an ACL or the bucket policy
    may grant a write). README, "Every read is optional": a verdict such a policy could change
    is a WARN naming the refused read."""
    found = checks(snapshot(unreadable=["s3:GetEncryptionConfiguration"]))["AWSObjectRead"]
    assert found.status is WARN and "s3:GetEncryptionConfiguration" in found.detail, found.detail
    assert "GetEncryptionConfiguration" in found.remediation and not found.commands
    for refused in (
        "s3:GetBucketAcl",
        "s3:GetBucketPolicy",
        "s3:GetObjectAcl",
        "s3:GetBucketOwnershipControls",
    ):
        found = checks(snapshot(unreadable=[refused]))["AWSLeastPrivilege"]
        assert found.status is WARN and refused in found.detail, (refused, found.detail)
    assert checks(snapshot())["AWSLeastPrivilege"].status is Status.PASS
