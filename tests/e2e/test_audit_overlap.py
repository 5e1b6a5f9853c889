"""audit's reads beside the download (issue 18): the AWS-managed policies a page names are read
while the next pages download, the organization's SCPs/RCPs while the accounts download, and
each AWS-managed policy once per run however many accounts name it. No timing: hooks on the
download wait (at most a few seconds) for the read that must already be under way."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from provisioner import audit, sandbox
from provisioner.aws import Aws

from .conftest import EXTERNAL_ID, organization
from .test_audit_e2e import LABELBOX_ROOT, OTHER_ACCOUNT, trust

FULL_S3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
WAIT = 5.0  # seconds a hook waits for a read that should be under way already


def _role(n: int, attached: list[str]) -> dict[str, object]:
    return {
        "RoleName": f"R{n}",
        "Arn": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:role/R{n}",
        "Path": "/",
        "RoleId": f"AROAEXAMPLEEXAMPLE{n}",
        "CreateDate": "2026-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust(
            {"AWS": LABELBOX_ROOT}, {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
        ),
        "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in attached],
        "RolePolicyList": [],
    }


def test_aws_managed_policies_are_read_while_the_download_goes_on(aws_managed, make_aws):
    """Two pages: the first names AmazonS3FullAccess; the second is answered only once its
    GetPolicy was asked (or WAIT seconds have passed, which fails the test)."""
    asked = threading.Event()
    seen_before_last_page: list[bool] = []

    def gaad(params, **_):
        if "Marker" not in (params.get("body") or {}):  # the serialized query
            page = {"RoleDetailList": [_role(1, [FULL_S3])], "IsTruncated": True, "Marker": "m1"}
        else:
            seen_before_last_page.append(asked.wait(WAIT))
            page = {"RoleDetailList": [_role(2, [])], "IsTruncated": False}
        return SimpleNamespace(status_code=200, headers={}), {**page, "Policies": []}

    def get_policy(**_):
        asked.set()

    aws = make_aws(
        {
            "before-call.iam.GetAccountAuthorizationDetails": gaad,
            "before-call.iam.GetPolicy": get_policy,
        }
    )
    data = audit.gather_account(aws)
    assert seen_before_last_page == [True]
    assert [r.name for r in data.roles] == ["R1", "R2"]
    assert FULL_S3 in data.policies and not data.notes
    assert aws.log.counts()["iam:GetPolicy"] == 1


def test_each_aws_managed_policy_is_read_once_per_run(aws_managed, box):
    """Two accounts whose vendor roles carry the same AWS-managed policy: one GetPolicy and one
    GetPolicyVersion in the run (each account asked them again)."""
    made: list[Aws] = []
    for account in (sandbox.CUSTOMER_ACCOUNT, OTHER_ACCOUNT):
        iam = sandbox.session_for(account).client("iam", endpoint_url=box.endpoint)
        pinned = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
        iam.create_role(RoleName="FullS3", AssumeRolePolicyDocument=trust({"AWS": LABELBOX_ROOT}, pinned))
        iam.attach_role_policy(RoleName="FullS3", PolicyArn=FULL_S3)

    def make(account: str | None) -> Aws:
        aws = Aws(session=sandbox.session_for(account or sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)
        made.append(aws)
        return aws

    data = audit.gather_accounts(make, [None, OTHER_ACCOUNT])
    assert [d.account for d in data] == [sandbox.CUSTOMER_ACCOUNT, OTHER_ACCOUNT]
    assert all(FULL_S3 in d.policies and not d.error for d in data)
    calls = [call for aws in made for call in aws.log.calls]
    assert calls.count("iam:GetPolicy") == 1 and calls.count("iam:GetPolicyVersion") == 1
    result = audit.audit(data)
    assert {(f.account, f.rule) for f in result.findings if f.role == "FullS3"} >= {
        (sandbox.CUSTOMER_ACCOUNT, "vendor-write-access"),
        (OTHER_ACCOUNT, "vendor-write-access"),
    }


def test_the_organization_is_read_while_the_account_downloads(box, customer, make_aws):
    """The download waits for DescribeOrganization: it comes first, or the test fails."""
    organization(box)
    customer.iam.create_role(RoleName="Anyone", AssumeRolePolicyDocument=trust("*"))
    asked = threading.Event()
    seen: list[bool] = []

    def gaad(**_):
        seen.append(asked.wait(WAIT))

    def described(**_):
        asked.set()

    aws = make_aws(
        {
            "before-call.iam.GetAccountAuthorizationDetails": gaad,
            "before-call.organizations.DescribeOrganization": described,
        }
    )
    result = audit.run(audit.AuditSpec(), lambda: aws)
    assert seen == [True]
    assert "trust-any-principal" in {f.rule for f in result.findings}
    assert aws.log.counts()["organizations:DescribeOrganization"] == 1
