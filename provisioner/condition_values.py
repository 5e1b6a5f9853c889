"""Pure: condition values that can never match a request, because the key's values have a fixed
format they are outside of (a malformed organization ID, organization path or account ID). The
formats are data (policies/condition-value-formats.json). Read by lint and audit's
`condition-value-malformed`.

A value is judged only where the answer is certain: a policy variable is skipped; a StringLike
value by its text before the first wildcard (`o-abc123*` may still match `o-abc123xxxx`); an
…IgnoreCase value in lower case. "The condition can never hold" is said only of a positive
operator (not IfExists, not ForAllValues:, which hold when the key is absent) whose every value
can never match; otherwise the value itself is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from provisioner.iam import statements

_WILD = re.compile(r"[*?]")
_NEGATED = ("stringnot", "arnnot")


@dataclass(frozen=True)
class _Format:
    whole: re.Pattern[str]
    start: re.Pattern[str]
    segment: bool
    words: str


@cache
def _formats() -> dict[str, _Format]:
    from provisioner.data import load_json

    found: dict[str, _Format] = {}
    for raw in load_json("condition-value-formats.json")["formats"].values():
        shape = _Format(
            re.compile(raw["format"]), re.compile(raw["start"]), bool(raw.get("segment")), raw["words"]
        )
        found.update({key.lower(): shape for key in raw["keys"]})
    return found


def never_matching(document: Any) -> list[tuple[str, str]]:
    """(JSON path of the condition, message) for each condition key with a value that can never
    match, in the document's order."""
    found: list[tuple[str, str]] = []
    for statement in statements(document):
        for operator, key, values in statement.conditions():
            plain = operator.rpartition(":")[2].lower()
            typed = _typed_fault(plain, values)  # an address, number or date that is none
            if typed:
                found.append((f"{statement.path}.Condition.{operator}.{key}", typed))
                continue
            shape = _formats().get(key.lower())
            if shape is None or not plain.startswith(("string", "arn")) or plain.startswith(_NEGATED):
                continue
            bad = [str(v) for v in values if _never(shape, str(v), plain)]
            if not bad:
                continue
            what = "does not start with" if shape.segment else "is not"
            certain = not operator.lower().startswith("forallvalues:") and not plain.endswith("ifexists")
            if certain and len(bad) == len(values):
                message = f"the condition can never hold: {bad[0]!r} {what} {shape.words}"
            else:
                message = f"the value {bad[0]!r} can never match: it {what} {shape.words}"
            found.append((f"{statement.path}.Condition.{operator}.{key}", message))
    return found


def _typed_fault(operator: str, values: list[Any]) -> str:
    """The first value of an IpAddress, Numeric or Date condition that is no address (or CIDR
    block), number or date ("IAM JSON policy elements: Condition operators": each compares
    values of its type), said as a value that can never match; "" when all are."""
    import ipaddress

    from provisioner.evaluation.conditions import parse_date

    base = operator.removesuffix("ifexists").removeprefix("not")
    checks: dict[str, tuple[str, Any]] = {
        "ipaddress": ("an IP address or CIDR block", lambda v: ipaddress.ip_network(v, strict=False)),
        "numeric": ("a number", float),
        "date": ("a date (ISO 8601, or seconds since 1970)", parse_date),
    }
    for prefix, (words, parse) in checks.items():
        if not base.startswith(prefix):
            continue
        for value in map(str, values):
            if "${" in value:
                continue  # a policy variable: its value is the request's
            try:
                parsed = parse(value)
            except ValueError:
                parsed = None
            if parsed is None:
                return f"the value {value!r} can never match: it is not {words}"
    return ""


def can_match(key: str, value: str, operator: str = "stringequals") -> bool:
    """Can the value of a key with a fixed format match a request (never_matching's judgement)?"""
    shape = _formats().get(key.lower())
    return shape is None or not _never(shape, value, operator.rpartition(":")[2].lower())


def _never(shape: _Format, value: str, operator: str) -> bool:
    if "${" in value:
        return False  # a policy variable: its value is the request's
    if "ignorecase" in operator:
        value = value.lower()
    like = "like" in operator and _WILD.search(value) is not None
    literal = _WILD.split(value, 1)[0] if like else value
    if shape.segment:
        head, slash, _ = literal.partition("/")
        if slash:
            return shape.whole.fullmatch(head) is None
        return shape.start.fullmatch(head) is None if like else shape.whole.fullmatch(head) is None
    if like:
        return shape.start.fullmatch(literal) is None
    return shape.whole.fullmatch(literal) is None
