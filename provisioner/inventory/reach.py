"""Pure: what a role's session reaches in a bucket, for who-can's role routes: the parts it
reaches (each with the statements that allow it there, and the parts under it it does not reach
as exceptions), the parts only a Deny with a condition refuses (in any of its policies) (a WARN: the
condition decides), the bucket's policy or ACL it may change (it can grant itself read and
write), and a role whose policies were not all read (a WARN, never left out)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from provisioner.audit.grants import may_pass_tag, may_tag_session
from provisioner.audit.model import AccountData, RoleDetail
from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import wildcard_match
from provisioner.inventory.actions import EXPIRE, OWNER_ONLY, RESHARE, TAKEOVER, WHO_CAN
from provisioner.inventory.model import Bucket
from provisioner.inventory.parts import fill, loosened, probe_arn, probes, resolved, session_name
from provisioner.inventory.session_tags import variants
from provisioner.inventory.sessions import role_chain, session_context
from provisioner.model import session_arn

ACTIONS = WHO_CAN


def bucket_chain(role: Any, account: AccountData, bucket: Bucket, owner_org: Any) -> tuple[Chain, Chain]:
    """The role's own chain, and the chain of its session's request to the bucket: its policies,
    boundary and SCPs, the bucket's policy and the bucket owner's RCPs."""
    chain = role_chain(role, account)
    full = Chain(
        identity=chain.identity,
        resource=[Policy(f"bucket policy of {bucket.name}", bucket.policy)] if bucket.policy else (),
        boundary=chain.boundary,
        scps=chain.scps,
        rcps=owner_org.rcps if owner_org else (),
        cross_account=account.account != bucket.account,
    )
    return chain, full


Reach = tuple[str, str, dict[str, Any], str]  # part, the parts as shown, actions that reach, verdict


def not_read(
    role: RoleDetail,
    account: AccountData,
    bucket: Bucket,
    owner_org: Any,
    prefix: str,
    unread: tuple[str, ...],
) -> Reach:
    """A role whose policies were not all read reaches nothing through those that were: a WARN,
    never left out (trial 22e: a cross-account AdministratorAccess role was silently absent)."""
    _, full = bucket_chain(role, account, bucket, owner_org)
    caller = session_arn(
        account.account, role.name, session_name(role.name, [bucket.policy], "vendor-session")
    )
    resource = probe_arn(bucket.name, prefix)
    context = session_context(role, account, caller)
    decision = authorize(full, Request(caller, "s3:GetObject", resource, context))
    why = f"WARN: not decided: {', '.join(unread)} not read (not in the file, refused, or not an IAM policy)"
    part = f"s3://{bucket.name}/{prefix}*"
    return part, _with_allows(part, decision), {}, why


def role_control(
    role: RoleDetail, account: AccountData, bucket: Bucket, owner_org: Any, action: str, prefix: str = ""
) -> list[Reach]:
    """The role's session may change the bucket's policy or ACL, and so grant itself `action`
    (what of it no explicit Deny elsewhere refuses: self_granted)."""
    _, full = bucket_chain(role, account, bucket, owner_org)
    caller = session_arn(
        account.account, role.name, session_name(role.name, [bucket.policy], "vendor-session")
    )
    arn = f"arn:aws:s3:::{bucket.name}"
    context = session_context(role, account, caller)
    # only the bucket owner's account may change or delete its policy (actions.OWNER_ONLY)
    mine = account.account == bucket.account
    takeover = [a for a in TAKEOVER if mine or a not in OWNER_ONLY]
    allowed = {a: d for a in takeover if (d := authorize(full, Request(caller, a, arn, context))).allowed}
    objects = probe_arn(bucket.name, prefix)
    if not allowed and action == "read":  # an object's ACL it may set and a read it lacks
        reads = any(authorize(full, Request(caller, a, objects, context)).allowed for a in WHO_CAN["read"])
        asked = [(a, authorize(full, Request(caller, a, objects, context))) for a in OBJECT_ACL]
        allowed = {a: d for a, d in asked if d.allowed and not reads}
    granted = self_granted(full, Request(caller, "", objects, context), allowed, action) if allowed else ()
    # an explicit Deny elsewhere keeps it from `action` however it grants itself
    taken = {a: d for a, d in allowed.items() if granted}
    words = [takeover_words(allowed, action, granted)] if granted else []
    if action == "write" and (expire := authorize(full, Request(caller, EXPIRE, arn, context))).allowed:
        taken[EXPIRE] = expire
        words.append(EXPIRE_WORDS)
    if not taken:
        return []
    part = (
        f"s3://{bucket.name} (the bucket)"
        if set(taken) & {*TAKEOVER, EXPIRE}
        else f"s3://{bucket.name}/{prefix}*"
    )
    return [(part, _with_allows(part, next(iter(taken.values()))), taken, "; ".join(words))]


# Amazon S3 API Reference, PutBucketAcl: x-amz-grant-read "Allows grantee to list the objects in
# the bucket"; x-amz-grant-write "Allows grantee to create new objects in the bucket. For the
# bucket and object owners of existing objects, also allows deletions and overwrites of those
# objects". A bucket's ACL reads no object's data.
ACL_WRITE = ("s3:PutObject", "s3:DeleteObject")
# S3 User Guide, "Access control list (ACL) overview": READ on an object "Allows grantee to read the
# object data"; who may set an object's ACL (PutObjectAcl) can grant itself that (trial 22q item 1)
OBJECT_ACL = RESHARE


def self_granted(full: Chain, asked: Request, takeover: Iterable[str], action: str) -> tuple[str, ...]:
    """The actions of who-can's `action` the holder of `takeover` can grant itself on the object
    `asked` names: a bucket policy it writes (PutBucketPolicy: every action, the old policy and its
    Denies gone), no bucket policy (DeleteBucketPolicy: what its own policies allow), or a bucket
    ACL granting it WRITE (PutBucketAcl: ACL_WRITE, beside the bucket policy). Never past an
    explicit Deny elsewhere: "an explicit deny in any of these policies overrides the allow" (IAM
    User Guide, "Policy evaluation logic"), an ACL included."""
    everyone = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    if "s3:PutBucketPolicy" in takeover:
        chain = replace(full, resource=[Policy("a bucket policy it writes", {"Statement": [everyone]})])
        actions: tuple[str, ...] = WHO_CAN[action]
    elif "s3:DeleteBucketPolicy" in takeover:  # no bucket policy: its own policies decide
        chain, actions = replace(full, resource=[]), WHO_CAN[action]
    elif set(takeover) & set(OBJECT_ACL):  # an object's ACL granting it READ: the object's data
        acl = Policy(
            "an object ACL it writes", {"Statement": [{**everyone, "Action": list(WHO_CAN["read"])}]}
        )
        chain = replace(full, resource=[*full.resource, acl])
        actions = tuple(a for a in WHO_CAN[action] if a in WHO_CAN["read"])
    else:
        acl = Policy("a bucket ACL it writes", {"Statement": [{**everyone, "Action": list(ACL_WRITE)}]})
        chain = replace(full, resource=[*full.resource, acl])
        actions = tuple(a for a in WHO_CAN[action] if a in ACL_WRITE)
    return tuple(
        a
        for a in actions
        if authorize(chain, Request(asked.principal, a, asked.resource, asked.context)).allowed
    )


def _with_allows(part: str, decision: Any) -> str:
    """A part as a route shows it: with the statements that allow it there."""
    allows = ", ".join(h.describe() for h in decision.allows)
    return f"{part} ({allows})" if allows else part


def decide(
    chain: Chain, caller: str, action: str, resource: str, context: Any, tags_known: bool, trust: Any = None
) -> Any:
    """The session's request to the resource (filled): allowed under any session tags its caller
    may pass (parts.tag_contexts; `trust`: the role's, which limits them), where the role's tags
    are not known to be the session's."""
    asked = fill(resource, context)
    decision = None
    may_pass = (lambda k, v: may_pass_tag(trust, k, v)) if trust is not None else None
    for tagged in variants(chain, asked, context, not tags_known, may_pass):
        decision = authorize(chain, Request(caller, action, asked, tagged))
        if decision.allowed:
            break
    return decision


def _reached(
    chain: Chain,
    caller: str,
    action: str,
    asked: list[tuple[str, str]],
    context: dict[str, Any],
    tags_known: bool = True,
    trust: Any = None,
) -> list[tuple[str, Any]]:
    """(part, decision) for every part under the prefix the session may reach: the prefix itself
    (the first asked) is every part under it."""
    hits = []
    for index, (part, resource) in enumerate(asked):
        decision = decide(chain, caller, action, resource, context, tags_known, trust)
        if decision.allowed:
            hits.append((part, decision))
            if index == 0:
                break
    return hits


def _bucket_context(context: dict[str, Any], bucket: Bucket) -> tuple[dict[str, Any], frozenset[str]]:
    """The session's keys with the bucket's account, where the bucket was found in an account
    read (AWS global condition context keys, aws:ResourceAccount: "the resource owner's AWS
    account ID"; trial 22u item 4), and the keys so known (parts.loosened's `extra`)."""
    if not (bucket.placed and bucket.account):
        return context, frozenset()
    return {**context, "aws:ResourceAccount": bucket.account}, frozenset({"aws:resourceaccount"})


def role_reach(
    role: RoleDetail, account: AccountData, bucket: Bucket, owner_org: Any, action: str, prefix: str
) -> list[Reach]:
    """What the role's session reaches in the bucket for the action's set: the parts it reaches
    (each with the statements that allow it there, and with the parts under it no action reaches
    as exceptions: a bucket policy's Deny on private/*), and, as a WARN of their own, the parts
    only a Deny with a condition refuses (the condition decides: never dropped, never a pass)."""
    chain, full = bucket_chain(role, account, bucket, owner_org)
    caller = session_arn(
        account.account, role.name, session_name(role.name, [bucket.policy], "vendor-session")
    )
    boundary = [chain.boundary.document] if chain.boundary is not None else []
    documents = [p.document for p in chain.identity] + boundary + [bucket.policy]
    # the SCPs' and RCPs' parts too: a NotResource there opens or closes one (trial 22q item 4)
    documents += [p.document for level in (*full.scps, *full.rcps) for p in level]
    context, placed = _bucket_context(session_context(role, account, caller), bucket)
    tags_known = not may_tag_session(role.trust)  # the role's own tags, or none: known
    # the parts as this session's request fills them: data/${aws:PrincipalAccount}/* is its
    # account's folder (as scope shows it; trial 22t, left), a tag it sets stays the variable
    chosen = lambda name: name == "aws:userid" or (not tags_known and name.startswith("aws:principaltag/"))  # noqa: E731
    asked = probes([resolved(d, context, chosen) for d in documents], bucket.name, prefix)

    def allowed(where: Chain, resource: str) -> bool:
        return any(
            decide(where, caller, a, resource, context, tags_known, role.trust).allowed
            for a in ACTIONS[action]
        )

    by_action = {
        a: found
        for a in ACTIONS[action]
        if (found := _reached(full, caller, a, asked, context, tags_known, role.trust))
    }
    loose, guards = loosened(full, account.org is not None and bool(account.org.org_id), tags_known, placed)
    reaches: list[Reach] = []
    if by_action:
        hits = list({p: (p, d) for found in by_action.values() for p, d in found}.values())
        named = [(_excepted(p, asked, lambda r: allowed(full, r)), d) for p, d in hits]
        reaches.append(
            (
                "; ".join(p for p, _ in named),
                "; ".join(_with_allows(p, d) for p, d in named),
                by_action,
                "can",
            )
        )
    if loose is not None:
        for part, resource in asked:
            if not allowed(full, resource) and allowed(loose, resource):
                words = "; ".join(
                    g.words for g in guards if g.refuses(caller, resource, ACTIONS[action], context)
                )
                # the actions the condition decides (the route's ACTIONS: trial 22q wording)
                opened = {
                    a: d
                    for a in ACTIONS[action]
                    if (d := decide(loose, caller, a, resource, context, tags_known, role.trust)).allowed
                }
                reaches.append((part, part, opened, f"WARN: depends on the condition {words} (not decided)"))
    return reaches


def _excepted(part: str, asked: list[tuple[str, str]], reaches: Any) -> str:
    """The part with the parts under it the session does not reach named as exceptions."""
    pattern = "arn:aws:s3:::" + part.removeprefix("s3://")
    closed = [
        q
        for q, resource in asked
        if q != part and wildcard_match(pattern, resource) and not reaches(resource)
    ]
    return f"{part} (except {', '.join(closed)})" if closed else part


EXPIRE_WORDS = f"can delete every object by a lifecycle expiration rule: {EXPIRE}"


def takeover_words(actions: Any, action: str, granted: Iterable[str]) -> str:
    if set(actions) <= {"s3:DeleteBucketPolicy"}:  # it grants nothing: it removes the Denies
        # (Amazon S3 API Reference, DeleteBucketPolicy; trial 22u item 2)
        removed = f"can remove the bucket policy and its Denies: {', '.join(actions)}"
        return f"{removed} (then its own policies let it {action}: {', '.join(granted)})"
    what = (
        "can set the objects' ACLs" if set(actions) <= set(OBJECT_ACL) else "can take control of the bucket"
    )
    return f"{what}: {', '.join(actions)} (it can grant itself {action}: {', '.join(granted)})"
