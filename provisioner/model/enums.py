"""Statuses and severities: one StrEnum each, shared by lint, validate, audit and the reports.

They are str subclasses, so JSON output and comparisons with plain strings keep working.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The verdict of one validate check."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"

    @property
    def badness(self) -> int:
        """0 for fail (worst) to 3 for skip: the order `combine` picks the worse verdict by."""
        return _BADNESS[self._value_]

    @property
    def succeeds(self) -> bool:
        """Labelbox's `success` field: anything but a failure."""
        return self is not Status.FAIL


_BADNESS = {"fail": 0, "warn": 1, "pass": 2, "skip": 3}


class Severity(StrEnum):
    """The severity of a lint or audit finding, worst first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical, 4 for info: lower is worse."""
        return _RANK[self._value_]  # by value: Enum.__hash__ is Python code, str's is not

    def reaches(self, threshold: str) -> bool:
        """Is this at least as severe as `threshold`? ('none' is never reached.)"""
        return threshold != "none" and self.rank <= Severity(threshold).rank


_RANK = {s.value: i for i, s in enumerate(Severity)}
SEVERITIES: tuple[Severity, ...] = tuple(Severity)
