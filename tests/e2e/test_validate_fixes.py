"""validate's remediation commands, run as printed against the sandbox (issue 17).

A role of another vendor than the default (isahit), with its own name, path and policy name, is
broken the way each check detects; validate prints the fix; each `provision ...` command of the
failing check is split as a POSIX shell would (shlex) and run through the CLI; validate then
passes that check, and the Labelbox role that the old commands rewrote is untouched.
"""

from __future__ import annotations

import json
import shlex

import pytest

from provisioner import role, sandbox
from provisioner.vendors import get_vendor

from .conftest import BUCKET, EXTERNAL_ID, snapshot

ISAHIT = get_vendor("isahit")
NAME, PATH, POLICY = "custom", "/vendors/", "custom-read"
ROLE_ARN = f"arn:aws:iam::123456789012:role{PATH}{NAME}"
POLICY_ARN = f"arn:aws:iam::123456789012:policy{PATH}{POLICY}"
LABELBOX_ID = "lb-own-external-id-0001"  # the default role's: a command that rewrote it would show


def setup(make_aws):
    """The Labelbox default role, and the isahit role `custom` under test."""
    for spec in (
        role.RoleSpec(get_vendor("labelbox"), BUCKET, LABELBOX_ID),
        role.RoleSpec(ISAHIT, BUCKET, EXTERNAL_ID, role_name=NAME, path=PATH, policy_name=POLICY),
    ):
        wanted, _ = role.wanted_role(spec)
        role.create_role(make_aws(), wanted)


def _trust(customer, condition):
    statement = {"Effect": "Allow", "Principal": {"AWS": ISAHIT.principal}, "Action": "sts:AssumeRole"}
    statement["Condition"] = condition
    document = {"Version": "2012-10-17", "Statement": [statement]}
    customer.iam.update_assume_role_policy(RoleName=NAME, PolicyDocument=json.dumps(document))


def _policy(customer, *statements):
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    customer.iam.create_policy_version(
        PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(document), SetAsDefault=True
    )


def _allow(actions, *resources):
    return {"Effect": "Allow", "Action": actions, "Resource": list(resources)}


BUCKET_ARN, OBJECTS = f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"


def _kms(customer, box):
    kms = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("kms", endpoint_url=box.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    customer.s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [rule]})


BREAKS = [
    (
        "trust admits any external ID",
        lambda c, b: _trust(c, {"StringLike": {"sts:ExternalId": "*"}}),
        "AWSExternalID",
    ),
    (
        "policy without s3:ListBucket",
        lambda c, b: _policy(c, _allow(["s3:GetObject"], OBJECTS)),
        "AWSBucketAccess",
    ),
    (
        "policy without s3:GetObject",
        lambda c, b: _policy(c, _allow(["s3:ListBucket", "s3:GetBucketLocation"], BUCKET_ARN)),
        "AWSObjectRead",
    ),
    ("SSE-KMS and no kms:Decrypt", _kms, "AWSObjectRead"),
    ("no CORS rule", lambda c, b: c.s3.delete_bucket_cors(Bucket=BUCKET), "AWSCors"),
    (
        "policy may write (--strict)",
        lambda c, b: _policy(
            c,
            _allow(["s3:ListBucket", "s3:GetBucketLocation"], BUCKET_ARN),
            _allow(["s3:GetObject", "s3:PutObject"], OBJECTS),
        ),
        "AWSLeastPrivilege",
    ),
]


def run_validate(cli, *args):
    result = cli(
        "validate",
        "--vendor",
        "isahit",
        "--external-id",
        EXTERNAL_ID,
        "--bucket",
        BUCKET,
        "-o",
        "json",
        *args,
    )
    assert result.code in (0, 1), result.stderr
    return {c["name"]: c for c in result.json()["checks"]}


def labelbox_side(customer):
    state = snapshot(customer)
    return (
        state["roles"].get("LabelboxS3Access"),
        state["policies"].get("arn:aws:iam::123456789012:policy/LabelboxReadAccess"),
    )


@pytest.mark.parametrize(("what", "breaks", "check"), BREAKS, ids=[b[0] for b in BREAKS])
def test_each_printed_command_fixes_exactly_the_role_checked(
    cli, aws_env, make_aws, box, customer, what, breaks, check
):
    select = "--role-name" if BREAKS.index((what, breaks, check)) % 2 else "--role-arn"  # both ways
    setup(make_aws)
    breaks(customer, box)
    args = [select, NAME if select == "--role-name" else ROLE_ARN, "--strict"]
    found = run_validate(cli, *args)[check]
    assert found["status"] == "fail", found
    assert found["commands"], found
    untouched = labelbox_side(customer)
    for command in found["commands"]:
        assert command in found["remediation"]
        argv = shlex.split(command)
        assert argv[:2] == ["provision", "create-role"], command
        for option, value in [
            ("--vendor", "isahit"),
            ("--role-name", NAME),
            ("--path", PATH),
            ("--policy-name", POLICY),
            ("--bucket", BUCKET),
            ("--external-id", EXTERNAL_ID),
        ]:
            assert argv[argv.index(option) + 1] == value, command
        result = cli(*argv[1:])
        assert result.code == 0, (command, result.stderr)
    again = run_validate(cli, *args)
    assert again[check]["status"] == "pass", again[check]
    assert all(c["status"] in ("pass", "skip") for c in again.values()), again
    assert labelbox_side(customer) == untouched
    assert untouched[0] is not None  # the default role exists: the old commands rewrote it


def test_account_selection_given_on_the_command_line_is_repeated(
    cli, aws_env, make_aws, customer, monkeypatch
):
    """--endpoint-url given as a flag (not from AWS_ENDPOINT_URL) is repeated: the command reaches
    the account validate read; without it, it would go to AWS itself."""
    setup(make_aws)
    customer.s3.delete_bucket_cors(Bucket=BUCKET)
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    endpoint = aws_env["AWS_ENDPOINT_URL"]
    found = run_validate(cli, "--role-name", NAME, "--endpoint-url", endpoint)["AWSCors"]
    (command,) = found["commands"]
    argv = shlex.split(command)
    assert argv[argv.index("--endpoint-url") + 1] == endpoint  # checked before anything is sent
    assert cli(*argv[1:]).code == 0
    assert run_validate(cli, "--role-name", NAME, "--endpoint-url", endpoint)["AWSCors"]["status"] == "pass"


def test_an_environment_endpoint_is_not_repeated(cli, aws_env, make_aws, customer):
    setup(make_aws)
    customer.s3.delete_bucket_cors(Bucket=BUCKET)
    (command,) = run_validate(cli, "--role-name", NAME)["AWSCors"]["commands"]
    assert "--endpoint-url" not in command and "--profile" not in command


def test_a_custom_vendor_is_named_by_its_principal_and_origins(cli, aws_env, make_aws, customer):
    setup(make_aws)
    customer.s3.delete_bucket_cors(Bucket=BUCKET)
    result = cli(
        "validate",
        "--principal",
        ISAHIT.principal,
        "--origin",
        "https://lab.isahit.com",
        "--role-name",
        NAME,
        "--external-id",
        EXTERNAL_ID,
        "--bucket",
        BUCKET,
        "-o",
        "json",
    )
    (cors,) = [c for c in result.json()["checks"] if c["name"] == "AWSCors"]
    (command,) = cors["commands"]
    argv = shlex.split(command)
    assert "--vendor" not in argv
    assert argv[argv.index("--principal") + 1] == ISAHIT.principal
    assert argv[argv.index("--origin") + 1] == "https://lab.isahit.com"


def test_a_role_provisioner_did_not_create_gets_adopt(cli, aws_env, make_aws, customer):
    """A role made by hand: create-role refuses it without --adopt, so the command carries it."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ISAHIT.principal}, "Action": "sts:AssumeRole"}
        ],
    }
    customer.iam.create_role(RoleName="by-hand", AssumeRolePolicyDocument=json.dumps(trust))
    found = run_validate(cli, "--role-name", "by-hand")["AWSExternalID"]
    (command,) = found["commands"]
    argv = shlex.split(command)
    assert "--adopt" in argv and argv[argv.index("--role-name") + 1] == "by-hand"
    assert cli(*argv[1:]).code == 0
    assert run_validate(cli, "--role-name", "by-hand")["AWSExternalID"]["status"] == "pass"


def test_role_name_takes_the_account_of_the_credentials_in_use(cli, aws_env, make_aws):
    setup(make_aws)
    result = cli("validate", "--vendor", "isahit", "--role-name", NAME, "--external-id", EXTERNAL_ID,
                 "--bucket", BUCKET, "-o", "json")  # fmt: skip
    assert result.code == 0, result.stdout
    assert result.json()["role_arn"] == ROLE_ARN  # account from sts:GetCallerIdentity, path from GetRole
    missing = run_validate(cli, "--role-name", "Nobody")["AWSAssumeRole"]
    assert "role arn:aws:iam::123456789012:role/Nobody does not exist" in missing["detail"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--role-name", NAME, "--role-arn", ROLE_ARN],
            "--role-name 'custom': give --role-arn or --role-name, not both",
        ),
        (
            [],
            "--role-arn '': no role to check: give --role-arn arn:aws:iam::ACCOUNT:role/NAME, or "
            "--role-name NAME",
        ),
        (["--role-name", "bad/name"], "--role-name 'bad/name': role names are"),
        (["--role-name", ""], "--role-name '': role names are"),
    ],
    ids=["both", "neither", "bad name", "empty name"],
)
def test_role_name_bad_combinations_are_refused_before_any_call(cli, aws_env, monkeypatch, args, expected):
    import provisioner.aws

    calls: list[str] = []
    original = provisioner.aws.Aws.client

    def counting(self, service, region=None):
        calls.append(service)
        return original(self, service, region)

    monkeypatch.setattr(provisioner.aws.Aws, "client", counting)
    result = cli("validate", "--external-id", EXTERNAL_ID, "--bucket", BUCKET, *args)
    assert result.code == 2 and expected in result.error_line
    assert calls == []


def test_the_table_lists_each_command_whole_on_its_own_line(cli, aws_env, make_aws, customer):
    """A table cell wraps its text: the commands are listed below the table, one a line."""
    setup(make_aws)
    customer.s3.delete_bucket_cors(Bucket=BUCKET)
    _trust(customer, {"StringLike": {"sts:ExternalId": "*"}})
    base = [
        "validate",
        "--vendor",
        "isahit",
        "--role-name",
        NAME,
        "--external-id",
        EXTERNAL_ID,
        "--bucket",
        BUCKET,
    ]
    commands = [c for check in cli(*base, "-o", "json").json()["checks"] for c in check["commands"]]
    assert len(set(commands)) == 2  # create-role for CORS, with --replace-external-id for the trust
    lines = cli(*base).stdout.splitlines()
    for number, command in enumerate(dict.fromkeys(commands), 1):
        assert f"[{number}] {command}" in lines


def test_a_missing_role_is_created_under_the_name_and_path_checked(cli, aws_env, make_aws, customer):
    setup(make_aws)
    arn = "arn:aws:iam::123456789012:role/team/fresh"
    found = run_validate(cli, "--role-arn", arn)["AWSAssumeRole"]
    assert "does not exist" in found["detail"]
    untouched = labelbox_side(customer)
    (command,) = found["commands"]
    argv = shlex.split(command)
    assert (argv[argv.index("--role-name") + 1], argv[argv.index("--path") + 1]) == ("fresh", "/team/")
    assert cli(*argv[1:]).code == 0
    assert customer.iam.get_role(RoleName="fresh")["Role"]["Arn"] == arn
    again = run_validate(cli, "--role-arn", arn)
    assert all(c["status"] in ("pass", "skip") for c in again.values()), again
    assert labelbox_side(customer) == untouched


def test_a_role_arn_of_another_account_than_the_credentials_is_refused(cli, aws_env, make_aws):
    """validate reads the role by name with the credentials in use, and its commands act with
    them: an ARN of another account would check, then fix, this account's role of that name."""
    setup(make_aws)
    other = f"arn:aws:iam::111122223333:role{PATH}{NAME}"
    result = cli("validate", "--vendor", "isahit", "--role-arn", other, "--external-id", EXTERNAL_ID,
                 "--bucket", BUCKET)  # fmt: skip
    assert result.code == 2 and result.stdout == ""
    line = result.error_line
    assert "--role-arn" in line and "account 111122223333" in line and "account 123456789012" in line


def test_a_trust_expecting_another_external_id_prints_no_command_that_puts_this_one_back(
    cli, aws_env, make_aws, customer
):
    """A trust pinning another ID is what a rotation leaves: the remedy is giving the vendor
    that ID; the create-role that would put this one back (undoing the rotation) is named in
    words, never among the commands (trial 20h item 5)."""
    setup(make_aws)
    _trust(customer, {"StringEquals": {"sts:ExternalId": "someone-elses-id"}})
    found = run_validate(cli, "--role-name", NAME)["AWSAssumeRole"]
    assert found["status"] == "fail" and "expects someone-elses-id" in found["detail"]
    assert found["commands"] == [] and "give the vendor the new ID" in found["remediation"]
