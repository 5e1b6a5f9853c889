"""Where a JSON path's value is in a JSON text: (line, column), 1-based."""

from __future__ import annotations

import re
from bisect import bisect_left

from provisioner.model.findings import Finding

_NEWLINE = re.compile("\n")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")


def positions(text: str) -> dict[str, tuple[int, int]]:
    """(line, column), 1-based, of every value of a JSON text by the JSON path lint reports
    (`$`, `$.Statement[0].Action`). Empty when the text is not JSON."""
    try:
        found = _offsets(text)
    except (ValueError, IndexError):
        return {}
    # The offset of every newline, once; each value's line is then a bisection, not a count
    # from the start (a 20,000-statement file has 100,000 values).
    newlines = [match.start() for match in _NEWLINE.finditer(text)]
    out = {}
    for path, offset in found.items():
        line = bisect_left(newlines, offset)  # newlines before the offset
        start = newlines[line - 1] + 1 if line else 0
        out[path] = (line + 1, offset - start + 1)
    return out


def _offsets(text: str) -> dict[str, int]:
    """The offset of every value by its JSON path; ValueError or IndexError if not JSON."""
    from json.decoder import scanstring  # type: ignore[attr-defined]  # public, not in typeshed

    found: dict[str, int] = {}
    size = len(text)

    def skip(i: int) -> int:
        while i < size and text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int, path: str) -> int:
        i = skip(i)
        found[path] = i
        opener = text[i]
        if opener in "{[":
            closer, index = ("}" if opener == "{" else "]"), 0
            i = skip(i + 1)
            if text[i] == closer:
                return i + 1
            while True:
                if opener == "{":
                    key, i = scanstring(text, skip(i) + 1)
                    i = skip(i) + 1  # the colon
                    i = value(i, f"{path}.{key}")
                else:
                    i = value(i, f"{path}[{index}]")
                    index += 1
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if opener == '"':
            end: int = scanstring(text, i + 1)[1]
            return end
        match = _NUMBER.match(text, i)
        if match is None:
            raise ValueError(i)
        return match.end()

    value(0, "$")
    return found


def at_place(finding: Finding, path: str, where: dict[str, tuple[int, int]]) -> Finding:
    """The finding with the line and column of `path` (or of the nearest enclosing value the
    text has: a location may name a key inside a value)."""
    while path and path not in where:
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    line, column = where.get(path, (0, 0))
    return finding.placed(line=line, column=column)
