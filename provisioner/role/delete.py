"""Pure decisions of delete-role: (snapshot) -> the plan that removes the role and what
provisioner made for it, in an order a stopped run can always finish."""

from __future__ import annotations

from provisioner import cors
from provisioner.documents import cors_rule_id
from provisioner.role.model import (
    BUCKET_TAG,
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    VENDOR_TAG,
    Change,
    DeleteSnapshot,
    Plan,
    tag_dict,
)
from provisioner.vendors import Vendor


def plan_delete(snapshot: DeleteSnapshot) -> Plan:
    """Detach everything, delete our policies (not shared ones), inline policies, instance
    profile links and the role; remove our CORS rule unless other roles still rely on it."""
    role = snapshot.role
    name = role["RoleName"]
    warnings: list[str] = []
    detaches, deletions, shared = _policy_changes(snapshot, warnings)
    changes = detaches + deletions
    changes += [
        Change(
            "delete",
            f"inline policy {policy_name} of role {name}",
            "delete_role_policy",
            {"RoleName": name, "PolicyName": policy_name},
        )
        for policy_name in snapshot.inline
    ]
    changes += [
        Change(
            "detach",
            f"role {name} from instance profile {profile['InstanceProfileName']}",
            "remove_role_from_instance_profile",
            {"RoleName": name, "InstanceProfileName": profile["InstanceProfileName"]},
        )
        for profile in snapshot.profiles
    ]
    if not shared:
        changes += _plan_cors_removal(snapshot, warnings)
    # The role goes last: it is what the next run starts from, so a run stopped half-way
    # (expired credentials, Ctrl-C) can always be finished by running it again.
    changes.append(Change("delete", f"role {name}", "delete_role", {"RoleName": name}))
    return Plan(changes, name, role["Arn"], "", warnings)


def _policy_changes(snapshot: DeleteSnapshot, warnings: list[str]) -> tuple[list[Change], list[Change], bool]:
    """Detach every attached policy; delete ours (with their versions) unless other roles use
    them. Returns the detaches, the deletions and whether one of ours is shared."""
    name = snapshot.role["RoleName"]
    detaches: list[Change] = []
    deletions: list[Change] = []
    shared = False
    # (ARN, name, attached): the role's attachments, then our policies a stopped run detached
    policies = [(a["PolicyArn"], a["PolicyName"], True) for a in snapshot.attached] + [
        (arn, snapshot.policies[arn]["PolicyName"], False) for arn in snapshot.left_behind
    ]
    for arn, policy_name, attached in policies:
        if attached:
            detaches.append(
                Change(
                    "detach",
                    f"policy {policy_name} from role {name}",
                    "detach_role_policy",
                    {"RoleName": name, "PolicyArn": arn},
                )
            )
        policy = snapshot.policies.get(arn)
        if policy is None or tag_dict(policy.get("Tags")).get(MANAGED_BY_KEY) != MANAGED_BY_VALUE:
            continue  # AWS managed or not ours: detach only
        if int(policy.get("AttachmentCount", 0)) > 1:
            shared = True
            warnings.append(
                f"policy {policy_name} is attached to other roles too: it is detached "
                "from this one and kept, and so is the bucket's CORS rule they rely on"
            )
            continue
        deletions += _policy_deletion(snapshot, arn, policy_name, attached)
    return detaches, deletions, shared


def _policy_deletion(snapshot: DeleteSnapshot, arn: str, policy_name: str, attached: bool) -> list[Change]:
    """Our policy's non-default versions, then the policy itself."""
    changes = [
        Change(
            "delete",
            f"policy {policy_name} version {version['VersionId']}",
            "delete_policy_version",
            {"PolicyArn": arn, "VersionId": version["VersionId"]},
        )
        for version in snapshot.versions.get(arn, [])
        if not version["IsDefaultVersion"]
    ]
    changes.append(
        Change(
            "delete",
            f"policy {policy_name}",
            "delete_policy",
            {"PolicyArn": arn},
            "created by provisioner"
            + ("; left detached by a delete-role that stopped half-way" if not attached else ""),
        )
    )
    return changes


def _plan_cors_removal(snapshot: DeleteSnapshot, warnings: list[str]) -> list[Change]:
    tags = tag_dict(snapshot.role.get("Tags"))
    bucket, vendor = tags.get(BUCKET_TAG), tags.get(VENDOR_TAG)
    if not bucket or not vendor:
        return []
    if snapshot.bucket_gone:
        warnings.append(f"bucket {bucket} no longer exists: no CORS rule to remove")
        return []
    rule_id = cors_rule_id(Vendor(name=vendor, display_name="", principal="", cors_origins=()))
    kept = cors.remove_rule(snapshot.cors_rules or [], rule_id)
    if kept is None:
        return []
    if not kept:
        return [
            Change(
                "cors",
                f"bucket {bucket}",
                "delete_bucket_cors",
                {"Bucket": bucket},
                f"remove rule {rule_id} (the only rule)",
                cors_intent={"remove": rule_id},
            )
        ]
    return [
        Change(
            "cors",
            f"bucket {bucket}",
            "put_bucket_cors",
            {"Bucket": bucket, "CORSConfiguration": {"CORSRules": kept}},
            f"remove rule {rule_id}; {len(kept)} other rule(s) kept",
            cors_intent={"remove": rule_id},
        )
    ]
