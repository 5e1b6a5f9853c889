# ruff: noqa: E501  (the policies read best one a line)
"""inventory against moto's server: an organization of three accounts, a named vendor of the
shipped list with a read-only role, a vendor with an administrator role, an unknown account,
and a stale role (moto does not age roles: its GAAD answer is aged through a botocore hook).
Each party once, with its scope, power and staleness; bucket policies and CORS read live."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from provisioner import api, sandbox
from provisioner.inventory import InventorySpec

from .conftest import EXTERNAL_ID

DATADOG = "464622532012"  # fwd:cloudsec's list: a vendor
CLOUDHEALTH = "454464851268"  # fwd:cloudsec's list: a vendor
UNKNOWN = "210987654321"
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def trust(account: str, external_id: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def grant(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def member(box: Any, org: Any, name: str) -> tuple[str, Any]:
    """A member account with the role the management account reaches it through."""
    account = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"][
        "AccountId"
    ]
    session = sandbox.session_for(account)
    iam = session.client("iam", endpoint_url=box.endpoint)
    if "OrganizationAccountAccessRole" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]:
        iam.create_role(
            RoleName="OrganizationAccountAccessRole",
            AssumeRolePolicyDocument=grant(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
    return account, session


def age(role_name: str, last_used: str, created: str) -> Any:
    """An after-call hook that ages one role in GAAD's answer (moto records neither)."""

    def handler(parsed: dict[str, Any], **_: Any) -> None:
        for role in parsed.get("RoleDetailList", []):
            if role["RoleName"] == role_name:
                role["RoleLastUsed"] = {
                    "LastUsedDate": datetime.fromisoformat(last_used),
                    "Region": "eu-west-1",
                }
                role["CreateDate"] = datetime.fromisoformat(created)

    return handler


def arrange(box: Any, customer: Any) -> tuple[str, str, dict[str, Any]]:
    """The organization of three accounts (the members' IDs) and the hook that ages one role."""
    org = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("organizations", endpoint_url=box.endpoint)
    org.create_organization(FeatureSet="ALL")
    reader, reader_session = member(box, org, "reader")
    admin, admin_session = member(box, org, "admin")

    # a named vendor of the shipped list with a read-only role on a prefix, in the first member
    iam = reader_session.client("iam", endpoint_url=box.endpoint)
    s3 = reader_session.client("s3", endpoint_url=box.endpoint)
    s3.create_bucket(Bucket="acme-images")
    s3.put_bucket_cors(
        Bucket="acme-images",
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]},
    )
    iam.create_role(
        RoleName="DatadogRead", AssumeRolePolicyDocument=trust(DATADOG, "datadog-issued-id-00042")
    )
    iam.put_role_policy(
        RoleName="DatadogRead",
        PolicyName="read",
        PolicyDocument=grant(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::acme-images/train/*",
            }
        ),
    )
    # the bucket policy takes the writes away (read live: GetBucketPolicy)
    s3.put_bucket_policy(
        Bucket="acme-images",
        Policy=grant(
            {
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{reader}:role/DatadogRead"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::acme-images/*",
            }
        ),
    )
    # a vendor with an administrator role, in the second member
    admin_iam = admin_session.client("iam", endpoint_url=box.endpoint)
    admin_iam.create_role(
        RoleName="CloudhealthAdmin", AssumeRolePolicyDocument=trust(CLOUDHEALTH, "cloudhealth-id-0000000007")
    )
    admin_iam.put_role_policy(
        RoleName="CloudhealthAdmin",
        PolicyName="admin",
        PolicyDocument=grant({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    # an unknown account, and a stale role of it, in the management account
    customer.iam.create_role(RoleName="Unknown", AssumeRolePolicyDocument=trust(UNKNOWN, EXTERNAL_ID + "00"))
    customer.iam.put_role_policy(
        RoleName="Unknown",
        PolicyName="read",
        PolicyDocument=grant(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{sandbox.DEMO_BUCKET}/*"}
        ),
    )
    hooks = {
        "after-call.iam.GetAccountAuthorizationDetails": age(
            "Unknown", "2025-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00"
        )
    }
    return reader, admin, hooks


def test_an_organization_of_three_accounts(box, customer, make_aws):
    reader, admin, hooks = arrange(box, customer)
    result = api.inventory(InventorySpec(organization=True), lambda: make_aws(hooks))

    by_account = {p.party.account: p for p in result.parties}
    assert sorted(by_account) == sorted([DATADOG, CLOUDHEALTH, UNKNOWN])  # each party once; no member
    assert result.parties[0].party.account == CLOUDHEALTH  # the administrator first
    cloudhealth, datadog, unknown = by_account[CLOUDHEALTH], by_account[DATADOG], by_account[UNKNOWN]
    assert (cloudhealth.party.name, datadog.party.name) == ("Cloudhealth", "Datadog")
    assert unknown.party.name == f"unknown account {UNKNOWN}"

    assert cloudhealth.privileged and cloudhealth.roles[0].account == admin
    assert cloudhealth.roles[0].power == ("every action on every resource (AdministratorAccess or its like)",)
    assert not cloudhealth.stale

    read = datadog.roles[0]
    assert read.account == reader and not read.power and not datadog.stale
    assert read.scope.shown == "s3://acme-images/train/* read; nothing else"  # the bucket policy's Deny
    assert datadog.cors_buckets == ["s3://acme-images (any origin)"]
    # the trust names Datadog's account root: any of its principals gets in, with the issued ID
    assert read.trust.startswith(f"every principal of account {DATADOG} that may call sts:AssumeRole")
    assert "with external ID 'datadog-issued-id-00042'" in read.trust

    stale = unknown.roles[0]
    assert unknown.stale and stale.last_region == "eu-west-1" and stale.last_used.year == 2025
    assert stale.remove == "provision delete-role --role-name Unknown --force --dry-run"
    assert stale.scope.shown == f"s3://{sandbox.DEMO_BUCKET}/* read; nothing else"
    assert result.fails("critical")


def test_who_can_read_and_write_online(box, customer, make_aws):
    reader, _, hooks = arrange(box, customer)
    spec = InventorySpec(organization=True)
    read = api.who_can(spec, "read", "s3://acme-images/train/", lambda: make_aws(hooks))
    assert read.owner == reader
    assert [(r.party.name, r.via, r.role_arn) for r in read.routes] == [
        ("Datadog", "role", f"arn:aws:iam::{reader}:role/DatadogRead")
    ]  # Cloudhealth's administrator is in another account: the bucket policy grants it nothing
    assert read.routes[0].condition == "sts:ExternalId 'datadog-issued-id-00042'"
    # the bucket policy denies the role's writes
    assert api.who_can(spec, "write", "s3://acme-images/train/", lambda: make_aws(hooks)).routes == []
    assert api.who_can(spec, "read", "s3://acme-images/test/", lambda: make_aws(hooks)).routes == []


def test_organization_outside_an_organization_says_so(box, make_aws, cli, aws_env):
    """A standalone account (AWSOrganizationsNotInUseException): --organization reads only the
    caller's account, and says it on stderr rather than passing quietly."""
    result = api.inventory(InventorySpec(organization=True), make_aws)
    assert any("not in an organization" in n for n in result.notes), result.notes
    for command in (
        ["inventory", "-o", "json"],
        ["who-can", "read", f"s3://{sandbox.DEMO_BUCKET}", "-o", "json"],
        ["audit", "-o", "json"],  # audit's report of one account must not pass for an organization's
    ):
        shown = cli(*command, "--organization")
        assert shown.code in (0, 1) and "note: --organization: account" in shown.stderr, shown.stderr


def test_who_can_on_a_bucket_no_account_read_holds_is_not_decided_online(box, customer, make_aws):
    """Trial 22r item 14: online, who-can read s3://no-such-bucket-zz/ took the bucket to be the
    caller's account's and gave a role holding s3:* a "can". The account's buckets were listed and
    it is not among them: if it exists it is another account's, whose bucket policy must grant the
    role ("Cross-account policy evaluation logic"), which is not read: not decided, never "can"."""

    def document(*statements):
        return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "sts:AssumeRole",
    }
    trust["Condition"] = {"StringEquals": {"sts:ExternalId": "an-id-issued-for-the-reads-0001"}}
    customer.iam.create_role(RoleName="ReadsAll", AssumeRolePolicyDocument=document(trust))
    everything = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    customer.iam.put_role_policy(RoleName="ReadsAll", PolicyName="p", PolicyDocument=document(everything))
    found = api.who_can(InventorySpec(), "read", "s3://no-such-bucket-zz/", lambda: make_aws({}))
    assert found.routes, "the role holding every action is still named"
    assert all(r.verdict.startswith("WARN: not decided: bucket no-such-bucket-zz") for r in found.routes), [
        r.verdict for r in found.routes
    ]


def test_no_scp_or_rcp_limits_the_management_account(box, customer, make_aws):
    """Trial 22v item 2: the organization's SCP and RCP were applied to its management account,
    so a write its role may make and a bucket policy's grant to another account were gone.
    AWS Organizations User Guide: "SCPs don't affect users or roles in the management account";
    "RCPs don't affect resources in the management account". Both stay, with a note."""
    from .conftest import organization

    org, root = organization(box, managed_by_customer=True)
    for kind, name, statement in (
        ("SERVICE_CONTROL_POLICY", "no-puts", {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}),
        ("RESOURCE_CONTROL_POLICY", "no-reads", {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}),
    ):  # fmt: skip
        content = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        made = org.create_policy(Content=content, Description=name, Name=name, Type=kind)
        org.attach_policy(PolicyId=made["Policy"]["PolicySummary"]["Id"], TargetId=root)
    trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DATADOG}:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "datadog-issued-id-00042"}}}  # fmt: skip
    customer.iam.create_role(RoleName="Uploader", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}))  # fmt: skip
    put = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{sandbox.DEMO_BUCKET}/*"}
    customer.iam.put_role_policy(RoleName="Uploader", PolicyName="put", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [put]}))  # fmt: skip
    grant = {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{sandbox.DEMO_BUCKET}/*"}  # fmt: skip
    customer.s3.put_bucket_policy(Bucket=sandbox.DEMO_BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [grant]}))  # fmt: skip
    result = api.inventory(InventorySpec(), lambda: make_aws({}))
    by_account = {p.party.account: p for p in result.parties}
    [uploader] = [r for r in by_account[DATADOG].roles if r.role_name == "Uploader"]
    assert uploader.scope.shown == f"s3://{sandbox.DEMO_BUCKET}/* write; nothing else", uploader.scope.shown
    assert [d.rights for d in by_account["444455556666"].direct] == [("read",)]
    assert any("management account" in n for n in result.notes), result.notes
