"""Ctrl-C while a command waits on AWS (issue 12): audit (one account, several through a member
role, the organization), create-role, validate and manifest, each a real process against an
endpoint that takes requests and never answers. Each: exit 130, the last line `aborted`, no
traceback, no file at --out, and the process gone at once: audit reads accounts in worker
threads, and before, Python waited for them at exit (botocore's 30 s read timeout times its
retries: the process hung for minutes after Ctrl-C)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import EXTERNAL_ID

# the slow tier: each test runs the CLI as a process and interrupts it
pytestmark = pytest.mark.slow


class _Silent(BaseHTTPRequestHandler):
    """Reads the request, then never answers."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.requests.set()  # type: ignore[attr-defined]
        time.sleep(60)

    do_GET = do_PUT = do_HEAD = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def silent():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Silent)
    server.daemon_threads = True
    server.requests = threading.Event()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.mark.parametrize(
    "args",
    [["audit", "--out", "OUT", "-o", "json"],
     ["audit", "--accounts", "111111111111,222222222222,333333333333", "--member-role", "Auditor"],
     ["audit", "--organization"],
     ["create-role", "--bucket", "images-bucket", "--external-id", EXTERNAL_ID],
     ["validate", "--role-arn", "arn:aws:iam::123456789012:role/R", "--external-id", EXTERNAL_ID,
      "--bucket", "images-bucket"],
     ["manifest", "--bucket", "images-bucket", "--out", "OUT"]],
    ids=["audit", "audit-accounts", "audit-organization", "create-role", "validate", "manifest"],
)  # fmt: skip
def test_ctrl_c_while_waiting_on_aws(tmp_path, silent, args):
    out = tmp_path / "report.json"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "x" * 40,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{silent.server_address[1]}",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    env.pop("AWS_PROFILE", None)
    provision = str(Path(sys.executable).parent / "provision")
    process = subprocess.Popen(
        [provision, *[str(out) if a == "OUT" else a for a in args]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert silent.requests.wait(timeout=30), "the command never reached the endpoint"
    time.sleep(0.5)  # every worker is waiting on its answer now
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=15)  # a hang, not a speed target
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{args[0]} did not stop after Ctrl-C")
    assert process.returncode == 130, (process.returncode, stderr[-500:])
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "aborted", stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [], list(tmp_path.iterdir())
