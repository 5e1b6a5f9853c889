"""Mutelist: findings an admin has accepted, each with a reason and perhaps an expiry.

Entries come from `[[mute]]` in the config file (provisioner.config) or a TOML file of them
(`--mutelist FILE`). A muted finding is never dropped: it stays in JSON (`"suppressed"`) and
SARIF (`suppressions`), leaves the table and `--fail-on`. An entry past its expiry mutes nothing
and is a finding of its own (`mute-expired`), so an exception does not outlive its reason
unnoticed. Patterns are shell-style (`*`, `?`), matched against the rule id, the account, the
role's ARN or name (audit) and the file (lint).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from provisioner.config import ConfigError

KEYS = {"rule", "reason", "role", "account", "file", "expires", "line"}


@dataclass(frozen=True)
class Mute:
    rule: str
    reason: str
    role: str = "*"
    account: str = "*"
    file: str = "*"
    expires: date | None = None
    where: str = ""  # file:line of the entry

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def matches(self, rule: str, *, account: str = "", role: tuple[str, ...] = (), file: str = "") -> bool:
        return (
            fnmatch.fnmatchcase(rule, self.rule)
            and fnmatch.fnmatchcase(account, self.account)
            and (self.role == "*" or any(fnmatch.fnmatchcase(r, self.role) for r in role))
            and (self.file == "*" or fnmatch.fnmatchcase(spelt(file), spelt(self.file)))
        )

    def describe(self) -> str:
        scope = ", ".join(
            f"{k} {v}"
            for k, v in (("role", self.role), ("account", self.account), ("file", self.file))
            if v != "*"
        )
        return f"{self.where} (rule {self.rule}{', ' + scope if scope else ''})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "entry": self.where,
        }


def parse(entries: Iterable[dict[str, Any]], path: str) -> list[Mute]:
    """Entries as TOML gives them (each with its "line"), checked: `rule` and `reason` are
    required, `expires` is a date, nothing else is allowed."""
    found = []
    for entry in entries:
        line = entry.get("line")
        unknown = sorted(set(entry) - KEYS)
        if unknown:
            raise ConfigError(
                path,
                line,
                f"mute {unknown[0]}",
                f"unknown key (allowed: {', '.join(sorted(KEYS - {'line'}))})",
            )
        for key in ("rule", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ConfigError(path, line, f"mute {key}", "required: a non-empty string")
        for key in ("role", "account", "file"):
            if key in entry and not isinstance(entry[key], str):
                raise ConfigError(path, line, f"mute {key}", "must be a string pattern")
        expires = entry.get("expires")
        if isinstance(expires, datetime):
            expires = expires.date()
        elif isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(
                    path, line, "mute expires", f"{expires!r} is not a date (YYYY-MM-DD)"
                ) from None
        elif expires is not None and not isinstance(expires, date):
            raise ConfigError(path, line, "mute expires", "must be a date (YYYY-MM-DD)")
        found.append(
            Mute(
                rule=entry["rule"],
                reason=entry["reason"].strip(),
                role=entry.get("role", "*"),
                account=entry.get("account", "*"),
                file=entry.get("file", "*"),
                expires=expires,
                where=f"{path}:{line}" if line else path,
            )
        )
    return found


def spelt(path: str) -> str:
    """A file (or a file pattern) as one spelling: `./iam/p.json`, `iam//p.json` and, under the
    working folder, its absolute path are `iam/p.json` (an entry written one way muted nothing
    when the file was named the other, in silence; found by a first-time user)."""
    if not path:
        return path
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        path = path if relative.startswith("..") else relative
    return posixpath.normpath(path.replace(os.sep, "/"))


def load_file(path: str) -> list[Mute]:
    """A TOML file of `[[mute]]` entries (the same shape as in the config file)."""
    from provisioner import config

    loaded = config.load_path(path)
    return parse(loaded.mutes, path)


class Mutable(Protocol):
    @property
    def rule(self) -> str: ...

    @property
    def suppressed(self) -> dict[str, Any] | None: ...


F = TypeVar("F", bound=Mutable)


def apply(
    findings: list[F], mutes: Iterable[Mute], today: date, scope: Callable[[F], dict[str, Any]]
) -> tuple[list[F], list[Mute]]:
    """Findings with the first live entry that matches each recorded in `suppressed`, and the
    expired entries. `scope(finding)` gives the keyword arguments of Mute.matches."""
    live: list[Mute] = []
    expired: list[Mute] = []
    for mute in mutes:
        (expired if mute.expired(today) else live).append(mute)
    out = []
    for finding in findings:
        match = next((m for m in live if m.matches(finding.rule, **scope(finding))), None)
        out.append(replace(finding, suppressed=match.to_dict()) if match else finding)  # type: ignore[type-var]
    return out, expired
