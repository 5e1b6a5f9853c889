"""Renderers: every result to a table, an HTML page or Markdown for people, or JSON, SARIF or
CSV for programs. Pure."""

from provisioner.report.csv import audit_csv
from provisioner.report.findings import (
    SCHEMA_VERSION,
    Column,
    Findings,
    Item,
    Location,
    audit_findings,
    lint_findings,
    versioned,
)
from provisioner.report.html import validate_html
from provisioner.report.json import to_json, vendor_dict
from provisioner.report.markdown import audit_markdown, lint_markdown, validate_markdown
from provisioner.report.render import EXTENSIONS, FORMATS, MARKDOWN_LIMIT, render
from provisioner.report.shortcuts import audit_html, audit_sarif, audit_table, lint_sarif
from provisioner.report.table import (
    Terminal,
    audit_summary,
    checks_table,
    findings_summary,
    findings_table,
    form_table,
    severity_counts,
    table,
    vendors_table,
)
from provisioner.report.text import to_text

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
    "findings_summary",
    "findings_table",
    "form_table",
    "lint_findings",
    "lint_markdown",
    "lint_sarif",
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
