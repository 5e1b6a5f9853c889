"""Each role journey's spec, checked in one place before any AWS call: create-role's RoleSpec
becomes the wanted state (names checked, documents rendered), rotate's and delete's specs are
checked field by field. Pure."""

from __future__ import annotations

from provisioner import inputs
from provisioner.documents import render_cors, render_permissions, render_trust
from provisioner.errors import InputError
from provisioner.role.model import (
    BUCKET_TAG,
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    VENDOR_TAG,
    DeleteSpec,
    RoleSpec,
    RotateSpec,
    WantedRole,
)


def wanted_role(spec: RoleSpec) -> tuple[WantedRole, list[str]]:
    """Check every input and render the documents; returns the wanted state and warnings."""
    vendor, bucket = spec.vendor, spec.bucket
    permissions = render_permissions(bucket, spec.prefix, spec.kms_key_arn, spec.region)
    trust = render_trust(spec.external_id, vendor)
    warnings = permissions.warnings + trust.warnings
    # A value given empty is refused, not taken for "the default" (--role-name "$UNSET").
    role_name = inputs.check_role_name(
        spec.role_name if spec.role_name is not None else vendor.role_name or "VendorS3Access"
    )
    policy_name = inputs.check_policy_name(
        spec.policy_name if spec.policy_name is not None else vendor.policy_name or "VendorReadAccess"
    )
    checked_path = inputs.check_path(spec.path) if spec.path is not None else "/"
    user_tags = inputs.parse_tags(list(spec.tags))
    inputs.check_max_session_duration(spec.max_session_duration)
    boundary = (
        inputs.check_policy_arn(spec.permissions_boundary) if spec.permissions_boundary is not None else None
    )
    with_cors = bool(vendor.cors_origins) if spec.with_cors is None else spec.with_cors
    rule = None
    if with_cors:
        cors_doc = render_cors(vendor)
        warnings += cors_doc.warnings
        (rule,) = cors_doc.document["CORSRules"]
    all_tags = {MANAGED_BY_KEY: MANAGED_BY_VALUE, VENDOR_TAG: vendor.name, BUCKET_TAG: bucket}
    all_tags.update(user_tags)
    if len(all_tags) > 50:
        raise InputError("tag", len(user_tags), "IAM allows at most 50 tags on a role")
    description = f"Read-only access to s3://{bucket} for {vendor.display_name} (provisioner)"
    wanted = WantedRole(
        vendor=vendor,
        bucket=bucket,
        external_ids=(spec.external_id,),
        role_name=role_name,
        policy_name=policy_name,
        path=checked_path,
        path_given=spec.path is not None,
        permissions=permissions.document,
        trust=trust.document,
        tags=all_tags,
        max_session_duration=spec.max_session_duration,
        description=description[:1000],
        cors_rule=rule,
        adopt=spec.adopt,
        permissions_boundary=boundary,
    )
    return wanted, warnings


def check_rotate_spec(spec: RotateSpec) -> RotateSpec:
    """rotate-external-id's inputs: the role's name and the new external ID."""
    inputs.check_role_name(spec.role_name)
    inputs.check_external_id(spec.external_id)
    return spec


def check_delete_spec(spec: DeleteSpec) -> DeleteSpec:
    """delete-role's input: the role's name."""
    inputs.check_role_name(spec.role_name)
    return spec
