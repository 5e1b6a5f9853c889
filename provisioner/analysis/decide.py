"""Decide one request of the vendor's role session over every value of its free keys, with the
chain as one formula (analysis/chain.py):

- `allowed` unsatisfiable: denied for every value; `not allowed` unsatisfiable: allowed for every
  value; both satisfiable: it depends, and on which key: the one whose value alone turns the
  answer when the other free keys are held at the allowed model's values, said with the values on
  both sides (evaluation/regions.py's representatives of that key, each decided by the evaluator,
  give the words: "allowed from 1.3, denied below", "allowed only from 203.0.113.0 (inside
  203.0.113.0/24)", "allowed only for sessions named like lb-*"; the models' own values when
  those do not show both sides);
- each model is made a concrete request and decided by the evaluator (`authorize`); when the two
  disagree (a condition the encoding leaves free), or the solver gives up, the answer is "not
  decided: why", never a PASS.

A key validate could not read (the organization's ID or path) is a variable too: an answer that
turns on one is "not decided" (`turns_on` says which keys an answer turns on).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import z3

from provisioner.analysis import one_solver
from provisioner.analysis.chain import ChainFormula, and_, not_, term
from provisioner.analysis.mentions import mentions_free
from provisioner.evaluation import IMPLICIT_DENY, statement_applies
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.free import Outcome, apply, chain_policies, sides
from provisioner.evaluation.model import Decision, Policy, Request
from provisioner.evaluation.regions import Dimension, dimensions
from provisioner.iam import Statement

TIMEOUT_MS = 5000  # per question; beyond it the answer is "not decided", never a guess


@one_solver
def decide_chain(
    chain: Chain,
    request: Request,
    free: FreeKeys,
    unknown: dict[str, str] | None = None,
    *,
    only_allowed: bool = False,
) -> Outcome:
    """The chain's answer for every value of the free keys (and of the `unknown` keys). With
    `only_allowed`, only "is it allowed for some value?" is asked (`Outcome.possibly`): a refusal
    is not looked for, nor the words."""
    if not mentions_free(chain, request, free, unknown):  # the request decides alone
        decision = authorize(chain, request)
        allowed, denied = (decision, None) if decision.allowed else (None, decision)
        return Outcome(allowed, denied, requests=(request,))
    formula = ChainFormula(chain, request, free, unknown)
    simple = z3.simplify(formula.allowed)
    if z3.is_true(simple) or z3.is_false(simple):  # no value of the free keys changes it
        decision = authorize(chain, formula.symbolic.concrete(formula.symbolic.defaults()))
        if decision.allowed != z3.is_true(simple):
            return _undecided(chain, request, _disagreement(formula, decision))
        at = (formula.symbolic.concrete(formula.symbolic.defaults()),)
        return Outcome(
            decision if decision.allowed else None, None if decision.allowed else decision, requests=at
        )
    found = [_solve(formula, [formula.allowed])]
    found.append((z3.unsat, None, "") if only_allowed else _solve(formula, [z3.Not(formula.allowed)]))
    gave_up = [why for outcome, _, why in found if outcome == z3.unknown]
    if gave_up:
        return _undecided(chain, request, f"not decided: the solver gave up ({gave_up[0]})")
    decisions: list[Decision | None] = []
    requests: list[Request] = []
    for want, (_, model, _) in zip((True, False), found, strict=True):
        if model is None:
            decisions.append(None)
            continue
        requests.append(formula.symbolic.concrete(model))
        decision = authorize(chain, requests[-1])
        if decision.allowed != want:
            return _undecided(chain, request, _disagreement(formula, decision))
        decisions.append(decision)
    allowed, denied = decisions
    if allowed is None and denied is None:
        decision = authorize(chain, request)
        if only_allowed and not decision.allowed:  # none allowed, and the refusal was not asked
            return Outcome(None, decision, requests=(request,))
        # the simulated request is none the vendor can send (a session tag the trust requires:
        # trial 20aa item 1), while some request it can send exists: none of them is allowed
        if only_allowed and _solve(formula, [])[1] is not None:
            return Outcome(None, Decision(IMPLICIT_DENY, why="no request the vendor can send"), requests=())
        return _undecided(chain, request, "not decided: no request of the vendor fits the keys' forms")
    if allowed is None or denied is None or only_allowed:
        return Outcome(allowed, denied, cases=2, requests=tuple(requests))
    model = found[0][1]
    assert model is not None
    depends, unknown_why = _depends(formula, model, unknown or {})
    if unknown_why:
        return Outcome(allowed, denied, undecided=unknown_why, cases=2, requests=tuple(requests))
    return Outcome(allowed, denied, depends, cases=2, requests=tuple(requests))


@one_solver
def turns_on(chain: Chain, request: Request, free: FreeKeys, unknown: dict[str, str]) -> list[str]:
    """The `unknown` keys whose value alone turns the answer for some value of the others (each
    key on its own; all together when none does alone)."""
    if not unknown or not mentions_free(chain, request, free, unknown):
        return []
    formula = ChainFormula(chain, request, free, unknown)
    groups = {name: formula.symbolic.groups[name] for name in unknown if name in formula.symbolic.groups}
    found = [name for name, variables in groups.items() if _turns(formula, variables)]
    if found or len(groups) < 2:
        return found
    together = [v for variables in groups.values() for v in variables]
    return list(groups) if _turns(formula, together) else []


def _turns(formula: ChainFormula, variables: Sequence[Any]) -> bool:
    """allowed(rest, v) and not allowed(rest, v') for some rest, v and v'."""
    # named after the variable (not fresh): the same question has the same terms (`_solve`)
    copies = [(v, z3.Const(f"{v}'", v.sort())) for v in dict.fromkeys(variables)]
    other = z3.substitute(formula.allowed, *copies)
    domain = [z3.substitute(c, *copies) for c in formula.symbolic.domain]
    copied = [v for v, _ in copies]
    domain += [
        z3.substitute(lazy.constraint, *copies)
        for lazy in formula.symbolic.lazy
        if any(lazy.value.eq(v) for v in copied)
    ]
    outcome, _, _ = _solve(formula, [formula.allowed, z3.Not(other), *domain])
    return bool(outcome == z3.sat)


_ANSWERS: dict[tuple[int, ...], tuple[list[Any], tuple[Any, z3.ModelRef | None, str]]] = {}


def _solve(formula: ChainFormula, constraints: list[z3.BoolRef]) -> tuple[Any, z3.ModelRef | None, str]:
    """One question to a fresh solver, the free strings' forms added when a model breaks them.
    The same question (z3 shares equal terms: the same ids) is answered once: validate asks it
    of many actions whose chains read alike (AWSLeastPrivilege's writes); the terms are kept
    with the answer, so that an id is never another term's."""
    asked = [*formula.symbolic.domain, *constraints, *[lazy.constraint for lazy in formula.symbolic.lazy]]
    key = tuple(term.get_id() for term in asked)
    if key in _ANSWERS:
        return _ANSWERS[key][1]
    answer = _ask(formula, constraints)
    if len(_ANSWERS) > 2048:
        _ANSWERS.clear()
    _ANSWERS[key] = (asked, answer)
    return answer


def _ask(formula: ChainFormula, constraints: list[z3.BoolRef]) -> tuple[Any, z3.ModelRef | None, str]:
    symbolic = formula.symbolic
    kept: list[Any] = []
    for _ in range(len(symbolic.lazy) + 1):
        solver = z3.Solver()
        solver.set("timeout", TIMEOUT_MS)
        solver.add(*symbolic.domain, *constraints, *[lazy.constraint for lazy in kept])
        outcome = solver.check()
        if outcome != z3.sat:
            return outcome, None, solver.reason_unknown() if outcome == z3.unknown else ""
        model = solver.model()
        broken = [lazy for lazy in symbolic.lazy if lazy not in kept and not lazy.holds(model)]
        if not broken:
            return outcome, model, ""
        kept += broken
    return z3.unknown, None, "no model within the keys' forms"


def _undecided(chain: Chain, request: Request, why: str) -> Outcome:
    decision = authorize(chain, request)
    return Outcome(
        decision if decision.allowed else None, None if decision.allowed else decision, undecided=why
    )


def _disagreement(formula: ChainFormula, decision: Decision) -> str:
    atoms = list(dict.fromkeys(formula.encoder.undecided))
    if atoms:
        return "not decided: " + "; ".join(atoms)
    return f"not decided: the analysis and the evaluator disagree ({decision.reason()})"


# --- which key decides, in words -------------------------------------------------------------


def _depends(formula: ChainFormula, model: z3.ModelRef, unknown: dict[str, str]) -> tuple[str, str]:
    """(the words of each free key that turns the answer alone, "not decided: …" when a key
    validate could not read does)."""
    groups = formula.symbolic.groups
    dims = dimensions(chain_policies(formula.chain), formula.request, formula.symbolic.free)
    parts: list[str] = []
    for name in groups:
        held = [
            v == model.eval(v, model_completion=True)
            for other, vs in groups.items()
            if other != name
            for v in vs
        ]
        outcome, refused, _ = _solve(formula, [z3.Not(formula.allowed), *held])
        if outcome != z3.sat or refused is None:
            continue
        if name in unknown:
            why = f"{formula.request.action} depends on {name}, which is not known ({unknown[name]})"
            return "", "not decided: " + why
        parts.append(_words(formula, name, model, refused, dims))
    if parts:
        return "; ".join(parts), ""
    return "depends on the combination of " + ", ".join(_label(n) for n in groups), ""


def _label(name: str) -> str:
    return {
        "session": "the vendor's session name",
        "network": "where the vendor calls from",
        "tls": "s3:TlsVersion",
        "object": "the object's key",
    }.get(name, f"the vendor's session tag {name}" if name.lower().startswith("aws:principaltag/") else name)


def _dimension(name: str, dims: list[Dimension]) -> Dimension | None:
    if name == "object":  # its words are the two objects' ARNs
        return None
    kind = {"session": "session", "network": "network", "tls": "tls"}.get(name, "tag")
    for dim in dims:
        if dim.kind == kind and (kind != "tag" or dim.name.lower().endswith(name.lower())):
            return dim
    return None


def _words(
    formula: ChainFormula, name: str, allowed: z3.ModelRef, refused: z3.ModelRef, dims: list[Dimension]
) -> str:
    """ "depends on KEY: allowed …, denied …": the key's representatives (evaluation/regions.py),
    each decided at the allowed request with only that key changed; the models' values else."""
    base = formula.symbolic.restore(formula.symbolic.concrete(allowed), name)
    dim = _dimension(name, dims)
    if dim is not None:
        results = [(c, authorize(formula.chain, apply(base, (c,))).allowed) for c in dim.candidates]
        yes = [c for c, ok in results if ok]
        no = [c for c, ok in results if not ok]
        if yes and no:
            return f"depends on {dim.name}: {sides(dim, yes, no)}"
    base, other = formula.symbolic.concrete(allowed), formula.symbolic.concrete(refused)
    if name == "object":  # the simulated object on its side, where it is one of them
        simulated = formula.symbolic.restore(base, "object")
        if authorize(formula.chain, simulated).allowed:
            base = simulated
        elif not authorize(formula.chain, refused_at := formula.symbolic.restore(other, "object")).allowed:
            other = refused_at
    named = dim.name if dim else _label(name)
    if not authorize(formula.chain, base).allowed or authorize(formula.chain, other).allowed:
        return (
            f"depends on {named} (the values on each side are not decided)"  # re-checked: never shown wrong
        )
    return f"depends on {named}: allowed {_value(name, base)}, denied {_value(name, other)}"


def _value(name: str, request: Request) -> str:
    if name == "session":
        return f"for sessions named {request.principal.rsplit('/', 1)[1]}"
    if name == "network":
        address = request.key("aws:SourceIp")
        return (
            f"from {address}"
            if address is not None
            else f"through the VPC endpoint {request.key('aws:SourceVpce')}"
        )
    if name == "tls":
        return f"with TLS {request.key('s3:TlsVersion')}"
    if name == "object":  # S3's kms:Decrypt names the object in its encryption context
        shown = request.key("kms:EncryptionContext:aws:s3:arn") if request.action.startswith("kms:") else None
        if shown is not None and "/" not in str(shown).split(":::", 1)[-1]:  # the bucket's ARN
            return f"for objects written with an S3 Bucket Key (encryption context {shown})"
        if shown is not None:
            return f"for objects written without an S3 Bucket Key (encryption context {shown})"
        return f"for {request.resource}"
    value = request.key(name)
    if value is None:
        return (
            "when the session has no such tag"
            if name.lower().startswith("aws:principaltag/")
            else "without it"
        )
    if name.lower() == "aws:tokenissuetime" and str(value).isdigit():  # seconds, said as a date
        return f"for a session issued at {datetime.fromtimestamp(int(str(value)), UTC):%Y-%m-%dT%H:%M:%SZ}"
    return f"when it is '{value}'"


# --- which statements apply for some value (the remediations' questions) -------------------


@one_solver
def denies_for_some_value(
    policy: Policy, request: Request, free: FreeKeys, *, only_bounded: bool = False
) -> list[Statement]:
    """The policy's Deny statements that apply to `request` for some value of the free keys;
    with `only_bounded`, those that apply only because the caller has a permissions boundary
    (a NotPrincipal that would spare it otherwise). Each found by the solver and re-checked by
    the evaluator at the model's request."""
    formula = ChainFormula(Chain(resource=[policy]), request, free)
    found: list[Statement] = []
    for statement in policy.statements:
        if statement.effect != "Deny":
            continue
        applies = formula.applies(policy, statement, bounded=only_bounded)
        if only_bounded:
            applies = and_([applies, not_(formula.applies(policy, statement))])
        if applies is False or (not isinstance(applies, bool) and z3.is_false(applies)):
            continue
        _, model, _ = _solve(formula, [term(applies)])
        if model is None:
            continue
        at = formula.symbolic.concrete(model)
        variables = policy.variables
        if statement_applies(statement, at, variables=variables, bounded=only_bounded) and not (
            only_bounded and statement_applies(statement, at, variables=variables)
        ):
            found.append(statement)
    return found
