"""Rule and check metadata as data (policies/*.json), and the registry that binds ids to code.

A rule's id, severity, title and remediation live in JSON beside the code (parliament's
config.yaml); the function that decides it is registered under the same id. `Registry.verify`
is what the tests call to prove that data and code name the same ids, one to one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

from provisioner.data import load_json
from provisioner.model.enums import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    remediation: str


@cache
def load_rules(relative: str) -> dict[str, Rule]:
    """Rule metadata (id, severity, title, remediation) from a JSON file under policies/."""
    return {
        r["id"]: Rule(r["id"], Severity(r["severity"]), r["title"], r["remediation"])
        for r in load_json(relative)["rules"]
    }


F = TypeVar("F", bound=Callable[..., Any])


class Registry(Generic[F]):
    """Functions registered under the ids of a data file; order of registration is kept."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.functions: dict[str, F] = {}

    def register(self, *ids: str) -> Callable[[F], F]:
        def add(function: F) -> F:
            for rule_id in ids:
                if rule_id in self.functions:
                    raise ValueError(f"{self.what} {rule_id!r} registered twice")
                self.functions[rule_id] = function
            return function

        return add

    def verify(self, data_ids: list[str] | set[str]) -> tuple[set[str], set[str]]:
        """(ids in data without code, ids in code without data): both empty when they match."""
        code = set(self.functions)
        data = set(data_ids)
        return data - code, code - data
