"""Witnesses: who else a trust policy lets in, decided from the policy's own patterns.

An external ID is pinned only when no string but the issued ones satisfies the trust. Rather
than trying one fixed wrong ID (which a `StringLike "lbx-5e8d*"` refuses while letting in
thousands of others), every value the trust compares sts:ExternalId with is turned into
candidates that match it: each wildcard filled three ways, case variants, one character more
or less; plus no ID at all and an ID nobody issued. A candidate other than the issued IDs that
the evaluator allows is a witness, reported by name. The same for callers: every ARN or
account the trust compares aws:PrincipalArn / aws:PrincipalAccount / aws:SourceAccount with,
and every principal it names, filled with an account that is not the vendor's.

(IAM User Guide, "Condition operators": "String condition operators" for StringLike's `*`
and `?`, "...IfExists", "Condition operator to check existence of condition keys";
"Single-valued vs. multivalued context keys" for ForAnyValue / ForAllValues.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from provisioner.evaluation import OUTSIDER_ACCOUNT, Decision, Policy, Request, evaluate
from provisioner.iam import aws_principals
from provisioner.model.arn import Arn, session_arn
from provisioner.model.external_id import is_external_id

NOBODYS_ID = "provisioner-witness-0000000000"
FILLS = ("", "0", "zz9")
OUTSIDER_ACCOUNTS = (OUTSIDER_ACCOUNT, "999999999999")
_PRINCIPAL_KEYS = {"aws:principalarn", "aws:principalaccount", "aws:sourceaccount", "aws:sourceowner"}


@dataclass(frozen=True)
class Witness:
    """A request the trust allows that it should not: its caller, its external ID, the decision."""

    caller: str
    external_id: str | None
    decision: Decision


def condition_values(policies: Iterable[Policy], keys: set[str]) -> list[str]:
    """Every string value any statement compares one of `keys` with (any operator)."""
    found: list[str] = []
    for policy in policies:
        for statement in policy.statements:
            for _, key, values in statement.conditions():
                if key.lower() in keys:
                    found.extend(v for v in values if isinstance(v, str))
    return list(dict.fromkeys(found))


def fill(pattern: str) -> Iterator[str]:
    """Strings that match a StringLike pattern: each way of filling its wildcards, and the
    literal (which StringEquals compares with)."""
    yield pattern
    if "*" in pattern or "?" in pattern:
        for text in FILLS:
            yield pattern.replace("*", text).replace("?", text[:1] or "0")


def variants(value: str) -> Iterator[str]:
    """Near neighbours: other case, one character more, one fewer."""
    yield value.upper()
    yield value.lower()
    yield value + "0"
    if len(value) > 2:
        yield value[:-1]


def external_id_candidates(policies: list[Policy]) -> list[str | None]:
    """Every ID worth asking about: from each value the trust compares sts:ExternalId with,
    its fillings and neighbours; plus none, and one nobody issued."""
    out: list[str | None] = [None, NOBODYS_ID]
    for value in condition_values(policies, {"sts:externalid"}):
        for filled in fill(value):
            out.append(filled)
            out.extend(variants(filled))
    return [c for c in dict.fromkeys(out) if c is None or is_external_id(c)]


_EXACT = {"stringequals", "foranyvalue:stringequals", "stringlike", "foranyvalue:stringlike"}


def pinned_values(policies: Iterable[Policy]) -> set[str]:
    """The external IDs the trust names exactly (StringEquals, or StringLike without a
    wildcard, in an Allow): a trust pinned to another customer's ID is not open to guessing,
    it refuses the vendor's own ID, which AWSAssumeRole reports."""
    found: set[str] = set()
    for policy in policies:
        for statement in policy.statements:
            if not statement.is_allow:
                continue
            for operator, key, values in statement.conditions():
                if key.lower() == "sts:externalid" and operator.lower() in _EXACT:
                    found.update(v for v in values if isinstance(v, str) and "*" not in v and "?" not in v)
    return found


def external_id_witnesses(
    policies: list[Policy], request: Callable[[str | None], Request], issued: Iterable[str]
) -> list[Witness]:
    """The IDs the trust lets the caller of `request` assume with, other than `issued` and
    the values the trust itself pins."""
    issued_ids = set(issued) | pinned_values(policies)
    found = []
    for candidate in external_id_candidates(policies):
        if candidate in issued_ids:
            continue
        built = request(candidate)
        decision = evaluate(policies, built)
        if decision.allowed:
            found.append(Witness(built.principal, candidate, decision))
    return found


def caller_candidates(
    policies: list[Policy], session: str = "provisioner-witness", *, literals: bool = False
) -> list[str]:
    """Callers worth asking about: a session in each account (or of each role) the trust names
    in a principal or in a principal condition with a wildcard, the wildcards filled with an
    outsider's account; with `literals`, also those it names exactly (audit: any other account
    is news; validate: an exactly named other principal is what AWSAssumeRole reports)."""
    texts = condition_values(policies, _PRINCIPAL_KEYS)
    for policy in policies:
        for statement in policy.statements:
            texts.extend(aws_principals(statement))
    if not literals:
        texts = [t for t in texts if "*" in t or "?" in t]
    out: list[str] = [session_arn(OUTSIDER_ACCOUNTS[0], "outsider", session)]
    for text in texts:
        for outsider in OUTSIDER_ACCOUNTS:
            out.extend(_callers_for(text, outsider, session))
    return list(dict.fromkeys(out))


def _callers_for(text: str, outsider: str, session: str) -> Iterator[str]:
    if text == "*":
        return
    if re.fullmatch(r"[\d*?]{1,12}", text):  # an account ID, perhaps with wildcards
        account = _fill_account(text, outsider)
        yield session_arn(account, "any-role", session)
        return
    arn = Arn.parse(text)
    if arn is None:
        return
    account = _fill_account(arn.account, outsider) if arn.account else outsider
    resource = arn.resource.replace("*", "x").replace("?", "x")
    partition = arn.partition if arn.partition not in ("*", "") else "aws"
    if resource.startswith("role/"):
        yield session_arn(account, resource.rsplit("/", 1)[-1], session, partition)
    elif resource.startswith("assumed-role/"):
        parts = resource.split("/")
        yield session_arn(account, parts[1] if len(parts) > 1 else "x", session, partition)
    elif resource.startswith("user/"):
        yield f"arn:{partition}:iam::{account}:{resource}"
    else:
        yield session_arn(account, "any-role", session, partition)


def _fill_account(pattern: str, outsider: str) -> str:
    """A 12-digit account matching the pattern: its first `*` takes the outsider's digits, the
    others nothing, each `?` the outsider's digit at that place."""
    head, star, tail = pattern.partition("*")
    tail = tail.replace("*", "")
    text = head + outsider[: max(0, 12 - len(head) - len(tail))] + tail if star else pattern
    text = text[:12].ljust(12, "0")
    return "".join(o if c == "?" else c for c, o in zip(text, outsider, strict=True))
