"""audit against moto's server: a populated account through the CLI, two accounts with
--accounts, the GAAD Marker loop (Stubber: moto never truncates) and throttled calls."""

from __future__ import annotations

import json

from botocore.stub import Stubber

from provisioner import audit, sandbox
from provisioner.aws import Aws, AwsError

from .conftest import EXTERNAL_ID, managed_policy, organization, refuse
from .test_create_role import wanted

OTHER_ACCOUNT = "111111111111"
LABELBOX_ROOT = "arn:aws:iam::340636424752:root"


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def populate(iam):
    iam.create_role(RoleName="HandMadeLabelbox", AssumeRolePolicyDocument=trust({"AWS": LABELBOX_ROOT}))
    iam.put_role_policy(
        RoleName="HandMadeLabelbox",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    iam.create_role(RoleName="Anyone", AssumeRolePolicyDocument=trust("*"))
    iam.create_role(RoleName="Ec2", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))


def test_populated_account_through_the_cli(cli, aws_env, customer, make_aws):
    from provisioner import role

    role.create_role(make_aws(), wanted())  # a correct, provisioner-made vendor role
    populate(customer.iam)
    result = cli("audit", "-o", "json", "--fail-on", "none")
    assert result.code == 0, result.stderr
    findings = result.json()["findings"]
    by_role: dict[str, set[str]] = {}
    for f in findings:
        by_role.setdefault(f["role"], set()).add(f["rule"])
    assert "trust-any-principal" in by_role["Anyone"]
    assert {
        "cross-account-no-external-id",
        "vendor-write-access",
        "vendor-resource-wildcard",
        "trusts-account-root",
    } <= by_role["HandMadeLabelbox"]
    assert "Ec2" not in by_role
    # created a moment ago, never used: too new to be unused (moto's GAAD gives each CreateDate)
    assert not any("role-unused" in rules for rules in by_role.values())
    assert not (
        {"cross-account-no-external-id", "external-id-not-pinned", "vendor-write-access"}
        & by_role.get("LabelboxS3Access", set())
    )
    assert {f["vendor"] for f in findings if f["role"] == "HandMadeLabelbox"} == {"Labelbox"}
    table = cli("audit")
    assert table.code == 1 and "4 role(s) read in 1 account(s)" in table.stdout


def test_two_accounts_with_member_roles(box, cli, aws_env, customer):
    other = sandbox.session_for(OTHER_ACCOUNT).client("iam", endpoint_url=box.endpoint)
    other.create_role(
        RoleName="OrganizationAccountAccessRole",
        AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"}),
    )
    other.create_role(RoleName="VendorInOther", AssumeRolePolicyDocument=trust({"AWS": LABELBOX_ROOT}))
    populate(customer.iam)
    result = cli(
        "audit",
        "--accounts",
        f"{sandbox.CUSTOMER_ACCOUNT},{OTHER_ACCOUNT}",
        "-o",
        "json",
        "--fail-on",
        "none",
    )
    assert result.code == 0, result.stderr
    accounts = {(f["account"], f["role"]) for f in result.json()["findings"]}
    assert (OTHER_ACCOUNT, "VendorInOther") in accounts
    assert (sandbox.CUSTOMER_ACCOUNT, "Anyone") in accounts
    # --accounts does not tell who is in the organisation: the member role's trust of the
    # auditing account is reported like any other cross-account trust (--organization knows)
    assert (OTHER_ACCOUNT, "OrganizationAccountAccessRole") in accounts


def test_an_unreachable_account_is_reported_and_the_others_audited(box, make_aws, customer):
    populate(customer.iam)

    def factory(account):
        if account == "222222222222":
            raise AwsError(
                "sts:AssumeRole while assuming arn:aws:iam::222222222222:role/X failed: AccessDenied"
            )
        return make_aws()

    data = audit.gather_accounts(factory, [None, "222222222222"])
    result = audit.audit(data)
    unreachable = [f for f in result.findings if f.rule == "account-unreachable"]
    assert len(unreachable) == 1 and "222222222222" in unreachable[0].message
    assert any(f.role == "Anyone" for f in result.findings)


def test_gaad_marker_pages_are_followed(box):
    aws = Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=box.endpoint)
    iam, sts = aws.client("iam"), aws.client("sts")

    def page(n):
        return {
            "RoleName": f"R{n}",
            "Arn": f"arn:aws:iam::123456789012:role/R{n}",
            "Path": "/",
            "RoleId": f"AROAEXAMPLEEXAMPLE{n}",
            "CreateDate": "2026-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": trust({"AWS": LABELBOX_ROOT}),
        }

    with Stubber(iam) as iam_stub, Stubber(sts) as sts_stub:
        sts_stub.add_response(
            "get_caller_identity",
            {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root", "UserId": "x"},
        )
        iam_stub.add_response(
            "get_account_authorization_details",
            {"RoleDetailList": [page(1)], "IsTruncated": True, "Marker": "m1"},
            {"Filter": ["Role", "LocalManagedPolicy"], "MaxItems": 1000},
        )
        iam_stub.add_response(
            "get_account_authorization_details",
            {"RoleDetailList": [page(2)], "IsTruncated": True, "Marker": "m2"},
            {"Filter": ["Role", "LocalManagedPolicy"], "MaxItems": 1000, "Marker": "m1"},
        )
        iam_stub.add_response(
            "get_account_authorization_details",
            {"RoleDetailList": [page(3)], "IsTruncated": False},
            {"Filter": ["Role", "LocalManagedPolicy"], "MaxItems": 1000, "Marker": "m2"},
        )
        data = audit.gather_account(aws)
        iam_stub.assert_no_pending_responses()
    assert [r.name for r in data.roles] == ["R1", "R2", "R3"]


def test_throttled_calls_are_retried_and_findings_are_identical(box, make_aws, customer):
    from botocore.awsrequest import AWSResponse

    from .test_create_role import THROTTLED, _Raw

    populate(customer.iam)
    for n in range(5):
        customer.iam.create_role(
            RoleName=f"Vendor{n}",
            AssumeRolePolicyDocument=trust(
                {"AWS": LABELBOX_ROOT}, {"StringEquals": {"sts:ExternalId": f"{EXTERNAL_ID}-{n}"}}
            ),
        )
    clean = audit.audit([audit.gather_account(make_aws())])
    sent = {"n": 0}

    def throttle_every_other(request, **_):
        sent["n"] += 1
        if sent["n"] % 2:
            return AWSResponse(request.url, 400, {}, _Raw(THROTTLED))
        return None

    aws = make_aws({"before-send.iam": throttle_every_other}, max_attempts=5)
    throttled = audit.audit([audit.gather_account(aws)])
    assert sent["n"] >= 2
    strip = [(f.role_arn, f.rule, f.message.split(":")[0]) for f in clean.findings]
    assert [(f.role_arn, f.rule, f.message.split(":")[0]) for f in throttled.findings] == strip


def test_organization_accounts_are_not_another_account(box, cli, aws_env, customer):
    org = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("organizations", endpoint_url=box.endpoint)
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"][
        "AccountId"
    ]
    member_iam = sandbox.session_for(member).client("iam", endpoint_url=box.endpoint)
    if "OrganizationAccountAccessRole" not in [r["RoleName"] for r in member_iam.list_roles()["Roles"]]:
        member_iam.create_role(
            RoleName="OrganizationAccountAccessRole",
            AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"}),
        )
    member_iam.create_role(
        RoleName="PeerAccess",
        AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"}),
    )
    member_iam.create_role(RoleName="VendorInMember", AssumeRolePolicyDocument=trust({"AWS": LABELBOX_ROOT}))
    result = cli("audit", "--organization", "-o", "json", "--fail-on", "none")
    assert result.code == 0, result.stderr
    found = {(f["account"], f["role"], f["rule"]) for f in result.json()["findings"]}
    assert (member, "VendorInMember", "cross-account-no-external-id") in found
    assert not [f for f in found if f[1] in ("PeerAccess", "OrganizationAccountAccessRole")]


def test_no_credentials_for_the_own_account_is_exit_3_not_a_finding(cli, aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = cli("audit")
    assert result.code == 3
    assert "no AWS credentials found" in result.error_line
    assert result.stdout == ""


def test_patterns_read_from_the_account_are_judged_from_the_policy(cli, aws_env, customer):
    """Trusts as hand-written in real accounts, stored in moto and read back through GAAD: a
    StringLike prefix on the external ID, Principal * narrowed by a wildcard aws:PrincipalArn, and a
    boundary that makes an s3:* grant read-only."""
    iam = customer.iam
    iam.create_role(
        RoleName="PrefixId",
        AssumeRolePolicyDocument=trust(
            {"AWS": LABELBOX_ROOT}, {"StringLike": {"sts:ExternalId": "lbx-5e8d*"}}
        ),
    )
    iam.create_role(
        RoleName="AnyAccountReader",
        AssumeRolePolicyDocument=trust(
            "*",
            {
                "StringEquals": {"sts:ExternalId": "lbx-5e8d0c3a9f7b21"},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"},
            },
        ),
    )
    everything = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    boundary = managed_policy(
        iam, "ReadOnlyBoundary", {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}
    )
    iam.create_role(
        RoleName="Bounded",
        AssumeRolePolicyDocument=trust(
            {"AWS": LABELBOX_ROOT}, {"StringEquals": {"sts:ExternalId": "lbx-bounded-000000001"}}
        ),
        PermissionsBoundary=boundary,
    )
    iam.put_role_policy(RoleName="Bounded", PolicyName="everything", PolicyDocument=json.dumps(everything))
    result = cli("audit", "-o", "json", "--fail-on", "none")
    assert result.code == 0, result.stderr
    rules: dict[str, set[str]] = {}
    for finding in result.json()["findings"]:
        rules.setdefault(finding["role"], set()).add(finding["rule"])
    assert "external-id-not-pinned" in rules["PrefixId"]
    assert any("'lbx-5e8d'" in f["message"] for f in result.json()["findings"] if f["role"] == "PrefixId")
    assert "trust-any-principal" in rules["AnyAccountReader"]
    assert "vendor-write-access" not in rules.get("Bounded", set())  # the boundary allows reads only
    assert "vendor-resource-wildcard" in rules["Bounded"]  # s3:Get* on * within the boundary: any bucket


def attach_perimeter_and_read_only(box) -> None:
    """An organization of the customer's account with an RCP perimeter on its root that excepts
    Labelbox's account (org-perimeter), and an SCP on the account denying every S3 write
    (s3-read-only)."""
    org, root = organization(box)
    org_id = org.describe_organization()["Organization"]["Id"]  # audit reads it too
    perimeter = {
        "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {
            "aws:PrincipalOrgID": org_id, "aws:PrincipalAccount": ["340636424752"]}}}  # fmt: skip
    no_writes = {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "arn:aws:s3:::*"}
    for kind, name, statement, target in (
        ("RESOURCE_CONTROL_POLICY", "org-perimeter", perimeter, root),
        ("SERVICE_CONTROL_POLICY", "s3-read-only", no_writes, sandbox.CUSTOMER_ACCOUNT),
    ):
        content = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        made = org.create_policy(Content=content, Description=name, Name=name, Type=kind)
        org.attach_policy(PolicyId=made["Policy"]["PolicySummary"]["Id"], TargetId=target)


def test_rcps_and_scps_read_from_organizations_change_the_verdicts(box, cli, aws_env, customer):
    """moto stores the organization's policies; audit reads them (ListParents,
    ListPoliciesForTarget, DescribePolicy) and our evaluator applies them: an RCP perimeter that
    excepts Labelbox's account blocks the outsider's trust (info) but not Labelbox's, and an SCP
    that denies every S3 write takes vendor-write-access away."""
    populate(customer.iam)
    customer.iam.create_role(RoleName="Outsider", AssumeRolePolicyDocument=trust({"AWS": OTHER_ACCOUNT}))
    attach_perimeter_and_read_only(box)
    result = cli("audit", "-o", "json", "--fail-on", "none")
    assert result.code == 0, result.stderr
    by_role: dict[str, dict[str, str]] = {}
    for f in result.json()["findings"]:
        by_role.setdefault(f["role"], {})[f["rule"]] = f["message"]
    assert list(by_role["Outsider"]) == ["trust-blocked-by-organization"]
    assert "RCP org-perimeter" in by_role["Outsider"]["trust-blocked-by-organization"]
    # Issue 19: the perimeter excepts Labelbox's account, which `Principal: "*"` lets in without
    # naming it: the door stays open to that account, with no ID (it was reported shut); every
    # other account is shut out (audit reads the organization's ID: none can claim it)
    assert "trust-any-principal" not in by_role["Anyone"], by_role["Anyone"]
    assert "arn:aws:sts::340636424752:" in by_role["Anyone"]["cross-account-no-external-id"]
    assert "cross-account-no-external-id" in by_role["HandMadeLabelbox"]  # Labelbox is excepted
    assert "vendor-write-access" not in by_role["HandMadeLabelbox"]  # the SCP denies every write
    assert "vendor-resource-wildcard" in by_role["HandMadeLabelbox"]


def test_the_findings_organization_policies_take_away_are_counted(box, cli, aws_env, customer):
    """Issue 17: what the organization's SCPs and RCPs, read live, take out of the report is
    said on stderr (the JSON stays a list of findings): the count is the difference with the
    same account's audit before the policies were attached, and the note names them."""
    from collections import Counter

    populate(customer.iam)
    customer.iam.create_role(RoleName="Outsider", AssumeRolePolicyDocument=trust({"AWS": OTHER_ACCOUNT}))
    before = cli("audit", "-o", "json", "--fail-on", "none")
    assert before.code == 0 and "not reported" not in before.stderr, before.stderr
    attach_perimeter_and_read_only(box)
    after = cli("audit", "-o", "json", "--fail-on", "none")
    assert after.code == 0 and isinstance(after.json()["findings"], list), after.stderr
    lost = Counter((f["role"], f["rule"]) for f in before.json()["findings"]) - Counter(
        (f["role"], f["rule"]) for f in after.json()["findings"]
    )
    assert lost[("HandMadeLabelbox", "vendor-write-access")] == 1  # the SCP
    assert lost[("Outsider", "cross-account-no-external-id")] == 1  # the RCP
    # Issue 19: the RCP shuts every other account out of `Principal: "*"` (audit reads the
    # organization's ID), and Labelbox's account, which it spares, still gets in with no ID
    assert lost[("Anyone", "trust-any-principal")] == 1
    assert ("Anyone", "cross-account-no-external-id") in {
        (f["role"], f["rule"]) for f in after.json()["findings"]
    }
    notes = [line for line in after.stderr.splitlines() if "not reported" in line]
    assert len(notes) == 1, after.stderr
    head, _, names = notes[0].partition(" (")
    assert head == f"note: {lost.total()} findings not reported: an SCP or RCP denies them", notes
    assert set(names.removesuffix(")").split(", ")) == {"RCP org-perimeter", "SCP s3-read-only"}, notes


def test_organization_policies_that_cannot_be_read_are_a_note(cli, aws_env, customer, make_aws):
    populate(customer.iam)
    audit_result = audit.run(
        audit.AuditSpec(),
        lambda: make_aws({"before-call.organizations.DescribeOrganization": refuse("AccessDeniedException")}),
    )
    assert any(
        "SCPs and RCPs not read: organizations:DescribeOrganization denied" in n for n in audit_result.notes
    )
    table = cli("audit", "--fail-on", "none")
    assert "note:" not in table.stdout  # moto's account is in no organization: nothing to say


def test_aws_managed_policies_and_boundaries_are_read_and_judged(aws_managed, customer, make_aws):
    """GAAD's LocalManagedPolicy filter leaves AWS-managed policies out: a vendor role with
    AmazonS3FullAccess attached may write (it was judged without it), and one bounded by
    AmazonS3ReadOnlyAccess may not. Audit reads those two with GetPolicy/GetPolicyVersion, and
    none of the service role's."""
    iam = customer.iam
    pinned = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
    iam.create_role(RoleName="FullS3", AssumeRolePolicyDocument=trust({"AWS": LABELBOX_ROOT}, pinned))
    iam.attach_role_policy(RoleName="FullS3", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    iam.create_role(
        RoleName="Bounded",
        AssumeRolePolicyDocument=trust({"AWS": LABELBOX_ROOT}, pinned),
        PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    )
    iam.put_role_policy(
        RoleName="Bounded",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    iam.create_role(RoleName="Ec2", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    iam.attach_role_policy(RoleName="Ec2", PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")
    aws = make_aws()
    result = audit.audit([audit.gather_account(aws)])
    rules = {(f.role, f.rule) for f in result.findings}
    assert ("FullS3", "vendor-write-access") in rules
    assert ("Bounded", "vendor-write-access") not in rules
    assert ("Bounded", "vendor-resource-wildcard") in rules  # the boundary still lets it read any bucket
    assert aws.log.counts()["iam:GetPolicyVersion"] == 2  # not the service role's policy
    assert not [n for n in result.notes if "managed" in n or "judged without" in n]

    refused = make_aws({"before-call.iam.GetPolicy": refuse("AccessDenied")})
    blind = audit.audit([audit.gather_account(refused)])
    assert ("FullS3", "vendor-write-access") not in {(f.role, f.rule) for f in blind.findings}
    assert any("AmazonS3FullAccess" in n and "judged without it" in n for n in blind.notes), blind.notes


def test_the_github_action_audits_the_account_into_sarif(box, customer, tmp_path):
    """action.yml's audit step, run as GitHub runs it (from the Action's own venv, made by
    `make action-venv`), against the sandbox's endpoint."""
    from tests import github_action

    github_action.installed_venv()  # skips without it (fails where CI is set)
    populate(customer.iam)
    result = github_action.run_step(
        "run",
        {"command": "audit", "fail-on": "critical"},
        tmp_path,
        extra_env=box.environment(),
        home=tmp_path,
    )
    assert result.returncode == 1, result.stderr  # Anyone: trust-any-principal is critical
    sarif = json.loads((tmp_path / "provisioner.sarif").read_text())
    assert "trust-any-principal" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_an_organization_audit_reads_each_shared_policy_once(box, customer, make_aws):
    """The root's and the OUs' SCPs and RCPs are the same for every account: one
    DescribeOrganization, one ListPoliciesForTarget per level and kind, one DescribePolicy per
    policy, however many accounts are audited (each account asked them all again)."""
    org, root = organization(box, managed_by_customer=True)  # it creates the member accounts
    members = [
        org.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")["CreateAccountStatus"]["AccountId"]
        for i in range(3)
    ]
    for member in members:
        member_iam = sandbox.session_for(member).client("iam", endpoint_url=box.endpoint)
        if "OrganizationAccountAccessRole" not in [r["RoleName"] for r in member_iam.list_roles()["Roles"]]:
            member_iam.create_role(
                RoleName="OrganizationAccountAccessRole",
                AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:root"}),
            )
    content = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})  # fmt: skip
    made = org.create_policy(
        Content=content, Description="d", Name="no-delete", Type="SERVICE_CONTROL_POLICY"
    )
    org.attach_policy(PolicyId=made["Policy"]["PolicySummary"]["Id"], TargetId=root)
    aws = make_aws()
    result = audit.run(audit.AuditSpec(organization=True), lambda: aws)
    assert len(result.accounts) == 4 and not [n for n in result.notes if "not read" in n]
    counts = aws.log.counts()
    assert counts["organizations:DescribeOrganization"] == 1
    levels = 1 + 4  # the root's, and each account's own (moto puts accounts under the root)
    assert counts["organizations:ListPoliciesForTarget"] <= 2 * levels  # SCPs and RCPs
    assert counts["organizations:DescribePolicy"] == len(
        {p["Id"] for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
         for p in org.list_policies_for_target(TargetId=root, Filter=kind)["Policies"]}
    )  # fmt: skip


def test_the_html_report_says_who_audited_where(cli, aws_env, customer):
    """issue 18: the page's header names the caller, profile and region of an online audit."""
    populate(customer.iam)
    result = cli("audit", "-o", "html", "--fail-on", "none", "--region", "eu-west-1")
    assert result.code == 0, result.stderr
    header = result.stdout.split("</header>")[0]
    caller = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client(
        "sts", endpoint_url=aws_env["AWS_ENDPOINT_URL"]
    )
    assert f"<dt>Caller</dt><dd>{caller.get_caller_identity()['Arn']}</dd>" in header
    assert "<dt>Profile</dt><dd>default</dd>" in header and "<dt>Region</dt><dd>eu-west-1</dd>" in header
    assert "SCPs/RCPs considered</dt><dd>" in header


def test_a_trust_keyed_on_the_roles_tag_is_judged_by_each_roles_own_tags(cli, aws_env, customer):
    """One trust that lets the vendor's account in only when the role is tagged
    vendor-access=enabled (aws:ResourceTag/<key> is the role's in an AssumeRole of it: IAM User
    Guide, "AWS global condition context keys"): the tagged role is a finding, the other not,
    from the Tags moto's GetAccountAuthorizationDetails returns."""
    document = trust({"AWS": LABELBOX_ROOT}, {"StringEquals": {"aws:ResourceTag/vendor-access": "enabled"}})
    for name, value in (("TaggedOpen", "enabled"), ("TaggedShut", "disabled")):
        customer.iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=document, Tags=[{"Key": "vendor-access", "Value": value}]
        )
    result = cli("audit", "-o", "json", "--fail-on", "none")
    assert result.code == 0, result.stderr
    by_role: dict[str, set[str]] = {}
    for f in result.json()["findings"]:
        by_role.setdefault(f["role"], set()).add(f["rule"])
    assert "cross-account-no-external-id" in by_role["TaggedOpen"]
    assert "TaggedShut" not in by_role
