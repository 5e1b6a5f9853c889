"""One finding set for lint and audit: fail thresholds, mutes (and `mute-expired`), baselines
and the JSON output, owned once here rather than by each command.

A finding is located by a file position (lint: file, JSON path, line, column) or by an account
and a role (audit); `key_fields` name what identifies it across runs, so a baseline (a previous
`-o json`) can tell the new findings from the unchanged and the fixed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from provisioner.model.enums import Severity

if TYPE_CHECKING:
    from provisioner.mute import Mute


@dataclass(frozen=True, slots=True)
class FilePosition:
    """Where a lint finding is: the file, the JSON path in it, and where that value starts
    (1-based; 0 when not known)."""

    file: str
    path: str = "$"
    line: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class RolePlace:
    """Where an audit finding is: the account, and the role (empty for an account's finding)."""

    account: str
    role_arn: str = ""
    role: str = ""
    vendor: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding of lint or audit: a rule's hit, its metadata looked up by id, and where.

    The location's parts read as the finding's own (`file`, `line`, `location` for a position;
    `account`, `role_arn`, `role`, `vendor` for a role): the renderers need not tell which.
    `to_dict` keeps each command's documented JSON shape."""

    rule: str
    severity: Severity
    message: str
    where: FilePosition | RolePlace
    remediation: str = ""
    evidence: Any = None
    suppressed: dict[str, Any] | None = None  # the mute entry that accepted it (provisioner.mute)

    def _position(self) -> FilePosition:
        return self.where if isinstance(self.where, FilePosition) else _NOWHERE

    def _place(self) -> RolePlace:
        return self.where if isinstance(self.where, RolePlace) else _NO_ROLE

    @property
    def file(self) -> str:
        return self._position().file

    @property
    def location(self) -> str:
        """The JSON path in the file (lint's "location")."""
        return self._position().path

    @property
    def line(self) -> int:
        return self._position().line

    @property
    def column(self) -> int:
        return self._position().column

    @property
    def account(self) -> str:
        return self._place().account

    @property
    def role_arn(self) -> str:
        return self._place().role_arn

    @property
    def role(self) -> str:
        return self._place().role

    @property
    def vendor(self) -> str:
        return self._place().vendor

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies a finding across runs (baselines, SARIF fingerprints)."""
        if isinstance(self.where, RolePlace):
            return (self.account, self.role_arn, self.rule)
        return (self.file, self.rule, self.location)

    def placed(self, path: str | None = None, line: int = 0, column: int = 0) -> Finding:
        """The finding at another JSON path, line and column of its file."""
        position = self._position()
        where = FilePosition(position.file, position.path if path is None else path, line, column)
        return replace(self, where=where)

    def to_dict(self) -> dict[str, Any]:
        """lint's shape for a file position, audit's for a role; `suppressed` only when muted."""
        if isinstance(self.where, RolePlace):
            place = self.where
            out: dict[str, Any] = {
                "account": place.account,
                "role_arn": place.role_arn,
                "role": place.role,
                "vendor": place.vendor,
                "rule": self.rule,
                "severity": self.severity,
                "message": self.message,
                "evidence": self.evidence,
                "suppressed": self.suppressed,
            }
        else:
            position = self.where
            out = {
                "file": position.file,
                "rule": self.rule,
                "severity": self.severity,
                "message": self.message,
                "location": position.path,
                "remediation": self.remediation,
                "suppressed": self.suppressed,
                "line": position.line,
                "column": position.column,
            }
        if self.suppressed is None:
            del out["suppressed"]  # the documented shape, unless muted
        return out


_NOWHERE = FilePosition("")
_NO_ROLE = RolePlace("")


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
            values = [str(finding.get(name, "")) for name in self.key_fields]
        else:
            values = [str(getattr(finding, name)) for name in self.key_fields]
        return tuple(
            _same_file(v) if n == "file" else v for n, v in zip(self.key_fields, values, strict=True)
        )

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


def _same_file(name: str) -> str:
    """A file as a baseline compares it: `pol/a.json`, `./pol/a.json` and its absolute path are
    one file (from the folder both runs are made in); stdin stays '-'."""
    import os

    return name if name in ("", "-") else os.path.normpath(os.path.abspath(name))


# The fields every finding of a command's JSON has: a lint output is not an audit baseline.
BASELINE_FIELDS = {"lint": ("rule", "file", "location"), "audit": ("rule", "account", "role_arn")}


def read_baseline(path: str, command: str) -> Previous:
    """A previous `provision COMMAND -o json`: {"schema_version": 1, "findings": [...]}, or the
    list of findings printed before reports carried a version. Anything else (another command's
    output, a newer version, findings without the command's fields) is bad input, refused
    before any work is done."""
    from provisioner.errors import InputError
    from provisioner.inputs import read_json

    wanted = f"the output of 'provision {command} -o json'"
    data: Any = read_json(path, "baseline")
    if isinstance(data, dict) and "findings" in data:
        version = data.get("schema_version")
        if version != 1:
            raise InputError(
                "baseline", path, f"schema_version {version!r}: this provisioner reads version 1 ({wanted})"
            )
        data = data["findings"]
    fields = BASELINE_FIELDS[command]
    if not isinstance(data, list) or not all(
        isinstance(d, dict) and all(k in d for k in fields) for d in data
    ):
        raise InputError(
            "baseline",
            path,
            f"not {wanted} (findings with {', '.join(fields)}): give a file that command wrote",
        )
    return data
