"""`provision diff --role NAME FILE` and `--policy NAME|ARN` against moto's server (issue 21):
the live trust (or policy) is OLD, the file NEW; reads only."""

from __future__ import annotations

import json

from provisioner import role

from .conftest import trust_of
from .test_create_role import POLICY_ARN, wanted


def test_the_live_trust_against_a_file(make_aws, cli, aws_env, customer, tmp_path):
    role.create_role(make_aws(), wanted())
    live = trust_of(customer.iam, "LabelboxS3Access")
    same = tmp_path / "same.json"
    same.write_text(json.dumps(live, indent=2))
    unchanged = cli("diff", "--role", "LabelboxS3Access", str(same))
    assert unchanged.code == 0, unchanged.stderr
    assert "no difference in access" in unchanged.stdout

    # the file adds the customer's own account, with any ID: its own account is a class apart
    wider = json.loads(json.dumps(live))
    wider["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
        }
    )
    (tmp_path / "wider.json").write_text(json.dumps(wider, indent=2))
    before = trust_of(customer.iam, "LabelboxS3Access")
    widened = cli("diff", "--role", "LabelboxS3Access", str(tmp_path / "wider.json"), "-o", "json")
    assert widened.code == 1, widened.stderr
    report = json.loads(widened.stdout)
    assert report["old"] == "role LabelboxS3Access trust (live)"
    (gained,) = report["differences"]
    assert gained["caller_class"] == "own" and gained["account"] == "123456789012"
    assert gained["example"]["caller"].startswith("arn:aws:sts::123456789012:")
    assert trust_of(customer.iam, "LabelboxS3Access") == before  # nothing changed


def test_one_of_the_roles_policies_against_a_file(make_aws, cli, aws_env, customer, tmp_path):
    role.create_role(make_aws(), wanted())
    version = customer.iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]["DefaultVersionId"]
    document = customer.iam.get_policy_version(PolicyArn=POLICY_ARN, VersionId=version)["PolicyVersion"][
        "Document"
    ]
    live = json.loads(document) if isinstance(document, str) else document
    upload = {
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::provisioner-demo-images/in/*",
    }
    path = tmp_path / "read-write.json"
    path.write_text(json.dumps({**live, "Statement": [*live["Statement"], upload]}, indent=2))
    for name in ("LabelboxReadAccess", POLICY_ARN):
        done = cli("diff", "--role", "LabelboxS3Access", "--policy", name, str(path), "-o", "json")
        assert done.code == 1, done.stderr
        (gained,) = json.loads(done.stdout)["differences"]
        assert gained["subject"] == "s3:PutObject on arn:aws:s3:::provisioner-demo-images/in/*"
        # a session of the live role
        assert gained["example"]["principal"].startswith(
            "arn:aws:sts::123456789012:assumed-role/LabelboxS3Access/"
        )


def test_bad_input_is_one_line_exit_2(make_aws, cli, aws_env, tmp_path):
    role.create_role(make_aws(), wanted())
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    missing = cli("diff", "--role", "NoSuchRole", str(path))
    assert missing.code == 2 and "no such role" in missing.stderr
    policy = cli("diff", "--role", "LabelboxS3Access", "--policy", "Nope", str(path))
    assert policy.code == 2 and "has no inline or attached policy" in policy.stderr
    alone = cli("diff", "--policy", "Nope", str(path), str(path))
    assert alone.code == 2 and "give --role NAME too" in alone.stderr
