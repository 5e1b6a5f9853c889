"""StringLike in the analysis: a pattern with at most one `*` is put to the solver as a length
and fixed characters (analysis/encode.like_formula), not as a regular expression, which the
solver decides far faster. Here the two are the same language: proved by the solver where it
proves it quickly, and checked on every string of up to six characters over the patterns'
alphabet for the rest (a head and a tail that could overlap are where the solver gives up).
Pure; no server."""

from __future__ import annotations

import itertools
import re

import pytest
import z3

from provisioner.analysis.encode import like, like_formula

PROVED = ["", "*", "?", "??", "?*?", "lbx-5e8d0c3a9f7b2?", "lbx-*", "*-old", "a*b*c"]
CHECKED = ["a*a", "ab*ba", "a?*?a", "?a*", "*a?", "a*", "*a", "ab", "a?b", "b*b?"]


def _matches(pattern: str, text: str) -> bool:
    formula = like_formula(z3.String("v"), pattern)
    decided = z3.simplify(z3.substitute(formula, (z3.String("v"), z3.StringVal(text))))
    assert z3.is_true(decided) or z3.is_false(decided), (pattern, text, decided)
    return z3.is_true(decided)


@pytest.mark.parametrize("pattern", PROVED)
def test_the_solver_proves_a_pattern_the_same_language_as_its_regular_expression(pattern: str) -> None:
    value = z3.String("value")
    solver = z3.Solver()
    solver.set("timeout", 60000)  # well under a second on an idle core; a starved one needs room
    solver.add(like_formula(value, pattern) != z3.InRe(value, like(pattern)))
    assert solver.check() == z3.unsat, pattern


@pytest.mark.parametrize("pattern", CHECKED)
def test_a_pattern_decides_every_short_string_as_iam_does(pattern: str) -> None:
    """IAM's StringLike: `*` any run of characters (also none), `?` exactly one."""
    iam = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))
    for size in range(7):
        for letters in itertools.product("ab", repeat=size):
            text = "".join(letters)
            assert _matches(pattern, text) is bool(iam.fullmatch(text)), (pattern, text)
