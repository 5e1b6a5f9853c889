"""Permission and bucket policies: which (action, resource) pairs NEW allows that OLD did not,
and the reverse, decided by the z3 solver over the resources and the request's keys ("Policy
evaluation logic": an Allow applies and no Deny does).

- A permission policy is asked about a session of the role that holds it (its own keys fixed as
  the trust analysis fixes them: aws:PrincipalArn, aws:PrincipalAccount, ...).
- A bucket policy is asked about each class of caller, as a trust is (diff/trust.py's classes:
  each account either document names, any other account, an AWS service): (principal class,
  action, resource) triples. What a caller's own account lets it do is not part of the question.

The actions are those the two documents name (diff/actions.py); actions whose question is the
same (the same statements of each document apply, the same resource formats) are asked once.
The resource is any ARN of the action's resource types; every key a caller chooses is any value
or absent. A condition the analysis does not model (dates, numbers, IP ranges, ...) makes a
difference "not decided: why", which counts as new access. Each example request is re-checked
by the concrete evaluator (NEW allows it and OLD does not)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import z3

from provisioner.analysis import one_solver
from provisioner.analysis.answer import may_name
from provisioner.analysis.request import Caller
from provisioner.diff.actions import named_actions
from provisioner.diff.model import NEW, REMOVED, Difference
from provisioner.diff.symbolic import SymbolicRequest, applies
from provisioner.diff.trust import DIFF_ROLE, classes
from provisioner.evaluation import Policy, caller_request, evaluate
from provisioner.iam import resource_formats, statements, strings, wildcard_match
from provisioner.model.arn import Arn, session_arn

SESSION = "diff-session"
_SHOWN = 4  # actions named in a difference's subject before "and N more"
# (who, in words: "" for the role's session; whether the class may be named at all, given the
# document that would allow; a fresh symbolic request of the class)
Asker = tuple[str, Callable[[Any], bool], Callable[[], SymbolicRequest]]


def grant_differences(old: Any, new: Any, *, role_arn: str = DIFF_ROLE) -> list[Difference]:
    """A permission policy: what a session of the role holding it may newly do, and no longer."""
    arn = Arn.parse(role_arn)
    account, name = (arn.account, arn.name) if arn is not None else ("000000000000", "role")
    principal = session_arn(account, name, SESSION)

    def session() -> SymbolicRequest:
        return SymbolicRequest(Caller("party", account=account, named=role_arn), principal)

    return differences(old, new, "permissions", [("", lambda document: True, session)])


def bucket_differences(old: Any, new: Any) -> list[Difference]:
    """A bucket policy: what each class of caller may newly do, and no longer."""
    return differences(old, new, "resource", _class_askers(old, new))


def _class_askers(old: Any, new: Any, resource: str | None = None) -> list[Asker]:
    """One asker per caller class of the two documents (diff/trust.py's classes); `resource`:
    the one resource every request is about (a trust's role)."""
    askers: list[Asker] = []
    for kind, name, account, excluded in classes(old, new):

        def named(document: Any, kind: str = kind, account: str | None = account, ex: Any = excluded) -> bool:
            return may_name(document, kind, account, ex)

        def make(kind: str = kind, account: str | None = account, ex: Any = excluded) -> SymbolicRequest:
            request = SymbolicRequest(Caller(kind, account=account, excluded=ex))
            if resource is not None:
                request.domain.append(request.resource == z3.StringVal(resource))
            return request

        askers.append((name, named, make))
    return askers


# What a trust allows besides sts:AssumeRole, asked with the same request. IAM User Guide, "Pass
# session tags in AWS STS", "Permissions required to add session tags": the role's trust policy
# must allow sts:TagSession for session tags to be passed; a session tag with the key of a role tag
# takes its place in aws:PrincipalTag, so a caller that may tag its session may meet a policy
# keyed on a tag. (sts:SetSourceIdentity likewise, for aws:SourceIdentity.)
SESSION_ACTIONS = {
    "sts:tagsession": "session tags, which override the role's own tags in aws:PrincipalTag",
    "sts:setsourceidentity": "a source identity of its choosing (aws:SourceIdentity)",
}


def session_differences(old: Any, new: Any, *, role_arn: str = DIFF_ROLE) -> list[Difference]:
    """A trust: which caller classes may newly tag their sessions or set a source identity when
    they assume the role (sts:TagSession, sts:SetSourceIdentity), and no longer."""
    asked = ["sts:TagSession", "sts:SetSourceIdentity"]
    found = differences(old, new, "trust", _class_askers(old, new, role_arn), actions=asked)
    out = []
    for d in found:
        actions = d.detail.get("actions", [])
        what = "; ".join(SESSION_ACTIONS[a.lower()] for a in actions if a.lower() in SESSION_ACTIONS)
        who = d.detail.get("principal_class", "a caller")
        subject = f"{who} to {', '.join(actions) or 'sts:TagSession'}" + (f" ({what})" if what else "")
        out.append(replace(d, subject=subject))
    return out


# A diff must end: a CI job or a pre-commit hook waits for it. After this long, the questions left
# are not asked, and their actions are one difference "not decided" (new access: exit 1).
BUDGET_SECONDS = 120


@one_solver
def differences(
    old: Any, new: Any, kind: str, askers: list[Asker], actions: Iterable[str] | None = None
) -> list[Difference]:
    """Every (who, action, resource) NEW allows and OLD did not, then every one OLD allowed and
    NEW does not, grouped by who, the statement that decides them and its resource pattern."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for action in named_actions([old, new]) if actions is None else actions:
        groups.setdefault(_signature(action, old, new), []).append(action)
    found: list[Difference] = []
    deadline = time.monotonic() + BUDGET_SECONDS
    for direction, before, after in ((NEW, old, new), (REMOVED, new, old)):
        merged: dict[tuple[str, str, str, bool], tuple[Difference, list[str]]] = {}
        unasked: list[str] = []
        for signature, actions in groups.items():
            if not _may_differ(signature, direction):
                continue
            if time.monotonic() > deadline:
                unasked += actions  # out of time: not decided, never skipped
                continue
            for who, may, make in askers:
                if not may(after):
                    continue  # no Allow of the document can name the class
                difference = _ask(actions[0], before, after, direction, make(), kind)
                if difference is None:
                    continue
                key = (
                    who,
                    difference.path,
                    difference.detail.get("resource_pattern", ""),
                    difference.decided,
                )
                merged.setdefault(key, (difference, []))[1].extend(actions)
        found += [_named(d, actions, key[0]) for key, (d, actions) in merged.items()]
        if unasked:
            why = f"not asked: the analysis took over {BUDGET_SECONDS} s ({len(unasked)} actions left)"
            shown = ", ".join(unasked[:3]) + (f" and {len(unasked) - 3} more" if len(unasked) > 3 else "")
            gone = Difference(direction, kind, f"{shown} on any resource", "", False, why, False)
            found.append(replace(gone, detail={"actions": unasked}))
    return found


def _signature(action: str, old: Any, new: Any) -> tuple[Any, ...]:
    """What the action's question depends on: the statements of each document that apply to it
    (their text without Action), and its resource formats when a statement names resources."""
    sides = []
    for document in (old, new):
        applying = [s for s in statements(document) if applies(s, action)]
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
    kept = {k: v for k, v in body.items() if k not in ("Action", "NotAction", "Sid")}
    return json.dumps(kept, sort_keys=True)


def _ask(
    action: str, before: Any, after: Any, direction: str, symbolic: SymbolicRequest, kind: str
) -> Difference | None:
    """A request for `action` that `after` allows and `before` does not, or None: decided (NEW
    allows it whatever its unmodelled conditions hold, OLD refuses it whatever its own hold), else
    one through what is not modelled."""
    gains, keeps = symbolic.encoder(), symbolic.encoder()
    goal = z3.And(symbolic.layer(gains, after, action), z3.Not(symbolic.layer(keeps, before, action)))
    atoms = [a == closing for a, closing in gains.atoms] + [a != closing for a, closing in keeps.atoms]
    base = [*symbolic.constraints(), symbolic.of_action(action), goal]
    why = "; ".join(dict.fromkeys([*gains.undecided, *keeps.undecided]))
    for decided, extra in ((True, atoms), (False, [])):
        if not decided and not atoms:
            break
        outcome, model, reason = symbolic.solve([*base, *extra])
        if outcome == z3.unknown:
            reason = f"the solver gave up ({reason})"
            return Difference(direction, kind, f"{action} on any resource", "", False, reason, False)
        if model is not None:
            return _difference(
                symbolic, model, action, (before, after), direction, kind, "" if decided else why
            )
    return None


def _difference(
    symbolic: SymbolicRequest,
    model: z3.ModelRef,
    action: str,
    documents: tuple[Any, Any],
    direction: str,
    kind: str,
    why: str,
) -> Difference:
    """The difference the model shows, re-checked by the concrete evaluator."""
    before, after = documents
    resource, context = symbolic.concrete(model)
    principal = symbolic.who(model)
    request = caller_request(principal, action, resource, **dict[str, Any](context))
    now = evaluate([Policy("after", after)], request)
    checked = now.allowed and not evaluate([Policy("before", before)], request).allowed
    path = now.allows[0].path if now.allows else ""
    pattern = _pattern(after, path, resource)
    keys = ", ".join(f"{k}={v!r}" for k, v in context.items())
    shown = f"{action} on {resource} by {principal}" + (f" with {keys}" if keys else "")
    example = {"action": action, "resource": resource, "principal": principal, "context": context}
    detail = {"actions": [action], "resource_pattern": pattern, "example": example}
    if direction == REMOVED:
        path = ""  # SARIF points at NEW's file: the whole document for what it no longer allows
    subject = f"{action} on {pattern}"
    return Difference(direction, kind, subject, shown, not why, why, checked or bool(why), path, detail)


def _pattern(document: Any, path: str, resource: str) -> str:
    """The Resource entry of the statement at `path` that the resource matches (or the resource)."""
    for statement in statements(document):
        if statement.path == path:
            entries = strings(statement.body.get("Resource"))
            return next((e for e in entries if wildcard_match(e, resource)), resource)
    return resource


def _named(difference: Difference, actions: list[str], who: str) -> Difference:
    actions = list(dict.fromkeys(actions))
    more = f" and {len(actions) - _SHOWN} more" if len(actions) > _SHOWN else ""
    pattern = difference.detail.get("resource_pattern", "any resource")
    subject = f"{', '.join(actions[:_SHOWN])}{more} on {pattern}" + (f" to {who}" if who else "")
    detail = {**difference.detail, "actions": actions, **({"principal_class": who} if who else {})}
    return replace(difference, subject=subject, detail=detail)
