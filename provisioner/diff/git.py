"""`provision diff --base REF FILE…`: each changed policy file against its version at a git
revision (`git show REF:./FILE`), for the pre-commit hook and the Action on pull requests.

`--base auto` is pre-commit's PRE_COMMIT_FROM_REF when it runs on a range (`pre-commit run
--from-ref BASE --to-ref HEAD`, as CI runs it for a pull request), else HEAD (a commit: what the
commit gives away). A file that is not at the base is new: everything it allows is new. A file
that is not a policy (other tools' JSON and YAML, a CloudFormation template, a Terraform plan) is
skipped and counted. git reads only: nothing in the repository is changed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from typing import Any

from provisioner.diff.model import DiffResult
from provisioner.errors import InputError

EMPTY = {"Version": "2012-10-17", "Statement": []}


def resolve_base(base: str) -> str:
    if base != "auto":
        return base
    return os.environ.get("PRE_COMMIT_FROM_REF") or "HEAD"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise InputError(
            "--base", args[-1], "git is not installed: --base reads the base version with git"
        ) from None


def base_text(base: str, path: str) -> str | None:
    """The file's text at `base`, or None when the file is not there (added since)."""
    folder, name = os.path.split(os.path.abspath(path))
    found = _git("-C", folder, "show", f"{base}:./{name}")
    if found.returncode == 0:
        return found.stdout
    known = _git("-C", folder, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if known.returncode != 0:
        why = found.stderr.strip().splitlines()[-1] if found.stderr.strip() else "unknown revision"
        raise InputError("--base", base, f"not a revision of the repository holding {path} ({why})")
    return None  # the revision is there, the file is not: it is new


def diff_against_base(
    paths: Sequence[str], base: str, external_ids: Iterable[str] = ()
) -> tuple[list[DiffResult], list[str]]:
    """(one result per policy file, the files skipped as not policies)."""
    from provisioner import iac
    from provisioner.diff import diff_documents, read_policy
    from provisioner.lint import expand, is_ours, positions, read_document

    revision = resolve_base(base)
    results: list[DiffResult] = []
    skipped: list[str] = []
    for path, _, _ in expand(list(paths)):
        text, new = _read(path)
        if new is None or not is_ours(new) or iac.kind_of(new) is not None:
            skipped.append(path)
            continue
        _, new = read_policy(path, "FILE")
        old_text = base_text(revision, path)
        old: Any = EMPTY
        if old_text is not None:
            old, problem = read_document(old_text, path)
            if problem is not None or not is_ours(old):
                old = EMPTY  # not a policy at the base: everything it allows now is new
        name = f"{revision}:{path}" if old_text is not None else f"{revision}:{path} (not there)"
        result = diff_documents(old, new, external_ids=external_ids, old_name=name, new_name=path)
        result.lines = positions(text)
        results.append(result)
    return results, skipped


def _read(path: str) -> tuple[str, Any]:
    from provisioner.inputs import read_file
    from provisioner.lint import read_document

    text = read_file(path, "FILE")
    document, problem = read_document(text, path)
    return text, (None if problem is not None else document)
