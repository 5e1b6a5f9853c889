"""The AWS CLI's `--output text`: tab-separated values, one line a record, for `cut` and `awk`.
Pure.

As the AWS CLI prints it: a record's scalar values on one line in their order; a nested list or
object on lines of its own, after the record, led by its key in capitals; a list of scalars on
one line.
"""

from __future__ import annotations

import json
from typing import Any


def to_text(data: Any) -> str:
    return "\n".join(_lines(data, "")) if data not in (None, [], {}) else ""


def _scalar(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value).replace("\t", " ").replace("\n", " ")


def _lines(data: Any, label: str) -> list[str]:
    lead = [label] if label else []
    if isinstance(data, dict):
        scalars = [_scalar(v) for v in data.values() if not isinstance(v, (dict, list))]
        out = ["\t".join(lead + scalars)] if scalars else []
        for key, value in data.items():
            if isinstance(value, (dict, list)) and value:
                out += _lines(value, key.upper())
        return out
    if isinstance(data, list):
        if all(not isinstance(item, (dict, list)) for item in data):
            return ["\t".join(lead + [_scalar(item) for item in data])]
        return [line for item in data for line in _lines(item, label)]
    return ["\t".join([*lead, _scalar(data)])]
