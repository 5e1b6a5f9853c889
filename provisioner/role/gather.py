"""Reads only: what exists in the account for create-role, rotate-external-id and delete-role.

Each gather_* makes the fewest calls that its plan needs and returns a snapshot; no decision
is taken here except "is it there".
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from provisioner import inputs
from provisioner.aws import Aws, AwsError, AwsInputError, paginate_all, read_or_none, translate
from provisioner.errors import InputError
from provisioner.iam import parse_document
from provisioner.model.arn import Arn, policy_arn
from provisioner.role.model import (
    BUCKET_TAG,
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    VENDOR_TAG,
    DeleteSnapshot,
    Json,
    RoleSnapshot,
    WantedRole,
    tag_dict,
)


def _boundary_exists(iam: Any, arn: str) -> None:
    """--permissions-boundary names a managed policy that exists (iam:GetPolicy), checked before
    the plan: IAM refuses CreateRole with one that does not (round 20ac). A read AWS refuses is
    left to the apply to report."""
    try:
        read_or_none(
            "iam:GetPolicy", f"reading permissions boundary {arn}", lambda: iam.get_policy(PolicyArn=arn), ()
        )
    except AwsError as exc:
        if exc.code in ("NoSuchEntity",):
            raise AwsInputError(
                f"--permissions-boundary {arn}: no such managed policy in the account "
                "(aws iam list-policies --scope Local lists yours)",
                code=exc.code,
                action=exc.action,
            ) from None
        if exc.code not in ("AccessDenied", "AccessDeniedException"):
            raise


@contextlib.contextmanager
def _read_together(what: str) -> Iterator[None]:
    """Reads that follow one another (a role, then its attachments; a policy, then its default
    version): NoSuchEntity on a later one means the thing went away between two reads, that is,
    another process is changing it now. Say so, instead of IAM's bare NoSuchEntity."""
    try:
        yield
    except AwsError as exc:
        if exc.code != "NoSuchEntity":
            raise
        raise AwsError(
            f"{what} changed while it was being read ({exc.action}: NoSuchEntity): another "
            "process is changing it at the same time; run the same command again once it has finished",
            code=exc.code,
            action=exc.action,
        ) from None


def gather_role(aws: Aws, wanted: WantedRole, *, inline: bool = True) -> RoleSnapshot:
    """Read what exists: role, its attachments (and inline policies, unless `inline` is False:
    they only raise a warning), our policy, bucket CORS; the account from the role's ARN, or
    from STS when there is no role yet. No read lists the whole account."""
    if wanted.permissions_boundary:
        _boundary_exists(aws.client("iam"), wanted.permissions_boundary)
    with _read_together(f"role {wanted.role_name}"):
        return _gather_role(aws, wanted, inline)


def _gather_role(aws: Aws, wanted: WantedRole, inline: bool) -> RoleSnapshot:
    iam = aws.client("iam")
    role = find_role(iam, wanted.role_name)
    where = Arn.parse(role["Arn"]) if role is not None else None
    if where is not None:  # the role's account is the caller's: no sts:GetCallerIdentity needed
        actual = RoleSnapshot(account=where.account, partition=where.partition, role=role)
    else:
        actual = RoleSnapshot(account=aws.account_id(), partition=aws.partition(), role=role)
    if role is not None:
        name = role["RoleName"]
        actual.attached = _attached(iam, name)
        if inline:
            actual.inline = _inline(iam, name)

    path = actual.role["Path"] if actual.role and not wanted.path_given else wanted.path
    actual.policy = _find_policy(iam, actual, wanted.policy_name, path)
    if actual.policy is not None:
        arn = actual.policy["Arn"]
        with translate("iam:GetPolicyVersion", f"reading policy {arn}"):
            version = iam.get_policy_version(PolicyArn=arn, VersionId=actual.policy["DefaultVersionId"])[
                "PolicyVersion"
            ]
        actual.policy_document = parse_document(version["Document"])
        if actual.policy_document != wanted.permissions:
            actual.policy_versions = _versions(iam, arn)

    if wanted.cors_rule is not None:
        actual.cors_rules = read_cors(aws, wanted.bucket)
    return actual


def owned_role(aws: Aws, role_name: str, force: bool) -> Json:
    """The role rotate and delete act on: it must exist and carry our tag (unless forced)."""
    name = inputs.check_role_name(role_name)
    role = find_role(aws.client("iam"), name)
    if role is None:
        raise InputError("role_name", role_name, "no such role in this account")
    if tag_dict(role.get("Tags")).get(MANAGED_BY_KEY) != MANAGED_BY_VALUE and not force:
        raise InputError(
            "role_name",
            role["RoleName"],
            f"the role was not created by provisioner (no {MANAGED_BY_KEY}={MANAGED_BY_VALUE} "
            "tag); pass --force to act on it anyway",
        )
    return role


def gather_delete(aws: Aws, role: Json) -> DeleteSnapshot:
    """The role's attachments, inline policies, instance profiles, our policies' metadata and
    versions, and the bucket's CORS rules: everything plan_delete decides from."""
    with _read_together(f"role {role['RoleName']}"):
        return _gather_delete(aws, role)


def _gather_delete(aws: Aws, role: Json) -> DeleteSnapshot:
    iam = aws.client("iam")
    name = role["RoleName"]
    snapshot = DeleteSnapshot(
        role=role,
        attached=_attached(iam, name),
        inline=_inline(iam, name),
    )
    with translate("iam:ListInstanceProfilesForRole", f"reading role {name}"):
        snapshot.profiles = paginate_all(
            iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name
        )
    for item in snapshot.attached:
        arn = item["PolicyArn"]
        if ":aws:policy/" in arn:
            continue  # AWS managed: never ours to delete, nothing to read
        # gone between the listing and this read: another delete-role is at work; the detach
        # will find it gone too, and that counts as done
        policy = _read_policy(iam, arn)
        if policy is None:
            continue
        snapshot.policies[arn] = policy
        if tag_dict(policy.get("Tags")).get(MANAGED_BY_KEY) == MANAGED_BY_VALUE:
            snapshot.versions[arn] = _versions(iam, arn)
    tags = tag_dict(role.get("Tags"))
    bucket = tags.get(BUCKET_TAG)
    _find_left_behind(aws, role, snapshot)
    if bucket and tags.get(VENDOR_TAG):
        try:
            snapshot.cors_rules = read_cors(aws, bucket)
        except AwsInputError:
            snapshot.bucket_gone = True
    return snapshot


def _find_left_behind(aws: Aws, role: Json, snapshot: DeleteSnapshot) -> None:
    """Our policy for this role that a delete-role stopped half-way (credentials expired,
    Ctrl-C) left detached: a run detaches before it deletes, so the next run no longer finds it
    among the role's attachments. Looked for at the vendor's default policy name on the role's
    path (one GetPolicy); it is this role's when it is ours, for the same vendor and bucket, and
    attached nowhere. A policy given another name with --policy-name is not found this way."""
    from provisioner.vendors import known_vendors

    tags = tag_dict(role.get("Tags"))
    vendor = known_vendors().get(tags.get(VENDOR_TAG, ""))
    if vendor is None or not vendor.policy_name:
        return
    parsed = Arn.parse(role["Arn"])
    if parsed is None:
        return
    arn = policy_arn(parsed.account, vendor.policy_name, role.get("Path", "/"), parsed.partition)
    if arn in snapshot.policies:
        return
    iam = aws.client("iam")
    policy = _read_policy(iam, arn)
    if policy is None or int(policy.get("AttachmentCount", 0)) != 0:
        return
    theirs = tag_dict(policy.get("Tags"))
    if theirs.get(MANAGED_BY_KEY) != MANAGED_BY_VALUE or any(
        theirs.get(key) != tags.get(key) for key in (VENDOR_TAG, BUCKET_TAG)
    ):
        return
    snapshot.policies[arn] = policy
    snapshot.versions[arn] = _versions(iam, arn)
    snapshot.left_behind.append(arn)


def role_exists(aws: Aws, name: str) -> bool:
    """Is there a role of this name (one GetRole)?"""
    return find_role(aws.client("iam"), name) is not None


# IAM names are unique ignoring case: "Names are not distinguished by case. For example, you
# cannot create resources named both "MyResource" and "myresource"" (the CreateRole and
# CreatePolicy API references). The GetRole and GetPolicy references do not say how they answer
# a name in another casing. So the lookup is one GetRole (one GetPolicy) and never a listing of
# the account, whose size would otherwise set the cost of every run: when IAM answers for
# another casing, with the role under its own name, that role is the one used (plan_role warns);
# were it to answer NoSuchEntity, the CreateRole or CreatePolicy that follows is refused
# (EntityAlreadyExists): the run stops with that error, never makes a second one. moto compares
# names exactly: the tests stand in for the first answer with a botocore hook.


def find_role(iam: Any, name: str) -> Json | None:
    """The role by name, in whatever casing IAM holds it (one GetRole), or None."""
    role: Json | None = read_or_none(
        "iam:GetRole", f"reading role {name}", lambda: iam.get_role(RoleName=name)["Role"]
    )
    return role


def _find_policy(iam: Any, actual: RoleSnapshot, name: str, path: str) -> Json | None:
    """Our managed policy: among the role's attachments (any casing), else at the expected ARN
    (one GetPolicy, which IAM answers for the policy's name in any casing)."""
    customer_managed = [a for a in actual.attached if ":aws:policy/" not in a["PolicyArn"]]
    attached = _named_like(customer_managed, "PolicyName", name)
    arn = attached["PolicyArn"] if attached else policy_arn(actual.account, name, path, actual.partition)
    return _read_policy(iam, arn)


def _named_like(items: list[Any], key: str, name: str) -> Any:
    """The item whose name equals `name` ignoring case (IAM's uniqueness rule)."""
    return next((item for item in items if item[key].lower() == name.lower()), None)


def _attached(iam: Any, name: str) -> list[dict[str, str]]:
    with translate("iam:ListAttachedRolePolicies", f"reading role {name}"):
        return paginate_all(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)


def _inline(iam: Any, name: str) -> list[str]:
    with translate("iam:ListRolePolicies", f"reading role {name}"):
        return paginate_all(iam, "list_role_policies", "PolicyNames", RoleName=name)


def _read_policy(iam: Any, arn: str) -> Json | None:
    """The managed policy (GetPolicy), or None when there is none at that ARN."""
    policy: Json | None = read_or_none(
        "iam:GetPolicy", f"reading policy {arn}", lambda: iam.get_policy(PolicyArn=arn)["Policy"]
    )
    return policy


def _versions(iam: Any, arn: str) -> list[Json]:
    """The policy's versions ([] when it is gone since it was read: deleted by another run)."""
    versions: list[Json] | None = read_or_none(
        "iam:ListPolicyVersions",
        f"reading policy {arn}",
        lambda: paginate_all(iam, "list_policy_versions", "Versions", PolicyArn=arn),
    )
    return versions or []


def read_cors(aws: Aws, bucket: str) -> list[Json]:
    """The bucket's CORS rules ([] when it has none). A missing bucket is the user's input."""
    s3 = aws.client("s3")
    try:
        rules: list[Json] | None = read_or_none(
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
