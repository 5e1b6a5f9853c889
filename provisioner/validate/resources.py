"""What the account's other buckets' and KMS keys' own policies give the role (round 20ac G2).
Within one account a resource policy that names the role, or any principal, grants on its own
(IAM User Guide, "Policy evaluation logic": an Allow in an identity-based or a resource-based
policy), so another bucket's policy may let the vendor's session read, write or delete there,
and another key's policy may let it schedule the key's deletion, while the role's own policies
grant neither. Each is asked through the role's boundary and the organization's policies; only
what the resource policy adds to the role's own is said (those are asked elsewhere). Gather
reads the policies that may name the role (validate/gather.py `_other_policies`). Pure."""

from __future__ import annotations

from dataclasses import replace

from provisioner.evaluation import Policy
from provisioner.evaluation.chain import Chain
from provisioner.iam import strings
from provisioner.validate.beyond import bucket_writes, direct, key_changes, weightiest
from provisioner.validate.model import Snapshot, ValidateSpec
from provisioner.validate.points import granted
from provisioner.validate.rules import decide, free_keys, s3_request
from provisioner.validate.where import at_region


def resource_grants(state: Snapshot, spec: ValidateSpec) -> list[str]:
    """One finding per resource: the reads and writes (a bucket) or changes (a key) that its
    policy gives the role's session, said as `granted` (create-role cannot take them away)."""
    own = Chain(identity=state.identity_policies, boundary=state.boundary, scps=state.org.scps,
                rcps=state.org.rcps)  # fmt: skip
    found: list[str] = []
    for kind, arn, document in state.other_policies:
        policy = Policy(f"{kind} policy of {arn}", document)
        if kind == "bucket":
            name = arn.split(":::", 1)[1]
            there = replace(spec, bucket=name, key=None, prefix=None)
            asked = [("s3:GetObject", f"{arn}/x"), ("s3:ListBucket", arn), *bucket_writes(there)]
            free = replace(free_keys(spec, state), objects=f"{arn}/")
            label, region, required = f"bucket {name}", state.bucket_region, False
        else:
            asked = [(action, arn) for action in key_changes()]
            free = free_keys(spec, state, s3=False)
            label, region, required = f"KMS key {arn}", arn.split(":")[3], True
        chain = replace(own, resource=[policy], resource_required=required)
        given: list[str] = []
        for action, resource in asked:
            request = at_region(s3_request(spec, state, action, resource), region)
            if action not in given and decide(chain, request, spec, state, free, only_allowed=True).possibly:
                given += (
                    [] if decide(own, request, spec, state, free, only_allowed=True).possibly else [action]
                )
        if given:
            given = weightiest(given)
            more = f" and {len(given) - 4} more" if len(given) > 4 else ""
            whose = "that bucket's" if kind == "bucket" else "that key's"
            found.append(f"{', '.join(given[:4])}{more} on {label} {granted(whose)}")
    return found


def vendor_resource_grants(state: Snapshot, spec: ValidateSpec) -> tuple[list[str], list[str]]:
    """The reads and writes of the account's other buckets that their policies let the vendor's
    own account make, without the role (validate/beyond.py `direct`, as for this bucket's), and
    the statements that grant them (round 20ad item 5)."""
    found: list[str] = []
    grants: list[str] = []
    for kind, arn, document in state.other_policies:
        if kind != "bucket":
            continue
        name = arn.split(":::", 1)[1]
        there = replace(spec, bucket=name, key=None, prefix=None)
        keys = {"s3:signatureversion": "AWS4-HMAC-SHA256"}
        reads = [("s3:GetObject", f"{arn}/x"), ("s3:ListBucket", arn)]
        asked = [(a, r, state.bucket_region, keys) for a, r in [*reads, *bucket_writes(there)]]
        given, granted = direct(state, spec, Policy(f"bucket policy of {arn}", document), asked)
        if given:
            found.append(f"{', '.join(weightiest(given)[:4])} on bucket {name}")
            grants += [f"policy of bucket {name} {g}" for g in granted]
    return found, grants


def named_buckets(state: Snapshot, spec: ValidateSpec) -> dict[str, str]:
    """A bucket other than the one checked for each bucket (or bucket pattern) the role's
    identity policies name: a grant on another bucket is reading beyond this one (the probe
    bucket alone caught only grants on every bucket), with how the policy names it."""
    from fnmatch import fnmatchcase

    found: dict[str, str] = {}  # a bucket to ask about: how the policy names it
    for policy in state.identity_policies:
        for statement in policy.statements:
            for resource in strings(statement.body.get("Resource")):
                if ":s3:::" not in resource:
                    continue
                pattern = resource.split(":::", 1)[1].split("/", 1)[0]
                candidate = pattern.replace("*", "x").replace("?", "x")
                if candidate == spec.bucket:  # a pattern this bucket matches: another that does too
                    candidate = pattern.replace("*", "other", 1).replace("*", "x").replace("?", "x")
                if candidate != spec.bucket and fnmatchcase(candidate, pattern) and candidate:
                    label = f"buckets {pattern}" if "*" in pattern or "?" in pattern else f"bucket {pattern}"
                    found.setdefault(candidate, label)
    return found
