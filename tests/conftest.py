"""Shared helpers: run the CLI in-process through Typer's runner; the two tiers of the suite.

The tiers (README, "What the tests exercise"): a test is `slow` when it starts a server (moto's,
through the `server` fixture, or the Labelbox stand-in), a process (the CLI as a user runs it,
Node, Chromium, pip, pre-commit, cfn-lint) or builds a wheel. `make check` runs the others
(`pytest -m "not slow"`, seconds); `make test` runs everything. Tests using the server fixtures
and every test under tests/e2e/ (the folder of the slow tier: `make check` does not even collect
it) are marked here; the rest are marked where they are written, and a test that is not marked and
still starts a process or listens on a socket fails, saying so.
"""

from __future__ import annotations

import json
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provisioner.cli import app

# Fixtures that start a server: a test that uses one (directly or through another fixture)
# belongs to the slow tier.
SERVER_FIXTURES = {"server", "labelbox_fake"}


E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) or E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def fast_tier_starts_nothing(request, monkeypatch):
    """A test outside the slow tier may start no process and listen on no socket: that keeps
    `make check` (which leaves the slow tier out) quick and free of servers, Node and browsers."""
    if request.node.get_closest_marker("slow") is not None:
        return

    def refuse(what: str):
        def refused(*args: Any, **_: Any) -> Any:
            raise AssertionError(f"a test outside the slow tier {what}: mark it @pytest.mark.slow")

        return refused

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse("started a process"))
    monkeypatch.setattr(socket.socket, "listen", refuse("listened on a socket (a server)"))


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_line(self) -> str:
        """The one error line a failed command prints (asserting it is one line)."""
        lines = [line for line in self.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, self.stderr
        assert "Traceback" not in self.stderr
        return lines[0]


_COMMANDS: dict[int, Any] = {}


def _command_of(typer_app: Any) -> Any:
    """The click command of a Typer app, made once per test process: Typer's runner makes it
    afresh on every invoke (about 0.1 s: every command's signature read again), where the
    console script makes it once per run."""
    if id(typer_app) not in _COMMANDS:
        import typer.main

        _COMMANDS[id(typer_app)] = typer.main.get_command(typer_app)
    return _COMMANDS[id(typer_app)]


@pytest.fixture
def cli(monkeypatch):
    import typer.testing

    monkeypatch.setattr(typer.testing, "_get_command", _command_of)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


LABELBOX_KEY = "lb-secret-api-key-0123456789"


@pytest.fixture
def labelbox_fake(monkeypatch):
    """The stand-in for Labelbox's GraphQL API (tests/labelbox_fake.py), with the SDK pointed
    at it through LABELBOX_ENDPOINT and a key in LABELBOX_API_KEY."""
    from tests.labelbox_fake import start

    state, server = start()
    monkeypatch.setenv("LABELBOX_ENDPOINT", state.endpoint)
    monkeypatch.setenv("LABELBOX_API_KEY", LABELBOX_KEY)
    yield state
    server.shutdown()


@pytest.fixture
def aws_calls(tmp_path, monkeypatch):
    """Every AWS operation any botocore session of the run attempts, answered AccessDenied by a
    before-call hook so nothing leaves the process; with credentials and a region in the
    environment and no AWS config file in reach. `aws_calls == []` after a command is how a
    test without a server shows that the command changed nothing in any account."""
    import botocore.session
    from botocore.awsrequest import AWSResponse

    calls: list[str] = []

    def record(model, **_):
        calls.append(f"{model.service_model.service_name}:{model.name}")
        error = {
            "Error": {"Code": "AccessDenied", "Message": "test"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        return AWSResponse("https://aws.invalid/", 403, {}, None), error

    original = botocore.session.Session.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.register("before-call", record)

    monkeypatch.setattr(botocore.session.Session, "__init__", init)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_DEFAULT_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    return calls
