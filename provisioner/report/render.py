"""Every format of a `Findings` set (provisioner.report.findings): table, json, text, csv,
markdown, html and sarif, each written once for lint and audit alike. Pure."""

from __future__ import annotations

import csv
import io
from typing import Any

from provisioner.report.findings import Findings
from provisioner.report.json import to_json

MARKDOWN_LIMIT = 65_536  # characters GitHub allows in a pull-request comment

# Each command's --output choices, in one table (the CLI builds its options from it).
FINDING_FORMATS = ("table", "json", "text", "sarif", "csv", "markdown", "html")
FORMATS: dict[str, tuple[str, ...]] = {
    "lint": FINDING_FORMATS,
    "audit": FINDING_FORMATS,
    "validate": ("table", "json", "text", "html", "markdown"),
    "diff": ("table", "json", "text", "sarif", "markdown"),
    "inventory": ("table", "json", "text", "csv", "markdown", "html"),
    "who-can": ("table", "json", "text"),
    "result": ("table", "json", "text"),  # create-role, rotate, delete, labelbox, config, vendors
}
# --out's extension gives the format when -o is not given.
EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".sarif": "sarif",
    ".csv": "csv",
    ".tsv": "text",
}  # .txt says nothing: a table or the AWS CLI's text, as -o says


def render(view: Findings, fmt: str, *, version: str = "", generated: str = "", terminal: Any = None) -> str:
    """The findings in one format (the names of report.FORMATS)."""
    if fmt in ("json", "text"):
        from provisioner.report.text import to_text

        return to_text(view.document()) if fmt == "text" else to_json(view.document())
    if fmt == "sarif":
        from provisioner.report.sarif import findings_sarif

        return to_json(findings_sarif(view, version))
    if fmt == "csv":
        return to_csv(view)
    if fmt == "markdown":
        return to_markdown(view)
    if fmt == "html":
        from provisioner.report.html import findings_html

        return findings_html(view, version, generated)
    return to_table(view, terminal)


def to_table(view: Findings, terminal: Any = None) -> str:
    """The findings a person is shown, the summary, and what follows it (fixed, notes)."""
    from provisioner.report.table import PLAIN, table

    shown = view.shown
    trailer = "".join(f"\n{line}" for line in view.trailer)
    if not shown and view.empty is not None:
        return view.empty + trailer
    body = "no findings"
    if shown:
        rows = [(i.severity, *i.cells, i.message) for i in shown]
        headers = ["SEVERITY", *(c.header for c in view.columns), "MESSAGE"]
        widths = [None, *(c.wrap for c in view.columns), 60 if view.command == "audit" else 70]
        body = table(rows, headers, widths, terminal or PLAIN)
    return f"{body}\n\n{view.summary}{trailer}" if view.summary or trailer else body


def to_csv(view: Findings) -> str:
    """One row a finding, muted ones too (their mute's reason in `suppressed`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*view.csv, "suppressed"])
    for item in view.items:
        muted = item.suppressed["reason"] if item.suppressed else ""
        writer.writerow([*(item.data.get(key, "") for key in view.csv), muted])
    return buffer.getvalue()


def cell(text: object) -> str:
    """One Markdown table cell: pipes escaped, lines joined, Markdown's own characters as text."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "*_`[]<>":
        value = value.replace(char, "\\" + char)
    return value


def to_markdown(view: Findings, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: the summary and a table, cut to fit `limit` characters, saying
    how many findings were left out and how to get the full report."""
    shown = view.shown
    said = view.empty if not shown and view.empty is not None else view.summary
    head = [f"**provision {view.command}**: {cell(said)}", ""]
    if not shown:
        return "\n".join(head).rstrip("\n")
    columns = ["Severity", *(c.header.title() for c in view.columns), "Message"]
    head += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    rows = [
        "| " + " | ".join([cell(i.severity), *(cell(c) for c in i.cells), cell(i.message)]) + " |"
        for i in shown
    ]
    size = sum(len(line) + 1 for line in head)
    kept: list[str] = []
    room = limit - 400  # the pointer at the full report
    for row in rows:
        if size + len(row) + 1 > room:
            break
        kept.append(row)
        size += len(row) + 1
    lines = head + kept
    if len(kept) < len(rows):
        lines += [
            "",
            f"**{len(rows) - len(kept)} more finding(s) not shown**: a pull-request comment holds "
            f"{limit:,} characters. The full report: `provision {view.command} -o html --out "
            f"{view.command}.html` (or `-o json`, `-o sarif`).",
        ]
    return "\n".join(lines)
