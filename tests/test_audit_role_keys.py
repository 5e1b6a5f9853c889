"""audit reads the role's own keys in the vendor's AssumeRole (issue 20), as validate does
(validate/trust.role_keys): aws:ResourceTag/<key> from the role's tags in its GAAD entry,
aws:ResourceAccount, aws:ResourceOrgID. IAM User Guide, "AWS global condition context keys":
aws:ResourceTag/<key>, aws:ResourceAccount and aws:ResourceOrgID are the resource's, and the
resource of sts:AssumeRole is the role. Pure: no server; the memo of one run is shared, as in a
real audit, so two roles with one trust and different tags must not share a verdict."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from provisioner.audit.model import RoleDetail
from provisioner.audit.rules import Memo, judge
from provisioner.audit.scope import Scope
from provisioner.evaluation import Policy
from provisioner.organization import OrgPolicies

ACCOUNT = "123456789012"
VENDOR = "340636424752"
ORG = "o-a1b2c3d4e5"
ID = "lbx-5e8d0c3a9f7b21"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
RCP_FULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
# AWS's data-perimeter RCP (aws-samples/data-perimeter-policy-examples, "EnforceOrgIdentities"),
# over sts:AssumeRole: roles tagged dp:exclude:identity=true are spared.
PERIMETER = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {
                    "aws:PrincipalOrgID": ORG,
                    "aws:ResourceTag/dp:exclude:identity": "true",
                },
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    ],
}
PINNED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:role/lb-aws-delegated-access-role"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ID}},
        }
    ],
}
# A trust that opens to the vendor's account only for roles tagged vendor-access=enabled.
BY_TAG = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:ResourceTag/vendor-access": "enabled"}},
        }
    ],
}


def role(name: str, trust: dict, **tags: str) -> RoleDetail:
    return RoleDetail.from_gaad(
        {
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "RoleName": name,
            "AssumeRolePolicyDocument": trust,
            "RoleLastUsed": {"LastUsedDate": "2026-11-30T00:00:00Z"},
            "CreateDate": "2026-01-01T00:00:00Z",
            "Tags": [{"Key": k.replace("_", ":"), "Value": v} for k, v in tags.items()],
        }
    )


def perimeter_scope(memo: Memo) -> Scope:
    org = OrgPolicies(
        rcps=[[Policy("RCP RCPFullAWSAccess", RCP_FULL), Policy("RCP perimeter", PERIMETER)]], org_id=ORG
    )
    return Scope(ACCOUNT, {}, frozenset(), memo, org)


def rules_of(verdict) -> set[str]:
    return {f.rule for f in verdict.findings}


def test_the_perimeter_rcp_spares_the_role_tagged_dp_exclude_identity_and_blocks_the_other():
    """The RCP's Deny does not hold for a role tagged dp:exclude:identity=true: the vendor gets in
    (no trust-blocked-by-organization); for the untagged role with the same trust it does (audit
    said blocked for both: the tag was unknown). Either order, one memo."""
    for order in (("Tagged", "Plain"), ("Plain", "Tagged")):
        scope = perimeter_scope(Memo())
        verdicts = {}
        for name in order:
            tags = {"dp_exclude_identity": "true"} if name == "Tagged" else {}
            verdicts[name] = judge(role(name, PINNED, **tags), scope, NOW)
        assert verdicts["Tagged"].external and "trust-blocked-by-organization" not in rules_of(
            verdicts["Tagged"]
        )
        assert not verdicts["Plain"].external
        assert "trust-blocked-by-organization" in rules_of(verdicts["Plain"])


def test_a_trust_keyed_on_the_roles_tag_opens_only_the_tagged_role():
    """A trust granting the vendor's account only on aws:ResourceTag/vendor-access=enabled: the
    tagged role lets the account in without an external ID (a finding); the untagged role lets
    nobody in, so none (audit said "may be able to" for both)."""
    for order in (("Tagged", "Plain"), ("Plain", "Tagged")):
        scope = Scope(ACCOUNT, {}, frozenset(), Memo(), None)
        verdicts = {}
        for name in order:
            tags = {"vendor-access": "enabled"} if name == "Tagged" else {"vendor-access": "disabled"}
            verdicts[name] = judge(role(name, BY_TAG, **tags), scope, NOW)
        assert "cross-account-no-external-id" in rules_of(verdicts["Tagged"])
        assert not verdicts["Plain"].external and rules_of(verdicts["Plain"]) == set()


def test_roles_whose_trust_and_rcps_read_no_tag_still_share_one_analysis(monkeypatch):
    """The tags are in the memo key only when the trust or an RCP reads the role's keys: a
    thousand vendor roles with one trust and different tags are still one question."""
    rules = importlib.import_module("provisioner.audit.scope")  # where Scope asks judge_trust
    calls = []
    judge_trust = rules.judge_trust

    def counted(*args, **kwargs):
        calls.append(kwargs.get("role_keys"))
        return judge_trust(*args, **kwargs)

    monkeypatch.setattr(rules, "judge_trust", counted)
    scope = Scope(ACCOUNT, {}, frozenset(), Memo(), None)
    for index in range(3):
        judge(role(f"Vendor{index}", PINNED, team=f"t{index}"), scope, NOW)
    assert calls == [()]
    calls.clear()
    scope = perimeter_scope(Memo())
    for index in range(3):
        judge(role(f"Vendor{index}", PINNED, team=f"t{index}"), scope, NOW)
    keyed = [c for c in calls if c]  # (the verdict without the RCPs, read by none, is shared)
    assert len(keyed) == 3 and all(("aws:resourcetag/team", f"t{i}") in keyed[i] for i in range(3))
