# ruff: noqa: E501  (the key policies read best one a line)
"""inventory's KMS keys against moto's server (issue 22's leftovers, item 6): the keys a role's
identity policies grant kms:Decrypt on are read with their key policies (kms:ListKeys,
kms:GetKeyPolicy) and the evaluator decides whether the role's session may decrypt with each:
a key policy that delegates to the account (moto's default) lets the identity policy decide, one
that names neither the account nor the role does not ("Policy evaluation logic": a KMS key
policy must allow access, even in the same account), and a key policy that cannot be read is
"key policy not readable", not decided (a WARN), never a grant."""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse

from provisioner import api, sandbox
from provisioner.inventory import InventorySpec

UNKNOWN = "210987654321"
ACCOUNT = sandbox.CUSTOMER_ACCOUNT


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def refuse_policy_of(key_id: str) -> Any:
    """GetKeyPolicy answers AccessDeniedException for one key (as a key policy that does not let
    the caller read it would)."""

    def handler(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body") or b"{}"  # before-call sees the request: KMS's is JSON
        if json.loads(body.decode() if isinstance(body, bytes) else body).get("KeyId") != key_id:
            return None
        response = AWSResponse("https://kms.amazonaws.com/", 400, {}, None)
        error = {"Code": "AccessDeniedException", "Message": "injected by the test"}
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    return handler


def test_the_keys_a_role_may_decrypt_with_their_key_policies(box, customer, make_aws):
    kms = sandbox.session_for(ACCOUNT).client("kms", endpoint_url=box.endpoint)
    delegated = kms.create_key(Description="delegates to the account")["KeyMetadata"]
    elsewhere = kms.create_key(
        Description="only another role",
        Policy=document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/someone-else"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ),
    )["KeyMetadata"]
    hidden = kms.create_key(Description="policy not readable")["KeyMetadata"]
    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{UNKNOWN}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "an-id-issued-for-the-keys-0001"}},
    }
    customer.iam.create_role(RoleName="KeyUser", AssumeRolePolicyDocument=document(trust))
    customer.iam.put_role_policy(
        RoleName="KeyUser",
        PolicyName="decrypt",
        PolicyDocument=document({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}),
    )
    hooks = {"before-call.kms.GetKeyPolicy": refuse_policy_of(hidden["KeyId"])}
    result = api.inventory(InventorySpec(), lambda: make_aws(hooks))
    [party] = [p for p in result.parties if p.party.account == UNKNOWN]
    [access] = party.roles
    where = dict(access.scope.grants)
    assert where[delegated["Arn"]] == ("decrypt",)
    assert elsewhere["Arn"] not in where and all(elsewhere["Arn"] not in w for w in where)
    assert where[f"{hidden['Arn']} (key policy not readable: not decided)"] == ("decrypt",)
    assert any(hidden["Arn"] in n and "not readable" in n for n in access.scope.notes)
    assert where["any KMS key of another account (its key policy decides)"] == ("decrypt",)
    assert "any KMS key decrypt" not in access.scope.shown


def test_a_key_policy_naming_another_account_or_anyone_makes_them_parties(box, customer, make_aws):
    """Trial 22r item 3: a key policy granting kms:Decrypt to "*" (no condition) or to another
    account named no party. AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS
    key": the key policy grants the other account, whose own policies then decide for its
    principals; "*" is anyone (critical, decided). A grant on our own account (kms:CallerAccount)
    names no outside party."""
    kms = sandbox.session_for(ACCOUNT).client("kms", endpoint_url=box.endpoint)
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    public = kms.create_key(
        Policy=document(root, {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})
    )
    partner = kms.create_key(
        Policy=document(
            root,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::888888888888:root"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        )
    )
    own = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
    }
    kms.create_key(Policy=document(root, own))
    # trial 22s items 5 and 7: CreateGrant gives itself decrypt and is power over the key; an
    # IfExists condition on our account lets no anonymous caller in (AWS KMS takes signed requests)
    granter = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333344445555:root"}, "Action": "kms:CreateGrant", "Resource": "*"}  # fmt: skip
    grants_key = kms.create_key(Policy=document(root, granter))
    ifexists = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}}}  # fmt: skip
    kms.create_key(Policy=document(root, ifexists))
    # trial 22t item 4: IfExists on another account names that account alone, decided (KMS takes
    # no anonymous request, so no "anyone" WARN beside it)
    theirs = {**ifexists, "Condition": {"StringEqualsIfExists": {"aws:PrincipalAccount": "444455556666"}}}
    theirs_key = kms.create_key(Policy=document(root, theirs))
    result = api.inventory(InventorySpec(), lambda: make_aws({}))
    grants = {
        (p.party.name, d.part, d.decided, d.power)
        for p in result.parties
        for d in p.direct
        if d.part.startswith("arn:aws:kms")
    }
    assert grants == {
        ("anyone (any AWS account)", public["KeyMetadata"]["Arn"], True, ()),
        ("unknown account 888888888888", partner["KeyMetadata"]["Arn"], True, ()),
        ("unknown account 333344445555", grants_key["KeyMetadata"]["Arn"], True, ("CreateGrant",)),
        ("unknown account 444455556666", theirs_key["KeyMetadata"]["Arn"], True, ()),
    }, grants
    # trial 22t item 5: no bucket policy grants "*", so no note about anonymous requests
    assert not any("anonymous" in n for n in result.notes), result.notes
    assert any("KMS grants" in n for n in result.notes), result.notes
    [anyone] = [p for p in result.parties if p.party.name == "anyone (any AWS account)"]
    assert anyone.direct[0].source.startswith("key policy of arn:aws:kms:")
