"""A GitHub Actions OIDC role without a sub condition, through moto's server: the provider made
with CreateOpenIDConnectProvider, the role with its Federated trust; audit, inventory and who-can
read it back over HTTP (GetAccountAuthorizationDetails, bucket policies) and name it."""

from __future__ import annotations

import json

from provisioner import sandbox

from .conftest import BUCKET

ISSUER = "token.actions.githubusercontent.com"


def github_role(iam, name: str, condition: dict) -> None:
    arn = iam.create_open_id_connect_provider(
        Url=f"https://{ISSUER}",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{sandbox.CUSTOMER_ACCOUNT}:oidc-provider/{ISSUER}"
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    grant = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    iam.put_role_policy(
        RoleName=name,
        PolicyName="deploy",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [grant]}),
    )


def test_a_github_role_without_sub_is_audited_inventoried_and_named_by_who_can(cli, aws_env, customer):
    github_role(customer.iam, "GithubDeploy", {"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}})

    audited = cli("audit", "-o", "json", "--fail-on", "none")
    assert audited.code == 0, audited.stderr
    report = audited.json()
    rules = {f["rule"]: f for f in report["findings"] if f["role"] == "GithubDeploy"}
    assert rules["federated-any-subject"]["severity"] == "critical"
    assert f'"{ISSUER}:sub"' in rules["federated-any-subject"]["message"]
    assert "vendor-write-access" in rules  # its grants judged like any outside role's
    failing = cli("audit", "-o", "json")
    assert failing.code == 1  # critical: the default --fail-on

    inventory = cli("inventory", "-o", "json", "--fail-on", "none")
    assert inventory.code == 0, inventory.stderr
    parties = {p["name"]: p for p in inventory.json()["parties"]}
    github = parties["GitHub Actions (any repository)"]
    assert github["kind"] == "identity-provider" and github["worst"] == "critical"
    [deploy] = github["roles"]
    assert deploy["role_arn"].endswith(":role/GithubDeploy")
    assert f"s3://{BUCKET}/* write" in deploy["scope_shown"]

    who = cli("who-can", "write", f"s3://{BUCKET}/", "-o", "json")
    assert who.code == 0, who.stderr
    routes = [r for r in who.json()["routes"] if r["party"] == "GitHub Actions (any repository)"]
    assert [r["role_arn"].rpartition("/")[2] for r in routes] == ["GithubDeploy"]
    assert routes[0]["condition"].startswith(f"none: no condition on {ISSUER}:sub")


def test_a_github_role_pinned_to_a_repository_is_listed_without_the_finding(cli, aws_env, customer):
    sub = "repo:acme/site:ref:refs/heads/main"
    github_role(
        customer.iam,
        "GithubRelease",
        {"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com", f"{ISSUER}:sub": sub}},
    )
    audited = cli("audit", "-o", "json", "--fail-on", "none").json()
    assert not [
        f for f in audited["findings"] if f["role"] == "GithubRelease" and f["rule"].startswith("federated-")
    ]
    inventory = cli("inventory", "-o", "json", "--fail-on", "none").json()
    assert f"GitHub Actions: {sub}" in {p["name"] for p in inventory["parties"]}
