"""Pure: the session tags a vendor that tags its session passes (audit.grants.may_tag_session):
the contexts to ask a request at, so that a Resource's ${aws:PrincipalTag/KEY} and a condition
on a session tag are decided at the values the vendor may pass (IAM User Guide, "Passing
session tags in AWS STS": the caller passes them, a session tag overriding the role's own)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from provisioner.evaluation.chain import Chain
from provisioner.evaluation.free import chain_policies
from provisioner.iam import Statement, statements, strings
from provisioner.inventory.parts import reads_variables, variable

_ESCAPES = {"${*}": r"\*", "${?}": r"\?", "${$}": r"\$"}


def tag_contexts(
    chain: Chain,
    resource: str,
    context: Mapping[str, Any],
    may_pass: Callable[[str, str], bool] | None = None,
) -> list[Mapping[str, Any]]:
    """The contexts of a session whose caller tags it (audit.grants.may_tag_session) to ask a
    request to `resource` (filled) at: as it is, and with the session tags a Resource pattern's
    ${aws:PrincipalTag/KEY} needs to match it, at every value that does (IAM User
    Guide, "Passing session tags in AWS STS": the caller passes them, a session tag overriding
    the role's own; trial 22q item 3: `home/${aws:PrincipalTag/team}/*` reaches home/blue/ with
    team=blue, and home/blue/secret/ with team=blue/secret past a Deny on its secret/); and with
    each value a condition compares a session tag with (_condition_tags)."""
    values = {k.lower(): v for k, v in context.items() if isinstance(v, str)}
    documents = chain_policies(chain)
    found: list[Mapping[str, Any]] = [context]
    for policy in documents:
        for statement in statements(policy.document):
            named = strings(statement.body.get("Resource")) + strings(statement.body.get("NotResource"))
            variables = reads_variables(policy.document)
            patterns = [p for p in named if variables and "${" in p and "principaltag/" in p.lower()]
            options = [c for p in patterns for c in _captures(p, resource, values)]
            for captured in options + _condition_tags(statement):
                # only the tags the trust lets it pass (audit.grants.may_pass_tag: trial 22r item 7)
                if may_pass is not None and not all(
                    may_pass(k.split("/", 1)[1], v) for k, v in captured.items()
                ):
                    continue
                tagged = {**context, **captured}
                if tagged not in found:
                    found.append(tagged)
    return found


# STS API Reference, Tag: a tag value is [\p{L}\p{Z}\p{N}_.:/=+\-@]*
_TAG_VALUE = r"[\w\s.:/=+\-@]"


def _condition_tags(statement: Statement) -> list[dict[str, str]]:
    """Values of a session tag a statement's conditions compare it with, and one they do not
    name: what the vendor passes to meet an Allow's, or to keep a Deny's from holding (trial
    22r item 13: a Deny unless clearance is high is kept off by passing high)."""
    found: list[dict[str, str]] = []
    for _, key, values in statement.conditions():
        if key.lower().startswith("aws:principaltag/"):
            texts = [str(v) for v in values if not any(c in str(v) for c in "*?$")]
            found += [{key: t} for t in [*texts, "provisioner-other-value"]]
    return found


def _captures(pattern: str, resource: str, values: Mapping[str, str]) -> list[dict[str, str]]:
    """The aws:PrincipalTag/KEY values under which the pattern matches the resource: every
    assignment (a value may hold "/", so two tag variables split the resource at every place
    the text between them allows: trial 22s, left), up to _MOST of them."""
    pieces = re.split(r"(\$\{[^}]*\})", pattern)
    found: list[dict[str, str]] = []

    def walk(index: int, at: int, bound: dict[str, str]) -> None:
        if len(found) >= _MOST:
            return
        if index == len(pieces):
            if at == len(resource) and bound and bound not in found:
                found.append(dict(bound))
            return
        piece = pieces[index]
        if index % 2 == 0 or piece in _ESCAPES or not _is_tag(piece):
            literal = _regex([piece] if index % 2 == 0 else ["", piece], values)
            if literal is None:
                return  # a variable the request holds no value of: the pattern matches nothing
            for end in range(at, len(resource) + 1):
                if literal.fullmatch(resource, at, end):
                    walk(index + 1, end, bound)
            return
        name = variable(piece)[0]
        if name in bound:
            if resource.startswith(bound[name], at):
                walk(index + 1, at + len(bound[name]), bound)
            return
        for end in range(at, len(resource) + 1):
            value = resource[at:end]
            if not _TAG_WORD.fullmatch(value):
                break  # a longer one holds the same character a tag value cannot
            walk(index + 1, end, {**bound, name: value})

    walk(0, 0, {})
    return found


# the assignments asked at, at most: a pattern's tag variables split a resource in few ways
_MOST = 256
_TAG_WORD = re.compile(f"{_TAG_VALUE}*")


def _is_tag(piece: str) -> bool:
    return variable(piece)[0].lower().startswith("aws:principaltag/")


def _regex(pieces: list[str], values: Mapping[str, str]) -> re.Pattern[str] | None:
    """The pattern pieces (text, and variables at odd places) as a regex; None where a variable
    has no value."""
    regex = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            regex += "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in piece)
        elif piece in _ESCAPES:
            regex += _ESCAPES[piece]
        elif (name := variable(piece)[0].lower()) in values:
            regex += re.escape(values[name])
        else:
            return None
    return re.compile(regex, re.DOTALL)


def variants(
    chain: Chain,
    resource: str,
    context: Mapping[str, Any],
    tags_free: bool,
    may_pass: Callable[[str, str], bool] | None = None,
) -> list[Mapping[str, Any]]:
    """The contexts of the requests the vendor may send to ask one at: over TLS and, where a
    policy of the chain reads aws:SecureTransport, over plain HTTP too (the caller's choice:
    "AWS global condition context keys"; trial 22s item 1: a Deny on SecureTransport true is
    passed by an HTTP request); each with the session tags it may pass (tag_contexts)."""
    bases = [context]
    if any(_reads_transport(p.document) for p in chain_policies(chain)):
        bases.append({**context, "aws:SecureTransport": "false"})
    found: list[Mapping[str, Any]] = []
    for base in bases:
        for option in tag_contexts(chain, resource, base, may_pass) if tags_free else [base]:
            if option not in found:
                found.append(option)
    return found


_TRANSPORT: dict[int, tuple[Any, bool]] = {}  # id(document) -> (the document, does it read it)


def _reads_transport(document: Any) -> bool:
    """Does the document name aws:SecureTransport? Once per document object (asked per request)."""
    import json

    found = _TRANSPORT.get(id(document))
    if found is None or found[0] is not document:
        if len(_TRANSPORT) > 4096:
            _TRANSPORT.clear()
        found = _TRANSPORT[id(document)] = (document, "securetransport" in json.dumps(document).lower())
    return found[1]
