"""Pure decisions of create-role: (wanted, snapshot) -> plan, and the words for what a trust
rewrite changes (shared with rotate-external-id).

No function here talks to AWS; the tests call them with hand-made snapshots. The spec checks are
in role/spec.py, rotate's and delete's plans in role/rotate.py and role/delete.py.
"""

from __future__ import annotations

import json
from typing import Any

from provisioner import cors
from provisioner.errors import InputError
from provisioner.iam import aws_principals, external_id_values, parse_document, statements, strings
from provisioner.model.arn import policy_arn, role_arn
from provisioner.role.model import (
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    MAX_POLICY_VERSIONS,
    Change,
    Json,
    Plan,
    RoleSnapshot,
    WantedRole,
    tag_list,
)

# --- create-role --------------------------------------------------------------------------


def plan_role(wanted: WantedRole, actual: RoleSnapshot) -> Plan:
    """The changes that bring the account to the wanted state; [] when it is there already."""
    changes: list[Change] = []
    warnings: list[str] = []
    role = actual.role
    role_name = role["RoleName"] if role else wanted.role_name
    if role and role_name != wanted.role_name:
        warnings.append(
            f"role {wanted.role_name!r} exists as {role_name!r} (IAM role names ignore case); "
            f"using {role_name!r}"
        )
    _check_owned("role", role_name, actual.role_tags if role else None, wanted.adopt)
    path = wanted.path
    if role and role["Path"] != wanted.path:
        if wanted.path_given:
            raise InputError(
                "path",
                wanted.path,
                f"role {role_name} exists with path {role['Path']}; IAM cannot move a role: "
                f"use --path {role['Path']} or delete the role first",
            )
        path = role["Path"]

    policy = actual.policy
    arn = policy["Arn"] if policy else policy_arn(actual.account, wanted.policy_name, path, actual.partition)
    policy_label = f"policy {policy['PolicyName'] if policy else wanted.policy_name}"
    if policy:
        _check_owned("policy", policy["PolicyName"], actual.policy_tags, wanted.adopt)
        _check_not_shared(wanted, actual, arn)
    changes += _plan_policy(wanted, actual, arn, policy_label, path)
    changes += _plan_role(wanted, actual, role_name, path)
    if not any(a["PolicyArn"] == arn for a in actual.attached):
        changes.append(
            Change(
                "attach",
                f"{policy_label} to role {role_name}",
                "attach_role_policy",
                {"RoleName": role_name, "PolicyArn": arn},
            )
        )
    changes += _plan_cors(wanted, actual)

    others = [a["PolicyArn"] for a in actual.attached if a["PolicyArn"] != arn]
    if others:
        warnings.append(
            f"role {role_name} also has {', '.join(others)} attached; provisioner leaves "
            "them alone, but they widen what the vendor can do"
        )
    if actual.inline:
        warnings.append(
            f"role {role_name} also has inline policies {', '.join(actual.inline)}; provisioner "
            "leaves them alone, but they widen what the vendor can do"
        )
    the_role_arn = role["Arn"] if role else role_arn(actual.account, role_name, path, actual.partition)
    return Plan(changes, role_name, the_role_arn, arn, warnings)


def _check_owned(kind: str, name: str, tags: dict[str, str] | None, adopt: bool) -> None:
    if tags is None or tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE or adopt:
        return
    raise InputError(
        "role_name" if kind == "role" else "policy_name",
        name,
        f"the {kind} exists and was not created by provisioner (no {MANAGED_BY_KEY}="
        f"{MANAGED_BY_VALUE} tag); pass --adopt to bring it under provisioner (its "
        f"{'trust and ' if kind == 'role' else ''}document will be replaced), or choose another name",
    )


def _check_not_shared(wanted: WantedRole, actual: RoleSnapshot, arn: str) -> None:
    """Never rewrite a policy that other roles, users or groups use: it would change their access."""
    policy = actual.policy or {}
    ours = 1 if any(a["PolicyArn"] == arn for a in actual.attached) else 0
    elsewhere = int(policy.get("AttachmentCount", 0)) - ours
    if elsewhere > 0 and actual.policy_document != wanted.permissions:
        raise InputError(
            "policy_name",
            policy["PolicyName"],
            f"the policy is attached to {elsewhere} other role(s), user(s) or group(s); changing "
            "it would change their access too: choose another --policy-name",
        )


def _plan_policy(wanted: WantedRole, actual: RoleSnapshot, arn: str, label: str, path: str) -> list[Change]:
    if actual.policy is None:
        return [
            Change(
                "create",
                label,
                "create_policy",
                {
                    "PolicyName": wanted.policy_name,
                    "Path": path,
                    "PolicyDocument": json.dumps(wanted.permissions),
                    "Description": wanted.description,
                    "Tags": tag_list(wanted.tags),
                },
                f"read-only access to s3://{wanted.bucket}",
            )
        ]
    changes = []
    if actual.policy_document != wanted.permissions:
        versions = actual.policy_versions or []
        if len(versions) >= MAX_POLICY_VERSIONS:
            oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
            changes.append(
                Change(
                    "delete",
                    f"{label} version {oldest['VersionId']}",
                    "delete_policy_version",
                    {"PolicyArn": arn, "VersionId": oldest["VersionId"]},
                    f"IAM keeps {MAX_POLICY_VERSIONS} versions; the oldest non-default one goes",
                )
            )
        changes.append(
            Change(
                "update",
                label,
                "create_policy_version",
                {"PolicyArn": arn, "PolicyDocument": json.dumps(wanted.permissions), "SetAsDefault": True},
                _document_difference(actual.policy_document, wanted.permissions),
                grants_lost(actual.policy_document, wanted.permissions),
            )
        )
    changes += _tag_change(label, actual.policy_tags, wanted.tags, "tag_policy", {"PolicyArn": arn})
    return changes


def _plan_role(wanted: WantedRole, actual: RoleSnapshot, name: str, path: str) -> list[Change]:
    role = actual.role
    label = f"role {name}"
    if role is None:
        return [_create_role(wanted, name, path)]
    changes = []
    current_trust = parse_document(role["AssumeRolePolicyDocument"])
    if current_trust != wanted.trust:
        changes.append(
            Change(
                "update",
                f"{label} trust",
                "update_assume_role_policy",
                {"RoleName": name, "PolicyDocument": json.dumps(wanted.trust)},
                *trust_rewrite(current_trust, wanted.trust, role["Arn"]),
            )
        )
    if role.get("MaxSessionDuration") != wanted.max_session_duration:
        changes.append(
            Change(
                "update",
                label,
                "update_role",
                {"RoleName": name, "MaxSessionDuration": wanted.max_session_duration},
                f"max session duration {role.get('MaxSessionDuration')} -> {wanted.max_session_duration}",
            )
        )
    current = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if wanted.permissions_boundary and current != wanted.permissions_boundary:
        # Only set or replaced when asked; never removed (removing one widens what the role may do).
        changes.append(
            Change(
                "update",
                label,
                "put_role_permissions_boundary",
                {"RoleName": name, "PermissionsBoundary": wanted.permissions_boundary},
                f"permissions boundary {current or 'none'} -> {wanted.permissions_boundary}",
            )
        )
    changes += _tag_change(label, actual.role_tags, wanted.tags, "tag_role", {"RoleName": name})
    return changes


def _create_role(wanted: WantedRole, name: str, path: str) -> Change:
    boundary = wanted.permissions_boundary
    return Change(
        "create",
        f"role {name}",
        "create_role",
        {
            "RoleName": name,
            "Path": path,
            "AssumeRolePolicyDocument": json.dumps(wanted.trust),
            "Description": wanted.description,
            "MaxSessionDuration": wanted.max_session_duration,
            "Tags": tag_list(wanted.tags),
            **({"PermissionsBoundary": boundary} if boundary else {}),
        },
        f"trusts {wanted.vendor.principal} with external ID {', '.join(wanted.external_ids)}"
        + (f"; permissions boundary {boundary}" if boundary else ""),
    )


def _plan_cors(wanted: WantedRole, actual: RoleSnapshot) -> list[Change]:
    if wanted.cors_rule is None or actual.cors_rules is None:
        return []
    merged = cors.merge_rule(actual.cors_rules, wanted.cors_rule)
    if merged is None:
        return []
    kept = len(actual.cors_rules) - (
        1 if any(r.get("ID") == wanted.cors_rule["ID"] for r in actual.cors_rules) else 0
    )
    detail = f"allow {cors.describe_origins(wanted.cors_rule)} to GET/HEAD"
    if kept:
        detail += f"; the bucket's {kept} other rule(s) kept as they are"
    return [
        Change(
            "cors",
            f"bucket {wanted.bucket}",
            "put_bucket_cors",
            {"Bucket": wanted.bucket, "CORSConfiguration": {"CORSRules": merged}},
            detail,
            cors_intent={"add": wanted.cors_rule},
        )
    ]


def _tag_change(
    label: str, current: dict[str, str], wanted: dict[str, str], method: str, target: dict[str, str]
) -> list[Change]:
    """Add or correct the tags that differ; tags others set are never removed."""
    missing = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not missing:
        return []
    text = ", ".join(f"{k}={v}" for k, v in missing.items())
    return [Change("tag", label, method, {**target, "Tags": tag_list(missing)}, text)]


def trust_loss(current: Any, wanted: Any, role_arn: str = "arn:aws:iam::000000000000:role/role") -> str:
    """What a trust rewrite takes away from whoever uses the role now, or admits beyond what is
    asked for, decided by the semantic diff (diff/plans.py): a principal admitted with an issued
    ID that no longer is, a principal no longer admitted at all, anything newly admitted but the
    vendor with the new trust's IDs. "" when nothing is lost (a first external ID added to an open
    trust tightens it: that is what was asked)."""
    return trust_rewrite(current, wanted, role_arn)[1]


def trust_rewrite(current: Any, wanted: Any, role_arn: str) -> tuple[str, str]:
    """(the plan's detail, why the rewrite is destructive or ""): the semantic difference ("no
    longer admits account … with …; newly admits …"), then the principals and IDs that differ."""
    from provisioner.diff.plans import trust_change  # loads z3: only for a trust rewrite

    semantic, destructive = trust_change(current, wanted, role_arn)
    return f"{semantic} ({trust_difference(current, wanted)})", destructive


def trust_difference(current: Json, wanted: Json) -> str:
    """What differs between two trust policies, in the terms an admin thinks in."""

    def parts(document: Json) -> tuple[set[str], set[str], int]:
        found = statements(document)
        principals = {p for statement in found for p in aws_principals(statement)}
        ids = {i for statement in found for i in external_id_values(statement)}
        return principals, ids, len(found)

    now_p, now_ids, now_n = parts(current)
    new_p, new_ids, _ = parts(wanted)
    out = []
    if now_p != new_p:
        out.append(f"principal {', '.join(sorted(now_p)) or 'none'} -> {', '.join(sorted(new_p))}")
    if now_ids != new_ids:
        out.append(f"external ID {', '.join(sorted(now_ids)) or 'none'} -> {', '.join(sorted(new_ids))}")
    if not out:
        out.append(f"{now_n} statement(s) replaced by the vendor's external-ID trust")
    return "; ".join(out)


def grants_lost(current: Json | None, wanted: Json) -> str:
    """Why a policy rewrite breaks what works now ("" when it does not): a read it takes away
    (lost_reads). Taking writes away is least privilege, not a break."""
    lost = lost_reads(current, wanted)
    return f"removes {shown_reads(lost)}: the vendor's reads of it fail from now on" if lost else ""


def lost_reads(current: Json | None, wanted: Json | None) -> dict[str, list[str]]:
    """The reads the current policy allows that the wanted one does not, by resource as the
    current one names it: an S3 read or list action, or kms:Decrypt (SSE-KMS reads need it), on a
    resource it names (another bucket or prefix; create-role re-run without --kms-key-arn).
    Conditions aside: the grants themselves are compared."""
    from provisioner.evaluation import Policy, Request, evaluate
    from provisioner.iam import WRITE_LEVELS, s3_actions

    reads = [
        *sorted(f"s3:{a}" for a, level in s3_actions().items() if level not in WRITE_LEVELS),
        "kms:Decrypt",
    ]

    def bare(document: Json | None) -> Policy:
        kept = [s.unconditioned for s in statements(document)]
        return Policy("policy", {"Statement": kept})

    now, new = bare(current), bare(wanted)
    caller = "arn:aws:sts::000000000000:assumed-role/role/session"
    resources = {
        r.replace("*", "provisioner-probe").replace("?", "x"): r
        for s in statements(current)
        if s.is_allow
        for r in strings(s.body.get("Resource"))
    }
    lost: dict[str, list[str]] = {}
    for resource, named in resources.items():
        for action in reads:
            request = Request(caller, action, resource)
            if evaluate([now], request).allowed and not evaluate([new], request).allowed:
                lost.setdefault(named, []).append(action)
    return lost


def shown_reads(reads: dict[str, list[str]]) -> str:
    return "; ".join(f"{', '.join(a[:3])}{' …' if len(a) > 3 else ''} on {r}" for r, a in reads.items())


def _document_difference(current: Json | None, wanted: Json) -> str:
    def grants(document: Json | None) -> set[str]:
        return {
            f"{a} on {r}"
            for s in statements(document)
            for a in strings(s.body.get("Action"))
            for r in strings(s.body.get("Resource"))
        }

    now, new = grants(current), grants(wanted)
    added, removed = sorted(new - now), sorted(now - new)
    out = []
    if removed:
        out.append("- " + ", ".join(removed))
    if added:
        out.append("+ " + ", ".join(added))
    return "; ".join(out) or "conditions differ"
