"""Files and discovery: what lint reads, from named paths, folders and stdin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def read_text(path: str, stdin: Any = None) -> str:
    """A document's text from a file, or from stdin for '-'. Bad paths are input errors."""
    if path == "-":
        if stdin is None:
            import sys

            stdin = sys.stdin
        text: str = stdin.read()
        return text
    from provisioner.inputs import read_file

    return read_file(path, "FILE")


class NotRegular(Exception):
    """A FIFO, device or socket: never opened (opening a FIFO waits for a writer)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Unreadable(Exception):
    """A file that exists but whose text cannot be had: why, for the file-unreadable finding."""


def read_file_text(path: str, named: bool = True) -> str:
    """The UTF-8 text (a byte-order mark allowed) of a regular file. NotRegular for a FIFO,
    device or socket (never opened); Unreadable with the reason for a broken symbolic link, a
    permission refused, an I/O error or bytes that are not UTF-8; a named path that does not
    exist at all is an InputError (exit 2), as a mistyped name is."""
    import errno
    import os
    import stat

    from provisioner.errors import InputError

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise Unreadable(f"a symbolic link to {os.readlink(path)!r}, which does not exist") from None
        if named:
            raise InputError("FILE", path, "no such file") from None
        raise Unreadable("removed while lint was reading the folder") from None
    except OSError as exc:
        raise Unreadable(_why(exc)) from None
    if not stat.S_ISREG(mode):
        raise NotRegular(_special(mode))
    try:
        # O_NONBLOCK: a file swapped for a FIFO since the stat above is not waited on either
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise NotRegular("a FIFO or socket") from None
        raise Unreadable(_why(exc)) from None
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(_special(mode))
        with os.fdopen(handle, "rb", closefd=False) as stream:
            raw = stream.read()
    except OSError as exc:
        raise Unreadable(_why(exc)) from None
    finally:
        os.close(handle)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})") from None


def _why(exc: OSError) -> str:
    return f"cannot be read ({exc.strerror or exc})"


def _special(mode: int) -> str:
    import stat

    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


SKIPPED_FOLDERS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", "cdk.out"}
FOUND_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def expand(paths: Sequence[str]) -> list[tuple[str, bool, str | None]]:
    """(path, named, error) for each path, a folder giving its *.json, *.yaml, *.yml and
    *.template files, recursively and sorted (hidden folders, .terraform and node_modules
    skipped); `named` is False for those; `error` says why a folder inside could not be listed."""
    import os

    out: list[tuple[str, bool, str | None]] = []
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            out.append((path, True, None))
            continue
        out += _walk(path)
    return out


def _walk(top: str) -> list[tuple[str, bool, str | None]]:
    import os

    found: list[tuple[str, bool, str | None]] = []

    def refused(exc: OSError) -> None:
        where = exc.filename if isinstance(exc.filename, str) else top
        found.append((where, False, f"a folder that cannot be listed ({exc.strerror or exc})"))

    for folder, folders, files in os.walk(top, onerror=refused):
        folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS and not f.startswith("."))
        wanted = [f for f in files if f.lower().endswith(FOUND_SUFFIXES)]
        found += [(os.path.join(folder, f), False, None) for f in wanted]
    return sorted(found)
