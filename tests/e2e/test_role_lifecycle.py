"""rotate-external-id, delete-role, and the errors every AWS command shares."""

from __future__ import annotations

import json

import pytest

from provisioner import role
from provisioner.errors import InputError

from .conftest import BUCKET, EXTERNAL_ID, refuse, trust_of
from .test_create_role import POLICY_ARN, wanted

NEW_ID = "cknew0000000000000000000009"


def external_ids(customer) -> list[str]:
    value = trust_of(customer.iam, "LabelboxS3Access")["Statement"][0]["Condition"]["StringEquals"][
        "sts:ExternalId"
    ]
    return [value] if isinstance(value, str) else value


def test_rotate_with_keep_old_accepts_both_then_drops_the_old(make_aws, cli, aws_env, customer):
    role.create_role(make_aws(), wanted())
    result = cli(
        "rotate-external-id",
        "--role-name",
        "LabelboxS3Access",
        "--external-id",
        NEW_ID,
        "--keep-old",
    )
    assert result.code == 0, result.stderr
    assert external_ids(customer) == [EXTERNAL_ID, NEW_ID]
    assert "run again without --keep-old" in result.stderr

    aws = make_aws()
    again = role.rotate_external_id(aws, role.RotateSpec("LabelboxS3Access", NEW_ID, keep_old=True))
    assert again.plan.changes == [] and aws.log.mutating == []

    # Dropping the old ID breaks whoever still uses it: not without a yes (issue 12).
    refused = cli("rotate-external-id", "--role-name", "LabelboxS3Access", "--external-id", NEW_ID)
    assert refused.code == 2 and "--yes" in refused.error_line and EXTERNAL_ID in refused.error_line
    assert "DESTRUCTIVE" in refused.stderr and external_ids(customer) == [EXTERNAL_ID, NEW_ID]
    result = cli("rotate-external-id", "--role-name", "LabelboxS3Access", "--external-id", NEW_ID, "--yes")
    assert result.code == 0
    assert external_ids(customer) == [NEW_ID]
    statement = trust_of(customer.iam, "LabelboxS3Access")["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"}


def test_rotate_dry_run_and_bad_id(make_aws, cli, aws_env, customer):
    role.create_role(make_aws(), wanted())
    result = cli(
        "rotate-external-id",
        "--role-name",
        "LabelboxS3Access",
        "--external-id",
        NEW_ID,
        "--dry-run",
    )
    assert result.code == 0 and "dry run: nothing was changed" in result.stderr
    assert external_ids(customer) == [EXTERNAL_ID]
    bad = cli("rotate-external-id", "--role-name", "LabelboxS3Access", "--external-id", "has space")
    assert bad.code == 2 and "--external-id" in bad.error_line


def test_rotate_refuses_unmanaged_roles_and_other_trust_shapes(make_aws, customer):
    customer.iam.create_role(RoleName="Hand", AssumeRolePolicyDocument="{}")
    with pytest.raises(InputError, match="--force"):
        role.rotate_external_id(make_aws(), role.RotateSpec("Hand", NEW_ID))
    with pytest.raises(InputError, match="one vendor principal"):
        role.rotate_external_id(make_aws(), role.RotateSpec("Hand", NEW_ID, force=True))
    with pytest.raises(InputError, match="no such role"):
        role.rotate_external_id(make_aws(), role.RotateSpec("Nobody", NEW_ID))


def test_delete_removes_only_what_provisioner_made(make_aws, cli, aws_env, customer):
    theirs = {
        "ID": "uploads",
        "AllowedOrigins": ["https://upload.example.com"],
        "AllowedMethods": ["PUT"],
    }
    customer.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [theirs]})
    role.create_role(make_aws(), wanted(prefix="a/"))  # two policy versions
    role.create_role(make_aws(), wanted())
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}],
        }
    )
    customer.iam.put_role_policy(RoleName="LabelboxS3Access", PolicyName="extra", PolicyDocument=document)
    theirs_arn = customer.iam.create_policy(PolicyName="TheirsToKeep", PolicyDocument=document)["Policy"][
        "Arn"
    ]
    customer.iam.attach_role_policy(RoleName="LabelboxS3Access", PolicyArn=theirs_arn)

    result = cli("delete-role", "--role-name", "LabelboxS3Access", "--yes")
    assert result.code == 0, result.stderr
    names = [r["RoleName"] for r in customer.iam.list_roles()["Roles"]]
    assert "LabelboxS3Access" not in names
    left = [p["Arn"] for p in customer.iam.list_policies(Scope="Local")["Policies"]]
    assert POLICY_ARN not in left and theirs_arn in left  # ours deleted, theirs only detached
    assert customer.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"] == [theirs]


def test_delete_with_our_rule_alone_removes_the_cors_configuration(make_aws, customer):
    role.create_role(make_aws(), wanted())
    role.delete_role(make_aws(), role.DeleteSpec("LabelboxS3Access"), confirm=lambda plan: True)
    with pytest.raises(customer.s3.exceptions.ClientError, match="NoSuchCORSConfiguration"):
        customer.s3.get_bucket_cors(Bucket=BUCKET)


def test_delete_keeps_a_policy_and_cors_rule_other_roles_use(make_aws, customer):
    role.create_role(make_aws(), wanted())
    role.create_role(make_aws(), wanted(role_name="Second"))
    result = role.delete_role(make_aws(), role.DeleteSpec("LabelboxS3Access"), confirm=lambda plan: True)
    assert any("attached to other roles" in w for w in result.plan.warnings)
    assert customer.iam.get_policy(PolicyArn=POLICY_ARN)
    assert customer.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]


def test_delete_refusals(make_aws, cli, aws_env, customer):
    customer.iam.create_role(RoleName="Hand", AssumeRolePolicyDocument="{}")
    refused = cli("delete-role", "--role-name", "Hand", "--yes")
    assert refused.code == 2 and "--force" in refused.error_line
    role.create_role(make_aws(), wanted())
    no_tty = cli("delete-role", "--role-name", "LabelboxS3Access")  # the runner's stdin is no tty
    assert no_tty.code == 2 and "pass --yes" in no_tty.error_line
    assert no_tty.error_line.startswith("error: --yes: ")  # a flag: no value shown (was "--yes ''")
    dry = cli("delete-role", "--role-name", "LabelboxS3Access", "--dry-run")
    assert dry.code == 0 and "delete  role LabelboxS3Access" in dry.stderr
    assert "LabelboxS3Access" in [r["RoleName"] for r in customer.iam.list_roles()["Roles"]]
    assert cli("delete-role", "--role-name", "Hand", "--yes", "--force").code == 0


def test_declined_confirmation_deletes_nothing(make_aws, customer):
    role.create_role(make_aws(), wanted())
    aws = make_aws()
    result = role.delete_role(aws, role.DeleteSpec("LabelboxS3Access"), confirm=lambda plan: False)
    assert result.applied == [] and aws.log.mutating == []


# --- errors shared by the AWS commands -------------------------------------------------------


def test_no_credentials_is_one_line_exit_3(cli, aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID)
    assert result.code == 3
    assert "no AWS credentials found" in result.error_line and "--profile" in result.error_line


def test_unknown_profile_is_bad_input(cli, aws_env):
    result = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "--profile", "nope")
    assert result.code == 2 and "--profile 'nope'" in result.error_line


def test_unreachable_endpoint_is_exit_3(cli, aws_env):
    result = cli(
        "create-role",
        "--bucket",
        BUCKET,
        "--external-id",
        EXTERNAL_ID,
        "--endpoint-url",
        "http://127.0.0.1:9",
    )
    assert result.code == 3
    assert "could not reach AWS" in result.error_line and "--endpoint-url" in result.error_line


def test_expired_credentials_and_access_denied_on_reads(make_aws):
    expired = make_aws({"before-call.sts.GetCallerIdentity": refuse("ExpiredToken", 400)})
    with pytest.raises(Exception, match="credentials have expired") as err:
        role.create_role(expired, wanted())
    assert err.value.exit_code == 3
    denied = make_aws({"before-call.iam.GetRole": refuse("AccessDenied")})
    with pytest.raises(Exception, match=r"AccessDenied on iam:GetRole.*need the IAM permission iam:GetRole"):
        role.create_role(denied, wanted())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "novalue"], "--tag 'novalue': write tags as KEY=VALUE"),
        (["--tag", "managed-by=me"], "reserved"),
        (["--tag", "aws:x=1"], "reserved"),
        (["--max-session-duration", "60"], "3600 to 43200"),
        (["--path", "vendors"], "starts and ends with '/'"),
        (["--role-name", "bad name"], "role names are 1 to 64"),
        (["--policy-name", "x" * 129], "policy names are 1 to 128"),
        (["--region", "mars-1"], "--region 'mars-1'"),
    ],
)
def test_bad_create_role_input_changes_nothing(cli, aws_env, customer, args, expected):
    result = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, *args)
    assert result.code == 2
    assert expected in result.error_line
    assert customer.iam.list_roles()["Roles"] == [] or all(
        r["RoleName"] != "LabelboxS3Access" for r in customer.iam.list_roles()["Roles"]
    )
