"""Option values accepted without pydantic: typer (0.29) coerces every option's value through a
pydantic TypeAdapter, and importing pydantic and building the adapters costs about 0.15 s of
every run (more than reading and auditing a 10,000-role file, `audit --from-file`).

The values our options take are plain: text, whole numbers in a range, a choice, flags, lists
of text. `quicken(command)` gives each such option of a command a coercion that accepts a value
of that plain shape as typer's adapter would return it, and hands anything else (a bad number, a
value not among the choices, a type we do not know) to typer's own coercion, so an error's
message is typer's, word for word. Private typer names are touched only when they are there as
expected; otherwise typer coerces everything itself, as before (slower, not wrong).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Any, get_args, get_origin

import typer
from typer import _coercion
from typer._param_types import coerce_cli_choice
from typer.core import TyperCommand
from typer.models import CommandFunctionType

_WHOLE = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")  # int() of it never overflows a check
_UNDECIDED = object()  # the quick path does not decide: typer's coercion does


class _Quick(_coercion.RuntimeParam):
    """typer's RuntimeParam contract (None and multi-value handling are the base class's): a
    plain value quickly, anything else through typer's own coercion for the parameter."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        quick = _plain(self.annotation, self.parameter_info, value, ctx)
        if quick is not _UNDECIDED:
            return quick
        slow = _coercion.build_runtime_param(param.type_descriptor)
        return slow._coerce_value(value, param=param, ctx=ctx)


def _plain(annotation: Any, info: Any, value: Any, ctx: Any) -> Any:
    """The value as typer's adapter returns it for a plain annotation, or _UNDECIDED."""
    if annotation is str:
        return value if isinstance(value, str) else _UNDECIDED
    if annotation is int:
        return _whole(info, value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            choices = tuple(annotation)
            return coerce_cli_choice(value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx)
        except ValueError:
            return _UNDECIDED
    texts = get_origin(annotation) is list and get_args(annotation) == (str,)
    if texts and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return _UNDECIDED


def _whole(info: Any, value: Any) -> Any:
    """A whole number written plainly (or already an int, as a default is) within min..max."""
    if getattr(info, "clamp", False):
        return _UNDECIDED
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        number = int(value)
    elif type(value) is int:
        number = value
    else:
        return _UNDECIDED
    low, high = info.min, info.max
    if (low is not None and number < low) or (high is not None and number > high):
        return _UNDECIDED
    return number


def quicken(params: list[Any]) -> list[Any]:
    """Give each option and argument the quick coercion (once; a parameter typer has already
    given a coercion, or whose shape is not typer 0.29's, is left alone)."""
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(param, "_runtime_param", _UNDECIDED) is not None or descriptor is None:
            continue
        if getattr(descriptor, "file_annotation", None) is not None:
            continue
        info, annotation = descriptor.parameter_info, descriptor.annotation
        param._runtime_param = _Quick(parameter_info=info, annotation=annotation)
    return params


class QuickCommand(TyperCommand):
    """A typer command whose parameters (its help option too) are coerced by `_Quick`."""

    def get_params(self, ctx: Any) -> list[Any]:
        return quicken(super().get_params(ctx))


class QuickTyper(typer.Typer):
    """A Typer app whose commands are QuickCommands (one given a class of its own keeps it),
    however typer comes to build them: all at once, or one on first use (cli/app.py's _Root)."""

    def command(
        self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(*args, cls=cls or QuickCommand, **kwargs)
