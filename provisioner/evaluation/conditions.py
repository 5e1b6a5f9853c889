"""Condition blocks, operators and policy variables: does a statement's Condition hold for a
request? (IAM User Guide, "Condition operators", "Policy variables"; pure.)"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from provisioner.evaluation.model import Request
from provisioner.iam import as_list, condition_entries, wildcard_match
from provisioner.model.arn import Arn

_NEGATED = {
    "stringnotequals",
    "stringnotequalsignorecase",
    "stringnotlike",
    "numericnotequals",
    "datenotequals",
    "arnnotequals",
    "arnnotlike",
    "notipaddress",
}


# --- patterns and policy variables --------------------------------------------------------

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _substitute(text: str, request: Request | None, variables: bool) -> list[tuple[str, bool]] | None:
    """Split a policy value into (text, literal?) pieces, resolving ${...} policy variables.

    ${*}, ${?} and ${$} are literal characters; ${key} takes the request's value (a missing
    key with no default makes the value match nothing: None). ("Policy variables".)
    """
    if not variables or "${" not in text:
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        pieces.append((text[position : match.start()], False))
        inner = match.group(1)
        if inner in ("*", "?", "$"):
            pieces.append((inner, True))
        else:
            name, _, default = inner.partition(",")
            value = request.key(name.strip()) if request else None
            if value is None:
                default = default.strip()
                if not default:
                    return None
                value = default.strip("'\"")
            pieces.append((str(value), True))
        position = match.end()
    pieces.append((text[position:], False))
    return pieces


def _regex(pieces: Sequence[tuple[str, bool]], wildcards: bool) -> str:
    out = []
    for text, literal in pieces:
        if literal or not wildcards:
            out.append(re.escape(text))
        else:
            out.extend(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return "".join(out)


def value_matches(
    policy_value: str,
    actual: str,
    request: Request | None,
    *,
    wildcards: bool,
    ignore_case: bool = False,
    variables: bool = True,
) -> bool:
    if not (variables and "${" in policy_value):
        if wildcards:
            return wildcard_match(policy_value, actual, ignore_case=ignore_case)
        return policy_value.lower() == actual.lower() if ignore_case else policy_value == actual
    pieces = _substitute(policy_value, request, variables)
    if pieces is None:
        return False
    return _compiled(_regex(pieces, wildcards), ignore_case).fullmatch(actual) is not None


@cache
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


# --- conditions ---------------------------------------------------------------------------


def conditions_match(block: Any, request: Request, *, variables: bool = True) -> bool:
    """Every operator, and every key under it, must hold (AND); any of a key's values may
    match (OR), or, for a negated operator, none may. ("Creating a condition with multiple
    keys or values".)"""
    entries = condition_entries(block)
    if entries is None:
        return False
    for operator, key, values in entries:
        if not condition_holds(operator, key, values, request, variables=variables):
            return False
    return True


def condition_holds(
    operator: str, key: str, values: list[Any], request: Request, *, variables: bool = True
) -> bool:
    """One operator on one key. A key missing from the request makes a positive operator
    false and a negated one true, except ...IfExists (true) and Null. ForAllValues is true
    for a missing or empty key; ForAnyValue false. ("Condition operators"; "Single-valued vs.
    multivalued context keys".)"""
    qualifier, _, name = operator.rpartition(":")
    qualifier = qualifier.lower()
    name_lower = name.lower()
    if_exists = name_lower.endswith("ifexists")
    base = name_lower.removesuffix("ifexists")
    present = request.key(key)

    if base == "null":
        missing = present is None or present == []
        return any(str(v).lower() == ("true" if missing else "false") for v in values)

    if qualifier in ("forallvalues", "foranyvalue"):
        actual = [str(v) for v in as_list(present)] if present is not None else []
        if qualifier == "forallvalues":
            return all(_single(base, v, values, request, variables) for v in actual)
        return any(_single(base, v, values, request, variables) for v in actual)

    if present is None:
        return True if if_exists else base in _NEGATED
    actual_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(present)]
    return any(_single(base, v, values, request, variables) for v in actual_values)


def _single(base: str, actual: str, values: list[Any], request: Request, variables: bool) -> bool:
    """Does one request value satisfy the operator against the policy's values?"""
    negated = base in _NEGATED
    positive = base.replace("not", "", 1) if negated else base
    if negated and variables and any(_unresolved(str(v), request) for v in values):
        # IAM User Guide, "IAM policy elements: Variables and tags", principal key values: a key
        # "not present" in the request means "any attempt to match it fails and causes the
        # statement to be invalid": a negated operator does not hold either
        return False
    if positive == "ipaddress":
        matched = any(_ip_in(actual, str(v)) for v in values)
    else:
        matched = any(_compare(positive, actual, v, request, variables) for v in values)
    return not matched if negated else matched


def _unresolved(text: str, request: Request) -> bool:
    """Does the text name a policy variable the request has no value for (and no default)?"""
    return "${" in text and _substitute(text, request, True) is None


def _compare(op: str, actual: str, policy_value: Any, request: Request, variables: bool) -> bool:
    expected = str(policy_value).lower() if isinstance(policy_value, bool) else str(policy_value)
    if op == "stringequals":
        return value_matches(expected, actual, request, wildcards=False, variables=variables)
    if op == "stringequalsignorecase":
        return value_matches(
            expected, actual, request, wildcards=False, ignore_case=True, variables=variables
        )
    if op == "stringlike":
        return value_matches(expected, actual, request, wildcards=True, variables=variables)
    if op in ("arnequals", "arnlike"):
        return _arn_like(expected, actual, request, variables)
    if op == "bool":
        return expected.lower() == actual.lower()
    if op == "binaryequals":
        try:
            return base64.b64decode(expected, validate=True) == base64.b64decode(actual, validate=True)
        except ValueError:
            return False
    if op.startswith("numeric"):
        return _ordered(op.removeprefix("numeric"), _number(actual), _number(expected))
    if op.startswith("date"):
        return _ordered(op.removeprefix("date"), parse_date(actual), parse_date(expected))
    return False


def _arn_like(expected: str, actual: str, request: Request, variables: bool) -> bool:
    """Each of the six colon-separated parts is matched on its own, with wildcards."""
    want, have = _arn_fields(expected), _arn_fields(actual)
    if want is None or have is None:
        return False
    return all(
        value_matches(w, h, request, wildcards=True, variables=variables)
        for w, h in zip(want, have, strict=True)
    )


def _arn_fields(text: str) -> tuple[str, ...] | None:
    """The six colon-separated fields, the first being 'arn' (an ARN pattern may hold wildcards)."""
    arn = Arn.parse(text)
    return ("arn", arn.partition, arn.service, arn.region, arn.account, arn.resource) if arn else None


def _ordered(relation: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    outcome: bool = {
        "equals": left == right,
        "lessthan": left < right,
        "lessthanequals": left <= right,
        "greaterthan": left > right,
        "greaterthanequals": left >= right,
    }.get(relation, False)
    return outcome


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_date(text: str) -> datetime | None:
    """A Date condition's value (ISO 8601, or seconds since the epoch) as a UTC time; None if none."""
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _ip_in(actual: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
