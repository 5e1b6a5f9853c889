"""Pure decisions of rotate-external-id: (spec, role) -> the trust rewrite."""

from __future__ import annotations

import json
from typing import Any

from provisioner.documents import render_trust
from provisioner.errors import InputError
from provisioner.iam import aws_principals, external_id_values, names_action, parse_document, statements
from provisioner.role.model import VENDOR_TAG, Change, Json, Plan, RotateSpec, tag_dict
from provisioner.role.plan import trust_rewrite
from provisioner.vendors import Vendor


def plan_rotate(spec: RotateSpec, role: Json) -> tuple[Plan, list[str]]:
    """The trust rewrite for a new external ID (with keep_old, the current ones stay); returns
    the plan and the IDs the role will accept. The spec's ID is checked (rotate_external_id
    does it before reading the role)."""
    current = parse_document(role["AssumeRolePolicyDocument"])
    principal, current_ids = vendor_trust(current, role["RoleName"])
    ids = list(dict.fromkeys([*current_ids, spec.external_id] if spec.keep_old else [spec.external_id]))
    vendor = Vendor(
        name=tag_dict(role.get("Tags")).get(VENDOR_TAG, "custom"),
        display_name="vendor",
        principal=principal,
        cors_origins=(),
    )
    rendered = render_trust(ids, vendor)
    changes = []
    if rendered.document != current:
        changes.append(
            Change(
                "update",
                f"role {role['RoleName']} trust",
                "update_assume_role_policy",
                {"RoleName": role["RoleName"], "PolicyDocument": json.dumps(rendered.document)},
                *trust_rewrite(current, rendered.document, role["Arn"]),
            )
        )
    warnings = [w for w in rendered.warnings if "whole account" not in w]
    if len(ids) > 1:
        warnings.append(
            "the role now accepts several external IDs; run again without --keep-old once the "
            "vendor uses the new one"
        )
    return Plan(changes, role["RoleName"], role["Arn"], "", warnings), ids


def vendor_trust(document: Any, role_name: str) -> tuple[str, list[str]]:
    """The one trusted AWS principal and its pinned external IDs, from a provisioner-style trust."""
    allows = [s for s in statements(document) if s.is_allow and names_action(s, "sts:AssumeRole")]
    principals = sorted({p for s in allows for p in aws_principals(s)})
    if len(allows) != 1 or len(principals) != 1 or principals[0] == "*":
        raise InputError(
            "role_name",
            role_name,
            f"the trust policy has {len(allows)} statement(s) and {len(principals)} AWS "
            "principal(s); rotate-external-id handles one vendor principal: fix it with "
            "create-role first",
        )
    from provisioner.analysis.answer import issued_ids  # the Deny guards' IDs too

    # the IDs that work now: pinned by the Allow (IfExists too: the vendor sends one), or by a
    # Deny guard; --keep-old keeps each of them
    pinned = external_id_values(allows[0], ("StringEquals", "StringEqualsIfExists"))
    ids = list(dict.fromkeys([*pinned, *issued_ids(document)]))
    return principals[0], ids
