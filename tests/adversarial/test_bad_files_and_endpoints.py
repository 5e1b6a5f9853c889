"""Files and endpoints a user can get wrong (issue 12): missing, a directory, binary,
truncated, huge and wrong-shape files for lint, audit --from-file and manifest --from-file; an
endpoint that is closed, that answers garbage (an HTTP server that is not AWS), or that hangs
up. Each: the exit code, one `error:` line naming the option or file, no traceback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import BUCKET, EXTERNAL_ID

FILES = {
    "missing": None,
    "directory": "DIR",
    "binary": b"\x00\xff\xfe\x89PNG\r\n",
    "truncated": b'{"RoleDetailList": [{"Arn": "arn:aws:iam::1',
    "truncated-policy": b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"',
    "wrong-shape": b'{"Version": "2012-10-17"}',
    "empty": b"",
    "list": b"[1, 2, 3]",
    "huge": b"x" * 20_000_000,  # one 20 MB line: a file given by mistake
}
COMMANDS = {
    "lint": (["lint"], None, "FILE"),
    "audit": (["audit", "--from-file"], None, "--from-file"),
    "manifest": (
        ["manifest", "--bucket", "images", "--region", "us-east-1", "--from-file"], None, "--from-file"
    ),
    "scp": (["validate", "--role-arn", "arn:aws:iam::123456789012:role/R", "--external-id", EXTERNAL_ID,
             "--bucket", BUCKET, "--scp-file"], None, "--scp-file"),
    "mutelist": (["audit", "--from-file", "PLACEHOLDER", "--mutelist"], None, "--mutelist"),
    "baseline": (["audit", "--from-file", "PLACEHOLDER", "--baseline"], None, "--baseline"),
}  # fmt: skip
# lint judges a file that shows it is a policy, template or plan, and skips (and counts) the
# rest, named or found (issue 17): (exit code, what stdout says). A truncated policy is
# invalid-json and bytes that are not UTF-8 are file-unreadable, both exit 1 (bytes were exit 2,
# bad input, which stopped the whole run); a cut-short GAAD file, an empty file, a JSON list and
# 20 MB of "x" show no sign of a policy: skipped and counted, exit 0 (they were exit 1, judged
# as policies because they were named). A missing file stays bad input (exit 2, below).
LINT_OUTCOMES = {
    "directory": (0, "no findings in 0 file(s)"),  # a folder is walked: nothing lint reads in it
    "binary": (1, "file-unreadable"),
    "truncated-policy": (1, "invalid-json"),
    "wrong-shape": (1, "policy-grammar"),  # Version 2012-10-17 says "a policy"; no Statement
    "truncated": (0, "no findings in 0 file(s); 1 file not a policy, skipped"),
    "empty": (0, "no findings in 0 file(s); 1 file not a policy, skipped"),
    "list": (0, "no findings in 0 file(s); 1 file not a policy, skipped"),
    "huge": (0, "no findings in 0 file(s); 1 file not a policy, skipped"),
}
EMPTY_TRUST = {"Version": "2012-10-17", "Statement": []}
GAAD = {
    "RoleDetailList": [{"Arn": "arn:aws:iam::123456789012:role/a", "AssumeRolePolicyDocument": EMPTY_TRUST}]
}


def _path(tmp_path, kind):
    path = tmp_path / f"input-{kind}"
    content = FILES[kind]
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_files(cli, tmp_path, command, kind, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base, _, option = COMMANDS[command]
    good = tmp_path / "gaad.json"
    good.write_text(json.dumps(GAAD))
    args = [str(good) if a == "PLACEHOLDER" else a for a in base]
    result = cli(*args, _path(tmp_path, kind))
    if command == "lint" and kind in LINT_OUTCOMES:
        code, said = LINT_OUTCOMES[kind]
        assert result.code == code and "Traceback" not in result.stderr, (result.code, result.stderr)
        assert said in result.stdout, result.stdout
        if code == 1:  # a finding names the file
            assert f"input-{kind}" in result.stdout, result.stdout
        return
    if command == "mutelist" and kind == "empty":
        assert result.code == 0, result.stderr  # an empty TOML file: a mutelist with no entries
        return
    if command == "manifest" and kind == "empty":
        # an empty listing (an empty prefix) is no rows, and the document is still whole
        assert result.code == 0 and result.stdout == "[]\n", (result.stdout, result.stderr)
        return
    assert result.stdout == "", result.stdout  # nothing half-written on stdout
    assert result.code == 2, (command, kind, result.code, result.stdout[-200:], result.stderr[-300:])
    line = result.error_line
    assert option in line or f"input-{kind}" in line, line


@pytest.mark.slow  # about 2 s of lint (the schema check of 20,000 statements)
def test_a_huge_lint_file_is_judged_not_swallowed(cli, tmp_path):
    statements = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
                  for i in range(20_000)]  # fmt: skip
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    result = cli("lint", str(path), "-o", "json")
    assert result.code == 1 and "size-limit" in {f["rule"] for f in result.json()["findings"]}


class _Garbage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html>not AWS</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_HEAD = do_POST

    def log_message(self, *args) -> None:
        pass


class _HangUp(_Garbage):
    def do_POST(self) -> None:
        self.connection.close()  # dies mid-request

    do_GET = do_PUT = do_HEAD = do_POST


@pytest.fixture(params=["closed", "garbage", "hang-up"])
def endpoint(request):
    if request.param == "closed":
        yield "http://127.0.0.1:9"
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage if request.param == "garbage" else _HangUp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def fake_credentials(tmp_path, monkeypatch) -> None:
    """Keys, a region and one attempt in the environment; no AWS config file or profile in reach."""
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "x" * 40,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_MAX_ATTEMPTS": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.mark.slow  # fake endpoints are servers
@pytest.mark.parametrize(
    "args",
    [["audit"], ["create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID],
     ["validate", "--role-arn", "arn:aws:iam::123456789012:role/R", "--external-id", EXTERNAL_ID,
      "--bucket", BUCKET],
     ["manifest", "--bucket", BUCKET]],
    ids=["audit", "create-role", "validate", "manifest"],
)  # fmt: skip
def test_endpoints_that_are_not_aws(cli, tmp_path, monkeypatch, endpoint, args):
    fake_credentials(tmp_path, monkeypatch)
    result = cli(*args, "--endpoint-url", endpoint)
    assert result.code == 3, (result.code, result.stderr[-400:])
    line = result.error_line
    assert "Traceback" not in result.stderr and len(line) < 400, line


class _Counting(_Garbage):
    """Counts the requests it is sent (and answers garbage)."""

    def do_POST(self) -> None:
        self.server.requests += 1  # type: ignore[attr-defined]
        super().do_POST()

    do_GET = do_PUT = do_HEAD = do_POST


TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"}}]}  # fmt: skip
WRONG_KIND = {
    # issue 17: a trust policy as the SCP allowed sts:AssumeRole only, and every grant finding went
    "trust-as-scp": ("--scp-file", TRUST, "$.Statement[0].Principal: an SCP has no Principal"),
    "bucket-policy-as-rcp": ("--rcp-file", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]},
        '$.Statement[0].Effect: "Allow" is only supported in RCPFullAWSAccess'),
    "identity-policy-as-rcp": ("--rcp-file", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}, "$.Statement[0].Principal: missing"),
    "scp-as-rcp": ("--rcp-file", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*"}]},
        "$.Statement[0].Action: 'ec2:RunInstances': RCPs apply to the actions of"),
}  # fmt: skip


@pytest.mark.slow  # counts requests on a server
@pytest.mark.parametrize("kind", list(WRONG_KIND))
@pytest.mark.parametrize("command", ["audit", "validate"])
def test_a_policy_of_another_kind_is_refused_before_any_aws_call(cli, tmp_path, monkeypatch, command, kind):
    option, document, rule = WRONG_KIND[kind]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.requests = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake_credentials(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wrong.json").write_text(json.dumps(document))
    args = COMMANDS["scp"][0][:-1] if command == "validate" else ["audit"]
    try:
        result = cli(
            *args, option, "wrong.json", "--endpoint-url", f"http://127.0.0.1:{server.server_address[1]}"
        )
    finally:
        server.shutdown()
    assert result.code == 2 and result.stdout == "", (result.code, result.stderr[-300:])
    assert result.error_line.startswith(f"error: {option} 'wrong.json': {rule}"), result.error_line
    assert server.requests == 0  # type: ignore[attr-defined]
