"""Reading a text as a document: JSON or YAML, whether it is ours, what kind of policy."""

from __future__ import annotations

import json
import re
from typing import Any

from provisioner.iam import split_action, statements, strings
from provisioner.lint.model import ParseError


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
        where = f"at line {exc.lineno} column {exc.colno}"  # json's "… starting at" names a position
        return None, ParseError(f"{exc.msg.removesuffix(' at')} {where}", exc.lineno, exc.colno)


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


def document_kind(document: Any) -> str:
    """'trust' (a role trust policy), 'resource' (e.g. a bucket policy) or 'permissions'."""
    with_principal = [s for s in statements(document) if "Principal" in s.body or "NotPrincipal" in s.body]
    if not with_principal:
        return "permissions"
    actions = [a for s in with_principal for a in strings(s.body.get("Action"))]
    if actions and all(split_action(a)[0] == "sts" for a in actions):
        return "trust"
    # a trust policy has no Resource (IAM refuses one: the role is the resource); a resource
    # policy needs one. So a NotAction trust, or a Deny of "*" in a trust, is still a trust.
    if not any("Resource" in s.body or "NotResource" in s.body for s in with_principal):
        return "trust"
    return "resource"
