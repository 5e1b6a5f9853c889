"""The integration role: wanted state, gather actual state, plan the difference, apply it.

gather_* read the account in as few calls as possible; plan_* are pure functions from
(wanted, actual) to a list of Changes; apply() makes exactly those calls, in order, and on a
failure says which step failed, which permission it needed and what was already done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provisioner import cors, inputs
from provisioner.aws import (
    Aws,
    AwsError,
    AwsInputError,
    describe,
    error_code,
    paginate_all,
    read_or_none,
    translate,
)
from provisioner.documents import cors_rule_id, render_cors, render_permissions, render_trust
from provisioner.errors import EXIT_AWS, InputError, ProvisionerError
from provisioner.iam import (
    aws_principals,
    external_id_values,
    names_action,
    parse_document,
    statements,
    strings,
)
from provisioner.vendors import Vendor

MANAGED_BY_KEY = "managed-by"
MANAGED_BY_VALUE = "provisioner"
VENDOR_TAG = "provisioner:vendor"
BUCKET_TAG = "provisioner:bucket"
MAX_POLICY_VERSIONS = 5


# --- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One mutating call: what it does in words, the permission it needs, and the call."""

    action: str  # create | update | attach | tag | cors | delete
    target: str  # "role LabelboxS3Access"
    detail: str  # what differs
    permission: str  # "iam:CreateRole"
    service: str
    method: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def line(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.action:<7} {self.target}{detail}"

    def to_dict(self) -> dict[str, str]:
        return {
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "permission": self.permission,
        }


@dataclass(frozen=True)
class WantedRole:
    vendor: Vendor
    bucket: str
    external_ids: tuple[str, ...]
    role_name: str
    policy_name: str
    path: str
    path_given: bool
    permissions: dict[str, Any]
    trust: dict[str, Any]
    tags: dict[str, str]
    max_session_duration: int
    description: str
    cors_rule: dict[str, Any] | None
    adopt: bool = False


@dataclass
class ActualRole:
    account: str
    partition: str
    role: dict[str, Any] | None = None
    attached: list[dict[str, str]] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    policy_tags: dict[str, str] = field(default_factory=dict)
    policy_document: dict[str, Any] | None = None
    policy_versions: list[dict[str, Any]] | None = None
    cors_rules: list[dict[str, Any]] | None = None

    @property
    def role_tags(self) -> dict[str, str]:
        return _tag_dict((self.role or {}).get("Tags"))


@dataclass
class Plan:
    changes: list[Change]
    role_name: str
    role_arn: str
    policy_arn: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class Result:
    """What create-role (and the other role commands) report."""

    plan: Plan
    applied: list[Change]
    dry_run: bool
    extra: dict[str, Any] = field(default_factory=dict)


class ApplyError(ProvisionerError):
    """A step failed half-way: which one, the permission it needed, and what was already done."""

    exit_code = EXIT_AWS

    def __init__(self, step: int, total: int, change: Change, cause: str, done: list[Change]):
        self.change = change
        self.done = done
        already = "; ".join(c.line().split(":")[0].strip() for c in done) or "nothing"
        super().__init__(
            f"step {step} of {total} failed ({change.action} {change.target}, needs "
            f"{change.permission}): {cause}. Already done: {already}. Nothing else was changed; "
            "run the same command again once the cause is fixed"
        )


# --- wanted state -------------------------------------------------------------------------


def wanted_role(
    *,
    vendor: Vendor,
    bucket: str,
    external_id: str,
    role_name: str | None = None,
    policy_name: str | None = None,
    path: str | None = None,
    prefix: str | None = None,
    kms_key_arn: str | None = None,
    region: str | None = None,
    with_cors: bool | None = None,
    tags: list[str] | None = None,
    max_session_duration: int = 3600,
    adopt: bool = False,
) -> tuple[WantedRole, list[str]]:
    """Check every input and render the documents; returns the wanted state and warnings."""
    permissions = render_permissions(bucket, prefix, kms_key_arn, region)
    trust = render_trust(external_id, vendor)
    warnings = permissions.warnings + trust.warnings
    role_name = inputs.check_role_name(role_name or vendor.role_name or "VendorS3Access")
    policy_name = inputs.check_policy_name(policy_name or vendor.policy_name or "VendorReadAccess")
    checked_path = inputs.check_path(path) if path is not None else "/"
    user_tags = inputs.parse_tags(tags)
    inputs.check_max_session_duration(max_session_duration)
    if with_cors is None:
        with_cors = bool(vendor.cors_origins)
    rule = None
    if with_cors:
        cors_doc = render_cors(vendor)
        warnings += cors_doc.warnings
        (rule,) = cors_doc.document["CORSRules"]
    all_tags = {MANAGED_BY_KEY: MANAGED_BY_VALUE, VENDOR_TAG: vendor.name, BUCKET_TAG: bucket}
    all_tags.update(user_tags)
    if len(all_tags) > 50:
        raise InputError("--tag", len(user_tags), "IAM allows at most 50 tags on a role")
    description = f"Read-only access to s3://{bucket} for {vendor.display_name} (provisioner)"
    return (
        WantedRole(
            vendor=vendor,
            bucket=bucket,
            external_ids=(external_id,),
            role_name=role_name,
            policy_name=policy_name,
            path=checked_path,
            path_given=path is not None,
            permissions=permissions.document,
            trust=trust.document,
            tags=all_tags,
            max_session_duration=max_session_duration,
            description=description[:1000],
            cors_rule=rule,
            adopt=adopt,
        ),
        warnings,
    )


# --- gather -------------------------------------------------------------------------------


def gather_role(aws: Aws, wanted: WantedRole) -> ActualRole:
    """Read what exists: caller account, role, its attachments, our policy, bucket CORS."""
    actual = ActualRole(account=aws.account_id(), partition=aws.partition())
    iam = aws.client("iam")

    actual.role = _find_role(iam, wanted.role_name)
    if actual.role is not None:
        name = actual.role["RoleName"]
        with translate("iam:ListAttachedRolePolicies", f"reading role {name}"):
            actual.attached = paginate_all(
                iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name
            )
        with translate("iam:ListRolePolicies", f"reading role {name}"):
            actual.inline = paginate_all(iam, "list_role_policies", "PolicyNames", RoleName=name)

    path = actual.role["Path"] if actual.role and not wanted.path_given else wanted.path
    actual.policy = _find_policy(iam, actual, wanted.policy_name, path)
    if actual.policy is not None:
        arn = actual.policy["Arn"]
        with translate("iam:GetPolicyVersion", f"reading policy {arn}"):
            version = iam.get_policy_version(PolicyArn=arn, VersionId=actual.policy["DefaultVersionId"])[
                "PolicyVersion"
            ]
        actual.policy_document = parse_document(version["Document"])
        actual.policy_tags = _tag_dict(actual.policy.get("Tags"))
        if actual.policy_document != wanted.permissions:
            with translate("iam:ListPolicyVersions", f"reading policy {arn}"):
                actual.policy_versions = paginate_all(iam, "list_policy_versions", "Versions", PolicyArn=arn)

    if wanted.cors_rule is not None:
        actual.cors_rules = read_cors(aws, wanted.bucket)
    return actual


def _find_role(iam: Any, name: str) -> dict[str, Any] | None:
    """The role by name; IAM names are unique case-insensitively, so look for any casing."""
    role = read_or_none("iam:GetRole", f"reading role {name}", lambda: iam.get_role(RoleName=name)["Role"])
    if role is not None:
        return role
    with translate("iam:ListRoles", f"looking for a role named like {name}"):
        other = _named_like(paginate_all(iam, "list_roles", "Roles"), "RoleName", name)
    if other is None:
        return None
    with translate("iam:GetRole", f"reading role {other['RoleName']}"):
        return iam.get_role(RoleName=other["RoleName"])["Role"]


def _find_policy(iam: Any, actual: ActualRole, name: str, path: str) -> dict[str, Any] | None:
    """Our managed policy: among the role's attachments, at the expected ARN, or by name."""
    customer_managed = [a for a in actual.attached if ":aws:policy/" not in a["PolicyArn"]]
    attached = _named_like(customer_managed, "PolicyName", name)
    arn = (
        attached["PolicyArn"]
        if attached
        else f"arn:{actual.partition}:iam::{actual.account}:policy{path}{name}"
    )
    policy = read_or_none(
        "iam:GetPolicy", f"reading policy {arn}", lambda: iam.get_policy(PolicyArn=arn)["Policy"]
    )
    if policy is not None:
        return policy
    with translate("iam:ListPolicies", f"looking for a policy named like {name}"):
        other = _named_like(paginate_all(iam, "list_policies", "Policies", Scope="Local"), "PolicyName", name)
    if other is None:
        return None
    with translate("iam:GetPolicy", f"reading policy {other['Arn']}"):
        return iam.get_policy(PolicyArn=other["Arn"])["Policy"]


def _named_like(items: list[dict[str, Any]], field: str, name: str) -> dict[str, Any] | None:
    """The item whose name equals `name` ignoring case (IAM's uniqueness rule)."""
    return next((item for item in items if item[field].lower() == name.lower()), None)


def read_cors(aws: Aws, bucket: str) -> list[dict[str, Any]]:
    """The bucket's CORS rules ([] when it has none). A missing bucket is the user's input."""
    s3 = aws.client("s3")
    try:
        rules = read_or_none(
            "s3:GetBucketCORS",
            f"reading the CORS rules of bucket {bucket}",
            lambda: s3.get_bucket_cors(Bucket=bucket)["CORSRules"],
            absent=("NoSuchCORSConfiguration",),
        )
        return rules or []
    except AwsError as exc:
        if exc.code == "NoSuchBucket":
            raise AwsInputError(
                f"--bucket {bucket!r}: no such bucket for these credentials "
                f"(aws s3api head-bucket --bucket {bucket} checks it)",
                code=exc.code,
            ) from None
        raise


def _tag_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# --- plan ---------------------------------------------------------------------------------


def plan_role(wanted: WantedRole, actual: ActualRole) -> Plan:
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
                "--path",
                wanted.path,
                f"role {role_name} exists with path {role['Path']}; IAM cannot move a role: "
                f"use --path {role['Path']} or delete the role first",
            )
        path = role["Path"]

    policy = actual.policy
    policy_arn = (
        policy["Arn"]
        if policy
        else (f"arn:{actual.partition}:iam::{actual.account}:policy{path}{wanted.policy_name}")
    )
    policy_label = f"policy {policy['PolicyName'] if policy else wanted.policy_name}"
    if policy:
        _check_owned("policy", policy["PolicyName"], actual.policy_tags, wanted.adopt)
        _check_not_shared(wanted, actual, policy_arn)
    changes += _plan_policy(wanted, actual, policy_arn, policy_label, path)
    changes += _plan_role(wanted, actual, role_name, path)
    if not any(a["PolicyArn"] == policy_arn for a in actual.attached):
        changes.append(
            Change(
                "attach",
                f"{policy_label} to role {role_name}",
                "",
                "iam:AttachRolePolicy",
                "iam",
                "attach_role_policy",
                {"RoleName": role_name, "PolicyArn": policy_arn},
            )
        )
    changes += _plan_cors(wanted, actual)

    others = [a["PolicyArn"] for a in actual.attached if a["PolicyArn"] != policy_arn]
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
    role_arn = (
        role["Arn"] if role else (f"arn:{actual.partition}:iam::{actual.account}:role{path}{role_name}")
    )
    return Plan(changes, role_name, role_arn, policy_arn, warnings)


def _check_owned(kind: str, name: str, tags: dict[str, str] | None, adopt: bool) -> None:
    if tags is None or tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE or adopt:
        return
    raise InputError(
        "--role-name" if kind == "role" else "--policy-name",
        name,
        f"the {kind} exists and was not created by provisioner (no {MANAGED_BY_KEY}="
        f"{MANAGED_BY_VALUE} tag); pass --adopt to bring it under provisioner (its "
        f"{'trust and ' if kind == 'role' else ''}document will be replaced), or choose another name",
    )


def _check_not_shared(wanted: WantedRole, actual: ActualRole, policy_arn: str) -> None:
    """Never rewrite a policy that other roles, users or groups use: it would change their access."""
    policy = actual.policy or {}
    ours = 1 if any(a["PolicyArn"] == policy_arn for a in actual.attached) else 0
    elsewhere = int(policy.get("AttachmentCount", 0)) - ours
    if elsewhere > 0 and actual.policy_document != wanted.permissions:
        raise InputError(
            "--policy-name",
            policy["PolicyName"],
            f"the policy is attached to {elsewhere} other role(s), user(s) or group(s); changing "
            "it would change their access too: choose another --policy-name",
        )


def _plan_policy(wanted: WantedRole, actual: ActualRole, arn: str, label: str, path: str) -> list[Change]:
    changes = []
    if actual.policy is None:
        return [
            Change(
                "create",
                label,
                f"read-only access to s3://{wanted.bucket}",
                "iam:CreatePolicy",
                "iam",
                "create_policy",
                {
                    "PolicyName": wanted.policy_name,
                    "Path": path,
                    "PolicyDocument": json.dumps(wanted.permissions),
                    "Description": wanted.description,
                    "Tags": _tag_list(wanted.tags),
                },
            )
        ]
    if actual.policy_document != wanted.permissions:
        versions = actual.policy_versions or []
        if len(versions) >= MAX_POLICY_VERSIONS:
            oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
            changes.append(
                Change(
                    "delete",
                    f"{label} version {oldest['VersionId']}",
                    f"IAM keeps {MAX_POLICY_VERSIONS} versions; the oldest non-default one goes",
                    "iam:DeletePolicyVersion",
                    "iam",
                    "delete_policy_version",
                    {"PolicyArn": arn, "VersionId": oldest["VersionId"]},
                )
            )
        changes.append(
            Change(
                "update",
                label,
                _document_difference(actual.policy_document, wanted.permissions),
                "iam:CreatePolicyVersion",
                "iam",
                "create_policy_version",
                {
                    "PolicyArn": arn,
                    "PolicyDocument": json.dumps(wanted.permissions),
                    "SetAsDefault": True,
                },
            )
        )
    changes += _tag_change(
        label, actual.policy_tags, wanted.tags, "iam:TagPolicy", "tag_policy", {"PolicyArn": arn}
    )
    return changes


def _plan_role(wanted: WantedRole, actual: ActualRole, name: str, path: str) -> list[Change]:
    role = actual.role
    label = f"role {name}"
    if role is None:
        return [
            Change(
                "create",
                label,
                f"trusts {wanted.vendor.principal} with external ID {', '.join(wanted.external_ids)}",
                "iam:CreateRole",
                "iam",
                "create_role",
                {
                    "RoleName": name,
                    "Path": path,
                    "AssumeRolePolicyDocument": json.dumps(wanted.trust),
                    "Description": wanted.description,
                    "MaxSessionDuration": wanted.max_session_duration,
                    "Tags": _tag_list(wanted.tags),
                },
            )
        ]
    changes = []
    current_trust = parse_document(role["AssumeRolePolicyDocument"])
    if current_trust != wanted.trust:
        changes.append(
            Change(
                "update",
                f"{label} trust",
                trust_difference(current_trust, wanted.trust),
                "iam:UpdateAssumeRolePolicy",
                "iam",
                "update_assume_role_policy",
                {"RoleName": name, "PolicyDocument": json.dumps(wanted.trust)},
            )
        )
    if role.get("MaxSessionDuration") != wanted.max_session_duration:
        changes.append(
            Change(
                "update",
                label,
                f"max session duration {role.get('MaxSessionDuration')} -> {wanted.max_session_duration}",
                "iam:UpdateRole",
                "iam",
                "update_role",
                {"RoleName": name, "MaxSessionDuration": wanted.max_session_duration},
            )
        )
    changes += _tag_change(
        label, actual.role_tags, wanted.tags, "iam:TagRole", "tag_role", {"RoleName": name}
    )
    return changes


def _plan_cors(wanted: WantedRole, actual: ActualRole) -> list[Change]:
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
            detail,
            "s3:PutBucketCORS",
            "s3",
            "put_bucket_cors",
            {"Bucket": wanted.bucket, "CORSConfiguration": {"CORSRules": merged}},
        )
    ]


def _tag_change(
    label: str,
    current: dict[str, str],
    wanted: dict[str, str],
    permission: str,
    method: str,
    target: dict[str, str],
) -> list[Change]:
    """Add or correct the tags that differ; tags others set are never removed."""
    missing = _missing_tags(current, wanted)
    if not missing:
        return []
    return [
        Change(
            "tag",
            label,
            _tags_text(missing),
            permission,
            "iam",
            method,
            {**target, "Tags": _tag_list(missing)},
        )
    ]


def _missing_tags(current: dict[str, str], wanted: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in wanted.items() if current.get(k) != v}


def _tags_text(tags: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in tags.items())


def trust_difference(current: dict[str, Any], wanted: dict[str, Any]) -> str:
    """What differs between two trust policies, in the terms an admin thinks in."""

    def parts(document: dict[str, Any]) -> tuple[set[str], set[str], int]:
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


def _document_difference(current: dict[str, Any] | None, wanted: dict[str, Any]) -> str:
    def grants(document: dict[str, Any] | None) -> set[str]:
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


# --- apply --------------------------------------------------------------------------------


def apply(aws: Aws, changes: list[Change], progress: Callable[[Change], None] | None = None) -> list[Change]:
    """Make the planned calls in order. On a failure, ApplyError names the step and what was done."""
    done: list[Change] = []
    for number, change in enumerate(changes, start=1):
        client = aws.client(change.service)
        try:
            getattr(client, change.method)(**change.params)
        except Exception as exc:
            cause = describe(exc, change.permission)
            if cause is None:
                raise
            if error_code(exc) in ("AccessDenied", "AccessDeniedException"):
                cause = f"AccessDenied: the credentials in use need {change.permission}"
            raise ApplyError(number, len(changes), change, cause, done) from exc
        done.append(change)
        if progress:
            progress(change)
    return done


# --- commands -----------------------------------------------------------------------------


def create_role(
    aws: Aws,
    wanted: WantedRole,
    *,
    dry_run: bool = False,
    progress: Callable[[Change], None] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> Result:
    """Library twin of `provision create-role`: gather, plan, (apply unless dry run)."""
    actual = gather_role(aws, wanted)
    plan = plan_role(wanted, actual)
    if on_plan:
        on_plan(plan)
    applied = [] if dry_run else apply(aws, plan.changes, progress)
    return Result(plan, applied, dry_run)


# --- rotate-external-id -------------------------------------------------------------------


def _owned_role(aws: Aws, role_name: str, force: bool) -> dict[str, Any]:
    name = inputs.check_role_name(role_name)
    role = _find_role(aws.client("iam"), name)
    if role is None:
        raise InputError("--role-name", role_name, "no such role in this account")
    if _tag_dict(role.get("Tags")).get(MANAGED_BY_KEY) != MANAGED_BY_VALUE and not force:
        raise InputError(
            "--role-name",
            role["RoleName"],
            f"the role was not created by provisioner (no {MANAGED_BY_KEY}={MANAGED_BY_VALUE} "
            "tag); pass --force to act on it anyway",
        )
    return role


def rotate_external_id(
    aws: Aws,
    role_name: str,
    external_id: str,
    *,
    keep_old: bool = False,
    dry_run: bool = False,
    force: bool = False,
    on_plan: Callable[[Plan], None] | None = None,
) -> Result:
    """Rewrite the trust's external ID; with keep_old, accept the current ID(s) as well."""
    inputs.check_external_id(external_id)
    role = _owned_role(aws, role_name, force)
    current = parse_document(role["AssumeRolePolicyDocument"])
    principal, current_ids = _vendor_trust(current, role["RoleName"])
    ids = [*current_ids, external_id] if keep_old else [external_id]
    tags = _tag_dict(role.get("Tags"))
    vendor = Vendor(
        name=tags.get(VENDOR_TAG, "custom"),
        display_name="vendor",
        principal=principal,
        cors_origins=(),
    )
    rendered = render_trust(list(dict.fromkeys(ids)), vendor)
    changes = []
    if rendered.document != current:
        changes.append(
            Change(
                "update",
                f"role {role['RoleName']} trust",
                trust_difference(current, rendered.document),
                "iam:UpdateAssumeRolePolicy",
                "iam",
                "update_assume_role_policy",
                {"RoleName": role["RoleName"], "PolicyDocument": json.dumps(rendered.document)},
            )
        )
    warnings = [w for w in rendered.warnings if "whole account" not in w]
    if keep_old and len(set(ids)) > 1:
        warnings.append(
            "the role now accepts several external IDs; run again without --keep-old once the "
            "vendor uses the new one"
        )
    plan = Plan(changes, role["RoleName"], role["Arn"], "", warnings)
    if on_plan:
        on_plan(plan)
    applied = [] if dry_run else apply(aws, changes)
    return Result(plan, applied, dry_run, {"external_ids": list(dict.fromkeys(ids))})


def _vendor_trust(document: dict[str, Any], role_name: str) -> tuple[str, list[str]]:
    """The one trusted AWS principal and its pinned external IDs, from a provisioner-style trust."""
    allows = [s for s in statements(document) if s.is_allow and names_action(s, "sts:AssumeRole")]
    principals = sorted({p for s in allows for p in aws_principals(s)})
    if len(allows) != 1 or len(principals) != 1 or principals[0] == "*":
        raise InputError(
            "--role-name",
            role_name,
            f"the trust policy has {len(allows)} statement(s) and {len(principals)} AWS "
            "principal(s); rotate-external-id handles one vendor principal: fix it with "
            "create-role first",
        )
    ids = external_id_values(allows[0], ("StringEquals",))
    return principals[0], ids


# --- delete-role --------------------------------------------------------------------------


def delete_role(
    aws: Aws,
    role_name: str,
    *,
    dry_run: bool = False,
    force: bool = False,
    confirm: Callable[[Plan], bool] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> Result:
    """Detach and delete our policies, delete inline policies and the role, remove our CORS rule."""
    role = _owned_role(aws, role_name, force)
    name = role["RoleName"]
    iam = aws.client("iam")
    with translate("iam:ListAttachedRolePolicies", f"reading role {name}"):
        attached = paginate_all(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
    with translate("iam:ListRolePolicies", f"reading role {name}"):
        inline = paginate_all(iam, "list_role_policies", "PolicyNames", RoleName=name)
    with translate("iam:ListInstanceProfilesForRole", f"reading role {name}"):
        profiles = paginate_all(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name)

    changes: list[Change] = []
    warnings: list[str] = []
    deletions: list[Change] = []
    shared = False
    for item in attached:
        arn = item["PolicyArn"]
        changes.append(
            Change(
                "detach",
                f"policy {item['PolicyName']} from role {name}",
                "",
                "iam:DetachRolePolicy",
                "iam",
                "detach_role_policy",
                {"RoleName": name, "PolicyArn": arn},
            )
        )
        if ":aws:policy/" in arn:
            continue  # AWS managed: never ours to delete
        with translate("iam:GetPolicy", f"reading policy {arn}"):
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
        if _tag_dict(policy.get("Tags")).get(MANAGED_BY_KEY) != MANAGED_BY_VALUE:
            continue  # not ours: detach only
        if int(policy.get("AttachmentCount", 0)) > 1:
            shared = True
            warnings.append(
                f"policy {item['PolicyName']} is attached to other roles too: it is detached "
                "from this one and kept, and so is the bucket's CORS rule they rely on"
            )
            continue
        with translate("iam:ListPolicyVersions", f"reading policy {arn}"):
            versions = paginate_all(iam, "list_policy_versions", "Versions", PolicyArn=arn)
        for version in versions:
            if not version["IsDefaultVersion"]:
                deletions.append(
                    Change(
                        "delete",
                        f"policy {item['PolicyName']} version {version['VersionId']}",
                        "",
                        "iam:DeletePolicyVersion",
                        "iam",
                        "delete_policy_version",
                        {"PolicyArn": arn, "VersionId": version["VersionId"]},
                    )
                )
        deletions.append(
            Change(
                "delete",
                f"policy {item['PolicyName']}",
                "created by provisioner",
                "iam:DeletePolicy",
                "iam",
                "delete_policy",
                {"PolicyArn": arn},
            )
        )
    changes += deletions
    for policy_name in inline:
        changes.append(
            Change(
                "delete",
                f"inline policy {policy_name} of role {name}",
                "",
                "iam:DeleteRolePolicy",
                "iam",
                "delete_role_policy",
                {"RoleName": name, "PolicyName": policy_name},
            )
        )
    for profile in profiles:
        changes.append(
            Change(
                "detach",
                f"role {name} from instance profile {profile['InstanceProfileName']}",
                "",
                "iam:RemoveRoleFromInstanceProfile",
                "iam",
                "remove_role_from_instance_profile",
                {"RoleName": name, "InstanceProfileName": profile["InstanceProfileName"]},
            )
        )
    changes.append(
        Change("delete", f"role {name}", "", "iam:DeleteRole", "iam", "delete_role", {"RoleName": name})
    )
    if not shared:
        changes += _plan_cors_removal(aws, _tag_dict(role.get("Tags")), warnings)

    plan = Plan(changes, name, role["Arn"], "", warnings)
    if on_plan:
        on_plan(plan)
    if dry_run or (confirm is not None and not confirm(plan)):
        return Result(plan, [], True)
    return Result(plan, apply(aws, changes), False)


def _plan_cors_removal(aws: Aws, tags: dict[str, str], warnings: list[str]) -> list[Change]:
    bucket, vendor = tags.get(BUCKET_TAG), tags.get(VENDOR_TAG)
    if not bucket or not vendor:
        return []
    rule_id = cors_rule_id(Vendor(name=vendor, display_name="", principal="", cors_origins=()))
    try:
        rules = read_cors(aws, bucket)
    except AwsInputError:
        warnings.append(f"bucket {bucket} no longer exists: no CORS rule to remove")
        return []
    kept = cors.remove_rule(rules, rule_id)
    if kept is None:
        return []
    if not kept:
        return [
            Change(
                "cors",
                f"bucket {bucket}",
                f"remove rule {rule_id} (the only rule)",
                "s3:PutBucketCORS",
                "s3",
                "delete_bucket_cors",
                {"Bucket": bucket},
            )
        ]
    return [
        Change(
            "cors",
            f"bucket {bucket}",
            f"remove rule {rule_id}; {len(kept)} other rule(s) kept",
            "s3:PutBucketCORS",
            "s3",
            "put_bucket_cors",
            {"Bucket": bucket, "CORSConfiguration": {"CORSRules": kept}},
        )
    ]
