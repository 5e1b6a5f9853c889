"""validate against moto's server with two accounts: a correct role passes every check,
static and live; each way of breaking it fails exactly the check it should."""

from __future__ import annotations

import json

import pytest

from provisioner import role, sandbox, validate
from provisioner.aws import Aws
from provisioner.vendors import get_vendor

from .conftest import BUCKET, EXTERNAL_ID, managed_policy, organization, refuse

ROLE = "LabelboxS3Access"
ROLE_ARN = f"arn:aws:iam::123456789012:role/{ROLE}"
LABELBOX = get_vendor("labelbox")
VENDOR_ROLE = LABELBOX.principal


def target(**fields) -> validate.ValidateSpec:
    values = {"role_arn": ROLE_ARN, "external_id": EXTERNAL_ID, "bucket": BUCKET, "vendor": LABELBOX}
    values.update(fields)
    return validate.ValidateSpec(**values)


def live_options(box) -> validate.LiveOptions:
    vendor = Aws(session=sandbox.session_for(LABELBOX.account_id), endpoint_url=box.endpoint)
    return validate.LiveOptions(vendor_aws=vendor, sandbox=True, wait_seconds=0)


def setup_role(make_aws, **options):
    wanted, _ = role.wanted_role(role.RoleSpec(LABELBOX, BUCKET, EXTERNAL_ID, **options))
    role.create_role(make_aws(), wanted)


def statuses(report) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


ALL_PASS = {
    "AWSAssumeRole": "pass",
    "AWSExternalID": "pass",
    "AWSBucketAccess": "pass",
    "AWSObjectRead": "pass",
    "AWSSignedUrl": "skip",
    "AWSCors": "pass",
    "AWSLeastPrivilege": "pass",
}


def test_a_correct_role_passes_every_check_static_and_live(make_aws, box):
    setup_role(make_aws)
    static = validate.validate(make_aws(), target())
    assert statuses(static) == ALL_PASS and static.valid
    live = validate.validate(make_aws(), target(), live_options(box))
    assert statuses(live) == ALL_PASS | {"AWSSignedUrl": "pass"}
    assert live.valid
    by_name = {c.name: c for c in live.checks}
    # moto lets a missing or wrong external ID through, so live cannot judge that: said, not hidden
    assert (
        by_name["AWSExternalID"].live == "skip" and "moto does not enforce" in by_name["AWSExternalID"].detail
    )


def _trust(customer, statement_changes: dict):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": VENDOR_ROLE},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
            }
        ],
    }
    document["Statement"][0].update(statement_changes)
    document["Statement"][0] = {k: v for k, v in document["Statement"][0].items() if v is not None}
    customer.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(document))


def _put_policy(customer, actions):
    customer.iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="extra",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": actions,
                        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                    }
                ],
            }
        ),
    )


def _only_read_bucket(customer):
    customer.iam.detach_role_policy(
        RoleName=ROLE, PolicyArn="arn:aws:iam::123456789012:policy/LabelboxReadAccess"
    )
    customer.iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="list-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                        "Resource": f"arn:aws:s3:::{BUCKET}",
                    }
                ],
            }
        ),
    )


def _bucket_deny(customer):
    customer.s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": ROLE_ARN},
                        "Action": "s3:ListBucket",
                        "Resource": f"arn:aws:s3:::{BUCKET}",
                    }
                ],
            }
        ),
    )


def _kms_without_decrypt(customer, box):
    kms = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("kms", endpoint_url=box.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    customer.s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
            ]
        },
    )


def _cors(customer, origins):
    if origins is None:
        customer.s3.delete_bucket_cors(Bucket=BUCKET)
        return
    customer.s3.put_bucket_cors(
        Bucket=BUCKET,
        CORSConfiguration={
            "CORSRules": [
                {"AllowedOrigins": origins, "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["*"]}
            ]
        },
    )


BREAKS = [
    (
        # another role of the vendor's account: any principal of it counts as the vendor for
        # AWSExternalID (issue 19), but it is not the principal the vendor's service assumes from
        "wrong principal",
        lambda c, b: _trust(c, {"Principal": {"AWS": "arn:aws:iam::340636424752:role/other"}}),
        "AWSAssumeRole",
        "fail",
        "ROLE_CANNOT_BE_ASSUMED",
        "does not name",
    ),
    (
        "wrong external ID",
        lambda c, b: _trust(c, {"Condition": {"StringEquals": {"sts:ExternalId": "someone-elses-id"}}}),
        "AWSAssumeRole",
        "fail",
        "ROLE_CANNOT_BE_ASSUMED",
        "expects someone-elses-id",
    ),
    (
        "no condition",
        lambda c, b: _trust(c, {"Condition": None}),
        "AWSExternalID",
        "fail",
        "EXTERNAL_ID_CONFIGURED_INSECURELY",
        "without an external ID",
    ),
    (
        "StringLike *",
        lambda c, b: _trust(c, {"Condition": {"StringLike": {"sts:ExternalId": "*"}}}),
        "AWSExternalID",
        "fail",
        "EXTERNAL_ID_CONFIGURED_INSECURELY",
        "with any ID, not only the issued IDs: for example arn:aws:sts::340636424752:",
    ),
    (
        "IfExists",
        lambda c, b: _trust(c, {"Condition": {"StringEqualsIfExists": {"sts:ExternalId": EXTERNAL_ID}}}),
        "AWSExternalID",
        "fail",
        "EXTERNAL_ID_CONFIGURED_INSECURELY",
        f"with exactly {EXTERNAL_ID}, or none, not only the issued IDs: for example",
    ),
    (
        "Principal *",
        lambda c, b: _trust(c, {"Principal": "*"}),
        "AWSExternalID",
        "fail",
        "EXTERNAL_ID_CONFIGURED_INSECURELY",
        "another AWS account can assume the role: for example arn:aws:sts::111122223333:",
    ),
    (
        "missing GetObject",
        lambda c, b: _only_read_bucket(c),
        "AWSObjectRead",
        "fail",
        "OBJECT_READ_DENIED",
        "s3:GetObject",
    ),
    (
        "Deny in the bucket policy",
        lambda c, b: _bucket_deny(c),
        "AWSBucketAccess",
        "fail",
        "BUCKET_ACCESS_DENIED",
        "explicitly denied by bucket policy",
    ),
    (
        "SSE-KMS without decrypt",
        _kms_without_decrypt,
        "AWSObjectRead",
        "fail",
        "KMS_DECRYPT_DENIED",
        "kms:Decrypt",
    ),
    ("no CORS", lambda c, b: _cors(c, None), "AWSCors", "fail", "CORS_NOT_CONFIGURED", "no CORS rules"),
    (
        "CORS without the editor origin",
        lambda c, b: _cors(c, ["https://app.labelbox.com"]),
        "AWSCors",
        "fail",
        "CORS_ORIGIN_NOT_ALLOWED",
        "https://editor.labelbox.com",
    ),
    (
        "extra s3:PutObject",
        lambda c, b: _put_policy(c, ["s3:PutObject"]),
        "AWSLeastPrivilege",
        "warn",
        "PERMISSIONS_TOO_BROAD",
        "s3:PutObject",
    ),
]


@pytest.mark.parametrize("live", [False, True], ids=["static", "live"])
@pytest.mark.parametrize(
    ("what", "breaks", "check", "status", "code", "detail"), BREAKS, ids=[b[0] for b in BREAKS]
)
def test_each_break_fails_exactly_its_check(
    make_aws, box, customer, live, what, breaks, check, status, code, detail
):
    setup_role(make_aws)
    breaks(customer, box)
    report = validate.validate(make_aws(), target(), live_options(box) if live else None)
    by_name = {c.name: c for c in report.checks}
    assert by_name[check].status == status, by_name[check]
    assert by_name[check].code == code
    assert detail in by_name[check].detail
    assert by_name[check].remediation
    others = {n: c.status for n, c in by_name.items() if n != check}
    assert all(s in ("pass", "skip") for s in others.values()), others
    assert report.valid == (status != "fail")


def test_strict_turns_broad_permissions_into_a_failure(make_aws, customer):
    setup_role(make_aws)
    _put_policy(customer, ["s3:DeleteObject"])
    report = validate.validate(make_aws(), target(strict=True))
    assert {c.name: c.status for c in report.checks}["AWSLeastPrivilege"] == "fail"
    assert not report.valid


def test_kms_with_decrypt_through_s3_passes(make_aws, box, customer):
    kms = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("kms", endpoint_url=box.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    customer.s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
            ]
        },
    )
    setup_role(make_aws, kms_key_arn=key)
    check = {c.name: c for c in validate.validate(make_aws(), target()).checks}["AWSObjectRead"]
    assert check.status == "pass" and "delegates to IAM" in check.detail


def test_missing_role_and_missing_bucket(make_aws):
    report = validate.validate(make_aws(), target(role_arn="arn:aws:iam::123456789012:role/Nobody"))
    by_name = {c.name: c for c in report.checks}
    assert (
        by_name["AWSAssumeRole"].code == "ROLE_CANNOT_BE_ASSUMED"
        and "does not exist" in by_name["AWSAssumeRole"].detail
    )
    setup_role(make_aws)
    report = validate.validate(make_aws(), target(bucket="no-such-bucket-x"))
    assert {c.name: c.code for c in report.checks}["AWSBucketAccess"] == "BUCKET_NOT_FOUND"


def test_static_and_live_verdicts_that_differ_are_both_reported(make_aws, box, customer):
    setup_role(make_aws)
    _trust(customer, {"Principal": {"AWS": "arn:aws:iam::111122223333:role/other"}})
    check = {c.name: c for c in validate.validate(make_aws(), target(), live_options(box)).checks}[
        "AWSAssumeRole"
    ]
    assert (check.static, check.live, check.status) == ("fail", "pass", "fail")
    assert "static fail:" in check.detail and "live pass:" in check.detail


def test_cli_json_mirrors_labelbox_validate_answer(cli, aws_env, make_aws):
    setup_role(make_aws)
    result = cli(
        "validate",
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        EXTERNAL_ID,
        "--bucket",
        BUCKET,
        "--live",
        "--wait",
        "0",
        "-o",
        "json",
    )
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["valid"] is True and data["role_arn"] == ROLE_ARN
    assert data["schema_version"] == 1  # issue 18: every report's JSON carries it
    assert [c["name"] for c in data["checks"]] == list(ALL_PASS)
    for check in data["checks"]:
        assert set(check) >= {"name", "success", "status", "code", "message", "detail", "remediation"}


def test_cli_exit_1_on_a_failed_check_with_the_labelbox_message(cli, aws_env, make_aws, customer):
    setup_role(make_aws)
    _trust(customer, {"Condition": None})
    result = cli("validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET)
    assert result.code == 1
    assert (
        "EXTERNAL_ID_CONFIGURED_INSECURELY" in result.stdout
        and "INVALID: AWSExternalID failed" in result.stdout
    )
    data = cli(
        "validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET, "-o", "json"
    ).json()
    failed = [c for c in data["checks"] if not c["success"]]
    assert [(c["name"], c["message"]) for c in failed] == [
        ("AWSExternalID", "External ID configured insecurely")
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role-arn", "arn:aws:iam::123456789012:user/bob"], "not an IAM role ARN"),
        (["--role-arn", "LabelboxS3Access"], "not an ARN"),
        (["--external-id", "x"], "2 to 1,224"),
        (["--bucket", "Bad"], "--bucket 'Bad'"),
    ],
)
def test_cli_bad_input(cli, aws_env, args, expected):
    base = {"--role-arn": ROLE_ARN, "--external-id": EXTERNAL_ID, "--bucket": BUCKET}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = cli("validate", *[x for kv in base.items() for x in kv])
    assert result.code == 2 and expected in result.error_line


def test_live_outside_the_sandbox_needs_vendor_credentials(cli, aws_env, monkeypatch):
    monkeypatch.setattr(sandbox, "is_sandbox", lambda endpoint: False)
    result = cli(
        "validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET, "--live"
    )
    assert result.code == 2 and "--vendor-profile" in result.error_line


def test_reads_aws_refuses_are_noted_not_fatal(make_aws, cli, aws_env):
    """A VPC-endpoint-only bucket answers the admin's HeadObject with a bare 403 (no body, so no
    error code) and GetBucketPolicy with AccessDenied: validate still decides what the policies
    it could read decide, and says what it could not read."""
    setup_role(make_aws)
    aws = make_aws(
        {
            "before-call.s3.HeadObject": refuse("403", 403, "Forbidden"),
            "before-call.s3.GetBucketPolicy": refuse("AccessDenied"),
        }
    )
    report = validate.validate(aws, target(key="images/a.jpg"))
    by_name = {c.name: c for c in report.checks}
    assert by_name["AWSAssumeRole"].status == "pass"
    read = by_name["AWSObjectRead"]
    assert read.status == "warn" and "s3:GetBucketPolicy was refused" in read.detail, read
    assert report.valid  # warnings, not failures: nothing the policies said was refused


def test_a_role_the_admin_cannot_read_is_a_warning_not_a_missing_role(make_aws):
    setup_role(make_aws)
    report = validate.validate(make_aws({"before-call.iam.GetRole": refuse("AccessDenied")}), target())
    by_name = {c.name: c for c in report.checks}
    assert by_name["AWSAssumeRole"].status == "warn"
    assert "iam:GetRole was refused" in by_name["AWSAssumeRole"].detail
    assert by_name["AWSExternalID"].status == "skip"


def test_a_permissions_boundary_read_from_getrole_limits_the_verdict(make_aws, customer):
    setup_role(make_aws)
    arn = managed_policy(
        customer.iam, "ListOnlyBoundary", {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
    )
    customer.iam.put_role_permissions_boundary(RoleName=ROLE, PermissionsBoundary=arn)
    by_name = {c.name: c for c in validate.validate(make_aws(), target()).checks}
    assert by_name["AWSObjectRead"].code == "OBJECT_READ_DENIED"
    assert "permissions boundary does not" in by_name["AWSObjectRead"].detail
    assert by_name["AWSAssumeRole"].status == "pass"  # a boundary limits the role, not who assumes it


def _org_policy(org, kind: str, name: str, statement: dict) -> str:
    content = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return org.create_policy(Content=content, Description=name, Name=name, Type=kind)["Policy"][
        "PolicySummary"
    ]["Id"]


def test_scps_and_rcps_read_from_organizations_decide_and_are_named(make_aws, box):
    """The data-perimeter patterns: an SCP that denies s3:GetObject outside a VPC endpoint and an
    RCP that denies sts:AssumeRole to principals outside the organization make the vendor fail,
    whatever the role and the bucket say ("Policy evaluation logic"; moto stores and returns
    Organizations policies, our evaluator decides them)."""
    setup_role(make_aws)
    org, root = organization(box)
    scp = _org_policy(org, "SERVICE_CONTROL_POLICY", "vpce-only-reads", {
        "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c"}}})  # fmt: skip
    rcp = _org_policy(org, "RESOURCE_CONTROL_POLICY", "org-only-assume", {
        "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-customer"}}})  # fmt: skip
    org.attach_policy(PolicyId=scp, TargetId=sandbox.CUSTOMER_ACCOUNT)
    org.attach_policy(PolicyId=rcp, TargetId=root)
    aws = make_aws()
    by_name = {c.name: c for c in validate.validate(aws, target()).checks}
    attached = {
        p["Id"]
        for target_id in (root, sandbox.CUSTOMER_ACCOUNT)
        for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
        for p in org.list_policies_for_target(TargetId=target_id, Filter=kind)["Policies"]
    }
    assert aws.log.counts()["organizations:DescribePolicy"] == len(attached)  # once each, whatever the levels
    assert (
        by_name["AWSObjectRead"].status == "fail" and "SCP vpce-only-reads" in by_name["AWSObjectRead"].detail
    )
    assert (
        by_name["AWSAssumeRole"].status == "fail" and "RCP org-only-assume" in by_name["AWSAssumeRole"].detail
    )
    assert by_name["AWSBucketAccess"].status == "pass"  # FullAWSAccess at every level still allows ListBucket


def test_organization_policies_that_cannot_be_read_are_said_so(make_aws):
    """Not decided, never a PASS (round 20af item 2: it was a PASS with a note). IAM User Guide,
    "Policy evaluation logic": an SCP or RCP that denies the request refuses it whatever the
    role's and the bucket's policies allow; the reads and the AssumeRole (RCPs apply to it) are a
    WARN naming the refused call, with a remediation that gives the files."""
    setup_role(make_aws)
    aws = make_aws({"before-call.organizations.DescribeOrganization": refuse("AccessDeniedException")})
    by_name = {c.name: c for c in validate.validate(aws, target()).checks}
    for name in ("AWSAssumeRole", "AWSBucketAccess", "AWSObjectRead"):
        check = by_name[name]
        assert check.status == "warn", (name, check.detail)
        assert "SCPs and RCPs not read: organizations:DescribeOrganization denied" in check.detail
        assert "--scp-file" in check.remediation
    assert by_name["AWSExternalID"].status == "pass"


def test_scp_files_offline(cli, aws_env, make_aws, tmp_path, box):
    """SCP files, for an account whose organization's policies cannot be listed. In an account
    that is in no organization (DescribeOrganization: AWSOrganizationsNotInUseException) none
    applies, so a file is not applied (round 20ae items 2, 3: it was, and made writes pass)."""
    setup_role(make_aws)
    path = tmp_path / "scp.json"
    content = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}],
    }
    summary = {"Name": "no-reads", "Type": "SERVICE_CONTROL_POLICY"}
    path.write_text(json.dumps({"Policy": {"PolicySummary": summary, "Content": json.dumps(content)}}))
    args = [
        "validate",
        "--role-arn",
        ROLE_ARN,
        "--external-id",
        EXTERNAL_ID,
        "--bucket",
        BUCKET,
        "-o",
        "json",
    ]
    standalone = cli(*args, "--scp-file", str(path))
    assert standalone.code == 0, standalone.stdout
    assert (
        "in no organization" in {c["name"]: c for c in standalone.json()["checks"]}["AWSObjectRead"]["detail"]
    )
    organization(box)  # the customer's account a member of an organization
    result = cli(*args, "--scp-file", str(path))
    assert result.code == 1
    checks = {c["name"]: c for c in result.json()["checks"]}
    assert "SCP no-reads" in checks["AWSObjectRead"]["detail"]
    assert "FullAWSAccess assumed" in checks["AWSBucketAccess"]["detail"]
    wrong = cli(*args, "--rcp-file", str(path))
    assert (
        wrong.code == 2
        and "--rcp-file" in wrong.error_line
        and "not a RESOURCE_CONTROL_POLICY" in wrong.error_line
    )
    # with --role-name (the role's account from the credentials): the same verdict, never a
    # traceback (round 20ad item 10: "ValueError: not a role ARN: ''", exit 1)
    named = ["--role-name", ROLE, *args[3:]]
    by_name = cli("validate", *named, "--scp-file", str(path))
    assert by_name.code == 1 and "Traceback" not in by_name.stderr, by_name.stderr
    assert "SCP no-reads" in {c["name"]: c for c in by_name.json()["checks"]}["AWSObjectRead"]["detail"]


def test_create_role_with_a_boundary_and_validate_judges_it(cli, aws_env, customer, make_aws):
    read_only = managed_policy(
        customer.iam, "ReadOnlyBoundary", {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}
    )
    created = cli(
        "create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "--permissions-boundary", read_only
    )
    assert created.code == 0, created.stderr
    role = customer.iam.get_role(RoleName=ROLE)["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == read_only
    by_name = {c.name: c for c in validate.validate(make_aws(), target()).checks}
    assert by_name["AWSObjectRead"].status == "fail"  # the boundary allows listing, not reading
    assert "permissions boundary does not" in by_name["AWSObjectRead"].detail


def _answer(parsed: dict):
    """A before-call handler answering an operation with a successful, parsed response."""
    from botocore.awsrequest import AWSResponse

    def handler(**_):
        return AWSResponse("https://s3.amazonaws.com/", 200, {}, None), parsed

    return handler


def test_an_object_written_by_another_account_fails_object_read(make_aws, customer):
    """moto gives every object the same owner, so the object's ACL is answered by a botocore hook;
    the bucket's ownership controls, its ACL and the rest come from moto."""
    setup_role(make_aws)
    customer.s3.put_object(
        Bucket=BUCKET, Key="images/a.jpg", Body=b"x"
    )  # a --key names an object that is there
    owner = customer.s3.get_bucket_acl(Bucket=BUCKET)["Owner"]["ID"]
    foreign = {"Owner": {"ID": "f" * 64}, "Grants": [{"Grantee": {"ID": "f" * 64, "Type": "CanonicalUser"},
                                                     "Permission": "FULL_CONTROL"}]}  # fmt: skip
    aws = make_aws({"before-call.s3.GetObjectAcl": _answer(foreign)})
    check = {c.name: c for c in validate.validate(aws, target(key="images/a.jpg")).checks}["AWSObjectRead"]
    assert check.code == "OBJECT_READ_DENIED" and "written by another account" in check.detail
    granted = {
        **foreign,
        "Grants": [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "READ"}],
    }
    aws = make_aws({"before-call.s3.GetObjectAcl": _answer(granted)})
    assert {c.name: c for c in validate.validate(aws, target(key="images/a.jpg")).checks}[
        "AWSObjectRead"
    ].status == "pass"
    customer.s3.put_bucket_ownership_controls(
        Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    aws = make_aws({"before-call.s3.GetObjectAcl": _answer(foreign)})  # not even read now
    assert {c.name: c for c in validate.validate(aws, target(key="images/a.jpg")).checks}[
        "AWSObjectRead"
    ].status == "pass"


def test_the_organizations_id_from_describe_organization_confines_principal_star(make_aws, box, customer):
    """aws:PrincipalOrgID (IAM User Guide, "AWS global condition context keys"): a caller of
    another account may be in any organization but ours. validate learns ours from
    DescribeOrganization, so a Principal "*" statement confined to it (for the admins of the
    organization) lets no other account in, while one naming another organization does."""
    setup_role(make_aws)
    org, _ = organization(box)
    ours = org.describe_organization()["Organization"]["Id"]
    pinned = {
        "Effect": "Allow",
        "Principal": {"AWS": VENDOR_ROLE},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
    }
    for organization_id, expected in ((ours, "pass"), ("o-z9y8x7w6v5", "fail")):
        internal = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
        }
        document = {"Version": "2012-10-17", "Statement": [pinned, internal]}
        customer.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(document))
        by_name = {c.name: c for c in validate.validate(make_aws(), target()).checks}
        check = by_name["AWSExternalID"]
        assert check.status == expected, check.detail
        if expected == "fail":
            assert f"aws:PrincipalOrgID={organization_id!r}" in check.detail
        else:
            assert check.detail.startswith(
                f"only account {LABELBOX.account_id} gets in, with exactly {EXTERNAL_ID}"
            )
        assert by_name["AWSAssumeRole"].status == "pass"


def test_the_object_key_names_decides_its_own_encryption_and_a_missing_one_is_said(make_aws, customer):
    """--key: an object keeps the encryption it was written with (S3 User Guide, "Setting default
    server-side encryption behavior for Amazon S3 buckets": the default applies to new objects),
    so an SSE-S3 object in a bucket whose default is now SSE-KMS needs no kms:Decrypt; and a --key
    that names no object is never a PASS (both found by a first-time user: a KMS_DECRYPT_DENIED
    for the bucket's key, and a silent PASS)."""
    setup_role(make_aws)
    customer.s3.put_object(Bucket=BUCKET, Key="images/plain.jpg", Body=b"x", ServerSideEncryption="AES256")
    kms = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("kms", endpoint_url=make_aws().endpoint_url)
    key = kms.create_key()["KeyMetadata"]["Arn"]  # its default policy: the account's IAM policies decide
    customer.s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
            ]
        },
    )
    aws = make_aws()
    plain = {c.name: c for c in validate.validate(aws, target(key="images/plain.jpg")).checks}[
        "AWSObjectRead"
    ]
    assert plain.status == "pass" and "kms" not in (plain.detail or "").lower(), plain
    missing = {c.name: c for c in validate.validate(aws, target(key="images/none.jpg")).checks}[
        "AWSObjectRead"
    ]
    assert missing.status == "warn" and "no object images/none.jpg" in (missing.detail or ""), missing


def test_create_role_refuses_a_boundary_that_does_not_exist(cli, aws_env, customer):
    """Round 20ac: create-role with a --permissions-boundary naming no policy created the role
    (moto accepts it; IAM refuses CreateRole with it). It is now checked with iam:GetPolicy
    before the plan: exit 2, one line, and nothing is created."""
    missing = f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:policy/DoesNotExist"
    created = cli(
        "create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "--permissions-boundary", missing
    )
    assert created.code == 2 and "no such managed policy" in created.error_line, created.stderr
    assert ROLE not in [r["RoleName"] for r in customer.iam.list_roles()["Roles"]]


def test_a_bucket_of_another_account_needs_its_own_grant(make_aws, box):
    """Round 20af item 1: a bucket of another account (not among the credentials' ListBuckets)
    was taken to be the role's account's, and the role's own policy made its reads a PASS. IAM
    User Guide, "Cross-account policy evaluation logic": across accounts the resource's policy
    must allow the request too. A bucket policy granting the role nothing: FAIL; one granting
    it: a WARN (that account's organization and its RCPs are not read), never a PASS."""
    other = "222233334444"
    foreign = "provisioner-foreign-bucket"
    s3 = Aws(session=sandbox.session_for(other), endpoint_url=box.endpoint).client("s3")
    s3.create_bucket(Bucket=foreign)
    wanted, _ = role.wanted_role(role.RoleSpec(LABELBOX, foreign, EXTERNAL_ID))
    role.create_role(make_aws(), wanted)
    objects, whole = f"arn:aws:s3:::{foreign}/*", f"arn:aws:s3:::{foreign}"

    def grant(principal: str, actions: list[str]) -> dict:
        statement = {"Effect": "Allow", "Action": actions, "Principal": {"AWS": principal}}
        return {"Version": "2012-10-17", "Statement": [{**statement, "Resource": [whole, objects]}]}

    own_only = grant(f"arn:aws:iam::{other}:root", ["s3:*"])
    s3.put_bucket_policy(Bucket=foreign, Policy=json.dumps(own_only))
    by_name = {c.name: c for c in validate.validate(make_aws(), target(bucket=foreign)).checks}
    for name in ("AWSBucketAccess", "AWSObjectRead"):
        assert by_name[name].status == "fail", (name, by_name[name].detail)
    granting = grant(ROLE_ARN, ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"])
    s3.put_bucket_policy(Bucket=foreign, Policy=json.dumps(granting))
    by_name = {c.name: c for c in validate.validate(make_aws(), target(bucket=foreign)).checks}
    assert by_name["AWSBucketAccess"].status == "warn", by_name["AWSBucketAccess"].detail
    read = by_name["AWSObjectRead"]
    assert read.status == "warn" and "another account's" in read.detail, read.detail
