"""Pure: what a refused or undecided read turns on, when it is not the role's own policies, so
that the remediation points at the fix (validate/fixes.py picks the remediation by it):

- a tag the role does not have, which a bucket policy reads as aws:PrincipalTag/<key> (IAM User
  Guide, "Pass session tags in AWS STS": a role session's principal tags include "the tags
  attached to your IAM assumed role"): tagging the role is the fix, checked by deciding the reads
  again with the tag, for every value the vendor chooses;
- the role's permissions boundary, under a bucket policy's Deny with NotPrincipal ("Permissions
  boundaries for IAM entities": "The NotPrincipal element with a Deny effect will always deny
  any IAM principal that has a permissions boundary policy attached, regardless of the values
  specified in the NotPrincipal element");
- for a verdict "not decided" on the customer's organization, the input that would decide it;
- a Deny of the bucket policy, where the role's own side allows the reads: that statement is
  the fix, not the role's policy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.model import Status, bucket_arn
from provisioner.validate.model import Check, Snapshot, ValidateSpec
from provisioner.validate.rules import decide, free_keys, s3_chain, s3_request, unknown_keys

READS = {"AWSBucketAccess": ("s3:ListBucket", "s3:GetBucketLocation"), "AWSObjectRead": ("s3:GetObject",)}
_TAG = "aws:principaltag/"


def read_requests(name: str, spec: ValidateSpec, state: Snapshot) -> list[Request]:
    """The role session's requests a read check decides (as validate/access.py makes them)."""
    bucket = bucket_arn(spec.bucket, spec.partition)
    out = []
    for action in READS.get(name, ()):
        resource = f"{bucket}/{spec.sample_key}" if action == "s3:GetObject" else bucket
        context: dict[str, Any] = {"s3:prefix": spec.prefix or ""} if action == "s3:ListBucket" else {}
        out.append(s3_request(spec, state, action, resource, **context))
    return out


def missing_tag(name: str, spec: ValidateSpec, state: Snapshot) -> tuple[str, str] | None:
    """A tag (key, value) the role does not have, named by the bucket policy's conditions on
    aws:PrincipalTag/<key>, with which every read of the check is allowed for every value the
    vendor chooses; None when no such tag alone would do."""
    if state.role is None or not state.bucket_policy or name not in READS:
        return None
    have = {key.lower() for key in state.role_tags}
    for key, value in _tag_candidates(state.bucket_policy, have):
        tags = [*(state.role.get("Tags") or []), {"Key": key, "Value": value}]
        tagged = replace(state, role={**state.role, "Tags": tags})
        chain = s3_chain(tagged)
        if all(decide(chain, r, spec, tagged).always for r in read_requests(name, spec, tagged)):
            return key, value
    return None


def organization_tag(name: str, spec: ValidateSpec, state: Snapshot) -> tuple[str, str] | None:
    """For a check an SCP or RCP refuses: a tag (key, value) the role does not have that the
    organization's policies read (aws:PrincipalTag/<key> of the session, aws:ResourceTag/<key> of
    the role in the vendor's AssumeRole: AWS's data-perimeter policies spare roles tagged
    dp:exclude:identity so), with which the check passes; None when no such tag alone would do."""
    if state.role is None:
        return None
    from provisioner.validate.rules import CHECKS  # the checks, registered by validate.static

    have = {key.lower() for key in state.role_tags}
    documents = [p.document for levels in (state.org.scps, state.org.rcps) for level in levels for p in level]
    for key, value in dict.fromkeys(c for d in documents for c in _tag_candidates(d, have, _EXEMPTING)):
        tags = [*(state.role.get("Tags") or []), {"Key": key, "Value": value}]
        tagged = replace(state, role={**state.role, "Tags": tags})
        if CHECKS.functions[name](tagged, spec).status is Status.PASS:
            return key, value
    return None


_EXEMPTING = (_TAG, "aws:resourcetag/")


def _tag_candidates(
    document: Any, have: set[str], prefixes: tuple[str, ...] = (_TAG,)
) -> list[tuple[str, str]]:
    """(key, value) for each literal value a condition compares aws:PrincipalTag/<key> (or the
    other `prefixes`) with, for a key the role has no tag for (a pattern's value with its
    wildcards taken out)."""
    found: dict[tuple[str, str], None] = {}
    for statement in Policy("policy", document).statements:
        for operator, key, values in statement.conditions():
            prefix = next((p for p in prefixes if key.lower().startswith(p)), None)
            if prefix is None or operator.lower().endswith("null"):
                continue
            tag = key[len(prefix) :]
            if tag.lower() in have or "${" in tag:
                continue
            for value in values:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                if "${" not in text:
                    found[(tag, text.replace("*", "").replace("?", "x"))] = None
    return list(found)


def bucket_policy_denies(name: str, spec: ValidateSpec, state: Snapshot) -> list[str]:
    """The bucket policy's Deny statements that refuse a read of the check the role's own side
    (identity policies, boundary, SCPs, RCPs) allows for every value the vendor chooses: the
    bucket policy is the cause, and rewriting the role's policy changes nothing (trial 20 item 4).
    Empty when the role's side refuses too, or no Deny of the bucket policy does."""
    if state.role is None or not state.bucket_policy or name not in READS:
        return []
    from provisioner.analysis.decide import denies_for_some_value  # z3: loaded when asked

    requests = read_requests(name, spec, state)
    alone = s3_chain(state, resource=False)
    if not all(decide(alone, r, spec, state).always for r in requests):
        return []
    policy = Policy("bucket policy", state.bucket_policy)
    free = free_keys(spec, state)
    found: list[str] = []
    for request in requests:
        for statement in denies_for_some_value(policy, request, free):
            shown = f"bucket policy {statement.shown}"
            found += [shown] if shown not in found else []
    return found


def boundary_denies(name: str, spec: ValidateSpec, state: Snapshot) -> list[str]:
    """The bucket policy's Deny statements with NotPrincipal that refuse a read of the check of a
    role with a permissions boundary: at some value the vendor chooses, the statement spares the
    session without a boundary and denies it with one, or denies it either way (what it names
    never spares a bounded role: IAM User Guide, "Permissions boundaries for IAM entities")."""
    if state.boundary is None or not state.bucket_policy or name not in READS:
        return []
    from provisioner.analysis.decide import denies_for_some_value  # z3: loaded when asked

    policy = Policy("bucket policy", state.bucket_policy)
    free = free_keys(spec, state)
    found: list[str] = []
    for request in read_requests(name, spec, state):
        # and one that applies anyway: naming more there never spares a bounded role (20ah item 3)
        anyway = [s for s in denies_for_some_value(policy, request, free) if "NotPrincipal" in s.body]
        for statement in [*denies_for_some_value(policy, request, free, only_bounded=True), *anyway]:
            shown = f"bucket policy {statement.shown}"
            found += [shown] if shown not in found else []
    return found


def boundary_limits(name: str, spec: ValidateSpec, state: Snapshot) -> list[str]:
    """The reads of the check the role's permissions boundary alone refuses: allowed without it,
    refused with it (IAM User Guide, "Permissions boundaries for IAM entities": the effective
    permissions are where the identity policies and the boundary both allow). create-role
    rewrites the role's policy, not its boundary: it is not the fix (trial 20p item 4)."""
    if state.boundary is None or name not in READS:
        return []
    from dataclasses import replace

    from provisioner.evaluation.chain import authorize
    from provisioner.validate.rules import s3_chain

    bounded = s3_chain(state)
    free = replace(bounded, boundary=None)
    found = [
        r.action
        for r in read_requests(name, spec, state)
        if authorize(free, r).allowed and not authorize(bounded, r).allowed
    ]
    if name == "AWSObjectRead" and state.kms_key and state.key_policy is not None:  # trial 20z item 5
        from provisioner.evaluation.chain import Chain
        from provisioner.validate.access import decrypt_request

        key = Chain(identity=state.identity_policies, resource=[Policy("key policy", state.key_policy)],
                    boundary=state.boundary, scps=state.org.scps, rcps=state.org.rcps,
                    resource_required=True)  # fmt: skip
        request = decrypt_request(state, spec)
        if authorize(replace(key, boundary=None), request).allowed and not authorize(key, request).allowed:
            found.append(f"kms:Decrypt on {state.kms_key}")
    return found


def spared_arns(state: Snapshot) -> list[str]:
    """The principals the bucket policy's Deny statements with NotPrincipal spare, as
    aws:PrincipalArn holds them: a role session's is its role's ARN ("AWS global condition
    context keys", aws:PrincipalArn), a bare account ID its root's."""
    from provisioner.iam import statements, strings

    found: dict[str, None] = {}
    for statement in statements(state.bucket_policy or {}):
        spared = statement.body.get("NotPrincipal")
        if statement.effect != "Deny" or not isinstance(spared, dict):
            continue
        for arn in strings(spared.get("AWS")):
            if arn.isdigit():
                arn = f"arn:aws:iam::{arn}:root"
            elif ":assumed-role/" in arn:
                head, _, rest = arn.partition(":assumed-role/")
                arn = f"{head.replace(':sts:', ':iam:')}:role/{rest.split('/', 1)[0]}"
            found[arn] = None
    return list(found)


def organization_input(check: Check, spec: ValidateSpec, state: Snapshot) -> str | None:
    """For a WARN "not decided" on the customer's organization: ORG_PATHS when the account's OU
    path is among what it turns on, ORG_ID when only the organization's ID is; else None."""
    if not check.detail.startswith("not decided: "):
        return None
    unknown = unknown_keys(state)
    if not unknown:
        return None
    names = [key for key in unknown if f"depends on {key}," in check.detail]
    if {"aws:PrincipalOrgPaths", "aws:ResourceOrgPaths"} & set(names):
        return "ORG_PATHS"
    if {"aws:PrincipalOrgID", "aws:ResourceOrgID"} & set(names):
        return "ORG_ID"
    return None
