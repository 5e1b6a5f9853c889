"""Who gets in, exactly: which sts:AssumeRole requests a trust policy (and the RCPs of the role's
account) allow, for every caller class, decided by the z3 solver over the whole language of
external IDs and of the keys a caller chooses, never by trying strings.

For each class (a party such as the vendor's account, any other account, the role's own account,
a service principal) it answers: does anyone of the class get in; with no ID; with an ID that is
not issued (up to letter case); which issued IDs; and, in an admin's words, which IDs ("exactly
lbx-5e8d…", "any ID starting with lbx-", "any ID, or none", "nobody"). Every door comes with a
concrete request (caller, ID, the caller's own keys), re-checked by the concrete evaluator.

The issued IDs are those given (`--external-id`) plus every ID the trust names literally in an
Allow's StringEquals / StringEqualsIgnoreCase / ForAnyValue:StringEquals or a Deny guard's
StringNotEquals; a letter-case variant of an issued ID is not another ID (the vendor issues the
IDs, and nobody can be issued a case variant of yours). ("IAM JSON policy elements: Condition
operators"; "How to use an external ID when granting access to your AWS resources to a third
party"; "Resource control policies".)
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import z3

from provisioner.analysis import one_solver
from provisioner.analysis.answer import (
    ACTION,
    BUDGET_S,
    ID_KEY,
    STRANGER,
    TIMEOUT_MS,
    ClassAnswer,
    Door,
    TrustAnswer,
    TrustQuestion,
    issued_ids,
    may_name,
)
from provisioner.analysis.encode import Encoder, equal_ignoring_case, like
from provisioner.analysis.hints import pattern_hints, principal_paths
from provisioner.analysis.request import _DEFAULTS as _ADDRESS_DEFAULTS
from provisioner.analysis.request import Caller
from provisioner.evaluation import Policy, evaluate
from provisioner.evaluation.chain import organization_decision
from provisioner.iam import Statement, trust_passes
from provisioner.model.arn import session_arn


@one_solver
def analyze_trust(question: TrustQuestion, *, words: bool = True) -> TrustAnswer:
    """The exact answer for one trust (and RCPs) about the question's parties. Without `words`,
    the sets are not described and the counterexamples keep the solver's names (for the
    differential runs, where only the sets matter)."""
    trust_doc = question.trust
    trust = Policy("trust policy", trust_doc)
    ids = issued_ids(trust_doc, question.issued)
    keys = dict(question.resource_keys)
    setting = _Setting(trust, question.rcps, question.role_arn, ids, words, resource=question.resource_keys)

    def judge(
        kind: str, name: str, account: str | None = None, excluded: tuple[str, ...] = ()
    ) -> ClassAnswer:
        if not may_name(trust_doc, kind, account, excluded):
            return ClassAnswer(kind, name, account, None)
        caller = Caller(
            kind,
            account=account,
            excluded=excluded,
            own_orgs=question.own_orgs,
            resource_keys=keys,
            resource_tags=question.resource_tags,
            passes=trust_passes(trust_doc),
            paths=setting.paths,
        )
        return setting.judge(caller, name)

    answers = tuple(judge("party", f"account {a}", a) for a in question.parties)
    other = judge("other", "any other account", excluded=question.excluded)
    own_account, own = question.own_account, None
    if own_account and own_account not in question.parties:
        own = judge("own", f"its own account {own_account}", own_account)
    service = judge("service", "an AWS service")
    return TrustAnswer(ids, answers, other, own, service, tuple(dict.fromkeys(setting.undecided)))


@one_solver
def principal_doors(
    question: TrustQuestion, principal: str, external_id: str
) -> tuple[Door | None, Door | None]:
    """One principal of a party (the vendor's own, from its profile) presenting one ID: a request
    of it that gets in, and one that does not, over every value of the keys it chooses for itself
    (its session name, tags, source identity, organization, ...); None where there is none. Both:
    whether it gets in depends on what its request carries (issue 20: the vendor's AssumeRole)."""
    from provisioner.model.arn import account_of

    setting = _Setting(
        Policy("trust policy", question.trust),
        question.rcps,
        question.role_arn,
        issued_ids(question.trust, question.issued),
        resource=question.resource_keys,
    )
    caller = Caller(
        "party",
        account=account_of(principal),
        own_orgs=question.own_orgs,
        named=principal,
        resource_keys=dict(question.resource_keys),
        resource_tags=question.resource_tags,
        clock=True,  # does it get in now? (an expiry past refuses it for good)
        passes=trust_passes(question.trust),
    )
    asked = _Question(caller, setting)
    key = asked.id_key
    fixed = (key.present, key.value == z3.StringVal(external_id))
    inside = asked.pretty(asked.find(*fixed), *fixed)
    outside = asked.pretty(asked.find(*fixed, refused=True), *fixed, finder=asked.find_refused)
    return (inside[0] if inside else None), (outside[0] if outside else None)


@dataclass
class _Setting:
    trust: Policy
    rcps: tuple[Sequence[Policy], ...]
    role_arn: str
    issued: tuple[str, ...]
    words: bool = True
    resource: tuple[tuple[str, str], ...] = ()  # the role's own keys (TrustQuestion.resource_keys)
    undecided: list[str] = field(default_factory=list)
    deadline: float = field(default_factory=lambda: time.monotonic() + BUDGET_S)

    @cached_property
    def hints(self) -> dict[str, str]:
        """A value for each key a pattern of the trust or the RCPs constrains (analysis/hints.py)."""
        return pattern_hints([self.trust.document, *[p.document for level in self.rcps for p in level]])

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """The paths a caller's role may have that the policies tell apart (hints.principal_paths)."""
        return principal_paths([self.trust.document, *[p.document for level in self.rcps for p in level]])

    def judge(self, caller: Caller, name: str) -> ClassAnswer:
        question = _Question(caller, self)
        self.undecided += question.encoder.undecided
        return question.answer(name)


def keys_have(keys: list[tuple[str, str]], name: str) -> bool:
    return any(k.lower() == name for k, _ in keys)


class _Question:
    """One caller class's formula, solver and queries."""

    def __init__(self, caller: Caller, setting: _Setting) -> None:
        self.caller = caller
        self.setting = setting
        self.id_key = caller.key(ID_KEY, "sts:ExternalId")
        self.trust_document = setting.trust.document
        self.encoder = Encoder(caller.key, caller.principal, caller.spares)
        self.allowed = z3.And(self._layer([setting.trust]), *[self._layer(level) for level in setting.rcps])

    def _layer(self, policies: Sequence[Policy]) -> z3.BoolRef:
        """Some Allow of the layer applies and no Deny does ("Policy evaluation logic")."""
        allows: list[z3.BoolRef] = []
        denies: list[z3.BoolRef] = []
        for policy in policies:
            for statement in policy.statements:
                effect = statement.effect
                if effect not in ("Allow", "Deny"):
                    continue
                formula = self._statement(statement, policy.variables, effect == "Deny")
                (denies if effect == "Deny" else allows).append(formula)
        return z3.And(
            z3.Or(*allows) if allows else z3.BoolVal(False),
            z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True),
        )

    def _statement(self, statement: Statement, variables: bool, closing: bool) -> z3.BoolRef:
        return self.encoder.statement(
            statement, ACTION, self.setting.role_arn, variables=variables, closing=closing
        )

    def find(self, *extra: z3.BoolRef, refused: bool = False) -> tuple[Door, z3.ModelRef] | None:
        """A request of the class that gets in under `extra`: decided (every atom set the way
        that keeps doors shut) when there is one, else one through what is not modelled. With
        `refused`, one that does not get in (decided: refused with every atom set the other way)."""
        atoms = self.encoder.atoms
        fixed_atoms = [(atom == value) if not refused else (atom != value) for atom, value in atoms]
        goal = z3.Not(self.allowed) if refused else self.allowed
        for decided, fixed in ((True, fixed_atoms), (False, [])):
            if not decided and not fixed_atoms:
                break
            outcome, model, reason = self._solve([*extra, *fixed], goal)
            if outcome == z3.unknown:
                why = reason if reason.startswith("the analysis") else f"the solver gave up ({reason})"
                door = Door(self._who(None), None, decided=False, why=why, checked=False, concrete=False)
                return door, z3.Model()
            if model is not None:
                why = "" if decided else "; ".join(dict.fromkeys(self.encoder.undecided))
                return self._door(model, decided, why, refused), model
        return None

    def _solve(
        self, constraints: list[z3.BoolRef], goal: z3.BoolRef | None = None
    ) -> tuple[Any, z3.ModelRef | None, str]:
        """One question to a fresh solver (far faster than push/pop on strings), first without the
        character sets of the free strings; again with those a model breaks, until none is."""
        kept: list[Any] = []  # the character sets a model broke: asked as languages from then on
        tried: list[Any] = []  # those asked first as an equality with a value within them
        for _ in range(2 * len(self.caller.charsets) + 1):
            left = self.setting.deadline - time.monotonic()
            if left <= 0:
                return z3.unknown, None, f"the analysis of this trust took more than {BUDGET_S} s"
            solver = z3.Solver()
            solver.set("timeout", int(min(TIMEOUT_MS, left * 1000)) + 1)
            solver.add(*self.caller.domain, self.allowed if goal is None else goal, *constraints)
            solver.add(*[c.constraint() for c in kept], *[c.preferred() for c in tried if c not in kept])
            outcome = solver.check()
            if outcome == z3.unsat and any(c not in kept for c in tried):
                kept += [c for c in tried if c not in kept]  # the preferred values do not fit
                continue
            if outcome != z3.sat:
                return outcome, None, solver.reason_unknown() if outcome == z3.unknown else ""
            model = solver.model()
            broken = [c for c in self.caller.charsets if c not in tried and not c.holds(model)]
            if not broken:
                return outcome, model, ""
            tried += broken
        return z3.unknown, None, "no model within the character sets"

    def find_refused(self, *extra: z3.BoolRef) -> tuple[Door, z3.ModelRef] | None:
        return self.find(*extra, refused=True)

    def find_other(self, *extra: z3.BoolRef) -> tuple[Door, z3.ModelRef] | None:
        """`find` for a request with an ID that is not issued, up to letter case. Asked first as
        "not equal" to each issued ID (cheap for the solver), and again as "not equal ignoring
        case" (costly: a constraint per character) only when the door found is a case variant."""
        key, issued = self.id_key, self.setting.issued
        found = self.find(key.present, *[key.value != z3.StringVal(i) for i in issued], *extra)
        shown = found[0].external_id if found is not None else None
        if shown is None or shown.lower() not in {i.lower() for i in issued}:
            return found  # none at all, an ID outside the issued ones, or the solver gave up
        outside = [z3.Not(equal_ignoring_case(key.value, i)) for i in issued]
        return self.find(key.present, *outside, *extra)

    def pretty(
        self,
        found: tuple[Door, z3.ModelRef] | None,
        *extra: z3.BoolRef,
        finder: Callable[..., tuple[Door, z3.ModelRef] | None] | None = None,
    ) -> tuple[Door, z3.ModelRef] | None:
        """The same door with readable names and values where they do not matter, the same
        whichever question found it (one more question, or one per preference when not all fit).
        `finder`: how the door was found (`find` by default)."""
        find = finder or self.find
        if found is None:
            return None
        caller = self.caller
        if caller.kind == "service":
            return found
        # a value a pattern of the policies asks for, filled the same way whichever question
        # (lint's, audit's, validate's) finds the door: the same example in every command
        hints = self.setting.hints
        preferences = [caller.acct == z3.StringVal(hints["@account"])] if "@account" in hints else []
        preferences += [caller.name == z3.StringVal(hints["@name"])] if "@name" in hints else []
        preferences += [caller.path == z3.StringVal(hints["@path"])] if "@path" in hints else []
        preferences += [
            z3.Not(caller.user),
            caller.path == z3.StringVal("/"),
            caller.session == z3.StringVal("session"),
            caller.name == z3.StringVal("any-role"),
        ]
        if caller.kind == "other":
            preferences.append(caller.acct == z3.StringVal(STRANGER))
        defaults = {id(c.value): c.default for c in caller.charsets}
        for name in sorted(caller.chosen):
            key = caller.keys.get(name)
            if key is None or (name == ID_KEY and name not in hints):
                continue
            default = defaults.get(id(key.value), "o-exampleorg" if "orgid" in name else "x1")
            value = hints.get(name, default)
            if key.address is not None:  # the documentation range's address where it does not matter
                example = int(ipaddress.IPv4Address(str(_ADDRESS_DEFAULTS.get(name, "203.0.113.7"))))
                address = z3.And(z3.Not(key.address.v6), key.address.bits == z3.BitVecVal(example, 128))
                preferences.append(z3.Or(z3.Not(key.present), address))
                preferences.append(z3.Or(z3.Not(key.present), z3.Not(key.address.v6)))  # else IPv4
                continue
            preferences.append(z3.Or(z3.Not(key.present), key.value == z3.StringVal(value)))
        best = find(*extra, *preferences)
        if best is not None:
            return best
        kept: list[z3.BoolRef] = []
        for preference in preferences:
            tried = find(*extra, *kept, preference)
            if tried is not None:
                kept.append(preference)
                best = tried
        return best or found

    def _who(self, model: z3.ModelRef | None) -> str:
        caller = self.caller
        if model is None:
            return {
                "party": f"a principal of account {caller.account}",
                "other": "a principal of another account",
                "own": "a principal of the role's own account",
            }.get(caller.kind, "an AWS service")

        def text(value: Any) -> str:
            return str(model.eval(value, model_completion=True).as_string())

        if caller.kind == "service":
            return str(text(caller.service))
        account, name = str(text(caller.acct)), str(text(caller.name))
        if z3.is_true(model.eval(caller.user, model_completion=True)):
            return f"arn:aws:iam::{account}:user{text(caller.path)}{name}"
        return session_arn(account, name, str(text(caller.session)))

    def _door(self, model: z3.ModelRef, decided: bool, why: str, refused: bool = False) -> Door:
        external_id = None
        if z3.is_true(model.eval(self.id_key.present, model_completion=True)):
            external_id = str(model.eval(self.id_key.value, model_completion=True).as_string())
        keys = []
        for name, key in self.caller.keys.items():
            if name == ID_KEY or name not in self.caller.chosen:
                continue
            if z3.is_true(model.eval(key.present, model_completion=True)):
                shown = (
                    key.address.shown(model)
                    if key.address is not None
                    else str(model.eval(key.value, model_completion=True).as_string())
                )
                if name == "aws:tokenissuetime" and shown.isdigit():  # seconds, shown as a date
                    shown = datetime.fromtimestamp(int(shown), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                keys.append((self.caller.spelled.get(name, name), shown))
        path = str(model.eval(self.caller.path, model_completion=True).as_string())
        if self.caller.kind != "service" and path != "/" and not keys_have(keys, "aws:principalarn"):
            # a role with a path: its ARN (aws:PrincipalArn) holds it, its session's does not
            arn = model.eval(self.caller.principal_arn(), model_completion=True).as_string()
            keys.append(("aws:PrincipalArn", str(arn)))
        address = self.caller.keys.get("aws:sourceip")
        endpoint = address is not None and z3.is_false(model.eval(address.present, model_completion=True))
        door = Door(self._who(model), external_id, tuple(keys), decided, why, endpoint=endpoint)
        request = door.request(self.setting.role_arn, self.setting.resource)
        allowed = evaluate([self.setting.trust], request).allowed and (
            not self.setting.rcps or organization_decision((), self.setting.rcps, request) is None
        )
        if allowed != refused or not decided:  # the concrete evaluator agrees
            return door
        return Door(door.caller, external_id, door.keys, decided, why, False, endpoint=endpoint)

    def answer(self, name: str) -> ClassAnswer:
        from provisioner.analysis.phrases import ids_phrase

        key, issued = self.id_key, self.setting.issued
        found = self.find()
        if found is None:
            return ClassAnswer(self.caller.kind, name, self.caller.account, None)
        without = self.find(z3.Not(key.present))
        other = self.find_other()
        if self.setting.words:
            if self.caller.kind != "party":
                found = self.pretty(found) or found
            without = self.pretty(without, z3.Not(key.present))
            other = self.pretty(other, finder=self.find_other)
        asked = {i: self.find(key.present, key.value == z3.StringVal(i)) for i in issued}
        answer = ClassAnswer(
            self.caller.kind,
            name,
            self.caller.account,
            found[0],
            without[0] if without else None,
            other[0] if other else None,
            tuple(i for i, door in asked.items() if door is not None and door[0].decided),
            issued_undecided=tuple(
                i for i, door in asked.items() if door is not None and not door[0].decided
            ),
        )
        if self.caller.kind in ("own", "service") or not self.setting.words:
            return ClassAnswer(**{**answer.__dict__, "ids": ""})  # asked about, never described
        return ClassAnswer(**{**answer.__dict__, "ids": ids_phrase(self, answer)})


__all__ = [
    "ClassAnswer",
    "Door",
    "TrustAnswer",
    "TrustQuestion",
    "analyze_trust",
    "issued_ids",
    "like",
    "principal_doors",
]
