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
    ${aws:PrincipalTag/KEY} needs to match it, the shortest value and the longest (IAM User
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
    """The aws:PrincipalTag/KEY values under which the pattern matches the resource: every one,
    where one tag variable appears once (the text before it must match what precedes, the text
    after it what follows); else the shortest and the longest."""
    pieces = re.split(r"(\$\{[^}]*\})", pattern)
    tags = [
        i for i, p in enumerate(pieces) if i % 2 and variable(p)[0].lower().startswith("aws:principaltag/")
    ]
    if len(tags) != 1:
        found = [_captured(pattern, resource, values, lazy) for lazy in (True, False)]
        return [c for c in found if c]
    before, after = _regex(pieces[: tags[0]], values), _regex(pieces[tags[0] + 1 :], values)
    if before is None or after is None:
        return []
    starts = [i for i in range(len(resource) + 1) if before.fullmatch(resource, 0, i)]
    ends = [j for j in range(len(resource) + 1) if after.fullmatch(resource, j)]
    name = variable(pieces[tags[0]])[0]
    spelled = {resource[i:j] for i in starts for j in ends if i <= j}
    return [{name: v} for v in sorted(spelled) if re.fullmatch(f"{_TAG_VALUE}*", v)]


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


def _captured(pattern: str, resource: str, values: Mapping[str, str], lazy: bool) -> dict[str, str]:
    """The aws:PrincipalTag/KEY values under which the pattern matches the resource ({} if none):
    the shortest (`lazy`) or the longest."""
    groups: dict[str, str] = {}
    regex = ""
    for index, piece in enumerate(re.split(r"(\$\{[^}]*\})", pattern)):
        if index % 2 == 0:
            regex += "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in piece)
        elif piece in _ESCAPES:
            regex += _ESCAPES[piece]
        else:
            name = variable(piece)[0]
            if name.lower().startswith("aws:principaltag/"):
                group = groups.setdefault(name, f"g{len(groups)}")
                capture = f"(?P<{group}>{_TAG_VALUE}*{'?' if lazy else ''})"
                regex += f"(?P={group})" if f"(?P<{group}>" in regex else capture
            elif name.lower() in values:
                regex += re.escape(values[name.lower()])
            else:
                return {}  # a variable the request holds no value of: the pattern matches nothing
    match = re.fullmatch(regex, resource, re.DOTALL)
    return {name: match.group(group) for name, group in groups.items()} if match else {}


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
