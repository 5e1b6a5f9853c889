"""Pure: every check decided from the snapshot by the evaluator, never by an AWS call.

Each check is a function registered under its name in policies/checks.json (the tests prove
the two lists match one to one); `static_checks` runs them in the data file's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from provisioner.cors import cors_rule_for
from provisioner.evaluation import (
    EXPLICIT_DENY,
    Decision,
    Policy,
    Request,
    assume_role_request,
    caller_for,
    caller_request,
    evaluate,
    principal_matches,
)
from provisioner.evaluation.chain import Chain, authorize, organization_decision
from provisioner.evaluation.witness import caller_witnesses, external_id_witnesses
from provisioner.iam import (
    WRITE_LEVELS,
    aws_principals,
    external_id_values,
    parse_document,
    s3_actions,
)
from provisioner.model import Status, account_of, bucket_arn, root_arn
from provisioner.model.rules import Registry
from provisioner.validate.fixes import remediate
from provisioner.validate.model import SESSION_NAME, Check, Snapshot, ValidateSpec, check_names, verdict

PASS, FAIL, WARN, SKIP = Status.PASS, Status.FAIL, Status.WARN, Status.SKIP
PROBE_BUCKET = "provisioner-probe-other-bucket"
WRONG_ID = "provisioner-probe-wrong-external-id"  # live: the ID the negative probe presents
ESCALATION = ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole")

StaticCheck = Callable[[Snapshot, ValidateSpec], Check]
CHECKS: Registry[StaticCheck] = Registry("check")


def static_checks(state: Snapshot, spec: ValidateSpec) -> list[Check]:
    """Every check from the snapshot, in the order of policies/checks.json, each failure with
    its remediation (validate/fixes.py)."""
    return [remediate(CHECKS.functions[name](state, spec), spec, state) for name in check_names()]


# --- requests the vendor's service and its session make -------------------------------------


def vendor_caller(spec: ValidateSpec) -> str:
    """The ARN the vendor's service calls STS as (a session of its role, or of a role of its
    account when the profile trusts the account root)."""
    return caller_for(spec.vendor.principal, "vendor-session")


def assume_request(spec: ValidateSpec, caller: str, external_id: str | None) -> Request:
    """The vendor's sts:AssumeRole, with every key a role session's request carries."""
    return assume_role_request(
        caller, spec.role_arn, external_id, region=spec.sts_region, session_name=SESSION_NAME
    )


def s3_request(spec: ValidateSpec, state: Snapshot, action: str, resource: str, **context: Any) -> Request:
    """A request of the role's session (what the vendor does after AssumeRole), sent to the
    bucket's region (aws:RequestedRegion)."""
    return caller_request(spec.session_arn, action, resource, region=state.bucket_region, **context)


def _trust(state: Snapshot) -> list[Policy]:
    if state.role is None:
        return []
    return [Policy("trust policy", parse_document(state.role["AssumeRolePolicyDocument"]))]


def _s3_chain(state: Snapshot, *, resource: bool = True) -> Chain:
    """What decides the role session's S3 calls: its identity policies, its permissions
    boundary and (same account) the bucket policy (evaluation/chain.py)."""
    bucket = [Policy("bucket policy", state.bucket_policy)] if resource and state.bucket_policy else []
    return Chain(
        identity=state.identity_policies,
        resource=bucket,
        boundary=state.boundary,
        scps=state.org.scps,
        rcps=state.org.rcps,
    )


def _org_note(state: Snapshot) -> str:
    note = state.org.describe()
    return f" ({note})" if note else ""


def _unread(state: Snapshot) -> str:
    return f" (could not read: {', '.join(state.unreadable)})" if state.unreadable else ""


def _blind(state: Snapshot, *prefixes: str) -> list[str]:
    """The refused reads among those starting with `prefixes`."""
    return [a for a in state.unreadable if a.startswith(prefixes)]


def _role_unread(state: Snapshot) -> str | None:
    """Why the role could not be judged, when AWS refused to show it."""
    if state.role is None and "iam:GetRole" in state.unreadable:
        return (
            "could not read the role (iam:GetRole was refused): give credentials allowed "
            "iam:GetRole, or run with --live to ask STS itself"
        )
    return None


def _s3_verdict(
    name: str, state: Snapshot, spec: ValidateSpec, denied: list[str], code: str, ok: str
) -> Check:
    """FAIL when the policies refuse; WARN instead when a policy that could change the answer
    was not readable (the role's own policies for a refusal, the bucket policy for a grant)."""
    if denied:
        blind = _blind(state, "iam:")
        detail = "; ".join(denied) + _unread(state)
        if blind:
            return verdict(name, WARN, spec, None, f"{detail}; the role's policies could not all be read")
        return verdict(name, FAIL, spec, code, detail)
    if _blind(state, "s3:GetBucketPolicy"):
        return verdict(
            name,
            WARN,
            spec,
            None,
            f"{ok}, but the bucket policy could not be read (s3:GetBucketPolicy was refused): "
            "a Deny there would not be seen",
        )
    return verdict(name, PASS, spec, detail=ok + _org_note(state))


# --- the checks -----------------------------------------------------------------------------


@CHECKS.register("AWSAssumeRole")
def check_assume_role(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSAssumeRole"
    if (unread := _role_unread(state)) is not None:
        return verdict(name, WARN, spec, None, unread)
    if state.role is None:
        return verdict(
            name,
            FAIL,
            spec,
            "ROLE_CANNOT_BE_ASSUMED",
            f"role {spec.role_arn} does not exist in account {spec.account}",
        )
    request = assume_request(spec, vendor_caller(spec), spec.external_id)
    trust = _trust(state)
    decision = evaluate(trust, request)
    if decision.allowed:
        # RCPs of the role's account apply to the vendor's AssumeRole; the vendor's SCPs are its own.
        refused = organization_decision((), state.org.rcps, request)
        if refused is not None:
            return verdict(
                name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", f"{spec.vendor.principal}: {refused.reason()}"
            )
        detail = f"{spec.vendor.principal} with the external ID: {decision.reason()}{_org_note(state)}"
        return verdict(name, PASS, spec, detail=detail)
    return verdict(name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", _why_not_assumable(trust[0], spec, decision))


def _why_not_assumable(trust: Policy, spec: ValidateSpec, decision: Decision) -> str:
    if decision.denies:
        return f"{spec.vendor.principal}: {decision.reason()}"
    caller = vendor_caller(spec)
    allows = [s for s in trust.statements if s.is_allow]
    named = [s for s in allows if principal_matches(s.body.get("Principal"), caller)]
    if not named:
        trusted = sorted({p for s in allows for p in aws_principals(s)})
        return (
            f"the trust policy does not name {spec.vendor.principal} "
            f"(it trusts {', '.join(trusted) or 'no AWS principal'})"
        )
    expected = sorted({i for s in named for i in external_id_values(s)})
    if expected and spec.external_id not in expected:
        return (
            f"the trust's sts:ExternalId condition ({named[0].path}) expects "
            f"{', '.join(expected)}, not {spec.external_id}"
        )
    paths = ", ".join(s.path for s in named)
    return f"the conditions of {paths} refuse the vendor's request ({decision.reason()})"


@CHECKS.register("AWSExternalID")
def check_external_id(state: Snapshot, spec: ValidateSpec) -> Check:
    """Nobody but the vendor, and the vendor only with the issued ID. Decided from the trust's
    own patterns (evaluation/witness.py): any other ID, or any caller of another account, that
    the trust lets in is named in the detail."""
    name = "AWSExternalID"
    if state.role is None:
        return verdict(name, SKIP, spec, detail=_role_unread(state) or "the role does not exist")
    trust = _trust(state)
    vendor = vendor_caller(spec)
    open_to = []
    for w in external_id_witnesses(trust, lambda i: assume_request(spec, vendor, i), [spec.external_id]):
        how = (
            "without an external ID"
            if w.external_id is None
            else f"with another external ID ({w.external_id})"
        )
        open_to.append(f"the vendor {how}: {w.decision.reason()}")
    ours = {a for a in (account_of(spec.vendor.principal), spec.account) if a}
    for external_id, how in (
        (spec.external_id, "with the right external ID"),
        (None, "without an external ID"),
    ):

        def request(caller: str, presented: str | None = external_id) -> Request:
            return assume_request(spec, caller, presented)

        for w in caller_witnesses(trust, request, ours):
            open_to.append(f"{w.caller}, a principal of another AWS account, {how}: {w.decision.reason()}")
    if open_to:
        shown = "; ".join(open_to[:3]) + (f"; and {len(open_to) - 3} more" if len(open_to) > 3 else "")
        return verdict(
            name, FAIL, spec, "EXTERNAL_ID_CONFIGURED_INSECURELY", f"the role can be assumed by {shown}"
        )
    return verdict(
        name,
        PASS,
        spec,
        detail="no other external ID and no caller of another account is let in (witnesses built "
        "from every value the trust's conditions name)",
    )


@CHECKS.register("AWSBucketAccess")
def check_bucket_access(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSBucketAccess"
    if not state.bucket_exists:
        return verdict(name, FAIL, spec, "BUCKET_NOT_FOUND", f"bucket {spec.bucket} does not exist")
    if state.role is None:
        return verdict(name, SKIP, spec, detail=_role_unread(state) or "the role does not exist")
    bucket = bucket_arn(spec.bucket, spec.partition)
    denied = []
    for action, context in (
        ("s3:ListBucket", {"s3:prefix": spec.prefix or ""}),
        ("s3:GetBucketLocation", {}),
    ):
        decision = authorize(_s3_chain(state), s3_request(spec, state, action, bucket, **context))
        if not decision.allowed:
            denied.append(f"{action} on {bucket}: {decision.reason()}")
    ok = f"s3:ListBucket and s3:GetBucketLocation on {bucket}"
    return _s3_verdict(name, state, spec, denied, "BUCKET_ACCESS_DENIED", ok)


@CHECKS.register("AWSObjectRead")
def check_object_read(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSObjectRead"
    if state.role is None or not state.bucket_exists:
        return verdict(
            name, SKIP, spec, detail=_role_unread(state) or "the role or the bucket does not exist"
        )
    object_arn = f"{bucket_arn(spec.bucket, spec.partition)}/{spec.sample_key}"
    decision = authorize(_s3_chain(state), s3_request(spec, state, "s3:GetObject", object_arn))
    foreign = _foreign_object(state, spec)
    if decision.allowed and foreign:
        return verdict(name, FAIL, spec, "OBJECT_READ_DENIED", foreign)
    if not decision.allowed or state.kms_key is None:
        denied = [] if decision.allowed else [f"s3:GetObject on {object_arn}: {decision.reason()}"]
        ok = f"s3:GetObject on {object_arn}"
        return _s3_verdict(name, state, spec, denied, "OBJECT_READ_DENIED", ok)
    kms = kms_decrypt(state, spec)
    status, detail = kms.status, kms.detail
    if status is FAIL:
        return verdict(name, FAIL, spec, "KMS_DECRYPT_DENIED", detail)
    if status is WARN:
        return verdict(name, WARN, spec, None, detail)
    return verdict(name, PASS, spec, detail=f"s3:GetObject on {object_arn}; {detail}")


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


@dataclass(frozen=True)
class KmsVerdict:
    status: Status
    detail: str


def kms_decrypt(state: Snapshot, spec: ValidateSpec) -> KmsVerdict:
    """kms:Decrypt through S3: the key policy must allow the role, or allow the account (and
    so delegate to IAM) while the role's policies allow it. ("AWS KMS: Key policies".)"""
    key = state.kms_key or ""
    request = s3_request(
        spec,
        state,
        "kms:Decrypt",
        key,
        **{"kms:ViaService": f"s3.{state.bucket_region}.amazonaws.com", "kms:CallerAccount": spec.account},
    )
    identity = authorize(
        Chain(identity=state.identity_policies, boundary=state.boundary, scps=state.org.scps), request
    )
    if state.key_policy is None:
        if identity.allowed:
            return KmsVerdict(
                WARN,
                f"the role's policies allow kms:Decrypt on {key}, but the key policy could not be "
                "read (kms:GetKeyPolicy): check that it allows the role or the account",
            )
        return KmsVerdict(FAIL, f"kms:Decrypt on {key}: {identity.reason()}")
    key_policy = Policy("key policy", state.key_policy)
    chain = Chain(
        identity=state.identity_policies,
        resource=[key_policy],
        boundary=state.boundary,
        scps=state.org.scps,
        rcps=state.org.rcps,
        resource_required=True,  # a key policy must allow, the role or its account
    )
    decision = authorize(chain, request)
    refused = organization_decision(state.org.scps, state.org.rcps, request)
    if decision.effect == EXPLICIT_DENY or refused is not None:
        return KmsVerdict(FAIL, f"kms:Decrypt on {key}: {decision.reason()}")
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
            f"of account {spec.account}",
        )
    return KmsVerdict(
        FAIL, f"kms:Decrypt on {key}: the role's policies do not allow it ({identity.reason()})"
    )


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


@CHECKS.register("AWSLeastPrivilege")
def check_least_privilege(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSLeastPrivilege"
    if state.role is None:
        return verdict(name, SKIP, spec, detail=_role_unread(state) or "the role does not exist")
    chain, identity = _s3_chain(state), _s3_chain(state, resource=False)
    bucket = bucket_arn(spec.bucket, spec.partition)
    too_much = []
    for action, level in sorted(s3_actions().items()):
        if level not in WRITE_LEVELS:
            continue
        for resource in (bucket, f"{bucket}/{spec.sample_key}"):
            if authorize(chain, s3_request(spec, state, f"s3:{action}", resource)).allowed:
                too_much.append(f"s3:{action}")
                break
    other = bucket_arn(PROBE_BUCKET, spec.partition)
    for action, resource in (("s3:GetObject", f"{other}/x"), ("s3:ListBucket", other)):
        if authorize(identity, s3_request(spec, state, action, resource)).allowed:
            too_much.append(f"{action} on other buckets")
    for action in ESCALATION:
        if authorize(identity, s3_request(spec, state, action, spec.role_arn)).allowed:
            too_much.append(action)
    if too_much:
        shown = ", ".join(too_much[:6]) + (f" and {len(too_much) - 6} more" if len(too_much) > 6 else "")
        return verdict(
            name, FAIL if spec.strict else WARN, spec, "PERMISSIONS_TOO_BROAD", f"the role may {shown}"
        )
    return verdict(name, PASS, spec, detail="read and list only, on this bucket only")
