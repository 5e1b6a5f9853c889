"""The `provision` command line: one thin module per command (options -> spec -> api -> render).

Nothing here decides anything; the work is in provisioner.api and the journeys behind it.
"""

from __future__ import annotations

import gc
import os
import sys
import threading

from provisioner.cli.app import app  # each command's module is imported on first use (_Root)

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code instead of raising SystemExit.

    Without `argv` it is the `provision` command itself (the console script, `python -m
    provisioner`), whose process ends as it returns: what is left is then frozen out of the
    cycle collector's reach (gc.freeze), so that Python's collections at exit do not walk every
    object of every module loaded (a tenth of an offline audit of 10,000 roles); exit frees it
    all the same. A caller that passes `argv` (a test) keeps its collector as it was."""
    code: int = app(args=argv, prog_name="provision", standalone_mode=False)
    if code == 130 and threading.active_count() > 1:
        # Ctrl-C while worker threads wait on the network (audit reads accounts in threads):
        # Python would wait for them at exit, for botocore's read timeout times its retries.
        # What the run wrote is already undone on the way here (temporary files removed), and
        # "aborted" is printed: leave now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if argv is None:
        gc.freeze()
    return code
