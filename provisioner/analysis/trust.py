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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

from provisioner.analysis.encode import Encoder, equal_ignoring_case, like
from provisioner.analysis.request import Caller
from provisioner.evaluation import Policy, Request, assume_role_request, evaluate
from provisioner.evaluation.chain import organization_decision
from provisioner.iam import Statement, has_wildcard, statements
from provisioner.model.arn import session_arn

ACTION = "sts:AssumeRole"
STRANGER = "111122223333"  # the account a counterexample shows for "any other account", where it can
TIMEOUT_MS = 10000  # per question; beyond it the door is "not decided"
_ID_KEY = "sts:externalid"
_ISSUING = {
    ("Allow", ""): {"stringequals", "stringequalsignorecase", "stringlike"},
    ("Allow", "foranyvalue"): {"stringequals", "stringequalsignorecase", "stringlike"},
    ("Deny", ""): {"stringnotequals", "stringnotequalsignorecase", "stringnotlike"},
    ("Deny", "forallvalues"): {"stringnotequals", "stringnotequalsignorecase", "stringnotlike"},
}


@dataclass(frozen=True)
class Door:
    """A concrete request that gets in: the caller, the ID it presents, the keys it chooses.
    `decided` is False when it gets in only through what is not modelled (`why`)."""

    caller: str
    external_id: str | None
    keys: tuple[tuple[str, str], ...] = ()
    decided: bool = True
    why: str = ""
    checked: bool = True  # the concrete evaluator allows it too (False is a defect)

    def request(self, role_arn: str) -> Request:
        chosen = dict(self.keys)
        session = next(
            (v for k, v in chosen.items() if k.lower() == "sts:rolesessionname"), "provisioner-probe"
        )
        region = next((v for k, v in chosen.items() if k.lower() == "aws:requestedregion"), "us-east-1")
        request = assume_role_request(
            self.caller, role_arn, self.external_id, session_name=session, region=region
        )
        skip = ("sts:rolesessionname", "aws:requestedregion")
        extra = {k: v for k, v in chosen.items() if k.lower() not in skip}
        return Request(request.principal, request.action, request.resource, {**request.context, **extra})

    def describe(self) -> str:
        how = "with no external ID" if self.external_id is None else f"with external ID {self.external_id!r}"
        # every key the policies name and the caller chose, the name of the session it asks for
        # (sts:RoleSessionName, not its own session's) included: the door is that value
        keys = ", ".join(f"{k}={v!r}" for k, v in self.keys)
        shown = f"{self.caller} {how}" + (f" and {keys}" if keys else "")
        if not self.decided:
            shown += f" (not decided: {self.why})"
        return shown


@dataclass(frozen=True)
class ClassAnswer:
    """What one caller class can do. `name` in an admin's words."""

    kind: str  # party | other | own | service
    name: str
    account: str | None
    admitted: Door | None  # some request of the class that gets in
    without_id: Door | None = None
    other_id: Door | None = None  # an ID that is not issued, not even up to letter case
    issued_in: tuple[str, ...] = ()  # the issued IDs that get it in
    ids: str = "nobody"  # which IDs, in words

    @property
    def doors(self) -> list[Door]:
        """For a party: its ways in other than an issued ID; for anyone else: any way in."""
        if self.kind == "party":
            return [d for d in (self.without_id, self.other_id) if d is not None]
        return [self.admitted] if self.admitted is not None else []


@dataclass(frozen=True)
class TrustAnswer:
    issued: tuple[str, ...]
    parties: tuple[ClassAnswer, ...]
    other: ClassAnswer
    own: ClassAnswer | None = None
    service: ClassAnswer | None = None
    undecided: tuple[str, ...] = field(default=())

    def doors(self) -> list[tuple[ClassAnswer, Door]]:
        """Every open door: someone else first, then a party with an ID that is not issued."""
        found = [(self.other, d) for d in self.other.doors]
        found += [(p, d) for p in self.parties for d in p.doors]
        return found

    @property
    def verdict(self) -> str:
        """secure (only the parties, with issued IDs), open (someone else, or a party with
        another ID or none), shut (no party gets in with an issued ID), or undecided (a party's
        other way in rests on what is not modelled: a WARN, never a PASS)."""
        doors = self.doors()
        if any(d.decided or cls.kind != "party" for cls, d in doors):
            return "open"
        if doors:
            return "undecided"
        return "secure" if any(p.issued_in for p in self.parties) else "shut"


def issued_ids(trust_doc: Any, given: Iterable[str] = ()) -> tuple[str, ...]:
    """The given IDs and every ID the trust names literally where it issues one."""
    found = [g for g in given if g]
    for statement in statements(trust_doc):
        for operator, key, values in statement.conditions():
            qualifier, _, name = operator.lower().rpartition(":")
            base = name.removesuffix("ifexists")
            if key.lower() != _ID_KEY or base not in _ISSUING.get((statement.effect or "", qualifier), set()):
                continue
            if statement.is_allow and name.endswith("ifexists"):
                continue
            found += [v for v in values if isinstance(v, str) and v and not has_wildcard(v) and "${" not in v]
    return tuple(dict.fromkeys(found))


def analyze_trust(
    trust_doc: Any,
    *,
    role_arn: str,
    parties: Iterable[str],
    issued: Iterable[str] = (),
    own_account: str | None = None,
    org_accounts: Iterable[str] = (),
    own_orgs: Iterable[str] = (),
    rcps: Sequence[Sequence[Policy]] = (),
    resource_keys: dict[str, str] | None = None,
) -> TrustAnswer:
    """The exact answer for one trust (and RCPs) about the given parties' accounts."""
    trust = Policy("trust policy", trust_doc)
    ids = issued_ids(trust_doc, issued)
    party_list = tuple(dict.fromkeys(parties))
    orgs = tuple(own_orgs)
    keys = dict(resource_keys or {})
    setting = _Setting(trust, tuple(rcps), role_arn, ids)

    def judge(
        kind: str, name: str, account: str | None = None, excluded: tuple[str, ...] = ()
    ) -> ClassAnswer:
        caller = Caller(kind, account=account, excluded=excluded, own_orgs=orgs, resource_keys=keys)
        return setting.judge(caller, name)

    answers = tuple(judge("party", f"account {a}", a) for a in party_list)
    excluded = (*party_list, *([own_account] if own_account else []), *org_accounts)
    other = judge("other", "any other account", excluded=tuple(dict.fromkeys(excluded)))
    own = None
    if own_account and own_account not in party_list:
        own = judge("own", f"its own account {own_account}", own_account)
    service = judge("service", "an AWS service")
    return TrustAnswer(ids, answers, other, own, service, tuple(dict.fromkeys(setting.undecided)))


@dataclass
class _Setting:
    trust: Policy
    rcps: tuple[Sequence[Policy], ...]
    role_arn: str
    issued: tuple[str, ...]
    undecided: list[str] = field(default_factory=list)

    def judge(self, caller: Caller, name: str) -> ClassAnswer:
        question = _Question(caller, self)
        self.undecided += question.encoder.undecided
        return question.answer(name)


class _Question:
    """One caller class's formula, solver and queries."""

    def __init__(self, caller: Caller, setting: _Setting) -> None:
        self.caller = caller
        self.setting = setting
        self.id_key = caller.key(_ID_KEY, "sts:ExternalId")
        self.encoder = Encoder(caller.key, caller.principal)
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

    def find(self, *extra: z3.BoolRef) -> tuple[Door, z3.ModelRef] | None:
        """A request of the class that gets in under `extra`: decided (every atom set the way
        that keeps doors shut) when there is one, else one through what is not modelled."""
        closing = [atom == value for atom, value in self.encoder.atoms]
        for decided, fixed in ((True, closing), (False, [])):
            if not decided and not closing:
                break
            solver = z3.Solver()  # a fresh one per question: far faster than push/pop on strings
            solver.set("timeout", TIMEOUT_MS)
            solver.add(*self.caller.domain, self.allowed, *extra, *fixed)
            outcome = solver.check()
            model = solver.model() if outcome == z3.sat else None
            if outcome == z3.unknown:
                why = f"the solver gave up ({solver.reason_unknown()})"
                return Door(self._who(None), None, decided=False, why=why, checked=False), z3.Model()
            if model is not None:
                why = "" if decided else "; ".join(dict.fromkeys(self.encoder.undecided))
                return self._door(model, decided, why), model
        return None

    def pretty(
        self, found: tuple[Door, z3.ModelRef] | None, *extra: z3.BoolRef
    ) -> tuple[Door, z3.ModelRef] | None:
        """The same door with readable names where they do not matter (one more question)."""
        if found is None:
            return None
        caller = self.caller
        if caller.kind == "service":
            return found
        names = [
            caller.name == z3.StringVal("any-role"),
            caller.session == z3.StringVal("session"),
            z3.Not(caller.user),
        ]
        if caller.kind == "other":
            names.append(caller.acct == z3.StringVal(STRANGER))
        return self.find(*extra, *names) or self.find(*extra, names[1]) or found

    def _who(self, model: z3.ModelRef | None) -> str:
        caller = self.caller
        if model is None:
            return caller.kind

        def text(value: Any) -> str:
            return str(model.eval(value, model_completion=True).as_string())

        if caller.kind == "service":
            return str(text(caller.service))
        account, name = str(text(caller.acct)), str(text(caller.name))
        if z3.is_true(model.eval(caller.user, model_completion=True)):
            return f"arn:aws:iam::{account}:user/{name}"
        return session_arn(account, name, str(text(caller.session)))

    def _door(self, model: z3.ModelRef, decided: bool, why: str) -> Door:
        external_id = None
        if z3.is_true(model.eval(self.id_key.present, model_completion=True)):
            external_id = str(model.eval(self.id_key.value, model_completion=True).as_string())
        keys = []
        for name, key in self.caller.keys.items():
            if name == _ID_KEY or name not in self.caller.chosen:
                continue
            if z3.is_true(model.eval(key.present, model_completion=True)):
                keys.append(
                    (
                        self.caller.spelled.get(name, name),
                        str(model.eval(key.value, model_completion=True).as_string()),
                    )
                )
        door = Door(self._who(model), external_id, tuple(keys), decided, why)
        request = door.request(self.setting.role_arn)
        allowed = evaluate([self.setting.trust], request).allowed and (
            not self.setting.rcps or organization_decision((), self.setting.rcps, request) is None
        )
        return (
            door if allowed or not decided else Door(door.caller, external_id, door.keys, decided, why, False)
        )

    def answer(self, name: str) -> ClassAnswer:
        from provisioner.analysis.phrases import ids_phrase

        key, issued = self.id_key, self.setting.issued
        found = self.find()
        if found is None:
            return ClassAnswer(self.caller.kind, name, self.caller.account, None)
        outside = [z3.Not(equal_ignoring_case(key.value, i)) for i in issued]
        without = self.find(z3.Not(key.present))
        other = self.find(key.present, *outside)
        if self.caller.kind != "party":
            found = self.pretty(found) or found
        without = self.pretty(without, z3.Not(key.present))
        other = self.pretty(other, key.present, *outside)
        issued_in = tuple(i for i in issued if self.find(key.present, key.value == z3.StringVal(i)))
        answer = ClassAnswer(
            self.caller.kind,
            name,
            self.caller.account,
            found[0],
            without[0] if without else None,
            other[0] if other else None,
            issued_in,
        )
        return ClassAnswer(**{**answer.__dict__, "ids": ids_phrase(self, answer)})


__all__ = ["ClassAnswer", "Door", "TrustAnswer", "analyze_trust", "issued_ids", "like"]
