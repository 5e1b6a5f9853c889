"""JSON for programs: one encoder, and the shapes of things that are not results themselves."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from provisioner.vendors import Vendor

if TYPE_CHECKING:
    from provisioner.naming import Named


def to_json(data: Any) -> str:
    """Indented, UTF-8 as is; results are turned into data by their own to_dict().

    orjson writes the same text as `json.dumps(data, indent=2, ensure_ascii=False)` (a test
    compares them) about 7x faster: with an indent, the standard library encodes in Python, which
    was a third of an offline audit of 10,000 roles. What orjson refuses (an integer past 64
    bits) goes to the standard library."""
    import orjson

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(data, indent=2, ensure_ascii=False)


def vendor_dict(vendor: Vendor) -> dict[str, Any]:
    return {
        "name": vendor.name,
        "display_name": vendor.display_name,
        "account_id": vendor.account_id,
        "principal": vendor.principal,
        "cors_origins": list(vendor.cors_origins),
        "role_name": vendor.role_name,
        "policy_name": vendor.policy_name,
        "sts_region": vendor.sts_region,
        "docs": vendor.docs,
    }


def named_dict(named: Named) -> dict[str, Any]:
    """A named outside account of any source (provisioner.naming)."""
    shown: dict[str, Any] = {"name": named.name, "kind": named.kind, "accounts": list(named.accounts)}
    shown["source"] = named.source
    if named.principals:
        shown["principals"] = list(named.principals)
    if named.origins:
        shown["origins"] = list(named.origins)
    if not named.enabled:
        shown["enabled"] = False
    if named.docs:
        shown["docs"] = list(named.docs)
    return shown
