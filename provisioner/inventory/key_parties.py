"""Pure: the outside parties a KMS key policy of an audited account names directly (no role
between): each Allow naming another account or "*" whose kms:Decrypt the key policy lets through
for that caller, decided by the evaluator as for a bucket policy's grant (the caller's own
account allowing; "Cross-account policy evaluation logic"). AWS KMS Developer Guide, "Allowing
users in other accounts to use a KMS key": the key policy must allow the other account, and its
own IAM policies then delegate to its principals (trial 22r item 3)."""

from __future__ import annotations

import json
from typing import Any

from provisioner.audit.model import AccountData
from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import statements
from provisioner.inventory.callers import ANONYMOUS, asking_context, callers
from provisioner.inventory.direct import THEIRS
from provisioner.inventory.keys import key_contexts
from provisioner.inventory.model import Direct, Key
from provisioner.inventory.narrowing import only_ours
from provisioner.inventory.parts import settled
from provisioner.naming import AWS_SERVICE, Names

# AWS KMS Developer Guide: kms:CreateGrant lets the grantee give itself (or another) a grant for
# Decrypt ("Grants in AWS KMS"); PutKeyPolicy rewrites who may use the key, ScheduleKeyDeletion and
# DisableKey take it from everyone ("Key policies in AWS KMS"): power over the key (trial 22s item 5)
KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
)
DECRYPT = "kms:Decrypt"
GRANTS_ITSELF = (DECRYPT, "kms:CreateGrant")
# AWS KMS Developer Guide, "kms:ViaService": the key used only for S3's calls on the party's behalf
THROUGH_S3 = (
    "only as S3's call for it (kms:ViaService s3.{region}.amazonaws.com): it decrypts the objects"
    " S3 lets it read, not ciphertext it holds"
)


def key_grants(key: Key, names: Names, ours: frozenset[str], org_ids: frozenset[str]) -> list[Direct]:
    """Each outside party the key policy lets decrypt with the key, or give itself a grant to, or
    control the key (decided or not)."""
    if key.policy is None:
        return []
    policy = Policy(f"key policy of {key.arn}", key.policy)
    chain = Chain(identity=[THEIRS], resource=[policy], cross_account=True, resource_required=True)
    found: list[Direct] = []
    for statement in statements(key.policy):
        # only our accounts meet it (KMS takes no anonymous request, an IfExists condition too)
        if not statement.is_allow or only_ours(statement, ours | {key.account}, org_ids, anonymous=False):
            continue
        for asking, party, fixed in callers(
            statement, names, ours | {key.account}, org_ids, {}, True, key.policy
        ):
            if party.kind == AWS_SERVICE or fixed is not None:
                continue  # a service uses the key for whom it acts: its grants are its callers'
            bare = Chain(
                identity=[THEIRS],
                resource=[Policy(policy.name, {**key.policy, "Statement": [statement.unconditioned]})],
                cross_account=True,
            )
            given: dict[str, bool] = {}  # action -> decided
            direct = False  # is a Decrypt let through when the party calls KMS itself?
            for action in KEY_ACTIONS:
                requests = [
                    Request(c, action, key.arn, context)
                    for c in asking
                    if c != ANONYMOUS  # AWS KMS serves signed requests only (trial 22s item 7)
                    # S3 calls kms:Decrypt for a reader, never the other actions (trial 22s item 8)
                    for context in key_contexts(key.arn, asking_context(c))[: 2 if action == DECRYPT else 1]
                ]
                covered = [r for r in requests if authorize(bare, r).allowed]
                if covered:
                    given[action] = any(authorize(chain, r).allowed for r in covered)
                    direct |= action == DECRYPT and any(
                        r.key("kms:ViaService") is None and authorize(chain, r).allowed for r in covered
                    )
            condition = json.dumps(statement.body["Condition"]) if "Condition" in statement.body else "none"
            if condition == "none":
                given = {a: d for a, d in given.items() if d}  # a Deny of the key policy takes it back
            # refused only by conditions on keys whose values are known (the caller's account,
            # ARN): decided no, not a WARN (trial 22t item 4)
            known = all(_known(key, values, bool(org_ids)) for _, key, values in statement.conditions())
            given = {a: d for a, d in given.items() if d or not known}
            if not given:
                continue
            rights = ("decrypt",) if set(given) & set(GRANTS_ITSELF) else ()
            power = tuple(a.removeprefix("kms:") for a in given if a != "kms:Decrypt")
            decided = all(given.values())
            direct = direct or "kms:CreateGrant" in given  # it uses the grant it gives itself (22x item 1)
            note = (
                "" if direct or not rights or not decided else THROUGH_S3.format(region=key.arn.split(":")[3])
            )
            found.append(
                Direct(party, statement.shown, key.arn, key.arn, rights, condition, decided, note, power)
            )
    return found


def key_directs(
    data: list[AccountData], keys: dict[str, list[Key]], names: Names, ours: frozenset[str]
) -> list[Direct]:
    """The grants the key policies of the audited accounts read make to outside parties."""
    org_ids = frozenset(a.org.org_id for a in data if a.org is not None and a.org.org_id)
    return [
        grant
        for account in data
        if account.error is None
        for key in keys.get(account.account, [])
        for grant in key_grants(key, names, ours, org_ids)
    ]


def _known(key: str, values: list[Any], org_known: bool) -> bool:
    """Is a key policy condition's key one whose value each asked request holds: the caller's
    own keys (parts.settled), kms:CallerAccount, and kms:ViaService where it names S3 (asked both
    as S3's call and as the party's own: keys.key_contexts)? Another service's call is not asked."""
    lowered = key.lower()
    if lowered == "kms:calleraccount":
        return True
    if lowered == "kms:viaservice":
        return all(isinstance(v, str) and v.startswith("s3.") for v in values)
    return settled(key, org_known, False)
