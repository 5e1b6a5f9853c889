"""Policy documents inside infrastructure code, for `lint`: CloudFormation templates (ours from
`export`, or anyone's) and Terraform plans (`terraform show -json PLAN`). Pure.

CloudFormation's intrinsic functions are resolved the way a deploy would, as far as the template
tells: a parameter's `Default` (else its name), pseudo parameters (`AWS::Partition` is `aws`),
`Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::If` (its first branch); what only a deploy knows
(`Fn::GetAtt`, `Fn::ImportValue`, a resource's `Ref`) becomes its name, which no rule mistakes
for a wildcard.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "stack",
    "AWS::StackId": "stack-id",
}

# resource type -> (property holding a document, or a list of policies, and the document kind)
CFN_DOCUMENTS: dict[str, list[tuple[str, str]]] = {
    "AWS::IAM::Role": [("AssumeRolePolicyDocument", "trust"), ("Policies[].PolicyDocument", "permissions")],
    "AWS::IAM::ManagedPolicy": [("PolicyDocument", "permissions")],
    "AWS::IAM::Policy": [("PolicyDocument", "permissions")],
    "AWS::IAM::RolePolicy": [("PolicyDocument", "permissions")],
    "AWS::S3::BucketPolicy": [("PolicyDocument", "resource")],
    "AWS::KMS::Key": [("KeyPolicy", "resource")],
}
TF_DOCUMENTS: dict[str, list[str]] = {
    "aws_iam_role": ["assume_role_policy", "inline_policy[].policy"],
    "aws_iam_policy": ["policy"],
    "aws_iam_role_policy": ["policy"],
    "aws_s3_bucket_policy": ["policy"],
    "aws_kms_key": ["policy"],
}


YAML_SUFFIXES = (".yaml", ".yml", ".template")
# The start of a line that only a YAML CloudFormation template has at its top level.
YAML_TEMPLATE_START = re.compile(r"^(?:AWSTemplateFormatVersion|Resources)[ \t]*:", re.MULTILINE)


class YamlError(ValueError):
    """A text that is not YAML: what is wrong, and where (1-based; 0 when not known)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def load_yaml(text: str) -> Any:
    """A CloudFormation template written in YAML, its short-form tags (`!Sub`, `!Ref`,
    `!GetAtt a.b`, …) read as the long form. YamlError says what is wrong and where."""
    import yaml

    loader_class: Any = type("TemplateLoader", (yaml.SafeLoader,), {})  # its own tags, not SafeLoader's

    def tagged(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    loader_class.add_multi_constructor("!", tagged)
    try:
        return yaml.load(text, Loader=loader_class)  # a SafeLoader with CloudFormation's tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise YamlError(f"not YAML: {exc}") from None
        line, column = mark.line + 1, mark.column + 1
        problem = getattr(exc, "problem", None) or exc
        raise YamlError(f"not YAML: {problem} at line {line} column {column}", line, column) from None


def yaml_positions(text: str) -> dict[str, tuple[int, int]]:
    """(line, column), 1-based, of every value of a YAML template by the JSON path lint reports."""
    import yaml

    loader: Any = type("PositionLoader", (yaml.SafeLoader,), {})
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return {}
    found: dict[str, tuple[int, int]] = {}

    def walk(node: Any, path: str) -> None:
        found[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, f"{path}.{key.value}")
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                walk(value, f"{path}[{index}]")

    if root is not None:
        walk(root, "$")
    return found


def kind_of(data: Any) -> str | None:
    """'cloudformation', 'terraform-plan' or None (a policy document, or something else)."""
    if not isinstance(data, dict):
        return None
    if "AWSTemplateFormatVersion" in data or isinstance(data.get("Resources"), dict):
        return "cloudformation"
    if "planned_values" in data or "resource_changes" in data:
        return "terraform-plan"
    return None


def documents(data: Any, kind: str | None = None) -> Iterator[tuple[str, Any, str]]:
    """(location, policy document, anchor) for every document the template or plan holds; the
    anchor is the JSON path of the document in the file (the location itself in a template,
    the attribute holding the JSON string in a plan)."""
    kind = kind or kind_of(data)
    if kind == "cloudformation":
        for location, document in _cloudformation(data):
            yield location, document, location
    elif kind == "terraform-plan":
        planned = data.get("planned_values")
        root = planned.get("root_module") if isinstance(planned, dict) else None
        yield from _terraform(root if isinstance(root, dict) else {}, "$.planned_values.root_module")


def _cloudformation(template: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    parameters = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
    values = {**PSEUDO}
    for name, spec in (parameters or {}).items():
        default = spec.get("Default") if isinstance(spec, dict) else None
        values[name] = str(default) if default is not None else name
    resources = template.get("Resources")
    for logical, resource in (resources if isinstance(resources, dict) else {}).items():
        if not isinstance(resource, dict):
            continue
        properties = resource.get("Properties")
        if not isinstance(properties, dict):
            continue
        for path, _ in CFN_DOCUMENTS.get(str(resource.get("Type")), []):
            base = f"$.Resources.{logical}.Properties"
            for where, document in _at(properties, path, base):
                yield where, resolve(document, values)


def _at(node: Any, path: str, base: str) -> Iterator[tuple[str, Any]]:
    """The values at a dotted path where `name[]` walks a list."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        items = node.get(head[:-2]) if isinstance(node, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            yield from _at(item, rest, f"{base}.{head[:-2]}[{index}]")
        return
    value = node.get(head) if isinstance(node, dict) else None
    if value is None:
        return
    if rest:
        yield from _at(value, rest, f"{base}.{head}")
    else:
        yield f"{base}.{head}", value


def resolve(node: Any, values: dict[str, str]) -> Any:
    """The node with CloudFormation's intrinsic functions replaced by what they would give."""
    if isinstance(node, list):
        return [resolve(item, values) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Ref":
            return values.get(str(argument), str(argument))
        if function == "Fn::Sub":
            text, extra = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
            scope = {**values, **{k: str(resolve(v, values)) for k, v in (extra or {}).items()}}
            return re.sub(r"\$\{([^}!][^}]*)\}", lambda m: scope.get(m.group(1), m.group(1)), str(text))
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            parts = resolve(argument[1], values)
            return str(argument[0]).join(str(p) for p in parts) if isinstance(parts, list) else str(parts)
        if function == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            items = resolve(argument[1], values)
            try:
                return items[int(argument[0])]
            except (TypeError, ValueError, IndexError):
                return "Fn::Select"
        if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            return resolve(argument[1], values)
        if function == "Fn::GetAtt":
            return ".".join(argument) if isinstance(argument, list) else str(argument)
        if function.startswith("Fn::"):
            return function
    return {key: resolve(value, values) for key, value in node.items()}


def _terraform(module: dict[str, Any], base: str) -> Iterator[tuple[str, Any, str]]:
    for index, resource in enumerate(module.get("resources") or []):
        if not isinstance(resource, dict) or resource.get("mode") == "data":
            continue
        address = str(resource.get("address"))
        for path in TF_DOCUMENTS.get(str(resource.get("type")), []):
            anchors = _at(resource.get("values") or {}, path, f"{base}.resources[{index}].values")
            for (where, text), (anchor, _) in zip(
                _at(resource.get("values") or {}, path, address), anchors, strict=True
            ):
                try:
                    yield where, json.loads(text) if isinstance(text, str) else text, anchor
                except json.JSONDecodeError:
                    yield where, text, anchor  # not JSON: the grammar check says so
    for index, child in enumerate(module.get("child_modules") or []):
        if isinstance(child, dict):
            yield from _terraform(child, f"{base}.child_modules[{index}]")
