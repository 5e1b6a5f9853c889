"""create-role against moto's server: fresh, idempotent, drift, dry run, adopt, faults."""

from __future__ import annotations

import json

import pytest

from provisioner import role
from provisioner.errors import InputError
from provisioner.vendors import get_vendor

from .conftest import BUCKET, EXTERNAL_ID, refuse, snapshot, trust_of

LABELBOX_PRINCIPAL = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
ROLE_ARN = "arn:aws:iam::123456789012:role/LabelboxS3Access"
POLICY_ARN = "arn:aws:iam::123456789012:policy/LabelboxReadAccess"


def wanted(**options):
    options.setdefault("vendor", get_vendor("labelbox"))
    options.setdefault("bucket", BUCKET)
    options.setdefault("external_id", EXTERNAL_ID)
    return role.wanted_role(role.RoleSpec(**options))[0]


def test_fresh_create_prints_the_form_and_leaves_the_wanted_state(cli, aws_env, customer):
    result = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID)
    assert result.code == 0, result.stderr
    assert "AWS Role ARN" in result.stdout and ROLE_ARN in result.stdout
    assert f"AWS bucket name   {BUCKET}" in result.stdout
    assert "plan: will make 4 change(s)" in result.stderr

    iam = customer.iam
    trust = trust_of(iam, "LabelboxS3Access")
    assert trust["Statement"][0]["Principal"] == {"AWS": LABELBOX_PRINCIPAL}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
    attached = iam.list_attached_role_policies(RoleName="LabelboxS3Access")["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [POLICY_ARN]
    tags = {t["Key"]: t["Value"] for t in iam.get_role(RoleName="LabelboxS3Access")["Role"]["Tags"]}
    assert tags == {
        "managed-by": "provisioner",
        "provisioner:vendor": "labelbox",
        "provisioner:bucket": BUCKET,
    }
    (rule,) = customer.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert rule["ID"] == "provisioner-labelbox"
    assert sorted(rule["AllowedOrigins"]) == [
        "https://app.labelbox.com",
        "https://editor.labelbox.com",
    ]


def test_json_output_has_the_documented_keys(cli, aws_env):
    result = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "-o", "json")
    data = result.json()
    assert data["schema_version"] == 1  # issue 18: every report's JSON carries it
    assert set(data) >= {
        "role_arn",
        "role_name",
        "policy_arn",
        "bucket",
        "external_id",
        "vendor",
        "changes",
    }
    assert data["role_arn"] == ROLE_ARN and data["policy_arn"] == POLICY_ARN
    assert [c["action"] for c in data["changes"]] == ["create", "create", "attach", "cors"]
    assert {c["permission"] for c in data["changes"]} == {
        "iam:CreatePolicy",
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "s3:PutBucketCORS",
    }


def test_rerun_makes_no_mutating_call_and_few_reads(make_aws, cli, aws_env):
    assert cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID).code == 0
    aws = make_aws()
    result = role.create_role(aws, wanted())
    assert result.plan.changes == [] and result.applied == []
    assert aws.log.mutating == []
    assert len(aws.log.calls) <= 7, aws.log.calls
    again = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID)
    assert "no changes: role LabelboxS3Access is as wanted" in again.stderr


def test_dry_run_changes_nothing(make_aws, customer):
    before = snapshot(customer)
    aws = make_aws()
    result = role.create_role(aws, wanted(), dry_run=True)
    assert len(result.plan.changes) == 4 and result.applied == []
    assert aws.log.mutating == []
    assert snapshot(customer) == before


def test_drift_is_repaired(make_aws, customer):
    role.create_role(make_aws(), wanted())
    clean = snapshot(customer)
    customer.iam.update_assume_role_policy(
        RoleName="LabelboxS3Access",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    }
                ],
            }
        ),
    )
    customer.iam.detach_role_policy(RoleName="LabelboxS3Access", PolicyArn=POLICY_ARN)
    customer.iam.untag_role(RoleName="LabelboxS3Access", TagKeys=["provisioner:bucket"])
    customer.s3.delete_bucket_cors(Bucket=BUCKET)

    drifted = snapshot(customer)
    # Replacing a principal the role trusts now is destructive (issue 12): refused without a yes.
    with pytest.raises(InputError, match="stops trusting arn:aws:iam::111122223333:root"):
        role.create_role(make_aws(), wanted())
    assert snapshot(customer) == drifted
    result = role.create_role(make_aws(), wanted(), confirm=lambda plan: True)
    lines = [c.line() for c in result.plan.changes]
    assert any("trust" in line and "principal arn:aws:iam::111122223333:root" in line for line in lines)
    assert [c.action for c in result.plan.changes] == ["update", "tag", "attach", "cors"]
    assert snapshot(customer) == clean
    assert role.create_role(make_aws(), wanted()).plan.changes == []


def test_changed_inputs_update_the_policy_as_a_new_default_version(make_aws, customer):
    role.create_role(make_aws(), wanted())
    result = role.create_role(make_aws(), wanted(prefix="alexa-devices/"), confirm=lambda plan: True)
    (change,) = result.plan.changes
    assert change.permission == "iam:CreatePolicyVersion"
    assert "+ s3:GetObject on arn:aws:s3:::provisioner-demo-images/alexa-devices/*" in change.detail
    versions = customer.iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    assert len(versions) == 2


def test_sixth_version_deletes_the_oldest_non_default_first(make_aws, customer):
    role.create_role(make_aws(), wanted())
    for n in range(1, 5):
        role.create_role(make_aws(), wanted(prefix=f"p{n}/"), confirm=lambda plan: True)
    assert len(customer.iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]) == 5
    result = role.create_role(make_aws(), wanted(prefix="p5/"), confirm=lambda plan: True)
    assert [c.method for c in result.plan.changes] == [
        "delete_policy_version",
        "create_policy_version",
    ]
    assert result.plan.changes[0].params["VersionId"] == "v1"
    versions = customer.iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    assert len(versions) == 5 and "v1" not in {v["VersionId"] for v in versions}


def test_existing_role_without_our_tag_is_refused_unless_adopted(make_aws, customer):
    customer.iam.create_role(
        RoleName="LabelboxS3Access",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"AWS": LABELBOX_PRINCIPAL},
                    }
                ],
            }
        ),
    )
    before = snapshot(customer)
    aws = make_aws()
    with pytest.raises(InputError, match=r"not created by provisioner.*--adopt"):
        role.create_role(aws, wanted())
    assert aws.log.mutating == [] and snapshot(customer) == before

    result = role.create_role(make_aws(), wanted(adopt=True))
    assert "update" in [c.action for c in result.plan.changes]
    assert trust_of(customer.iam, "LabelboxS3Access")["Statement"][0]["Condition"]
    assert role.create_role(make_aws(), wanted()).plan.changes == []


def test_cli_refusal_is_one_line_exit_2(cli, aws_env, customer):
    customer.iam.create_role(RoleName="LabelboxS3Access", AssumeRolePolicyDocument="{}")
    result = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID)
    assert result.code == 2
    assert "--adopt" in result.error_line


def _iam_ignoring_case(roles=(), policies=()):
    """Hooks that make moto answer GetRole and GetPolicy as IAM does for a name in another
    casing (IAM names are unique ignoring case; moto compares them exactly): the request is sent
    for the casing the account holds."""

    def role(params, **_):
        params["RoleName"] = {r.lower(): r for r in roles}.get(params["RoleName"].lower(), params["RoleName"])

    def policy(params, **_):
        head, _, name = params["PolicyArn"].rpartition("/")
        held = {p.lower(): p for p in policies}.get(name.lower(), name)
        params["PolicyArn"] = f"{head}/{held}"

    return {"provide-client-params.iam.GetRole": role, "provide-client-params.iam.GetPolicy": policy}


def test_role_name_differing_only_in_case_is_the_same_role(make_aws, customer):
    # IAM role names are unique ignoring case, and one GetRole finds the role in any casing
    # (moto does not: the hook stands in for IAM); no listing of the account's roles.
    customer.iam.create_role(
        RoleName="labelboxs3access",
        AssumeRolePolicyDocument="{}",
        Tags=[{"Key": "managed-by", "Value": "provisioner"}],
    )
    aws = make_aws(_iam_ignoring_case(roles=["labelboxs3access"]))
    result = role.create_role(aws, wanted())
    assert result.plan.role_name == "labelboxs3access"
    assert any("ignore case" in w for w in result.plan.warnings)
    assert not [c for c in aws.log.calls if c in ("iam:ListRoles", "iam:ListPolicies")]
    names = [r["RoleName"] for r in customer.iam.list_roles()["Roles"]]
    assert "LabelboxS3Access" not in names
    assert role.create_role(make_aws(_iam_ignoring_case(roles=["labelboxs3access"])), wanted()).applied == []


def test_policy_name_differing_only_in_case_is_the_same_policy(make_aws, customer):
    tags = [{"Key": "managed-by", "Value": "provisioner"}]
    policy = wanted().permissions
    customer.iam.create_policy(PolicyName="labelboxreadaccess", PolicyDocument=json.dumps(policy), Tags=tags)
    aws = make_aws(_iam_ignoring_case(policies=["labelboxreadaccess"]))
    result = role.create_role(aws, wanted())
    assert result.plan.policy_arn == "arn:aws:iam::123456789012:policy/labelboxreadaccess"
    assert "create_policy" not in [c.method for c in result.plan.changes]
    assert not [c for c in aws.log.calls if c in ("iam:ListRoles", "iam:ListPolicies")]
    attached = customer.iam.list_attached_role_policies(RoleName="LabelboxS3Access")["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == ["arn:aws:iam::123456789012:policy/labelboxreadaccess"]


def test_a_missing_role_or_policy_is_one_read_each(make_aws, customer):
    """The lookup does not grow with the account: a NoSuchEntity answer is final."""
    aws = make_aws()
    assert role.find_role(aws.client("iam"), "NoSuchRole") is None
    assert aws.log.calls == ["iam:GetRole"]


def _calls_of_create_and_rerun(make_aws, **options):
    fresh = make_aws()
    role.create_role(fresh, wanted(**options))
    again = make_aws()
    assert role.create_role(again, wanted(**options)).applied == []
    return fresh.log.calls, again.log.calls


def test_create_role_calls_are_few_and_do_not_grow_with_the_account(make_aws, customer):
    fresh, noop = _calls_of_create_and_rerun(make_aws)
    assert len(fresh) <= 10, fresh  # with the read-back after the writes
    assert len(noop) <= 6, noop
    assert "sts:GetCallerIdentity" not in noop  # the account is in the role's ARN
    for n in range(120):  # more than a page of ListRoles / ListPolicies
        customer.iam.create_role(RoleName=f"Other{n}", AssumeRolePolicyDocument="{}")
        customer.iam.create_policy(PolicyName=f"Other{n}", PolicyDocument=json.dumps(wanted().permissions))
    # a second role for the same bucket: its CORS rule is there already, so compare IAM and STS
    fresh2, noop2 = _calls_of_create_and_rerun(make_aws, role_name="Second", policy_name="SecondRead")
    assert [_not_s3(fresh2), _not_s3(noop2)] == [_not_s3(fresh), _not_s3(noop)]


def _not_s3(calls):
    return [c for c in calls if not c.startswith("s3:")]


def test_policy_shared_with_other_roles_is_never_rewritten(make_aws, customer):
    role.create_role(make_aws(), wanted())
    role.create_role(make_aws(), wanted(role_name="SecondRole"))
    before = snapshot(customer)
    with pytest.raises(InputError, match="attached to 1 other"):
        role.create_role(make_aws(), wanted(prefix="x/"))
    assert snapshot(customer) == before


def test_cors_merge_keeps_the_customers_rules(make_aws, customer):
    theirs = [
        {
            "ID": "uploads",
            "AllowedOrigins": ["https://upload.example.com"],
            "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["*"],
        },
        {"AllowedOrigins": ["https://www.example.com"], "AllowedMethods": ["GET"]},
    ]
    customer.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": theirs})
    role.create_role(make_aws(), wanted())
    rules = customer.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert rules[0]["ID"] == "provisioner-labelbox"
    assert rules[1:] == [
        {
            "ID": "uploads",
            "AllowedOrigins": ["https://upload.example.com"],
            "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["*"],
        },
        {"AllowedOrigins": ["https://www.example.com"], "AllowedMethods": ["GET"]},
    ]


def test_a_rule_equal_to_ours_added_by_hand_is_not_written_again(make_aws, customer):
    from provisioner.documents import render_cors

    (ours,) = render_cors(get_vendor("labelbox")).document["CORSRules"]
    by_hand = {k: v for k, v in ours.items() if k != "ID"}
    customer.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [by_hand]})
    result = role.create_role(make_aws(), wanted())
    assert "cors" not in [c.action for c in result.plan.changes]


def test_no_cors_reads_and_writes_no_cors(make_aws, customer):
    aws = make_aws()
    role.create_role(aws, wanted(with_cors=False))
    assert not [c for c in aws.log.calls if c.startswith("s3:")]


def test_missing_bucket_is_bad_input_and_changes_nothing(make_aws, customer):
    before = snapshot(customer)
    with pytest.raises(Exception, match="no such bucket") as err:
        role.create_role(make_aws(), wanted(bucket="no-such-bucket-here"))
    assert err.value.exit_code == 2
    assert snapshot(customer) == before


# --- faults ----------------------------------------------------------------------------------

STEPS = [
    ("before-call.iam.CreatePolicy", "iam:CreatePolicy", 1),
    ("before-call.iam.CreateRole", "iam:CreateRole", 2),
    ("before-call.iam.AttachRolePolicy", "iam:AttachRolePolicy", 3),
    ("before-call.s3.PutBucketCors", "s3:PutBucketCORS", 4),
]


@pytest.mark.parametrize(("event", "permission", "step"), STEPS, ids=[s[1] for s in STEPS])
def test_access_denied_on_each_step_stops_reports_and_a_rerun_converges(
    make_aws, customer, event, permission, step
):
    reference = make_aws()
    role.create_role(reference, wanted())
    clean = snapshot(customer)
    customer.iam.detach_role_policy(RoleName="LabelboxS3Access", PolicyArn=POLICY_ARN)
    customer.iam.delete_policy(PolicyArn=POLICY_ARN)
    customer.iam.delete_role(RoleName="LabelboxS3Access")
    customer.s3.delete_bucket_cors(Bucket=BUCKET)

    with pytest.raises(role.ApplyError) as err:
        role.create_role(make_aws({event: refuse("AccessDenied")}), wanted())
    message = str(err.value)
    assert err.value.exit_code == 3
    assert f"step {step} of 4 failed" in message and f"needs {permission}" in message
    assert len(err.value.done) == step - 1
    if step > 1:
        assert "Already done: create policy LabelboxReadAccess" in message
    else:
        assert "Already done: nothing" in message

    role.create_role(make_aws(), wanted())
    assert snapshot(customer) == clean


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


THROTTLED = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender'
    b"</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    b"<RequestId>1</RequestId></ErrorResponse>"
)


def test_throttling_is_retried_then_reported_with_the_action(make_aws):
    """Throttling answered on the wire for every CreateRole attempt: botocore retries it
    (max_attempts=2 here), then the step fails with the action named."""
    from botocore.awsrequest import AWSResponse

    attempts = []

    def throttle(request, **_):
        body = request.body or b""
        if b"Action=CreateRole" in (body if isinstance(body, bytes) else body.encode()):
            attempts.append(1)
            return AWSResponse(request.url, 400, {}, _Raw(THROTTLED))
        return None

    with pytest.raises(role.ApplyError) as err:
        role.create_role(make_aws({"before-send.iam": throttle}, max_attempts=2), wanted())
    assert len(attempts) == 2
    assert "step 2 of 4 failed" in str(err.value)
    assert "throttled iam:CreateRole past the retries" in str(err.value)


def test_network_error_midway_is_reported(make_aws):
    from botocore.exceptions import EndpointConnectionError

    def unplug(**_):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    with pytest.raises(role.ApplyError) as err:
        role.create_role(make_aws({"before-call.iam.AttachRolePolicy": unplug}), wanted())
    assert "step 3 of 4" in str(err.value) and "could not reach AWS" in str(err.value)


def test_real_access_denied_from_moto_iam_auth(box, cli, aws_env, customer):
    """With moto's IAM auth on, an admin whose policy lacks iam:AttachRolePolicy is refused."""
    customer.iam.create_user(UserName="admin")
    customer.iam.put_user_policy(
        UserName="admin",
        PolicyName="most",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["iam:*", "s3:*", "sts:*"], "Resource": "*"},
                    {"Effect": "Deny", "Action": "iam:AttachRolePolicy", "Resource": "*"},
                ],
            }
        ),
    )
    key = customer.iam.create_access_key(UserName="admin")["AccessKey"]
    from .conftest import _post

    _post(box.endpoint, "/moto-api/reset-auth", b"0")
    try:
        result = cli_with_keys(cli, aws_env, key)
    finally:
        _post(box.endpoint, "/moto-api/reset-auth", b"inf")
    assert result.code == 3
    line = result.error_line
    assert "step 3 of 4 failed" in line and "iam:AttachRolePolicy" in line
    assert key["SecretAccessKey"] not in result.stderr + result.stdout


def cli_with_keys(cli, aws_env, key):
    import os

    os.environ["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
    return cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID)


def test_create_role_connect_labelbox_does_the_whole_flow(cli, aws_env, customer, labelbox_fake, monkeypatch):
    """create-role --connect labelbox: the role in the account (moto), then the integration on
    Labelbox's side (the real SDK against tests/labelbox_fake.py), validated; a re-run creates
    neither twice. Bad input to --connect changes nothing in the account."""
    pytest.importorskip("labelbox")
    args = ["create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "--connect", "labelbox"]
    first = cli(*args, "-o", "json")
    assert first.code == 0, first.stderr
    data = first.json()
    arn = data["role"]["role_arn"]
    assert customer.iam.get_role(RoleName=arn.rsplit("/", 1)[1])["Role"]["Arn"] == arn
    assert data["labelbox"]["created"] and data["labelbox"]["valid"] and data["labelbox"]["role_arn"] == arn
    again = cli(*args)
    assert again.code == 0 and "already there" in again.stdout and "AWS Role ARN" in again.stdout
    assert [op for _, op, _ in labelbox_fake.requests].count("createAwsIamIntegration") == 1
    before = snapshot(customer)
    wrong = cli(
        "create-role", "--bucket", "other-bucket-x", "--external-id", EXTERNAL_ID, "--connect", "isahit"
    )
    assert wrong.code == 2 and "--connect" in wrong.error_line
    monkeypatch.delenv("LABELBOX_API_KEY")
    keyless = cli(
        "create-role", "--bucket", "other-bucket-x", "--external-id", EXTERNAL_ID, "--connect", "labelbox"
    )
    assert keyless.code == 2 and "LABELBOX_API_KEY" in keyless.error_line
    assert snapshot(customer) == before


def test_a_different_external_id_never_replaces_a_working_one_silently(cli, aws_env, customer, monkeypatch):
    """Issue 12: re-running create-role with another --external-id rewrote a working trust with
    exit 0. Now it is refused (exit 2, the plan shown, nothing changed) unless
    --replace-external-id; --dry-run and the JSON mark the change as destructive; a terminal asks."""
    first = cli("create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID)
    assert first.code == 0, first.stderr
    before = snapshot(customer)
    other = "ckother00000000000000000001"
    args = ["create-role", "--bucket", BUCKET, "--external-id", other]
    refused = cli(*args)
    assert refused.code == 2 and "--replace-external-id" in refused.error_line
    assert (
        f"removes external ID {EXTERNAL_ID}" in refused.error_line
        and "nothing was changed" in refused.error_line
    )
    assert "DESTRUCTIVE" in refused.stderr and snapshot(customer) == before
    dry = cli(*args, "--dry-run", "-o", "json")
    assert dry.code == 0 and snapshot(customer) == before
    (trust,) = [c for c in dry.json()["changes"] if c["destructive"]]
    assert trust["action"] == "update" and EXTERNAL_ID in trust["destructive"]
    monkeypatch.setattr("provisioner.cli.common.interactive", lambda: True)  # asked; "n" keeps all
    declined = cli(*args, stdin="n\n")
    assert (
        declined.code == 0 and "replace the role's trust" in declined.stderr and snapshot(customer) == before
    )
    done = cli(*args, "--replace-external-id")
    assert done.code == 0, done.stderr
    assert trust_of(customer.iam, "LabelboxS3Access")["Statement"][0]["Condition"]["StringEquals"] == {
        "sts:ExternalId": other
    }
    same = cli(*args)  # nothing destructive left to do: a plain re-run is fine
    assert same.code == 0


def test_two_vendors_on_one_bucket_at_once_keep_both_cors_rules(make_aws, customer, monkeypatch):
    """Issue 12: two create-role runs for different vendors (Labelbox, isahit) on one bucket,
    started together: PutBucketCors replaces the whole configuration, so without re-reading
    after the write one vendor's rule was lost in 2 of 6 trials while both runs said success.
    Six trials; each must end with the customer's rule and both vendors' rules, once each."""
    import importlib
    import threading

    monkeypatch.setattr(importlib.import_module("provisioner.role.apply"), "SETTLE_SECONDS", 0.3)
    customers_rule = {"ID": "uploads", "AllowedOrigins": ["https://upload.example.com"],
                      "AllowedMethods": ["PUT"]}  # fmt: skip
    for trial in range(6):
        customer.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [customers_rule]})
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(vendor: str, start: threading.Barrier = start, errors: list = errors) -> None:
            try:
                spec = wanted(vendor=get_vendor(vendor))
                start.wait()
                role.create_role(make_aws(), spec)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(v,)) for v in ("labelbox", "isahit")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == [], errors
        ids = [r.get("ID") for r in customer.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]]
        assert sorted(ids) == ["provisioner-isahit", "provisioner-labelbox", "uploads"], (trial, ids)


@pytest.mark.parametrize(
    "second_id", [EXTERNAL_ID, "ckother00000000000000000002"], ids=["same-id", "other-id"]
)
def test_two_runs_for_the_same_role_at_once_end_in_one_wanted_state(make_aws, customer, second_id):
    """Issue 12: two create-role runs for one role started together. Each either succeeds or
    loses with one clear line (IAM's EntityAlreadyExists: "run the same command again"); the end
    state is one of the two wanted ones, never a mix: one role, one policy with one default
    version, our CORS rule once. With another ID, the run that finds the role made by the other
    refuses to replace its external ID (destructive) unless told to."""
    import threading

    from provisioner.errors import ProvisionerError

    start = threading.Barrier(2)
    outcomes: list[object] = []

    def run(external_id: str) -> None:
        spec = wanted(external_id=external_id)
        start.wait()
        try:
            outcomes.append(role.create_role(make_aws(), spec))
        except ProvisionerError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in (EXTERNAL_ID, second_id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failures = [o for o in outcomes if isinstance(o, ProvisionerError)]
    assert len(outcomes) == 2 and len(failures) <= 1, outcomes
    for failure in failures:
        text = str(failure)
        assert "run the same command again" in text or "--replace-external-id" in text, text
    roles = [r["RoleName"] for r in customer.iam.list_roles()["Roles"] if r["RoleName"] == "LabelboxS3Access"]
    assert roles == ["LabelboxS3Access"]
    versions = customer.iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    assert sum(1 for v in versions if v["IsDefaultVersion"]) == 1
    ids = [r.get("ID") for r in customer.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]]
    assert ids.count("provisioner-labelbox") == 1
    trust = trust_of(customer.iam, "LabelboxS3Access")["Statement"][0]["Condition"]["StringEquals"]
    assert trust["sts:ExternalId"] in (EXTERNAL_ID, second_id)  # one of the two wanted states


def test_a_rewrite_that_takes_a_read_away_needs_a_yes(make_aws, customer):
    """README: "What it never does without your yes: change what works now". Re-running without
    --kms-key-arn (kms:Decrypt, which SSE-KMS reads need) or with a narrower --prefix takes a read
    away: refused without a yes, naming --yes, and nothing is changed (trial 20h item 2: the key's
    permission went silently, and validate then failed KMS_DECRYPT_DENIED)."""
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    role.create_role(make_aws(), wanted(kms_key_arn=key))
    before = customer.iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    for narrower in (wanted(), wanted(kms_key_arn=key, prefix="alexa-devices/")):
        with pytest.raises(InputError, match="pass --yes") as refused:
            role.create_role(make_aws(), narrower)
        assert "the vendor's reads of it fail from now on" in str(refused.value)
        assert customer.iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"] == before
    plan = role.create_role(make_aws(), wanted(), dry_run=True).plan
    [change] = plan.destructive
    assert f"removes kms:Decrypt on {key}" in change.destructive
    # taking writes away is least privilege, not a break: no yes needed
    assert role.create_role(make_aws(), wanted(kms_key_arn=key)).plan.destructive == []
