"""The `provision` command line: one thin module per command (options -> spec -> api -> render).

Nothing here decides anything; the work is in provisioner.api and the journeys behind it.
"""

from __future__ import annotations

import os
import sys
import threading

from provisioner.cli.app import app  # each command's module is imported on first use (_Root)

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code instead of raising SystemExit."""
    code: int = app(args=argv, prog_name="provision", standalone_mode=False)
    if code == 130 and threading.active_count() > 1:
        # Ctrl-C while worker threads wait on the network (audit reads accounts in threads):
        # Python would wait for them at exit, for botocore's read timeout times its retries.
        # What the run wrote is already undone on the way here (temporary files removed), and
        # "aborted" is printed: leave now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
