"""A policy variable of a key the vendor chooses, decided exactly ("Policy variables"): the
session name in `${aws:userid}` ("role-id:caller-specified-role-name" for a role session), a
session tag in `${aws:PrincipalTag/KEY}` where the trust lets the vendor tag its session, or any
other free key, in a condition's values or in a Resource.

The variable's value enters the policy's text as a literal (a session name's and a tag value's
forms hold no wildcard), and the text is compared with known strings: the request key's values
or the request's resource. A literal can only match inside a string that holds it, so for every
value that is no substring of the strings compared the answer is one and the same; it can differ
only at the substrings a match can place there. The evaluator decides the answer at each of those,
at one value that is none of them, and with the key absent; the formula is that table. An operator
that folds case (StringEqualsIgnoreCase) is decided over the lower case of every string, a value
matching in any spelling; those that read the text as a number, date, Boolean or address are left
to the caller (not decided)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from math import prod

import z3

from provisioner.analysis.encode import Key
from provisioner.evaluation import Request
from provisioner.iam import wildcard_match

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# the operators whose answer for a literal that is in none of the compared strings is one answer
LITERAL_OPERATORS = frozenset(
    {
        "stringequals",
        "stringnotequals",
        "stringlike",
        "stringnotlike",
        "arnequals",
        "arnnotequals",
        "arnlike",
        "arnnotlike",
        # case folded: a value is decided by its lower case (the same answer for every spelling)
        "stringequalsignorecase",
        "stringnotequalsignorecase",
    }
)
FOLDING = frozenset({"stringequalsignorecase", "stringnotequalsignorecase"})


def variable_spellings(text: str) -> list[str]:
    """The keys a text names as policy variables, as written (not ${*}, ${?}, ${$})."""
    names = [m.group(1).split(",", 1)[0].strip() for m in _VARIABLE.finditer(text)]
    return [n for n in names if n not in ("*", "?", "$")]


def variable_names(text: str) -> list[str]:
    """The keys (lower case) a text names as policy variables."""
    return [n.lower() for n in variable_spellings(text)]


def candidates(texts: Iterable[str], name: str, compared: Iterable[str]) -> set[str]:
    """The substrings of the compared strings that the variable `name` can stand for in a match
    of one of the texts: a superset (every other variable, and every literal, taken as a `*`)."""
    found: set[str] = set()
    for text in texts:
        first = next((m for m in _VARIABLE.finditer(text) if variable_names(m.group(0)) == [name]), None)
        if first is None:
            continue
        before = _VARIABLE.sub("*", text[: first.start()])
        after = _VARIABLE.sub("*", text[first.end() :])
        for string in compared:
            starts = [i for i in range(len(string) + 1) if wildcard_match(before, string[:i])]
            ends = [j for j in range(len(string) + 1) if wildcard_match(after, string[j:])]
            found.update(string[i:j] for i in starts for j in ends if i <= j)
    return found


def by_variable(
    keys: list[tuple[Key, str]],
    request: Request,
    texts: list[str],
    compared: list[str],
    holds: Callable[[Request], bool],
    fold: bool = False,
    most: int = 512,
) -> z3.BoolRef | None:
    """The answer over the free keys `keys` (each symbolic key with its spelling) used as
    variables in `texts`: `holds` is the evaluator's answer for a request with the keys at values
    (or absent). `fold`: the operator folds case ("String condition operators":
    StringEqualsIgnoreCase), so a value is one of the lower-case substrings in any spelling.

    Each variable's value is one of its candidates (`candidates`, the other variables taken as a
    `*`: a superset), or another value (no text holding it matches, whatever the others hold:
    one answer, asked at one such value), or absent; the answer is asked of the evaluator at
    every combination (None beyond `most` of them: not decided)."""
    if fold:
        texts, compared = [t.lower() for t in texts], [c.lower() for c in compared]
    other = "provisioner-other-value"
    while any(other in s.lower() for s in compared):
        other += "-"
    axes: list[list[tuple[str | None, z3.BoolRef]]] = []
    for key, spelled in keys:
        options = sorted(candidates(texts, spelled.lower(), compared))
        spelled_as = [_any_case(key.value, c) if fold else key.value == z3.StringVal(c) for c in options]
        axis: list[tuple[str | None, z3.BoolRef]] = [(None, z3.Not(key.present))]
        axis.append((other, z3.And(key.present, *[z3.Not(c) for c in spelled_as])))
        axis += [(c, z3.And(key.present, at)) for c, at in zip(options, spelled_as, strict=True)]
        axes.append(axis)
    if prod(len(axis) for axis in axes) > most:
        return None
    found: list[z3.BoolRef] = []
    for combo in itertools.product(*axes):
        at = request
        for (_, spelled), (value, _) in zip(keys, combo, strict=True):
            at = _with(at, spelled, value)
        if holds(at):
            found.append(z3.And(*[formula for _, formula in combo]))
    return z3.Or(*found) if found else z3.BoolVal(False)


def _any_case(value: z3.SeqRef, text: str) -> z3.BoolRef:
    """The value is the text in some spelling of its letters' case."""
    letters = [
        z3.Union(z3.Re(c.lower()), z3.Re(c.upper())) if c.lower() != c.upper() else z3.Re(c) for c in text
    ]
    if not letters:
        return value == z3.StringVal("")
    return z3.InRe(value, letters[0] if len(letters) == 1 else z3.Concat(*letters))


def _with(request: Request, spelled: str, value: str | None) -> Request:
    """The request with the key at `value` (None: absent)."""
    context = {k: v for k, v in request.context.items() if k.lower() != spelled.lower()}
    if value is not None:
        context[spelled] = value
    return Request(request.principal, request.action, request.resource, context)
