"""Rules on whom an Allow statement grants: any principal, or every principal but some."""

from __future__ import annotations

from collections.abc import Iterator

from provisioner.iam import aws_principals, has_wildcard, statements
from provisioner.lint.model import LINT_RULES, Source
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


@LINT_RULES.register("principal-wildcard", "principal-wildcard-conditioned")
def principal_wildcard(source: Source) -> Iterator[Hit]:
    for statement in statements(source.document):
        if not statement.is_allow or "*" not in aws_principals(statement):
            continue
        pins = sorted(
            key
            for operator, key, values in statement.conditions()
            if key.lower() in _PINNING_KEYS
            and operator.lower() in _EXACT_OPERATORS
            and values
            and not any(has_wildcard(str(v)) for v in values)
        )
        where = f"{statement.path}.Principal"
        if pins:
            message = f'Principal "*" is narrowed only by the condition on {", ".join(pins)}'
            yield Hit("principal-wildcard-conditioned", message, where)
        else:
            yield Hit(
                "principal-wildcard", 'Allow to Principal "*": any AWS account can use this grant', where
            )


@LINT_RULES.register("allow-not-principal")
def allow_not_principal(source: Source) -> Iterator[Hit]:
    for statement in statements(source.document):
        if statement.is_allow and "NotPrincipal" in statement.body:
            yield Hit(
                "allow-not-principal",
                "Allow with NotPrincipal grants every principal not listed",
                f"{statement.path}.NotPrincipal",
            )
