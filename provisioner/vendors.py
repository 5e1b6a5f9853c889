"""Vendor profiles: data files under policies/vendors, one per vendor."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from provisioner.data import list_json, load_json
from provisioner.errors import DataError, InputError
from provisioner.inputs import check_origin, check_principal
from provisioner.model.arn import account_of
from provisioner.schemas import schema_errors

CUSTOM = "custom"


@dataclass(frozen=True)
class Vendor:
    name: str
    display_name: str
    principal: str
    cors_origins: tuple[str, ...]
    account_id: str | None = None
    docs: str | None = None
    role_name: str | None = None
    policy_name: str | None = None
    sts_region: str | None = None
    signed_url_seconds: int | None = None
    # the vendor's external-ID format (a regular expression), only from a cited vendor page
    external_id_pattern: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@cache
def known_vendors() -> dict[str, Vendor]:
    """Every profile under policies/vendors, validated against policies/schemas/vendor.json."""
    vendors = {}
    for relative in list_json("vendors"):
        raw = load_json(relative)
        problems = schema_errors(raw, "vendor")
        if problems:
            raise DataError(f"policies/{relative}: {problems[0]}")
        vendors[raw["name"]] = Vendor(
            name=raw["name"],
            display_name=raw["display_name"],
            principal=raw["principal"],
            cors_origins=tuple(raw["cors_origins"]),
            account_id=raw["account_id"],
            docs=raw["docs"],
            role_name=raw["role_name"],
            policy_name=raw["policy_name"],
            sts_region=raw.get("sts_region"),
            signed_url_seconds=raw.get("signed_url_seconds"),
            external_id_pattern=raw.get("external_id_pattern"),
        )
    return vendors


def get_vendor(name: str, option: str = "vendor", *, custom: str = "give --principal and --origin") -> Vendor:
    """A vendor profile by name; `custom` says how the command takes a vendor without one."""
    vendors = known_vendors()
    vendor = vendors.get(name.lower())
    if vendor is None:
        raise InputError(
            option, name, f"unknown vendor (known: {', '.join(sorted(vendors))}); for another vendor {custom}"
        )
    return vendor


def vendor_for_account(account_id: str) -> Vendor | None:
    """The known vendor whose AWS account this is, if any."""
    for vendor in known_vendors().values():
        if vendor.account_id == account_id:
            return vendor
    return None


def resolve_vendor(
    vendor: str | None = None,
    principal: str | None = None,
    origins: list[str] | tuple[str, ...] | None = None,
    default: str = "labelbox",
) -> Vendor:
    """The vendor a command works for: a known profile, or a custom one from principal/origins.

    --vendor and --principal/--origin exclude each other; with neither, the default vendor.
    """
    origins = list(origins or [])
    if vendor is not None and (principal is not None or origins):
        option = "principal" if principal is not None else "origin"
        raise InputError(
            option,
            principal if principal is not None else origins[0],
            f"give either --vendor or --principal/--origin, not both (--vendor {vendor})",
        )
    if principal is None and not origins:
        return get_vendor(vendor or default)
    checked_principal = check_principal(principal) if principal is not None else ""
    checked_origins = tuple(dict.fromkeys(check_origin(o) for o in origins))
    account = account_of(checked_principal) if checked_principal else None
    known = vendor_for_account(account) if account else None
    return Vendor(
        name=CUSTOM,
        display_name=known.display_name if known else "custom vendor",
        principal=checked_principal,
        cors_origins=checked_origins,
        account_id=account,
    )
