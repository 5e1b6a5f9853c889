"""Progress belongs on stderr (issue 12): on a terminal, `manifest` NDJSON started glued to the
spinner, and `audit -o json > file` showed no progress at all. Each command runs as a real
process with stderr on a pseudo-terminal and stdout on a pipe, against the sandbox: stdout is
only the document (parsed, no terminal escape in it) and the terminal shows the progress.
Defect found: rich's progress display took over stdout while it ran (redirect_stdout), so the
manifest's rows went to the terminal and `manifest > rows.ndjson` wrote an empty file there."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import BUCKET


def _on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    master, slave = pty.openpty()
    provision = str(Path(sys.executable).parent / "provision")
    process = subprocess.Popen(
        [provision, *args], stdout=subprocess.PIPE, stderr=slave, env={**os.environ, **env, "TERM": "xterm"},
        cwd=cwd,
    )  # fmt: skip
    os.close(slave)
    stdout, _ = process.communicate(timeout=120)
    terminal = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end is closed: all read
            break
        if not chunk:
            break
        terminal += chunk
    os.close(master)
    return process.returncode, stdout.decode(), terminal.decode(errors="replace")


@pytest.mark.parametrize(
    ("args", "progress", "parse"),
    [(["audit", "-o", "json"], "reading roles", json.loads),
     (["manifest", "--bucket", BUCKET, "--format", "labelbox-ndjson"], "listing objects",
      lambda text: [json.loads(line) for line in text.splitlines()])],
    ids=["audit", "manifest"],
)  # fmt: skip
def test_progress_on_the_terminal_and_stdout_only_the_document(aws_env, tmp_path, args, progress, parse):
    code, stdout, terminal = _on_a_terminal(args, {k: str(v) for k, v in aws_env.items()}, tmp_path)
    assert code in (0, 1), (code, terminal[-800:])
    assert "\x1b" not in stdout and stdout.strip(), terminal[-800:]
    parse(stdout)  # the whole of stdout is the document
    assert progress in terminal, terminal[-500:]
