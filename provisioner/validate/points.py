"""The bucket's access points, where its policy delegates to them (S3 User Guide, "Delegating
access control to access points": an Allow for every principal under s3:DataAccessPointAccount
or s3:DataAccessPointArn). A request through an access point is allowed only when "both the
access point and the underlying bucket" permit it ("Configuring IAM policies for using access
points"): each object write is asked of the access point's chain (its policy, at its object
ARN) and of the bucket's (the bucket policy, with the access point's keys). A VPC access point
takes requests from its VPC only ("Creating access points restricted to a virtual private
cloud"), never the vendor's. Changes to an access point itself (s3:PutAccessPointPolicy) are
not asked here: the role's own policies' grants of them are (validate/sweep.py). Pure."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

from provisioner.evaluation import Policy
from provisioner.evaluation.chain import Chain
from provisioner.iam import WRITE_LEVELS, fits_type, s3_actions, statements
from provisioner.model import account_of, bucket_arn
from provisioner.validate.model import AccessPoint, Snapshot, ValidateSpec
from provisioner.validate.rules import decide, free_keys, refused_reads, s3_chain, s3_request

GRANTED = "policy, not the role's)"  # how a grant the role's own policies do not make ends


def granted(whose: str) -> str:
    """(granted by WHOSE policy, not the role's): create-role cannot take it away."""
    return f"(granted by {whose} {GRANTED}"


_KEYS = ("s3:dataaccesspointaccount", "s3:dataaccesspointarn")
_ORIGIN = "s3:accesspointnetworkorigin"  # every request through an access point carries it
_NAMING = ("stringequals", "stringlike", "arnequals", "arnlike")  # operators that name the points


def delegation(document: Any, account: str) -> tuple[bool, list[str]]:
    """Does an Allow of the bucket policy hinge on the access point a request comes through
    (s3:DataAccessPointAccount, s3:DataAccessPointArn, s3:AccessPointNetworkOrigin), and to what
    beyond the role's account's own access points (another account's, a wildcard, an operator
    that names what is excluded, any access point by its network origin) does it delegate? A
    statement whose account or ARN condition names only the account's own is theirs alone (a
    statement's conditions all hold at once). What is delegated elsewhere is not read: a WARN."""
    delegates, elsewhere = False, []
    for statement in statements(document or {}):
        keyed = [(o, k, v) for o, k, v in statement.conditions() if k.lower() in (*_KEYS, _ORIGIN)]
        if not statement.is_allow or not keyed:
            continue
        delegates, pinned, reasons = True, False, []
        for operator, key, values in keyed:
            named = operator.lower().split(":")[-1].removesuffix("ifexists")
            if key.lower() == _ORIGIN:
                reasons.append(f"{key} {', '.join(map(str, values))}: any account's access points")
                continue
            owners = [str(v) if key.lower() == _KEYS[0] else (account_of(str(v)) or str(v)) for v in values]
            if named in _NAMING and "IfExists" not in operator and all(o == account for o in owners):
                pinned = True
            else:
                reasons += (
                    [f"{key} {v}" for v in values] if named in _NAMING else [f"{operator} {key} {values}"]
                )
        elsewhere += [] if pinned else reasons
    return delegates, list(dict.fromkeys(elsewhere))


@cache
def object_writes() -> tuple[str, ...]:
    """S3's writes an access point takes for an object (its object ARN is of their type)."""
    sample = "arn:aws:s3:us-east-1:123456789012:accesspoint/a/object/k"
    found = [f"s3:{a}" for a, level in sorted(s3_actions().items()) if level in WRITE_LEVELS]
    return tuple(a for a in found if fits_type(a, sample))


def point_keys(point: AccessPoint) -> dict[str, str]:
    """The keys of a request through the access point (Amazon S3's condition keys)."""
    return {
        "s3:DataAccessPointArn": point.arn,
        "s3:DataAccessPointAccount": account_of(point.arn) or "",
        "s3:AccessPointNetworkOrigin": point.origin,
    }


def reachable(state: Snapshot) -> list[AccessPoint]:
    """The access points the vendor's requests may come through: not the VPC ones."""
    return [p for p in state.access_points if p.origin.lower() != "vpc"]


def point_writes(state: Snapshot, spec: ValidateSpec) -> list[str]:
    """The object writes the role's session may make through one of the bucket's access points,
    to any object (its key is the vendor's choice), each asked of both chains; those the role's
    own policies do not give say so (`granted`: create-role cannot take them away)."""
    bucket, under = bucket_arn(spec.bucket, spec.partition), s3_chain(state)
    anywhere = free_keys(spec, state)
    found: list[str] = []
    for point in reachable(state):
        resource = [Policy(f"policy of access point {point.name}", point.policy)] if point.policy else []
        through = Chain(identity=state.identity_policies, resource=resource, boundary=state.boundary,
                        scps=state.org.scps, rcps=state.org.rcps)  # fmt: skip
        free = {
            True: replace(anywhere, objects=f"{point.arn}/object/"),
            False: replace(anywhere, objects=f"{bucket}/"),
        }
        for action in object_writes():
            keys = point_keys(point)
            asked = s3_request(spec, state, action, f"{point.arn}/object/{spec.sample_key}", **keys)
            if not decide(through, asked, spec, state, free[True], only_allowed=True).possibly:
                continue
            sent = s3_request(spec, state, action, f"{bucket}/{spec.sample_key}", **keys)
            if decide(under, sent, spec, state, free[False], only_allowed=True).possibly:
                own = decide(replace(through, resource=[]), asked, spec, state, free[True], only_allowed=True)
                mine = "" if own.possibly else " " + granted("the access point's")
                found.append(f"{action} through access point {point.name}{mine}")
    return found


def vendor_point_writes(state: Snapshot, spec: ValidateSpec) -> tuple[list[str], list[str]]:
    """The object writes the vendor's own account may make through an access point, without the
    role (validate/beyond.py `vendor_writes`, for each access point and the bucket under it), and
    the access point policies' statements that grant them."""
    from provisioner.validate.beyond import direct

    bucket, found, grants = bucket_arn(spec.bucket, spec.partition), [], []
    below = Policy("bucket policy", state.bucket_policy or {})
    for point in reachable(state):
        if not point.policy:
            continue
        keys = {"s3:signatureversion": "AWS4-HMAC-SHA256", **point_keys(point)}
        at_point = [
            (a, f"{point.arn}/object/{spec.sample_key}", state.bucket_region, keys) for a in object_writes()
        ]
        through, granted = direct(state, spec, Policy("access point policy", point.policy), at_point)
        at_bucket = [(a, f"{bucket}/{spec.sample_key}", state.bucket_region, keys) for a in through]
        allowed, _ = direct(state, spec, below, at_bucket)
        found += [f"{a} through access point {point.name}" for a in through if a in allowed]
        grants += [f"policy of access point {point.name} {g}" for g in granted] if allowed else []
    return found, grants


def unseen_points(state: Snapshot, spec: ValidateSpec) -> str:
    """The access points the bucket policy delegates to whose policies were not read: another
    account's, any one's, the account's own when AWS refused to list them or show a policy, and
    its Multi-Region Access Points over the bucket (their policies are not read)."""
    delegates, elsewhere = delegation(state.bucket_policy, spec.account)
    refused = refused_reads(state, "s3:ListAccessPoints", "s3:GetAccessPointPolicy", "s3:ListMultiRegion")
    if delegates and state.multi_region_points and not (elsewhere or refused):  # round 20ae item 11
        named = ", ".join(state.multi_region_points)
        return (
            f"the bucket policy delegates to access points, and Multi-Region Access Points ({named}) serve it"
        )
    if not delegates or not (elsewhere or refused):
        return ""
    if elsewhere:
        return f"the bucket policy delegates to access points it does not read ({', '.join(elsewhere)})"
    return f"the bucket policy delegates to access points, and AWS refused {', '.join(refused)}"
