"""Errors a person can act on, each with its stable exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_AWS = 3


class ProvisionerError(Exception):
    """Base of the errors the CLI turns into one line and an exit code."""

    exit_code = EXIT_BAD_INPUT


class InputError(ProvisionerError):
    """A value breaks a rule. Names the field of the spec (bucket, external_id, ...; FILE for
    a positional file), the value and the rule; the CLI shows the field as its option
    (--bucket, --external-id)."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field.removeprefix("--").replace("-", "_") if field.startswith("--") else field
        self.value = value
        self.rule = rule
        super().__init__(f"{self.field}{'' if value is None else ' ' + show_value(value)}: {rule}")


class DataError(ProvisionerError):
    """A file under policies/ (template, schema, vendor profile) is broken: a bug, not input."""

    exit_code = EXIT_BAD_INPUT


def show_value(value: object, limit: int = 64) -> str:
    """Quote a value for an error line: one line, bounded length, control characters escaped."""
    text = str(value)
    shown = text if len(text) <= limit else f"{text[:limit]}…"
    quoted = repr(shown)
    if len(text) > limit:
        quoted += f" ({len(text)} characters)"
    return quoted
