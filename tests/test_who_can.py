# ruff: noqa: E501  (the cases read best one a line)
"""who-can read|write s3://BUCKET[/PREFIX], offline (a GAAD file and --bucket-policy): the routes
through a role a party can assume and through a bucket policy naming the party, each with its
verdict and deciding condition. Pure: no server."""

from __future__ import annotations

import json

import pytest

from tests.test_inventory import (
    ACCOUNT,
    DATADOG,
    LABELBOX_ROLE,
    READ_TRAIN,
    READ_WRITE,
    allow,
    deny,
    doc,
    role,
)

CLOUDHEALTH = "454464851268"


def offline_args(tmp_path, roles, policies=None):
    """The arguments of an offline run: a GAAD file of `roles`, and a --bucket-policy file for
    each bucket of `policies`."""
    gaad = tmp_path / "gaad.json"
    gaad.write_text(json.dumps({"RoleDetailList": roles}))
    args = ["--from-file", str(gaad)]
    for bucket, policy in (policies or {}).items():
        (tmp_path / f"{bucket}.json").write_text(json.dumps(policy))
        args += ["--bucket-policy", f"{bucket}={tmp_path / f'{bucket}.json'}"]
    return args


@pytest.fixture
def files(tmp_path):
    return lambda roles, policy=None: offline_args(
        tmp_path, roles, None if policy is None else {"acme-images": policy}
    )


def routes(cli, action, target, args):
    result = cli("who-can", action, target, *args, "-o", "json")
    assert result.code == 0, result.stderr
    return result.json()


def test_a_role_route_names_the_party_its_trust_and_the_external_id(cli, files):
    args = files(
        [role("LabelboxRead", LABELBOX_ROLE, READ_TRAIN), role("Exports", LABELBOX_ROLE, READ_WRITE)]
    )
    found = routes(cli, "read", "s3://acme-images/train/", args)
    assert found["schema_version"] == 1 and found["target"] == "s3://acme-images/train/"
    [only] = found["routes"]  # Exports reaches another bucket
    assert (only["party"], only["via"], only["role_arn"]) == (
        "Labelbox",
        "role",
        f"arn:aws:iam::{ACCOUNT}:role/LabelboxRead",
    )
    assert only["condition"] == "sts:ExternalId 'a-unique-id-from-the-vendor-0001'"
    assert only["verdict"] == "can"
    # the prefix decides: the grant is on train/ only
    assert routes(cli, "read", "s3://acme-images/test/", args)["routes"] == []
    assert routes(cli, "write", "s3://acme-images/train/", args)["routes"] == []


def test_a_bucket_policy_naming_a_party_is_a_route_and_a_condition_is_a_warn(cli, files):
    policy = doc(
        allow("s3:GetObject", "arn:aws:s3:::acme-images/*", Sid="Partner", Principal={"AWS": f"arn:aws:iam::{CLOUDHEALTH}:root"}),
        allow("s3:GetObject", "arn:aws:s3:::acme-images/*", Sid="Vpc", Principal="*", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
    )  # fmt: skip
    found = routes(cli, "read", "s3://acme-images/", files([], policy))
    by_party = {r["party"]: r for r in found["routes"]}
    assert by_party["Cloudhealth"]["via"] == "bucket policy" and by_party["Cloudhealth"]["verdict"] == "can"
    assert "Sid Partner" in by_party["Cloudhealth"]["route"]
    anyone = by_party["anyone (any AWS account)"]
    assert anyone["verdict"].startswith("WARN") and "vpce-1" in anyone["condition"]  # never a pass


def test_a_bucket_policy_deny_removes_the_role_route(cli, files):
    """ "Policy evaluation logic": an explicit Deny in the bucket policy denies."""
    roles = [
        role("LabelboxRead", LABELBOX_ROLE, READ_TRAIN),
        role("Admin", f"arn:aws:iam::{DATADOG}:root", doc(allow("*", "*"))),
    ]
    denied = doc(deny("s3:GetObject", "arn:aws:s3:::acme-images/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/LabelboxRead"}))  # fmt: skip
    assert {r["party"] for r in routes(cli, "read", "s3://acme-images/train/", files(roles))["routes"]} == {
        "Labelbox",
        "Datadog",
    }
    assert {
        r["party"] for r in routes(cli, "read", "s3://acme-images/train/", files(roles, denied))["routes"]
    } == {"Datadog"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["list", "s3://acme-images"], "read or write"),
        (["read", "acme-images"], "an S3 URL"),
        (["read", "s3://Bad_Bucket"], "TARGET"),
        (["read", "s3://acme-images/team*/public/"], "ask s3://acme-images/team (every key under it"),
        (["read", "s3://acme-images/t?am/"], "ask s3://acme-images/t (every key under it"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, files, args, says):
    refused = cli("who-can", *args, *files([]))
    assert refused.code == 2 and refused.stderr.strip().count("\n") == 0 and says in refused.stderr, (
        refused.stderr
    )


def test_a_grant_on_a_deeper_prefix_counts_and_says_which_part(cli, files):
    """README: "every outside principal that can read … objects under the prefix": a grant on any
    part under the prefix (alexa-devices/echo/*, or alexa-devices/* asked on the whole bucket)."""
    deep = doc(allow("s3:GetObject", "arn:aws:s3:::acme-images/alexa-devices/echo/*"))
    logs = doc(allow("s3:PutObject", "arn:aws:s3:::acme-images/logs/*"))
    args = files([
        role("Deep", "*", deep, external_id=None),
        role("LabelboxRead", LABELBOX_ROLE, doc(allow("s3:GetObject", "arn:aws:s3:::acme-images/alexa-devices/*"))),
        role("Logs", f"arn:aws:iam::{DATADOG}:root", logs),
    ])  # fmt: skip
    under = routes(cli, "read", "s3://acme-images/alexa-devices/", args)["routes"]
    by_role = {r["role_arn"].rsplit("/", 1)[1]: r for r in under}
    assert set(by_role) == {"Deep", "LabelboxRead"}
    assert by_role["Deep"]["part"] == "s3://acme-images/alexa-devices/echo/*"
    assert by_role["LabelboxRead"]["part"] == "s3://acme-images/alexa-devices/*"
    whole = routes(cli, "read", "s3://acme-images", args)["routes"]
    assert {r["role_arn"].rsplit("/", 1)[1] for r in whole} == {"Deep", "LabelboxRead"}
    assert {r["part"] for r in whole} == {
        "s3://acme-images/alexa-devices/echo/*",
        "s3://acme-images/alexa-devices/*",
    }
    [writer] = routes(cli, "write", "s3://acme-images/", args)["routes"]
    assert writer["party"] == "Datadog" and writer["part"] == "s3://acme-images/logs/*"
    assert routes(cli, "write", "s3://acme-images/train/", args)["routes"] == []


def test_a_bucket_policy_grant_on_a_deeper_prefix_counts(cli, files):
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::acme-images/alexa-devices/*", Principal={"AWS": "arn:aws:iam::888877776666:root"}))  # fmt: skip
    [route] = routes(cli, "read", "s3://acme-images", files([], policy))["routes"]
    assert (
        route["party"] == "unknown account 888877776666"
        and route["part"] == "s3://acme-images/alexa-devices/*"
    )
    assert routes(cli, "read", "s3://acme-images/train/", files([], policy))["routes"] == []


def test_write_means_any_object_write_or_delete_and_read_any_object_version(cli, files):
    """Item 2 of issue 22's leftovers: a role that may only delete objects, and a bucket policy
    granting an outside account s3:DeleteObjectVersion alone, can destroy the data: who-can write
    lists both, naming the actions counted. A role that may only read old versions
    (s3:GetObjectVersion) reads the data: who-can read lists it."""
    deleter = role("Cleaner", LABELBOX_ROLE, doc(allow("s3:DeleteObject", "arn:aws:s3:::acme-images/*")))
    versions = role("History", f"arn:aws:iam::{DATADOG}:root", doc(allow("s3:GetObjectVersion", "arn:aws:s3:::acme-images/*")), external_id="datadog-issued-id-0000000042")  # fmt: skip
    policy = doc(
        {"Sid": "Purge", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CLOUDHEALTH}:root"},
         "Action": "s3:DeleteObjectVersion", "Resource": "arn:aws:s3:::acme-images/*"}
    )  # fmt: skip
    args = files([deleter, versions], policy)
    found = routes(cli, "write", "s3://acme-images/", args)["routes"]
    by_party = {r["party"]: r for r in found}
    assert set(by_party) == {"Labelbox", "Cloudhealth"}
    assert by_party["Labelbox"]["actions"] == ["s3:DeleteObject"]
    assert by_party["Cloudhealth"]["actions"] == ["s3:DeleteObjectVersion"]
    read = routes(cli, "read", "s3://acme-images/", args)["routes"]
    assert [(r["party"], r["actions"]) for r in read] == [("Datadog", ["s3:GetObjectVersion"])]
    help_text = cli("who-can", "--help").stdout
    for action in (
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutObjectAcl",
        "s3:GetObjectVersion",
    ):
        assert action in help_text


# a role of the account only it can assume: the file is the account's (offline, the account of
# the bucket policies is the file's; aws:SourceAccount of it is ours)
OWN = role("Own", f"arn:aws:iam::{ACCOUNT}:root", doc(), external_id=None)
SERVICE_POLICY = doc(
    allow("s3:PutObject", "arn:aws:s3:::acme-images/logs/*", Sid="Logs", Principal={"Service": "logging.s3.amazonaws.com"},
          Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
    allow("s3:GetObject", "arn:aws:s3:::acme-images/*", Sid="Cdn", Principal={"Service": "cloudfront.amazonaws.com"}),
)  # fmt: skip


def test_a_service_principal_is_an_outside_party_named_as_an_aws_service(cli, files):
    """Item 3 of issue 22's leftovers: a bucket policy granting an AWS service principal is a
    route, named as an AWS service (never a vendor), with the condition that decides it; with no
    aws:SourceAccount/aws:SourceArn condition it is the confused deputy (IAM User Guide, "The
    confused deputy problem": "use the aws:SourceArn and aws:SourceAccount global condition
    context keys in resource-based policies to limit the permissions that the service gives
    another service to the resource"): a WARN, never a pass."""
    args = files([OWN], SERVICE_POLICY)
    [logs] = routes(cli, "write", "s3://acme-images/", args)["routes"]
    assert (logs["party"], logs["kind"], logs["via"]) == (
        "logging.s3.amazonaws.com",
        "aws-service",
        "bucket policy",
    )
    assert logs["verdict"] == f"can, only for aws:SourceAccount {ACCOUNT}"
    assert "aws:SourceAccount" in logs["condition"] and logs["part"] == "s3://acme-images/logs/*"
    [cdn] = routes(cli, "read", "s3://acme-images/", args)["routes"]
    assert (cdn["party"], cdn["kind"]) == ("cloudfront.amazonaws.com", "aws-service")
    assert cdn["verdict"].startswith("WARN: confused deputy") and cdn["condition"] == "none"
    table = cli("who-can", "read", "s3://acme-images/", *args).stdout
    assert "WARN (confused" in table and "cloudfront.amazonaws.com (AWS service)" in table


def test_inventory_lists_service_principals_of_bucket_policies(cli, files):
    args = files([OWN], SERVICE_POLICY)
    shown = cli("inventory", *args, "-o", "json")
    parties = {p["name"]: p for p in shown.json()["parties"]}
    assert parties["cloudfront.amazonaws.com"]["kind"] == "aws-service"
    assert parties["cloudfront.amazonaws.com"]["bucket_policy"][0]["verdict"].startswith(
        "WARN: confused deputy"
    )
    assert parties["logging.s3.amazonaws.com"]["bucket_policy"][0]["rights"] == ["write"]
    table = cli("inventory", *args, "-o", "table").stdout
    assert "WARN" in table and "cloudfront.amazonaws.com (AWS service) [AWS service" in table


def test_a_trailing_star_asks_every_key_under_the_prefix(cli, files):
    """Trial 22s item 2: s3://acme-images/train/* was refused. A `*` at the end adds nothing to
    "every key under the prefix" (what is asked anyway), so it is that prefix; a wildcard inside
    is refused with the prefix before it to ask instead (a pattern asked as text reads greener)."""
    args = files([role("LabelboxRead", LABELBOX_ROLE, READ_TRAIN)])
    starred = routes(cli, "read", "s3://acme-images/train/*", args)
    assert starred == routes(cli, "read", "s3://acme-images/train/", args)
    assert starred["target"] == "s3://acme-images/train/"
    assert [r["party"] for r in starred["routes"]] == ["Labelbox"]


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        (
            {"Effect": "Allow", "Principal": "*", "Resource": "arn:aws:s3:::obkt/*"},
            "'Action' is a required property",
        ),
        (
            {
                "Effect": "Allow",
                "Principal": ["*"],
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::obkt/*",
            },
            "Principal",
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::obkt/*",
                "Condition": "oops",
            },
            "Condition",
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::obkt/*",
                "Condition": {"StringEqualz": {"aws:SourceIp": "1"}},
            },
            "StringEqualz",
        ),
    ],
    ids=["no-action", "principal-list", "condition-text", "unknown-operator"],
)
def test_a_bucket_policy_file_s3_would_refuse_is_bad_input(cli, tmp_path, statement, says):
    """Trial 22v items 5 and 6: a --bucket-policy with no Action was read as every action
    (CRITICAL), a Principal list was dropped, a Condition that is no object or an unknown operator
    became a WARN, all with exit 0. S3 refuses such a policy (PutBucketPolicy: MalformedPolicy),
    so it is bad input: one line, exit 2, naming the element."""
    args = offline_args(tmp_path, [], {"obkt": {"Version": "2012-10-17", "Statement": [statement]}})
    refused = cli("who-can", "read", "s3://obkt/", *args)
    assert refused.code == 2 and refused.stderr.strip().count("\n") == 0, refused.stderr
    assert "not a valid bucket policy" in refused.stderr and says in refused.stderr, refused.stderr


def test_a_bucket_policy_file_with_no_statement_says_so_in_words(cli, tmp_path):
    """Trial 22x item 8: an empty Statement list was refused with jsonschema's own text."""
    args = offline_args(tmp_path, [], {"obkt": {"Version": "2012-10-17", "Statement": []}})
    refused = cli("who-can", "read", "s3://obkt/", *args)
    assert refused.code == 2 and "not a valid bucket policy: it has no statement" in refused.stderr, (
        refused.stderr
    )
