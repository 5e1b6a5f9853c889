"""AWSLeastPrivilege: the role's session may read and list the bucket, and no more. Each write
of the bucket's S3 actions is asked of the whole chain, reads of other buckets and IAM
escalation of the role's own policies, writes beyond S3 (validate/beyond.py), and the writes
the bucket policy gives the vendor's own account without the role. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from provisioner.evaluation import OUTSIDER_ACCOUNT, Policy, Request, evaluate
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.free import FreeKeys, Outcome
from provisioner.iam import WRITE_LEVELS, s3_actions, statements
from provisioner.model import account_of, bucket_arn
from provisioner.validate.beyond import (
    beyond_s3,
    bucket_writes,
    canonical_writes,
    granting,
    key_changes,
    vendor_writes,
    weightiest,
)
from provisioner.validate.model import Check, Json, Snapshot, ValidateSpec, verdict
from provisioner.validate.points import GRANTED, point_writes, unseen_points, vendor_point_writes
from provisioner.validate.resources import named_buckets, resource_grants, vendor_resource_grants
from provisioner.validate.rules import (
    CHECKS,
    ESCALATION,
    FAIL,
    PASS,
    PROBE_BUCKET,
    SKIP,
    WARN,
    decide,
    free_keys,
    not_decided,
    refused_reads,
    role_unread,
    s3_chain,
    s3_request,
)
from provisioner.validate.sweep import other_grants
from provisioner.validate.where import at_region, regions_of

_BY_ACL = ("write by the bucket ACL", "write by the object ACL")  # an ACL's grant, not the role's
BUCKET_POLICY_GRANTS = "BUCKET_POLICY_GRANTS"  # checks.json: a write only the bucket policy gives


@CHECKS.register("AWSLeastPrivilege")
def check_least_privilege(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSLeastPrivilege"
    if state.role is None:
        return verdict(name, SKIP, spec, detail=role_unread(state) or "the role does not exist")
    chain, identity = s3_chain(state), s3_chain(state, resource=False)
    bucket = bucket_arn(spec.bucket, spec.partition)
    writes = [s3_request(spec, state, action, resource) for action, resource in bucket_writes(spec)]
    undecided = not_decided(name, state, spec, chain, writes)
    if undecided is not None:
        return undecided
    # "may it?" holds when some value the vendor chooses (session name, network, TLS) allows it
    anywhere = replace(
        free_keys(spec, state, transport=True), objects=f"{bucket}/"
    )  # a write to any object, under the prefix or not
    too_much: list[str] = []
    for request in writes:
        if (
            request.action not in too_much[-1:]
            and decide(chain, request, spec, state, anywhere, only_allowed=True).possibly
        ):
            too_much.append(request.action)
    too_much += [a for a in _elsewhere(state, spec, identity) if a not in too_much]
    too_much += [a for a in _others(state, spec, chain, identity, too_much) if a not in too_much]
    # the bucket's ACL, where ACLs are on (trial 20x item 6)
    too_much += [f"write by the bucket ACL ({grant})" for grant in state.acl_writes]
    too_much += [f"write by the object ACL of {spec.key} ({grant})" for grant in state.object_acl_writes]
    too_much += point_writes(state, spec)  # through the bucket's access points (trial 20ab item 4)
    too_much += resource_grants(state, spec)  # other buckets' and keys' own policies (round 20ac G2)
    direct = vendor_writes(state, spec)  # the vendor's own account, without the role (trial 20w item 3)
    through, there = vendor_point_writes(state, spec), vendor_resource_grants(state, spec)
    direct = (direct[0] + through[0] + there[0], direct[1] + through[1] + there[1])
    if too_much or direct[0]:
        written = [r for r in writes if r.action in too_much]
        return _too_broad(state, spec, too_much, written, identity, direct)
    missing = _not_read(state, spec, name)
    if missing is not None:
        return missing
    keys = ""
    if _asker(state, spec, identity)(identity, "kms:Decrypt", _other_key(spec, state)):  # trial 20ab item 5
        keys = ("; kms:Decrypt is granted on other KMS keys too: the session may decrypt what it "
                "holds of theirs (KMS Developer Guide, \"Best practices for IAM policies\": name "
                "the keys)")  # fmt: skip
    unread = " (other services' resource policies, such as Secrets Manager's or SQS's, are not read)"
    return verdict(name, PASS, spec, detail=f"read and list only, on this bucket only{keys}{unread}")


def _not_read(state: Snapshot, spec: ValidateSpec, name: str) -> Check | None:
    """AWSLeastPrivilege's WARN where what may grant the vendor more was not read (never a PASS):
    access points, canonical users, the bucket's own grants, other buckets and keys, other roles."""
    unseen = unseen_points(state, spec)
    if unseen:
        return verdict(name, WARN, spec, None, f"read and list only through the policies read, but {unseen}: "
                       "one may grant the vendor more")  # fmt: skip
    canonical = canonical_writes(state, spec)
    if canonical:
        return verdict(name, WARN, spec, None, "read and list only through the policies read, but the bucket "
                       f"policy grants writes to canonical users whose account validate cannot name "
                       f"({'; '.join(canonical)}): one may be the vendor's")  # fmt: skip
    own = refused_reads(
        state, "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetObjectAcl", "s3:GetBucketOwnership"
    )
    if own:  # the bucket's own grants, not read: never a PASS (round 20ag items 2, 3)
        return verdict(name, WARN, spec, None, "read and list only through the policies read, but the "
                       f"bucket's own grants were not all read ({', '.join(own)} refused): its policy or "
                       "an ACL may grant the vendor more")  # fmt: skip
    others = [*refused_reads(state, "s3:ListAllMyBuckets", "kms:ListKeys"), *state.others_unread]
    if others:  # never a PASS for what was not read
        return verdict(name, WARN, spec, None, "read and list only through the policies read, but other "
                       f"buckets' or KMS keys' policies, which may grant the role more, were not all read "
                       f"({'; '.join(others[:3])})")  # fmt: skip
    if "iam:ListRoles" in state.unreadable:  # never a PASS for what was not read
        return verdict(name, WARN, spec, None, "read and list only, on this bucket only, but the account's "
                       "other roles could not be read (iam:ListRoles was refused): a role whose trust lets "
                       "this one in would not be seen")  # fmt: skip
    return None


def _other_key(spec: ValidateSpec, state: Snapshot) -> str:
    """A KMS key of the account other than the bucket's."""
    region = state.kms_key.split(":")[3] if state.kms_key else state.bucket_region
    return f"arn:{spec.partition}:kms:{region}:{spec.account}:key/00000000-0000-0000-0000-000000000000"


def _asker(state: Snapshot, spec: ValidateSpec, identity: Chain) -> Callable[..., bool]:
    """ "May the session make it?" of (chain, action, resource): in any region a request not to
    this bucket may be sent to (`home`: only the bucket's), with the free keys of its kind. The
    free keys and the regions are worked out once for every request asked."""
    frees = {True: free_keys(spec, state, transport=True), False: free_keys(spec, state, s3=False)}
    regions = regions_of(identity, spec.partition, state.bucket_region)

    def may(side: Chain, action: str, resource: str, *, home: bool = False, **context: str) -> bool:
        request, free = s3_request(spec, state, action, resource, **context), frees[action.startswith("s3:")]
        asked = [at_region(request, r) for r in (regions[:1] if home else regions)]
        return any(decide(side, r, spec, state, free, only_allowed=True).possibly for r in asked)

    return may


def _elsewhere(state: Snapshot, spec: ValidateSpec, identity: Chain) -> list[str]:
    """Reads of other buckets, IAM escalation of the role, writes beyond S3 (validate/beyond.py):
    each asked of the role's own side, in any region it may be sent to."""
    may = _asker(state, spec, identity)

    found: list[str] = []
    for other, named in [(PROBE_BUCKET, "other buckets"), *named_buckets(state, spec).items()]:
        arn = bucket_arn(other, spec.partition)
        for action, resource in (("s3:GetObject", f"{arn}/x"), ("s3:ListBucket", arn)):
            if may(identity, action, resource) and f"{action} on {named}" not in found:
                found.append(f"{action} on {named}")
    # another account's bucket (S3 ARNs name none: its keys say whose), and every bucket's name
    # (round 20ad items 10, 11)
    probe = bucket_arn(PROBE_BUCKET, spec.partition)
    for account in _other_accounts(state, spec):
        theirs = {"aws:ResourceAccount": account, "s3:ResourceAccount": account}
        for action, resource in (("s3:GetObject", f"{probe}/x"), ("s3:PutObject", f"{probe}/x")):
            shown = f"{action} on another account's buckets"
            found += [shown] if shown not in found and may(identity, action, resource, **theirs) else []
    found += (
        ["s3:ListAllMyBuckets (every bucket's name)"] if may(identity, "s3:ListAllMyBuckets", "*") else []
    )
    # through an access point of another bucket, by its ARN (round 20ac G3: accesspoint/* read
    # every bucket that delegates to access points)
    for region in (state.bucket_region, ""):  # a Multi-Region Access Point's ARN names no region
        point = f"arn:{spec.partition}:s3:{region}:{spec.account}:accesspoint/{PROBE_BUCKET}"
        for action, resource in (
            ("s3:GetObject", f"{point}/object/x"),
            ("s3:PutObject", f"{point}/object/x"),
        ):
            shown = f"{action} on other {'multi-region ' if not region else ''}access points"
            found += [shown] if may(identity, action, resource) else []
    for action, resource in [*((a, spec.role_arn) for a in ESCALATION), *beyond_s3(spec)]:
        found += [action] if may(identity, action, resource) else []
    return found + _key_changes(state, spec) + _chains(state, spec)


def _ids(trust: Json) -> list[dict[str, str]]:
    """No external ID, then each one the trust names."""
    from provisioner.analysis.answer import issued_ids

    return [{}, *({"sts:ExternalId": i} for i in issued_ids(trust))]


def _other_accounts(state: Snapshot, spec: ValidateSpec) -> list[str]:
    """Accounts other than the role's whose buckets to ask about: one that no policy names, and
    each that the role's policies compare aws:ResourceAccount or s3:ResourceAccount with."""
    import re

    named = [
        str(value)
        for policy in state.identity_policies
        for statement in statements(policy.document)
        for _, key, values in statement.conditions()
        if key.lower() in ("aws:resourceaccount", "s3:resourceaccount")
        for value in values
        if re.fullmatch(r"\d{12}", str(value))
    ]
    return [a for a in dict.fromkeys([OUTSIDER_ACCOUNT, *named]) if a != spec.account][:5]


def _chains(state: Snapshot, spec: ValidateSpec) -> list[str]:
    """The other roles the session may assume because their trust names this role (a trust is a
    resource policy: naming the role or its session, it grants within the account on its own;
    "Policy evaluation logic"), through the role's boundary and SCPs (trial 20ab item 1)."""
    free = free_keys(spec, state, s3=False)
    found = []
    for arn, trust in state.trusting:
        chain = Chain(identity=state.identity_policies, resource=[Policy(f"trust of {arn}", trust)],
                      boundary=state.boundary, scps=state.org.scps, resource_required=True)  # fmt: skip
        # with no external ID, and with each its trust names: written there, not a secret (20ae)
        asked = [s3_request(spec, state, "sts:AssumeRole", arn, **i) for i in _ids(trust)]
        if any(decide(chain, r, spec, state, free, only_allowed=True).possibly for r in asked):
            found.append(f"sts:AssumeRole on {arn} (its trust lets this role in)")
    return found


def _key_changes(state: Snapshot, spec: ValidateSpec) -> list[str]:
    """What the role may do to the bucket's KMS key beyond S3's decrypt, by its key policy or its
    own policies where the key policy lets them grant (trial 20x item 5: kms:* by the key policy
    let it schedule the key's deletion)."""
    if not state.kms_key or state.key_policy is None:
        return []
    chain = Chain(identity=state.identity_policies, resource=[Policy("key policy", state.key_policy)],
                  boundary=state.boundary, scps=state.org.scps, rcps=state.org.rcps,
                  resource_required=True)  # fmt: skip
    free = free_keys(spec, state, s3=False)
    region = state.kms_key.split(":")[3]
    asked = [(a, at_region(s3_request(spec, state, a, state.kms_key), region)) for a in key_changes()]
    return [
        f"{action} on the bucket's KMS key"
        for action, request in asked
        if decide(chain, request, spec, state, free, only_allowed=True).possibly
    ]


def _others(
    state: Snapshot, spec: ValidateSpec, chain: Chain, identity: Chain, found: list[str]
) -> list[str]:
    """What else the role's own policies let the session do (validate/sweep.py, trial 20x items
    1, 3, 4), each action asked once: in this bucket with the bucket policy, elsewhere without."""
    bucket = bucket_arn(spec.bucket, spec.partition)
    layers = [[state.boundary]] if state.boundary is not None else []
    layers += [list(level) for level in state.org.scps]
    may = _asker(state, spec, identity)

    def asked(action: str, resource: str) -> bool:
        ours = resource == bucket or resource.startswith(f"{bucket}/")
        return may(chain if ours else identity, action, resource, home=ours)

    def skip(action: str, resource: str) -> bool:
        asked_already = resource in (bucket, f"{bucket}/{spec.sample_key}") and action.startswith("s3:")
        return action in found or asked_already

    others = [*chain.resource, *(p for level in state.org.rcps for p in level)]
    return other_grants(list(state.identity_policies), layers, asked, skip, others)


def _too_broad(
    state: Snapshot,
    spec: ValidateSpec,
    too_much: list[str],
    writes: list[Request],
    identity: Chain,
    vendors: tuple[list[str], list[str]],
) -> Check:
    """AWSLeastPrivilege's WARN (FAIL with --strict), naming the bucket policy's statements that
    grant a write the role's own policies do not: the remedy is theirs where they grant them all."""
    free = free_keys(spec, state, transport=True)
    acl = [a for a in too_much if a.startswith(_BY_ACL)]
    own = [a for a in too_much if a not in acl]
    shown = _decided(state, spec, [r for r in writes if r.action in own[:6]])
    granting = _bucket_grants(state, spec, writes, identity, free, [r for o in shown for r in o.requests])
    detail = f"the role may {_listed(own)}" if own else ""
    detail += f" (granted by the bucket policy: {', '.join(granting)})" if granting else ""
    detail += "".join(f"; {d}" for d in dict.fromkeys(o.depends for o in shown if o.depends))
    if acl:  # not the role's: whoever the grant names, the vendor among them (trial 20z)
        detail += "; " if detail else ""
        by: dict[str, list[str]] = {}  # the bucket ACL, an object's ACL: what each grants
        for a in acl:
            what, _, grant = a.removeprefix("write by the ").removesuffix(")").partition(" (")
            by.setdefault(what, []).append(grant)
        detail += "; ".join(f"the {what} grants {', '.join(grants)}" for what, grants in by.items())
    direct, grants = vendors
    if direct:
        detail += "; " if detail else ""
        detail += f"the vendor's own account {account_of(spec.vendor.principal)} may {_listed(direct)} "
        detail += f"directly, without the role (granted by the {', '.join(grants)})"
    status = FAIL if spec.strict else WARN
    check = verdict("AWSLeastPrivilege", status, spec, "PERMISSIONS_TOO_BROAD", detail)
    # not the role's own policies': the bucket ACL's grants, and the key's changes its key policy
    # gives the role by name
    theirs = [
        a
        for a in too_much
        if a.startswith(_BY_ACL) or a.endswith(GRANTED) or _key_policy_names(state, spec, a)
    ]
    others = [a for a in too_much if (not a.startswith("s3:") or " on " in a) and a not in theirs]
    by_role = others or any(_by_role(identity, r, spec, state, free) for r in writes)
    elsewhere = granting or direct or theirs
    return replace(check, remedy=BUCKET_POLICY_GRANTS) if elsewhere and not by_role else check


def _decided(state: Snapshot, spec: ValidateSpec, writes: list[Request]) -> list[Outcome]:
    """The writes named, decided in full: what they depend on where a value the vendor chooses
    decides them (a grant to one session name: trial 20z), and the requests that are allowed."""
    anywhere = replace(
        free_keys(spec, state, transport=True), objects=f"{bucket_arn(spec.bucket, spec.partition)}/"
    )
    return [decide(s3_chain(state), r, spec, state, anywhere) for r in writes]


def _key_policy_names(state: Snapshot, spec: ValidateSpec, found: str) -> bool:
    """Is `found` ("kms:X on the bucket's KMS key") granted to the role by the key policy itself?"""
    if not found.endswith(" on the bucket's KMS key") or not state.kms_key or state.key_policy is None:
        return False
    request = s3_request(spec, state, found.split(" ", 1)[0], state.kms_key)
    return evaluate([Policy("key policy", state.key_policy)], request, account_delegates=True).allowed


def _listed(actions: list[str]) -> str:
    actions = weightiest(actions)
    return ", ".join(actions[:6]) + (f" and {len(actions) - 6} more" if len(actions) > 6 else "")


def _by_role(identity: Chain, request: Request, spec: ValidateSpec, state: Snapshot, free: FreeKeys) -> bool:
    """May the role's own policies (no bucket policy) let the session make the request?"""
    return decide(identity, request, spec, state, free, only_allowed=True).possibly


def _bucket_grants(
    state: Snapshot,
    spec: ValidateSpec,
    writes: list[Request],
    identity: Chain,
    free: FreeKeys,
    allowed: list[Request],
) -> list[str]:
    """The bucket policy's Allow statements that give the role a write its own policies do not
    (trial 20p item 7: the detail named neither the statement nor that create-role cannot help),
    asked at the writes and at the `allowed` requests found for them (a statement granting one
    session name grants none of our simulated session's)."""
    mine = [r for r in writes if not _by_role(identity, r, spec, state, free)]
    mine += [r for r in allowed if not _by_role(identity, r, spec, state, free)]
    return granting(Chain(resource=[Policy("bucket policy", state.bucket_policy or {})]), mine)


def read_policy_writes(spec: ValidateSpec, state: Snapshot, renamed: str | None) -> bool:
    """Does the read-only policy create-role rewrites (`renamed`, or the vendor's default name)
    grant any S3 write itself, or is it not there? Where it grants none, create-role fixes no
    AWSLeastPrivilege warning (trial 20q item 5)."""
    name = renamed or spec.vendor.policy_name or "VendorReadAccess"
    current = next((p for p in state.identity_policies if p.name == f"policy {name}"), None)
    return current is None or grants_beyond(current, spec, state)


def grants_beyond(policy: Policy, spec: ValidateSpec, state: Snapshot) -> bool:
    """Does the policy, alone, grant an S3 write (here or on another bucket) or anything else
    beyond reading (validate/sweep.py)? Taking off one that grants none fixes nothing (trial 20z
    item 4: a policy granting only kms:Decrypt, which the read needs, was offered for deletion)."""
    chain = Chain(identity=[policy])
    bucket, other = (
        bucket_arn(spec.bucket, spec.partition),
        bucket_arn("provisioner-other-bucket", spec.partition),
    )
    if any(
        authorize(chain, s3_request(spec, state, f"s3:{action}", resource)).allowed
        for action, level in s3_actions().items()
        if level in WRITE_LEVELS
        for resource in (bucket, f"{bucket}/{spec.sample_key}", f"{other}/x")
    ):
        return True
    free = free_keys(spec, state, s3=False)

    def asked(action: str, resource: str) -> bool:
        request = s3_request(spec, state, action, resource)
        return decide(chain, request, spec, state, free, only_allowed=True).possibly

    return bool(other_grants([policy], [], asked, lambda action, resource: False, []))
