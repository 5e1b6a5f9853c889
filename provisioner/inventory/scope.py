"""Pure: the data a role's session can reach, decided by the evaluator over the role's identity
policies, its permissions boundary, the SCPs of its account, and, for the account's own buckets
where they were read, the bucket policy and the RCPs ("Policy evaluation logic": within one
account a bucket policy's Deny denies, and its Allow naming the role grants).

Where to ask: each bucket and key prefix the Allow statements (or the bucket policies) name, each
bucket of the account, and a bucket no policy names (a grant on "*" shows as every bucket). What:
read, write and delete (inventory.actions: any of their object actions) on a key under the
prefix; kms:Decrypt on the KMS keys the statements name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from provisioner.audit.grants import PROBE_BUCKET, SESSION, Levels, session_context
from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import statements, strings
from provisioner.inventory.actions import RIGHTS
from provisioner.inventory.control import bucket_writes, buckets_written, open_control
from provisioner.inventory.keys import key_contexts, key_scope, kms_grants, with_key
from provisioner.inventory.model import Bucket, DataScope, Key
from provisioner.inventory.parts import (
    PROBE_KEY,
    Guard,
    fill,
    loosened,
    probes,
    resolved,
    session_name,
)
from provisioner.inventory.session_tags import variants
from provisioner.model import account_of, session_arn


def targets(documents: Sequence[Policy], buckets: Sequence[Bucket]) -> list[tuple[str, str]]:
    """(bucket, key prefix) pairs to ask about, in a stable order: the whole of each bucket
    first (prefix ""), then the prefixes the statements name. A bucket pattern stays a pattern."""
    found: dict[tuple[str, str], None] = {}
    named: list[Any] = [p.document for p in documents] + [b.policy for b in buckets if b.policy is not None]
    for document in named:
        for statement in statements(document):
            for resource in strings(statement.body.get("Resource")) + strings(
                statement.body.get("NotResource")
            ):
                if resource == "*" or not resource.startswith("arn:") or ":s3:::" not in resource:
                    continue
                path = resource.split(":::", 1)[1]
                name, _, key = path.partition("/")
                if not name or name.startswith("*"):
                    continue
                found[(name, "")] = None
                prefix = _literal_prefix(key)
                if prefix:
                    found[(name, prefix)] = None
    for bucket in buckets:
        found[(bucket.name, "")] = None
    return sorted(found, key=lambda t: (t[0], t[1]))


def _literal_prefix(key: str) -> str:
    """The part of a key pattern before its first wildcard or policy variable ("train/*" ->
    "train/")."""
    cut = min([i for i in (key.find("*"), key.find("?"), key.find("${")) if i >= 0], default=len(key))
    return key[:cut]


def data_scope(
    documents: Sequence[Policy],
    account: str,
    *,
    boundary: Policy | None = None,
    scps: Levels = (),
    rcps: Levels = (),
    buckets: Sequence[Bucket] = (),
    org_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    role_name: str = "vendor-role",
    session_tags: bool = False,
    keys: Sequence[Key] | None = None,
) -> DataScope:
    """What a session of the role (`role_name`: a bucket policy may name it) can read, write and
    delete, and which KMS keys it can use; `session_tags`: the caller may tag its session
    (audit.grants.may_tag_session), so the aws:PrincipalTag/KEY the policies ask for are its."""
    caller = session_arn(account, role_name, session_name(role_name, [b.policy for b in buckets], SESSION))
    context = session_context(list(documents), caller, account, org_id, tags, session_tags)
    # variables the session's request holds a value of (not the vendor's choice): the parts asked
    # about are those the evaluator matches (data/${aws:PrincipalAccount}/*: trial 22m item 3)
    chosen = lambda name: name == "aws:userid" or (session_tags and name.startswith("aws:principaltag/"))  # noqa: E731
    documents = [Policy(p.name, resolved(p.document, context, chosen)) for p in documents]
    if boundary is not None:
        boundary = Policy(boundary.name, resolved(boundary.document, context, chosen))
    policies = {b.name: b.policy for b in buckets if b.policy is not None}
    asker = _Asker(Request(caller, "", "", context), documents, boundary, scps, rcps, buckets, bool(org_id))
    asker.tags_known = not session_tags
    may, allowed = asker.may, asker.allowed
    decides = asker.decides

    # the boundary's resources are asked about too: what the role reaches is inside them
    asked_about = [*documents, boundary] if boundary is not None else list(documents)
    asked_about += [p for level in (*scps, *rcps) for p in level]  # their NotResource parts too
    every, except_, grants, undecided = _object_grants(may, decides, asked_about, buckets, policies)
    every_bucket = bucket_writes(allowed, PROBE_BUCKET, None)
    if every or every_bucket:
        grants.insert(0, (f"s3://* (every bucket{except_})", every + every_bucket))
    grants += buckets_written(allowed, targets(asked_about, buckets), every_bucket, policies)
    undecided += open_control(asker, grants, targets(asked_about, buckets))
    notes = [] if buckets else ["bucket policies not read: a bucket policy's Deny may take some of this away"]
    side_chain = Chain(identity=documents, boundary=boundary, scps=scps)

    def role_side(key: str) -> bool:
        """May the session decrypt with the key as far as its own side goes: kms:Decrypt, called
        directly or by S3 for it (keys.key_contexts: a grant on kms:ViaService s3.REGION), or
        kms:CreateGrant (it gives itself a grant for Decrypt: AWS KMS Developer Guide, "Grants in
        AWS KMS"; trial 22y items 1, 2)?"""
        if allowed("kms:Decrypt", key, None) or allowed("kms:CreateGrant", key, None):
            return True
        owner = account_of(key) or account  # the key's: aws:ResourceAccount
        return any(
            authorize(
                side_chain, Request(caller, "kms:Decrypt", key, {**c, "aws:ResourceAccount": owner})
            ).allowed
            for c in key_contexts(key, context)[1:]
        )

    if keys is None:  # not read (offline, or refused): the role's side alone
        grants += kms_grants(documents, role_side, account)
    else:
        side = Chain(identity=documents, boundary=boundary, scps=scps)
        found, said = key_scope(
            documents, keys, account, role_side, with_key(side, Request(caller, "kms:Decrypt", "", context))
        )
        grants += found
        notes += said
    return DataScope(tuple(grants), tuple(notes), undecided=tuple(undecided))


class _Asker:
    """The session's requests to S3, over its chain to each bucket (with or without the RCPs,
    and `loose`: without the Denies whose condition decides, in every layer: parts.loosened)."""

    def __init__(
        self,
        asked: Request,
        documents: Sequence[Policy],
        boundary: Policy | None,
        scps: Levels,
        rcps: Levels,
        buckets: Sequence[Bucket],
        org_known: bool,
    ) -> None:
        self.asked, self.documents, self.boundary = asked, documents, boundary
        self.scps, self.rcps, self.buckets, self.org_known = scps, rcps, buckets, org_known
        self.policies = {b.name: b.policy for b in buckets if b.policy is not None}
        self.tags_known = False  # the role's tags (or none) are the session's: the vendor cannot tag it
        self.chains: dict[tuple[str | None, bool, bool], tuple[Chain, list[Guard]]] = {}
        self.answers: dict[tuple[str, str, str | None, bool, bool], bool] = {}

    def chain_of(self, bucket: str | None, with_rcps: bool, loose: bool) -> tuple[Chain, list[Guard]]:
        """The session's chain to the bucket, and (loose) the Denies left out."""
        if (bucket, with_rcps, loose) not in self.chains:
            policy = self.policies.get(bucket) if bucket is not None else None
            known = bucket in self.policies or any(b.name == bucket for b in self.buckets)
            chain = Chain(
                identity=self.documents,
                resource=[Policy(f"bucket policy of {bucket}", policy)] if policy is not None else (),
                boundary=self.boundary,
                scps=self.scps,
                rcps=self.rcps if known and with_rcps else (),
            )
            loose_chain, guards = loosened(chain, self.org_known, self.tags_known) if loose else (None, [])
            self.chains[(bucket, with_rcps, loose)] = (loose_chain or chain, guards)
        return self.chains[(bucket, with_rcps, loose)]

    def allowed(
        self, action: str, resource: str, bucket: str | None, with_rcps: bool = True, loose: bool = False
    ) -> bool:
        chain, guards = self.chain_of(bucket, with_rcps, loose)
        key = (action, resource, bucket, with_rcps, loose and bool(guards))  # no guards: as strict
        if key not in self.answers:
            context = self.asked.context
            owner = re.match(r"arn:aws[\w-]*:kms:[^:]*:(\d{12}):", resource)
            if owner is not None:  # a KMS key of another account is that account's resource
                context = {**context, "aws:ResourceAccount": owner.group(1)}
            asked = fill(resource, context)
            tagged = variants(chain, asked, context, not self.tags_known)
            self.answers[key] = any(
                authorize(chain, Request(self.asked.principal, action, asked, c)).allowed for c in tagged
            )
        return self.answers[key]

    def may(
        self,
        actions: tuple[str, ...],
        resource: str,
        bucket: str | None,
        with_rcps: bool = True,
        loose: bool = False,
    ) -> bool:
        """Any of a right's actions (inventory.actions.RIGHTS); `loose`: the chain without its
        Denies with a condition (where one alone refuses, the condition decides)."""
        return any(self.allowed(a, resource, bucket, with_rcps, loose) for a in actions)

    def decides(self, actions: tuple[str, ...], resource: str, bucket: str | None) -> str:
        """The Denies with a condition that refuse the request as sent: what it turns on."""
        _, guards = self.chain_of(bucket, True, True)
        asked = self.asked
        words = [g.words for g in guards if g.refuses(asked.principal, resource, actions, asked.context)]
        return "; ".join(words) or "a Deny's condition"


def _object_grants(
    may: Callable[..., bool],
    decides: Callable[[tuple[str, ...], str, str | None], str],
    documents: Sequence[Policy],
    buckets: Sequence[Bucket],
    policies: Mapping[str, Any],
) -> tuple[tuple[str, ...], str, list[tuple[str, tuple[str, ...]]], list[tuple[str, tuple[str, ...], str]]]:
    """The object rights on every bucket, the buckets (or parts) where they do not hold
    (" except s3://x (…)", or ""), each bucket's and prefix's own rights beyond them, and the
    rights only a Deny with a condition refuses (part, rights, the Denies: not decided)."""
    anywhere = f"arn:aws:s3:::{PROBE_BUCKET}/{PROBE_KEY}"
    every = tuple(r for r, actions in RIGHTS if may(actions, anywhere, None))
    undecided: list[tuple[str, tuple[str, ...], str]] = []

    def open_(part: str, resource: str, bucket: str | None, held: tuple[str, ...]) -> None:
        """The rights there only a Deny with a condition refuses (trial 22k item 2)."""
        found = tuple(
            r for r, actions in RIGHTS if r not in held and may(actions, resource, bucket, loose=True)
        )
        if found:
            actions = tuple(a for r, acts in RIGHTS if r in found for a in acts)
            undecided.append((part, found, decides(actions, resource, bucket)))

    open_("s3://* (every bucket)", anywhere, None, every)
    grants: list[tuple[str, tuple[str, ...]]] = []
    whole: dict[str, tuple[str, ...]] = {}
    named = [p.document for p in documents] + list(policies.values())
    for bucket, prefix in targets(documents, buckets):
        asked = bucket.replace("*", "x").replace("?", "x")
        resource = f"arn:aws:s3:::{asked}/{prefix}{PROBE_KEY}"
        rights = tuple(
            r for r, actions in RIGHTS if r not in whole.get(bucket, ()) and may(actions, resource, asked)
        )
        open_(f"s3://{bucket}/{prefix}*", resource, asked, (*rights, *whole.get(bucket, ()), *every))
        rights = tuple(r for r in rights if r not in every or asked in policies)
        if not rights or rights == every:  # what every bucket gets: said once
            continue
        if prefix == "":
            whole[bucket] = rights
        grants.append((f"s3://{bucket}/{prefix}*{_except(may, rights, named, asked, prefix)}", rights))
    # a pattern with a wildcard before its end (data/*/public/*, team?/*): its own part
    for bucket in dict.fromkeys(b for b, _ in targets(documents, buckets)):
        asked = bucket.replace("*", "x").replace("?", "x")
        for part, resource in probes(named, asked, "")[1:]:
            key = part.split("/", 3)[3] if part.count("/") >= 3 else ""
            if not any(c in key.rstrip("*")[:-1] for c in "*?") and "?" not in key and "${" not in key:
                continue  # a plain prefix: targets() asked about it
            rights = tuple(
                r for r, actions in RIGHTS if r not in whole.get(bucket, ()) and may(actions, resource, asked)
            )
            if rights and rights != every:
                grants.append((part, rights))
            if "${" in key:  # a variable the vendor chooses: what some value of it reaches
                open_(part, resource, asked, (*rights, *whole.get(bucket, ()), *every))
    # a pattern whose bucket part is a wildcard (*/reports/*, data-*/x/*): IAM lets it match any
    # bucket, "/" included; targets() names no bucket for it
    for pattern in _wild_bucket_patterns(documents):
        resource = "arn:aws:s3:::" + pattern.replace("*", "x").replace("?", "x")
        rights = tuple(r for r, actions in RIGHTS if may(actions, resource, None))
        if rights and rights != every:
            grants.append((f"s3://{pattern}", rights))
    # the account's buckets where "every bucket" does not hold: "every bucket except s3://x (…)"
    # the account's buckets, and those the role's own policies name (a NotResource on one of them)
    named_buckets = dict.fromkeys([*(b.name for b in buckets), *(n for n, _ in targets(documents, ()))])
    exceptions = [e for b in named_buckets if every for e in _exception(may, every, b, policies, documents)]
    return every, f" except {', '.join(exceptions)}" if exceptions else "", grants, _merged(undecided, grants)


def _merged(
    undecided: list[tuple[str, tuple[str, ...], str]], grants: list[tuple[str, tuple[str, ...]]]
) -> list[tuple[str, tuple[str, ...], str]]:
    """Each part once, a deeper part only where it adds a right to its bucket's whole, and none
    a grant above it already names ("not decided on …" among its exceptions: _except)."""
    found: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for part, rights, why in undecided:
        above = [r for p, r in grants if part.startswith(p.split(" ", 1)[0].removesuffix("*")) and p != part]
        if any(set(rights) <= set(r) for r in above):
            continue
        whole = next((f for p, f in found.items() if part.startswith(p.removesuffix("*"))), None)
        if whole is not None and set(rights) <= set(whole[1]):
            continue
        found.setdefault(part, (part, rights, why))
    return list(found.values())


def _except(
    may: Callable[..., bool], rights: tuple[str, ...], named: Sequence[Any], bucket: str, prefix: str
) -> str:
    """The deeper parts (parts.probes) where some of the rights do not hold: a bucket policy's
    Deny on private/*, a role's on tmp/* ("Policy evaluation logic": an explicit deny overrides
    the allow): " (except s3://b/private/*, delete on s3://b/tmp/*)", or ""."""
    actions = dict(RIGHTS)
    found: list[str] = []
    undecided: list[str] = []
    for part, resource in probes(named, bucket, prefix)[1:]:
        missing = [r for r in rights if not may(actions[r], resource, bucket)]
        if not missing:
            continue
        shown = part if len(missing) == len(rights) else f"{' and '.join(missing)} on {part}"
        # refused only by a Deny with a condition: its condition decides (never settled)
        if all(may(actions[r], resource, bucket, loose=True) for r in missing):
            undecided.append(shown)
        else:
            found.append(shown)
    words = [f"except {', '.join(found)}"] if found else []
    words += [f"not decided on {', '.join(undecided)}: a Deny's condition decides"] if undecided else []
    return f" ({'; '.join(words)})" if words else ""


def _wild_bucket_patterns(documents: Sequence[Any]) -> list[str]:
    """The object patterns (bucket/key) of the Allow statements whose bucket part starts with a
    wildcard (the others are named buckets: targets())."""
    found: dict[str, None] = {}
    for document in documents:
        for statement in statements(document.document if isinstance(document, Policy) else document):
            if not statement.is_allow:
                continue
            for resource in strings(statement.body.get("Resource")):
                path = resource.split(":::", 1)[1] if ":s3:::" in resource else ""
                if "/" in path and path[:1] in ("*", "?") and path != "*/*":
                    found[path] = None
    return list(found)


def _exception(
    allowed: Callable[..., bool],
    every: tuple[str, ...],
    bucket: str,
    policies: Mapping[str, Any],
    documents: Sequence[Policy],
) -> list[str]:
    """Where on the bucket the rights every bucket gets are (some of them) denied, and why: the
    role's own policies (asked without the bucket's), the RCPs (asked without them), or its
    bucket policy. A part is asked about by a key of each pattern the policies name on it
    (parts.probes: a Deny with NotResource leaves its own objects): "s3://b outside public/*"
    where the whole bucket is denied but those parts, "s3://b/private/*" where only that part is."""
    actions = dict(RIGHTS)
    named = [p.document for p in documents] + ([policies[bucket]] if bucket in policies else [])
    (_, whole), *deeper = probes(named, bucket, "")
    denied = [r for r in every if not allowed(actions[r], whole, bucket)]
    found: list[str] = []
    if denied:
        kept = [p for p, asked in deeper if any(allowed(actions[r], asked, bucket) for r in denied)]
        outside = f" outside {', '.join(p.removeprefix(f's3://{bucket}/') for p in kept)}" if kept else ""
        found.append(f"s3://{bucket}{outside} ({_why(allowed, every, denied, whole, bucket, policies)})")
    for part, asked in deeper:
        closed = [r for r in every if r not in denied and not allowed(actions[r], asked, bucket)]
        if closed:
            found.append(f"{part} ({_why(allowed, every, closed, asked, bucket, policies)})")
    return found


def _why(
    allowed: Callable[..., bool],
    every: tuple[str, ...],
    denied: list[str],
    resource: str,
    bucket: str,
    policies: Mapping[str, Any],
) -> str:
    """Who denies the rights there, and which of them (all: none named)."""
    actions = dict(RIGHTS)
    if not any(allowed(actions[r], resource, None) for r in denied):
        who = "the role's own policies deny"  # a Deny, a NotResource or a boundary on the bucket
    elif all(allowed(actions[r], resource, bucket, False) for r in denied):
        who = "the RCPs deny"
    elif all(allowed(actions[r], resource, bucket, True, True) for r in denied):
        who = "not decided: its bucket policy's Deny with a condition decides"  # never settled
    else:
        who = "its bucket policy denies" if bucket in policies else "denied"
    return who + ("" if len(denied) == len(every) else " " + ", ".join(denied))
