"""validate's spec, checked in one place before any AWS call (pure)."""

from __future__ import annotations

from dataclasses import replace

from provisioner import inputs
from provisioner.errors import InputError
from provisioner.validate.model import ValidateSpec


def check_spec(spec: ValidateSpec) -> ValidateSpec:
    """Every field checked; an empty prefix means the whole bucket (None). The role is either
    role_arn or role (a name in the caller's account, which the API turns into an ARN), never
    both."""
    if spec.role is not None and spec.role_arn:
        raise InputError(
            "role_name",
            spec.role,
            f"give --role-arn or --role-name, not both (--role-arn {spec.role_arn})",
        )
    if spec.role is not None:
        inputs.check_role_name(spec.role)
    elif not spec.role_arn:
        raise InputError(
            "role_arn",
            "",
            "no role to check: give --role-arn arn:aws:iam::ACCOUNT:role/NAME, or --role-name NAME "
            "(a role of the account whose credentials are in use)",
        )
    else:
        inputs.check_role_arn(spec.role_arn)
    inputs.check_external_id(spec.external_id)
    inputs.check_bucket(spec.bucket)
    if not spec.vendor.principal:
        raise InputError("principal", "", "validate needs the vendor's principal (or --vendor)")
    if spec.key is not None and not spec.key.strip():
        raise InputError(
            "key", spec.key, "an object key to read, such as images/cat.jpg (or leave out --key)"
        )
    return replace(spec, prefix=inputs.check_prefix(spec.prefix))
