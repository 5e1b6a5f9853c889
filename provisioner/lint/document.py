"""Rules on a whole file or document: it could not be read, it is not JSON, it is not the IAM
policy grammar, it is over IAM's size quota, it holds characters IAM refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from provisioner.lint.model import LINT_RULES, Source
from provisioner.model.rules import Hit

# IAM's size quotas in characters, whitespace not counted (IAM and STS quotas).
SIZE_LIMITS = {"trust": 2048, "permissions": 6144, "resource": 20480}
SIZE_NAMES = {
    "trust": "role trust policy (2,048 by default)",
    "permissions": "managed policy (6,144)",
    "resource": "bucket policy (20 KB)",
}

# Characters IAM accepts in a policy document (IAM API reference, PolicyDocument pattern).
_REFUSED_CHARS = re.compile(r"[^\t\n\r\x20-\xff]")
_WHITESPACE = re.compile(r"\s")


@LINT_RULES.register("file-unreadable")
def unreadable(source: Source) -> Iterator[Hit]:
    if source.unreadable is not None:
        yield Hit("file-unreadable", f"{source.unreadable}: lint could not judge it")


@LINT_RULES.register("invalid-json")
def invalid_json(source: Source) -> Iterator[Hit]:
    if source.problem is not None:
        yield Hit("invalid-json", source.problem.message)


@LINT_RULES.register("policy-grammar")
def grammar(source: Source) -> Iterator[Hit]:
    if source.document is None:
        return
    from provisioner.documents import schema_errors

    for problem in schema_errors(source.document, "iam-policy"):
        location, _, message = problem.partition(": ")
        yield Hit("policy-grammar", message, location)


@LINT_RULES.register("size-limit")
def size(source: Source) -> Iterator[Hit]:
    if source.sized is None:
        return
    count = len(_WHITESPACE.sub("", source.sized))
    limit = SIZE_LIMITS[source.kind]
    if count > limit:
        yield Hit(
            "size-limit",
            f"{count:,} characters without whitespace; the {SIZE_NAMES[source.kind]} limit is {limit:,}",
        )


@LINT_RULES.register("invalid-characters")
def characters(source: Source) -> Iterator[Hit]:
    text = source.text
    refused = _REFUSED_CHARS.search(text) if text is not None else None
    if text is not None and refused is not None:
        char = refused.group()
        line = text.count("\n", 0, refused.start()) + 1
        count = len(_REFUSED_CHARS.findall(text))
        yield Hit(
            "invalid-characters",
            f"{count} character(s) IAM refuses; the first, U+{ord(char):04X} {char!r}, on line {line}",
        )
