"""validate against moto's server with what it knows of the role's session (issue 20): the
customer's organization and its OU path (read from Organizations: DescribeOrganization and
ListParents), the role's tags (GetRole) and the S3 Bucket Key (GetBucketEncryption). moto stores
and returns these; our evaluator decides the policies."""

from __future__ import annotations

import json

from provisioner import role, sandbox, validate
from provisioner.vendors import get_vendor

from .conftest import BUCKET, EXTERNAL_ID, organization

ROLE = "LabelboxS3Access"
ROLE_ARN = f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/{ROLE}"
LABELBOX = get_vendor("labelbox")
READS = ("AWSBucketAccess", "AWSObjectRead")


def target() -> validate.ValidateSpec:
    return validate.ValidateSpec(ROLE_ARN, EXTERNAL_ID, BUCKET, LABELBOX)


def setup_role(make_aws, **options) -> None:
    wanted, _ = role.wanted_role(role.RoleSpec(LABELBOX, BUCKET, EXTERNAL_ID, **options))
    role.create_role(make_aws(), wanted)


def reads(make_aws) -> dict[str, validate.Check]:
    return {c.name: c for c in validate.validate(make_aws(), target()).checks if c.name in READS}


def attach_rcp(org, target_id: str, name: str, statement: dict) -> None:
    content = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    policy = org.create_policy(Content=content, Description=name, Name=name, Type="RESOURCE_CONTROL_POLICY")
    org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=target_id)


def test_the_data_perimeter_rcp_passes_the_vendors_reads(make_aws, box):
    """AWS's data-perimeter RCP ("deny S3 and KMS unless aws:PrincipalOrgID is ours") and one
    confining S3 to the labeling OU by aws:PrincipalOrgPaths, both attached to the root: the
    role's session is in the organization, in that OU (ListParents walked to the root), so the
    vendor's reads pass (both failed before: the session was taken to be in no organization).
    Moved to another OU, the account's sessions are refused by the second."""
    setup_role(make_aws)
    org, root = organization(box)
    ours = org.describe_organization()["Organization"]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="labeling")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=sandbox.CUSTOMER_ACCOUNT, SourceParentId=root, DestinationParentId=ou)
    attach_rcp(org, root, "data-perimeter", {
        "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "kms:*"], "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ours},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})  # fmt: skip
    path = f"{ours}/{root}/{ou}/*"
    attach_rcp(org, root, "labeling-ou-only", {
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": [path]}}})  # fmt: skip
    checks = reads(make_aws)
    assert {name: c.status for name, c in checks.items()} == {
        "AWSBucketAccess": "pass",
        "AWSObjectRead": "pass",
    }
    assert "RCPs" in checks["AWSObjectRead"].detail and "data-perimeter" in checks["AWSObjectRead"].detail
    finance = org.create_organizational_unit(ParentId=root, Name="finance")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=sandbox.CUSTOMER_ACCOUNT, SourceParentId=ou, DestinationParentId=finance)
    for check in reads(make_aws).values():
        assert check.status == "fail" and "RCP labeling-ou-only" in check.detail


def test_a_bucket_policy_keyed_on_the_roles_tag_passes_the_tagged_role_only(make_aws, customer):
    """The bucket policy denies s3:GetObject unless aws:PrincipalTag/team is labeling: the role's
    tag (GetRole's Tags) is its session's (IAM User Guide, "Pass session tags in AWS STS": IAM
    tags, the tags attached to the assumed role)."""
    setup_role(make_aws)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "LabelingTeamOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "labeling"}}}],
    }  # fmt: skip
    customer.s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    customer.iam.tag_role(RoleName=ROLE, Tags=[{"Key": "team", "Value": "labeling"}])
    assert reads(make_aws)["AWSObjectRead"].status == "pass"
    customer.iam.untag_role(RoleName=ROLE, TagKeys=["team"])
    check = reads(make_aws)["AWSObjectRead"]
    assert (
        check.status == "fail" and check.code == "OBJECT_READ_DENIED" and "LabelingTeamOnly" in check.detail
    )


def test_a_key_policy_on_the_buckets_encryption_context_passes_with_an_s3_bucket_key(make_aws, box, customer):
    """S3 User Guide, SSE-KMS, "Encryption context": with an S3 Bucket Key, S3's kms:Decrypt
    carries the bucket's ARN as aws:s3:arn (the object's without one). The key policy grants the
    role kms:Decrypt on the bucket's context only; GetBucketEncryption's BucketKeyEnabled decides.
    Without --key an object written before the Bucket Key (or without it) carries its own ARN, so
    with the Bucket Key the read depends on the object (S3 API Reference, ServerSideEncryptionRule:
    "Existing objects are not affected"): a WARN, not a PASS (trial 20v item 3). Without the
    Bucket Key too: any object may have been written with one (round 20ah item 2: it was a FAIL).
    S3 API Reference, PutObject, x-amz-server-side-encryption-bucket-key-enabled: "Specifying
    this header with a PUT action doesn't affect bucket-level settings for S3 Bucket Key"."""
    kms = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("kms", endpoint_url=box.endpoint)
    admin = f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": admin},
             "Action": ["kms:Describe*", "kms:Get*", "kms:Put*", "kms:List*"], "Resource": "*"},
            {"Sid": "ReadThroughS3", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
             "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{BUCKET}"}}},
        ],
    }  # fmt: skip
    setup_role(make_aws)
    key = kms.create_key(Policy=json.dumps(key_policy), BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"][
        "Arn"
    ]
    for bucket_key, expected in ((True, "warn"), (False, "warn")):
        rule = {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
            "BucketKeyEnabled": bucket_key,
        }
        customer.s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [rule]})
        check = reads(make_aws)["AWSObjectRead"]
        assert check.status == expected, check.detail
        if expected == "fail":
            assert check.code == "KMS_DECRYPT_DENIED"
        else:
            assert "depends on the object's key" in check.detail, check.detail


def test_a_bucket_key_of_another_account_is_a_verdict_not_a_failed_run(make_aws, customer):
    """The bucket's default key is another account's, which DescribeKey cannot see (moto:
    NotFoundException; AWS: that or AccessDenied): validate still reports, noting the read it
    could not make, and the role's policies, which name no such key, refuse kms:Decrypt (AWS KMS
    Developer Guide, "Allowing users in other accounts to use a KMS key": both the key policy and
    the caller's IAM policy must allow). Trial 20g item 2: exit 3, no checks."""
    setup_role(make_aws)
    foreign = "arn:aws:kms:us-east-1:111122223333:key/3c33a4b5-1111-2222-3333-444455556666"
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": foreign}}
    customer.s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [rule]})
    check = reads(make_aws)["AWSObjectRead"]
    assert check.status == "fail" and check.code == "KMS_DECRYPT_DENIED", check.detail
    assert foreign in check.detail


def test_a_role_whose_trust_names_the_vendors_role_is_found_through_list_roles(make_aws, customer):
    """Trial 20ab item 1, against moto: another role (AdminChain) whose trust names this role's
    ARN is read through ListRoles and makes least privilege a WARN naming it; one trusting only
    another principal is not read as this role's."""
    setup_role(make_aws)

    def trusting(name: str, principal: str) -> None:
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}  # fmt: skip
        customer.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))

    trusting("Unrelated", f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/SomeoneElse")
    least = {c.name: c for c in validate.validate(make_aws(), target()).checks}["AWSLeastPrivilege"]
    assert least.status == "pass", least.detail
    trusting("AdminChain", ROLE_ARN)
    least = {c.name: c for c in validate.validate(make_aws(), target()).checks}["AWSLeastPrivilege"]
    assert least.status == "warn" and "AdminChain" in least.detail, least.detail


def test_a_role_of_yours_anyone_may_assume_is_read_through_list_roles(make_aws, customer):
    """Round 20ac trust item 1, against moto: the trust also names Helper, a role of the account
    that anyone may assume; read with ListRoles, AWSExternalID fails naming it (role chaining)."""
    setup_role(make_aws)
    anyone = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}  # fmt: skip
    customer.iam.create_role(RoleName="Helper", AssumeRolePolicyDocument=json.dumps(anyone))
    trust = json.loads(json.dumps(customer.iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]))
    helper = f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/Helper"
    trust["Statement"].append({"Effect": "Allow", "Principal": {"AWS": helper}, "Action": "sts:AssumeRole"})
    customer.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    found = {c.name: c for c in validate.validate(make_aws(), target()).checks}["AWSExternalID"]
    assert found.status == "fail" and "role Helper of your account" in found.detail, found.detail


def test_a_role_any_principal_of_the_account_may_assume_is_a_chain(make_aws, customer):
    """Round 20ac G7: a role whose trust lets in Principal "*" narrowed by aws:PrincipalAccount
    to the account names no role, yet lets this role's session in (a trust is a resource policy:
    "*" grants on its own); least privilege passed. Read with ListRoles, it is now named."""
    setup_role(make_aws)
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": sandbox.CUSTOMER_ACCOUNT}}}]}  # fmt: skip
    customer.iam.create_role(RoleName="AccountWide", AssumeRolePolicyDocument=json.dumps(wide))
    least = {c.name: c for c in validate.validate(make_aws(), target()).checks}["AWSLeastPrivilege"]
    assert least.status == "warn" and "AccountWide" in least.detail, least.detail


def test_plain_scp_files_are_not_applied_in_the_management_account(make_aws, box, tmp_path):
    """Round 20ad item 1: in the organization's management account (moto's create_organization
    by the customer), an SCP file given as a plain policy document (which names no account) was
    applied, and the role's writes passed least privilege. DescribeOrganization names the
    management account; SCPs don't affect its roles (AWS Organizations User Guide)."""
    setup_role(make_aws)
    organization(box, managed_by_customer=True)
    iam = make_aws().client("iam")
    writes = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
              "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}  # fmt: skip
    iam.put_role_policy(RoleName=ROLE, PolicyName="writes", PolicyDocument=json.dumps(writes))
    scp = tmp_path / "deny-writes.json"
    scp.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}))  # fmt: skip
    spec = validate.ValidateSpec(ROLE_ARN, EXTERNAL_ID, BUCKET, LABELBOX, scp_files=(str(scp),))
    least = {c.name: c for c in validate.validate(make_aws(), spec).checks}["AWSLeastPrivilege"]
    assert least.status == "warn" and "s3:PutObject" in least.detail, least.detail


def test_policy_files_of_another_organization_are_not_applied(make_aws, box, tmp_path):
    """Round 20ae item 1: an RCP file whose ARN names another organization (o-zzzzzzzzzz) made it
    "yours", and a trust letting that organization in passed. DescribeOrganization names the
    account's own; files of another are not applied, and the trust's door is found."""
    setup_role(make_aws)
    organization(box)
    iam = make_aws().client("iam")
    trust = json.loads(json.dumps(iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]))
    theirs = {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}
    door = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": theirs}
    trust["Statement"].append(door)
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    full = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }
    arn = "arn:aws:organizations::999999999999:policy/o-zzzzzzzzzz/resource_control_policy/p-full0001"
    rcp = tmp_path / "rcp.json"
    summary = {"Arn": arn, "Name": "RCPFullAWSAccess", "Type": "RESOURCE_CONTROL_POLICY"}
    rcp.write_text(json.dumps({"Policy": {"PolicySummary": summary, "Content": json.dumps(full)}}))
    spec = validate.ValidateSpec(ROLE_ARN, EXTERNAL_ID, BUCKET, LABELBOX, rcp_files=(str(rcp),))
    found = {c.name: c for c in validate.validate(make_aws(), spec).checks}["AWSExternalID"]
    assert found.status == "fail" and "not applied" in found.detail, found.detail
