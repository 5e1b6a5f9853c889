"""Pure: the KMS keys of the role's account a session of the role may decrypt with, decided by
the evaluator over the role's side (identity policies, boundary, SCPs) and each key's own policy
("Policy evaluation logic": a KMS key policy must allow access, even in the same account; a key
policy that names the account delegates to the identity policies, one that names the role grants
on its own, limited by the boundary). A key whose policy could not
be read is "key policy not readable": not decided, a WARN, never a grant shown as proven. Keys of
other accounts are decided by their own key policies, which are not read here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import split_action, statements, strings
from provisioner.inventory.model import Key
from provisioner.inventory.parts import PROBE_KEY

OTHER_ACCOUNTS = "any KMS key of another account (its key policy decides)"
NOT_READABLE = "(key policy not readable: not decided)"
SOMEONE_ELSE = "111122223333"
PROBE = "provisioner-probe-key"


def key_scope(
    documents: Sequence[Policy],
    keys: Sequence[Key],
    account: str,
    role_side: Callable[[str], bool],
    with_key: Callable[[Key], bool],
) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """(grants, notes): each key of the account the session may decrypt with (its key policy
    read), each key whose policy was not readable that the role's side allows (not decided), and
    the keys of other accounts the role's side allows (their key policies decide)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    notes: list[str] = []
    for key in keys:
        if key.policy is not None:  # a key policy naming the role grants on its own (22q item 5)
            if with_key(key):
                found.append((key.arn, ("decrypt",)))
            continue
        if role_side(key.arn):  # the role's own policies, boundary and SCPs let it decrypt
            found.append((f"{key.arn} {NOT_READABLE}", ("decrypt",)))
            notes.append(
                f"{key.arn}: {key.unread or NOT_READABLE}: whether the role may decrypt is not decided"
            )
    if role_side(f"arn:aws:kms:us-east-1:{SOMEONE_ELSE}:key/{PROBE}"):
        found.append((OTHER_ACCOUNTS, ("decrypt",)))
        return found, notes
    for policy in documents:  # keys of other accounts the statements name
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            for resource in strings(statement.body.get("Resource")):
                if ":kms:" not in resource or f":{account}:" in resource or resource in [w for w, _ in found]:
                    continue
                if role_side(resource.replace("*", "x").replace("?", "x")):
                    found.append((f"{resource} (its key policy decides)", ("decrypt",)))
    return found, notes


def with_key(side: Chain, asked: Request) -> Callable[[Key], bool]:
    """Whether the session may kms:Decrypt with a key, its key policy in the chain (a key policy
    must allow, even in the same account: resource_required)."""

    def decide(key: Key) -> bool:
        chain = replace(
            side, resource=[Policy(f"key policy of {key.arn}", key.policy)], resource_required=True
        )
        return any(
            authorize(chain, Request(asked.principal, asked.action, key.arn, context)).allowed
            for context in key_contexts(key.arn, asked.context)
        )

    return decide


def key_contexts(key: str, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The session's kms:Decrypt with the key: called directly, and by S3 for it reading an
    SSE-KMS object (S3 User Guide, "Using server-side encryption with AWS KMS keys": a forward
    access session, aws:ViaAWSService true, kms:ViaService s3.REGION.amazonaws.com); each with
    kms:CallerAccount, the session's account (AWS KMS Developer Guide, "kms:CallerAccount")."""
    fields = key.split(":")
    region, account = (fields[3], fields[4]) if len(fields) > 5 else ("us-east-1", "")
    caller = {**context, "kms:CallerAccount": context.get("aws:PrincipalAccount", account)}
    via = {"aws:ViaAWSService": "true", "kms:ViaService": f"s3.{region}.amazonaws.com"}
    return [caller, {**caller, **via}]


def kms_grants(documents: Sequence[Policy], decrypts: Any, account: str) -> list[tuple[str, tuple[str, ...]]]:
    """The KMS keys an Allow names for kms:Decrypt (or kms:*, or *) that the chain lets the
    session use (the key's own policy is not read: it must allow the role, or the account);
    a grant on every key ("*") is "any KMS key" (of the account, where the pattern says so)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    if decrypts(f"arn:aws:kms:us-east-1:{SOMEONE_ELSE}:key/{PROBE_KEY}"):
        # but the keys a NotResource (or a Deny) leaves out (trial 22q item 10)
        left_out = [
            k for k in _not_resource_keys(documents) if not decrypts(k.replace("*", "x").replace("?", "x"))
        ]
        return [("any KMS key" + (f" (except {', '.join(left_out)})" if left_out else ""), ("decrypt",))]
    every_own = decrypts(f"arn:aws:kms:us-east-1:{account}:key/{PROBE_KEY}")
    if every_own:  # and still each key of another account the policies name (trial 22p item 2)
        found.append((f"any KMS key of account {account}", ("decrypt",)))
    for policy in documents:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            actions = strings(statement.body.get("Action"))
            if not any(split_action(a)[0] in ("kms", "") for a in actions):
                continue
            for resource in strings(statement.body.get("Resource")):
                if ":kms:" in resource and resource not in [w for w, _ in found]:
                    asked = resource.replace("*", "x").replace("?", "x")
                    if every_own and f":{account}:" in asked:
                        continue  # among every key of the account
                    if decrypts(asked):
                        shown = (
                            resource if f":{account}:" in asked else f"{resource} (its key policy decides)"
                        )
                        found.append((shown, ("decrypt",)))
    return found


def _not_resource_keys(documents: Sequence[Policy]) -> list[str]:
    """The KMS key ARNs the statements name in NotResource, or a Deny in Resource."""
    found: dict[str, None] = {}
    for policy in documents:
        for statement in statements(policy.document):
            element = "NotResource" if statement.is_allow else "Resource"
            for resource in strings(statement.body.get(element)):
                if ":kms:" in resource:
                    found[resource] = None
    return list(found)
