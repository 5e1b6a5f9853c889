"""What validate's static checks share: the registry they are bound to by name (policies/checks.json),
the requests the vendor and its role session make, the chains that decide them and the verdicts
that say what could not be read. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from provisioner.evaluation import (
    Decision,
    Policy,
    Request,
    assume_role_request,
    caller_for,
    caller_request,
)
from provisioner.evaluation.chain import Chain
from provisioner.evaluation.choice import PassedRule
from provisioner.evaluation.free import FreeKeys, Outcome
from provisioner.iam import parse_document
from provisioner.model import Status, account_of, bucket_arn
from provisioner.model.rules import Registry
from provisioner.validate.model import SESSION_NAME, Check, Snapshot, ValidateSpec, org_unseen, verdict
from provisioner.validate.passes import identity_passes, mfa_passes, name_rule, tag_passes

PASS, FAIL, WARN, SKIP = Status.PASS, Status.FAIL, Status.WARN, Status.SKIP
# S3 takes only symmetric encryption keys, and its Decrypt asks the default algorithm (KMS
# Developer Guide, kms:EncryptionAlgorithm, kms:KeySpec): S3's kms:Decrypt carries both (trial 20v)
SYMMETRIC = {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "kms:KeySpec": "SYMMETRIC_DEFAULT"}
PROBE_BUCKET = "provisioner-probe-other-bucket"
DEPENDS_ON_VENDOR = "DEPENDS_ON_VENDOR"  # the remediation of a WARN over a free key (checks.json)
SOME_OBJECTS = "SOME_OBJECTS"  # of a WARN that turns on which object is read (checks.json)
DEPENDS_ON_TIME = "DEPENDS_ON_TIME"  # of a WARN that turns at a date a policy names (validate/later.py)
DENIED_BY_ORGANIZATION = "DENIED_BY_ORGANIZATION"  # an SCP's or RCP's Deny: the role cannot undo it
NOT_DECIDED = "NOT_DECIDED"  # a trust not decided: never a command that replaces the trust
OTHER_ID = "OTHER_ID"  # a trust pinning another external ID (a rotation done): no command undoing it


def organization_refuses(decisions: list[Decision]) -> bool:
    """Is every refusal an SCP's or RCP's: an explicit Deny of one (and of nothing the role or the
    bucket holds), or a level of them none of which allows it (an allow-list that leaves S3
    out)? Then create-role, which rewrites the role, is not the fix (trial 20p item 5)."""
    organization = ("SCP ", "RCP ")
    return bool(decisions) and all(
        all(hit.policy.startswith(organization) for hit in d.denies)
        if d.denies
        else bool(d.by) and all(p.startswith(organization) for p in d.by)  # a level allowing nothing
        for d in decisions
    )


WRONG_ID = "provisioner-probe-wrong-external-id"  # live: the ID the negative probe presents
ESCALATION = ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole")

StaticCheck = Callable[[Snapshot, ValidateSpec], Check]
CHECKS: Registry[StaticCheck] = Registry("check")


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
    bucket's region (aws:RequestedRegion), with the keys the snapshot knows (known_keys).
    aws:userid carries the role's real unique ID when GetRole showed it (a policy may name it:
    "AROA...:*")."""
    role_id = (state.role or {}).get("RoleId")
    if isinstance(role_id, str) and role_id and "aws:userid" not in context:
        context["aws:userid"] = f"{role_id}:{SESSION_NAME}"
    keys = {**known_keys(state), **resource_keys(spec, state, resource), **context}
    if action.lower().startswith("s3:"):  # Signature Version 4: the only one S3 takes from SDKs now
        keys.setdefault("s3:signatureversion", "AWS4-HMAC-SHA256")
    return caller_request(spec.session_arn, action, resource, region=state.bucket_region, **keys)


def resource_keys(spec: ValidateSpec, state: Snapshot, resource: str) -> dict[str, Any]:
    """The keys of the resource a session's request names (IAM User Guide, "AWS global
    condition context keys": aws:ResourceAccount, the account that owns the resource, in most
    services' requests; aws:ResourceOrgID and aws:ResourceOrgPaths when that account is in an
    organization). The bucket is taken to be in the role's account, as the rest of validate
    takes it; a KMS key names its account in its ARN. In the role's account they are its
    organization's (known_keys); elsewhere they are not known (unknown_keys)."""
    account = _resource_account(spec, resource)
    keys: dict[str, Any] = {"aws:ResourceAccount": account}
    if ":s3:" in resource:  # S3's own name for it (Amazon S3 condition keys, s3:ResourceAccount)
        keys["s3:ResourceAccount"] = account
    if account == spec.account:
        if state.org.org_id:
            keys["aws:ResourceOrgID"] = state.org.org_id
        if state.org.org_paths:
            keys["aws:ResourceOrgPaths"] = list(state.org.org_paths)
    return keys


def _resource_account(spec: ValidateSpec, resource: str) -> str:
    """arn:aws:kms:REGION:ACCOUNT:key/… names its account; an S3 ARN names none: the bucket is
    the role's account's."""
    return account_of(resource) or spec.account


def known_keys(state: Snapshot) -> dict[str, Any]:
    """The keys of the role session's requests that the snapshot knows beyond the context table
    (IAM User Guide, "AWS global condition context keys"):

    - aws:PrincipalOrgID, the customer's organization: the session is a principal of the role's
      account (DescribeOrganization, or the organization in a describe-policy file's ARN);
    - aws:PrincipalOrgPaths, the account's path "o-…/r-…/ou-…/" (ListParents to the root);
    - aws:PrincipalTag/<key>, the role's tags ("the tags attached to the principal making the
      request": for a role session, the role's tags, GetRole's Tags; session tags are the
      vendor's choice and not among them)."""
    keys: dict[str, Any] = {}
    if state.org.org_id:
        keys["aws:PrincipalOrgID"] = state.org.org_id
    if state.org.org_paths:
        keys["aws:PrincipalOrgPaths"] = list(state.org.org_paths)
    keys.update({f"aws:PrincipalTag/{key}": value for key, value in state.role_tags.items()})
    return keys


def unknown_keys(state: Snapshot, request: Request | None = None) -> dict[str, str]:
    """The keys the session's requests carry whose value the snapshot does not know, each with
    why: the customer's organization and its path when they could not be read (an account in no
    organization has neither: absent, which is known), as the principal's and, for a resource of
    the role's account, the resource's (the same values: analysis/session.py holds them equal);
    a resource of another account (`request`'s KMS key) has an organization not read."""
    unknown: dict[str, str] = {}
    if request is not None and request.action.lower() == "kms:decrypt":  # trial 20v item 1
        unknown["kms:KeyOrigin"] = "the key's origin (DescribeKey) is not read"
    if request is not None and request.key("aws:ResourceAccount") not in (
        None,
        account_of(request.principal),
    ):
        unknown["aws:ResourceOrgID"] = unknown["aws:ResourceOrgPaths"] = (
            f"the resource is in account {request.key('aws:ResourceAccount')}, whose organization is not read"
        )
    org = state.org
    if org.standalone:
        return unknown
    unread = "; ".join(org.unread)
    same = request is None or "aws:ResourceOrgID" not in unknown
    if not org.org_id:
        unknown["aws:PrincipalOrgID"] = unread or (
            "the organization's ID was not read: give credentials allowed "
            "organizations:DescribeOrganization, or the --scp-file/--rcp-file JSON that "
            "'aws organizations describe-policy' prints (its ARN names the organization)"
        )
        if same:
            unknown["aws:ResourceOrgID"] = unknown["aws:PrincipalOrgID"]
    if org.org_paths is None:
        unknown["aws:PrincipalOrgPaths"] = unread or (
            "the account's place in the organization was not read: give credentials allowed "
            "organizations:ListParents (the management account or a delegated administrator)"
        )
        if same:
            unknown["aws:ResourceOrgPaths"] = unknown["aws:PrincipalOrgPaths"]
    return unknown


def undecided(
    chain: Chain, requests: list[Request], unknown: dict[str, str], free: Callable[[Request], FreeKeys]
) -> dict[str, list[str]]:
    """The unknown keys on which the chain's decision of some of `requests` turns, each with the
    actions it decides: for some value of the other keys (the vendor's free keys too), two values
    of the key decide the request differently (analysis/decide.py's `turns_on`, the z3 analysis
    of the whole chain)."""
    if not unknown:
        return {}
    from provisioner.analysis.decide import turns_on  # z3: loaded when a chain is decided

    found: dict[str, list[str]] = {}
    for request in requests:
        for key in turns_on(chain, request, free(request), unknown):
            found.setdefault(key, []).append(request.action)
    return found


def not_decided(
    name: str, state: Snapshot, spec: ValidateSpec, chain: Chain, requests: list[Request]
) -> Check | None:
    """WARN "not decided" when a request's verdict turns on a key whose value is not known
    (unknown_keys): deciding it as absent would be a confident guess."""
    unknown = unknown_keys(state, requests[0] if requests else None)
    if not unknown:
        return None
    s3, other = free_keys(spec, state), free_keys(spec, state, s3=False)
    found = undecided(chain, requests, unknown, lambda r: s3 if r.action.startswith("s3:") else other)
    if not found:
        return None
    parts = [
        f"{_shown(actions)} depends on {key}, which is not known ({unknown[key]})"
        for key, actions in found.items()
    ]
    return verdict(name, WARN, spec, None, "not decided: " + "; ".join(parts))


def _shown(actions: list[str]) -> str:
    unique = list(dict.fromkeys(actions))
    return ", ".join(unique[:4]) + (f" and {len(unique) - 4} more" if len(unique) > 4 else "")


def free_keys(spec: ValidateSpec, state: Snapshot, *, s3: bool = True, transport: bool = False) -> FreeKeys:
    """What the vendor chooses in its session's requests (evaluation/free.py): its session name,
    where it calls from, the TLS version (S3 only) and, when the trust lets it sts:TagSession,
    its session tags (a key the role has a tag for too: a session tag overrides it). With
    `transport` (what it could do: AWSLeastPrivilege), HTTP or HTTPS and the signature version
    too (round 20af item 3: a write granted only over HTTP was not counted)."""
    tags = frozenset(key.lower() for key in state.role_tags)
    tagging, identity, mfa = False, False, False
    keys: frozenset[str] | None = None
    refused: list[PassedRule] = []
    trust = trust_policies(state)
    if trust:
        request = replace(
            assume_request(spec, vendor_caller(spec), spec.external_id), action="sts:TagSession"
        )
        # the keys it may pass (validate/passes.py): a trust limiting them (ForAllValues:StringEquals
        # aws:TagKeys) leaves the role's other tags known (trial 20p item 1)
        tagging, keys, refused = tag_passes(trust, request, _principal_tag_keys(state) | tags)
        identity, rule = identity_passes(trust, request)
        named = name_rule(trust, replace(request, action="sts:AssumeRole"))
        refused += [r for r in (rule, named) if r is not None]
        mfa = mfa_passes(trust, replace(request, action="sts:AssumeRole"))
    # S3's call to KMS for the session (a forward access session) is not sent from the vendor's
    # network: its aws:SourceIp and VPC keys are not the vendor's to choose.
    # without --key, any object under the prefix is one the vendor may read (trial 20r item 1)
    objects = f"{bucket_arn(spec.bucket, spec.partition)}/{spec.prefix or ''}" if spec.key is None else None
    seconds = int((state.role or {}).get("MaxSessionDuration") or 3600)  # a session's longest life
    # a role session assuming the role is role chaining, at most one hour (IAM User Guide, "Roles
    # terms and concepts", role chaining); only an IAM user of the vendor's (mfa) may ask longer
    seconds = seconds if mfa else min(seconds, 3600)
    return FreeKeys(tls=s3, network=s3, session_tags=tagging, role_tags=tags, tag_keys=keys,
                    objects=objects, sent=s3, session_seconds=seconds, source_identity=identity,
                    mfa=mfa, refused=tuple(refused), transport=transport and s3)  # fmt: skip


def _principal_tag_keys(state: Snapshot) -> frozenset[str]:
    """The tag keys (lower case) any policy of the snapshot reads as aws:PrincipalTag/KEY."""
    documents = [p.document for p in state.identity_policies]
    documents += [state.boundary.document] if state.boundary is not None else []
    documents += [state.bucket_policy, state.key_policy]
    documents += [p.document for level in (*state.org.scps, *state.org.rcps) for p in level]
    texts = json.dumps(documents).lower()
    return frozenset(re.findall(r"aws:principaltag/([^\"}\s,']+)", texts))


def decide(
    chain: Chain,
    request: Request,
    spec: ValidateSpec,
    state: Snapshot,
    free: FreeKeys | None = None,
    *,
    only_allowed: bool = False,
) -> Outcome:
    """The chain's answer for every value of the free keys (PASS only when allowed for all), and
    of the keys validate could not read (an answer that turns on one is "not decided"): the z3
    analysis of the whole chain (analysis/decide.py)."""
    if free is None:
        free = free_keys(spec, state, s3=request.action.startswith("s3:"))
    from provisioner.analysis.decide import decide_chain  # z3: loaded when a chain is decided
    from provisioner.validate.later import over_time, possibly_later

    unknown = unknown_keys(state, request)
    now = decide_chain(chain, request, free, unknown, only_allowed=only_allowed)
    if request.action.lower().startswith("sts:"):  # validate/trust.py asks it at later dates
        return now
    keys, later = free, possibly_later if only_allowed else over_time  # a write from 2099: trial 20s item 6
    return later(
        chain, request, now, lambda t: decide_chain(chain, t, keys, unknown, only_allowed=only_allowed)
    )


def trust_policies(state: Snapshot) -> list[Policy]:
    if state.role is None:
        return []
    return [Policy("trust policy", parse_document(state.role["AssumeRolePolicyDocument"]))]


def s3_chain(state: Snapshot, *, resource: bool = True) -> Chain:
    """What decides the role session's S3 calls: its identity policies, its permissions
    boundary and (same account) the bucket policy (evaluation/chain.py)."""
    bucket = [Policy("bucket policy", state.bucket_policy)] if resource and state.bucket_policy else []
    foreign = state.bucket_foreign  # another account's: its policy must allow too, ours no RCP
    return Chain(
        identity=state.identity_policies,
        resource=bucket,
        boundary=state.boundary,
        scps=state.org.scps,
        rcps=[] if foreign else state.org.rcps,
        cross_account=foreign,
    )


def org_note(state: Snapshot) -> str:
    note = state.org.describe()
    return f" ({note})" if note else ""


def unread_note(state: Snapshot) -> str:
    return f" (could not read: {', '.join(state.unreadable)})" if state.unreadable else ""


def refused_reads(state: Snapshot, *prefixes: str) -> list[str]:
    """The refused reads among those starting with `prefixes`."""
    return [a for a in state.unreadable if a.startswith(prefixes)]


def role_unread(state: Snapshot) -> str | None:
    """Why the role could not be judged, when AWS refused to show it."""
    if state.role is None and "iam:GetRole" in state.unreadable:
        return (
            "could not read the role (iam:GetRole was refused): give credentials allowed "
            "iam:GetRole, or run with --live to ask STS itself"
        )
    return None


def s3_verdict(
    name: str,
    state: Snapshot,
    spec: ValidateSpec,
    denied: list[str],
    code: str,
    ok: str,
    depends: list[str] | None = None,
    refusals: list[Decision] | None = None,
) -> Check:
    """FAIL when the policies refuse for every value the vendor could send (`refusals`: the
    decisions that refuse, which choose the remediation); WARN when the answer
    depends on such a value (`depends`: the key and both sides), or when a policy that could
    change the answer was not readable (the role's own policies for a refusal, the bucket policy
    for a grant)."""
    if denied:
        blind = refused_reads(state, "iam:")
        detail = "; ".join(denied) + unread_note(state)
        if blind:
            return verdict(name, WARN, spec, None, f"{detail}; the role's policies could not all be read")
        failed = verdict(name, FAIL, spec, code, detail)
        return (
            replace(failed, remedy=DENIED_BY_ORGANIZATION) if organization_refuses(refusals or []) else failed
        )
    if depends:
        remedy, why = depends_remedy(depends)
        detail = "; ".join(depends) + f": {why}, so its reads may be refused"
        return replace(verdict(name, WARN, spec, None, detail), remedy=remedy)
    if refused_reads(state, "s3:GetBucketPolicy"):
        return verdict(
            name,
            WARN,
            spec,
            None,
            f"{ok}, but the bucket policy could not be read (s3:GetBucketPolicy was refused): "
            "a Deny there would not be seen",
        )
    return org_unseen(name, spec, state, ok) or verdict(name, PASS, spec, detail=ok + org_note(state))


def depends_remedy(depends: list[str]) -> tuple[str, str]:
    """The remediation of a WARN over `depends`, and why: a date's (validate/later.py) where only
    the time turns it; which object's (create-role no help where another policy refuses); else
    the vendor's value's."""
    if bool(depends) and all("depends on the time (" in d for d in depends):
        return DEPENDS_ON_TIME, "the answer turns then, with no change of yours"
    if bool(depends) and all("depends on aws:RequestedRegion, the region the vendor" in d for d in depends):
        return "DEPENDS_ON_REGION", "the vendor chooses the region"
    if all("depends on the object's key" in d or "on s3:ExistingObjectTag/" in d for d in depends):
        others = ("bucket policy", "boundary", "key policy", "SCP", "RCP")
        elsewhere = all(any(o in d for o in others) and "no statement allows" not in d for d in depends)
        return f"{SOME_OBJECTS}_ELSEWHERE" if elsewhere else SOME_OBJECTS, "the vendor reads any object there"
    return DEPENDS_ON_VENDOR, "the vendor chooses this value"
