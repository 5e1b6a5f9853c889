"""vendor-privileged (critical): a role another account can assume that may do everything, every
IAM action, or every action of a privilege-escalation method (cloudsplaining's list), decided by
the evaluator with the boundary and the SCPs. Pure: no server."""

from __future__ import annotations

import pytest

from provisioner.audit import RoleDetail, judge_role
from provisioner.audit.power import ADMIN, ALL_BUT_IAM, IAM_ALL, escalation_methods
from provisioner.organization import OrgPolicies
from tests.test_audit import ACCOUNT, NOW, PINNED, READ, role

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
IAM_STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}
PASS_AND_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/worker"},
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
    ],
}
PASS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}],
}
NOT_ACTION = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "*"}],
}
POWER_USER = {  # AWS's PowerUserAccess: everything but IAM and Organizations (and a few IAM reads)
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
    ],
}


def power(policy, policies=None, org=None, boundary=None):
    r = role("Vendor", condition=PINNED, policy=policy)
    if boundary:
        r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, policies or {}, now=NOW, org=org)
    found = [f for f in verdict.findings if f.rule == "vendor-privileged"]
    assert all(f.severity.value == "critical" for f in found)
    return found[0].evidence["power"] if found else []


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (READ, []),
        (ADMIN_POLICY, [ADMIN]),
        (NOT_ACTION, [ADMIN]),  # NotAction with one S3 action out leaves every other action in
        (IAM_STAR, "iam"),
        (PASS_AND_LAMBDA, ["privilege escalation PassExistingRoleToNewLambdaThenInvoke"]),
        (PASS_ONLY, []),  # iam:PassRole alone is no method: each needs a service to pass it to
    ],
    ids=["read-only", "AdministratorAccess", "NotAction", "iam:*", "PassRole+Lambda", "PassRole alone"],
)
def test_power_beyond_data_is_decided_by_the_evaluator(policy, expected):
    found = power(policy)
    if expected == [ADMIN]:
        assert found == [ADMIN]
    elif expected == "iam":
        assert found[0] == IAM_ALL
        methods = [f for f in found if f.startswith("privilege escalation")]
        assert any("CreateNewPolicyVersion" in m for m in methods)  # iam:* holds every IAM method
    else:
        assert [f.split(" (")[0] for f in found] == expected


def test_power_user_access_holds_the_escalation_paths_through_other_services():
    """NotAction iam:* leaves iam:PassRole out: no PassRole path, and no IAM method."""
    found = power(POWER_USER)
    assert found[0] == ALL_BUT_IAM and IAM_ALL not in found and ADMIN not in found
    assert not [f for f in found if "iam:" in f]
    assert any("UpdateExistingGlueDevEndpoint" in f for f in found)


def test_a_boundary_or_an_scp_takes_the_power_away():
    """ "Permissions boundaries for IAM entities" (intersection) and "Service control policies"
    (an SCP's Deny applies to every principal of the account)."""
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/ReadOnly"
    assert power(ADMIN_POLICY, {boundary: READ}, boundary=boundary) == []
    deny_iam = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:*"], "Resource": "*"},
        ],
    }
    from provisioner.evaluation import Policy

    org = OrgPolicies(scps=[[Policy("scp DenyIam", deny_iam)]])
    found = power(IAM_STAR, org=org)
    assert found == []
    # the finding the SCP took away is counted, as audit's note says for the others
    r = role("Vendor", condition=PINNED, policy=IAM_STAR)
    verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW, org=org)
    assert verdict.withheld == 1 and verdict.withheld_by == ("scp DenyIam",)


def test_the_escalation_list_is_cloudsplainings_and_cited():
    from provisioner.data import load_json

    raw = load_json("privilege-escalation.json")
    assert "salesforce/cloudsplaining" in raw["source"] and "BSD" in raw["license"]
    methods = escalation_methods()
    assert len(methods) == 22 and methods["CreateNewPolicyVersion"] == ("iam:CreatePolicyVersion",)


def test_iam_star_on_one_role_is_that_roles_power_not_a_users():
    """Trial 22q (wording list): iam:* with Resource one role listed iam:CreateAccessKey and the
    other user, group and policy methods, and "every IAM action (iam:*)". Service Authorization
    Reference, IAM: iam:CreateAccessKey acts on the resource type `user`; iam:PutRolePolicy on
    `role`. A request naming a role's ARN is no request CreateAccessKey serves, so only the
    role's own methods are power here, and the IAM actions are said to be on that role."""
    own = f"arn:aws:iam::{ACCOUNT}:role/Vendor"
    found = power(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": own}]}
    )
    assert found[0] == f"every IAM action on {own}", found
    methods = {f.split(" (")[0].removeprefix("privilege escalation ") for f in found[1:]}
    assert methods == {"AttachRolePolicy", "PutRolePolicy", "UpdateRolePolicyToAssumeIt"}, methods
