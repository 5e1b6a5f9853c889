"""Shared helpers: run the CLI in-process through Typer's runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from provisioner.cli import app


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


@pytest.fixture
def cli():
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
