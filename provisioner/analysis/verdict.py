"""One trust verdict for lint, validate and audit: the exact analysis (analysis/trust.py) read
in rule terms, with the same counterexample and the same words in every command.

- `someone-else`: a caller of an account that is not a party gets in (lint: principal-wildcard
  or allow-not-principal; audit: trust-any-principal; validate: AWSExternalID fails);
- `no-external-id`: a party gets in with no ID and the trust has no sts:ExternalId condition
  at all (lint: trust-no-external-id; audit: cross-account-no-external-id);
- `not-pinned`: a party gets in with no ID or with an ID that is not issued, though the trust
  has an sts:ExternalId condition (external-id-not-pinned in lint and audit).

z3 is loaded on the first analysis, not on import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from provisioner.evaluation import Policy, evaluate
from provisioner.iam import aws_principals, condition_entries, statements
from provisioner.model.arn import Arn, account_of

if TYPE_CHECKING:
    from provisioner.analysis.answer import ClassAnswer, Door, TrustAnswer

_ACCOUNT = re.compile(r"\d{12}")
_ACCOUNT_KEYS = {"aws:principalaccount", "aws:sourceaccount"}
_ARN_KEYS = {"aws:principalarn"}


@dataclass(frozen=True)
class Opening:
    """A door in rule terms: its kind, who gets in, the request, and the statement that lets it in."""

    kind: str  # someone-else | no-external-id | not-pinned
    who: ClassAnswer
    door: Door
    path: str  # the Allow statement of the trust that lets the door's request in ("" if unknown)

    @property
    def message(self) -> str:
        if not self.door.concrete:
            who = "another AWS account" if self.kind == "someone-else" else self.who.name
            return f"{who} may be able to assume the role: not decided ({self.door.why})"
        shown = self.door.describe()
        # a door through what is not modelled may or may not open: said so first, not only after
        can = "can" if self.door.decided else "may be able to"
        if self.kind == "someone-else":
            return f"another AWS account {can} assume the role: for example {shown}"
        if self.kind == "no-external-id":
            return f"{self.who.name} {can} assume the role without an external ID: for example {shown}"
        return (
            f"{self.who.name} {can} assume the role with {self.who.ids}, not only the issued IDs: "
            f"for example {shown}"
        )


def named_accounts(trust_doc: Any) -> list[str]:
    """The accounts a trust names as callers: in its Allow statements' AWS principals, and as
    literal values of aws:PrincipalAccount or of the account field of aws:PrincipalArn, in an
    Allow or in a Deny guard that refuses everyone else (StringNotEquals, ArnNotEquals, ...), and
    the principals a Deny's NotPrincipal spares."""
    found: list[str] = []
    for statement in statements(trust_doc):
        if statement.is_allow:
            found += [a for a in (account_of(p) for p in aws_principals(statement) if p != "*") if a]
        elif statement.effect != "Deny":
            continue
        else:  # a Deny with NotPrincipal spares the principals it names (round 20ac trust item 5)
            found += [a for a in (account_of(p) for p in aws_principals(statement, "NotPrincipal")) if a]
        for operator, key, values in statement.conditions():
            if not statement.is_allow and "not" not in operator.lower().rpartition(":")[2]:
                continue  # a Deny names the callers it spares only through a negated operator
            name = key.lower()
            for value in (v for v in values if isinstance(v, str)):
                if name in _ACCOUNT_KEYS and _ACCOUNT.fullmatch(value):
                    found.append(value)
                elif name in _ARN_KEYS and (arn := Arn.parse(value)) and _ACCOUNT.fullmatch(arn.account):
                    found.append(arn.account)
    return list(dict.fromkeys(found))


def analyze(
    trust_doc: Any,
    *,
    role_arn: str,
    parties: Iterable[str],
    issued: Iterable[str] = (),
    own_account: str | None = None,
    org_accounts: Iterable[str] = (),
    own_orgs: Iterable[str] = (),
    rcps: Sequence[Sequence[Policy]] = (),
    resource_keys: Iterable[tuple[str, str]] = (),
    resource_tags: bool = False,
) -> TrustAnswer:
    """analysis.trust.analyze_trust (analysis.simple for the plainest trusts, without loading
    the solver), remembered: a trust is analysed once per distinct question. `resource_keys`:
    the role's own keys (aws:ResourceTag/<key>, ...: TrustQuestion), `resource_tags` when those
    are all its tags."""
    rcp_text = tuple(tuple((p.name, _canonical(p.document)) for p in level) for level in rcps)
    return _analyze(
        _canonical(trust_doc),
        role_arn,
        tuple(dict.fromkeys(parties)),
        tuple(issued),
        own_account,
        tuple(sorted(org_accounts)),
        tuple(sorted(own_orgs)),
        rcp_text,
        tuple(sorted((k.lower(), v) for k, v in resource_keys)),
        resource_tags,
    )


def _canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=4096)
def _analyze(
    trust_text: str,
    role_arn: str,
    parties: tuple[str, ...],
    issued: tuple[str, ...],
    own_account: str | None,
    org_accounts: tuple[str, ...],
    own_orgs: tuple[str, ...],
    rcp_text: tuple[tuple[tuple[str, str], ...], ...],
    resource_keys: tuple[tuple[str, str], ...] = (),
    resource_tags: bool = False,
) -> TrustAnswer:
    from provisioner.analysis.answer import TrustQuestion
    from provisioner.analysis.simple import simple_answer

    trust_doc = json.loads(trust_text)
    if (why := unreadable(trust_doc)) is not None:
        return _unread(why, issued, parties)
    rcps = tuple(tuple(Policy(name, json.loads(text)) for name, text in level) for level in rcp_text)
    question = TrustQuestion(
        trust_doc,
        role_arn,
        parties,
        issued,
        own_account,
        org_accounts,
        own_orgs,
        rcps,
        resource_keys,
        resource_tags,
    )
    plain = simple_answer(question)
    if plain is not None:
        return plain
    from provisioner.analysis.trust import analyze_trust  # loads z3

    return analyze_trust(question)


def unreadable(trust_doc: Any) -> str | None:
    """Why a trust policy cannot be analysed (not a policy document), or None. Such a trust is
    never read as letting nobody in: anyone else may get in, not decided (a FAIL, never a PASS)."""
    if not isinstance(trust_doc, dict):
        return "the trust policy is not a JSON object"
    raw = trust_doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    if raw is None or not all(isinstance(i, dict) for i in items):  # [] lets nobody in: readable
        return "the trust policy has no readable Statement"
    for index, item in enumerate(items):  # IAM refuses it (MalformedPolicyDocument): a file's error
        if item.get("Effect") == "Allow" and condition_entries(item.get("Condition")) is None:
            return f"the Condition of $.Statement[{index}] is not an object of operators and keys"
    return None


def _unread(why: str, issued: tuple[str, ...], parties: tuple[str, ...]) -> TrustAnswer:
    from provisioner.analysis.answer import ClassAnswer, Door, TrustAnswer

    door = Door("a principal of another account", None, decided=False, why=why, checked=False, concrete=False)
    other = ClassAnswer("other", "any other account", None, door, ids="not decided")
    nobody = tuple(ClassAnswer("party", f"account {a}", a, None, ids="not decided") for a in parties)
    return TrustAnswer(issued, nobody, other, undecided=(why,))


def openings(
    answer: TrustAnswer, trust_doc: Any, role_arn: str, resource: tuple[tuple[str, str], ...] = ()
) -> list[Opening]:
    """Every door of the answer in rule terms, someone else first."""
    names_id = any(
        key.lower() == "sts:externalid" for s in statements(trust_doc) for _, key, _ in s.conditions()
    )
    trust = [Policy("trust policy", trust_doc)]
    found: list[Opening] = []
    for who, door in answer.doors():
        if any(o.who is who and o.kind == "no-external-id" for o in found):
            continue  # with no ID condition at all, any ID is the same door
        if who.kind != "party":
            kind = "someone-else"
        elif door is who.without_id and not names_id:
            kind = "no-external-id"
        else:
            kind = "not-pinned"
        decision = evaluate(trust, door.request(role_arn, resource)) if door.checked else None
        path = decision.allows[0].path if decision is not None and decision.allows else ""
        found.append(Opening(kind, who, door, path))
    return found
