"""Renderers: every result to a table, an HTML page or Markdown for people, or JSON, SARIF or
CSV for programs. Pure.

The formats a run does not print are imported when first asked for (`report.audit_html`
loads the HTML page); `render` and `table` are imported at once: each is also the name of
its module, which importing the module would otherwise put in the function's place.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from provisioner.report.findings import (
    SCHEMA_VERSION,
    Column,
    Findings,
    Item,
    Location,
    audit_findings,
    diff_findings,
    lint_findings,
    versioned,
)
from provisioner.report.json import named_dict, to_json, vendor_dict
from provisioner.report.render import EXTENSIONS, FORMATS, MARKDOWN_LIMIT, render
from provisioner.report.table import (
    Terminal,
    audit_summary,
    checks_table,
    findings_summary,
    findings_table,
    form_table,
    named_table,
    severity_counts,
    table,
    vendors_table,
)

if TYPE_CHECKING:
    from provisioner.report.csv import audit_csv
    from provisioner.report.html import validate_html
    from provisioner.report.markdown import audit_markdown, lint_markdown, validate_markdown
    from provisioner.report.shortcuts import audit_html, audit_sarif, audit_table, lint_sarif
    from provisioner.report.text import to_text

# The names imported on first use, and their modules.
_LATER = {
    "audit_csv": "csv",
    "validate_html": "html",
    "audit_markdown": "markdown",
    "lint_markdown": "markdown",
    "validate_markdown": "markdown",
    "audit_html": "shortcuts",
    "audit_sarif": "shortcuts",
    "audit_table": "shortcuts",
    "lint_sarif": "shortcuts",
    "to_text": "text",
}


def __getattr__(name: str) -> Any:
    home = _LATER.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MARKDOWN_LIMIT",
    "SCHEMA_VERSION",
    "Column",
    "Findings",
    "Item",
    "Location",
    "Terminal",
    "audit_csv",
    "audit_findings",
    "audit_html",
    "audit_markdown",
    "audit_sarif",
    "audit_summary",
    "audit_table",
    "checks_table",
    "diff_findings",
    "findings_summary",
    "findings_table",
    "form_table",
    "lint_findings",
    "lint_markdown",
    "lint_sarif",
    "named_dict",
    "named_table",
    "render",
    "severity_counts",
    "table",
    "to_json",
    "to_text",
    "validate_html",
    "validate_markdown",
    "vendor_dict",
    "vendors_table",
    "versioned",
]
