"""Credentials a user can get wrong (issue 12): none at all, an unknown profile, a session token
that has expired, a key AWS does not know; and credentials that expire in the middle of a run.

moto does not expire credentials, so an endpoint of our own answers as AWS does (the error XML
of the Query and REST-XML protocols, status 400/403): the whole CLI runs against it over HTTP.
Each row: the exit code, one `error:` line that says what to do, no traceback, and nothing
changed in the sandbox account.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from provisioner import sandbox
from tests.e2e.conftest import BUCKET, EXTERNAL_ID, _post, forward, snapshot

ROLE = "LabelboxS3Access"
ROLE_ARN = f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/{ROLE}"
COMMANDS = {
    "create-role": ["create-role", "--bucket", BUCKET, "--external-id", EXTERNAL_ID],
    "validate": ["validate", "--role-arn", ROLE_ARN, "--external-id", EXTERNAL_ID, "--bucket", BUCKET],
    "rotate": ["rotate-external-id", "--role-name", ROLE, "--external-id", "cknew00000000000009", "--yes"],
    "delete-role": ["delete-role", "--role-name", ROLE, "--yes"],
    "audit": ["audit"],
    "manifest": ["manifest", "--bucket", BUCKET],
}  # fmt: skip
WRITES = ("Create", "Update", "Attach", "Detach", "Delete", "Put", "Tag", "Untag", "Set")
MESSAGES = {
    "ExpiredToken": (400, "The security token included in the request is expired"),
    "InvalidClientTokenId": (403, "The security token included in the request is invalid."),
}


def _error_body(code: str) -> tuple[int, bytes]:
    status, message = MESSAGES[code]
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
        "</Error><RequestId>4442587FB7D0A2F9</RequestId></ErrorResponse>"
    )
    return status, body.encode()


class _Gate(BaseHTTPRequestHandler):
    """Forwards to the sandbox the first `allowed` writes (and every read before them); from
    then on answers every request with `code`, as AWS answers once a session token expires.
    `allowed = 0` refuses everything."""

    upstream: ClassVar[str] = ""
    code: ClassVar[str] = "ExpiredToken"
    allowed: ClassVar[int] = 0
    state: ClassVar[dict[str, int]] = {}

    def _is_write(self, body: bytes) -> bool:
        if self.command in ("PUT", "DELETE"):
            return True
        action = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        return self.command == "POST" and action.startswith(WRITES)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.lock:
            expired = self.state["writes"] >= self.allowed
            if not expired and self._is_write(body):
                self.state["writes"] += 1
        if expired:
            status, payload = _error_body(self.code)
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("x-amzn-RequestId", "4442587FB7D0A2F9")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        forward(self, self.upstream, body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gate(box) -> Iterator:
    """Start a gate in front of the sandbox: gate(code, allowed_writes) -> its URL and state."""
    servers = []

    def start(code: str, allowed: int) -> tuple[str, dict[str, int]]:
        state = {"writes": 0}
        attrs = {"upstream": box.endpoint, "code": code, "allowed": allowed, "state": state,
                 "lock": threading.Lock()}  # fmt: skip
        server = ThreadingHTTPServer(("127.0.0.1", 0), type("Gate", (_Gate,), attrs))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", state

    yield start
    for server in servers:
        server.shutdown()


def _one_line(result, *fragments: str) -> str:
    line = result.error_line  # asserts exactly one error: line and no traceback
    for fragment in fragments:
        assert fragment in line, line
    return line


FAULTS = {  # how the credentials are wrong -> (exit code, what the one line must say)
    "none": (3, ("no AWS credentials found", "aws configure")),
    "unknown-profile-flag": (2, ("--profile 'nope'", "no such profile")),
    "unknown-profile-env": (2, ("AWS_PROFILE 'nope'", "no such profile")),
    "ExpiredToken": (3, ("credentials have expired", "ExpiredToken")),
    "InvalidClientTokenId": (3, ("rejected the credentials", "InvalidClientTokenId")),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_wrong_credentials(cli, customer, aws_env, gate, monkeypatch, command, fault):
    before = snapshot(customer)
    args = list(COMMANDS[command])
    if fault == "none":
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
                    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI"):  # fmt: skip
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata to fall back on
    elif fault == "unknown-profile-flag":
        args = ["--profile", "nope", *args]
    elif fault == "unknown-profile-env":
        monkeypatch.setenv("AWS_PROFILE", "nope")
    else:  # an endpoint answering every call as AWS answers a token it expired or never issued
        args += ["--endpoint-url", gate(fault, 0)[0]]
    result = cli(*args)
    code, fragments = FAULTS[fault]
    assert result.code == code, (result.code, result.stdout[-300:], result.stderr[-300:])
    _one_line(result, *fragments)
    assert snapshot(customer) == before


def _reset(box) -> None:
    """Back to the freshly seeded sandbox, inside one test."""
    _post(box.endpoint, "/moto-api/reset")
    box.vendor_accounts.clear()
    sandbox.seed(box)


def _writes(cli, gate, args: list[str]) -> tuple[int, object]:
    """How many writes a whole, uninterrupted run of `args` makes through a gate."""
    url, state = gate("ExpiredToken", 10_000)
    result = cli(*args, "--endpoint-url", url)
    assert result.code == 0, result.stderr
    return state["writes"], result


@pytest.mark.parametrize(
    ("setup", "command"),
    [([], "create-role"), (["create-role"], "rotate"), (["create-role"], "delete-role")],
    ids=["create-role", "rotate", "delete-role"],
)
def test_credentials_expiring_after_each_write(cli, box, customer, aws_env, gate, setup, command):
    """The token expires after the run's k-th write, for every k: the run exits 3 with one line
    that says the credentials expired, which step failed and what was already done; no role is
    ever left trusting the vendor without the external ID; and the same command run again with
    fresh credentials ends in exactly the state of a run that was never interrupted."""
    for before in setup:
        assert cli(*COMMANDS[before]).code == 0
    total, _ = _writes(cli, gate, COMMANDS[command])
    assert total >= 1
    wanted = snapshot(customer)
    for allowed in range(total):
        _reset(box)
        for before in setup:
            assert cli(*COMMANDS[before]).code == 0
        start = snapshot(customer)
        url, _ = gate("ExpiredToken", allowed)
        result = cli(*COMMANDS[command], "--endpoint-url", url)
        assert result.code == 3, (allowed, result.code, result.stderr[-400:])
        line = _one_line(result, "credentials have expired")
        if allowed == 0:
            assert snapshot(customer) == start  # expired before the first write: nothing changed
        else:
            # the step after the last write that landed, or that write itself when reading it
            # back (a CORS write is re-read) is what found the token expired
            step = re.search(rf"step (\d+) of {total} failed", line)
            assert step and int(step[1]) in (allowed, allowed + 1), line
            assert "run the same command again" in line, line
        for name, role in snapshot(customer)["roles"].items():
            if name == ROLE:
                assert "sts:ExternalId" in str(role["trust"]), (allowed, role["trust"])
        again = cli(*COMMANDS[command])
        assert again.code == 0, (allowed, again.stderr[-400:])
        assert snapshot(customer) == wanted, allowed
