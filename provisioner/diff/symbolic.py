"""The symbolic request of a permission or bucket policy diff (diff/grants.py): one caller of a
class (analysis/request.py's Caller: its own keys fixed, the keys it chooses free), a resource
within the action's ARN formats, and every other key (a service's own, s3:prefix, ...) any value
or absent; a policy as a formula over it, its unmodelled conditions free Booleans (diff/trust.py's
_Atoms)."""

from __future__ import annotations

from typing import Any

import z3

from provisioner.analysis.answer import STRANGER
from provisioner.analysis.encode import Key, like, literal
from provisioner.analysis.request import Caller
from provisioner.diff.trust import _Atoms
from provisioner.evaluation import Policy
from provisioner.iam import Statement, action_matches, format_parts, resource_formats, statements, strings
from provisioner.model.arn import session_arn

_VISIBLE = z3.Range("!", "~")
_PRINTABLE = z3.Star(z3.Range(" ", "~"))
# as ranges, not complements: the solver decides ranges far faster ('/' is 0x2F, ':' 0x3A)
_NO_COLON = z3.Plus(z3.Union(z3.Range("!", "9"), z3.Range(";", "~")))
# a bucket's name: lower-case letters, digits, '.' and '-' (S3 User Guide, "General purpose bucket
# naming rules"), and the upper-case letters and '_' of legacy us-east-1 names; never a '*' or '?'
_NAME = z3.Plus(
    z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), *[z3.Re(c) for c in ".-_"])
)
# variables of ARN formats that never hold a '/' (S3 bucket names: "Bucket naming rules"); any
# other may (an object key, a path), so that no resource of the action is left out
_NO_SLASH = {"BucketName"}
# what an example's resource holds where it can: no '*' or '?', which read as patterns (an object
# key may hold them: S3 User Guide, "Naming Amazon S3 objects")
PLAIN = z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), *[z3.Re(c) for c in ":/-._"]))
_WHERE = ("Action", "NotAction", "Resource", "NotResource")
_CHOSEN_FLAGS = ("aws:securetransport", "aws:viaawsservice")
# per question: a resource language is costlier than a trust's (each well under a second on an
# idle core); beyond it the difference is "not decided" (counted as new), never dropped
TIMEOUT_MS = 20000


def applies(statement: Statement, action: str) -> bool:
    """Does the statement's Action (or NotAction) take in the action?"""
    body = statement.body
    if statement.effect not in ("Allow", "Deny"):
        return False
    if "Action" in body:
        return any(action_matches(a, action) for a in strings(body["Action"]))
    return "NotAction" in body and not any(action_matches(a, action) for a in strings(body["NotAction"]))


class SymbolicRequest:
    """One symbolic request of one caller class: the resource and every key."""

    def __init__(self, caller: Caller, principal: str | None = None) -> None:
        self.caller = caller
        self.principal = principal  # who makes the request, when the caller is one principal
        self.resource = z3.String("resource")
        self.free: dict[str, Key] = {}
        self.spelled: dict[str, str] = {}
        self.domain: list[z3.BoolRef] = [z3.InRe(self.resource, z3.Star(_VISIBLE))]

    def key(self, name: str, spelled: str) -> Key:
        if name in _CHOSEN_FLAGS and name not in self.free:
            # over plain HTTP, or through a service on the caller's behalf: the caller's choice for
            # a request to S3 (an AssumeRole always comes over TLS, the trust analysis fixes it)
            value = z3.String(f"key:{name}")
            self.free[name] = Key(z3.BoolVal(True), value)
            self.spelled[name] = spelled
            self.domain.append(z3.Or(value == z3.StringVal("true"), value == z3.StringVal("false")))
        if name in self.free:
            return self.free[name]
        if name.startswith(("aws:", "sts:")):
            return self.caller.key(name, spelled)
        if name not in self.free:  # a service's own key (s3:prefix, ...): any value, or absent
            value = z3.String(f"key:{name}")
            self.free[name] = Key(z3.Bool(f"has:{name}"), value)
            self.spelled[name] = spelled
            self.domain.append(z3.InRe(value, _PRINTABLE))
        return self.free[name]

    def encoder(self) -> _Atoms:
        return _Atoms(self.key, self.caller.principal, self.caller.spares)

    def layer(self, encoder: _Atoms, document: Any, action: str) -> z3.BoolRef:
        """Some Allow of the document applies to the request and no Deny does."""
        variables = Policy("", document).variables
        allows: list[z3.BoolRef] = []
        denies: list[z3.BoolRef] = []
        for statement in (s for s in statements(document) if applies(s, action)):
            deny = statement.effect == "Deny"
            rest = {k: v for k, v in statement.body.items() if k not in _WHERE}
            formula = encoder.statement(
                Statement(statement.path, rest), action, "*", variables=variables, closing=deny
            )
            (denies if deny else allows).append(z3.And(self._resource(statement.body), formula))
        allowed = z3.Or(*allows) if allows else z3.BoolVal(False)
        return z3.And(allowed, z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True))

    def _resource(self, body: dict[str, Any]) -> z3.BoolRef:
        for element, named in (("Resource", True), ("NotResource", False)):
            if element in body:
                matched = [z3.InRe(self.resource, like(p)) for p in strings(body[element])]
                found = z3.Or(*matched) if matched else z3.BoolVal(False)
                return found if named else z3.Not(found)
        return z3.BoolVal(True)

    def of_action(self, action: str) -> z3.BoolRef:
        """The resource is one the action takes ("*" for an action that takes none)."""
        formats = resource_formats(action)
        if not formats:
            return self.resource == z3.StringVal("*")
        return z3.Or(*[z3.InRe(self.resource, language(f)) for f in formats])

    def constraints(self) -> list[z3.BoolRef]:
        """What the caller's strings and the keys may hold (once every formula is made); the
        character sets of the caller's free strings are asked only when a model breaks them
        (`solve`), as the trust analysis asks them."""
        return [*self.caller.domain, *self.domain]

    def solve(self, constraints: list[z3.BoolRef]) -> tuple[Any, z3.ModelRef | None, str]:
        """(outcome, model, why the solver gave up) for the constraints, with the values of
        `preferred` that fit."""
        outcome, model, why = self._check(constraints)
        if outcome != z3.sat:
            return outcome, None, why
        preferences = self.preferred()
        best = self._check([*constraints, *preferences])
        if best[0] == z3.sat:
            return best
        kept: list[z3.BoolRef] = []
        for preference in preferences:
            tried = self._check([*constraints, *kept, preference])
            if tried[0] == z3.sat:
                kept.append(preference)
                model = tried[1]
        return outcome, model, ""

    def _check(self, constraints: list[z3.BoolRef]) -> tuple[Any, z3.ModelRef | None, str]:
        charsets: list[Any] = []
        for _ in range(len(self.caller.charsets) + 1):
            solver = z3.Solver()
            solver.set("timeout", TIMEOUT_MS)
            solver.add(*constraints, *[c.constraint() for c in charsets])
            outcome = solver.check()
            if outcome != z3.sat:
                return outcome, None, solver.reason_unknown() if outcome == z3.unknown else ""
            model = solver.model()
            broken = [c for c in self.caller.charsets if c not in charsets and not c.holds(model)]
            if not broken:
                return outcome, model, ""
            charsets += broken
        return z3.unknown, None, "no model within the character sets"

    def preferred(self) -> list[z3.BoolRef]:
        """Values a person reads at once, where the difference does not depend on them."""
        caller = self.caller
        plain = [z3.InRe(self.resource, PLAIN)]
        if self.principal is not None:
            return plain
        if caller.kind == "service":
            return [*plain, caller.service == z3.StringVal("s3.amazonaws.com")]
        plain += [z3.Not(caller.user), caller.name == z3.StringVal("any-role")]
        plain.append(caller.session == z3.StringVal("session"))
        if caller.kind == "other":
            plain.append(caller.acct == z3.StringVal(STRANGER))
        return plain

    def who(self, model: z3.ModelRef) -> str:
        """The principal of the model's request: the one given, or the caller's."""
        caller = self.caller
        if self.principal is not None:
            return self.principal
        if caller.kind == "service":
            return _text(model, caller.service)
        account, name = _text(model, caller.acct), _text(model, caller.name)
        if z3.is_true(model.eval(caller.user, model_completion=True)):
            return f"arn:aws:iam::{account}:user/{name}"
        return session_arn(account, name, _text(model, caller.session))

    def concrete(self, model: z3.ModelRef) -> tuple[str, dict[str, str]]:
        """The model's resource, and the keys the request sets that the caller chooses."""
        keys = [
            (k, self.caller.spelled.get(n, n)) for n, k in self.caller.keys.items() if n in self.caller.chosen
        ]
        keys += [(k, self.spelled[n]) for n, k in self.free.items()]
        context = {
            spelled: _text(model, key.value)
            for key, spelled in keys
            if z3.is_true(model.eval(key.present, model_completion=True))
        }
        return _text(model, self.resource), context


def _text(model: z3.ModelRef, value: Any) -> str:
    return str(model.eval(value, model_completion=True).as_string())


def language(arn_format: str) -> z3.ReRef:
    """An ARN format as a language: a variable in the middle holds no ':', the last one anything
    but a space (an object key, a path); a bucket's name no '/' either."""
    parts = format_parts(arn_format)
    out: list[z3.ReRef] = []
    for index, (text, variable) in enumerate(parts):
        if not variable:
            out.append(literal(text))
        elif text in _NO_SLASH:
            out.append(_NAME)
        else:
            out.append(z3.Plus(_VISIBLE) if index == len(parts) - 1 else _NO_COLON)
    return out[0] if len(out) == 1 else z3.Concat(*out)
