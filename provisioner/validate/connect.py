"""Whom validate acts on and as: the role named by --role-name in the caller's account, and the
credentials that act as the vendor (a profile, or the sandbox's vendor account)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from provisioner.errors import InputError

if TYPE_CHECKING:
    from provisioner.aws import Aws
    from provisioner.validate.model import LiveOptions
    from provisioner.vendors import Vendor


def caller_role_arn(aws: Aws, name: str) -> str:
    """The ARN of role `name` in the account of the credentials in use (sts:GetCallerIdentity),
    with the role's path when it exists (iam:GetRole; refused or missing: path /)."""
    from provisioner.aws import AwsError, read_or_none
    from provisioner.model.arn import role_arn

    account, partition = aws.account_id(), aws.partition()
    try:
        role = read_or_none(
            "iam:GetRole",
            f"reading role {name}",
            lambda: aws.client("iam").get_role(RoleName=name)["Role"],
            ("NoSuchEntity",),
        )
    except AwsError as exc:
        if exc.code not in ("AccessDenied", "AccessDeniedException"):
            raise
        role = None  # validate notes the refused read itself
    found = role.get("Arn") if isinstance(role, dict) else None
    return str(found) if found else role_arn(account, name, "/", partition)


def live_options(
    aws: Aws, vendor: Vendor, *, vendor_profile: str | None = None, wait_seconds: float = 30.0
) -> LiveOptions:
    """Credentials that act as the vendor: a profile, or in the sandbox the vendor's own account.
    Outside the sandbox there is no default: we never pretend to be the vendor with the admin's
    own credentials."""
    from provisioner import inputs, sandbox
    from provisioner.aws import Aws
    from provisioner.validate.model import LiveOptions

    inputs.check_wait(wait_seconds)
    is_box = sandbox.is_sandbox(aws.endpoint_url)
    if vendor_profile:
        vendor_aws = Aws(profile=vendor_profile, endpoint_url=aws.endpoint_url)
    elif is_box and vendor.account_id:
        vendor_aws = Aws(session=sandbox.session_for(vendor.account_id), endpoint_url=aws.endpoint_url)
    else:
        raise InputError(
            "live", "", "needs credentials that act as the vendor: give --vendor-profile PROFILE"
        )
    return LiveOptions(vendor_aws=vendor_aws, sandbox=is_box, wait_seconds=wait_seconds)
