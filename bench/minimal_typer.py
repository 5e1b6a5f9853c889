"""The baseline of bench/startup.py: a minimal Typer app of the same Typer version, two commands,
one option shaped like `provision policy trust --external-id`."""

from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def trust(external_id: Annotated[str, typer.Option("--external-id")]) -> None:
    typer.echo(external_id)


@app.command()
def other() -> None:
    typer.echo("other")


if __name__ == "__main__":
    app()
