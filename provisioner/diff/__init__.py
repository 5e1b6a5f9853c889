"""`provision diff OLD NEW`: what a change of a policy document gives away, offline and exactly.

The kind of document is inferred as lint infers it (lint.document_kind): for a trust policy the
answer is in (caller class, external-ID set) pairs (diff/trust.py, on the z3 analysis behind every
trust verdict); for a permission policy in (action, resource) pairs (diff/grants.py). Each
difference is a concrete request checked by the concrete evaluator. Spine: spec (the two files,
read and parsed here) -> decide (pure) -> render (report.diff_findings).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from provisioner.diff.model import KINDS, NEW, REMOVED, Difference, DiffResult
from provisioner.errors import InputError

__all__ = [
    "KINDS",
    "NEW",
    "REMOVED",
    "DiffResult",
    "Difference",
    "diff_documents",
    "diff_files",
    "read_policy",
]

_WORDS = {"trust": "a trust policy", "permissions": "a permission policy", "resource": "a bucket policy"}


def read_policy(path: str, field: str, stdin: Any = None) -> tuple[str, Any]:
    """(text, document) of a policy file ('-' reads stdin); a file that is not a policy document
    is bad input (exit 2), named by `field` (OLD or NEW)."""
    from provisioner.analysis.verdict import unreadable
    from provisioner.inputs import read_file
    from provisioner.lint import read_document, read_text

    text = read_text(path, stdin) if path == "-" else read_file(path, field)
    document, problem = read_document(text, path)
    if problem is not None:
        raise InputError(field, path, f"not JSON ({problem.message}): give a policy document")
    why = unreadable(document)
    if why is not None:
        raise InputError(field, path, f"not a policy document ({why.removeprefix('the trust policy ')})")
    return text, document


def diff_files(
    old_path: str,
    new_path: str,
    *,
    kind: str | None = None,
    external_ids: Iterable[str] = (),
    stdin: Any = None,
) -> DiffResult:
    """Library twin of `provision diff OLD NEW`."""
    if old_path == "-" and new_path == "-":
        raise InputError("NEW", new_path, "only one of OLD and NEW can be read from stdin")
    _, old = read_policy(old_path, "OLD", stdin)
    new_text, new = read_policy(new_path, "NEW", stdin)
    result = diff_documents(
        old, new, kind=kind, external_ids=external_ids, old_name=old_path, new_name=new_path
    )
    from provisioner.lint import positions

    result.lines = positions(new_text)
    return result


def diff_documents(
    old: Any,
    new: Any,
    *,
    kind: str | None = None,
    external_ids: Iterable[str] = (),
    old_name: str = "OLD",
    new_name: str = "NEW",
    role_arn: str | None = None,
    own_account: str | None = None,
) -> DiffResult:
    """The differences in access between two parsed documents of one kind (inferred when None)."""
    from provisioner.lint import document_kind

    if kind is not None and kind not in KINDS:
        raise InputError("--kind", kind, f"one of {', '.join(KINDS)}")
    # an empty side (a file added, or emptied) takes the other's kind
    sides = [
        (field, name, document_kind(d))
        for field, name, d in (("OLD", old_name, old), ("NEW", new_name, new))
        if _statements(d)
    ]
    for field, name, inferred in sides:
        if kind is not None and inferred != kind:
            raise InputError(field, name, f"is {_WORDS[inferred]}, not {_WORDS[kind]} (--kind {kind})")
    kinds = {inferred for _, _, inferred in sides}
    if len(kinds) > 1:
        raise InputError(
            "NEW",
            new_name,
            f"{old_name} is {_WORDS[sides[0][2]]} and {new_name} is {_WORDS[sides[1][2]]}: "
            "diff compares two documents of one kind",
        )
    kind = kind or (kinds.pop() if kinds else "permissions")
    if old == new:  # the same document: the same access, without asking the solver
        return DiffResult(old_name, new_name, kind, [])
    if kind == "trust":
        from provisioner.diff.federated import federated_differences
        from provisioner.diff.trust import DIFF_ROLE, trust_differences

        found = trust_differences(
            old, new, role_arn=role_arn or DIFF_ROLE, issued=external_ids, own_account=own_account
        )
        found += federated_differences(old, new)  # the identity providers: outside the solver
        from provisioner.diff.grants import session_differences

        found += session_differences(old, new, role_arn=role_arn or DIFF_ROLE)  # sts:TagSession, ...
    elif kind == "permissions":
        from provisioner.diff.grants import grant_differences
        from provisioner.diff.trust import DIFF_ROLE

        found = grant_differences(old, new, role_arn=role_arn or DIFF_ROLE)
    else:
        from provisioner.diff.grants import bucket_differences

        found = bucket_differences(old, new)
    return DiffResult(old_name, new_name, kind, found)


def _statements(document: Any) -> list[Any]:
    from provisioner.iam import statements

    return statements(document)
