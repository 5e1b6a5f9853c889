"""Findings on IAM policy documents: grammar, IAM limits and least privilege for a vendor grant.

Rule ids, severities, titles and remediations live in policies/lint-rules.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
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


def parse(text: str, file: str) -> tuple[Any, str | None]:
    """The document (JSON; YAML for a CloudFormation template file), or why it cannot be read."""
    from provisioner import iac

    if file.lower().endswith(iac.YAML_SUFFIXES):
        try:
            document = iac.load_yaml(text)
        except ValueError as exc:
            return None, str(exc)
        if iac.kind_of(document) is None:
            return None, "a YAML file that is not a CloudFormation template (IAM reads JSON)"
        return document, None
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}"


def lint_text(text: str, file: str = "<document>") -> tuple[str | None, list[Finding]]:
    """Lint one document given as text. Returns (kind, findings); kind is None if unreadable."""
    document, error = parse(text, file)
    linted: tuple[str | None, list[Finding]] = lint_parsed(text, document, file, error)
    return linted


@LINT_RULES.register("invalid-json")
def lint_parsed(
    text: str, document: Any, file: str, error: str | None = None
) -> tuple[str | None, list[Finding]]:
    """Lint a document `parse` read from `text` (or report why it could not)."""
    from provisioner import iac

    out = _Collector(file)
    if error is not None:
        out.add("invalid-json", error)
        return None, out.findings
    template = iac.kind_of(document)
    if template is not None:  # a CloudFormation template or a Terraform plan
        yaml = file.lower().endswith(iac.YAML_SUFFIXES)
        where = iac.yaml_positions(text) if yaml else positions(text)
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
    """What `provision lint` found: the files read, the kind of each, and the findings."""

    files: list[str]
    kinds: dict[str, str | None]
    findings: list[Finding]

    def to_dict(self) -> list[dict[str, Any]]:
        """The JSON output: the findings (a list, as documented in the README)."""
        return [f.to_dict() for f in self.findings]

    def fails(self, threshold: str) -> bool:
        """Is any finding not muted at least as severe as `threshold` ('none': never)?"""
        return any(f.suppressed is None and f.severity.reaches(threshold) for f in self.findings)

    @property
    def shown(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]


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


def lint_paths(paths: list[str], stdin: Any = None, mutes: Sequence[Mute] = ()) -> LintReport:
    """Library twin of `provision lint FILE…`; findings a mute entry accepts are marked."""
    from provisioner.errors import InputError

    report = LintReport(files=[], kinds={}, findings=[])
    for path, named in expand(paths):
        name = "<stdin>" if path == "-" else path
        try:
            text = read_text(path, stdin)
        except InputError:
            if named:
                raise
            continue  # a file in a folder that cannot be read as text is not a policy
        document, error = parse(text, path)
        if not named and not _looks_like_policy(document, error):
            continue  # a folder's other JSON files (package.json, …) are not ours to judge
        kind, findings = lint_parsed(text, document, name, error)
        report.files.append(name)
        report.kinds[name] = kind
        report.findings.extend(findings)
    if mutes:
        from datetime import date

        from provisioner.mute import apply

        report.findings, expired = apply(report.findings, mutes, date.today(), lambda f: {"file": f.file})
        report.findings += [expired_mute(m) for m in expired]
    return report


SKIPPED_FOLDERS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", "cdk.out"}


def expand(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """(path, named) for each path, a folder giving its *.json files, recursively and sorted
    (hidden folders, .terraform and node_modules skipped); `named` is False for those."""
    import os

    out: list[tuple[str, bool]] = []
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            out.append((path, True))
            continue
        found = []
        for folder, folders, files in os.walk(path):
            folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS and not f.startswith("."))
            found += [
                os.path.join(folder, f) for f in files if f.lower().endswith((".json", ".yaml", ".yml"))
            ]
        out += [(f, False) for f in sorted(found)]
    return out


def _looks_like_policy(document: Any, error: str | None) -> bool:
    """Is a file found in a folder ours to judge: a policy, a template or a plan? (A template
    that cannot be read for want of PyYAML is: its finding says what to install.)"""
    from provisioner import iac

    if error is not None:
        return "PyYAML" in error
    return isinstance(document, dict) and ("Statement" in document or iac.kind_of(document) is not None)


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
    out = {}
    for path, offset in found.items():
        line = text.count("\n", 0, offset) + 1
        out[path] = (line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    return out
