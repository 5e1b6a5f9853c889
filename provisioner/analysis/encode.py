"""Policy statements as z3 formulas over a symbolic request (IAM User Guide, "Condition
operators", "IAM JSON policy elements: Principal"). It mirrors evaluation/ operator by operator,
so that a formula is true exactly when the concrete evaluator would say the statement applies;
the counterexamples of analysis/trust.py are re-checked by that evaluator to keep it so.

- Strings compared with `…Equals`, `…Like`, `…IgnoreCase`, the ARN operators and `Bool` are
  regular-language constraints (`*` any run, `?` any one character; ARN fields one by one).
- A key missing from the request makes a positive operator false and a negated one true;
  `…IfExists` is true when missing; `ForAllValues` is true for a missing key and `ForAnyValue`
  false ("Single-valued vs. multivalued context keys"). Every key is taken as holding at most one
  value: exact for the single-valued keys a trust is about.
- What is not modelled (Numeric, Date, IpAddress and Binary operators, policy variables, keys
  whose values we cannot know such as aws:userid) becomes a free Boolean "atom", recorded with
  why: a door that exists only through an atom is "not decided", never a proof.

Imported only by analysis/trust.py, itself loaded only by the commands that decide trusts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import z3

from provisioner.analysis.address import Address
from provisioner.iam import Statement, action_matches, condition_entries, strings
from provisioner.model.arn import Arn

_NEGATED = {
    "stringnotequals",
    "stringnotequalsignorecase",
    "stringnotlike",
    "arnnotequals",
    "arnnotlike",
    "numericnotequals",
    "datenotequals",
    "notipaddress",
}
_STRING_OPS = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "bool"}

_UNMODELLED = {
    "nume": "numbers are not compared yet",
    "date": "dates are not compared yet",
    "ipad": "IP ranges are not compared yet",
    "bina": "binary values are not compared yet",
}
RE = z3.ReSort(z3.StringSort())
ANY_CHAR = z3.AllChar(RE)
ANY = z3.Star(ANY_CHAR)
NOT_COLON = z3.Intersect(ANY_CHAR, z3.Complement(z3.Re(":")))


def concat(parts: list[z3.ReRef]) -> z3.ReRef:
    if not parts:
        return z3.Re(z3.StringVal(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def literal(text: str) -> z3.ReRef:
    return z3.Re(z3.StringVal(text))


def like(pattern: str, any_char: z3.ReRef = ANY_CHAR) -> z3.ReRef:
    """A StringLike pattern as a regular language: `*` any run, `?` any one character."""
    parts: list[z3.ReRef] = []
    run = ""
    for char in pattern:
        if char in "*?":
            if run:
                parts.append(literal(run))
                run = ""
            parts.append(z3.Star(any_char) if char == "*" else any_char)
        else:
            run += char
    if run:
        parts.append(literal(run))
    return concat(parts)


def like_formula(value: z3.SeqRef, pattern: str) -> z3.BoolRef:
    """`value` matches a StringLike pattern. A pattern with at most one `*` is put as a length and
    the characters at fixed places from either end, which the solver decides far faster than the
    same language as a regular expression (a `?` pattern negated took it a second)."""
    if pattern.count("*") > 1:
        return z3.InRe(value, like(pattern))
    head, star, tail = pattern.partition("*")
    length = z3.Length(value)
    chars = [_char_at(value, i, c) for i, c in enumerate(head) if c != "?"]
    chars += [_char_at(value, length - len(tail) + i, c) for i, c in enumerate(tail) if c != "?"]
    size = length >= len(head) + len(tail) if star else length == len(head)
    return z3.And(size, *chars)


def _char_at(value: z3.SeqRef, index: Any, char: str) -> z3.BoolRef:
    return z3.SubString(value, index, 1) == z3.StringVal(char)


def ignore_case(text: str) -> z3.ReRef:
    """Every string equal to `text` without regard to letter case."""
    parts = [
        z3.Union(z3.Re(c.lower()), z3.Re(c.upper())) if c.lower() != c.upper() else literal(c) for c in text
    ]
    return concat(parts)


def equal_ignoring_case(value: z3.SeqRef, text: str) -> z3.BoolRef:
    """`value` equals `text` without regard to letter case (character by character: the solver
    decides this far faster than the same language as a regular expression, negated)."""
    chars = []
    for index, char in enumerate(text):
        at = z3.SubString(value, index, 1)
        if char.lower() != char.upper():
            chars.append(z3.Or(at == z3.StringVal(char.lower()), at == z3.StringVal(char.upper())))
        else:
            chars.append(at == z3.StringVal(char))
    return z3.And(z3.Length(value) == len(text), *chars)


def arn_like(pattern: str) -> z3.ReRef | None:
    """ArnLike/ArnEquals: each of the six colon-separated fields matched on its own; wildcards in
    the first five stay within their field. None for a pattern that is not an ARN (matches nothing)."""
    arn = Arn.parse(pattern)
    if arn is None:
        return None
    fields = [like(f, NOT_COLON) for f in (arn.partition, arn.service, arn.region, arn.account)]
    parts = [literal("arn:")]
    for item in fields:
        parts.extend([item, literal(":")])
    parts.append(like(arn.resource))
    return concat(parts)


@dataclass
class Key:
    """A condition key of the symbolic request: is it present, and its value."""

    present: z3.BoolRef
    value: z3.SeqRef
    opaque: str = ""  # why its value cannot be reasoned about ("" when it can)
    unknown: bool = False  # nor whether it is present
    # ArnEquals/ArnLike on the key, over the parts the value is built from (aws:PrincipalArn):
    # the same language as `arn_like` on the whole value, which the solver decides far faster
    arn: Callable[[str], z3.BoolRef] | None = None
    like: Callable[[str], z3.BoolRef] | None = None  # StringLike on the key, the same way
    # an address key (aws:SourceIp, aws:VpcSourceIp): IpAddress over its bits; a string
    # comparison of it is not modelled
    address: Address | None = None
    numeric: bool = False  # a whole number the caller chooses (its digits): Numeric operators decided


@dataclass
class Encoder:
    """Builds formulas for one symbolic caller. `key` gives a request key (lower-case name);
    `principal` whether a Principal element names the caller; `spares` whether a Deny's
    NotPrincipal spares it (evaluation's not_principal_spares)."""

    key: Callable[[str, str], Key]
    principal: Callable[[Any], z3.BoolRef]
    spares: Callable[[Any], z3.BoolRef]  # does a Deny's NotPrincipal spare the caller?
    atoms: list[tuple[z3.BoolRef, bool]] = field(default_factory=list)  # (atom, its closing value)
    undecided: list[str] = field(default_factory=list)

    def statement(
        self, statement: Statement, action: str, resource: str, *, variables: bool, closing: bool
    ) -> z3.BoolRef:
        """Does the statement apply to the request? `closing` is the value that keeps the door
        shut for its atoms: False in an Allow, True in a Deny."""
        body = statement.body
        if "Action" in body and not any(action_matches(a, action) for a in strings(body["Action"])):
            return z3.BoolVal(False)
        if "NotAction" in body and any(action_matches(a, action) for a in strings(body["NotAction"])):
            return z3.BoolVal(False)
        if not _resource_applies(body, resource):
            return z3.BoolVal(False)
        parts: list[z3.BoolRef] = []
        if "Principal" in body:
            parts.append(self.principal(body["Principal"]))
        if "NotPrincipal" in body:  # a Deny spares only whom it names as every principal it is
            named = self.spares if closing else self.principal
            parts.append(z3.Not(named(body["NotPrincipal"])))
        entries = condition_entries(body.get("Condition"))
        if entries is None:
            return z3.BoolVal(False)
        parts += [self.condition(op, key, values, variables, closing) for op, key, values in entries]
        return z3.And(*parts) if parts else z3.BoolVal(True)

    def condition(
        self, operator: str, key: str, values: list[Any], variables: bool, closing: bool
    ) -> z3.BoolRef:
        """One operator on one key (evaluation/conditions.py's condition_holds, symbolically)."""
        qualifier, _, name = operator.rpartition(":")
        qualifier = qualifier.lower()
        base = name.lower().removesuffix("ifexists")
        if_exists = name.lower().endswith("ifexists")
        request_key = self.key(key.lower(), key)
        present = request_key.present
        if base == "null" and request_key.unknown:
            return self._atom(f"{operator} on {key} ({request_key.opaque})", closing)
        if base == "null":
            wanted = {str(v).lower() for v in values}
            options = [z3.Not(present)] if "true" in wanted else []
            options += [present] if "false" in wanted else []
            return z3.Or(*options) if options else z3.BoolVal(False)
        single = self._single(operator, base, key, request_key, values, variables, closing)
        if qualifier == "forallvalues":
            return z3.Or(z3.Not(present), single)
        if qualifier == "foranyvalue":
            return z3.And(present, single)
        if if_exists or base in _NEGATED:
            return z3.Or(z3.Not(present), single)
        return z3.And(present, single)

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
        negated = base in _NEGATED
        positive = base.replace("not", "", 1) if negated else base
        texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
        why = ""
        if request_key.address is not None:  # IpAddress over the bits, IP User Guide semantics
            if positive != "ipaddress":
                spelled = request_key.address.spelled(positive, texts)
                if spelled is None:
                    return self._atom(f"{operator} on {key} (an address compared as a string)", closing)
                return z3.Not(spelled) if negated else spelled
            within = z3.Or(*[request_key.address.within(t) for t in texts]) if texts else z3.BoolVal(False)
            return z3.Not(within) if negated else within
        if request_key.numeric and positive.startswith(("numeric", "date")):
            whole = z3.StrToInt(request_key.value)  # -1 for a text that is no number: none
            number = z3.ToReal(whole)
            options = [_numeric(positive, number, t) for t in texts]
            matched = z3.And(whole >= 0, z3.Or(*options)) if options else z3.BoolVal(False)
            return z3.Not(matched) if negated else matched
        known = _known_text(request_key)
        if known is not None and positive not in _STRING_OPS and not any("${" in t for t in texts):
            # a key with one value (the time of the run, a fixed key): the evaluator decides it
            from provisioner.evaluation.conditions import _single as single_value
            from provisioner.evaluation.model import Request

            return z3.BoolVal(single_value(base, known, values, Request("", "", "", {}), False))
        if request_key.opaque:  # what the key holds is not known here: say that, not the operator
            why = f"{operator} on {key} ({request_key.opaque})"
        elif positive not in _STRING_OPS:
            unmodelled = _UNMODELLED.get(positive[:4], "an operator the analysis does not know")
            why = f"{operator} on {key} ({unmodelled})"
        elif variables and any("${" in t for t in texts):
            why = f"{operator} on {key} with a policy variable"
        if why:
            return self._atom(why, closing)
        arn = request_key.arn if positive in ("arnequals", "arnlike") else None
        arn = request_key.like if positive == "stringlike" else arn
        options = [arn(t) if arn is not None else matches(positive, t, request_key.value) for t in texts]
        matched = z3.Or(*options) if options else z3.BoolVal(False)
        return z3.Not(matched) if negated else matched

    def _atom(self, why: str, closing: bool) -> z3.BoolRef:
        atom = z3.FreshBool("atom")
        self.atoms.append((atom, closing))
        self.undecided.append(why)
        return atom


def _numeric(op: str, number: z3.ArithRef, text: str) -> z3.BoolRef:
    """One Numeric (or Date, the key a time in seconds) operator against a policy value (one
    that is no number, or date, matches nothing)."""
    from provisioner.evaluation.conditions import parse_date

    relation_name = op.removeprefix("numeric").removeprefix("date")
    try:
        if op.startswith("numeric"):
            parsed = float(text)
        else:
            when = parse_date(text)
            if when is None:
                return z3.BoolVal(False)
            parsed = when.timestamp()
    except ValueError:
        return z3.BoolVal(False)
    value = z3.RealVal(str(parsed))
    relation = {
        "equals": number == value,
        "lessthan": number < value,
        "lessthanequals": number <= value,
        "greaterthan": number > value,
        "greaterthanequals": number >= value,
    }
    return relation.get(relation_name, z3.BoolVal(False))


def _known_text(key: Key) -> str | None:
    """The key's one value, when it has one (a constant, not a variable)."""
    if key.opaque or key.address is not None or not z3.is_string_value(key.value):
        return None
    return str(key.value.as_string())


def matches(op: str, text: str, value: z3.SeqRef) -> z3.BoolRef:
    if op == "stringequals":
        return value == z3.StringVal(text)
    if op in ("stringequalsignorecase", "bool"):
        return equal_ignoring_case(value, text)
    if op == "stringlike":
        return like_formula(value, text)
    language = arn_like(text)
    return z3.InRe(value, language) if language is not None else z3.BoolVal(False)


def _resource_applies(body: dict[str, Any], resource: str) -> bool:
    from provisioner.iam import wildcard_match

    if "Resource" in body and not any(wildcard_match(r, resource) for r in strings(body["Resource"])):
        return False
    return not (
        "NotResource" in body and any(wildcard_match(r, resource) for r in strings(body["NotResource"]))
    )


@dataclass(frozen=True)
class Charset:
    """What a free string may hold: characters (as a regular language and as a Python class) and
    a length range."""

    value: z3.SeqRef
    language: z3.ReRef
    python: str
    shortest: int
    longest: int
    default: str = "x1"  # a value within it, tried first (an equality costs the solver nothing)
    present: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(True))
    head: str = ""  # a constant start, before the characters ("o-" of an organization's ID)

    def constraint(self) -> z3.BoolRef:
        body = z3.Star(self.language)
        return z3.And(
            z3.InRe(self.value, z3.Concat(z3.Re(self.head), body) if self.head else body),
            z3.Length(self.value) >= len(self.head) + self.shortest,
            z3.Length(self.value) <= len(self.head) + self.longest,
        )

    def preferred(self) -> z3.BoolRef:
        return z3.Or(z3.Not(self.present), self.value == z3.StringVal(self.default))

    def holds(self, model: z3.ModelRef) -> bool:
        if not z3.is_true(model.eval(self.present, model_completion=True)):
            return True  # an absent key's value means nothing
        text = str(model.eval(self.value, model_completion=True).as_string())
        pattern = f"{re.escape(self.head)}{self.python}{{{self.shortest},{self.longest}}}"
        return re.fullmatch(pattern, text, re.ASCII) is not None
