"""Findings on IAM policy documents: grammar, IAM limits and least privilege for a vendor grant.

Rule ids, severities, titles and remediations live in policies/lint-rules.json.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from provisioner.iam import (
    Statement,
    aws_principals,
    expand_s3,
    has_wildcard,
    names_action,
    split_action,
    statements,
    strings,
)
from provisioner.model import Arn, Rule, Severity, load_rules
from provisioner.model.rules import Registry

if TYPE_CHECKING:
    from provisioner.mute import Mute

# IAM's size quotas in characters, whitespace not counted (IAM and STS quotas).
SIZE_LIMITS = {"trust": 2048, "permissions": 6144, "resource": 20480}
SIZE_NAMES = {
    "trust": "role trust policy (2,048 by default)",
    "permissions": "managed policy (6,144)",
    "resource": "bucket policy (20 KB)",
}

# Characters IAM accepts in a policy document (IAM API reference, PolicyDocument pattern).
_REFUSED_CHARS = re.compile(r"[^\t\n\r\x20-\xff]")
_WHITESPACE = re.compile(r"\s")
_NEWLINE = re.compile("\n")

# Condition keys that pin who the caller is, strongly enough to narrow Principal "*".
_PINNING_KEYS = {
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:sourceaccount",
    "aws:sourcearn",
}
_EXACT_OPERATORS = {"stringequals", "arnequals", "stringequalsignorecase"}
_MFA_KEYS = {"aws:multifactorauthpresent", "aws:multifactorauthage"}
_READ_LEVELS = {"Read", "List"}
_ALLOWED_OTHER_ACTIONS = {"kms:decrypt"}


@dataclass(frozen=True)
class Finding:
    file: str
    rule: str
    severity: Severity
    message: str
    location: str
    remediation: str
    suppressed: dict[str, Any] | None = None  # the mute entry that accepted it (provisioner.mute)
    line: int = 0  # where `location` is in the file, 1-based (0: not known)
    column: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.suppressed is None:
            del out["suppressed"]  # the documented shape, unless muted
        return out


def rules() -> dict[str, Rule]:
    return load_rules("lint-rules.json")


# Each check function is registered under the rule ids it may report (policies/lint-rules.json).
LINT_RULES: Registry[Callable[..., Any]] = Registry("lint rule")


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []

    def add(self, rule_id: str, message: str, location: str = "$") -> None:
        if rule_id not in LINT_RULES.functions:
            raise ValueError(f"lint rule {rule_id!r} is reported by no registered check")
        rule = rules()[rule_id]
        self.findings.append(Finding(self.file, rule.id, rule.severity, message, location, rule.remediation))


# --- entry points ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseError:
    """Why a text is not JSON (or YAML), and where: 1-based, 0 when not known."""

    message: str
    line: int = 0
    column: int = 0


def is_yaml(text: str, file: str) -> bool:
    """Is the text read as YAML: a `.yaml`/`.yml` file, a `.template` that does not start with
    `{`, or a file of another name (or stdin) that starts like a YAML CloudFormation template.
    Everything else is JSON."""
    from provisioner import iac

    name = file.lower()
    starts = text.lstrip("\ufeff \t\r\n")[:1]
    if name.endswith((".yaml", ".yml")):
        return True
    if name.endswith(".json"):
        return False
    if name.endswith(iac.YAML_SUFFIXES):
        return starts != "{"
    return starts not in ("{", "[", "") and iac.YAML_TEMPLATE_START.search(text) is not None


def read_document(text: str, file: str) -> tuple[Any, ParseError | None]:
    """The parsed document, or why (and where) it is not JSON, or YAML for a YAML file."""
    from provisioner import iac

    if is_yaml(text, file):
        try:
            return iac.load_yaml(text), None
        except iac.YamlError as exc:
            return None, ParseError(str(exc), exc.line, exc.column)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, ParseError(f"{exc.msg} at line {exc.lineno} column {exc.colno}", exc.lineno, exc.colno)


# What shows that a file was written for us: a policy, a CloudFormation template or a Terraform
# plan. A document that parses is judged by its top-level keys (`is_ours`); a text that does not
# parse, by the same words anywhere in it (a truncated policy still says "Statement").
IAM_VERSIONS = ("2012-10-17", "2008-10-17")
_SIGNS = re.compile(
    r'"Statement"|AWSTemplateFormatVersion|"Resources"\s*:|^Resources[ \t]*:'
    r'|"planned_values"|"resource_changes"|"Version"\s*:\s*"(?:2012|2008)-10-17"',
    re.MULTILINE,
)


def is_ours(document: Any) -> bool:
    """Is a parsed document a policy (a `Statement`, or IAM's `Version`), a CloudFormation
    template or a Terraform plan?"""
    from provisioner import iac

    if not isinstance(document, dict):
        return False
    if iac.kind_of(document) is not None or "Statement" in document:
        return True
    return document.get("Version") in IAM_VERSIONS


def shows_signs(text: str) -> bool:
    """Does a text that does not parse say it was meant for us?"""
    return _SIGNS.search(text) is not None


def lint_text(text: str, file: str = "<document>") -> tuple[str | None, list[Finding]]:
    """Lint one document given as text. Returns (kind, findings); kind is None if unreadable."""
    document, problem = read_document(text, file)
    linted: tuple[str | None, list[Finding]] = lint_parsed(text, document, file, problem)
    return linted


@LINT_RULES.register("invalid-json")
def lint_parsed(
    text: str, document: Any, file: str, error: str | ParseError | None = None
) -> tuple[str | None, list[Finding]]:
    """Lint a document `read_document` read from `text` (or report why it could not)."""
    from provisioner import iac

    out = _Collector(file)
    if error is not None:
        problem = error if isinstance(error, ParseError) else ParseError(error)
        out.add("invalid-json", problem.message)
        return None, [replace(f, line=problem.line, column=problem.column) for f in out.findings]
    template = iac.kind_of(document)
    if template is not None:  # a CloudFormation template or a Terraform plan
        where = iac.yaml_positions(text) if is_yaml(text, file) else positions(text)
        return template, _lint_template(text, document, template, out, where)
    kind = document_kind(document)
    _check_characters(text, out)
    _check_size(text, kind, out)
    _check_document(document, kind, out)
    where = positions(text) if out.findings else {}
    return kind, [_at_place(f, f.location, where) for f in out.findings]


def _lint_template(
    text: str, document: Any, template: str, out: _Collector, where: dict[str, tuple[int, int]]
) -> list[Finding]:
    """Every policy document a template or plan holds, linted at its place in it: a finding's
    line is its value's in a template, the policy attribute's in a plan (the document there is
    a JSON string)."""
    from provisioner import iac

    _check_characters(text, out)
    found = [_at_place(f, f.location, where) for f in out.findings]
    for location, embedded, anchor in iac.documents(document, template):
        inner = _Collector(out.file)
        kind = document_kind(embedded)
        _check_size(json.dumps(embedded, ensure_ascii=True), kind, inner)
        _check_document(embedded, kind, inner)
        for finding in inner.findings:
            full = location + finding.location[1:]
            found.append(
                _at_place(replace(finding, location=full), full if anchor == location else anchor, where)
            )
    return found


def _at_place(finding: Finding, path: str, where: dict[str, tuple[int, int]]) -> Finding:
    """The finding with the line and column of `path` (or of the nearest enclosing value the
    text has: a location may name a key inside a value)."""
    while path and path not in where:
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    line, column = where.get(path, (0, 0))
    return replace(finding, line=line, column=column)


def lint_document(document: Any, file: str = "<document>") -> tuple[str, list[Finding]]:
    """Lint a parsed document (sized as compact JSON)."""
    text = json.dumps(document, ensure_ascii=True)
    kind, findings = lint_text(text, file)
    return kind or "permissions", findings


def document_kind(document: Any) -> str:
    """'trust' (a role trust policy), 'resource' (e.g. a bucket policy) or 'permissions'."""
    with_principal = [s for s in statements(document) if "Principal" in s.body or "NotPrincipal" in s.body]
    if not with_principal:
        return "permissions"
    actions = [a for s in with_principal for a in strings(s.body.get("Action"))]
    if actions and all(split_action(a)[0] == "sts" for a in actions):
        return "trust"
    return "resource"


# --- document-wide checks ----------------------------------------------------------------


@LINT_RULES.register("invalid-characters")
def _check_characters(text: str, out: _Collector) -> None:
    refused = _REFUSED_CHARS.search(text)
    if refused:
        char = refused.group()
        line = text.count("\n", 0, refused.start()) + 1
        count = len(_REFUSED_CHARS.findall(text))
        out.add(
            "invalid-characters",
            f"{count} character(s) IAM refuses; the first, U+{ord(char):04X} {char!r}, on line {line}",
        )


@LINT_RULES.register("size-limit")
def _check_size(text: str, kind: str, out: _Collector) -> None:
    size = len(_WHITESPACE.sub("", text))
    limit = SIZE_LIMITS[kind]
    if size > limit:
        out.add(
            "size-limit",
            f"{size:,} characters without whitespace; the {SIZE_NAMES[kind]} limit is {limit:,}",
        )


@LINT_RULES.register("policy-grammar")
def _check_document(document: Any, kind: str, out: _Collector) -> None:
    from provisioner.documents import schema_errors

    for problem in schema_errors(document, "iam-policy"):
        location, _, message = problem.partition(": ")
        out.add("policy-grammar", message, location)
    for statement in statements(document):
        _check_principal(statement, out)
        if kind == "trust":
            _check_trust(statement, out)
        else:
            _check_grant(statement, out)


# --- principals and trust ----------------------------------------------------------------


@LINT_RULES.register("principal-wildcard", "principal-wildcard-conditioned", "allow-not-principal")
def _check_principal(statement: Statement, out: _Collector) -> None:
    if not statement.is_allow:
        return
    if "NotPrincipal" in statement.body:
        out.add(
            "allow-not-principal",
            "Allow with NotPrincipal grants every principal not listed",
            f"{statement.path}.NotPrincipal",
        )
    if "*" not in aws_principals(statement):
        return
    pins = sorted(
        key
        for operator, key, values in statement.conditions()
        if key.lower() in _PINNING_KEYS
        and operator.lower() in _EXACT_OPERATORS
        and values
        and not any(has_wildcard(str(v)) for v in values)
    )
    if pins:
        out.add(
            "principal-wildcard-conditioned",
            f'Principal "*" is narrowed only by the condition on {", ".join(pins)}',
            f"{statement.path}.Principal",
        )
    else:
        out.add(
            "principal-wildcard",
            'Allow to Principal "*": any AWS account can use this grant',
            f"{statement.path}.Principal",
        )


@LINT_RULES.register("trust-no-external-id", "external-id-not-pinned", "trust-mfa-required")
def _check_trust(statement: Statement, out: _Collector) -> None:
    if not statement.is_allow or not names_action(statement, "sts:AssumeRole"):
        return
    principals = [p for p in aws_principals(statement) if p != "*"]
    if not principals:
        return
    who = ", ".join(principals)
    external = [
        (operator, values)
        for operator, key, values in statement.conditions()
        if key.lower() == "sts:externalid"
    ]
    if not external:
        out.add(
            "trust-no-external-id",
            f"{who} may assume the role without an sts:ExternalId condition (confused deputy)",
            statement.path,
        )
    elif not any(_pins_value(operator, values) for operator, values in external):
        shown = "; ".join(f"{op} {values}" for op, values in external)
        out.add(
            "external-id-not-pinned",
            f"the sts:ExternalId condition ({shown}) accepts IDs other than the vendor's",
            f"{statement.path}.Condition",
        )
    for operator, key, values in statement.conditions():
        if key.lower() in _MFA_KEYS and _requires_mfa(operator, key, values):
            out.add(
                "trust-mfa-required",
                f"{operator} {key} {values}: the vendor's role session carries no MFA, so the "
                "vendor cannot assume the role",
                f"{statement.path}.Condition.{operator}",
            )


def _pins_value(operator: str, values: list[Any]) -> bool:
    """Does this ExternalId condition admit only fixed values, and only when the ID is present?"""
    op = operator.lower()
    if op.endswith("ifexists") or ":" in op or not values:
        return False
    if not all(isinstance(v, str) and v for v in values):
        return False
    if op in ("stringequals", "stringequalsignorecase"):
        return True
    return op == "stringlike" and not any(has_wildcard(v) for v in values)


def _requires_mfa(operator: str, key: str, values: list[Any]) -> bool:
    op = operator.lower().removesuffix("ifexists")
    if key.lower() == "aws:multifactorauthpresent":
        return op == "bool" and any(str(v).lower() == "true" for v in values)
    return op.startswith("numericless")


# --- grants (identity and resource policies) ---------------------------------------------


@LINT_RULES.register("allow-not-action")
def _check_grant(statement: Statement, out: _Collector) -> None:
    if not statement.is_allow:
        return
    path = statement.path
    if "NotAction" in statement.body:
        out.add(
            "allow-not-action",
            f"Allow with NotAction {strings(statement.body['NotAction'])} grants every other action",
            f"{path}.NotAction",
        )
    for action in strings(statement.body.get("Action")):
        _check_action(action, f"{path}.Action", out)
    _check_resources(statement, out)


@LINT_RULES.register(
    "action-wildcard", "unexpected-action", "unknown-action", "s3-write-access", "s3-permissions-management"
)
def _check_action(action: str, location: str, out: _Collector) -> None:
    service, name = split_action(action)
    if name == "*":
        what = "every action of every service" if not service else f"every {service} action"
        out.add("action-wildcard", f"{action!r} grants {what}", location)
        return
    if not service:
        return  # not service:Action at all: the grammar check reports it
    if service != "s3":
        if action.lower() not in _ALLOWED_OTHER_ACTIONS:
            out.add("unexpected-action", f"{action!r} is not needed to read a bucket", location)
        return
    matched = expand_s3(name)
    if not matched:
        out.add("unknown-action", f"{action!r} matches no S3 action", location)
        return
    writes = sorted(n for n, level in matched.items() if level in ("Write", "Tagging"))
    admin = sorted(n for n, level in matched.items() if level == "Permissions management")
    if writes:
        out.add("s3-write-access", f"{action!r} grants {_few(writes)}", location)
    if admin:
        out.add("s3-permissions-management", f"{action!r} grants {_few(admin)}", location)


def _few(names: list[str], shown: int = 4) -> str:
    head = ", ".join(f"s3:{n}" for n in names[:shown])
    return head if len(names) <= shown else f"{head} and {len(names) - shown} more"


@LINT_RULES.register("resource-wildcard")
def _check_resources(statement: Statement, out: _Collector) -> None:
    path = statement.path
    if "NotResource" in statement.body:
        out.add(
            "resource-wildcard",
            "Allow with NotResource applies to every resource not listed",
            f"{path}.NotResource",
        )
    for resource in strings(statement.body.get("Resource")):
        if resource == "*":
            out.add("resource-wildcard", 'Resource "*" covers every bucket', f"{path}.Resource")
            continue
        arn = Arn.parse(resource)
        if arn is not None and arn.service == "s3" and not arn.region:
            bucket = arn.resource.split("/", 1)[0]
            if has_wildcard(bucket):
                out.add(
                    "resource-wildcard",
                    f"{resource!r}: the bucket name {bucket!r} has a wildcard and matches other buckets",
                    f"{path}.Resource",
                )


# --- files -------------------------------------------------------------------------------


@dataclass
class LintReport:
    """What `provision lint` found: the files judged, the kind of each, the findings, and the
    files it read but did not judge (`skipped`: not policies, templates or plans) or never
    opened (`unopened`: FIFOs, devices, sockets, with what each is)."""

    files: list[str]
    kinds: dict[str, str | None]
    findings: list[Finding]
    skipped: list[str] = field(default_factory=list)
    unopened: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> list[dict[str, Any]]:
        """The JSON output: the findings (a list, as documented in the README)."""
        return [f.to_dict() for f in self.findings]

    def fails(self, threshold: str) -> bool:
        """Is any finding not muted at least as severe as `threshold` ('none': never)?"""
        return any(f.suppressed is None and f.severity.reaches(threshold) for f in self.findings)

    @property
    def shown(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]

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


def lint_paths(paths: list[str], stdin: Any = None, mutes: Sequence[Mute] = ()) -> LintReport:
    """Library twin of `provision lint FILE…`; findings a mute entry accepts are marked.

    One rule for named files and files found in a folder: a file is judged when it shows it
    was meant for us (`is_ours` on what parses, `shows_signs` on what does not); other JSON and
    YAML is skipped and counted. A file whose text cannot be had (permissions, a broken link,
    bytes that are not UTF-8) shows no signs and is never passed: it is a `file-unreadable`
    finding, named or found. FIFOs, devices and sockets are never opened, only listed."""
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

        from provisioner.mute import apply

        report.findings, expired = apply(report.findings, mutes, date.today(), lambda f: {"file": f.file})
        report.findings += [expired_mute(m) for m in expired]
    return report


@LINT_RULES.register("file-unreadable")
def _unreadable(report: LintReport, name: str, why: str) -> None:
    out = _Collector(name)
    out.add("file-unreadable", f"{why}: lint could not judge it")
    report.files.append(name)
    report.kinds[name] = None
    report.findings.extend(out.findings)


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


@LINT_RULES.register("mute-expired")
def expired_mute(mute: Mute) -> Finding:
    rule = rules()["mute-expired"]
    return Finding(
        mute.where,
        rule.id,
        rule.severity,
        f"mute entry {mute.describe()} expired on {mute.expires}: it mutes nothing now "
        f"(its reason: {mute.reason})",
        "$",
        rule.remediation,
    )


# --- positions ----------------------------------------------------------------------------


def positions(text: str) -> dict[str, tuple[int, int]]:
    """(line, column), 1-based, of every value of a JSON text by the JSON path lint reports
    (`$`, `$.Statement[0].Action`). Empty when the text is not JSON."""
    from json.decoder import scanstring  # type: ignore[attr-defined]  # public, not in typeshed

    found: dict[str, int] = {}
    size = len(text)
    number = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")

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
        match = number.match(text, i)
        if match is None:
            raise ValueError(i)
        return match.end()

    try:
        value(0, "$")
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
