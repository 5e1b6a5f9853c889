"""Render the three integration documents from templates and check them against their schemas.

Templates (policies/templates) are JSON. Rendering is structural, never textual: a string
"${name}" that is exactly a placeholder becomes the value (a list stays a list), a
placeholder inside a longer string is replaced by text, and a list element carrying
"$when": NAME / "$unless": NAME is kept only when NAME is set / unset. Keys starting with "$"
are template metadata and never reach the output. User input therefore cannot change the
document's structure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from provisioner import inputs
from provisioner.data import list_json, load_json
from provisioner.errors import DataError, InputError
from provisioner.vendors import Vendor

_PLACEHOLDER = re.compile(r"\$\{([a-z_]+)\}")


@dataclass
class Rendered:
    """A rendered document and the warnings its inputs raised."""

    kind: str
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return dump(self.document)


def dump(document: Any) -> str:
    """Pretty JSON as printed by every `policy` command: 2-space indent, ASCII only.

    ASCII output keeps every character inside the set IAM accepts (U+0020-U+00FF, tab, LF, CR):
    anything else is written as a JSON \\u escape, which IAM decodes.
    """
    return json.dumps(document, indent=2, ensure_ascii=True)


# --- schemas -----------------------------------------------------------------------------


@cache
def _validators() -> dict[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = {}
    for relative in list_json("schemas"):
        schema = load_json(relative)
        schemas[relative.rsplit("/", 1)[-1].removesuffix(".json")] = schema
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return {name: Draft202012Validator(schema, registry=registry) for name, schema in schemas.items()}


def validator(schema: str) -> Any:
    try:
        return _validators()[schema]
    except KeyError as exc:
        raise DataError(f"policies/schemas/{schema}.json is missing; reinstall provisioner") from exc


def schema_errors(document: Any, schema: str) -> list[str]:
    """Every way the document breaks the schema, as 'JSON path: message', most specific first.

    Code generated from the schemas (provisioner/schema_code.py) answers first: a document that
    passes is done without importing jsonschema (60 ms of every `provision policy` run)."""
    from provisioner.schema_code import conforms

    if conforms(document, schema):
        return []
    found = []
    for top in sorted(validator(schema).iter_errors(document), key=lambda e: e.json_path):
        for error in _leaves(top):
            custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
            message = f"{error.instance!r}: {custom}" if custom else error.message
            found.append(f"{error.json_path}: {message}")
    return list(dict.fromkeys(found))


def _leaves(error: Any) -> list[Any]:
    """The errors that name the real faults under a oneOf/anyOf failure.

    Each alternative of a oneOf fails in its own way; the one that got furthest into the
    document is the one the author meant ("Statement": [ {...} ] is the list form, so report
    "$.Statement[0].Sid does not match", not "the list is not an object").
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def depth(errors: list[Any]) -> tuple[int, bool]:
        return max((len(e.absolute_path), e.validator not in ("type", "oneOf", "anyOf")) for e in errors)

    chosen = max(branches.values(), key=depth)
    return [leaf for sub in chosen for leaf in _leaves(sub)]


def _checked(kind: str, document: dict[str, Any], warnings: list[str]) -> Rendered:
    problems = schema_errors(document, kind)
    if problems:
        raise DataError(
            f"the rendered {kind} document breaks policies/schemas/{kind}.json "
            f"({problems[0]}); the template in policies/templates/{kind}.json is wrong"
        )
    return Rendered(kind, document, warnings)


# --- templates ---------------------------------------------------------------------------


def render_template(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Fill policies/templates/NAME.json with values (see the module docstring)."""
    document: dict[str, Any] = _fill(load_json(f"templates/{name}.json"), values)
    return document


def _fill(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items() if not k.startswith("$")}
    if isinstance(node, list):
        return [_fill(item, values) for item in node if _included(item, values)]
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            return _value(whole.group(1), values)
        return _PLACEHOLDER.sub(lambda m: str(_value(m.group(1), values)), node)
    return node


def _value(name: str, values: dict[str, Any]) -> Any:
    if values.get(name) is None:
        raise DataError(f"template placeholder ${{{name}}} has no value")
    return values[name]


def _included(item: Any, values: dict[str, Any]) -> bool:
    if not isinstance(item, dict):
        return True
    if "$when" in item and not values.get(item["$when"]):
        return False
    return not ("$unless" in item and values.get(item["$unless"]))


# --- the three documents -----------------------------------------------------------------


def render_permissions(
    bucket: str,
    prefix: str | None = None,
    kms_key_arn: str | None = None,
    region: str | None = None,
) -> Rendered:
    """The read-only identity policy for the vendor role."""
    bucket = inputs.check_bucket(bucket)
    prefix = inputs.check_prefix(prefix)
    if region is not None:
        inputs.check_region(region)
    warnings = inputs.bucket_warnings(bucket) + inputs.prefix_warnings(prefix)

    partition = (inputs.partition_of_region(region) if region else None) or "aws"  # checked above
    key = None
    if kms_key_arn is not None:
        key = inputs.check_kms_key_arn(kms_key_arn)
        if region is not None and region != key.region:
            raise InputError(
                "kms_key_arn",
                kms_key_arn,
                f"the key is in {key.region} but --region is {region}: S3 uses a KMS key only "
                "in the bucket's own region",
            )
        partition, region = key.partition, key.region

    values = {
        "partition": partition,
        "bucket": bucket,
        "prefix": inputs.escape_policy_text(prefix) if prefix else None,
        "kms_key_arn": str(key) if key else None,
        "region": region,
        "dns_suffix": inputs.partitions()[partition]["dns_suffix"],
    }
    return _checked("permissions", render_template("permissions", values), warnings)


def render_trust(external_id: str | Sequence[str], vendor: Vendor) -> Rendered:
    """The trust policy: the vendor's principal may assume the role with this external ID.

    Several IDs (a rotation window) are written as a list: StringEquals matches any of them.
    """
    ids = [external_id] if isinstance(external_id, str) else list(dict.fromkeys(external_id))
    if not ids:
        raise InputError("external_id", "", "an external ID is required")
    ids = [inputs.check_external_id(value) for value in ids]
    if not vendor.principal:
        raise InputError("principal", "", "the trust policy needs the vendor's principal ARN")
    names = tuple(n for n in (vendor.name, vendor.account_id) if n and n != "custom")
    warnings = [w for value in ids for w in inputs.external_id_warnings(value, known_names=names)]
    warnings += inputs.principal_warnings(vendor.principal)
    values = {"principal": vendor.principal, "external_id": ids[0] if len(ids) == 1 else ids}
    return _checked("trust", render_template("trust", values), warnings)


def render_cors(vendor: Vendor) -> Rendered:
    """The S3 CORS configuration that lets the vendor's web app GET the bucket's objects."""
    if not vendor.cors_origins:
        raise InputError("origin", "", "no origins: the vendor's web origins are needed for a CORS rule")
    warnings = [w for o in vendor.cors_origins for w in inputs.origin_warnings(o)]
    values = {"rule_id": cors_rule_id(vendor), "origins": list(vendor.cors_origins)}
    return _checked("cors", render_template("cors", values), warnings)


def cors_rule_id(vendor: Vendor) -> str:
    """The ID of our CORS rule: how later commands find it among the customer's own rules."""
    return f"provisioner-{vendor.name}"
