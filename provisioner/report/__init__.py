"""Renderers: every result to a table, an HTML page or Markdown for people, or JSON, SARIF or
CSV for programs. Pure."""

from provisioner.report.csv import audit_csv
from provisioner.report.html import audit_html, validate_html
from provisioner.report.json import to_json, vendor_dict
from provisioner.report.markdown import audit_markdown, validate_markdown
from provisioner.report.sarif import audit_sarif, lint_sarif
from provisioner.report.table import (
    Terminal,
    audit_summary,
    audit_table,
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
    "Terminal",
    "audit_csv",
    "audit_html",
    "audit_markdown",
    "audit_sarif",
    "audit_summary",
    "audit_table",
    "checks_table",
    "findings_summary",
    "findings_table",
    "form_table",
    "lint_sarif",
    "severity_counts",
    "table",
    "to_json",
    "to_text",
    "validate_html",
    "validate_markdown",
    "vendor_dict",
    "vendors_table",
]
