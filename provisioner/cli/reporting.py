"""What lint and audit say beside their findings (notes of what a file or a baseline changed) and
the text of their findings in one format: shared by the two commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from provisioner.cli.common import json_text, render_findings


def findings_text(result: Any, fmt: str, out: str | None, notes: list[str], view: Callable[[], Any]) -> str:
    """lint's or audit's result in `fmt`: JSON and text straight from the findings' own JSON (no
    view of them to build: a quarter of an offline audit), every other format from `view()`,
    with `notes` among its notes (the HTML page shows them)."""
    from provisioner import report

    if fmt in ("json", "text"):
        return json_text(report.versioned(result.to_dict(), "findings"), fmt)
    built = view()
    built.notes += notes
    from provisioner.cli.app import QUIET

    if QUIET.get() and built.command == "audit" and fmt == "table":
        built.summary, built.trailer = "", []  # -q: audit's table alone (README, "Working with AWS")
    return render_findings(built, fmt, out)


# Settings that can make a report greener: when one comes from a config file rather than the
# command line, the run says so (a file in the repository under review must not quietly pass it).
GREENER_SETTINGS = ("fail-on", "unused-days")


def file_notes(ctx: typer.Context, findings: list[Any]) -> list[str]:
    """Each verdict-changing default taken from the config file, and how many findings each
    mute entry (config file or --mutelist) silenced: said in every output format (stderr, and
    the HTML page's notes), since JSON and SARIF have no summary line of their own."""
    from collections import Counter

    notes = []
    config = ctx.find_root().obj
    if config is not None and getattr(config, "path", None):
        for setting in config.settings:
            if setting.command != ctx.info_name or setting.key not in GREENER_SETTINGS:
                continue
            source = ctx.get_parameter_source(setting.key.replace("-", "_"))
            if getattr(source, "name", "") == "DEFAULT_MAP":  # typer's own click: compared by name
                notes.append(f"--{setting.key} {setting.value} is from {config.where(setting)}")
    counts = Counter(str(f.suppressed.get("entry", "")) for f in findings if f.suppressed)
    notes += [f"{n} finding(s) muted by the [[mute]] entry at {where}" for where, n in sorted(counts.items())]
    return notes


def say_notes(notes: list[str]) -> None:
    """Notes on stderr, one line each; --quiet silences them as it does every note."""
    from provisioner.cli.app import QUIET

    if not QUIET.get():
        for note in notes:
            typer.echo(f"note: {note}", err=True)


def check_baseline_format(baseline: str | None, fmt: str) -> None:
    """A baseline leaves out the unchanged findings; SARIF must not: code scanning takes a result
    missing from an upload for fixed and closes its alert. Refused before any work is done."""
    from provisioner.errors import InputError

    if baseline is not None and fmt == "sarif":
        raise InputError(
            "--baseline",
            baseline,
            "SARIF for code scanning carries every finding (a result left out is closed there as "
            "fixed, and code scanning compares runs itself): drop --baseline for SARIF, or use -o json",
        )


def baseline_notes(result: Any, fmt: str) -> list[str]:
    """What a baseline left out, for the formats without the table's summary line."""
    note = result.baseline_note().removeprefix("; ")
    return [note] if note and fmt != "table" else []
