"""Rules on a role trust policy: who may assume the role, presenting what.

`trust-no-external-id`, `external-id-not-pinned`, and for a trust `principal-wildcard` and
`allow-not-principal` (lint/principals.py), are read from the exact analysis that validate and
audit read (analysis/verdict.py), so the three commands give one verdict with one counterexample.
lint knows no account of its own: the parties are the accounts the trust names as callers, and
anyone else is "another account". z3 is loaded only when a trust is analysed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from provisioner.iam import Statement, admits_anyone, aws_principals, names_action, statements
from provisioner.lint.model import LINT_RULES, Source
from provisioner.model.rules import Hit

if TYPE_CHECKING:
    from provisioner.analysis.verdict import Opening

_MFA_KEYS = {"aws:multifactorauthpresent", "aws:multifactorauthage"}
# The role a linted trust is taken to belong to: lint knows no account (no RCP is applied, and
# no caller is "ours").
LINT_ROLE = "arn:aws:iam::000000000000:role/linted-role"


def trust_openings(source: Source) -> list[Opening]:
    """The trust's open doors in rule terms (analysis/verdict.py), for a trust; none otherwise."""
    if source.kind != "trust" or not statements(source.document):
        return []
    from provisioner.analysis.verdict import analyze, named_accounts, openings

    document = source.document
    answer = analyze(document, role_arn=LINT_ROLE, parties=named_accounts(document))
    return openings(answer, document, LINT_ROLE)


# Stands in for the other Allow statements when one is judged alone: it applies to no request.
_INERT = {"Effect": "Allow", "Principal": "*", "Action": "sts:NoSuchAction"}


def someone_else(source: Source) -> list[tuple[Statement, str]]:
    """(the Allow statement, the message) for each statement that lets a caller of an account the
    trust does not name in, through `Principal: "*"` or NotPrincipal. The whole trust's door names
    one statement; when it is open, every other such statement is judged alone (the other Allows
    inert, every Deny kept), so each is reported, not only the first."""
    document = source.document
    found = [
        (statement, o.message)
        for o in trust_openings(source)
        if o.kind == "someone-else" and (statement := opening_statement(o, document)) is not None
    ]
    raw = document.get("Statement") if found and isinstance(document, dict) else None
    if not isinstance(raw, list):
        return found
    from provisioner.analysis.verdict import analyze, named_accounts, openings

    reported = {statement.path for statement, _ in found}
    parties = named_accounts(document)
    for index, item in enumerate(raw):
        statement = Statement(f"$.Statement[{index}]", item) if isinstance(item, dict) else None
        if statement is None or statement.path in reported or not statement.is_allow:
            continue
        if "NotPrincipal" not in item and "*" not in aws_principals(statement):
            continue
        alone = [
            other
            if i == index or not (isinstance(other, dict) and other.get("Effect") == "Allow")
            else _INERT
            for i, other in enumerate(raw)
        ]
        judged = {**document, "Statement": alone}
        answer = analyze(judged, role_arn=LINT_ROLE, parties=parties)
        door = next((o for o in openings(answer, judged, LINT_ROLE) if o.kind == "someone-else"), None)
        if door is not None:
            found.append((statement, door.message))
    return sorted(found, key=lambda pair: int(pair[0].path.rpartition("[")[2].rstrip("]")))


def opening_statement(opening: Opening, document: Any) -> Statement | None:
    """The Allow statement that lets the opening's request in: the one the evaluator names, else
    (a door through what is not modelled) the first Allow that could: for someone else one with
    `Principal: "*"` or NotPrincipal, for a party any Allow."""
    found = statements(document)
    named = next((s for s in found if s.path == opening.path), None)
    if named is not None:
        return named
    allows = [s for s in found if s.is_allow]
    if opening.kind == "someone-else":
        wide = [s for s in allows if admits_anyone(s)]
        allows = wide or allows
    return allows[0] if allows else None


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
    """A party (an account the trust names) gets in with no ID, or with an ID that is not issued
    (not named literally by the trust, up to letter case)."""
    found = trust_openings(source)
    # A statement that lets any account in lets the parties in too: principal-wildcard says so.
    wide = {
        s.path for o in found if o.kind == "someone-else" and (s := opening_statement(o, source.document))
    }
    seen = set()
    for opening in found:
        statement = opening_statement(opening, source.document)
        if opening.kind == "someone-else" or (statement is not None and statement.path in wide):
            continue
        where = statement.path if statement is not None else "$.Statement"
        if opening.kind == "not-pinned" and statement is not None and "Condition" in statement.body:
            where += ".Condition"
        rule = "external-id-not-pinned" if opening.kind == "not-pinned" else "trust-no-external-id"
        if (rule, where, opening.who.name) not in seen:  # one finding a party: no ID, or another
            seen.add((rule, where, opening.who.name))
            yield Hit(rule, opening.message, where)


@LINT_RULES.register("federated-any-subject", "federated-subject-not-pinned", "federated-not-decided")
def federated(source: Source) -> Iterator[Hit]:
    """An identity provider (Principal.Federated) whose subject no condition pins: the decision
    audit reads (provisioner/federation.py), on the trust before it is deployed."""
    if source.kind != "trust":
        return
    from provisioner.federation import federated_access

    for access in federated_access(statements(source.document)):
        if access.rule is not None:
            yield Hit(access.rule, access.message, access.where)


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


def _requires_mfa(operator: str, key: str, values: list[Any]) -> bool:
    op = operator.lower().removesuffix("ifexists")
    if key.lower() == "aws:multifactorauthpresent":
        return op == "bool" and any(str(v).lower() == "true" for v in values)
    return op.startswith("numericless")
