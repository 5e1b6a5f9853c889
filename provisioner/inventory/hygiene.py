"""Pure: external-ID hygiene in the inventory. Each ID against its vendor's format (where our
profile gives one) or its length and character classes, its age, and the same ID on several roles
or for several parties."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from provisioner.audit.model import RoleDetail
from provisioner.inputs import external_id_warnings
from provisioner.inventory.model import RoleAccess
from provisioner.naming import Names


def id_notes(pinned: list[str], role: RoleDetail, reached_by: tuple[str, ...], names: Names) -> list[str]:
    """Each ID against the vendor's format where its profile gives one, else its length and
    character classes; and its age, which IAM does not record."""
    notes: list[str] = []
    patterns = _vendor_patterns(reached_by)
    for external_id in pinned:
        checked = False
        for vendor, pattern in patterns:
            checked = True
            if re.fullmatch(pattern, external_id) is None:
                notes.append(f"external ID {external_id!r} is not in {vendor}'s format ({pattern})")
        if not checked:
            notes += external_id_warnings(external_id)
    if pinned:
        created = role.created.date().isoformat() if role.created else "an unrecorded date"
        notes.append(
            f"the ID may be as old as the role (created {created}): IAM records no time for a trust change"
        )
    return notes


def _vendor_patterns(reached_by: tuple[str, ...]) -> list[tuple[str, str]]:
    """(vendor, external_id_pattern) of our profiles for the accounts that get in."""
    from provisioner.vendors import known_vendors

    return [
        (v.display_name, v.external_id_pattern)
        for v in known_vendors().values()
        if v.account_id in reached_by and v.external_id_pattern
    ]


def shared_ids(
    accesses: list[tuple[RoleAccess, list[str]]], holders: dict[str, set[tuple[str, str]]]
) -> None:
    """The same ID on several roles, or for several parties."""
    for access, _ in accesses:
        for external_id in access.external_ids:
            held = holders.get(external_id, set())
            roles = {arn for arn, _ in held}
            parties = {party for _, party in held}
            if len(parties) > 1:
                access.id_notes.append(
                    f"external ID {external_id!r} is trusted for {len(parties)} parties: "
                    "any of them can act as the other (confused deputy)"
                )
            elif len(roles) > 1:
                access.id_notes.append(
                    f"external ID {external_id!r} is on {len(roles)} roles: one per integration"
                )


REUSED = "external-id-reused"


def findings_by_role(findings: list[Any]) -> dict[str, list[Any]]:
    """Each role's audit findings. audit says an external ID's reuse once, on the first role
    that pins it (its evidence lists them all: README, `external-id-reused`); each of those roles
    carries it here, so that none of them is greener than another."""
    found: dict[str, list[Any]] = defaultdict(list)
    for finding in findings:
        roles = [finding.role_arn]
        if finding.rule == REUSED and isinstance(finding.evidence, dict):
            roles += [arn for arn in finding.evidence.get("roles", ()) if arn != finding.role_arn]
        for arn in roles:
            found[arn].append(finding)
    return found


def reuse_is_mine(finding: Any, ids: list[str] | None) -> bool:
    """A reuse finding is a party's where the reused ID is one its own way in presents."""
    if finding.rule != REUSED or not isinstance(finding.evidence, dict):
        return True
    return finding.evidence.get("external_id") in (ids or ())
