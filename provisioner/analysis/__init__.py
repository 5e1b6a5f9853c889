"""Exact analysis of policies with the z3 solver (analysis/trust.py: who gets in through a trust
policy and the RCPs). Import the submodules directly; they load z3, which only the commands that
decide trusts need.

z3's Python API shares one context, which is not safe to use from two threads at once (two
create-role runs in threads, each planning a trust rewrite, crashed it with "unreachable"): each
entry point that builds or solves formulas holds `one_solver` for its whole run."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_SOLVER = threading.RLock()  # re-entrant: an entry point may call another
P = ParamSpec("P")
R = TypeVar("R")


def one_solver(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with the solver to itself: one thread at a time."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _SOLVER:
            return function(*args, **kwargs)

    return run
