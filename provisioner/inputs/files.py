"""Files the user names: read whole, UTF-8, JSON with its line and column on error."""

from __future__ import annotations

from typing import Any

from provisioner.errors import InputError


def read_file(path: str, option: str) -> str:
    """The text of a file the user named (UTF-8, a byte-order mark allowed), or one InputError
    naming the option: no such file, a directory, unreadable, not UTF-8."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise InputError(option, path, "no such file") from None
    except IsADirectoryError:
        raise InputError(option, path, "is a directory") from None
    except OSError as exc:
        raise InputError(option, path, f"cannot be read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(option, path, f"is not UTF-8 text (byte {exc.start})") from None


def read_json(path: str, option: str, text: str | None = None) -> Any:
    """A JSON file the user named (or its `text`, already read), parsed; bad JSON is one
    InputError with the line and column."""
    import json

    if text is None:
        text = read_file(path, option)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            option, path, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
