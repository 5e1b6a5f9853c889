"""The whole authorization chain of one request as one z3 formula over its free keys.

The request is concrete (caller, action, resource, the known keys at their values); the keys
only the vendor chooses, and those validate could not read, are variables (analysis/session.py).
Each statement is a formula: its Action, NotAction, Resource and NotResource are decided at once
(the action and resource are known); Principal and NotPrincipal are decided by the evaluator's
own functions at each session name the element names and at one other name (they only compare
the caller with what is named); a condition on a known key is decided by the evaluator at the
request's value (every operator family, multivalued keys and policy variables of known keys
included); a condition on a free key is encoded (analysis/encode.py's Encoder: the string, ARN,
Bool and Null operators, IfExists and the set operators) with, in this module, IpAddress and
NotIpAddress over the address vectors, every operator on s3:TlsVersion decided by the evaluator
at 1.2 and at 1.3, and a session tag compared only as a number (or only as a date) decided by
the evaluator at one value of each region its constants make (analysis/mentions.py). What is
left (a number, date or address comparison of a free string that is also compared as a string,
an address compared as a string, a policy variable of a free key) is a free Boolean with why: an
answer through one is re-checked by the evaluator and otherwise "not decided".

The layers are combined exactly as evaluation/chain.py's `authorize` (IAM User Guide, "Policy
evaluation logic", "Cross-account policy evaluation logic", "Permissions boundaries for IAM
entities"):

    allowed = not (a Deny of any SCP, RCP, identity policy, boundary or resource policy applies)
              and (every SCP level and every RCP level has an Allow that applies)
              and case

where, with B = "no boundary, or the boundary allows", I the identity policies' Allow, R the
resource policy's Allow (an Allow naming only the caller's account does not count in the same
account: it delegates), N "an Allow of the resource policy that applies names the session
exactly (its ARN or "*")":

    cross-account:        R and I and B
    same account:         R and (N or B)  or  I and B
    resource_required:    R and (N or B)  or  D and I and B   (D: the resource policy allows the account)

and a resource policy's Deny with NotPrincipal applies to a caller with a boundary whatever it
names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import z3

from provisioner.analysis.encode import Encoder, Key
from provisioner.analysis.mentions import named_ids, typed_tags
from provisioner.analysis.session import IP_KEYS, TLS_VERSIONS, SessionRequest
from provisioner.analysis.variables import FOLDING, LITERAL_OPERATORS, by_variable, variable_spellings
from provisioner.evaluation import Policy, Request, condition_holds, not_principal_spares, principal_matches
from provisioner.evaluation import value_matches as matches
from provisioner.evaluation.chain import Chain, _names_exactly
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.conditions import _single as single_value
from provisioner.evaluation.conditions import _substitute
from provisioner.evaluation.free import chain_policies
from provisioner.iam import Statement, action_matches, as_list, condition_entries, strings

_FALSE = z3.BoolVal(False)
_TRUE = z3.BoolVal(True)
Formula: TypeAlias = Any  # bool | z3.BoolRef: a Python bool where the answer is known at once


def _constant(part: Formula) -> bool | None:
    if isinstance(part, bool):
        return part
    return True if z3.is_true(part) else False if z3.is_false(part) else None


def _fold(parts: Sequence[Formula], absorbing: bool) -> Formula:
    """Or (`absorbing` True) or And (False), folding constants: a part equal to `absorbing`
    decides at once, the others drop (most statements are decided at once: no term is built)."""
    out: list[z3.BoolRef] = []
    for part in parts:
        known = _constant(part)
        if known is absorbing:
            return absorbing
        if known is None:
            out.append(part)
    if not out:
        return not absorbing
    return out[0] if len(out) == 1 else (z3.Or(*out) if absorbing else z3.And(*out))


def or_(parts: Sequence[Formula]) -> Formula:
    return _fold(parts, True)


def and_(parts: Sequence[Formula]) -> Formula:
    return _fold(parts, False)


def not_(part: Formula) -> Formula:
    known = _constant(part)
    return z3.Not(part) if known is None else not known


def term(part: Formula) -> z3.BoolRef:
    return z3.BoolVal(part) if isinstance(part, bool) else part


class _Conditions(Encoder):
    """The Encoder, with conditions on known keys decided at their values, IpAddress over the
    address vectors and s3:TlsVersion at each version."""

    def __init__(self, symbolic: SessionRequest) -> None:
        super().__init__(symbolic.key, lambda _: _FALSE, lambda _: _FALSE)
        self.symbolic = symbolic

    def _free_variable(self, value: Any) -> bool:
        lowered = str(value).lower()
        if "${" not in lowered:
            return False
        names = [part.split("}", 1)[0].split(",", 1)[0].strip() for part in lowered.split("${")[1:]]
        return any(self.symbolic.is_free(name) for name in names)

    def condition(
        self, operator: str, key: str, values: list[Any], variables: bool, closing: bool
    ) -> z3.BoolRef:
        request = self.symbolic.request
        if variables and any(self._free_variable(v) for v in values):
            base = operator.rpartition(":")[2].lower().removesuffix("ifexists")
            texts = [str(v) for v in values]
            if base in LITERAL_OPERATORS and not self.symbolic.is_free(key.lower()):
                present = request.key(key)
                compared = [str(v) for v in as_list(present)] if present is not None else []
                found = self.by_variable(
                    texts,
                    compared,
                    lambda r: condition_holds(operator, key, values, r, variables=True),
                    fold=base in FOLDING,
                )
                if found is not None:
                    return found
            return self._atom(
                f"{operator} on {key} with a policy variable of a key the vendor chooses", closing
            )
        if not self.symbolic.is_free(key.lower()):
            return z3.BoolVal(condition_holds(operator, key, values, request, variables=variables))
        if variables and any("${" in str(v) for v in values):
            resolved = []
            for value in values:
                pieces = _substitute(str(value), request, variables)
                if pieces is None:  # a variable with no value and no default: the value matches
                    if "not" in operator.lower():  # nothing, and a negated operator does not hold
                        return _FALSE  # (evaluation.conditions: the statement is invalid)
                    continue
                if any(literal and ("*" in text or "?" in text) for text, literal in pieces):
                    if key.lower() in LITERAL_FREE or key.lower().startswith("aws:principaltag/"):
                        continue  # a literal * or ? (${*}, ${?}): no value of the key holds one
                    return self._atom(
                        f"{operator} on {key} with a literal * or ? from a policy variable", closing
                    )
                resolved.append("".join(text for text, _ in pieces))
            values = resolved
        return super().condition(operator, key, values, False, closing)

    def by_variable(
        self, texts: list[str], compared: list[str], holds: Callable[[Request], bool], fold: bool = False
    ) -> z3.BoolRef | None:
        """analysis/variables.py: the answer over the free keys the texts name as policy
        variables (None: one whose value is not a string the solver knows, an address or a tag
        compared as a number, or too many combinations)."""
        spelled = {
            n.lower(): n for t in texts for n in variable_spellings(t) if self.symbolic.is_free(n.lower())
        }
        if not spelled or any(n in IP_KEYS or n in self.symbolic.typed for n in spelled):
            return None
        keys = [(self.symbolic.key(n, w), w) for n, w in spelled.items()]
        return by_variable(keys, self.symbolic.request, texts, compared, holds, fold)

    def _single(
        self,
        operator: str,
        base: str,
        key: str,
        request_key: Key,
        values: list[Any],
        variables: bool,
        closing: bool,
    ) -> z3.BoolRef:
        lower = key.lower()
        if lower in self.symbolic.chosen:  # a tag compared only as a number, a date or an address
            request, index = self.symbolic.request, self.symbolic.chosen[lower]
            options = self.symbolic.typed[lower]
            return or_(
                [
                    z3.And(index == i, self._at(operator, base, key, v, values, request, closing))
                    for i, v in enumerate(options)
                ]
            )
        if lower == "s3:tlsversion":
            request = self.symbolic.request
            return or_(
                [
                    z3.And(
                        request_key.value == z3.StringVal(v),
                        z3.BoolVal(single_value(base, v, values, request, False)),
                    )
                    for v in TLS_VERSIONS
                ]
            )
        if lower in IP_KEYS:
            address = self.symbolic.addresses[lower]
            if base not in ("ipaddress", "notipaddress"):
                positive = base.replace("not", "", 1) if base.startswith("stringnot") else base
                spelled = address.spelled(positive, [str(v) for v in values])
                if spelled is None:
                    return self._atom(f"{operator} on {key} (an address compared as a string)", closing)
                return z3.Not(spelled) if positive != base else spelled
            within = or_([address.within(str(v)) for v in values])
            return z3.Not(within) if base == "notipaddress" else within
        return super()._single(operator, base, key, request_key, values, variables, closing)

    def _at(
        self,
        operator: str,
        base: str,
        key: str,
        value: str,
        values: list[Any],
        request: Request,
        closing: bool,
    ) -> z3.BoolRef:
        """The operator at one representative value of a typed tag. A negated typed operator
        (NotIpAddress, NumericNotEquals, DateNotEquals) at a value that is no address, number or
        date: the IAM User Guide does not say whether it holds (evaluators differ: ours holds
        it, the independent one does not), so an answer through it is not decided."""
        if base in UNTYPED_NEGATIONS and value.startswith("not-a"):
            kind = UNTYPED_NEGATIONS[base]
            why = f"{operator} on {key} at a value that is no {kind} (the IAM User Guide does not say)"
            return self._atom(why, closing)
        return z3.BoolVal(single_value(base, value, values, request, False))


UNTYPED_NEGATIONS = {"notipaddress": "address", "numericnotequals": "number", "datenotequals": "date"}


# Free keys whose values never hold a * or ?: a session name ([\w+=,.@-]), a VPC or endpoint
# ID, a TLS version (a tag value's characters hold neither: IAM User Guide, "Tagging IAM
# resources", naming rules)
LITERAL_FREE = frozenset({"aws:userid", "aws:sourcevpc", "aws:sourcevpce", "s3:tlsversion"})


def _matching(pattern: str) -> Callable[[Request], bool]:
    """Does the pattern (with its policy variables) match the request's resource?"""
    return lambda r: matches(pattern, r.resource, r, wildcards=True, variables=True)


class ChainFormula:
    """`allowed`: the chain allows the request, over its free keys."""

    def __init__(
        self, chain: Chain, request: Request, free: FreeKeys, unknown: dict[str, str] | None = None
    ) -> None:
        self.chain = chain
        self.symbolic = SessionRequest(request, free, unknown)
        self.symbolic.named = named_ids(chain_policies(chain))
        self.symbolic.typed = typed_tags(chain_policies(chain), self.symbolic)
        self.encoder = _Conditions(self.symbolic)
        self.allowed = self._combine()

    @property
    def request(self) -> Request:
        return self.symbolic.request

    def applies(
        self, policy: Policy, statement: Statement, *, bounded: bool = False, exact: bool = False
    ) -> Formula:
        """Does the statement apply (evaluation's statement_applies)? `bounded`: a Deny's
        NotPrincipal spares no one; `exact`: an Allow's Principal must name the caller itself
        (evaluate's account_delegates)."""
        body, request, variables = statement.body, self.request, policy.variables
        if "Action" in body and not any(action_matches(a, request.action) for a in strings(body["Action"])):
            return False
        if "NotAction" in body and any(action_matches(a, request.action) for a in strings(body["NotAction"])):
            return False
        deny = statement.effect == "Deny"
        parts = [self._resources(body, variables, deny)]
        if parts[0] is False:
            return False
        if "Principal" in body:
            element = body["Principal"]
            parts.append(
                self.symbolic.by_caller(
                    lambda c: principal_matches(element, c, exact=exact and not deny), element
                )
            )
        if "NotPrincipal" in body:
            element = body["NotPrincipal"]
            if not deny:
                parts.append(not_(self.symbolic.by_caller(lambda c: principal_matches(element, c), element)))
            elif not bounded:
                parts.append(
                    not_(self.symbolic.by_caller(lambda c: not_principal_spares(element, c), element))
                )
        if and_(parts) is False:
            return False
        entries = condition_entries(body.get("Condition"))
        if entries is None:
            return False
        parts += [self.encoder.condition(op, key, values, variables, deny) for op, key, values in entries]
        return and_(parts)

    def _resources(self, body: dict[str, Any], variables: bool, deny: bool) -> Formula:
        out: list[Formula] = []
        for element, named in (("Resource", True), ("NotResource", False)):
            if element not in body:
                continue
            found: list[Formula] = []
            for pattern in strings(body[element]):
                if self.symbolic.object_head is not None:  # any object: the key is a variable
                    found.append(self._object(pattern, element, variables, deny == named))
                elif variables and self.encoder._free_variable(pattern):
                    exact = self.encoder.by_variable([pattern], [self.request.resource], _matching(pattern))
                    why = f"{element} {pattern} with a policy variable of a key the vendor chooses"
                    found.append(exact if exact is not None else self.encoder._atom(why, deny == named))
                elif matches(
                    pattern, self.request.resource, self.request, wildcards=True, variables=variables
                ):
                    found.append(True)
                    break
            out.append(or_(found) if named else not_(or_(found)))
        return and_(out)

    def _object(self, pattern: str, element: str, variables: bool, closing: bool) -> Formula:
        """Does a Resource pattern match the object, over every key under the prefix? Its known
        policy variables resolved first (a variable with no value matches nothing)."""
        resolved = pattern
        if variables and "${" in pattern:
            pieces = _substitute(pattern, self.request, variables)
            if self.encoder._free_variable(pattern) or (
                pieces is not None and any(v and ("*" in t or "?" in t) for t, v in pieces)
            ):
                why = f"{element} {pattern} with a policy variable, over every object"
                return self.encoder._atom(why, closing)
            if pieces is None:
                return False
            resolved = "".join(t for t, _ in pieces)
        return self.symbolic.object_matches(resolved)

    def layer(
        self, policies: Sequence[Policy], effect: str, *, bounded: bool = False, exact: bool = False
    ) -> list[tuple[Statement, Formula]]:
        """Each statement of `effect` with "it applies"."""
        out: list[tuple[Statement, Formula]] = []
        for policy in policies:
            for statement in policy.statements:
                if statement.effect == effect == "Allow":
                    formula = self.applies(policy, statement, exact=exact and "Principal" in statement.body)
                    out.append((statement, formula))
                elif statement.effect == effect == "Deny":
                    out.append((statement, self.applies(policy, statement, bounded=bounded)))
        return out

    def _allows(self, policies: Sequence[Policy], **how: bool) -> Formula:
        return or_([f for _, f in self.layer(policies, "Allow", **how)])

    def _combine(self) -> z3.BoolRef:
        """authorize's combination: the Allows first, the Denies only when some request passes them."""
        chain = self.chain
        levels = and_([self._allows(level) for level in [*chain.scps, *chain.rcps]])
        if levels is False:
            return _FALSE
        identity = self._allows(chain.identity)
        bounded = self._allows([chain.boundary]) if chain.boundary is not None else True
        has_boundary = chain.boundary is not None
        resource_allows = self.layer(chain.resource, "Allow", exact=not chain.cross_account)
        resource = or_([f for _, f in resource_allows])
        if chain.cross_account:
            case = and_([resource, identity, bounded])
        else:
            named = or_([and_([f, self._names_session(s)]) for s, f in resource_allows])
            first = and_([resource, or_([named, bounded])])
            delegated = self._allows(chain.resource) if chain.resource_required else True
            case = or_([first, and_([delegated, identity, bounded])])
        if case is False:
            return _FALSE
        denies = [f for level in [*chain.scps, *chain.rcps] for _, f in self.layer(level, "Deny")]
        denies += [f for _, f in self.layer(chain.identity, "Deny")]
        denies += [f for _, f in self.layer([chain.boundary] if chain.boundary is not None else [], "Deny")]
        denies += [f for _, f in self.layer(chain.resource, "Deny", bounded=has_boundary)]
        return term(and_([not_(or_(denies)), levels, case]))

    def _names_session(self, statement: Statement) -> Formula:
        """evaluation/chain.py's _names_exactly for the statement's path, at every session name."""
        resource = self.chain.resource
        elements = [
            s.body.get("Principal") for p in resource for s in p.statements if s.path == statement.path
        ]
        request = self.request

        def names(caller: str) -> bool:
            return _names_exactly(resource, statement.path, Request(caller, request.action, request.resource))

        return self.symbolic.by_caller(names, elements)
