"""Permission policies: which (action, resource) pairs NEW allows a session of a role holding it
that OLD did not, and the reverse, decided by the z3 solver over the resources and the request's
keys ("Policy evaluation logic": an Allow applies and no Deny does).

The actions are those the two documents name (diff/actions.py); actions whose question is the
same (the same statements of each document apply, the same resource formats) are asked once.
The resource is any ARN of the action's resource types; the session's own keys are fixed as the
trust analysis fixes them (analysis/request.py: aws:PrincipalArn, aws:PrincipalAccount, ...),
every other key is any value or absent. A condition the analysis does not model (dates, numbers,
IP ranges, ...) makes a difference "not decided: why", which counts as new access. Each example
request is re-checked by the concrete evaluator (NEW allows it and OLD does not)."""

from __future__ import annotations

import json
from typing import Any

import z3

from provisioner.analysis.answer import TIMEOUT_MS
from provisioner.analysis.encode import Key, like, literal
from provisioner.analysis.request import Caller
from provisioner.diff.actions import format_parts, named_actions, resource_formats
from provisioner.diff.model import NEW, REMOVED, Difference
from provisioner.diff.trust import DIFF_ROLE, _Atoms
from provisioner.evaluation import Policy, caller_request, evaluate
from provisioner.iam import Statement, action_matches, statements, strings, wildcard_match
from provisioner.model.arn import Arn, session_arn

_VISIBLE = z3.Range("!", "~")
_PRINTABLE = z3.Star(z3.Range(" ", "~"))
_NO_COLON = z3.Plus(z3.Intersect(_VISIBLE, z3.Complement(z3.Re(":"))))
_NAME = z3.Plus(z3.Intersect(_VISIBLE, z3.Complement(z3.Union(z3.Re(":"), z3.Re("/")))))
# variables of ARN formats that never hold a '/' (S3 bucket names: "Bucket naming rules"); any
# other may (an object key, a path), so that no resource of the action is left out
_NO_SLASH = {"BucketName"}
_PLAIN = z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), *[z3.Re(c) for c in ":/-._*"]))
SESSION = "diff-session"
_SHOWN = 4  # actions named in a difference's subject before "and N more"


def grant_differences(old: Any, new: Any, *, role_arn: str = DIFF_ROLE) -> list[Difference]:
    """Every (action, resource) NEW allows and OLD did not, then every one OLD allowed and NEW
    does not, grouped by the statement that decides them and its resource pattern."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for action in named_actions([old, new]):
        groups.setdefault(_signature(action, old, new), []).append(action)
    found: list[Difference] = []
    for direction, before, after in ((NEW, old, new), (REMOVED, new, old)):
        merged: dict[tuple[str, str, bool], tuple[Difference, list[str]]] = {}
        for signature, actions in groups.items():
            if not _may_differ(signature, direction):
                continue
            difference = _ask(actions[0], before, after, direction, role_arn)
            if difference is None:
                continue
            key = (difference.path, difference.detail.get("resource_pattern", ""), difference.decided)
            kept = merged.setdefault(key, (difference, []))
            kept[1].extend(actions)
        found += [_named(d, actions) for d, actions in merged.values()]
    return found


def _applies(statement: Statement, action: str) -> bool:
    body = statement.body
    if statement.effect not in ("Allow", "Deny"):
        return False
    if "Action" in body:
        return any(action_matches(a, action) for a in strings(body["Action"]))
    return "NotAction" in body and not any(action_matches(a, action) for a in strings(body["NotAction"]))


def _signature(action: str, old: Any, new: Any) -> tuple[Any, ...]:
    """What the action's question depends on: the statements of each document that apply to it
    (their text without Action), and its resource formats when a statement names resources."""
    sides = []
    for document in (old, new):
        applying = [s for s in statements(document) if _applies(s, action)]
        sides.append(tuple((s.path, _canonical(s.body)) for s in applying))
    bodies = [json.loads(text) for side in sides for _, text in side]
    named = any(b.get("Resource", "*") not in ("*", ["*"]) or "NotResource" in b for b in bodies)
    return (*sides, resource_formats(action) if named else None)


def _may_differ(signature: tuple[Any, ...], direction: str) -> bool:
    old, new, _ = signature
    after = new if direction == NEW else old
    if not any(json.loads(text).get("Effect") == "Allow" for _, text in after):
        return False  # nothing is allowed after: nothing gained
    return sorted(text for _, text in old) != sorted(text for _, text in new)


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in body.items() if k not in ("Action", "NotAction", "Sid")}, sort_keys=True
    )


class _Request:
    """One symbolic request of the role's session: the resource and every key."""

    def __init__(self, role_arn: str) -> None:
        arn = Arn.parse(role_arn)
        self.role_arn = role_arn
        self.account = arn.account if arn is not None else "000000000000"
        self.role_name = arn.name if arn is not None else "role"
        self.caller = Caller("party", account=self.account, named=role_arn)
        self.resource = z3.String("resource")
        self.free: dict[str, Key] = {}
        self.spelled: dict[str, str] = {}
        self.domain: list[z3.BoolRef] = [z3.InRe(self.resource, z3.Star(_VISIBLE))]

    def key(self, name: str, spelled: str) -> Key:
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
        variables = Policy("", document).variables
        allows: list[z3.BoolRef] = []
        denies: list[z3.BoolRef] = []
        for statement in (s for s in statements(document) if _applies(s, action)):
            deny = statement.effect == "Deny"
            body = {
                k: v
                for k, v in statement.body.items()
                if k not in ("Action", "NotAction", "Resource", "NotResource")
            }
            rest = encoder.statement(
                Statement(statement.path, body), action, "*", variables=variables, closing=deny
            )
            formula = z3.And(self._resource(statement.body), rest)
            (denies if deny else allows).append(formula)
        return z3.And(
            z3.Or(*allows) if allows else z3.BoolVal(False),
            z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True),
        )

    def _resource(self, body: dict[str, Any]) -> z3.BoolRef:
        if "Resource" in body:
            return z3.Or(
                *[z3.InRe(self.resource, like(p)) for p in strings(body["Resource"])] or [z3.BoolVal(False)]
            )
        if "NotResource" in body:
            return z3.Not(
                z3.Or(
                    *[z3.InRe(self.resource, like(p)) for p in strings(body["NotResource"])]
                    or [z3.BoolVal(False)]
                )
            )
        return z3.BoolVal(True)

    def of_action(self, action: str) -> z3.BoolRef:
        formats = resource_formats(action)
        if not formats:
            return self.resource == z3.StringVal("*")
        return z3.Or(*[z3.InRe(self.resource, _language(f)) for f in formats])

    def concrete(self, model: z3.ModelRef, action: str) -> tuple[str, dict[str, str]]:
        def text(value: Any) -> str:
            return str(model.eval(value, model_completion=True).as_string())

        context = {}
        keys = [
            (n, k, self.caller.spelled.get(n, n))
            for n, k in self.caller.keys.items()
            if n in self.caller.chosen
        ]
        keys += [(n, k, self.spelled[n]) for n, k in self.free.items()]
        for _, key, spelled in keys:
            if z3.is_true(model.eval(key.present, model_completion=True)):
                context[spelled] = text(key.value)
        return text(self.resource), context


def _language(arn_format: str) -> z3.ReRef:
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


def _ask(action: str, before: Any, after: Any, direction: str, role_arn: str) -> Difference | None:
    """A request for `action` that `after` allows and `before` does not, or None."""
    symbolic = _Request(role_arn)
    gains, keeps = symbolic.encoder(), symbolic.encoder()
    goal = z3.And(symbolic.layer(gains, after, action), z3.Not(symbolic.layer(keeps, before, action)))
    atoms = [a == closing for a, closing in gains.atoms] + [a != closing for a, closing in keeps.atoms]
    base = [*symbolic.caller.domain, *symbolic.domain, symbolic.of_action(action), goal]
    why = "; ".join(dict.fromkeys([*gains.undecided, *keeps.undecided]))
    for decided, extra in ((True, atoms), (False, [])):
        if not decided and not atoms:
            break
        solver = z3.Solver()
        solver.set("timeout", TIMEOUT_MS)
        solver.add(*base, *extra)
        solver.push()
        solver.add(z3.InRe(symbolic.resource, _PLAIN))  # a resource a person reads at once, if one fits
        outcome = solver.check()
        if outcome != z3.sat:
            solver.pop()
            outcome = solver.check()
        if outcome == z3.unknown:
            reason = f"the solver gave up ({solver.reason_unknown()})"
            return Difference(direction, "permissions", f"{action} on any resource", "", False, reason, False)
        if outcome == z3.sat:
            return _difference(symbolic, solver.model(), action, before, after, direction, decided, why)
    return None


def _difference(
    symbolic: _Request,
    model: z3.ModelRef,
    action: str,
    before: Any,
    after: Any,
    direction: str,
    decided: bool,
    why: str,
) -> Difference:
    resource, context = symbolic.concrete(model, action)
    principal = session_arn(
        symbolic.account,
        symbolic.role_name,
        SESSION,
    )
    request = caller_request(principal, action, resource, **dict[str, Any](context))
    now = evaluate([Policy("after", after)], request)
    checked = now.allowed and not evaluate([Policy("before", before)], request).allowed
    path = now.allows[0].path if now.allows else ""
    pattern = _pattern(after, path, resource)
    keys = ", ".join(f"{k}={v!r}" for k, v in context.items())
    shown = f"{action} on {resource} by {principal}" + (f" with {keys}" if keys else "")
    detail = {
        "actions": [action],
        "resource_pattern": pattern,
        "example": {"action": action, "resource": resource, "principal": principal, "context": context},
    }
    if direction == REMOVED:
        path = ""  # SARIF points at NEW's file: the whole document for what it no longer allows
    return Difference(
        direction,
        "permissions",
        f"{action} on {pattern}",
        shown,
        decided,
        "" if decided else why,
        checked or not decided,
        path,
        detail,
    )


def _pattern(document: Any, path: str, resource: str) -> str:
    """The Resource entry of the statement at `path` that the resource matches (or the resource)."""
    for statement in statements(document):
        if statement.path == path:
            entries = strings(statement.body.get("Resource"))
            return next((e for e in entries if wildcard_match(e, resource)), resource)
    return resource


def _named(difference: Difference, actions: list[str]) -> Difference:
    from dataclasses import replace

    actions = list(dict.fromkeys(actions))
    shown = ", ".join(actions[:_SHOWN]) + (
        f" and {len(actions) - _SHOWN} more" if len(actions) > _SHOWN else ""
    )
    pattern = difference.detail.get("resource_pattern", "any resource")
    return replace(
        difference, subject=f"{shown} on {pattern}", detail={**difference.detail, "actions": actions}
    )


__all__: list[str] = ["grant_differences"]
