"""A free string's form (checked on a model, given to the solver only when broken) and an
assignment of the free keys read as a model is (analysis/session.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import z3


@dataclass(frozen=True)
class Lazy:
    """A free string's form: checked on a model in Python, given to the solver only when broken."""

    value: z3.SeqRef
    python: str
    constraint: z3.BoolRef
    present: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(True))

    def holds(self, model: z3.ModelRef) -> bool:
        if not z3.is_true(model.eval(self.present, model_completion=True)):
            return True
        return re.fullmatch(self.python, text(model, self.value), re.ASCII | re.DOTALL) is not None


def text(model: z3.ModelRef | Defaults, value: Any) -> str:
    return str(model.eval(value, model_completion=True).as_string())


def form(value: z3.SeqRef, head: str, chars: z3.ReRef, shortest: int, longest: int) -> z3.BoolRef:
    """`head`, then `shortest` to `longest` of `chars` (lengths apart: the solver decides them far
    faster than a bounded loop)."""
    body = z3.Star(chars)
    return z3.And(
        z3.InRe(value, z3.Concat(z3.Re(head), body) if head else body),
        z3.Length(value) >= len(head) + shortest,
        z3.Length(value) <= len(head) + longest,
    )


class Defaults:
    """An assignment of the free keys, read as a model is (`eval`)."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs

    def eval(self, expression: Any, model_completion: bool = True) -> Any:
        del model_completion
        return z3.simplify(z3.substitute(expression, *self.pairs)) if self.pairs else z3.simplify(expression)
