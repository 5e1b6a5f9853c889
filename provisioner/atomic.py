"""Files written whole or not at all: each is written to a temporary file in its own folder,
then renamed over its name once everything is written (os.replace is atomic on one file
system). A failure or Ctrl-C leaves the folder as it was, an earlier file of that name included.
The file gets the permissions of a normal file (0666 less the umask), not the temporary file's
0600."""

from __future__ import annotations

import os
import tempfile
from types import TracebackType
from typing import IO

from provisioner.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicFiles:
    """`with AtomicFiles("out") as files: handle = files.open(name)`: all the files opened are
    renamed into place when the block ends normally, and removed when it does not."""

    def __init__(self, option: str = "out") -> None:
        self.option = option
        self.pending: list[tuple[IO[str], str]] = []  # (temporary file, final name)

    def open(self, name: str) -> IO[str]:
        folder = os.path.dirname(os.path.abspath(name))
        try:
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in commit/abort
                "w",
                encoding="utf-8",
                dir=folder,
                prefix=f".{os.path.basename(name)}.",
                suffix=".tmp",
                delete=False,
            )
        except OSError as exc:
            raise InputError(self.option, name, f"cannot be written ({exc.strerror})") from None
        self.pending.append((handle, name))
        return handle

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def commit(self) -> None:
        mode = 0o666 & ~_umask()
        try:
            for handle, name in self.pending:
                handle.close()
                os.chmod(handle.name, mode)
                os.replace(handle.name, name)
        except OSError as exc:
            self.abort()
            raise InputError(self.option, name, f"cannot be written ({exc.strerror})") from None
        self.pending = []

    def abort(self) -> None:
        for handle, _ in self.pending:
            handle.close()
            if os.path.exists(handle.name):
                os.unlink(handle.name)
        self.pending = []


def write_text(path: str, text: str, option: str = "out") -> None:
    """One file, whole or not at all."""
    with AtomicFiles(option) as files:
        files.open(path).write(text)
