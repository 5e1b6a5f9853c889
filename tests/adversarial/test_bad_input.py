"""Every bad input a user can type, per command and option (issue 12): each row asserts exit 2,
exactly one `error:` line that names the option (or file), no traceback, and that nothing in
the account changed: no AWS call was even attempted (a before-call hook on every botocore
session records and refuses each one, tests/conftest.py `aws_calls`), so the rows need no
server. The control rows show the hook sees the calls of each command given good input."""

from __future__ import annotations

import pytest

from provisioner import sandbox
from tests.e2e.conftest import BUCKET, EXTERNAL_ID

ROLE_ARN = f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/LabelboxS3Access"
LONG = "x" * 10_000
CONTROL = "ab\x07cd"
UNICODE = "bücket-ünïcode"

# (option, [bad values]) per value kind
BUCKETS = ["", " ", "a", "UPPER", "192.168.1.1", "my_bucket", LONG, CONTROL, UNICODE, "-start", "double..dot"]
EXTERNAL_IDS = ["", " ", "has space", "a", LONG, CONTROL, UNICODE, "semi;colon"]
ROLE_ARNS = [
    "",
    "not-an-arn",
    "arn:aws:s3:::bucket",
    "arn:aws:iam::12345:role/x",
    "arn:aws-xx:iam::123456789012:role/x",
    "arn:aws:iam::123456789012:user/x",
    LONG,
    CONTROL,
]
ROLE_NAMES = ["", " ", "has space", LONG, CONTROL, UNICODE, "a/b"]
ORIGINS = ["", "ftp://x.example.com", "https://", "https://x.example.com/path", "*", LONG, CONTROL]
PRINCIPALS = ["", "nope", "arn:aws:s3:::b", "123", LONG, CONTROL]
TAGS = ["", "novalue", "=x", f"k={LONG}", f"{CONTROL}=v"]
PREFIXES = [LONG, CONTROL, "/leading"]
KMS = ["", "nope", "arn:aws:kms:us-east-1:123456789012:alias/x", "arn:aws:s3:::b", LONG]
BOUNDARIES = ["", "nope", "arn:aws:iam::123456789012:role/x", LONG]

CREATE = ["create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID]
VALIDATE = ["validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET]
ROTATE = [
    "rotate-external-id",
    "--role-name",
    "LabelboxS3Access",
    "--external-id",
    "cknew0000000000000000009",
]


def replaced(base: list[str], option: str, value: str) -> list[str]:
    args = list(base)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    return args


ROWS: list[tuple[str, list[str], str]] = []
for value in BUCKETS:
    ROWS += [("create-role", replaced(CREATE, "--bucket", value), "--bucket"),
             ("validate", replaced(VALIDATE, "--bucket", value), "--bucket"),
             ("manifest", ["manifest", "--bucket", value], "--bucket")]  # fmt: skip
for value in EXTERNAL_IDS:
    ROWS += [("create-role", replaced(CREATE, "--external-id", value), "--external-id"),
             ("validate", replaced(VALIDATE, "--external-id", value), "--external-id"),
             ("rotate-external-id", replaced(ROTATE, "--external-id", value), "--external-id")]  # fmt: skip
for value in ROLE_ARNS:
    ROWS += [("validate", replaced(VALIDATE, "--role-arn", value), "--role-arn")]
for value in ROLE_NAMES:
    ROWS += [("create-role", replaced(CREATE, "--role-name", value), "--role-name"),
             ("rotate-external-id", replaced(ROTATE, "--role-name", value), "--role-name"),
             ("delete-role", ["delete-role", "--role-name", value, "--yes"], "--role-name")]  # fmt: skip
for value in ORIGINS:
    ROWS += [("create-role", [*CREATE, "--principal", "arn:aws:iam::111122223333:role/v", "--origin", value],
              "--origin")]  # fmt: skip
for value in PRINCIPALS:
    ROWS += [("create-role", [*CREATE, "--principal", value], "--principal")]
for value in TAGS:
    ROWS += [("create-role", [*CREATE, "--tag", value], "--tag")]
for value in PREFIXES:
    ROWS += [("create-role", [*CREATE, "--prefix", value], "--prefix")]
for value in KMS:
    ROWS += [("create-role", [*CREATE, "--kms-key-arn", value], "--kms-key-arn")]
for value in BOUNDARIES:
    ROWS += [("create-role", [*CREATE, "--permissions-boundary", value], "--permissions-boundary")]
ROWS += [
    ("create-role", [*CREATE, "--max-session-duration", "10"], "--max-session-duration"),
    ("create-role", [*CREATE, "--max-session-duration", "99999"], "--max-session-duration"),
    ("create-role", [*CREATE, "--vendor", "nobody"], "--vendor"),
    ("create-role", [*CREATE, "--path", "no-slashes"], "--path"),
    ("audit", ["audit", "--from-file", ""], "--from-file"),  # empty is not "not given": never online
    ("audit", ["audit", "--known-accounts", ""], "--known-accounts"),
    ("audit", ["audit", "--scp-file", ""], "--scp-file"),
    ("audit", ["audit", "--scp-file", "a.json,,b.json"], "--scp-file"),  # one level, a name left out
    ("audit", ["audit", "--mutelist", ""], "--mutelist"),
    ("audit", ["audit", "--out", ""], "--out"),
    ("audit", ["audit", "--accounts", "12"], "--accounts"),
    ("audit", ["audit", "--accounts", ","], "--accounts"),
    ("audit", ["audit", "--organization", "--accounts", "123456789012"], "--accounts"),
    ("audit", ["audit", "--fail-on", "sometimes"], "--fail-on"),
    ("audit", ["audit", "--member-role", "has space", "--accounts", "123456789012"], "--member-role"),
    ("validate", [*VALIDATE, "--wait", "-1"], "--wait"),
]


def _id(row: tuple[str, list[str], str]) -> str:
    command, args, option = row
    value = args[args.index(option) + 1] if option in args and args.index(option) + 1 < len(args) else ""
    shown = value if len(value) < 20 else f"{value[:8]}…({len(value)})"
    return f"{command}{option}={shown.encode('unicode_escape').decode()}"


@pytest.mark.parametrize(("command", "args", "option"), ROWS, ids=[_id(r) for r in ROWS])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(cli, aws_calls, command, args, option):
    result = cli(*args)
    assert result.code == 2, (args[:8], result.code, result.stderr[-300:])
    line = result.error_line  # exactly one error line, no traceback
    assert option in line or option.lstrip("-") in line, line
    assert "\n" not in line and len(line) < 600, line
    assert aws_calls == [], aws_calls  # nothing was asked of AWS, so nothing in it changed


GOOD = {
    "create-role": CREATE,
    "validate": VALIDATE,
    "rotate-external-id": ROTATE,
    "delete-role": ["delete-role", "--role-name", "LabelboxS3Access", "--yes"],
    "manifest": ["manifest", "--bucket", BUCKET],
    "audit": ["audit", "--accounts", sandbox.CUSTOMER_ACCOUNT],
}


@pytest.mark.parametrize("command", sorted(GOOD))
def test_the_hook_sees_and_refuses_the_calls_of_good_input(cli, aws_calls, command):
    """The control of the rows above: with good input each command does ask AWS, the hook sees
    it, and its refusal is what the command reports (an error, a finding or a failed check)."""
    assert {c for c, _, _ in ROWS} == set(GOOD)
    result = cli(*GOOD[command])
    assert aws_calls, result.stderr
    said = result.stdout + result.stderr
    assert result.code != 2 and ("AccessDenied" in said or "refused" in said), (aws_calls, result)
