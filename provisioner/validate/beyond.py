"""Writes beyond the bucket's own S3 actions that a role policy may grant the vendor's session
(trial 20w items 1, 2): assuming another role of the account (whose rights it then has), an S3
Object Lambda access point's writes (PutObject, DeleteObject, WriteGetObjectResponse), and a
directory bucket's session (s3express:CreateSession, ReadWrite unless its condition says
ReadOnly). AWSLeastPrivilege asks each at a resource of its own type."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.evaluation import Policy, Request, caller_for, caller_request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.free import Outcome
from provisioner.iam import (
    WRITE_LEVELS,
    aws_principals,
    fits_type,
    names_action,
    s3_actions,
    statements,
    strings,
)
from provisioner.model import account_of, bucket_arn
from provisioner.validate.model import Snapshot, ValidateSpec


def beyond_s3(spec: ValidateSpec) -> list[tuple[str, str]]:
    """(action, resource) pairs the read-only role has no business being allowed."""
    account, region = spec.account, "us-east-1"
    return [
        ("sts:AssumeRole", f"arn:aws:iam::{account}:role/provisioner-probe-other-role"),
        ("s3-object-lambda:PutObject", f"arn:aws:s3-object-lambda:{region}:{account}:accesspoint/probe"),
        (
            "s3-object-lambda:WriteGetObjectResponse",
            f"arn:aws:s3-object-lambda:{region}:{account}:accesspoint/probe",
        ),
        ("s3express:CreateSession", f"arn:aws:s3express:{region}:{account}:bucket/probe--use1-az4--x-s3"),
    ]


# What an admin reads first among S3 actions a finding lists (the rest follow in their order)
FIRST = ("s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy",
         "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl", "s3:DeleteBucket")  # fmt: skip


def weightiest(actions: list[str]) -> list[str]:
    """The actions, those of FIRST first."""
    return sorted(actions, key=lambda a: FIRST.index(a) if a in FIRST else len(FIRST))


def bucket_writes(spec: ValidateSpec) -> list[tuple[str, str]]:
    """S3's writes (Write, Permissions management, Tagging) at the bucket and at an object in it,
    each at the one of a type it acts on (no s3:PutObject on the bucket's ARN, no
    s3:CreateAccessGrant on either: it is not of theirs)."""
    bucket = bucket_arn(spec.bucket, spec.partition)
    return [
        (f"s3:{action}", resource)
        for action, level in sorted(s3_actions().items())
        if level in WRITE_LEVELS
        for resource in (bucket, f"{bucket}/{spec.sample_key}")
        if fits_type(f"s3:{action}", resource)
    ]


def vendor_writes(state: Snapshot, spec: ValidateSpec) -> tuple[list[str], list[str]]:
    """The bucket's S3 reads and writes the bucket policy lets the vendor's *own* account make,
    without the role (trial 20w item 3), and the key's changes its key policy lets it make (trial 20x item 5).
    Across accounts a resource policy naming the account grants to it, and its own policies then
    decide (IAM User Guide, "Cross-account policy evaluation logic"); those are not ours to read,
    so they are taken to allow, as are its SCPs. The account's RCPs apply. Returns the actions
    and the Allow statements that grant one (alone, their conditions met)."""
    keys = {"s3:signatureversion": "AWS4-HMAC-SHA256"}
    bucket = bucket_arn(spec.bucket, spec.partition)
    # its reads too: without the role, the external ID guards nothing (round 20ad item 6; IAM User
    # Guide, "The confused deputy problem")
    reads = [("s3:GetObject", f"{bucket}/{spec.sample_key}"), ("s3:ListBucket", bucket)]
    writes = [
        (action, resource, state.bucket_region, keys) for action, resource in [*reads, *bucket_writes(spec)]
    ]
    found, grants = direct(state, spec, Policy("bucket policy", state.bucket_policy or {}), writes)
    grants = [f"bucket policy {g}" for g in grants]
    if state.kms_key and state.key_policy:
        region = state.kms_key.split(":")[3]
        caller = {"kms:CallerAccount": account_of(spec.vendor.principal) or ""}  # trial 20z item 2
        changes: list[tuple[str, str, str, dict[str, str]]] = [
            (action, state.kms_key, region, caller) for action in key_changes() if action in CROSS_ACCOUNT_KMS
        ]
        more, also = direct(state, spec, Policy("key policy", state.key_policy), changes, key=True)
        found += [f"{a} on the bucket's KMS key" for a in more]
        grants += [f"key policy {g}" for g in also]
    return found, grants


# The KMS operations another account may call on a key (KMS Developer Guide, "Allowing users in
# other accounts to use a KMS key": the cryptographic operations, DescribeKey, CreateGrant,
# GetKeyRotationStatus, GetPublicKey, ListGrants, RetireGrant, RevokeGrant; "AWS KMS permissions",
# "Cross-account use"). A key policy granting another account kms:ScheduleKeyDeletion or
# kms:PutKeyPolicy gives it nothing (trial 20z item 3).
CROSS_ACCOUNT_KMS = frozenset(
    f"kms:{name}"
    for name in (
        "CreateGrant", "Decrypt", "DescribeKey", "DeriveSharedSecret", "Encrypt", "GenerateDataKey",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext",
        "GenerateMac", "GetKeyRotationStatus", "GetPublicKey", "ListGrants", "ReEncryptFrom",
        "ReEncryptTo", "RetireGrant", "RevokeGrant", "Sign", "Verify", "VerifyMac",
    )
)  # fmt: skip


def key_changes() -> list[str]:
    """KMS actions that change a key or use it beyond S3's decrypt for the session (every one of
    level Write, Permissions management or Tagging but kms:Decrypt): kms:ScheduleKeyDeletion,
    kms:PutKeyPolicy, kms:DisableKey, kms:Encrypt, kms:CreateGrant, …"""
    from provisioner.validate.sweep import service_actions

    return [a for a, level in service_actions("kms") if level in WRITE_LEVELS and a != "kms:Decrypt"]


def direct(
    state: Snapshot,
    spec: ValidateSpec,
    policy: Policy,
    asked: list[tuple[str, str, str, dict[str, str]]],
    *,
    key: bool = False,
) -> tuple[list[str], list[str]]:
    """The (action, resource, region, keys) requests `policy` (the bucket's or the key's) lets a
    principal of the vendor's account make, and the statements that grant them. Each principal of
    the vendor's account the policy names is asked (a session of each role, or of some role of
    the account), with every key of the vendor's principal its choice: its organization, tags,
    session name, network and MFA, and credentials up to 36 hours old (a GetSessionToken
    session's longest life)."""
    from provisioner.analysis.decide import decide_chain  # z3: loaded when a chain is decided
    from provisioner.validate.later import possibly_later
    from provisioner.validate.rules import free_keys, resource_keys

    vendor = account_of(spec.vendor.principal)
    if not vendor or not policy.document or vendor == spec.account:
        return [], []
    chain = Chain(identity=[Policy("the vendor's own policies", _EVERYTHING)], resource=[policy],
                  rcps=state.org.rcps, cross_account=True, resource_required=key)  # fmt: skip
    named = [p for s in statements(policy.document) for p in aws_principals(s) if account_of(p) == vendor]
    callers = dict.fromkeys(caller_for(p, "vendor") for p in [spec.vendor.principal, *named])
    unknown = dict.fromkeys(("aws:PrincipalOrgID", "aws:PrincipalOrgPaths"), "the vendor's own (not read)")
    free = replace(free_keys(spec, state, s3=not key), session_tags=True, role_tags=frozenset(),
                   tag_keys=None, mfa=True, source_identity=True, session_seconds=36 * 3600)  # fmt: skip

    def ask(request: Request) -> Outcome:
        return decide_chain(chain, request, free, unknown, only_allowed=True)

    found: list[str] = []
    grants: list[str] = []
    for action, resource, region, keys in asked:
        context: dict[str, Any] = {**resource_keys(spec, state, resource), **keys}
        requests = [caller_request(c, action, resource, region=region, **context) for c in callers]
        if action not in found and any(possibly_later(chain, r, ask(r), ask).possibly for r in requests):
            found.append(action)
            grants += [g for g in granting(chain, requests) if g not in grants]
    return found, grants


def canonical_writes(state: Snapshot, spec: ValidateSpec) -> list[str]:
    """The bucket policy's Allow statements that grant a write to a canonical user ID (S3 User
    Guide, "Principals" of bucket policies: a CanonicalUser is an account's canonical ID), which
    validate cannot tie to an account: it may be the vendor's (round 20ac G6). The bucket owner's
    own ID, where known, is left out."""
    writes = [action for action, _ in bucket_writes(spec)]
    found = []
    for statement in statements(state.bucket_policy or {}):
        principal = statement.body.get("Principal")
        users = strings(principal.get("CanonicalUser")) if isinstance(principal, dict) else []
        users = [u for u in users if u != state.bucket_owner]
        if statement.is_allow and users and any(names_action(statement, a) for a in writes):
            found.append(f"{statement.shown}: canonical user {', '.join(u[:12] + '…' for u in users)}")
    return found


def granting(chain: Chain, asked: list[Request]) -> list[str]:
    """The Allow statements of the chain's bucket policy that alone grant one of the requests."""
    found: list[str] = []
    for statement in statements(chain.resource[0].document):
        alone = Policy("bucket policy", {"Version": "2012-10-17", "Statement": [statement.unconditioned]})
        if statement.is_allow and any(authorize(replace(chain, resource=[alone]), r).allowed for r in asked):
            found.append(statement.shown)
    return found


_EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
