"""`provision sandbox`: a local AWS endpoint (moto) with a demo bucket, until Ctrl-C."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from provisioner.cli.app import app


@app.command("sandbox", rich_help_panel="Offline (no AWS account needed)")
def sandbox_command(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1; 0 picks a free one.")] = 0,
) -> None:
    """Run a local AWS endpoint with a demo bucket and the vendors' accounts, until Ctrl-C."""
    from provisioner import sandbox

    if not 0 <= port <= 65535:
        raise typer.BadParameter("a port is 0 to 65535", param_hint="--port")
    box = sandbox.start(port)  # a port in use: SandboxError, one line naming --port, exit 2
    try:  # from here a Ctrl-C, even while the exports are printed, stops the server
        typer.echo(f"# local AWS endpoint on {box.endpoint} (moto); stop it with Ctrl-C")
        typer.echo(f"# customer account {sandbox.CUSTOMER_ACCOUNT}, demo bucket {sandbox.DEMO_BUCKET}")
        for name, account in sorted(box.vendor_accounts.items()):
            typer.echo(f"# vendor account {account} ({name})")
        for key, value in box.environment().items():
            typer.echo(f"export {key}={value}")
        sys.stdout.flush()
        # Short sleeps, not one long one: the kernel may hand Ctrl-C's SIGINT to the server's
        # thread, and Python only runs the handler (KeyboardInterrupt) in the main thread once
        # that thread wakes: an hour's sleep ignored Ctrl-C about one time in two.
        while True:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
