"""Rules on a role trust policy: who may assume the role, presenting what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from provisioner.iam import Statement, aws_principals, has_wildcard, names_action, statements
from provisioner.lint.model import LINT_RULES, Source
from provisioner.model.rules import Hit

_MFA_KEYS = {"aws:multifactorauthpresent", "aws:multifactorauthage"}


def _assumers(source: Source) -> Iterator[tuple[Statement, str]]:
    """(statement, the named principals) for each trust statement that lets named AWS
    principals call sts:AssumeRole."""
    if source.kind != "trust":
        return
    for statement in statements(source.document):
        if not statement.is_allow or not names_action(statement, "sts:AssumeRole"):
            continue
        principals = [p for p in aws_principals(statement) if p != "*"]
        if principals:
            yield statement, ", ".join(principals)


@LINT_RULES.register("trust-no-external-id", "external-id-not-pinned")
def external_id(source: Source) -> Iterator[Hit]:
    for statement, who in _assumers(source):
        external = [
            (operator, values)
            for operator, key, values in statement.conditions()
            if key.lower() == "sts:externalid"
        ]
        if not external:
            yield Hit(
                "trust-no-external-id",
                f"{who} may assume the role without an sts:ExternalId condition (confused deputy)",
                statement.path,
            )
        elif not any(_pins_value(operator, values) for operator, values in external):
            shown = "; ".join(f"{op} {values}" for op, values in external)
            yield Hit(
                "external-id-not-pinned",
                f"the sts:ExternalId condition ({shown}) accepts IDs other than the vendor's",
                f"{statement.path}.Condition",
            )


@LINT_RULES.register("trust-mfa-required")
def mfa_required(source: Source) -> Iterator[Hit]:
    for statement, _ in _assumers(source):
        for operator, key, values in statement.conditions():
            if key.lower() in _MFA_KEYS and _requires_mfa(operator, key, values):
                yield Hit(
                    "trust-mfa-required",
                    f"{operator} {key} {values}: the vendor's role session carries no MFA, so the "
                    "vendor cannot assume the role",
                    f"{statement.path}.Condition.{operator}",
                )


def _pins_value(operator: str, values: list[Any]) -> bool:
    """Does this ExternalId condition admit only fixed values, and only when the ID is present?"""
    op = operator.lower()
    if op.endswith("ifexists") or ":" in op or not values:
        return False
    if not all(isinstance(v, str) and v for v in values):
        return False
    if op in ("stringequals", "stringequalsignorecase"):
        return True
    return op == "stringlike" and not any(has_wildcard(v) for v in values)


def _requires_mfa(operator: str, key: str, values: list[Any]) -> bool:
    op = operator.lower().removesuffix("ifexists")
    if key.lower() == "aws:multifactorauthpresent":
        return op == "bool" and any(str(v).lower() == "true" for v in values)
    return op.startswith("numericless")
