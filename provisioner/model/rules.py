"""Rule and check metadata as data (policies/*.json), and the registry that binds ids to code.

A rule's id, severity, title and remediation live in JSON beside the code (parliament's
config.yaml); the function that decides it is registered under the same id. `Registry.verify`
is what the tests call to prove that data and code name the same ids, one to one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, NamedTuple, TypeVar

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


class _Functions(dict[str, Any]):
    """A registry's functions by id, counting each change (a test swaps a rule in and out), so
    that what is derived from them is remade only then, not checked on every run."""

    changes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changes += 1

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changes += 1

    def pop(self, *args: Any) -> Any:
        self.changes += 1
        return super().pop(*args)

    def popitem(self) -> tuple[str, Any]:
        self.changes += 1
        return super().popitem()

    def clear(self) -> None:
        self.changes += 1
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.changes += 1
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.changes += 1
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> Any:  # type: ignore[misc]  # dict | stays dict's
        self.changes += 1
        return super().__ior__(other)


class Registry(Generic[F]):
    """Functions registered under the ids of a data file; order of registration is kept."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.functions: dict[str, F] = _Functions()

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


class Hit(NamedTuple):
    """What a rule found: its id (its severity, title and remediation are looked up by id from
    the data file), the message, where (a JSON path in a document, `$` for the whole of it) and
    the evidence. A NamedTuple: thousands are made per audit."""

    rule: str
    message: str
    where: str = "$"
    evidence: Any = None


S = TypeVar("S")
RuleFunction = Callable[[S], Iterable[Hit]]


class Rules(Registry[RuleFunction[S]], Generic[S]):
    """Rules of one signature, `rule(subject) -> hits`, registered under the ids of a data file
    (`policies/<data>`), and run by `run`, every one of them, in the data file's order: a rule
    registered here is a rule that runs (parliament's `policy.py` loop)."""

    def __init__(self, what: str, data: str) -> None:
        super().__init__(what)
        self.data = data
        self._ordered: tuple[tuple[Any, ...], list[tuple[str, RuleFunction[S]]]] | None = None

    def register(self, *ids: str) -> Callable[[RuleFunction[S]], RuleFunction[S]]:
        """Register a rule under ids of the data file: an id the file does not declare is
        refused at once (a typo would otherwise be a rule that never reports)."""
        unknown = [rule_id for rule_id in ids if rule_id not in load_rules(self.data)]
        if unknown:
            raise ValueError(f"{self.what} {unknown[0]!r} is not declared in policies/{self.data}")
        return super().register(*ids)

    def ids(self) -> list[str]:
        """The data file's ids, in its order."""
        return list(load_rules(self.data))

    def verify_data(self, owned_elsewhere: Iterable[str] = ()) -> tuple[set[str], set[str]]:
        """`verify` against the data file, less the ids another part decides (`mute-expired`)."""
        return self.verify(set(self.ids()) - set(owned_elsewhere))

    def ordered(self) -> list[tuple[str, RuleFunction[S]]]:
        """(first id, rule) for each registered rule, in the order of the data file (kept until
        the registrations change: audit runs the rules once per role)."""
        functions = self.functions
        key: tuple[Any, ...] = (
            (id(functions), functions.changes)
            if isinstance(functions, _Functions)
            else tuple(functions.items())  # a plain dict put in its place: by content
        )
        if self._ordered is None or self._ordered[0] != key:
            seen: dict[RuleFunction[S], str] = {}
            for rule_id in self.ids():
                function = self.functions.get(rule_id)
                if function is not None and function not in seen:
                    seen[function] = rule_id
            self._ordered = (key, [(rule_id, function) for function, rule_id in seen.items()])
        return self._ordered[1]

    def run(self, subject: S) -> list[Hit]:
        """Every rule on the subject, in data order. A rule that raises does not stop the run: it
        becomes a hit of its own id that says so. A rule that reports an id it is not
        registered under is a bug in the code: ValueError."""
        hits: list[Hit] = []
        functions = self.functions
        for first, function in self.ordered():
            try:
                found = function(subject)
                if type(found) is list and not found:
                    continue  # what most rules say of most subjects: nothing
                found = list(found)
            except Exception as exc:  # one broken rule must not hide the others
                why = f"{type(exc).__name__}: {exc}"
                found = [
                    Hit(
                        first,
                        f"the rule could not judge this ({why}): a bug in provisioner, please report it",
                    )
                ]
            for hit in found:
                if functions.get(hit.rule) is not function:
                    raise ValueError(f"{self.what} {hit.rule!r} is reported by no registered check")
            hits += found
        return hits
