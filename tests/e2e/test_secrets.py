"""Secrets never reach any output (issue 12): every command run with credentials, a session
token and a Labelbox API key in the environment, with and without --debug (botocore's request
log on stderr, redacted), against the sandbox. None of them may appear in stdout, stderr, JSON
or a log line; audit --accounts also receives a member role's credentials from STS."""

from __future__ import annotations

import json

import pytest

from provisioner import sandbox

from .conftest import BUCKET, EXTERNAL_ID

ACCESS_KEY = "AKIAQWERTYUIOPASDFGH"
SECRET = "s3cr3t-Value-That-Must-Never-Show-0123456789"
TOKEN = "Sess1onT0ken-That-Must-Never-Show-9876543210"
API_KEY = "lb-api-key-That-Must-Never-Show-555"


@pytest.fixture
def secret_env(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("LABELBOX_API_KEY", API_KEY)


def leaked(*texts: str) -> list[str]:
    return [s for s in (ACCESS_KEY, SECRET, TOKEN, API_KEY) if any(s in t for t in texts)]


COMMANDS = [
    ["create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "-o", "json"],
    ["create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID, "--dry-run"],
    ["validate", "--role-arn", f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/LabelboxS3Access",
     "--external-id", EXTERNAL_ID, "--bucket", BUCKET, "-o", "json"],
    ["audit", "-o", "json", "--fail-on", "none"],
    ["audit", "--accounts", "111111111111", "-o", "sarif", "--fail-on", "none"],
    ["manifest", "--bucket", BUCKET, "--prefix", "alexa-devices/"],
    ["rotate-external-id", "--role-name", "LabelboxS3Access", "--external-id", "cknew0000000000000000009",
     "--keep-old"],
    ["config", "-o", "json"],
    ["vendors"],
    ["policy", "trust", "--external-id", EXTERNAL_ID],
    ["delete-role", "--role-name", "LabelboxS3Access", "--yes"],
    ["create-role", "--bucket", BUCKET, "--external-id", "bad id"],  # an error line
]  # fmt: skip


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_no_secret_in_any_output_of_any_command(cli, secret_env, box, debug):
    member_iam = sandbox.session_for("111111111111").client("iam", endpoint_url=box.endpoint)
    member_iam.create_role(
        RoleName="OrganizationAccountAccessRole",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"},
             "Action": "sts:AssumeRole"}]}),
    )  # fmt: skip
    for args in COMMANDS:
        result = cli(*(["--debug"] if debug else []), *args)
        assert result.code in (0, 1, 2), (args, result.stderr[-500:])
        assert leaked(result.stdout, result.stderr) == [], args
        if debug and args[0] in ("audit", "create-role") and "bad id" not in args:
            assert "botocore" in result.stderr, args  # the log is there, redacted
