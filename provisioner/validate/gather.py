"""Reads only: the role, its policies, and the bucket's region, policy, CORS and encryption.

Reads whose absence is normal give None; a read AWS refuses (AccessDenied) is noted in
`Snapshot.unreadable` so the checks can say what they could not see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from provisioner.aws import Aws, AwsError, managed_policy, paginate_all, read_or_none, translate
from provisioner.evaluation import Policy
from provisioner.iam import admits_anyone, parse_document, statements
from provisioner.inputs import region_of_location
from provisioner.model import account_of
from provisioner.organization import OrgPolicies, given_kinds, read_for_account
from provisioner.validate.model import AccessPoint, Json, Snapshot, ValidateSpec

# AccessDenied in its forms, and the bare 403 a HEAD request gets (no body, so no error code:
# botocore reports the status as the code), e.g. from a VPC-endpoint-only bucket policy.
DENIED = ("AccessDenied", "AccessDeniedException", "403", "Forbidden", "AllAccessDisabled")


def gather(aws: Aws, spec: ValidateSpec, org: OrgPolicies | None = None) -> Snapshot:
    """Read the role, its policies, the bucket's policy, CORS, encryption and ownership, and the
    organization's SCPs and RCPs (unless given: from files)."""
    state = Snapshot()
    iam = aws.client("iam")
    state.role = _optional(
        state, "iam:GetRole", ("NoSuchEntity",), lambda: iam.get_role(RoleName=spec.role_name)["Role"]
    )
    if state.role is not None:
        try:
            state.identity_policies = read_role_policies(iam, spec.role_name, state)
        except AwsError as exc:
            if exc.code not in DENIED:
                raise
            state.unreadable.append(exc.action)
        state.boundary = _boundary(iam, state)
        state.trusting = _trusting(iam, spec, state)
    _gather_bucket(aws, spec, state)
    if state.role is not None and state.bucket_exists:
        state.other_policies = _other_policies(aws, spec, state)
    state.org = org if org is not None else read_for_account(aws, spec.account)
    if org is not None:  # files, checked against what AWS says of the organization (20ad, 20ae)
        state.org = _checked_files(aws, org).applied_to(spec.account)
    return state


def _checked_files(aws: Aws, org: OrgPolicies) -> OrgPolicies:
    """The --scp-file/--rcp-file policies as they apply, where DescribeOrganization answers (the
    files were given because the rest may not be readable): none in an account that is in no
    organization, none when they are another organization's (their ARN names it), and the
    management account is the one AWS names (no file's applies there: applied_to). Where it is
    refused, as given."""
    try:
        with translate("organizations:DescribeOrganization", "finding the organization"):
            found = aws.client("organizations").describe_organization()
    except AwsError as exc:
        if exc.code == "AWSOrganizationsNotInUseException":  # a standalone account has none
            return OrgPolicies(standalone=True, notes=[
                "the account is in no organization (DescribeOrganization), so no SCP or RCP applies: "
                "the --scp-file/--rcp-file policies are not applied"])  # fmt: skip
        return given_kinds(org)
    answer = found.get("Organization") or {}
    actual, management = answer.get("Id"), answer.get("MasterAccountId")
    if org.org_id and actual and org.org_id != actual:
        return OrgPolicies(org_id=actual, management=management, notes=[
            f"the --scp-file/--rcp-file policies are of organization {org.org_id} (their ARNs), the "
            f"account's is {actual} (DescribeOrganization): they are not applied"])  # fmt: skip
    return given_kinds(replace(org, org_id=actual or org.org_id, management=management or org.management))


def read_role_policies(iam: Any, name: str, state: Snapshot | None = None) -> list[Policy]:
    """The role's inline and attached policy documents, by targeted calls (cheaper than GAAD
    for one role). With `state`, also note the inline policies' names and the attached ones'
    names, ARNs and tags (what a printed remediation names)."""
    policies = []
    with translate("iam:ListRolePolicies", f"reading role {name}"):
        inline = paginate_all(iam, "list_role_policies", "PolicyNames", RoleName=name)
    for policy_name in inline:
        with translate("iam:GetRolePolicy", f"reading inline policy {policy_name}"):
            document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        policies.append(Policy(f"inline policy {policy_name}", parse_document(document)))
        if state is not None:
            state.inline.append(policy_name)
    with translate("iam:ListAttachedRolePolicies", f"reading role {name}"):
        attached = paginate_all(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
    for item in attached:
        found, document = managed_policy(iam, item["PolicyArn"])
        policies.append(Policy(f"policy {item['PolicyName']}", parse_document(document)))
        if state is not None:
            tags = {t.get("Key"): t.get("Value") for t in found.get("Tags") or []}
            state.attached.append(
                {"PolicyName": item["PolicyName"], "PolicyArn": item["PolicyArn"], "Tags": tags}
            )
    return policies


def _boundary(iam: Any, state: Snapshot) -> Policy | None:
    """The role's permissions boundary document (GetPolicy, GetPolicyVersion), if it has one."""
    arn = ((state.role or {}).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if not arn:
        return None
    found = _optional(state, "iam:GetPolicy", (), lambda: managed_policy(iam, arn))
    if found is None:
        return None
    policy, document = found
    return Policy(f"permissions boundary {policy['PolicyName']}", parse_document(document))


def _gather_bucket(aws: Aws, spec: ValidateSpec, state: Snapshot) -> None:
    s3 = aws.client("s3")
    bucket = spec.bucket
    try:
        with translate("s3:GetBucketLocation", f"reading bucket {bucket}"):
            location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
        state.bucket_region = region_of_location(location)
    except AwsError as exc:
        if exc.code in ("NoSuchBucket", "404"):
            state.bucket_exists = False
            return
        if exc.code not in DENIED:
            raise
        state.unreadable.append("s3:GetBucketLocation")  # it exists: AWS refused, not "no such bucket"
    state.bucket_policy = _optional(
        state,
        "s3:GetBucketPolicy",
        ("NoSuchBucketPolicy",),
        lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
    )
    state.own_buckets = _optional(
        state, "s3:ListAllMyBuckets", (), lambda: [b["Name"] for b in s3.list_buckets()["Buckets"]]
    )
    state.bucket_foreign = state.own_buckets is not None and bucket not in state.own_buckets
    state.cors = _optional(
        state,
        "s3:GetBucketCORS",
        ("NoSuchCORSConfiguration",),
        lambda: s3.get_bucket_cors(Bucket=bucket)["CORSRules"],
    )
    _gather_ownership(s3, spec, state)
    state.access_points = _access_points(aws, spec, state)
    answered, key = _sample_object_key_id(aws, spec, state)
    if not answered:  # no --key object to go by: the bucket's default
        encryption = _optional(
            state,
            "s3:GetEncryptionConfiguration",
            ("ServerSideEncryptionConfigurationNotFoundError",),
            lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
        )
        for rule in (encryption or {}).get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            if default.get("SSEAlgorithm", "").startswith("aws:kms"):
                key = default.get("KMSMasterKeyID") or "alias/aws/s3"
                state.bucket_key_enabled = bool(rule.get("BucketKeyEnabled"))
    if key is not None:
        _gather_key(aws, state, key)


def _access_points(aws: Aws, spec: ValidateSpec, state: Snapshot) -> list[AccessPoint]:
    """The bucket's access points in the role's account and their policies, read only where the
    bucket policy delegates to access points (validate/points.py); refused reads are noted."""
    from provisioner.validate.points import delegation

    if not delegation(state.bucket_policy, spec.account)[0]:
        return []
    control = aws.client("s3control", state.bucket_region)

    def listed() -> list[Json]:
        found: list[Json] = []
        more: dict[str, str] = {}
        while True:
            page = control.list_access_points(AccountId=spec.account, Bucket=spec.bucket, **more)
            found += page.get("AccessPointList", [])
            if not page.get("NextToken"):
                return found
            more = {"NextToken": page["NextToken"]}

    def policy(name: str) -> Any:
        return control.get_access_point_policy(AccountId=spec.account, Name=name)["Policy"]

    def global_points() -> list[str]:  # S3 Control's Multi-Region Access Points answer in us-west-2
        answer = aws.client("s3control", "us-west-2").list_multi_region_access_points(AccountId=spec.account)
        return [str(p.get("Name")) for p in answer.get("AccessPoints", [])
                if any(r.get("Bucket") == spec.bucket for r in p.get("Regions", []))]  # fmt: skip

    state.multi_region_points = _optional(state, "s3:ListMultiRegionAccessPoints", (), global_points) or []

    points = []
    for item in _optional(state, "s3:ListAccessPoints", (), listed) or []:
        name, origin = str(item.get("Name")), str(item.get("NetworkOrigin") or "Internet")
        text = _optional(
            state, "s3:GetAccessPointPolicy", ("NoSuchAccessPointPolicy",), partial(policy, name)
        )
        document = parse_document(text) if text else None
        points.append(AccessPoint(name, str(item.get("AccessPointArn") or ""), origin, document))
    return points


def _gather_ownership(s3: Any, spec: ValidateSpec, state: Snapshot) -> None:
    """Object Ownership, and for --key with ACLs on, who owns the object and whether its ACL lets
    the bucket owner read it ("Controlling ownership of objects and disabling ACLs")."""
    rules = _optional(
        state,
        "s3:GetBucketOwnershipControls",
        ("OwnershipControlsNotFoundError",),
        lambda: s3.get_bucket_ownership_controls(Bucket=spec.bucket)["OwnershipControls"]["Rules"],
    )
    state.object_ownership = rules[0].get("ObjectOwnership") if rules else None
    if state.object_ownership == "BucketOwnerEnforced":
        return
    bucket_acl = _optional(state, "s3:GetBucketAcl", (), lambda: s3.get_bucket_acl(Bucket=spec.bucket))
    blocked = _optional(
        state,
        "s3:GetBucketPublicAccessBlock",
        ("NoSuchPublicAccessBlockConfiguration",),
        lambda: s3.get_public_access_block(Bucket=spec.bucket)["PublicAccessBlockConfiguration"],
    )
    state.acl_writes = acl_writes(bucket_acl or {}, bool((blocked or {}).get("IgnorePublicAcls")))
    if not spec.key:
        return
    object_acl = _optional(
        state,
        "s3:GetObjectAcl",
        ("NoSuchKey", "404"),
        lambda: s3.get_object_acl(Bucket=spec.bucket, Key=spec.key),
    )
    # an object's ACL: WRITE_ACP or FULL_CONTROL to anyone but its owner and the bucket's
    ignored, bucket_owner = (
        bool((blocked or {}).get("IgnorePublicAcls")),
        (bucket_acl or {}).get("Owner", {}).get("ID"),
    )
    found = acl_writes(object_acl or {}, ignored, (bucket_owner,) if bucket_owner else ())
    state.object_acl_writes = tuple(g for g in found if not g.startswith("WRITE "))
    if not bucket_acl or not object_acl:
        return
    state.bucket_owner = bucket_acl.get("Owner", {}).get("ID")
    state.object_owner = object_acl.get("Owner", {}).get("ID")
    state.object_acl_grants_owner = any(
        grant.get("Grantee", {}).get("ID") == state.bucket_owner
        and grant.get("Permission") in ("READ", "FULL_CONTROL")
        for grant in object_acl.get("Grants", [])
    )


def _gather_key(aws: Aws, state: Snapshot, key: str) -> None:
    kms = aws.client("kms", region=state.bucket_region)
    try:
        described = _optional(
            state, "kms:DescribeKey", (), lambda: kms.describe_key(KeyId=key)["KeyMetadata"]
        )
    except AwsError as exc:  # another account's key the caller cannot see: not a failed run
        if exc.code != "NotFoundException":
            raise
        state.unreadable.append("kms:DescribeKey")
        described = None
    state.kms_key = described["Arn"] if described else key
    if described:
        state.key_policy = _optional(
            state,
            "kms:GetKeyPolicy",
            (),
            lambda: json.loads(kms.get_key_policy(KeyId=described["KeyId"], PolicyName="default")["Policy"]),
        )


def _sample_object_key_id(aws: Aws, spec: ValidateSpec, state: Snapshot) -> tuple[bool, str | None]:
    """Whether HeadObject of the --key object answered (its own encryption then decides, not the
    bucket's default: an object written before the default changed keeps its own), and its KMS
    key (None: not encrypted with one). A --key that names no object is said
    (`object_missing`), not judged as if it were there."""
    if not spec.key:
        return False, None
    refused = len(state.unreadable)
    head = _optional(
        state,
        "s3:GetObject",
        ("404", "NoSuchKey"),
        lambda: aws.client("s3").head_object(Bucket=spec.bucket, Key=spec.key),
    )
    state.object_missing = head is None and len(state.unreadable) == refused
    if head and str(head.get("ServerSideEncryption", "")).startswith("aws:kms"):
        state.bucket_key_enabled = bool(head.get("BucketKeyEnabled"))
        found: str | None = head.get("SSEKMSKeyId")
        return True, found
    return head is not None, None


def _optional(state: Snapshot, action: str, absent: tuple[str, ...], read: Callable[[], Any]) -> Any:
    """A read whose absence is normal; AccessDenied is noted (the check says what it could not see)."""
    try:
        return read_or_none(action, "", read, absent)
    except AwsError as exc:
        if exc.code in DENIED:
            state.unreadable.append(exc.action or action)  # the call refused, of those `read` makes
            return None
        raise


_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "anyone (AllUsers)",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "any AWS account (AuthenticatedUsers)",
}


def acl_writes(acl: dict[str, Any], ignore_public: bool, ours: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The bucket ACL's grants of WRITE, WRITE_ACP or FULL_CONTROL to someone other than its owner
    (S3 User Guide, "Access control list (ACL) overview": WRITE lets the grantee create objects,
    and overwrite or delete those it owns; WRITE_ACP lets it change the ACL). A public one
    (AllUsers, AuthenticatedUsers) is left out where Block Public Access ignores public ACLs."""
    owner = acl.get("Owner", {}).get("ID")
    found: list[str] = []
    for grant in acl.get("Grants", []):
        grantee, permission = grant.get("Grantee", {}), grant.get("Permission")
        if permission not in ("WRITE", "WRITE_ACP", "FULL_CONTROL"):
            continue
        group = _GROUPS.get(str(grantee.get("URI")))
        if group is not None and not ignore_public:
            found.append(f"{permission} to {group}")
        elif grantee.get("ID") and grantee.get("ID") not in (owner, *ours):
            found.append(f"{permission} to canonical user {grantee['ID'][:12]}…, another account")
    return tuple(dict.fromkeys(found))


OTHERS = 200  # other buckets, and KMS keys, whose policies validate reads at most


def _other_policies(aws: Aws, spec: ValidateSpec, state: Snapshot) -> list[tuple[str, str, Any]]:
    """The policies of the account's other buckets and of its KMS keys in the bucket's region that
    may grant the role something on their own (round 20ac G2): those naming it (its name or
    unique ID) or any principal ("*"). Reads AWS refuses, and what is past OTHERS, are noted in
    `others_unread`."""
    from concurrent.futures import ThreadPoolExecutor

    s3, kms = aws.client("s3"), aws.client("kms", state.bucket_region)
    names = [spec.role_name, str((state.role or {}).get("RoleId") or spec.role_name)]
    names += [a for a in [account_of(spec.vendor.principal)] if a]  # the vendor's own account too
    listed = state.own_buckets
    keys = _optional(state, "kms:ListKeys", (), lambda: paginate_all(kms, "list_keys", "Keys"))
    buckets = [n for n in listed or [] if n != spec.bucket]
    asked = [("bucket", f"arn:{spec.partition}:s3:::{n}", n) for n in buckets[:OTHERS]]
    asked += [
        ("key", str(k["KeyArn"]), str(k["KeyId"]))
        for k in (keys or [])[:OTHERS]
        if k["KeyArn"] != state.kms_key
    ]
    if len(buckets) > OTHERS or len(keys or []) > OTHERS:
        state.others_unread.append(f"only the first {OTHERS} other buckets and KMS keys were read")

    def read(kind: str, arn: str, name: str) -> tuple[str, str, Any] | None:
        try:
            if kind == "bucket":
                absent = ("NoSuchBucketPolicy", "NoSuchBucket")
                text = read_or_none(
                    "s3:GetBucketPolicy", "", lambda: s3.get_bucket_policy(Bucket=name)["Policy"], absent
                )
            else:
                text = read_or_none(
                    "kms:GetKeyPolicy",
                    "",
                    lambda: kms.get_key_policy(KeyId=name, PolicyName="default")["Policy"],
                    (),
                )
        except AwsError as exc:
            state.others_unread.append(f"{kind} {name}: {exc.action or kind} ({exc.code or exc})")
            return None
        policy = parse_document(text) if text else None
        wide = any(admits_anyone(s) for s in statements(policy or {}))  # round 20ad item 4
        return (kind, arn, policy) if policy and (wide or any(n in text for n in names)) else None

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda item: read(*item), asked))
    return [f for f in found if f is not None]


def _trusting(iam: Any, spec: ValidateSpec, state: Snapshot) -> list[tuple[str, Any]]:
    """The account's other roles whose trust policy names this role (its name, ARN or unique ID
    appears in it) or any principal ("*"): the vendor's session may chain into them (trial 20ab
    item 1). Every role's trust is kept too (validate/chained.py). ListRoles refused is noted
    (AWSLeastPrivilege then cannot say "no more")."""
    roles = _optional(state, "iam:ListRoles", (), lambda: paginate_all(iam, "list_roles", "Roles")) or []
    names = [spec.role_name, str((state.role or {}).get("RoleId") or spec.role_name)]
    found = []
    for role in roles:
        trust = parse_document(role.get("AssumeRolePolicyDocument"))
        state.account_roles.append((str(role.get("Arn")), trust))
        text = json.dumps(trust)
        # naming this role, or any principal ("*", narrowed perhaps by aws:PrincipalAccount:
        # round 20ac G7): the session may be among those it lets in
        wide = any(admits_anyone(s) for s in statements(trust))
        if role.get("Arn") != spec.role_arn and (wide or any(n in text for n in names)):
            found.append((str(role.get("Arn")), trust))
    return found
