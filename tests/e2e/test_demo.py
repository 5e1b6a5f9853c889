"""`make demo` is the README's first command on a fresh machine (scripts/demo.sh: the whole flow
against the embedded sandbox). It broke unseen when create-role began to refuse narrowing a
trust without --replace-external-id; run it here so the README's promise is tested."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_demo_runs_to_the_end():
    if Path(sys.executable).parent != ROOT / ".venv" / "bin":
        pytest.skip("scripts/demo.sh runs the checkout's .venv (make install makes it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-2000:])
    assert "Traceback" not in done.stdout + done.stderr
    assert "VALID: the vendor's checks will pass" in done.stdout
