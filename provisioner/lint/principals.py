"""Rules on whom an Allow statement grants: any principal, or every principal but some.

For a trust policy both are read from the exact analysis (lint/trust.py's `trust_openings`): a
caller of an account the trust does not name gets in, through a `Principal: "*"` statement
(principal-wildcard) or an Allow with NotPrincipal (allow-not-principal), with the request that
proves it in the message. A trust that lets nobody else in gets neither, and a `"*"` it narrows
to named callers is `principal-wildcard-conditioned` (correct, but fragile). Bucket and other
resource policies are read statement by statement, as before.
"""

from __future__ import annotations

from collections.abc import Iterator

from provisioner.iam import Statement, aws_principals, has_wildcard, statements
from provisioner.lint.model import LINT_RULES, Source
from provisioner.lint.trust import someone_else
from provisioner.model.rules import Hit

# Condition keys that pin who the caller is, strongly enough to narrow Principal "*".
_PINNING_KEYS = {
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:sourceaccount",
    "aws:sourcearn",
}
_EXACT_OPERATORS = {"stringequals", "arnequals", "stringequalsignorecase"}
_CONDITIONED = (
    'Principal "*" is narrowed only by the condition on {}: the analysis finds nobody let in '
    "beyond what it names, but dropping or widening that condition opens the role to every account"
)


def _pins(statement: Statement) -> list[str]:
    return sorted(
        key
        for operator, key, values in statement.conditions()
        if key.lower() in _PINNING_KEYS
        and operator.lower() in _EXACT_OPERATORS
        and values
        and not any(has_wildcard(str(v)) for v in values)
    )


@LINT_RULES.register("principal-wildcard", "principal-wildcard-conditioned")
def principal_wildcard(source: Source) -> Iterator[Hit]:
    if source.kind == "trust":
        yield from _trust_wildcard(source)
        return
    for statement in statements(source.document):
        if not statement.is_allow or "*" not in aws_principals(statement):
            continue
        pins = _pins(statement)
        where = f"{statement.path}.Principal"
        if pins:
            yield Hit("principal-wildcard-conditioned", _CONDITIONED.format(", ".join(pins)), where)
        else:
            yield Hit(
                "principal-wildcard", 'Allow to Principal "*": any AWS account can use this grant', where
            )


def _trust_wildcard(source: Source) -> Iterator[Hit]:
    open_at = {s.path: message for s, message in someone_else(source) if "NotPrincipal" not in s.body}
    for statement in statements(source.document):
        where = f"{statement.path}.Principal"
        if statement.path in open_at:
            yield Hit("principal-wildcard", open_at[statement.path], where)
        elif statement.is_allow and "*" in aws_principals(statement) and not open_at:
            narrowed = ", ".join(key for _, key, _ in statement.conditions()) or "its conditions"
            yield Hit("principal-wildcard-conditioned", _CONDITIONED.format(narrowed), where)


@LINT_RULES.register("allow-not-principal")
def allow_not_principal(source: Source) -> Iterator[Hit]:
    if source.kind == "trust":
        for statement, message in someone_else(source):
            if "NotPrincipal" in statement.body:
                yield Hit("allow-not-principal", message, f"{statement.path}.NotPrincipal")
        return
    for statement in statements(source.document):
        if statement.is_allow and "NotPrincipal" in statement.body:
            yield Hit(
                "allow-not-principal",
                "Allow with NotPrincipal grants every principal not listed",
                f"{statement.path}.NotPrincipal",
            )
