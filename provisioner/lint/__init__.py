"""Findings on IAM policy documents: grammar, IAM limits and least privilege for a vendor grant.

files.py reads and discovers files, parsing.py reads a text as a document, positions.py places
a JSON path in the text; the rules live one family a module (document.py, principals.py,
trust.py, grants.py), each registered in model.LINT_RULES under the ids of
policies/lint-rules.json, and run by the registry, every one, in that file's order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from provisioner.lint import conditions as _conditions  # noqa: F401 - registers its rules
from provisioner.lint import document as _document  # noqa: F401
from provisioner.lint import grants as _grants  # noqa: F401
from provisioner.lint import principals as _principals  # noqa: F401
from provisioner.lint import trust as _trust  # noqa: F401
from provisioner.lint.document import SIZE_LIMITS, SIZE_NAMES
from provisioner.lint.files import (
    FOUND_SUFFIXES,
    SKIPPED_FOLDERS,
    NotRegular,
    Unreadable,
    expand,
    read_file_text,
    read_text,
)
from provisioner.lint.model import LINT_RULES, OWNED_ELSEWHERE, ParseError, Source, judge, rules
from provisioner.lint.parsing import IAM_VERSIONS, document_kind, is_ours, is_yaml, read_document, shows_signs
from provisioner.lint.positions import at_place, positions
from provisioner.model.findings import FilePosition, Finding, FindingSet, read_baseline

if TYPE_CHECKING:
    from provisioner.mute import Mute

__all__ = [
    "FOUND_SUFFIXES",
    "IAM_VERSIONS",
    "LINT_RULES",
    "OWNED_ELSEWHERE",
    "SIZE_LIMITS",
    "SIZE_NAMES",
    "SKIPPED_FOLDERS",
    "Finding",
    "LintReport",
    "NotRegular",
    "ParseError",
    "Source",
    "Unreadable",
    "document_kind",
    "expand",
    "expired_mute",
    "is_ours",
    "is_yaml",
    "lint_document",
    "lint_parsed",
    "lint_paths",
    "lint_text",
    "positions",
    "read_document",
    "read_file_text",
    "read_text",
    "rules",
    "shows_signs",
]


def lint_text(text: str, file: str = "<document>") -> tuple[str | None, list[Finding]]:
    """Lint one document given as text. Returns (kind, findings); kind is None if unreadable."""
    document, problem = read_document(text, file)
    return lint_parsed(text, document, file, problem)


def lint_parsed(
    text: str, document: Any, file: str, error: str | ParseError | None = None
) -> tuple[str | None, list[Finding]]:
    """Lint a document `read_document` read from `text` (or report why it could not)."""
    from provisioner import iac

    if error is not None:
        problem = error if isinstance(error, ParseError) else ParseError(error)
        found = judge(Source(file, problem=problem))
        return None, [f.placed(line=problem.line, column=problem.column) for f in found]
    template = iac.kind_of(document)
    if template is not None:  # a CloudFormation template or a Terraform plan
        where = iac.yaml_positions(text) if is_yaml(text, file) else positions(text)
        return template, _lint_template(text, document, template, file, where)
    kind = document_kind(document)
    found = judge(Source(file, text=text, sized=text, document=document, kind=kind))
    where = positions(text) if found else {}
    return kind, [at_place(f, f.location, where) for f in found]


def _lint_template(
    text: str, document: Any, template: str, file: str, where: dict[str, tuple[int, int]]
) -> list[Finding]:
    """Every policy document a template or plan holds, linted at its place in it: a finding's
    line is its value's in a template, the policy attribute's in a plan (the document there is
    a JSON string)."""
    from provisioner import iac

    found = [at_place(f, f.location, where) for f in judge(Source(file, text=text))]
    for location, embedded, anchor in iac.documents(document, template):
        kind = document_kind(embedded)
        sized = json.dumps(embedded, ensure_ascii=True)
        for finding in judge(Source(file, sized=sized, document=embedded, kind=kind)):
            full = location + finding.location[1:]
            found.append(at_place(finding.placed(full), full if anchor == location else anchor, where))
    return found


def lint_document(document: Any, file: str = "<document>") -> tuple[str, list[Finding]]:
    """Lint a parsed document (sized as compact JSON)."""
    text = json.dumps(document, ensure_ascii=True)
    kind, findings = lint_text(text, file)
    return kind or "permissions", findings


@dataclass
class LintReport(FindingSet[Finding]):
    """What `provision lint` found: the files judged, the kind of each, the findings (a finding
    set: fail thresholds, mutes, baseline, JSON), and the files it read but did not judge
    (`skipped`: not policies, templates or plans) or never opened (`unopened`: FIFOs, devices,
    sockets, with what each is)."""

    key_fields: ClassVar[tuple[str, ...]] = ("file", "rule", "location")
    files: list[str]
    kinds: dict[str, str | None]
    findings: list[Finding]
    skipped: list[str] = field(default_factory=list)
    unopened: list[tuple[str, str]] = field(default_factory=list)
    baseline: str | None = None  # with a baseline, `findings` are the new ones
    unchanged: int = 0  # findings also in the baseline (not reported)
    fixed: list[dict[str, Any]] = field(default_factory=list)  # baseline findings gone now

    def not_judged(self) -> str:
        """'; 3 files not policies, skipped; 1 FIFO(s), device(s) or socket(s) not opened' (or '')."""
        out = ""
        if self.skipped:
            count = len(self.skipped)
            what = "1 file not a policy" if count == 1 else f"{count} files not policies"
            out += f"; {what}, skipped"
        if self.unopened:
            out += f"; {len(self.unopened)} FIFO(s), device(s) or socket(s) not opened"
        return out


def lint_paths(
    paths: list[str], stdin: Any = None, mutes: Sequence[Mute] = (), baseline: str | None = None
) -> LintReport:
    """Library twin of `provision lint FILE…`; findings a mute entry accepts are marked; with a
    `baseline` (a previous `lint -o json`), only the new findings are kept, and the fixed listed.

    One rule for named files and files found in a folder: a file is judged when it shows it
    was meant for us (`is_ours` on what parses, `shows_signs` on what does not); other JSON and
    YAML is skipped and counted. A file whose text cannot be had (permissions, a broken link,
    bytes that are not UTF-8) shows no signs and is never passed: it is a `file-unreadable`
    finding, named or found. FIFOs, devices and sockets are never opened, only listed."""
    previous = read_baseline(baseline, "lint") if baseline is not None else []
    report = LintReport(files=[], kinds={}, findings=[])
    for path, named, walk_error in expand(paths):
        name = "<stdin>" if path == "-" else path
        if walk_error is not None:
            _unreadable(report, name, walk_error)
            continue
        try:
            text = read_text(path, stdin) if path == "-" else read_file_text(path, named)
        except NotRegular as exc:
            report.unopened.append((name, exc.what))
            continue
        except Unreadable as exc:
            _unreadable(report, name, str(exc))
            continue
        document, problem = read_document(text, path)
        if path != "-" and not (is_ours(document) if problem is None else shows_signs(text)):
            report.skipped.append(name)  # package.json, tsconfig.json, workflows: not ours
            continue
        kind, findings = lint_parsed(text, document, name, problem)
        report.files.append(name)
        report.kinds[name] = kind
        report.findings.extend(findings)
    if mutes:
        from datetime import date

        report.mute(mutes, date.today(), lambda f: {"file": f.file}, expired_mute)
    if baseline is not None:
        report.compare(previous, baseline)
    return report


def _unreadable(report: LintReport, name: str, why: str) -> None:
    report.files.append(name)
    report.kinds[name] = None
    report.findings.extend(judge(Source(name, unreadable=why)))


def expired_mute(mute: Mute) -> Finding:
    """`mute-expired`: an entry past its expiry (the finding set's, not a registered rule's)."""
    rule = rules()["mute-expired"]
    return Finding(
        rule.id,
        rule.severity,
        f"mute entry {mute.describe()} expired on {mute.expires}: it mutes nothing now "
        f"(its reason: {mute.reason})",
        FilePosition(mute.where),
        rule.remediation,
    )
