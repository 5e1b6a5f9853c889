"""What `provision diff` answers (pure data): each difference between two policy documents of one
kind, as a concrete request checked by the concrete evaluator, and the result of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NEW = "new"  # allowed by NEW, not by OLD
REMOVED = "removed"  # allowed by OLD, not by NEW
KINDS = ("trust", "permissions", "resource")
_PLURAL = {"trust": "trust policies", "permissions": "permission policies", "resource": "bucket policies"}


@dataclass(frozen=True)
class Difference:
    """One way in (or one grant) that NEW gives and OLD did not (`direction` NEW), or the reverse.

    `subject`: who or what, in an admin's words (a caller class and its external IDs for a
    trust; an action on a resource for a permission policy; a principal class, an action and a
    resource for a bucket policy). `request`: the concrete request that shows it. `decided`:
    False when the analysis could not decide it (`why`): such a new difference counts as new
    access. `checked`: the concrete evaluator decides the request as said (NEW allows and OLD
    does not, or the reverse); False is a defect, said so. `path`: the JSON path of the statement
    that decides it in NEW (the Allow that lets it in, or the Deny that keeps it out), "" if none."""

    direction: str
    kind: str
    subject: str
    request: str
    decided: bool = True
    why: str = ""
    checked: bool = True
    path: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def widens(self) -> bool:
        return self.direction == NEW

    @property
    def message(self) -> str:
        verb = ("newly " if self.widens else "no longer ") + ("admits" if self.kind == "trust" else "allows")
        if not self.request:
            return f"{verb} {self.subject} (not decided: {self.why})"
        maybe = "" if self.decided else f" (not decided: {self.why})"
        unchecked = (
            ""
            if self.checked
            else " [the concrete evaluator decides it otherwise: a defect, please report it]"
        )
        return f"{verb} {self.subject}{maybe}: for example {self.request}{unchecked}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "kind": self.kind,
            "subject": self.subject,
            "request": self.request,
            "decided": self.decided,
            "why": self.why,
            "checked": self.checked,
            "path": self.path,
            "message": self.message,
            **self.detail,
        }


@dataclass
class DiffResult:
    """What `provision diff` found between OLD and NEW: the kind of document, every difference,
    and where NEW's statements are (for SARIF: the file and the line of each JSON path)."""

    old: str
    new: str
    kind: str
    differences: list[Difference]
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)  # NEW's JSON path -> (line, column)
    notes: list[str] = field(default_factory=list)

    @property
    def widened(self) -> list[Difference]:
        return [d for d in self.differences if d.widens]

    @property
    def narrowed(self) -> list[Difference]:
        return [d for d in self.differences if not d.widens]

    @property
    def fails(self) -> bool:
        """Anything new is allowed (or may be: not decided counts as new)."""
        return bool(self.widened)

    def summary(self) -> str:
        new, gone = len(self.widened), len(self.narrowed)
        if not self.differences:
            return f"no difference in access between {self.old} and {self.new} ({_PLURAL[self.kind]})"
        undecided = sum(1 for d in self.widened if not d.decided)
        maybe = f" ({undecided} not decided, counted as new)" if undecided else ""
        return (
            f"{self.new} against {self.old} ({_PLURAL[self.kind]}): {new} new access{maybe}, "
            f"{gone} no longer allowed"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "kind": self.kind,
            "widens": self.fails,
            "differences": [d.to_dict() for d in self.differences],
            "notes": list(self.notes),
        }
