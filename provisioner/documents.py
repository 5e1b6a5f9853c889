"""Render the three integration documents from templates and check them against their schemas.

The schema code itself lives in provisioner.schemas; `schema_errors` and `validator` are
re-exported here for callers that import them from this module.

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
from typing import Any

from provisioner import inputs
from provisioner.data import load_json
from provisioner.errors import DataError, InputError
from provisioner.schemas import schema_errors, validator
from provisioner.vendors import Vendor

__all__ = ["Rendered", "cors_rule_id", "dump", "render_cors", "render_permissions", "render_template",
           "render_trust", "schema_errors", "validator"]  # fmt: skip

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
