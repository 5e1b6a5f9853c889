"""Remediations that point at the fix when a read is refused or undecided for a reason other
than the role's own policies (validate/causes.py, policies/checks.json; issue 20). Pure: no
server. Each case cites the AWS documentation section that makes it the fix."""

from __future__ import annotations

import json
from dataclasses import replace

from provisioner.evaluation import Policy
from provisioner.model import Status
from provisioner.organization import OrgPolicies
from provisioner.validate import Check, Snapshot, static_checks
from tests.test_known_keys import BOUNDARY, NOT_US, OU_ONLY, RCP_FULL, TAG_DENY, perimeter_org, tagged
from tests.validate_snapshot import KEY as KEY_ARN
from tests.validate_snapshot import ROLE_ARN, SPEC, WANTED, snapshot

PASS, FAIL, WARN = Status.PASS, Status.FAIL, Status.WARN
ORG = "o-a1b2c3d4e5"
READS = ("AWSBucketAccess", "AWSObjectRead")


def checks(state: Snapshot) -> dict[str, Check]:
    return {c.name: c for c in static_checks(state, SPEC)}


# (a) IAM User Guide, "Pass session tags in AWS STS": a role session's principal tags include
# "IAM tags - The tags attached to your IAM assumed role"; a bucket policy keyed on
# aws:PrincipalTag/<key> is met by tagging the role, not by rewriting its policies.


def test_a_deny_keyed_on_a_tag_the_role_lacks_points_at_tagging_the_role():
    read = checks(snapshot(role=tagged(), bucket_policy=TAG_DENY))["AWSObjectRead"]
    assert read.status is FAIL and read.code == "OBJECT_READ_DENIED"
    command = (
        'aws iam tag-role --role-name LabelboxS3Access --tags \'[{"Key": "team", "Value": "labeling"}]\''
    )
    assert command in read.remediation and read.commands == (command,)
    assert "create-role" not in read.remediation and "aws:PrincipalTag/team" in read.remediation
    # the fix it names is the fix: the role so tagged reads
    fixed = checks(snapshot(role=tagged(("team", "labeling")), bucket_policy=TAG_DENY))["AWSObjectRead"]
    assert fixed.status is PASS


def test_a_tag_is_not_the_fix_when_the_roles_policies_also_refuse():
    """Tagging alone would not let the reads through (the role's policies grant none): the
    remediation stays create-role's."""
    read = checks(snapshot(role=tagged(), bucket_policy=TAG_DENY, identity_policies=[]))["AWSObjectRead"]
    assert read.status is FAIL and "tag-role" not in read.remediation and "create-role" in read.remediation


# (b) What decides a verdict "not decided" on the customer's organization is an input, not a
# change: the organization's ID (DescribeOrganization, or the ARN of an --scp-file/--rcp-file
# policy) and the account's OU path (ListParents; IAM User Guide, "AWS global condition context
# keys", aws:PrincipalOrgPaths).


def test_an_undecided_ou_path_names_the_input_that_decides_it():
    files = OrgPolicies(rcps=[[RCP_FULL, Policy("RCP ou-only", OU_ONLY)]], org_id=ORG)
    found = checks(snapshot(org=files))
    for name in READS:
        check = found[name]
        assert check.status is WARN and check.detail.startswith("not decided: ")
        assert (
            "organizations:ListParents" in check.remediation and "aws:PrincipalOrgPaths" in check.remediation
        )
        assert "create-role" not in check.remediation and check.commands == ()


def test_an_undecided_organization_id_names_describe_organization_or_the_policy_files():
    found = checks(snapshot(org=perimeter_org()))
    for name in READS:
        check = found[name]
        assert check.status is WARN and "aws:PrincipalOrgID" in check.detail
        assert "organizations:DescribeOrganization" in check.remediation and "--scp-file" in check.remediation
        assert "create-role" not in check.remediation


# (c) IAM User Guide, "Permissions boundaries for IAM entities": "The NotPrincipal element with a
# Deny effect will always deny any IAM principal that has a permissions boundary policy
# attached, regardless of the values specified in the NotPrincipal element."


def test_a_notprincipal_deny_with_a_boundary_names_the_boundary_as_the_cause():
    found = checks(snapshot(bucket_policy=NOT_US, boundary=BOUNDARY))
    for name in READS:
        check = found[name]
        assert check.status is FAIL
        assert (
            "permissions boundary (s3-read)" in check.remediation and "OnlyTheVendorRole" in check.remediation
        )
        # the rewrite spares what the NotPrincipal spares: the session by its role's ARN, and the root
        spared = json.dumps([ROLE_ARN, "arn:aws:iam::123456789012:root"])
        assert f'"aws:PrincipalArn": {spared}' in check.remediation, check.remediation
        assert "aws iam delete-role-permissions-boundary --role-name LabelboxS3Access" in check.remediation
        assert "create-role" not in check.remediation


def test_a_deny_that_names_the_role_is_not_blamed_on_the_boundary():
    """A Deny with Principal (no NotPrincipal) refuses with or without the boundary: the
    remediation is the bucket policy's, as before."""
    statement = {k: v for k, v in NOT_US["Statement"][0].items() if k != "NotPrincipal"}
    deny = {"Version": "2012-10-17", "Statement": [{**statement, "Principal": {"AWS": ROLE_ARN}}]}
    read = checks(snapshot(bucket_policy=deny, boundary=BOUNDARY))["AWSObjectRead"]
    assert read.status is FAIL and "boundary" not in read.remediation
    assert "the bucket policy of images refuses it" in read.remediation  # the bucket policy's, as before


def test_the_causes_leave_a_check_that_passes_without_a_remediation():
    check = checks(replace(snapshot(role=tagged(("team", "labeling")), bucket_policy=TAG_DENY)))[
        "AWSObjectRead"
    ]
    assert check.status is PASS and check.remediation == ""


# (d) A trust verdict that is a WARN (not decided, or depending on what the vendor's AssumeRole
# carries) is never remedied by replacing the trust: create-role --replace-external-id writes the
# vendor's plain external-ID trust and drops the condition the WARN is about (trial 20 item 3:
# an IpAddress or session-name condition the admin added, widened away by the printed command).


def with_condition(extra: dict) -> dict:
    trust = json.loads(json.dumps(WANTED.trust))
    trust["Statement"][0]["Condition"].update(extra)
    return {"RoleName": "LabelboxS3Access", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": trust}


def test_a_trust_warn_offers_no_command_that_replaces_the_trust():
    for extra in (
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
        {"StringLike": {"sts:RoleSessionName": "labelbox-*"}},
    ):
        assume = checks(snapshot(role=with_condition(extra)))["AWSAssumeRole"]
        assert assume.status is WARN, (extra, assume.detail)
        assert assume.commands == (), (extra, assume.commands)
        assert "would drop that condition" in assume.remediation, assume.remediation
        assert "Give the role the vendor's external-ID trust" not in assume.remediation


# (e) IAM User Guide, "Policy evaluation logic": an explicit deny in any policy overrides the
# allow. Where the role's own side allows every read, a bucket policy's Deny is the cause, and a
# create-role that rewrites the role's policy changes nothing (trial 20 item 4: it was offered).

WRONG_ID = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyOurRole",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
            "Condition": {"StringNotLike": {"aws:userid": ["AROAWRONGWRONGWRONG:*", "123456789012"]}},
        }
    ],
}


def test_a_bucket_policy_deny_the_role_allows_past_is_the_remedy_not_create_role():
    found = checks(snapshot(bucket_policy=WRONG_ID))
    for name in READS:
        check = found[name]
        assert check.status is FAIL, check.detail
        assert (
            "The role's policies allow it" in check.remediation and "(Sid OnlyOurRole)" in check.remediation
        )
        assert "provision create-role" not in check.remediation and check.commands == ()


def test_taking_the_boundary_off_is_never_a_command_to_run():
    """Trial 20g item 3: removing the boundary widens what the role may do (and did not fix a
    Deny that spares only one session name); it is named with that warning, never listed among
    the commands a script runs."""
    check = checks(snapshot(bucket_policy=NOT_US, boundary=BOUNDARY))["AWSObjectRead"]
    assert check.commands == () and "widens what the role may do" in check.remediation


def test_a_trust_that_expired_fails_assume_role_and_one_that_has_not_passes_it():
    """IAM User Guide, "AWS global condition context keys": aws:CurrentTime is the date and time
    of the request. The vendor's AssumeRole is asked now: a DateLessThan past can never hold
    again (FAIL, was a WARN "dates are not compared yet", exit 0); one in the future holds now,
    and the vendor, which assumes the role anew for each session, is refused from that date
    (trial 20r item 3: it was a plain PASS): a WARN saying both sides, as the S3 side says.
    Who else gets in (AWSExternalID) is asked at any time from now on (the trust lives on, and
    AWS's clock only moves forward): decided (trial 20q item 3; it was "not decided")."""
    past = checks(
        snapshot(role=with_condition({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
    )
    assert past["AWSAssumeRole"].status is FAIL and past["AWSAssumeRole"].code == "ROLE_CANNOT_BE_ASSUMED"
    epoch = checks(snapshot(role=with_condition({"NumericLessThan": {"aws:EpochTime": "1577836800"}})))
    assert epoch["AWSAssumeRole"].status is FAIL
    future = checks(
        snapshot(role=with_condition({"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}))
    )
    assume = future["AWSAssumeRole"]
    assert assume.status is WARN and assume.remedy == "DEPENDS_ON_TIME", assume.detail
    words = "depends on the time (aws:CurrentTime): the vendor gets in now, and is refused from"
    assert f"{words} 2099-01-01T00:00:00Z" in assume.detail, assume.detail
    assert future["AWSExternalID"].status is PASS and "not decided" not in future["AWSExternalID"].detail


def test_a_trust_replacement_says_which_conditions_it_drops_and_a_refusal_names_them():
    """Trial 20h items 3, 4: the printed --replace-external-id dropped an aws:SourceIp condition
    (and a date window) the admin wrote, with no word of it; the refusal said only 'the conditions
    of $.Statement[0]'."""
    loose = with_condition({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    statement = loose["AssumeRolePolicyDocument"]["Statement"][0]
    statement["Condition"]["StringEqualsIfExists"] = statement["Condition"].pop("StringEquals")
    external = checks(snapshot(role=loose))["AWSExternalID"]
    # trial 20i item 1: a command dropping a condition you wrote is never among those to run
    assert external.status is FAIL and external.commands == ()
    assert 'it drops IpAddress aws:SourceIp ["203.0.113.0/24"]' in external.remediation
    assert "its ...IfExists on sts:ExternalId becomes StringEquals" in external.remediation
    expired = checks(
        snapshot(role=with_condition({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
    )
    assume = expired["AWSAssumeRole"]
    assert (
        "DateLessThan aws:CurrentTime" in assume.detail
        and "it drops DateLessThan aws:CurrentTime" in assume.remediation
    )


def test_a_trust_pinning_another_id_is_never_remedied_by_undoing_the_rotation():
    """Trial 20h item 5: after a rotation, validating with the old ID printed a create-role that
    puts the retired ID back; the remedy says to give the vendor the new one, and lists no
    command."""
    other = with_condition({})
    other["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = (
        "cknew000000000000000002"
    )
    assume = checks(snapshot(role=other))["AWSAssumeRole"]
    assert assume.status is FAIL and "expects cknew000000000000000002" in assume.detail
    assert assume.commands == () and "give the vendor the new ID" in assume.remediation


def test_least_privilege_lists_the_command_that_fixes_it():
    """Trial 20i item 2: the fix (taking the extra managed policy off) was only in the prose; the
    one command listed, create-role, changed nothing."""
    full = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    extra = Policy("policy AmazonS3FullAccess", {"Version": "2012-10-17", "Statement": [full]})
    arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
    state = snapshot(
        identity_policies=[*snapshot().identity_policies, extra],
        attached=[{"PolicyName": "AmazonS3FullAccess", "PolicyArn": arn, "Tags": {}}],
    )
    least = checks(state)["AWSLeastPrivilege"]
    detach = f"aws iam detach-role-policy --role-name LabelboxS3Access --policy-arn {arn}"
    assert least.status is WARN and detach in least.commands, least.commands


FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EC2_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
ROLE_DECRYPTS = {
    "Sid": "Role",
    "Effect": "Allow",
    "Principal": {"AWS": ROLE_ARN},
    "Action": "kms:Decrypt",
    "Resource": "*",
}
OUR_NETWORK_ONLY = {
    "Sid": "OnlyOurNetwork",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "kms:*",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}},
}


def test_an_organization_or_key_policy_refusal_offers_no_create_role_command():
    """Trial 20p items 5 and 6: an SCP allow-list leaving S3 out (a level with no Allow), an RCP
    Deny on kms:*, and a key policy's own Deny each FAIL the read; create-role changes the role,
    which undoes none of them (IAM User Guide, "Policy evaluation logic": an explicit deny
    overrides any allow; "SCP evaluation": every level must allow), and its rewrite could take
    kms:Decrypt away. The remediation names the organization policy or the key policy's Deny and
    lists no command."""
    from tests.test_known_keys import KEY, document

    org = OrgPolicies(scps=[[Policy("SCP FullAWSAccess", FULL)], [Policy("SCP ec2-only", EC2_ONLY)]])
    read = checks(snapshot(org=org))["AWSObjectRead"]
    assert read.status is FAIL and read.commands == () and "organization policy" in read.remediation, read
    allow_role, kms_deny = ROLE_DECRYPTS, OUR_NETWORK_ONLY
    keyed = checks(snapshot(kms_key=KEY, key_policy=document(allow_role, kms_deny)))["AWSObjectRead"]
    assert keyed.status is FAIL and keyed.commands == () and "key policy's Deny" in keyed.remediation, keyed
    rcp = Policy("RCP kms-perimeter", {"Version": "2012-10-17", "Statement": [kms_deny]})
    fenced = OrgPolicies(rcps=[[RCP_FULL, rcp]])
    by_rcp = checks(snapshot(kms_key=KEY, key_policy=document(allow_role), org=fenced))["AWSObjectRead"]
    assert by_rcp.status is FAIL and by_rcp.commands == () and "organization policy" in by_rcp.remediation


def test_a_boundary_that_alone_refuses_the_read_is_named_and_create_role_is_not_offered():
    """Trial 20p item 4: a boundary allowing only List and GetBucketLocation FAILs the read (IAM
    User Guide, "Permissions boundaries for IAM entities": only what both allow), and the
    remediation offered create-role, which changes nothing (its dry run: "no changes"). It names
    the boundary and what it refuses, and lists no command."""
    lists = {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "*"}
    narrow = Policy("permissions boundary ListOnly", {"Version": "2012-10-17", "Statement": [lists]})
    read = checks(snapshot(boundary=narrow))["AWSObjectRead"]
    assert read.status is FAIL and read.commands == (), read
    assert "ListOnly" in read.remediation and "s3:GetObject" in read.remediation
    assert "provision create-role" not in read.remediation


def test_a_write_only_the_bucket_policy_grants_names_its_statement_and_offers_no_create_role():
    """Trial 20p item 7: the bucket policy granting the role s3:PutObject (under a session-name
    condition, or none) gave "the role may s3:PutObject" and a create-role rewrite that changes
    nothing (it rewrites the role's policy, never the bucket policy). The detail names the
    statement; the remediation is the bucket policy's, with no command."""
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VendorUploads",
                "Effect": "Allow",
                "Principal": {"AWS": ROLE_ARN},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::images/*",
                "Condition": {"StringLike": {"aws:userid": "*:admin-*"}},
            }
        ],
    }
    least = checks(snapshot(bucket_policy=grant))["AWSLeastPrivilege"]
    assert least.status is WARN and "s3:PutObject" in least.detail and "Sid VendorUploads" in least.detail, (
        least
    )
    assert (
        least.commands == ()
        and "bucket policy" in least.remediation
        and "provision create-role" not in least.remediation
    )


def test_least_privilege_lists_no_create_role_where_the_write_is_in_another_policy():
    """Trial 20q item 5: the role's own read policy (create-role's) grants no write; an inline
    policy Extra grants s3:PutObject and also denies (so it is not taken off whole). The one
    command listed was create-role, which rewrites only the read policy and so fixes nothing (it
    even took kms:Decrypt away). No command is listed then: the prose names Extra's Allow to
    take out by hand."""
    extra = Policy(
        "inline policy Extra",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::images/*",
                },
                {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
            ],
        },
    )
    state = snapshot(identity_policies=[*snapshot().identity_policies, extra], inline=["Extra"])
    least = checks(state)["AWSLeastPrivilege"]
    assert least.status is WARN and "s3:PutObject" in (least.detail or ""), least.detail
    assert not any("create-role" in c for c in least.commands), least.commands
    assert "inline policy Extra also deny" in least.remediation, least.remediation


def test_a_not_principal_deny_with_no_condition_is_told_how_to_spare_the_session():
    """Trial 20q item 7: a bucket-policy Deny with NotPrincipal naming the role's ARN (no
    condition) failed reads, and the remedy said "narrow that statement's condition". IAM User
    Guide, "AWS JSON policy elements: NotPrincipal": a Deny spares a role session only where
    NotPrincipal names the session's ARN; the remedy says so, and how to spare every session."""
    deny = {
        "Effect": "Deny",
        "NotPrincipal": {"AWS": [ROLE_ARN, "arn:aws:iam::123456789012:root"]},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
    }
    read = checks(snapshot(bucket_policy={"Version": "2012-10-17", "Statement": [deny]}))["AWSObjectRead"]
    assert read.status is FAIL, read.detail
    assert "names the session's ARN too" in read.remediation and "ArnNotEquals" in read.remediation, (
        read.remediation
    )


def _dated_deny(operator: str, when: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EndsOn",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::*/*",
                "Condition": {operator: {"aws:CurrentTime": when}},
            }
        ],
    }


def test_a_bucket_policy_deny_from_a_future_date_makes_the_read_depend_on_the_time():
    """Trial 20q item 6: a bucket policy denying s3:GetObject from 2099 gave a plain PASS. IAM User
    Guide, "AWS global condition context keys": aws:CurrentTime is "the date and time of the
    request"; the vendor's reads work now and are refused from that date: a WARN saying both sides.
    A Deny that ended in the past decides nothing later (PASS), one in force now FAILs."""
    future = checks(snapshot(bucket_policy=_dated_deny("DateGreaterThan", "2099-01-01T00:00:00Z")))
    read = future["AWSObjectRead"]
    assert read.status is WARN, read.detail
    assert "depends on the time (aws:CurrentTime): allowed now, denied from 2099-01-01T00:00:0" in read.detail
    past = checks(snapshot(bucket_policy=_dated_deny("DateLessThan", "2020-01-01T00:00:00Z")))
    assert past["AWSObjectRead"].status is PASS, past["AWSObjectRead"].detail
    now = checks(snapshot(bucket_policy=_dated_deny("DateGreaterThan", "2020-01-01T00:00:00Z")))
    assert now["AWSObjectRead"].status is FAIL, now["AWSObjectRead"].detail


def test_a_deny_of_sessions_issued_after_a_future_date_makes_the_read_depend_on_the_time():
    """Trial 20r item 2: a Deny of sessions issued after a future date gave a plain PASS.
    aws:TokenIssueTime is "the date and time that temporary security credentials were issued"
    (IAM User Guide, "AWS global condition context keys"); the vendor takes a new session as
    the old one ends (12 hours at most, STS API Reference, AssumeRole), so from that date its
    sessions are refused: a WARN saying both sides, and that no value of the vendor's turns it."""
    deny = _dated_deny("DateGreaterThan", "2099-01-01T00:00:00Z")
    deny["Statement"][0]["Condition"] = {"DateGreaterThan": {"aws:TokenIssueTime": "2099-01-01T00:00:00Z"}}
    read = checks(snapshot(bucket_policy=deny))["AWSObjectRead"]
    assert read.status is WARN, read.detail
    words = "depends on the time (aws:TokenIssueTime): allowed now, denied for sessions issued from"
    assert f"{words} 2099-01-01T00:00:0" in read.detail, read.detail
    assert "the vendor chooses" not in read.detail and "no change of yours" in read.detail
    assert read.remedy == "DEPENDS_ON_TIME"
    revoked = _dated_deny("DateLessThan", "2020-01-01T00:00:00Z")  # "revoke older sessions"
    revoked["Statement"][0]["Condition"] = {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}
    assert checks(snapshot(bucket_policy=revoked))["AWSObjectRead"].status is PASS


def _object_deny(*resources: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": list(resources)}
        ],
    }


def test_without_key_every_object_is_asked_not_one_made_up_key():
    """Trial 20r item 1: a bucket policy denying every .png and a folder got VALID, judged at one
    made-up key no pattern matched. Without --key, the object's key is any the vendor may read
    (issue 20: "FAIL when it is denied for every value; otherwise WARN, naming the key and saying
    both sides"; IAM User Guide, "IAM JSON policy elements: Resource", wildcards match within the
    ARN): a Deny of some objects is a WARN naming one read and one refused; a Deny of the whole
    bucket FAILs; a Deny of another bucket passes; --key judges that object alone."""
    some = checks(
        snapshot(bucket_policy=_object_deny("arn:aws:s3:::images/*.png", "arn:aws:s3:::images/alexa/*"))
    )
    read = some["AWSObjectRead"]
    assert read.status is WARN, read.detail
    assert "s3:GetObject on arn:aws:s3:::images/*: depends on the object's key" in read.detail
    assert (
        "allowed for arn:aws:s3:::images/provisioner-sample-object, denied for arn:aws:s3:::images/"
        in read.detail
    )
    refused = read.detail.split("denied for ", 1)[1].split(" ", 1)[0]
    assert refused.endswith(".png") or refused.startswith("arn:aws:s3:::images/alexa/"), refused
    # trial 20s item 11: the bucket policy refuses them, so create-role (the role's policy) is no fix
    assert read.remedy == "SOME_OBJECTS_ELSEWHERE" and "run validate with that --prefix" in read.remediation
    assert read.commands == () and "create-role changes nothing there" in read.remediation
    assert (
        checks(snapshot(bucket_policy=_object_deny("arn:aws:s3:::images/*")))["AWSObjectRead"].status is FAIL
    )
    assert (
        checks(snapshot(bucket_policy=_object_deny("arn:aws:s3:::other/*")))["AWSObjectRead"].status is PASS
    )
    at_key = static_checks(
        snapshot(bucket_policy=_object_deny("arn:aws:s3:::images/*.png")), replace(SPEC, key="a/cat.png")
    )
    assert {c.name: c for c in at_key}["AWSObjectRead"].status is FAIL


def test_a_read_denied_now_fails_whatever_a_later_date_allows():
    """Trial 20s item 1: a bucket policy denying reads until 2099 was a WARN ("denied now, allowed
    from 2099"), VALID and exit 0; every read the vendor sends today is refused (IAM User Guide,
    "AWS global condition context keys": aws:CurrentTime is the time of the request): FAIL."""
    until = checks(snapshot(bucket_policy=_dated_deny("DateLessThan", "2099-01-01T00:00:00Z")))
    assert until["AWSObjectRead"].status is FAIL, until["AWSObjectRead"].detail


def _keyed_deny(condition: dict) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::images/*",
                "Condition": condition,
            }
        ],
    }


def test_the_keys_the_vendors_client_sets_are_decided_over_every_value():
    """Trial 20s items 2, 3, 4, 9: keys of the S3 request the vendor's client sets were taken as
    absent, so a Deny keyed on them passed (or failed every read). Service Authorization Reference,
    Amazon S3, condition keys: s3:authType is REST-HEADER, REST-QUERY-STRING (a presigned URL) or
    POST; s3:signatureAge is the milliseconds since signing; s3:signatureversion is
    AWS4-HMAC-SHA256 for Signature Version 4, the one the vendors' SDKs sign with; aws:UserAgent
    and aws:Referer are the client's headers (IAM User Guide, "AWS global condition context
    keys"); s3:ExistingObjectTag/KEY is the object's tag, which validate does not read."""
    cases = {
        "s3:authType": ({"StringEquals": {"s3:authType": "REST-QUERY-STRING"}}, WARN),
        "s3:signatureAge": ({"NumericGreaterThan": {"s3:signatureAge": "600000"}}, WARN),
        "aws:UserAgent": ({"StringLike": {"aws:UserAgent": "*Boto*"}}, WARN),
        "aws:Referer": ({"StringNotLike": {"aws:Referer": "https://app.labelbox.com/*"}}, WARN),
        "s3:ExistingObjectTag/classification": (
            {"StringEquals": {"s3:ExistingObjectTag/classification": "secret"}},
            WARN,
        ),
        # AWS's "deny Signature Version 2": every SigV4 request passes it
        "sigv2": ({"StringNotEquals": {"s3:signatureversion": "AWS4-HMAC-SHA256"}}, PASS),
    }
    for key, (condition, expected) in cases.items():
        read = checks(snapshot(bucket_policy=_keyed_deny(condition)))["AWSObjectRead"]
        assert read.status is expected, (key, read.detail)
        if expected is WARN:
            assert f"depends on {key}" in read.detail, read.detail


def _least_privilege_with_write(condition: dict, role: dict | None = None) -> Check:
    """AWSLeastPrivilege of the role (or `role`) with one more policy: s3:PutObject under
    `condition`."""
    write = {
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::images/*",
        "Condition": condition,
    }
    extra = Policy("inline policy write", {"Version": "2012-10-17", "Statement": [write]})
    state = snapshot(role=role or snapshot().role, identity_policies=[*snapshot().identity_policies, extra])
    return checks(state)["AWSLeastPrivilege"]


def test_a_write_granted_on_a_header_the_vendor_sends_is_a_write():
    """Trial 20s item 3: s3:PutObject granted only with `x-amz-acl: bucket-owner-full-control`
    passed least privilege: the vendor's client may send the header (S3 API Reference,
    PutObject), so the role can write."""
    least = _least_privilege_with_write({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})
    assert least.status is WARN and "s3:PutObject" in least.detail, least.detail


def test_a_write_granted_from_a_future_date_is_a_write():
    """Trial 20s item 6: s3:PutObject granted from 2099 (DateGreaterThan aws:CurrentTime) passed
    least privilege; the role may write from then (aws:CurrentTime is the time of the request,
    IAM User Guide, "AWS global condition context keys"), so it is asked at each later date too."""
    least = _least_privilege_with_write({"DateGreaterThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}})
    assert least.status is WARN and "s3:PutObject" in least.detail, least.detail


def test_a_time_verdict_names_the_key_the_policy_compares():
    """Trial 20s item 13: NumericGreaterThan aws:EpochTime was said as aws:CurrentTime."""
    deny = _dated_deny("NumericGreaterThan", "4070908800")
    deny["Statement"][0]["Condition"] = {"NumericGreaterThan": {"aws:EpochTime": "4070908800"}}
    read = checks(snapshot(bucket_policy=deny))["AWSObjectRead"]
    assert read.status is WARN and "depends on the time (aws:EpochTime)" in read.detail, read.detail


def test_a_key_policy_on_the_objects_encryption_context_is_asked_over_every_object():
    """Trial 20s item 5: a key-policy Deny of kms:Decrypt for objects under one folder
    (kms:EncryptionContext:aws:s3:arn) passed without --key, judged at the made-up object. S3
    User Guide, SSE-KMS, "Encryption context": without an S3 Bucket Key the context is the
    object's ARN, so it is asked over every object: a WARN naming one of each; a Deny of the
    whole bucket's objects is a WARN too: objects written with an S3 Bucket Key carry the
    bucket's ARN, which it does not name (round 20ah item 2; S3 API Reference, PutObject,
    x-amz-server-side-encryption-bucket-key-enabled, per object whatever the bucket's default);
    the mirror (StringNotLike a folder) is a WARN, not a FAIL."""

    def read(operator: str, pattern: str) -> Check:
        return _kms_read({operator: {"kms:EncryptionContext:aws:s3:arn": pattern}})

    folder = read("StringLike", "arn:aws:s3:::images/alexa-devices/echo/*")
    assert folder.status is WARN and "depends on the object's key" in folder.detail, folder.detail
    without = "denied for objects written without an S3 Bucket Key (encryption context"
    assert f"{without} arn:aws:s3:::images/alexa-devices/echo/" in folder.detail
    assert read("StringNotLike", "arn:aws:s3:::images/alexa-devices/*").status is WARN
    assert read("StringLike", "arn:aws:s3:::images/*").status is WARN
    assert read("StringLike", "arn:aws:s3:::other/*").status is PASS


def test_sessions_revoked_within_a_sessions_life_depend_on_when_the_session_was_issued():
    """Trial 20s item 7: "revoke active sessions" (Deny aws:TokenIssueTime before a time) set 30
    minutes ago passed; a session the vendor took 40 minutes ago lives on (the role's
    MaxSessionDuration, an hour here: STS API Reference, AssumeRole, DurationSeconds) and is
    refused. aws:TokenIssueTime is any second of a session's life before the request: a WARN
    naming a session issued on each side. One set before the longest session began passes."""
    from datetime import UTC, datetime, timedelta

    def revoked(minutes: int) -> Check:
        when = (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
        deny = _dated_deny("DateLessThan", when)
        deny["Statement"][0]["Condition"] = {"DateLessThan": {"aws:TokenIssueTime": when}}
        return checks(snapshot(bucket_policy=deny))["AWSObjectRead"]

    recent = revoked(30)
    assert recent.status is WARN and "depends on aws:TokenIssueTime" in recent.detail, recent.detail
    assert (
        "allowed for a session issued at" in recent.detail
        and "denied for a session issued at" in recent.detail
    )
    assert revoked(24 * 60).status is PASS


def _with_trust_statement(extra: dict, tags: dict[str, str] | None = None) -> dict:
    import copy

    role = copy.deepcopy(snapshot().role)
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    role["AssumeRolePolicyDocument"]["Statement"].append({"Effect": "Allow", "Principal": principal, **extra})
    role["Tags"] = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    return role


def test_a_tag_session_allowed_under_a_condition_still_lets_the_vendor_tag():
    """Trial 20t item 1: a trust allowing sts:TagSession only with a tag like "label*" (or only
    with a tag present, or beside another tag) was read as no tagging at all, so the role's tag
    stayed known and a bucket policy requiring team=labeling passed. The vendor may pass
    team=labelingX, which overrides the role's tag (STS API Reference, AssumeRole, Tags): a WARN.
    A trust that lets it pass only another key (ForAllValues:StringEquals aws:TagKeys) leaves
    the role's team tag known: PASS."""
    team_only = _keyed_deny({"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})
    for condition in (
        {"StringLike": {"aws:RequestTag/team": "label*"}},
        {"Null": {"aws:RequestTag/team": "false"}},
        {"StringEquals": {"aws:RequestTag/project": "x"}},
    ):
        role = _with_trust_statement(
            {"Action": "sts:TagSession", "Condition": condition}, {"team": "labeling"}
        )
        read = checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"]
        assert read.status is WARN and "aws:PrincipalTag/team" in read.detail, (condition, read.detail)
    other_key = {"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}
    role = _with_trust_statement({"Action": "sts:TagSession", "Condition": other_key}, {"team": "labeling"})
    assert checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"].status is PASS


def test_a_source_identity_the_trust_lets_the_vendor_set_is_its_choice():
    """Trial 20t item 2: with sts:SetSourceIdentity in the trust, the vendor may set
    aws:SourceIdentity (IAM User Guide, "Monitor and control actions taken with assumed roles"),
    so a Deny of any source identity is a WARN, not a PASS; without it the key is absent: PASS."""
    any_identity = _keyed_deny({"StringLike": {"aws:SourceIdentity": "*"}})
    role = _with_trust_statement({"Action": "sts:SetSourceIdentity"})
    assert checks(snapshot(role=role, bucket_policy=any_identity))["AWSObjectRead"].status is WARN
    assert checks(snapshot(bucket_policy=any_identity))["AWSObjectRead"].status is PASS


def test_a_date_with_an_offset_is_shown_in_utc():
    """Trial 20t item 5: 2027-03-01T00:00:00+01:00 was shown as 2027-03-01T00:00:00Z; the instant
    is 2027-02-28T23:00:00Z (ISO 8601 offsets, "Date condition operators")."""
    read = checks(snapshot(bucket_policy=_dated_deny("DateGreaterThanEquals", "2099-03-01T00:00:00+01:00")))
    assert read["AWSObjectRead"].status is WARN
    assert "denied from 2099-02-28T23:00:00Z" in read["AWSObjectRead"].detail, read["AWSObjectRead"].detail


def test_a_key_that_is_not_there_is_remedied_by_another_key_not_by_create_role():
    """Trial 20t item 4: `--key no/such.png` was remedied by a create-role rewrite; the role
    already allows the read: the fix is a key that exists."""
    read = static_checks(snapshot(object_missing=True), replace(SPEC, key="no/such.png"))
    check = {c.name: c for c in read}["AWSObjectRead"]
    assert check.status is WARN and check.commands == (), check.remediation
    assert check.remediation.startswith("Give --key an object that exists in images")


def test_a_number_the_vendors_client_sends_is_compared_as_a_number():
    """Trial 20t: `NumericGreaterThan s3:max-keys 100` was "not decided: numbers are not compared
    yet". s3:max-keys is the ListObjects parameter the client may send ("Amazon S3 condition key
    examples"): a whole number or none, so a Deny above 100 is a WARN naming both sides."""
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::images",
    }
    statement["Condition"] = {"NumericGreaterThan": {"s3:max-keys": "100"}}
    deny = {"Version": "2012-10-17", "Statement": [statement]}
    access = checks(snapshot(bucket_policy=deny))["AWSBucketAccess"]
    assert access.status is WARN and "depends on s3:max-keys" in access.detail, access.detail
    assert "not decided" not in access.detail


def test_tag_keys_passed_beside_another_and_in_another_case_are_passed():
    """Trial 20u items 1, 3: a TagSession allowed under ForAnyValue:StringEquals aws:TagKeys
    ["foo"] lets the vendor pass team beside foo (aws:TagKeys holds both; "Multivalued context
    keys": ForAnyValue holds when any one matches); a Deny of ForAnyValue:StringEquals aws:TagKeys
    ["team"] spares "Team", which is the same tag (IAM User Guide, "Tagging IAM resources": tag
    keys are not case sensitive in policies) while StringEquals compares the case. Both leave
    aws:PrincipalTag/team the vendor's choice: WARN, not PASS."""
    team_only = _keyed_deny({"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})
    beside = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["foo"]}}
    role = _with_trust_statement({"Action": "sts:TagSession", "Condition": beside}, {"team": "labeling"})
    assert checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"].status is WARN
    role = _with_trust_statement({"Action": "sts:TagSession"}, {"team": "labeling"})
    role["AssumeRolePolicyDocument"]["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sts:TagSession",
            "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
        }
    )
    assert checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"].status is WARN


def test_a_write_no_request_of_the_vendor_meets_is_no_write():
    """Trial 20s item 10: s3:PutObject granted only from 10.0.0.0/8 was a write, though no
    request of the vendor comes from there: from the internet aws:SourceIp is never a private
    address (RFC 6890), and through a VPC endpoint it is absent (IAM User Guide, "AWS global
    condition context keys", aws:SourceIp). "May it write?" found no request and was read as
    "not decided"; it is no."""
    least = _least_privilege_with_write({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert least.status is PASS, least.detail


def test_the_kms_keys_of_s3s_decrypt_are_its_own():
    """Trial 20v items 1, 6: a key-policy Deny on kms:EncryptionAlgorithm or kms:KeySpec
    SYMMETRIC_DEFAULT passed (the keys were taken as absent). S3 takes only symmetric encryption
    KMS keys (S3 User Guide, SSE-KMS), and Decrypt's EncryptionAlgorithm defaults to
    SYMMETRIC_DEFAULT (KMS Developer Guide, "AWS KMS condition keys"): S3's Decrypt carries both.
    kms:KeyOrigin is the key's (DescribeKey), which validate does not read: not decided."""
    read = _kms_read
    assert read({"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}).status is FAIL
    assert read({"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}).status is FAIL
    assert read({"StringNotEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}).status is PASS
    origin = read({"StringEquals": {"kms:KeyOrigin": "AWS_KMS"}})
    assert origin.status is WARN and "not decided" in origin.detail and "kms:KeyOrigin" in origin.detail


def test_mfa_is_the_vendors_choice_where_a_user_of_its_account_may_assume_the_role():
    """Trial 20v item 2: with the trust naming the vendor's account root, a user of that account
    may call AssumeRole with MFA (STS API Reference, AssumeRole, SerialNumber and TokenCode), and
    its session has aws:MultiFactorAuthPresent "true" (IAM User Guide, "AWS global condition
    context keys"): a write granted only with MFA is a write. Where the trust names the vendor's
    role alone (a role session passes no MFA), the key stays "false": no write."""
    mfa_write = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert _least_privilege_with_write(mfa_write).status is PASS
    import copy

    role = copy.deepcopy(snapshot().role)
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    statement["Principal"] = {"AWS": "arn:aws:iam::340636424752:root"}
    least = _least_privilege_with_write(mfa_write, role)
    assert least.status is WARN and "s3:PutObject" in least.detail, least.detail


def _kms_read(condition: dict) -> Check:
    """AWSObjectRead with the bucket's KMS key, its key policy letting the account's IAM policies
    grant it and denying S3's kms:Decrypt under `condition`."""
    from tests.validate_snapshot import ACCOUNT, KEY

    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": condition,
    }
    policy = {"Version": "2012-10-17", "Statement": [root, deny]}
    return checks(snapshot(kms_key=KEY, key_policy=policy))["AWSObjectRead"]


def test_writes_beyond_the_buckets_s3_actions_are_not_read_only():
    """Trial 20w items 1, 2: sts:AssumeRole on "*" (the session may assume any role that trusts
    the account, and write with its rights), s3-object-lambda:* (PutObject, DeleteObject and
    WriteGetObjectResponse through an Object Lambda access point) and s3express:CreateSession (a
    directory bucket session, ReadWrite by default: S3 User Guide, "CreateSession") passed least
    privilege as "read and list only"."""
    for action in ("sts:AssumeRole", "s3-object-lambda:*", "s3express:CreateSession"):
        extra = Policy(
            "inline policy more",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]},
        )
        least = checks(snapshot(identity_policies=[*snapshot().identity_policies, extra]))[
            "AWSLeastPrivilege"
        ]
        assert least.status is WARN and action.split(":")[0] in least.detail, (action, least.detail)
    assert checks(snapshot())["AWSLeastPrivilege"].status is PASS


def test_a_write_the_bucket_policy_grants_the_vendors_account_is_a_write():
    """Trial 20w item 3: a bucket policy granting the vendor's *account* s3:PutObject passed
    least privilege as "read and list only", though naming the role was caught. Across accounts
    a bucket policy naming the account grants to that account, whose own policies then decide
    (IAM User Guide, "Cross-account policy evaluation logic"): the vendor may write directly,
    without the role. The vendor's own policies are not ours to read, so "may it?" is yes. A
    grant of reads alone, or of a write the bucket policy then denies, is no write."""
    vendor_root = "arn:aws:iam::340636424752:root"

    def least(*statements: dict) -> Check:
        policy = {"Version": "2012-10-17", "Statement": list(statements)}
        return checks(snapshot(bucket_policy=policy))["AWSLeastPrivilege"]

    def grant(action: str, principal: object = None) -> dict:
        return {
            "Effect": "Allow",
            "Principal": principal or {"AWS": vendor_root},
            "Action": action,
            "Resource": "arn:aws:s3:::images/*",
        }

    written = least(grant("s3:PutObject"))
    assert written.status is WARN, written.detail
    assert "s3:PutObject" in written.detail and "340636424752" in written.detail, written.detail
    assert written.remedy == "BUCKET_POLICY_GRANTS"
    # reads alone were no finding here; round 20ad item 6: a direct read skips the role and its
    # external ID, which is what keeps the vendor from being "coerced" into acting for another
    # customer (IAM User Guide, "The confused deputy problem": "an entity that doesn't have
    # permission to perform an action can coerce a more-privileged entity to perform the
    # action"), so it is now one (test_the_vendors_own_account_reading_directly_bypasses_the_id)
    read = least(grant("s3:GetObject"))
    assert read.status is WARN and "may s3:GetObject directly" in read.detail, read.detail
    denied = {**grant("s3:PutObject"), "Effect": "Deny", "Principal": "*"}
    assert least(grant("s3:PutObject"), denied).status is PASS
    # another account than the vendor's: not the vendor's access (audit and inventory show it)
    assert least(grant("s3:PutObject", {"AWS": "arn:aws:iam::111122223333:root"})).status is PASS


def test_get_bucket_location_is_asked_in_the_regions_the_vendor_may_call_it_in():
    """Trial 20w item 4: an SCP denying S3 outside aws:RequestedRegion us-east-1 passed, since
    the request's region was the bucket's. S3 API Reference, GetBucketLocation: "In a bucket's
    home Region, calls to the GetBucketLocation operation are governed by the bucket's policy.
    In other Regions, the bucket policy doesn't apply." The vendor chooses the region it calls
    it in, so the answer depends on aws:RequestedRegion. ListBucket and GetObject are answered
    only in the bucket's region: their region stays known."""
    from provisioner.organization import FULL_ACCESS, OrgPolicies

    def access(scp: dict | None = None, **changes: object) -> Check:
        org = OrgPolicies()
        if scp is not None:
            policy = Policy("SCP regions", {"Version": "2012-10-17", "Statement": [scp]})
            org = OrgPolicies(scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS), policy]])
        return checks(snapshot(org=org, **changes))["AWSBucketAccess"]

    def outside(operator: str, regions: object) -> dict:
        return {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                "Condition": {operator: {"aws:RequestedRegion": regions}}}  # fmt: skip

    fenced = access(outside("StringNotEquals", "us-east-1"))
    assert fenced.status is WARN, fenced.detail
    assert "aws:RequestedRegion" in fenced.detail and "allowed in us-east-1" in fenced.detail, fenced.detail
    assert "SCP regions" in fenced.detail, fenced.detail
    # a fence that holds every region, or one the bucket policy alone would be needed for
    assert access(outside("StringNotLike", "*")).status is PASS
    assert (
        access(
            outside("StringNotLike", ["us-*", "eu-*", "ap-*", "ca-*", "sa-*", "me-*", "af-*", "il-*", "mx-*"])
        ).status
        is PASS
    )
    assert access().status is PASS
    # the role's own policy grants ListBucket alone, the bucket policy GetBucketLocation:
    # in another region the bucket policy does not apply
    only_list = Policy("policy list", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::images"}]})  # fmt: skip
    grant = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/LabelboxS3Access"},
             "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::images"}  # fmt: skip
    bucket_only = access(
        identity_policies=[only_list], bucket_policy={"Version": "2012-10-17", "Statement": [grant]}
    )
    assert bucket_only.status is WARN and "aws:RequestedRegion" in bucket_only.detail, bucket_only.detail
    assert "the role's own policies do not allow it" in bucket_only.detail, bucket_only.detail
    assert fenced.remedy == bucket_only.remedy == "DEPENDS_ON_REGION"


def test_the_values_the_trust_lets_the_vendor_tag_its_session_with_are_the_only_ones():
    """Trial 20u, redder: a trust allowing sts:TagSession only with StringEquals
    aws:RequestTag/team "labeling" lets the vendor pass team=labeling or no team tag, nothing
    else (IAM User Guide, "Passing session tags in AWS STS": the trust's conditions on
    aws:RequestTag decide which tags may be passed). A bucket policy requiring team=labeling
    of a role tagged so then passes: with or without the session tag, the session has it. It
    was a WARN, as if any value could be passed. A pattern (StringLike "label*"), a value in
    another case under StringEqualsIgnoreCase, or a role without the tag (the vendor may then
    pass none) stays a WARN."""
    team_only = _keyed_deny({"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})

    def read(condition: dict, tags: dict[str, str] | None = None) -> Check:
        role = _with_trust_statement(
            {"Action": "sts:TagSession", "Condition": condition},
            {"team": "labeling"} if tags is None else tags,
        )
        return checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"]

    exact = read({"StringEquals": {"aws:RequestTag/team": "labeling"}})
    assert exact.status is PASS, exact.detail
    assert read({"StringEquals": {"aws:RequestTag/team": ["labeling", "other"]}}).status is WARN
    assert read({"StringEqualsIgnoreCase": {"aws:RequestTag/team": "labeling"}}).status is WARN
    assert read({"StringLike": {"aws:RequestTag/team": "label*"}}).status is WARN
    untagged = read({"StringEquals": {"aws:RequestTag/team": "labeling"}}, {})
    assert untagged.status is WARN and "aws:PrincipalTag/team" in untagged.detail, untagged.detail


def test_values_the_trust_refuses_to_pass_are_not_the_vendors_choice():
    """Trial 20y items 1 to 3. IAM User Guide, "Passing session tags in AWS STS" (permissions
    required to add session tags: the trust's sts:TagSession, with its conditions on
    aws:RequestTag) and "Monitor and control actions taken with assumed roles" (permissions
    required to set source identity: sts:SetSourceIdentity, with its conditions on
    sts:SourceIdentity). A value the trust refuses is never the session's.
    - Greener before: with the role untagged, a bucket policy denying reads unless
      team=labeling was a WARN ("allowed only when it is 'labeling'") where the trust refuses
      team=labeling (a Deny of it, or an Allow of another value, of StringNotEquals labeling or
      of StringLike x*): the vendor never gets that tag, so every read is refused: FAIL.
    - Redder before: a write granted on admin=yes, or on source identity "admin", counted by
      least privilege where the trust lets the vendor pass only admin=no, or only lb-*."""
    team_only = _keyed_deny({"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})
    tag_allow = {"Action": "sts:TagSession"}
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:TagSession",
            "Condition": {"StringEquals": {"aws:RequestTag/team": "labeling"}}}  # fmt: skip
    refused_deny = _with_trust_statement(tag_allow, {})
    refused_deny["AssumeRolePolicyDocument"]["Statement"].append(deny)
    assert checks(snapshot(role=refused_deny, bucket_policy=team_only))["AWSObjectRead"].status is FAIL
    for condition in (
        {"StringEquals": {"aws:RequestTag/team": "other"}},
        {"StringNotEquals": {"aws:RequestTag/team": "labeling"}},
        {"StringLike": {"aws:RequestTag/team": "x*"}},
    ):
        role = _with_trust_statement({**tag_allow, "Condition": condition}, {})
        read = checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"]
        assert read.status is FAIL, (condition, read.detail)
    # the same trust, with a pattern the value matches: still the vendor's choice
    role = _with_trust_statement(
        {**tag_allow, "Condition": {"StringLike": {"aws:RequestTag/team": "lab*"}}}, {}
    )
    assert checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"].status is WARN

    admin_write = {"StringEquals": {"aws:PrincipalTag/admin": "yes"}}
    only_no = _with_trust_statement(
        {**tag_allow, "Condition": {"StringEquals": {"aws:RequestTag/admin": "no"}}}
    )
    assert _least_privilege_with_write(admin_write, only_no).status is PASS
    any_admin = _with_trust_statement(tag_allow)
    assert _least_privilege_with_write(admin_write, any_admin).status is WARN

    lb_only = _with_trust_statement(
        {"Action": "sts:SetSourceIdentity", "Condition": {"StringLike": {"sts:SourceIdentity": "lb-*"}}}
    )
    assert (
        _least_privilege_with_write({"StringEquals": {"aws:SourceIdentity": "admin"}}, lb_only).status is PASS
    )
    lb_admin = _least_privilege_with_write({"StringLike": {"aws:SourceIdentity": "lb-admin*"}}, lb_only)
    assert lb_admin.status is WARN, lb_admin.detail


def _least_with(*statements: dict, **changes: object) -> Check:
    extra = Policy("inline policy more", {"Version": "2012-10-17", "Statement": list(statements)})
    state = snapshot(identity_policies=[*snapshot().identity_policies, extra], **changes)
    return checks(state)["AWSLeastPrivilege"]


def test_everything_else_the_roles_policies_grant_is_not_read_only():
    """Trial 20x items 1, 3, 4: least privilege said "read and list only, on this bucket only"
    of a role that may write another bucket, rewrite its own policy (iam:CreatePolicyVersion,
    with --set-as-default), take off its boundary, mint keys for any IAM user, write a DynamoDB
    table or read a secret. Within one account an identity policy's Allow is enough where nothing
    denies (IAM User Guide, "Policy evaluation logic"). Every action an Allow names is now asked
    (its level from the Service Authorization Reference); reading S3 and kms:Decrypt are what a
    read-only vendor does."""
    cases = {
        "s3:PutObject": "arn:aws:s3:::other-bucket/*",
        "s3:DeleteBucket": "arn:aws:s3:::other-bucket",
        "iam:CreatePolicyVersion": "arn:aws:iam::123456789012:policy/LabelboxReadAccess",
        "iam:DeleteRolePermissionsBoundary": "arn:aws:iam::123456789012:role/LabelboxS3Access",
        "iam:CreateAccessKey": "*",
        "dynamodb:PutItem": "*",
        "secretsmanager:GetSecretValue": "*",
        "kms:ScheduleKeyDeletion": "*",
    }
    for action, resource in cases.items():
        least = _least_with({"Effect": "Allow", "Action": action, "Resource": resource})
        assert least.status is WARN and action in least.detail, (action, least.detail)
    not_other = {"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "arn:aws:s3:::other-bucket/*"}
    assert _least_with(not_other).status is WARN
    # reading is what the vendor does: kms:Decrypt anywhere, S3 reads of this bucket
    for action in ("kms:Decrypt", "kms:DescribeKey", "s3:GetObjectVersion", "s3:GetObjectTagging"):
        resource = "*" if action.startswith("kms:") else "arn:aws:s3:::images/*"
        assert _least_with({"Effect": "Allow", "Action": action, "Resource": resource}).status is PASS, action
    # but "on this bucket only" does not hide kms:Decrypt on every key (trial 20ab item 5)
    every_key = _least_with({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})
    assert "kms:Decrypt is granted on other KMS keys" in every_key.detail, every_key.detail
    assert "other KMS keys" not in checks(snapshot(kms_key=KEY_ARN))["AWSLeastPrivilege"].detail
    # a grant a boundary or an SCP takes away is no grant
    boundary = Policy("boundary", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
         "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"]}]})  # fmt: skip
    everything = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert _least_with(everything, boundary=boundary).status is PASS


def test_a_write_outside_the_prefix_is_a_write():
    """Trial 20x item 2: with --prefix, s3:PutObject on another folder of the same bucket (granted
    by the role's policy, or by the bucket policy) passed: writes are asked over every object of
    the bucket, not only at one under the prefix."""
    spec = replace(SPEC, prefix="alexa-devices/")
    uploads = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/uploads/*"}
    extra = Policy("inline policy more", {"Version": "2012-10-17", "Statement": [uploads]})
    state = snapshot(identity_policies=[*snapshot().identity_policies, extra])
    least = {c.name: c for c in static_checks(state, spec)}["AWSLeastPrivilege"]
    assert least.status is WARN and "s3:PutObject" in least.detail, least.detail
    granted = {**uploads, "Principal": {"AWS": "arn:aws:iam::123456789012:role/LabelboxS3Access"}}
    state = snapshot(bucket_policy={"Version": "2012-10-17", "Statement": [granted]})
    least = {c.name: c for c in static_checks(state, spec)}["AWSLeastPrivilege"]
    assert least.status is WARN and "s3:PutObject" in least.detail, least.detail


def test_what_the_key_policy_lets_the_role_or_the_vendor_do_to_the_key_is_not_read_only():
    """Trial 20x item 5: a key policy giving the role (or the vendor's account) kms:* or
    kms:ScheduleKeyDeletion passed least privilege. A key-policy statement naming a principal
    grants it ("Key policies in AWS KMS"), and deleting the bucket's key makes every SSE-KMS
    object unreadable for good ("Deleting AWS KMS keys"). S3's kms:Decrypt for the session is
    what the vendor needs: a key policy allowing only that passes."""
    from tests.validate_snapshot import ACCOUNT, KEY

    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }

    def least(action: object, principal: str) -> Check:
        grant = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*"}
        policy = {"Version": "2012-10-17", "Statement": [root, grant]}
        return checks(snapshot(kms_key=KEY, key_policy=policy))["AWSLeastPrivilege"]

    role = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
    for action in ("kms:*", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"):
        found = least(action, role)
        assert found.status is WARN and "KMS key" in found.detail, (action, found.detail)
        assert found.remedy == "BUCKET_POLICY_GRANTS", (
            found.remediation
        )  # the key policy's, not create-role's
    # another account may call only the operations "Allowing users in other accounts to use a KMS
    # key" lists: kms:ScheduleKeyDeletion granted to the vendor's account gives it nothing
    # (trial 20z item 3), kms:Encrypt does
    assert least(["kms:ScheduleKeyDeletion"], "arn:aws:iam::340636424752:root").status is PASS
    vendor = least(["kms:Encrypt"], "arn:aws:iam::340636424752:root")
    assert vendor.status is WARN and "340636424752" in vendor.detail and "key policy" in vendor.detail, (
        vendor.detail
    )
    assert least("kms:Decrypt", role).status is PASS
    assert (
        checks(snapshot(kms_key=KEY, key_policy={"Version": "2012-10-17", "Statement": [root]}))[
            "AWSLeastPrivilege"
        ].status
        is PASS
    )


def test_a_federated_door_in_the_trust_is_not_only_the_vendor():
    """Trial 20y item 4: beside the vendor's pinned statement, a trust letting accounts.google.com
    in through sts:AssumeRoleWithWebIdentity with no condition on its audience passed
    AWSExternalID as "only account 340636424752 gets in", while lint marks it critical: anyone
    with a Google token gets the role's credentials (IAM User Guide, "Available keys for AWS
    OIDC federation"). The federated doors lint and audit read (provisioner/federation.py) are
    AWSExternalID's too: open, a FAIL; pinned to an audience, a WARN naming the door (trial 20ab
    item 2: the audience is the app's client ID, and any user of that app holds such a token,
    "Available keys for AWS OIDC federation": a door, though not an open one, that is not the
    vendor's)."""
    google = {"Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}
    role = _with_trust_statement(google)
    role["AssumeRolePolicyDocument"]["Statement"][-1].pop("Principal")  # _with_trust_statement sets it
    role["AssumeRolePolicyDocument"]["Statement"][-1]["Principal"] = google["Principal"]
    external = checks(snapshot(role=role))["AWSExternalID"]
    assert external.status is FAIL and "accounts.google.com" in external.detail, external.detail
    pinned = {
        **google,
        "Condition": {"StringEquals": {"accounts.google.com:aud": "123.apps.googleusercontent.com"}},
    }
    role = _with_trust_statement(pinned)
    role["AssumeRolePolicyDocument"]["Statement"][-1]["Principal"] = google["Principal"]
    pinned_door = checks(snapshot(role=role))["AWSExternalID"]
    assert pinned_door.status is WARN and "Google" in pinned_door.detail, pinned_door.detail


def test_a_write_the_bucket_acl_grants_is_a_write():
    """Trial 20x item 6: with ACLs on (no BucketOwnerEnforced), a bucket ACL granting WRITE to
    AllUsers or AuthenticatedUsers passed least privilege. S3 User Guide, "Access control list
    (ACL) overview": WRITE "allows grantee to create new objects in the bucket". Block Public
    Access's IgnorePublicAcls makes S3 ignore public grants ("Blocking public access to your
    Amazon S3 storage"): then they are no write. A grant to the owner is its own."""
    from provisioner.validate.gather import acl_writes

    owner = "a" * 64
    acl = {
        "Owner": {"ID": owner},
        "Grants": [
            {"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
            {
                "Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers", "Type": "Group"},
                "Permission": "WRITE",
            },
            {
                "Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers", "Type": "Group"},
                "Permission": "READ",
            },
        ],
    }
    found = acl_writes(acl, ignore_public=False)
    assert found == ("WRITE to anyone (AllUsers)",)
    assert acl_writes(acl, ignore_public=True) == ()
    least = checks(snapshot(acl_writes=found))["AWSLeastPrivilege"]
    assert least.status is WARN and "bucket ACL" in least.detail and "AllUsers" in least.detail, least.detail
    assert least.remedy == "BUCKET_POLICY_GRANTS" and "BucketOwnerEnforced" in least.remediation
    other = {"Owner": {"ID": owner}, "Grants": [{"Grantee": {"ID": "b" * 64}, "Permission": "FULL_CONTROL"}]}
    assert acl_writes(other, ignore_public=True) == (
        "FULL_CONTROL to canonical user bbbbbbbbbbbb…, another account",
    )


def test_round_20z_chaining_and_what_another_account_may_do_to_a_key():
    """Trial 20z items 1 to 3.
    - sts:AssumeRole on a named role (AdminX, trusting the account root) passed: the session may
      chain into it and act with its rights (IAM User Guide, "Roles terms and concepts", role
      chaining). An action is asked at each resource the statement names of a type it acts on,
      whatever the service in the ARN (sts acts on IAM roles).
    - A key-policy grant of kms:CreateGrant to Principal "*" under kms:CallerAccount = the
      vendor's account passed: kms:CallerAccount is the caller's account ("AWS KMS condition
      keys"), so the vendor's own principals may create grants.
    - kms:DisableKey granted to the vendor's account was a write: another account may call only
      the operations "Allowing users in other accounts to use a KMS key" lists."""
    from tests.validate_snapshot import ACCOUNT, KEY

    chain = _least_with(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/AdminX"}
    )
    assert chain.status is WARN and "sts:AssumeRole" in chain.detail, chain.detail
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }

    def least(statement: dict) -> Check:
        policy = {"Version": "2012-10-17", "Statement": [root, statement]}
        return checks(snapshot(kms_key=KEY, key_policy=policy))["AWSLeastPrivilege"]

    caller = least({"Effect": "Allow", "Principal": "*", "Action": "kms:CreateGrant", "Resource": "*",
                    "Condition": {"StringEquals": {"kms:CallerAccount": "340636424752"}}})  # fmt: skip
    assert caller.status is WARN and "kms:CreateGrant" in caller.detail, caller.detail
    vendor = {"AWS": "arn:aws:iam::340636424752:root"}
    disable = least({"Effect": "Allow", "Principal": vendor, "Action": "kms:DisableKey", "Resource": "*"})
    assert disable.status is PASS, disable.detail


def test_a_policy_granting_only_what_the_read_needs_is_never_offered_for_deletion():
    """Trial 20z item 4: with a key-policy finding, the remediation offered
    `aws iam delete-role-policy … extra` for an inline policy granting only kms:Decrypt on the
    bucket's key, which the read needs (the key policy delegates to IAM): it fixed nothing and
    would have broken AWSObjectRead. Only a policy that grants something beyond reading is
    offered; one that grants a write still is."""
    from tests.validate_snapshot import ACCOUNT, KEY

    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    role = {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "kms:*", "Resource": "*"}
    key_policy = {"Version": "2012-10-17", "Statement": [root, role]}

    def least(*statements: dict) -> Check:
        extra = Policy("inline policy extra", {"Version": "2012-10-17", "Statement": list(statements)})
        state = snapshot(identity_policies=[*snapshot().identity_policies, extra], inline=["extra"],
                         kms_key=KEY, key_policy=key_policy)  # fmt: skip
        return checks(state)["AWSLeastPrivilege"]

    decrypt = least({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
    assert decrypt.status is WARN and not any("delete-role-policy" in c for c in decrypt.commands), (
        decrypt.commands
    )
    write = least({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/*"})
    assert any("delete-role-policy" in c and "extra" in c for c in write.commands), write.commands


def test_a_decrypt_the_boundary_alone_refuses_is_remedied_at_the_boundary():
    """Trial 20z item 5: a boundary allowing s3:* only refused S3's kms:Decrypt for the session,
    which the role's own policy allows (IAM User Guide, "Permissions boundaries for IAM
    entities": the effective permissions are where both allow). The remediation offered
    create-role --kms-key-arn, which changes the role's policy, not the boundary: a loop. It
    names the boundary now, and offers no create-role."""
    from tests.validate_snapshot import ACCOUNT, KEY

    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    boundary = Policy("permissions boundary S3Only", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})  # fmt: skip
    decrypt = Policy("inline policy extra", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}]})  # fmt: skip
    key_policy = {"Version": "2012-10-17", "Statement": [root]}
    state = snapshot(identity_policies=[*snapshot().identity_policies, decrypt], boundary=boundary,
                     kms_key=KEY, key_policy=key_policy)  # fmt: skip
    read = checks(state)["AWSObjectRead"]
    assert read.status is FAIL, read.detail
    assert "S3Only" in read.remediation, read.remediation
    assert "kms:Decrypt" in read.remediation and not any("create-role" in c for c in read.commands), (
        read.commands
    )


def test_a_chained_session_lives_an_hour_at_most():
    """Trial 20aa item 3: with MaxSessionDuration 12 hours and a trust naming the vendor's role,
    a Deny of sessions issued before two hours ago was a WARN. The vendor's role session assuming
    the role is role chaining, which "limits your AWS CLI or AWS API role session to a maximum of
    one hour" (IAM User Guide, "Roles terms and concepts", role chaining): no session of the
    vendor's is two hours old, so every read passes. A trust naming the vendor's account root
    lets an IAM user of it in, whose session may last the role's MaxSessionDuration: a WARN."""
    import copy
    from datetime import UTC, datetime, timedelta

    when = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    deny = _dated_deny("DateLessThan", when)
    deny["Statement"][0]["Condition"] = {"DateLessThan": {"aws:TokenIssueTime": when}}
    role = {**copy.deepcopy(snapshot().role), "MaxSessionDuration": 43200}
    assert checks(snapshot(role=role, bucket_policy=deny))["AWSObjectRead"].status is PASS
    role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::340636424752:root"}
    assert checks(snapshot(role=role, bucket_policy=deny))["AWSObjectRead"].status is WARN


def test_a_session_name_the_trust_refuses_is_never_the_vendors():
    """Trial 20aa item 2: with the trust requiring StringLike sts:RoleSessionName "lb-*" (the name
    the caller passes: "AWS STS condition keys"), a bucket policy granting s3:PutObject to the
    session named "admin" was counted as a write: no session of that name is the vendor's. One
    granting "lb-admin" still is; and a read granted only to "lb-*" sessions passes."""
    role = _with_trust_statement({"Action": "sts:AssumeRole"})
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    trust[0].setdefault("Condition", {}).setdefault("StringLike", {})["sts:RoleSessionName"] = "lb-*"
    trust.pop()  # only the vendor's statement, now with the name condition

    def least(session: str) -> Check:
        arn = f"arn:aws:sts::123456789012:assumed-role/LabelboxS3Access/{session}"
        grant = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/*",
                 "Principal": {"AWS": arn}}  # fmt: skip
        return checks(snapshot(role=role, bucket_policy={"Version": "2012-10-17", "Statement": [grant]}))[
            "AWSLeastPrivilege"
        ]

    assert least("admin").status is PASS
    assert least("lb-admin").status is WARN


def test_a_tag_the_trust_requires_is_always_the_sessions():
    """Trial 20aa item 1: a trust whose only AssumeRole Allow requires aws:RequestTag/team
    "labeling" lets the vendor in only with that session tag (IAM User Guide, "Passing session
    tags in AWS STS"; a session tag overrides the role's own: STS API Reference, AssumeRole,
    Tags). A Deny of reads unless team is labeling was a WARN ("denied when the session has no
    such tag"): every session has it, so it passes; and a write granted on team=writer, the
    role's own tag, is no write."""
    import copy

    role = copy.deepcopy(snapshot().role)
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    statement["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    statement["Condition"]["StringEquals"]["aws:RequestTag/team"] = "labeling"
    team_only = _keyed_deny({"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}})
    read = checks(snapshot(role=role, bucket_policy=team_only))["AWSObjectRead"]
    assert read.status is PASS, read.detail
    role["Tags"] = [{"Key": "team", "Value": "writer"}]
    assert (
        _least_privilege_with_write({"StringEquals": {"aws:PrincipalTag/team": "writer"}}, role).status
        is PASS
    )


def test_other_doors_of_the_trust_are_said_not_passed_as_only_the_vendor():
    """Trial 20ab items 2, 3. AWSExternalID said "only account 340636424752 gets in" of a trust
    that also lets in:
    - Google callers of one audience through AssumeRoleWithWebIdentity (the audience is the app's
      client ID; any Google user of that app holds such a token: IAM User Guide, "Available keys
      for AWS OIDC federation"): a WARN naming that door, not the vendor's;
    - a service principal with no aws:SourceAccount or aws:SourceArn, or Principal "*" under
      aws:PrincipalIsAWSService: a service acting for another account may assume it (IAM User
      Guide, "The confused deputy problem"): a WARN. Pinned to your account, no finding."""

    def external(statement: dict) -> Check:
        import copy

        role = copy.deepcopy(snapshot().role)
        role["AssumeRolePolicyDocument"]["Statement"].append(statement)
        return checks(snapshot(role=role))["AWSExternalID"]

    audience = {"StringEquals": {"accounts.google.com:aud": "123-abc.apps.googleusercontent.com"}}
    google = external({"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
                       "Action": "sts:AssumeRoleWithWebIdentity", "Condition": audience})  # fmt: skip
    assert google.status is WARN and "Google" in google.detail, google.detail
    service = {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
    open_service = external(service)
    assert open_service.status is WARN and "s3.amazonaws.com" in open_service.detail, open_service.detail
    anyone = external({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                       "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}})  # fmt: skip
    assert anyone.status in (WARN, FAIL) and "service" in anyone.detail, anyone.detail
    pinned = {**service, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}
    assert external(pinned).status is PASS


def test_a_role_whose_trust_lets_this_one_in_is_more_than_reading():
    """Trial 20ab item 1: a role AdminChain (AdministratorAccess) whose trust names this role's
    ARN passed least privilege: a trust is a resource-based policy, and within one account one
    that names the role grants on its own ("Policy evaluation logic"; "Roles terms and concepts",
    role chaining), so the vendor's session may chain into it. A trust naming the account root
    delegates to the role's own policies, which grant no sts:AssumeRole here: no finding. Other
    roles not read (ListRoles refused) is never a PASS."""
    admin = "arn:aws:iam::123456789012:role/AdminChain"

    def trust(principal: str) -> dict:
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}  # fmt: skip

    named = checks(snapshot(trusting=[(admin, trust(ROLE_ARN))]))["AWSLeastPrivilege"]
    assert named.status is WARN and "AdminChain" in named.detail, named.detail
    root = checks(snapshot(trusting=[(admin, trust("arn:aws:iam::123456789012:root"))]))["AWSLeastPrivilege"]
    assert root.status is PASS, root.detail
    unread = checks(snapshot(unreadable=["iam:ListRoles"]))["AWSLeastPrivilege"]
    assert unread.status is WARN and "iam:ListRoles" in unread.detail


def test_a_write_granted_to_one_session_name_says_it_depends_on_it():
    """Trial 20z: a bucket policy granting s3:* to one session of the role (its assumed-role ARN,
    "IAM JSON policy elements: Principal", role sessions) made least privilege a WARN that named
    neither the statement nor that only the session so named may write; the vendor names its
    sessions (AssumeRole's RoleSessionName), so it is the vendor's choice."""
    session = "arn:aws:sts::123456789012:assumed-role/LabelboxS3Access/labelbox-session"
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": session},
             "Action": "s3:*", "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"]}]}  # fmt: skip
    least = checks(snapshot(bucket_policy=grant))["AWSLeastPrivilege"]
    assert least.status is WARN and "granted by the bucket policy: $.Statement[0]" in least.detail, (
        least.detail
    )
    assert "depends on the vendor's session name" in least.detail and "labelbox-session" in least.detail
    assert least.remedy == "BUCKET_POLICY_GRANTS"
    # s3:PutObject is asked of an object, never of the bucket's ARN (not of its type)
    assert "s3:CreateAccessGrant," not in least.detail


def test_a_write_granted_to_a_canonical_user_is_never_a_pass():
    """Round 20ac G6: a bucket policy statement granting s3:* to a CanonicalUser principal (S3
    User Guide, bucket policy principals: an account's canonical user ID) passed least privilege.
    Which account it is, validate cannot tell: it may be the vendor's. A WARN naming it."""
    user = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"CanonicalUser": user},
             "Action": "s3:*", "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"]}]}  # fmt: skip
    least = checks(snapshot(bucket_policy=grant))["AWSLeastPrivilege"]
    assert least.status is WARN and "canonical user 79a59df900b9" in least.detail, least.detail
    reads = json.loads(json.dumps(grant).replace('"s3:*"', '"s3:GetObject"'))
    assert checks(snapshot(bucket_policy=reads))["AWSLeastPrivilege"].status is PASS


def test_writes_under_headers_the_client_sets_are_writes():
    """Round 20ad item 2: a grant of s3:PutObject under a condition on a header the client sets
    (If-None-Match: S3 User Guide, "Enforce conditional writes on Amazon S3 buckets", example 1;
    x-amz-tagging's s3:RequestObjectTag; Object Lock's mode) passed, the key taken as absent; one
    under s3:ResourceAccount (the bucket owner's account, Amazon S3 condition keys) too."""
    conditions = [
        {"Null": {"s3:if-none-match": "false"}},
        {"StringEquals": {"s3:RequestObjectTag/team": "x"}},
        {"StringEquals": {"s3:object-lock-mode": "GOVERNANCE"}},
        {"StringEquals": {"s3:ResourceAccount": "123456789012"}},
    ]
    for condition in conditions:
        write = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/*",
                 "Condition": condition}  # fmt: skip
        found = _least_with(write)
        assert found.status is WARN and "s3:PutObject" in found.detail, (condition, found.detail)


def test_the_vendors_own_account_reading_directly_bypasses_the_id():
    """Round 20ad item 6: a bucket policy granting the vendor's account root s3:GetObject and
    s3:ListBucket passed: any principal of that account reads the bucket without the role, so
    without the external ID (IAM User Guide, "The confused deputy problem"; across accounts the
    grant and the account's own policies decide: "Cross-account policy evaluation logic")."""
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::340636424752:root"},
                 "Action": ["s3:GetObject", "s3:ListBucket"]}  # fmt: skip
    resources = ["arn:aws:s3:::images", "arn:aws:s3:::images/*"]
    grant = {"Version": "2012-10-17", "Statement": [{**statement, "Resource": resources}]}
    least = checks(snapshot(bucket_policy=grant))["AWSLeastPrivilege"]
    assert least.status is WARN and "the vendor's own account 340636424752 may s3:GetObject" in least.detail


def test_another_accounts_buckets_and_every_buckets_name_are_beyond_this_bucket():
    """Round 20ad items 10, 11: s3:PutObject on "*" under aws:ResourceAccount of another account
    (where that account's bucket policies allow it, the session may write there: an exfiltration
    path), and s3:ListAllMyBuckets (every bucket's name), passed as "on this bucket only"."""
    elsewhere = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceAccount": "999999999999"}}}  # fmt: skip
    found = _least_with(elsewhere)
    assert found.status is WARN and "s3:PutObject on another account's buckets" in found.detail, found.detail
    listing = _least_with({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
    assert listing.status is WARN and "s3:ListAllMyBuckets" in listing.detail, listing.detail


def test_least_privileges_pass_says_what_it_did_not_read():
    """Round 20ad item 8: a Secrets Manager or SQS resource policy naming the role grants on its
    own within the account ("Policy evaluation logic"), and validate reads neither: its PASS says
    so rather than claim more than it read."""
    least = checks(snapshot())["AWSLeastPrivilege"]
    assert least.status is PASS and "other services' resource policies" in least.detail, least.detail


def test_a_role_whose_trust_pins_an_id_is_still_a_chain():
    """Round 20ae item 9: another role trusting this one under sts:ExternalId "zzz" passed least
    privilege; the session passes whatever ID it likes, and this one is written in the trust."""
    admin = "arn:aws:iam::123456789012:role/Admin"
    statement = {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "sts:AssumeRole"}
    condition = {"StringEquals": {"sts:ExternalId": "zzz"}}
    pinned = {"Version": "2012-10-17", "Statement": [{**statement, "Condition": condition}]}
    least = checks(snapshot(trusting=[(admin, pinned)]))["AWSLeastPrivilege"]
    assert least.status is WARN and "Admin" in least.detail, least.detail
