"""One finding set for lint and audit: fail thresholds, mutes (and `mute-expired`), baselines
and the JSON output, owned once here rather than by each command.

A finding is located by a file position (lint: file, JSON path, line, column) or by an account
and a role (audit); `key_fields` name what identifies it across runs, so a baseline (a previous
`-o json`) can tell the new findings from the unchanged and the fixed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from provisioner.model.enums import Severity

if TYPE_CHECKING:
    from provisioner.mute import Mute


class Located(Protocol):
    """What a finding set holds: lint's and audit's findings."""

    @property
    def rule(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def suppressed(self) -> dict[str, Any] | None: ...

    def to_dict(self) -> dict[str, Any]: ...


F = TypeVar("F", bound=Located)
Previous = list[dict[str, Any]]


class FindingSet(Generic[F]):
    """Mixed into a command's result (a dataclass that declares these attributes)."""

    key_fields: ClassVar[tuple[str, ...]]  # what identifies a finding across runs
    findings: list[F]
    baseline: str | None  # with a baseline, `findings` are the new ones
    unchanged: int  # findings also in the baseline (not reported)
    fixed: Previous  # baseline findings gone now

    def fails(self, threshold: str) -> bool:
        """Is any finding not muted at least as severe as `threshold` ('none': never)?"""
        return any(f.suppressed is None and f.severity.reaches(threshold) for f in self.findings)

    @property
    def shown(self) -> list[F]:
        """The findings a person is shown: those not muted."""
        return [f for f in self.findings if f.suppressed is None]

    @property
    def muted(self) -> int:
        return sum(1 for f in self.findings if f.suppressed is not None)

    def key(self, finding: F | dict[str, Any]) -> tuple[str, ...]:
        """What identifies a finding (or a previous run's, as JSON) across runs."""
        if isinstance(finding, dict):
            return tuple(str(finding.get(name, "")) for name in self.key_fields)
        return tuple(str(getattr(finding, name)) for name in self.key_fields)

    def mute(
        self,
        mutes: Sequence[Mute],
        today: date,
        scope: Callable[[F], dict[str, Any]],
        expired: Callable[[Mute], F],
    ) -> None:
        """Mark the findings a live mute entry accepts; an expired entry is a finding of its own
        (`mute-expired`), so an exception does not outlive its reason unnoticed."""
        from provisioner.mute import apply

        self.findings, gone = apply(self.findings, mutes, today, scope)
        self.findings += [expired(m) for m in gone]

    def compare(self, previous: Previous, name: str) -> None:
        """Against a baseline (a previous JSON output): keep the new findings, count the
        unchanged, list the fixed."""
        before = {self.key(p) for p in previous}
        now = {self.key(f) for f in self.findings}
        self.baseline = name
        self.unchanged = sum(1 for f in self.findings if self.key(f) in before)
        self.findings = [f for f in self.findings if self.key(f) not in before]
        self.fixed = [p for p in previous if self.key(p) not in now and p.get("baseline_state") != "fixed"]

    def baseline_note(self) -> str:
        """'; against B: 3 unchanged (not shown), 1 fixed' (or '' without a baseline)."""
        if self.baseline is None:
            return ""
        return f"; against {self.baseline}: {self.unchanged} unchanged (not shown), {len(self.fixed)} fixed"

    def to_dict(self) -> list[dict[str, Any]]:
        """The JSON output: the findings (a list, as documented in the README); with a baseline,
        the new ones ("baseline_state": "new") and the fixed ones ("fixed")."""
        if self.baseline is None:
            return [f.to_dict() for f in self.findings]
        return [{**f.to_dict(), "baseline_state": "new"} for f in self.findings] + [
            {**old, "baseline_state": "fixed"} for old in self.fixed
        ]


def read_baseline(path: str, command: str) -> Previous:
    """A previous `provision COMMAND -o json`: a list of findings (or an object whose
    "findings" is one). Anything else is bad input, refused before any work is done."""
    from provisioner.errors import InputError
    from provisioner.inputs import read_json

    data: Any = read_json(path, "baseline")
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        data = data["findings"]
    if not isinstance(data, list) or not all(isinstance(d, dict) and "rule" in d for d in data):
        raise InputError(
            "baseline", path, f"not the output of 'provision {command} -o json' (a list of findings)"
        )
    return data
