"""validate's spec, checked in one place before any AWS call (pure)."""

from __future__ import annotations

from dataclasses import replace

from provisioner import inputs
from provisioner.errors import InputError
from provisioner.validate.model import ValidateSpec


def check_spec(spec: ValidateSpec) -> ValidateSpec:
    """Every field checked; an empty prefix means the whole bucket (None)."""
    inputs.check_role_arn(spec.role_arn)
    inputs.check_external_id(spec.external_id)
    inputs.check_bucket(spec.bucket)
    if not spec.vendor.principal:
        raise InputError("principal", "", "validate needs the vendor's principal (or --vendor)")
    return replace(spec, prefix=inputs.check_prefix(spec.prefix))
