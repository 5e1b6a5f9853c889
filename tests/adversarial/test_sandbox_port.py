"""`provision sandbox --port` (issue 17): a port already taken is one `error:` line naming
--port and exit 2, and the process ends. Before, werkzeug printed "Address already in use" from
moto's server thread, that thread died before it said it was ready, and the command waited for
it forever. Each run is a real process with a timeout, so a hang fails the test instead of
hanging the suite; the port is held by a real listening socket on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioner import sandbox

# the slow tier: the sandbox's server, and the CLI as a process
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken() -> Iterator[int]:
    """A port something else listens on."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    yield holder.getsockname()[1]
    holder.close()


def _provision(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "provisioner", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_a_port_in_use_is_one_error_line_and_the_process_ends(taken):
    process = _provision("sandbox", "--port", str(taken))
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"provision sandbox --port {taken} still running after 60 s with the port taken")
    assert process.returncode == 2, stderr
    assert stdout == ""  # no endpoint, no exports: nothing a script could take for a sandbox
    assert stderr.splitlines() == [
        f"error: --port {taken}: already in use (Address already in use); "
        "choose another --port or stop what listens there"
    ]


def test_a_port_taken_after_the_check_does_not_hang_start_either(taken, monkeypatch):
    """Between the check and moto's own bind another process can take the port: start() then
    raises instead of waiting for a server thread that is gone."""
    monkeypatch.setattr(sandbox, "_check_port", lambda port: None)
    outcome: list[BaseException | sandbox.Sandbox] = []

    def start() -> None:
        try:
            outcome.append(sandbox.start(taken, seed_demo=False, aws_managed_policies=False))
        except BaseException as exc:  # the test reads what start() did
            outcome.append(exc)

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "sandbox.start() hung on a port in use"
    if isinstance(outcome[0], sandbox.Sandbox):
        outcome[0].stop()
    assert isinstance(outcome[0], sandbox.SandboxError), outcome
    assert str(outcome[0]).startswith(f"--port {taken}: already in use")


def test_a_free_port_still_serves_until_ctrl_c():
    """The check binds and lets go: the sandbox then listens on that very port."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    process = _provision("sandbox", "--port", str(port))
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the server listens and the demo is seeded
        assert first.startswith(f"# local AWS endpoint on http://127.0.0.1:{port} "), first
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
        assert process.returncode in (0, 130)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
