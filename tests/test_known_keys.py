"""The keys validate knows about the role session's requests and puts in them (issue 20): the
customer's organization and its path, the role's tags, S3's forward access call to KMS, and a
resource policy's Deny with NotPrincipal against a principal with a boundary. Table cases, pure
(no server); each cites the AWS documentation section that decides it."""

from __future__ import annotations

from dataclasses import replace

from provisioner.audit.grants import judge_grants
from provisioner.evaluation import EXPLICIT_DENY, Policy, caller_request, evaluate
from provisioner.model import Status
from provisioner.organization import FULL_ACCESS, OrgPolicies
from provisioner.validate import Snapshot, kms_decrypt, static_checks
from tests.validate_snapshot import ACCOUNT, KEY, ROLE_ARN, SPEC, WANTED, snapshot

PASS, FAIL, WARN = Status.PASS, Status.FAIL, Status.WARN
ORG = "o-a1b2c3d4e5"
PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"
READS = ("AWSBucketAccess", "AWSObjectRead")


def reads(state: Snapshot) -> dict[str, tuple[Status, str]]:
    return {c.name: (c.status, c.detail) for c in static_checks(state, SPEC) if c.name in READS}


def document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# --- the customer's organization ----------------------------------------------------------------
# IAM User Guide, "AWS global condition context keys", aws:PrincipalOrgID: "the identifier of the
# organization in AWS Organizations to which the requesting principal belongs"; the role's session
# is a principal of the customer's account, so its requests carry the customer's organization.
# aws:PrincipalOrgPaths: "the AWS Organizations path for the principal who is making the request",
# e.g. o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/.


# AWS's data-perimeter RCP (aws-samples/data-perimeter-policy-examples, "EnforceOrgIdentities"):
# deny the RCP services to principals outside the organization, AWS services excepted.
def perimeter(actions: str | list[str]) -> dict:
    """AWS's EnforceOrgIdentities statement over `actions`: roles tagged dp:exclude:identity and
    AWS services spared."""
    return document(
        {
            "Sid": "EnforceOrgIdentities",
            "Effect": "Deny",
            "Principal": "*",
            "Action": actions,
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {
                    "aws:PrincipalOrgID": ORG,
                    "aws:ResourceTag/dp:exclude:identity": "true",
                },
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    )


PERIMETER = perimeter(["s3:*", "kms:*", "sqs:*", "secretsmanager:*"])
RCP_FULL = Policy(
    "RCP RCPFullAWSAccess",
    document({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
)
SCP_PERIMETER = document(
    {
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    }
)


def perimeter_org(**fields) -> OrgPolicies:
    return OrgPolicies(rcps=[[RCP_FULL, Policy("RCP data-perimeter", PERIMETER)]], **fields)


def test_the_data_perimeter_rcp_lets_the_sessions_reads_and_s3s_decrypt_through():
    """The session is in the customer's organization: the RCP's Deny does not hold (it did for
    every read, as if the session were outside); the decrypt S3 makes for it is the same
    principal's (forward access session), so the kms:* part holds no more."""
    org = perimeter_org(org_id=ORG, org_paths=(PATH,))
    key_policy = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    state = snapshot(org=org, kms_key=KEY, key_policy=key_policy)
    assert {name: status for name, (status, _) in reads(state).items()} == {
        "AWSBucketAccess": PASS,
        "AWSObjectRead": PASS,
    }
    # the organization named in the RCP is another one: every read is refused by it
    other = snapshot(org=perimeter_org(org_id="o-zzzzzzzzzz", org_paths=("o-zzzzzzzzzz/r-zz99/",)))
    for status, detail in reads(other).values():
        assert status is FAIL and "RCP data-perimeter" in detail


def test_the_data_perimeter_scp_with_the_organization_from_a_policy_file_passes():
    """The organization's ID from a describe-policy file's ARN (OrgPolicies.org_id) is enough for a
    condition on aws:PrincipalOrgID; the OU path stays unknown and no condition here needs it."""
    org = OrgPolicies(
        scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP s3-in-org", SCP_PERIMETER)]], org_id=ORG
    )
    assert {name: status for name, (status, _) in reads(snapshot(org=org)).items()} == {
        "AWSBucketAccess": PASS,
        "AWSObjectRead": PASS,
    }


def test_an_organization_that_was_not_read_leaves_a_perimeter_not_decided():
    """Neither a PASS nor a FAIL when the answer turns on an organization the tool could not read:
    a WARN that names the key and why it is unknown. An account in no organization is known to
    have none: the perimeter, conditioned on its ID, refuses."""
    unread = perimeter_org(unread=["SCPs and RCPs not read: organizations:ListParents denied"])
    for status, detail in reads(snapshot(org=unread)).values():
        assert status is WARN
        assert detail.startswith("not decided: ") and "aws:PrincipalOrgID" in detail
        assert "organizations:ListParents denied" in detail
    alone = perimeter_org(standalone=True)
    assert {status for status, _ in reads(snapshot(org=alone)).values()} == {FAIL}


OU_ONLY = document(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}
        },
    }
)


def test_an_ou_path_perimeter_is_decided_by_the_accounts_path_and_not_decided_without_it():
    """aws:PrincipalOrgPaths from ListParents: inside the OU passes, outside fails; with the
    organization's ID alone (policies given as files) the path is unknown: not decided."""
    levels = [[RCP_FULL, Policy("RCP ou-only", OU_ONLY)]]
    inside = OrgPolicies(rcps=levels, org_id=ORG, org_paths=(PATH,))
    assert {status for status, _ in reads(snapshot(org=inside)).values()} == {PASS}
    outside = OrgPolicies(rcps=levels, org_id=ORG, org_paths=(f"{ORG}/r-ab12/ou-ab12-99999999/",))
    assert {status for status, _ in reads(snapshot(org=outside)).values()} == {FAIL}
    files = OrgPolicies(rcps=levels, org_id=ORG)
    for status, detail in reads(snapshot(org=files)).values():
        assert status is WARN and "aws:PrincipalOrgPaths" in detail and "organizations:ListParents" in detail


def test_writes_an_ou_perimeter_refuses_only_outside_the_ou_are_not_decided_without_the_path():
    """AWSLeastPrivilege: the role's policies allow writes, an RCP refuses S3 outside the labeling
    OU. Without the account's path (policies from files) whether the vendor may write is not
    known: a WARN naming the key, not the PASS that deciding the path as absent gave; inside the
    OU the writes are the role's (a finding), outside they are refused (a PASS)."""
    writer = Policy(
        "policy writer",
        document(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
            }
        ),
    )
    levels = [[RCP_FULL, Policy("RCP ou-only", OU_ONLY)]]

    def least(org: OrgPolicies) -> tuple[Status, str]:
        state = snapshot(org=org, identity_policies=[writer])
        check = {c.name: c for c in static_checks(state, SPEC)}["AWSLeastPrivilege"]
        return check.status, check.detail

    status, detail = least(OrgPolicies(rcps=levels, org_id=ORG))
    assert status is WARN and detail.startswith("not decided: ") and "aws:PrincipalOrgPaths" in detail
    status, detail = least(OrgPolicies(rcps=levels, org_id=ORG, org_paths=(PATH,)))
    assert status is WARN and detail.startswith("the role may s3:")
    assert least(OrgPolicies(rcps=levels, org_id=ORG, org_paths=(f"{ORG}/r-ab12/",)))[0] is PASS


def test_audit_counts_a_write_an_organization_perimeter_scp_does_not_refuse_the_roles_own_session():
    """audit's grant rules: the role's session is in the audited organization, so an SCP that
    denies S3 outside it takes no write away (it did: every write was counted as refused by it);
    a grant conditioned on the organization is a grant."""
    writer = Policy(
        "inline policy writer",
        document({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/*"}),
    )
    scps = [[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP s3-in-org", SCP_PERIMETER)]]
    verdict = judge_grants([writer], ACCOUNT, None, scps, org_id=ORG)
    assert verdict.writes == ["s3:PutObject"] and verdict.refused_by == ()
    conditioned = Policy(
        "inline policy org-writer",
        document(
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
            }
        ),
    )
    assert judge_grants([conditioned], ACCOUNT, org_id=ORG).writes == ["s3:PutObject"]
    assert judge_grants([conditioned], ACCOUNT, org_id="o-zzzzzzzzzz").writes == []


# --- principal tags ------------------------------------------------------------------------------
# IAM User Guide, "Pass session tags in AWS STS": the principal of a role session "might include a
# set of tags", among them "IAM tags - The tags attached to your IAM assumed role"; its requests
# carry them as aws:PrincipalTag/<key> ("AWS global condition context keys", aws:PrincipalTag).

TAG_DENY = document(
    {
        "Sid": "LabelingTeamOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::images/*",
        "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}},
    }
)


def tagged(*tags: tuple[str, str]) -> dict:
    return {
        "RoleName": "LabelboxS3Access",
        "Arn": ROLE_ARN,
        "AssumeRolePolicyDocument": WANTED.trust,
        "Tags": [{"Key": k, "Value": v} for k, v in tags],
    }


def test_a_bucket_policy_keyed_on_the_roles_tag_passes_a_tagged_role_and_fails_another():
    def read(role: dict) -> tuple[Status, str]:
        return reads(snapshot(role=role, bucket_policy=TAG_DENY))["AWSObjectRead"]

    assert read(tagged(("team", "labeling"), ("cost", "ml")))[0] is PASS
    status, detail = read(tagged(("team", "finance")))
    assert status is FAIL and "LabelingTeamOnly" in detail
    assert read(tagged())[0] is FAIL


def test_a_bucket_policy_granting_the_role_by_tag_alone_passes_the_tagged_role():
    """Same account, the role's policies allow no read: the bucket policy's grant to the role,
    conditioned on its tag, is what allows it ("Policy evaluation logic"). GetBucketLocation is
    the exception: S3 API Reference, GetBucketLocation, "In a bucket's home Region, calls to the
    GetBucketLocation operation are governed by the bucket's policy. In other Regions, the bucket
    policy doesn't apply": called in another region (the vendor's choice), nothing grants it, so
    AWSBucketAccess is a WARN over aws:RequestedRegion (trial 20w item 4)."""
    grant = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_ARN},
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "labeling"}},
        }
    )
    state = snapshot(role=tagged(("team", "labeling")), identity_policies=[], bucket_policy=grant)
    found = reads(state)
    assert {status for name, (status, _) in found.items() if name != "AWSBucketAccess"} == {PASS}
    status, detail = found["AWSBucketAccess"]
    assert status is WARN and "GetBucketLocation" in detail and "aws:RequestedRegion" in detail, detail
    assert "ListBucket" not in detail, detail
    untagged = snapshot(role=tagged(), identity_policies=[], bucket_policy=grant)
    assert {status for status, _ in reads(untagged).values()} == {FAIL}


# --- S3's call to KMS ----------------------------------------------------------------------------
# IAM User Guide, "Forward access sessions": "FAS is used by Amazon S3 to make calls to AWS Key
# Management Service to decrypt an object when SSE-KMS was used to encrypt it"; "AWS global
# condition context keys", aws:ViaAWSService: true when a service makes the request with the
# principal's credentials. S3 User Guide, "Using server-side encryption with AWS KMS keys
# (SSE-KMS)", "Encryption context": S3 uses the object's ARN as the encryption context
# (aws:s3:arn), and with an S3 Bucket Key the bucket's ARN. The independent evaluator ignores
# kms:EncryptionContext:* keys: these cases are decided here only.

OBJECT_ARN = f"arn:aws:s3:::images/{SPEC.sample_key}"


def key_policy(condition: dict) -> dict:
    return document(
        {
            "Sid": "ReadThroughS3",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE_ARN},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": condition,
        }
    )


def test_a_key_policy_on_the_objects_encryption_context_allows_s3s_decrypt():
    """S3 User Guide, SSE-KMS, "Encryption context": S3's kms:Decrypt carries the object's ARN. A
    key policy naming one object exactly allows that object (--key) and not every object the
    vendor may read (no --key: a WARN over the object's key, trial 20s item 5). One on the
    objects' ARNs (images/*) allows every object written without an S3 Bucket Key, and none
    written with one, whatever the bucket's default (round 20ah item 1: it was a PASS). S3 API
    Reference, PutObject, x-amz-server-side-encryption-bucket-key-enabled: "Specifying this
    header with a PUT action doesn't affect bucket-level settings for S3 Bucket Key"."""
    on_objects = key_policy({"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images/*"}})
    verdict = kms_decrypt(snapshot(kms_key=KEY, key_policy=on_objects), SPEC)
    assert verdict.status is WARN and "objects written with an S3 Bucket Key" in verdict.detail, (
        verdict.detail
    )
    assert (
        kms_decrypt(snapshot(kms_key=KEY, key_policy=on_objects), replace(SPEC, key="cat.png")).status is PASS
    )
    names = {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["aws:s3:arn"]},
             "Null": {"kms:EncryptionContextKeys": "false"}}  # fmt: skip
    verdict = kms_decrypt(snapshot(kms_key=KEY, key_policy=key_policy(names)), SPEC)
    assert verdict.status is PASS, verdict.detail
    exact = key_policy({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": OBJECT_ARN}})
    at_key = replace(SPEC, key=OBJECT_ARN.split("/", 1)[1])
    assert kms_decrypt(snapshot(kms_key=KEY, key_policy=exact), at_key).status is PASS
    assert kms_decrypt(snapshot(kms_key=KEY, key_policy=exact), SPEC).status is WARN
    other = {"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::other-bucket/*"}}
    verdict = kms_decrypt(snapshot(kms_key=KEY, key_policy=key_policy(other)), SPEC)
    assert verdict.status is FAIL


def test_with_an_s3_bucket_key_the_encryption_context_is_the_buckets_arn():
    """S3 User Guide, SSE-KMS, "Encryption context": with an S3 Bucket Key it is the bucket's ARN,
    without one the object's. The Bucket Key is the object's own setting: the bucket's is "for new
    objects in the bucket. Existing objects are not affected" (S3 API Reference,
    ServerSideEncryptionRule, BucketKeyEnabled), and a PutObject may turn it off. So with --key
    (HeadObject says which) that object's context is known; without --key, an object under a
    Bucket Key bucket may carry either (trial 20v item 3: it was a decided PASS)."""
    on_bucket = key_policy({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images"}})
    at_key = replace(SPEC, key="cat.png")
    with_bucket_key = snapshot(kms_key=KEY, key_policy=on_bucket, bucket_key_enabled=True)
    assert kms_decrypt(with_bucket_key, at_key).status is PASS
    any_object = kms_decrypt(with_bucket_key, SPEC)
    assert any_object.status is WARN and "depends on the object's key" in any_object.detail, any_object.detail
    without = snapshot(kms_key=KEY, key_policy=on_bucket)  # an object may still have one (20ah)
    assert kms_decrypt(without, SPEC).status is WARN
    assert kms_decrypt(without, at_key).status is FAIL
    on_objects = key_policy({"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images/*"}})
    keyed = snapshot(kms_key=KEY, key_policy=on_objects, bucket_key_enabled=True)
    assert kms_decrypt(keyed, at_key).status is FAIL
    assert kms_decrypt(keyed, SPEC).status is WARN


def test_a_key_policy_that_allows_only_through_aws_services_allows_s3s_decrypt():
    """The usual "only through AWS services" key policy: S3's decrypt is one (aws:ViaAWSService
    true); the role calling KMS itself would not be. The verdict no longer blames the role's
    policies, which allow kms:Decrypt."""
    via = key_policy({"Bool": {"aws:ViaAWSService": "true"}})
    verdict = kms_decrypt(snapshot(kms_key=KEY, key_policy=via), SPEC)
    assert verdict.status is PASS and "role's policies do not allow" not in verdict.detail
    direct_deny = document(
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "kms:Decrypt", "Resource": "*"},
        {
            "Sid": "NoDirectUse",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"Bool": {"aws:ViaAWSService": "false"}},
        },
    )
    assert kms_decrypt(snapshot(kms_key=KEY, key_policy=direct_deny), SPEC).status is PASS
    # the session's own S3 calls are not made through a service: a bucket policy denying
    # requests that came through one does not refuse the vendor's reads
    no_via = document(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
            "Condition": {"Bool": {"aws:ViaAWSService": "true"}},
        }
    )
    assert {status for status, _ in reads(snapshot(bucket_policy=no_via)).values()} == {PASS}


# --- NotPrincipal with Deny, and a boundary ------------------------------------------------------
# IAM User Guide, "Permissions boundaries for IAM entities" (and "AWS JSON policy elements:
# NotPrincipal", Key points): "The NotPrincipal element with a Deny effect will always deny any
# IAM principal that has a permissions boundary policy attached, regardless of the values
# specified in the NotPrincipal element."

SESSION = SPEC.session_arn
NOT_US = document(
    {
        "Sid": "OnlyTheVendorRole",
        "Effect": "Deny",
        # the guide's form: the session, its role and the account (a Deny spares no one it does not
        # name as all three: "AWS JSON policy elements: NotPrincipal")
        "NotPrincipal": {"AWS": [SESSION, ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:root"]},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
    }
)
BOUNDARY = Policy(
    "permissions boundary s3-read",
    document({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "kms:Decrypt"], "Resource": "*"}),
)


def test_a_deny_with_notprincipal_denies_a_role_with_a_boundary_whatever_it_names():
    # without a boundary the one session it names is spared: the vendor's session name decides
    assert {status for status, _ in reads(snapshot(bucket_policy=NOT_US)).values()} == {WARN}
    bounded = reads(snapshot(bucket_policy=NOT_US, boundary=BOUNDARY))
    for status, detail in bounded.values():
        assert status is FAIL and "OnlyTheVendorRole" in detail
    request = caller_request(SESSION, "s3:GetObject", "arn:aws:s3:::images/x")
    bucket = Policy("bucket policy", NOT_US)
    assert not evaluate([bucket], request).denies
    assert evaluate([bucket], request, bounded=True).effect == EXPLICIT_DENY
    # a Deny with Principal (not NotPrincipal) is not widened by the boundary
    named = Policy(
        "bucket policy",
        document({**NOT_US["Statement"][0] | {"Principal": {"AWS": "arn:aws:iam::999999999999:root"}}}),
    )
    named.document["Statement"][0].pop("NotPrincipal")
    assert not evaluate([named], request, bounded=True).denies


def test_audit_reads_a_roles_tags_from_gaad_into_its_grants():
    """audit's grant rules: a write granted only to sessions tagged team=labeling is a write of a
    role so tagged (its GAAD entry's Tags), not of another; two roles with the same policies and
    different tags are judged apart."""
    from provisioner.audit.grants import grant_verdict
    from provisioner.audit.model import RoleDetail

    writer = document(
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::images/*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "labeling"}},
        }
    )

    def role(name: str, *tags: tuple[str, str]) -> RoleDetail:
        return RoleDetail.from_gaad(
            {
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "RoleName": name,
                "AssumeRolePolicyDocument": WANTED.trust,
                "RolePolicyList": [{"PolicyName": "writer", "PolicyDocument": writer}],
                "Tags": [{"Key": k, "Value": v} for k, v in tags],
            }
        )

    memo: dict = {}
    tagged_role = grant_verdict(role("Tagged", ("team", "labeling")), ACCOUNT, {}, memo)
    other_role = grant_verdict(role("Other", ("team", "finance")), ACCOUNT, {}, memo)
    assert tagged_role is not None and tagged_role.writes == ["s3:PutObject"]
    assert other_role is not None and other_role.writes == []
    # a trust that lets the caller tag its session: a session tag overrides the role's (STS API
    # Reference, AssumeRole, Tags: "session tags override a role tag with the same key"), so the
    # role tagged finance may write too, as whoever assumes it chooses
    tagging = {**WANTED.trust, "Statement": [dict(s) for s in WANTED.trust["Statement"]]}
    tagging["Statement"][0]["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    other = role("Other", ("team", "finance"))
    other.trust = tagging
    overridden = grant_verdict(other, ACCOUNT, {}, memo)
    assert overridden is not None and overridden.writes == ["s3:PutObject"]


# --- the role's own keys in the vendor's AssumeRole ----------------------------------------------
# IAM User Guide, "AWS global condition context keys": aws:ResourceTag/<key>, aws:ResourceAccount
# and aws:ResourceOrgID are the resource's, and the resource of sts:AssumeRole is the role. AWS's
# data-perimeter RCP spares roles tagged dp:exclude:identity ("Resource control policies", the
# data perimeter policy examples).

PERIMETER_RCP = perimeter("sts:AssumeRole")


def test_the_roles_own_tag_decides_the_vendors_assume_role_under_the_perimeter_rcp():
    """The role's tags are known (GetRole): tagged dp:exclude:identity=true, the vendor gets in;
    untagged, the RCP refuses it. Both were a WARN "not modelled" (found by a first-time user)."""
    org = OrgPolicies(
        rcps=[[Policy("RCPFullAWSAccess", FULL_ACCESS), Policy("RCP perimeter", PERIMETER_RCP)]], org_id=ORG
    )
    role = {"RoleName": "LabelboxS3Access", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": WANTED.trust}
    tagged = {**role, "Tags": [{"Key": "dp:exclude:identity", "Value": "true"}]}
    checks = {c.name: c for c in static_checks(snapshot(role=tagged, org=org), SPEC)}
    assert checks["AWSAssumeRole"].status is PASS, checks["AWSAssumeRole"].detail
    checks = {c.name: c for c in static_checks(snapshot(role=role, org=org), SPEC)}
    assert checks["AWSAssumeRole"].status is FAIL and "RCP perimeter" in (
        checks["AWSAssumeRole"].detail or ""
    )


def test_a_refusal_by_an_scp_or_rcp_is_not_remedied_with_create_role():
    """An SCP's or RCP's Deny is not undone by rewriting the role or the bucket: the remediation
    says so and names no create-role command (it offered `create-role --replace-external-id`
    for an RCP's refusal: found by a first-time user)."""
    org = OrgPolicies(
        rcps=[[Policy("RCPFullAWSAccess", FULL_ACCESS), Policy("RCP perimeter", PERIMETER_RCP)]], org_id=ORG
    )
    role = {"RoleName": "LabelboxS3Access", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": WANTED.trust}
    assume = {c.name: c for c in static_checks(snapshot(role=role, org=org), SPEC)}["AWSAssumeRole"]
    deny_reads = document({"Sid": "NoReads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})
    scps = OrgPolicies(scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP no-reads", deny_reads)]])
    read = {c.name: c for c in static_checks(snapshot(org=scps), SPEC)}["AWSObjectRead"]
    for check in (assume, read):
        assert check.status is FAIL and "organization policy refuses it" in check.remediation, check
        assert "create-role" not in check.remediation and not any("create-role" in c for c in check.commands)
    assert not read.commands  # no exemption in that SCP: nothing to run


def test_a_perimeter_that_spares_a_tag_is_remedied_by_that_tag():
    """AWS's data-perimeter RCP spares roles tagged dp:exclude:identity=true (the role is the
    resource of the vendor's AssumeRole: aws:ResourceTag). The remediation names that tag and
    the command, checked by deciding the check again with it (trial 20 item 6: it said only
    'exempt the role there')."""
    org = OrgPolicies(
        rcps=[[Policy("RCPFullAWSAccess", FULL_ACCESS), Policy("RCP perimeter", PERIMETER_RCP)]], org_id=ORG
    )
    role = {"RoleName": "LabelboxS3Access", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": WANTED.trust}
    assume = {c.name: c for c in static_checks(snapshot(role=role, org=org), SPEC)}["AWSAssumeRole"]
    tags = '[{"Key": "dp:exclude:identity", "Value": "true"}]'
    command = f"aws iam tag-role --role-name LabelboxS3Access --tags '{tags}'"
    assert assume.status is FAIL and assume.commands == (command,), assume
    assert "spares roles tagged dp:exclude:identity=true" in assume.remediation


# --- the resource's account and organization ----------------------------------------------------
# IAM User Guide, "AWS global condition context keys": aws:ResourceAccount, "the resource owner's
# AWS account ID", is in the request context of most service actions; aws:ResourceOrgID, "the
# identifier of the organization in AWS Organizations to which the resource belongs", is present
# when the resource's account is a member of an organization (and aws:ResourceOrgPaths with it).
# AWS's resource-perimeter SCP (aws-samples/data-perimeter-policy-examples,
# "EnforceResourcePerimeterAWSResources") denies the session's calls to resources outside the org.


def resource_perimeter(key: str, value: str) -> OrgPolicies:
    statement = {
        "Sid": "OnlyOrgResources",
        "Effect": "Deny",
        "Action": ["s3:*", "kms:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {key: value}},
    }
    scps = [[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP resource-perimeter", document(statement))]]
    return OrgPolicies(scps=scps, org_id=ORG, org_paths=(PATH,))


OWN_KEY_POLICY = document(
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
)


def test_a_resource_perimeter_scp_passes_the_vendors_reads_of_the_roles_own_bucket_and_key():
    """The bucket is in the role's account (validate takes it so), so in its organization: the
    perimeter on aws:ResourceOrgID or aws:ResourceAccount does not hold (trial 20: both gave
    BUCKET_ACCESS_DENIED, 'explicitly denied by SCP', as if the keys were absent)."""
    for key, value in (
        ("aws:ResourceOrgID", ORG),
        ("aws:ResourceAccount", ACCOUNT),
        ("aws:ResourceOrgPaths", PATH),
    ):
        state = snapshot(org=resource_perimeter(key, value), kms_key=KEY, key_policy=OWN_KEY_POLICY)
        assert {name: status for name, (status, _) in reads(state).items()} == {
            "AWSBucketAccess": PASS,
            "AWSObjectRead": PASS,
        }, (key, reads(state))
    # another organization's perimeter refuses every read of the session
    state = snapshot(org=resource_perimeter("aws:ResourceOrgID", "o-zzzzzzzzzz"))
    for status, detail in reads(state).values():
        assert status is FAIL and "SCP resource-perimeter" in detail


def test_a_key_of_another_account_under_a_resource_perimeter_is_not_decided():
    """A KMS key of another account: its aws:ResourceAccount is in its ARN, its organization was
    not read, so a perimeter on aws:ResourceOrgID neither passes nor fails S3's decrypt."""
    foreign = "arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    open_key = document(
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    state = snapshot(org=resource_perimeter("aws:ResourceOrgID", ORG), kms_key=foreign, key_policy=open_key)
    verdict = kms_decrypt(state, SPEC)
    assert (
        verdict.status is WARN and "aws:ResourceOrgID" in verdict.detail and "999988887777" in verdict.detail
    )
    state = snapshot(
        org=resource_perimeter("aws:ResourceAccount", ACCOUNT), kms_key=foreign, key_policy=open_key
    )
    assert kms_decrypt(state, SPEC).status is FAIL


def test_a_resource_perimeter_with_the_organization_not_read_is_not_decided():
    """The resource's organization is the principal's (one account), so not known either: a WARN
    naming the organization's key, never a PASS or FAIL."""
    outside = {"StringNotEquals": {"aws:ResourceOrgID": ORG}}
    statement = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": outside}
    org = OrgPolicies(
        scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP p", document(statement))]],
        unread=["organizations:DescribeOrganization denied"],
    )
    for status, detail in reads(snapshot(org=org)).values():
        assert status is WARN and detail.startswith("not decided: ") and "OrgID" in detail, detail


def test_audit_counts_a_write_a_resource_perimeter_scp_leaves_on_the_organizations_buckets():
    """AWS's resource-perimeter SCP (deny S3 outside the organization's resources) leaves the
    role's writes to its own account's buckets: a finding, not one the SCP took away (the probe
    bucket had no aws:ResourceAccount or aws:ResourceOrgID, so the perimeter refused it)."""
    writer = Policy(
        "inline policy writer",
        document({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::images/*"}),
    )
    for key, value in (("aws:ResourceOrgID", ORG), ("aws:ResourceAccount", ACCOUNT)):
        outside = {"StringNotEquals": {key: value}}
        statement = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": outside}
        scps = [[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP perimeter", document(statement))]]
        verdict = judge_grants([writer], ACCOUNT, None, scps, org_id=ORG)
        assert verdict.writes == ["s3:PutObject"] and verdict.refused_by == (), key


def test_a_decrypt_refused_by_the_key_policys_condition_names_that_statement_and_what_s3_sent():
    """S3 User Guide, "Using Amazon S3 Bucket Keys": with a Bucket Key the encryption context is
    the bucket's ARN. A key policy statement on the objects' ARNs names the role but does not
    hold; the detail says so with the value S3 sends, and the remediation is about kms:Decrypt
    and the key policy, not s3:GetObject (trial 20 item 5)."""
    on_objects = key_policy({"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images/*"}})
    delegating = {**on_objects, "Statement": [*on_objects["Statement"], *OWN_KEY_POLICY["Statement"]]}
    role_only = snapshot(kms_key=KEY, key_policy=delegating, bucket_key_enabled=True)
    role_only.identity_policies = [
        Policy(
            "policy read",
            document(
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                    "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
                }
            ),
        )
    ]
    at_key = replace(SPEC, key="cat.png")  # an object written with the Bucket Key (HeadObject)
    verdict = kms_decrypt(role_only, at_key)
    assert verdict.status is FAIL
    assert "(Sid ReadThroughS3) names the role, but its condition does not hold" in verdict.detail
    assert '"kms:EncryptionContext:aws:s3:arn = "arn:aws:s3:::images"' not in verdict.detail
    assert 'kms:EncryptionContext:aws:s3:arn = "arn:aws:s3:::images"' in verdict.detail
    [read] = [c for c in static_checks(role_only, at_key) if c.name == "AWSObjectRead"]
    assert read.code == "KMS_DECRYPT_DENIED" and read.remediation.startswith("S3 is refused kms:Decrypt")


def test_a_key_policy_that_does_not_delegate_to_iam_is_the_only_fix_and_says_why():
    """AWS KMS Developer Guide, "Key policies": IAM policies grant access to a KMS key only where
    its key policy lets them. A key policy whose root statement lacks kms:Decrypt and whose
    statement for the role misses S3's encryption context: the detail names that statement with
    the value S3 sent, and the remedy is the key policy's, with no create-role (a no-op there:
    trial 20g item 6)."""
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    admin = {"Effect": "Allow", "Principal": root, "Action": ["kms:Describe*", "kms:Put*"], "Resource": "*"}
    on_bucket = key_policy({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images"}})
    document_ = {**on_bucket, "Statement": [admin, *on_bucket["Statement"]]}
    state = snapshot(kms_key=KEY, key_policy=document_)  # no Bucket Key: the context is the object's ARN
    at_key = replace(SPEC, key="cat.png")  # that object's (HeadObject: no Bucket Key)
    [read] = [c for c in static_checks(state, at_key) if c.name == "AWSObjectRead"]
    assert read.status is FAIL and read.code == "KMS_DECRYPT_DENIED"
    assert "(Sid ReadThroughS3) names the role, but its condition does not hold" in read.detail
    assert read.remediation.startswith("The key policy refuses") and read.commands == ()


def test_a_network_perimeter_that_spares_a_tag_offers_that_tag_for_a_warn():
    """AWS's network-perimeter SCP (aws-samples/data-perimeter-policy-examples,
    "EnforceNetworkPerimeter") spares roles tagged dp:exclude:network. The vendor's reads depend
    on where it calls from (a WARN); the remedy names the tag that settles it (trial 20g item 7)."""
    statement = {
        "Sid": "EnforceNetworkPerimeter",
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "NotIpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"},
            "StringNotEqualsIfExists": {
                "aws:SourceVpc": "vpc-12345678",
                "aws:PrincipalTag/dp:exclude:network": "true",
            },
            "BoolIfExists": {"aws:ViaAWSService": "false"},
        },
    }  # fmt: skip
    org = OrgPolicies(
        scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS), Policy("SCP network", document(statement))]],
        org_id=ORG,
    )
    found = {c.name: c for c in static_checks(snapshot(org=org), SPEC)}
    for name in READS:
        assert found[name].status is WARN, found[name].detail
        assert "dp:exclude:network" in found[name].remediation and found[name].commands, found[name]
    tagged = {
        c.name: c for c in static_checks(snapshot(org=org, role=tagged_role("dp:exclude:network")), SPEC)
    }
    assert {tagged[n].status for n in READS} == {PASS}


def tagged_role(key: str) -> dict:
    role = {"RoleName": "LabelboxS3Access", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": WANTED.trust}
    return {**role, "Tags": [{"Key": key, "Value": "true"}]}


def test_a_trust_limiting_the_tag_keys_the_vendor_passes_leaves_the_roles_other_tags_known():
    """Trial 20p item 1. IAM User Guide, "Passing session tags in AWS STS": a trust can limit the
    tag keys a caller passes with a condition on aws:TagKeys; STS refuses an AssumeRole passing
    any other key. So a trust letting the vendor tag only costcenter leaves the role's own team
    tag the session's: the bucket policy's team Deny is decided (PASS), where a trust letting it
    pass team keeps the read a WARN."""

    def trust(keys: list[str]) -> dict:
        tagging = {**WANTED.trust, "Statement": [dict(s) for s in WANTED.trust["Statement"]]}
        tagging["Statement"].append(
            {
                "Effect": "Allow",
                "Principal": WANTED.trust["Statement"][0]["Principal"],
                "Action": "sts:TagSession",
                "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": keys}},
            }
        )
        return {**tagged(("team", "labeling")), "AssumeRolePolicyDocument": tagging}

    def read(keys: list[str]) -> Status:
        return reads(snapshot(role=trust(keys), bucket_policy=TAG_DENY))["AWSObjectRead"][0]

    assert read(["costcenter"]) is Status.PASS
    assert read(["team"]) is Status.WARN


def test_organization_policies_that_were_not_read_leave_every_grant_not_decided():
    """Round 20af item 2: in a member account, where ListParents is refused, the reads and the
    AssumeRole passed ("decided"). IAM User Guide, "Policy evaluation logic": an SCP or RCP that
    does not allow the request, or denies it, refuses it whatever the other policies grant; such
    a policy was not seen, so a grant is not decided (a WARN that names the refused read), and
    the organization's ID DescribeOrganization gave is kept (round 20af item 4)."""
    why = "SCPs and RCPs not read: organizations:ListParents denied"
    state = snapshot(org=OrgPolicies(unread=[why], org_id=ORG))
    checks = {c.name: c for c in static_checks(state, SPEC)}
    for name in ("AWSAssumeRole", *READS):
        check = checks[name]
        assert check.status is WARN and why in check.detail, (name, check.detail)
        assert "--scp-file" in check.remediation, (name, check.remediation)
    assert checks["AWSExternalID"].status is PASS  # an unread Deny lets no one else in
    # a perimeter on the organization's ID: the ID is known, so only the unread policies remain
    known = snapshot(org=OrgPolicies(unread=[why], org_id=ORG), bucket_policy=document(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}}))  # fmt: skip
    for status, detail in reads(known).values():
        assert status is WARN and "aws:PrincipalOrgID" not in detail, detail


def test_a_key_policy_that_could_not_be_read_leaves_a_decrypt_not_decided():
    """Round 20af item 5: a key policy denying kms:* outside a VPC endpoint refuses the admin's
    DescribeKey too, so it was not read; the role's policies not allowing kms:Decrypt made it a
    FAIL "no statement allows it (implicit deny)" with create-role as the fix. AWS KMS Developer
    Guide, "Key policies": a key policy may allow the role itself, whatever its IAM policies say,
    and may deny it: unread, the decrypt is not decided (a WARN naming the refused read)."""
    reader = Policy("policy read", document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    state = snapshot(kms_key=KEY, key_policy=None, unreadable=["kms:DescribeKey"])
    state.identity_policies = [reader]
    verdict = kms_decrypt(state, SPEC)
    assert verdict.status is WARN and "kms:DescribeKey" in verdict.detail, verdict.detail
    [read] = [c for c in static_checks(state, SPEC) if c.name == "AWSObjectRead"]
    assert read.status is WARN and "could not be read" in read.remediation and not read.commands, read
    denying = Policy("policy deny", document({"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}))
    state.identity_policies = [reader, denying]  # an explicit Deny of the role's own: a FAIL still
    assert kms_decrypt(state, SPEC).status is FAIL


def test_only_one_kind_of_organization_file_leaves_the_other_kind_not_read():
    """Round 20ag item 4: with --scp-file alone, the RCPs were taken to be none (and with
    --rcp-file alone, the SCPs): every verdict passed. Organizations User Guide, "Resource control
    policies": an RCP's Deny refuses S3 and sts:AssumeRole whatever the role's and the bucket's
    policies allow; a kind not given and not read is not decided, never none."""
    from provisioner.organization import given_kinds

    scps = OrgPolicies(scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS)]], org_id=ORG)
    checked = given_kinds(scps)
    assert any("RCPs not read" in u for u in checked.unread), checked.unread
    rcps = OrgPolicies(rcps=[[RCP_FULL]], org_id=ORG)
    assert any("SCPs not read" in u for u in given_kinds(rcps).unread)
    both = OrgPolicies(scps=[[Policy("SCP FullAWSAccess", FULL_ACCESS)]], rcps=[[RCP_FULL]], org_id=ORG)
    assert not given_kinds(both).unread
    state = snapshot(org=checked)
    assert {c.name: c.status for c in static_checks(state, SPEC)}["AWSObjectRead"] is WARN


def test_a_notprincipal_deny_that_names_no_session_is_fixed_the_boundarys_way_for_a_bounded_role():
    """Round 20ah item 3: a NotPrincipal Deny naming the role and the account, not its session,
    refuses the read whatever the boundary; for a role with a boundary the remedy said to name the
    session's ARN too, which would not spare it (IAM User Guide, "Permissions boundaries for IAM
    entities": such a Deny always denies a principal that has a permissions boundary). The remedy
    is the boundary's: Principal "*" with ArnNotEquals aws:PrincipalArn."""
    no_session = document(
        {**NOT_US["Statement"][0], "NotPrincipal": {"AWS": [ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:root"]}}
    )
    checks = {c.name: c for c in static_checks(snapshot(bucket_policy=no_session, boundary=BOUNDARY), SPEC)}
    read = checks["AWSObjectRead"]
    assert (
        read.status is FAIL
        and "always denies a principal that has a permissions boundary" in read.remediation
    )
    assert "ArnNotEquals" in read.remediation and "s3-read" in read.remediation, read.remediation
