"""The checks of what the role's session may do to the bucket and its objects: list it
(AWSBucketAccess), read and decrypt an object (AWSObjectRead, kms_decrypt), no more
(validate/least.py), and what the vendor's web origins may GET (AWSCors, AWSSignedUrl). Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from provisioner.cors import cors_rule_for
from provisioner.evaluation import EXPLICIT_DENY, Decision, Policy, Request, evaluate
from provisioner.evaluation.chain import Chain, authorize, organization_decision
from provisioner.evaluation.free import Outcome
from provisioner.model import Status, account_of, bucket_arn, root_arn
from provisioner.validate.model import Check, Snapshot, ValidateSpec, org_unseen, verdict
from provisioner.validate.rules import (
    CHECKS,
    DENIED_BY_ORGANIZATION,
    FAIL,
    PASS,
    SKIP,
    SYMMETRIC,
    WARN,
    decide,
    depends_remedy,
    not_decided,
    organization_refuses,
    refused_reads,
    role_unread,
    s3_chain,
    s3_request,
    s3_verdict,
)
from provisioner.validate.where import elsewhere


@CHECKS.register("AWSBucketAccess")
def check_bucket_access(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSBucketAccess"
    if not state.bucket_exists:
        return verdict(name, FAIL, spec, "BUCKET_NOT_FOUND", f"bucket {spec.bucket} does not exist")
    if state.role is None:
        return verdict(name, SKIP, spec, detail=role_unread(state) or "the role does not exist")
    bucket = bucket_arn(spec.bucket, spec.partition)
    denied: list[str] = []
    depends: list[str] = []
    chain = s3_chain(state)
    requests = [
        s3_request(spec, state, "s3:ListBucket", bucket, **{"s3:prefix": spec.prefix or ""}),
        s3_request(spec, state, "s3:GetBucketLocation", bucket),
    ]
    undecided = not_decided(name, state, spec, chain, requests)
    if undecided is not None:
        return undecided
    refusals: list[Decision] = []
    outcomes = [decide(chain, request, spec, state) for request in requests]
    for request, outcome in zip(requests, outcomes, strict=True):
        _sort(outcome, f"{request.action} on {bucket}", denied, depends, refusals)
    # allowed at home: and in the other regions, where the vendor may call it (trial 20w item 4)?
    other = elsewhere(chain, requests[1], spec, state) if outcomes[1].always else ""
    depends += [f"s3:GetBucketLocation on {bucket}: {other}"] if other else []
    ok = f"s3:ListBucket and s3:GetBucketLocation on {bucket}"
    return s3_verdict(name, state, spec, denied, "BUCKET_ACCESS_DENIED", ok, depends, refusals)


def _sort(
    outcome: Outcome, what: str, denied: list[str], depends: list[str], refusals: list[Decision] | None = None
) -> None:
    """A refusal for every value goes to `denied` (its decision to `refusals`); one that depends
    on a free key to `depends`."""
    if outcome.never and outcome.denied is not None:
        denied.append(f"{what}: {outcome.denied.reason()}")
        if refusals is not None:
            refusals.append(outcome.denied)
    elif not outcome.always:
        why = outcome.undecided or outcome.depends
        depends.append(f"{what}: {why}{_sides_reason(outcome)}")


def _sides_reason(outcome: Outcome) -> str:
    """Which statements decide each side, for the detail."""
    if outcome.allowed is None or outcome.denied is None:
        return ""
    return f" ({outcome.denied.reason()} otherwise)"


@CHECKS.register("AWSObjectRead")
def check_object_read(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSObjectRead"
    if state.role is None or not state.bucket_exists:
        return verdict(name, SKIP, spec, detail=role_unread(state) or "the role or the bucket does not exist")
    object_arn = f"{bucket_arn(spec.bucket, spec.partition)}/{spec.sample_key}"
    if state.object_missing:  # never a PASS for an object that is not there
        missing = f"not decided: no object {spec.key} in bucket {spec.bucket} (HeadObject: not found)"
        words = f"{missing}: give --key an object that exists"  # its remedy: never create-role (trial 20t)
        return replace(verdict(name, WARN, spec, None, words), remedy="OBJECT_MISSING")
    chain, request = s3_chain(state), s3_request(spec, state, "s3:GetObject", object_arn)
    undecided = not_decided(name, state, spec, chain, [request])
    if undecided is not None:
        return undecided
    outcome = decide(chain, request, spec, state)
    denied: list[str] = []
    depends: list[str] = []
    refusals: list[Decision] = []
    # without --key, every object under the prefix (the request's key is a variable: rules.free_keys)
    shown = object_arn if spec.key else f"{bucket_arn(spec.bucket, spec.partition)}/{spec.prefix or ''}*"
    _sort(outcome, f"s3:GetObject on {shown}", denied, depends, refusals)
    foreign = _foreign_object(state, spec)
    if outcome.sometimes and foreign:
        return verdict(name, FAIL, spec, "OBJECT_READ_DENIED", foreign)
    unread = state.kms_key is None and refused_reads(state, "s3:GetEncryptionConfiguration")
    if unread and not denied and not depends:  # never a PASS for what was not read (round 20ag item 1)
        words = (f"not decided: s3:GetObject on {shown} is allowed, but the bucket's default encryption "
                 "could not be read (s3:GetEncryptionConfiguration refused): under SSE-KMS the key's "
                 "policy must also let S3 decrypt for the role")  # fmt: skip
        return replace(verdict(name, WARN, spec, None, words), remedy=ENCRYPTION_NOT_READ)
    if denied or state.kms_key is None:
        ok = f"s3:GetObject on {shown}"
        return s3_verdict(name, state, spec, denied, "OBJECT_READ_DENIED", ok, depends, refusals)
    kms = kms_decrypt(state, spec)
    status, detail = kms.status, kms.detail
    if status is FAIL:
        failed = verdict(name, FAIL, spec, "KMS_DECRYPT_DENIED", detail)
        if kms.organization or kms.key_policy_denies:
            return replace(failed, remedy=DENIED_BY_ORGANIZATION if kms.organization else KEY_POLICY_DENIES)
        return replace(failed, remedy=KEY_POLICY_ONLY) if kms.key_policy_only else failed
    if status is WARN or depends:
        check = verdict(name, WARN, spec, None, "; ".join([*depends, detail] if status is WARN else depends))
        said = [*depends, detail] if kms.depends else depends
        if kms.unread and not depends:
            return replace(check, remedy=KEY_POLICY_NOT_READ)
        return replace(check, remedy=depends_remedy(said)[0]) if depends or kms.depends else check
    ok = f"s3:GetObject on {shown}; {detail}"
    return org_unseen(name, spec, state, ok) or verdict(name, PASS, spec, detail=ok)


def _foreign_object(state: Snapshot, spec: ValidateSpec) -> str | None:
    """With ACLs on (Object Ownership not BucketOwnerEnforced), an object another account wrote is
    that account's: the bucket owner's role cannot read it unless the object's ACL grants the bucket
    owner READ, whatever the policies say (S3 User Guide, "Controlling ownership of objects and
    disabling ACLs for your bucket")."""
    if not (state.object_owner and state.bucket_owner) or state.object_owner == state.bucket_owner:
        return None
    if state.object_acl_grants_owner:
        return None
    return (
        f"object {spec.key} was written by another account (canonical ID {state.object_owner}) and Object "
        f"Ownership is {state.object_ownership or 'not set (ACLs on)'}: it is not the bucket owner's, so "
        "the role cannot read it whatever the policies say; set Object Ownership to BucketOwnerEnforced "
        f"(aws s3api put-bucket-ownership-controls --bucket {spec.bucket} --ownership-controls "
        "'Rules=[{ObjectOwnership=BucketOwnerEnforced}]')"
    )


KEY_POLICY_ONLY = "KEY_POLICY_ONLY"  # checks.json: a decrypt only the key policy can allow
KEY_POLICY_DENIES = "KEY_POLICY_DENIES"  # checks.json: a decrypt the key policy's Deny refuses
KEY_POLICY_NOT_READ = "KEY_POLICY_NOT_READ"  # checks.json: the KMS key's policy not read
ENCRYPTION_NOT_READ = "ENCRYPTION_NOT_READ"  # checks.json: the bucket's default encryption not read


@dataclass(frozen=True)
class KmsVerdict:
    status: Status
    detail: str
    depends: bool = False  # a WARN because the answer depends on a value the vendor chooses
    key_policy_only: bool = False  # a FAIL only the key policy can undo (it does not delegate to IAM)
    organization: bool = False  # a FAIL an SCP or RCP decides: no change to the role undoes it
    key_policy_denies: bool = False  # a FAIL the key policy's own Deny decides
    unread: bool = False  # a WARN: the key policy could not be read


def decrypt_request(state: Snapshot, spec: ValidateSpec) -> Request:
    """S3's kms:Decrypt for the role's session, a forward access session (S3 User Guide, SSE-KMS;
    aws:ViaAWSService "true"), with S3's encryption context (the object's ARN, or the bucket's
    with an S3 Bucket Key), kms:ViaService, kms:CallerAccount and rules.SYMMETRIC."""
    bucket = bucket_arn(spec.bucket, spec.partition)
    context_arn = bucket if state.bucket_key_enabled else f"{bucket}/{spec.sample_key}"
    return s3_request(
        spec,
        state,
        "kms:Decrypt",
        state.kms_key or "",
        **{
            "aws:ViaAWSService": "true",
            "kms:ViaService": f"s3.{state.bucket_region}.amazonaws.com",
            "kms:CallerAccount": spec.account,
            "kms:EncryptionContext:aws:s3:arn": context_arn,
            "kms:EncryptionContextKeys": ["aws:s3:arn"],
            **SYMMETRIC,
        },
    )


def kms_decrypt(state: Snapshot, spec: ValidateSpec) -> KmsVerdict:
    """kms:Decrypt through S3: the key policy must allow the role, or allow the account (and
    so delegate to IAM) while the role's policies allow it. ("AWS KMS: Key policies".)"""
    key = state.kms_key or ""
    request = decrypt_request(state, spec)
    identity = authorize(
        Chain(identity=state.identity_policies, boundary=state.boundary, scps=state.org.scps), request
    )
    if state.key_policy is None:
        return _unread_key(state, spec, identity)
    key_policy = Policy("key policy", state.key_policy)
    chain = Chain(
        identity=state.identity_policies,
        resource=[key_policy],
        boundary=state.boundary,
        scps=state.org.scps,
        rcps=state.org.rcps,
        resource_required=True,  # a key policy must allow, the role or its account
    )
    undecided = not_decided("AWSObjectRead", state, spec, chain, [request])
    if undecided is not None:
        return KmsVerdict(WARN, f"kms:Decrypt on {key}: {undecided.detail}")
    outcome = decide(chain, request, spec, state)
    if outcome.depends or outcome.undecided:
        why = outcome.depends or outcome.undecided
        return KmsVerdict(WARN, f"kms:Decrypt on {key}: {why}{_sides_reason(outcome)}", depends=True)
    decision = authorize(chain, request)
    refused = organization_decision(state.org.scps, state.org.rcps, request)
    if decision.effect == EXPLICIT_DENY or refused is not None:
        return _refused(key, decision, refused, key_policy.name)
    direct = evaluate([key_policy], request, account_delegates=True)
    if decision.allowed and direct.allowed:
        return KmsVerdict(PASS, f"kms:Decrypt on {key}: the key policy allows the role")
    if decision.allowed:
        return KmsVerdict(
            PASS, f"kms:Decrypt on {key}: the key policy delegates to IAM and {identity.reason()}"
        )
    delegated = evaluate([key_policy], replace(request, principal=root_arn(spec.account, spec.partition)))
    if direct.allowed:  # the key policy names the role, which its boundary limits
        return KmsVerdict(FAIL, f"kms:Decrypt on {key}: {decision.reason()}")
    if not delegated.allowed:
        return KmsVerdict(
            FAIL,
            f"kms:Decrypt on {key}: the key policy allows neither the role nor IAM policies "
            f"of account {spec.account}{_role_statements_unmet(key_policy, request)}",
            key_policy_only=True,
        )
    return KmsVerdict(
        FAIL,
        f"kms:Decrypt on {key}: the key policy delegates to IAM, where the role's policies do not "
        f"allow it ({identity.reason()}){_role_statements_unmet(key_policy, request)}",
    )


def _unread_key(state: Snapshot, spec: ValidateSpec, identity: Decision) -> KmsVerdict:
    """kms:Decrypt where the key policy could not be read: a WARN, but where the role's own
    policies decide it (they allow it; they deny it; the key is another account's, where they must
    allow it: "Allowing users in other accounts to use a KMS key")."""
    key = state.kms_key or ""
    if identity.allowed:
        return KmsVerdict(
            WARN,
            f"the role's policies allow kms:Decrypt on {key}, but the key policy could not be "
            "read (kms:GetKeyPolicy): check that it allows the role or the account",
            unread=True,
        )
    if identity.effect == EXPLICIT_DENY or account_of(key) not in (None, spec.account):
        return KmsVerdict(FAIL, f"kms:Decrypt on {key}: {identity.reason()}")
    reads = ", ".join(refused_reads(state, "kms:")) or "kms:GetKeyPolicy"
    return KmsVerdict(  # a key policy may name the role itself (round 20af item 5)
        WARN,
        f"not decided: kms:Decrypt on {key}: the role's policies do not allow it "
        f"({identity.reason()}), and the key policy could not be read ({reads} refused): "
        "one naming the role would allow it, a Deny there would refuse it",
        unread=True,
    )


def _refused(key: str, decision: Decision, refused: Decision | None, key_policy: str) -> KmsVerdict:
    """A decrypt a Deny refuses, or an organization level allowing nothing: no Allow undoes it,
    so its remedy is that policy's, the key policy's own Deny or an SCP's or RCP's, never the
    role's (trial 20p item 6)."""
    by_org = refused is not None and organization_refuses([refused])
    denies = decision.denies if decision.effect == EXPLICIT_DENY else ()
    by_key = bool(denies) and all(h.policy == key_policy for h in denies) and not by_org
    why = f"kms:Decrypt on {key}: {(refused if by_org and refused else decision).reason()}"
    return KmsVerdict(FAIL, why, organization=by_org, key_policy_denies=by_key)


def _role_statements_unmet(key_policy: Policy, request: Request) -> str:
    """The key policy's Allow statements that would let the session decrypt but for their
    condition, with the values S3's request carries for the keys they read ("; the key policy's
    Sid X names the role, but its condition does not hold for S3's request: …"), or ""."""
    shown: list[str] = []
    for statement in key_policy.statements:
        if not statement.is_allow or "Condition" not in statement.body:
            continue
        bare = statement.unconditioned
        if not evaluate([Policy(key_policy.name, {"Statement": [bare]})], request).allowed:
            continue  # it does not name the role (or this action) at all
        keys = sorted({key for _, key, _ in statement.conditions()})
        values = ", ".join(f"{k} = {json.dumps(request.key(k))}" for k in keys)
        where = statement.shown
        shown.append(f"{where} names the role, but its condition does not hold for S3's request ({values})")
    return "; the key policy's " + "; its ".join(shown) if shown else ""


@CHECKS.register("AWSSignedUrl")
def check_signed_url(state: Snapshot, spec: ValidateSpec) -> Check:
    """Only a live fetch can tell; statically the check is skipped."""
    return verdict("AWSSignedUrl", SKIP, spec, detail="live only: run with --live")


@CHECKS.register("AWSCors")
def check_cors(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSCors"
    origins = list(spec.vendor.cors_origins)
    if not origins:
        return verdict(name, SKIP, spec, detail="the vendor has no web origins (give --origin)")
    if not state.bucket_exists:
        return verdict(name, SKIP, spec, detail="the bucket does not exist")
    if "s3:GetBucketCORS" in state.unreadable:
        return verdict(name, WARN, spec, None, "could not read the bucket's CORS rules (s3:GetBucketCORS)")
    if not state.cors:
        return verdict(name, FAIL, spec, "CORS_NOT_CONFIGURED", f"bucket {spec.bucket} has no CORS rules")
    missing = [o for o in origins if cors_rule_for(state.cors, o, "GET") is None]
    if missing:
        return verdict(
            name, FAIL, spec, "CORS_ORIGIN_NOT_ALLOWED", f"no CORS rule lets {', '.join(missing)} GET objects"
        )
    return verdict(name, PASS, spec, detail=f"{', '.join(origins)} may GET")
