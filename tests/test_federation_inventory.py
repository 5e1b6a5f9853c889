# ruff: noqa: E501  (the cases read best one a line)
"""Federated parties in inventory and who-can, offline from a GAAD file: an identity provider a
role trusts (GitHub Actions without a sub condition; a repository it is pinned to) is a party
with its scope, power and staleness, and who-can shows its route with the condition that decides
it. Pure: no server."""

from __future__ import annotations

import json

import pytest

from provisioner.inventory import InventorySpec, run
from tests.test_inventory import ACCOUNT, ADMIN, LABELBOX_ROLE, NOW, READ_TRAIN, allow, doc, role

GH = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
SUB = "token.actions.githubusercontent.com:sub"
WRITE_IMAGES = doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::acme-images/*"))


def federated_role(name, policy, condition, *, used="2026-11-20"):
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": GH},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": "2025-01-01T00:00:00Z",
        "RoleLastUsed": {"LastUsedDate": f"{used}T00:00:00Z", "Region": "us-east-1"} if used else {},
        "AssumeRolePolicyDocument": doc(statement),
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}],
    }


OPEN = federated_role("Deploy", WRITE_IMAGES, {"StringEquals": AUD})  # any repository
PINNED = federated_role(
    "Release", READ_TRAIN, {"StringEquals": {**AUD, SUB: "repo:acme/site:ref:refs/heads/main"}}, used=None
)
LABELBOX_READ = role("LabelboxRead", LABELBOX_ROLE, READ_TRAIN)
ADMIN_CI = federated_role("CiAdmin", ADMIN, {"StringLike": {SUB: "repo:*"}})


@pytest.fixture
def gaad(tmp_path):
    def write(roles):
        path = tmp_path / "gaad.json"
        path.write_text(json.dumps({"RoleDetailList": roles}))
        return str(path)

    return write


def test_an_identity_provider_is_a_party_with_scope_power_and_staleness(gaad):
    result = run(InventorySpec(from_file=gaad([OPEN, PINNED])), now=NOW)
    by_name = {p.party.name: p for p in result.parties}
    assert set(by_name) == {
        "GitHub Actions (any repository)",
        "GitHub Actions: repo:acme/site:ref:refs/heads/main",
    }
    anyone = by_name["GitHub Actions (any repository)"]
    assert anyone.party.kind == "identity-provider" and anyone.worst.value == "critical"
    [deploy] = anyone.roles
    assert "federated-any-subject" in deploy.rules and "vendor-write-access" in deploy.rules
    assert "any repository can assume the role" in deploy.trust
    assert deploy.scope.shown == "s3://acme-images/* read, write; nothing else"
    assert not deploy.stale  # used two days before NOW
    pinned = by_name["GitHub Actions: repo:acme/site:ref:refs/heads/main"]
    [release] = pinned.roles
    assert release.trust == "only GitHub Actions: repo:acme/site:ref:refs/heads/main gets in"
    assert release.stale  # created 2025-01-01, never used
    assert (
        release.remove
        == f"provision delete-role --role-name Release --profile <a profile for account {ACCOUNT}> --force --dry-run"
    )


def test_a_provider_holding_administrator_power_ranks_first(gaad):
    """Each party once: two roles open to any repository are one party, ranked before a vendor."""
    result = run(InventorySpec(from_file=gaad([LABELBOX_READ, OPEN, ADMIN_CI])), now=NOW)
    first = result.parties[0]
    assert first.party.name == "GitHub Actions (any repository)" and first.privileged
    assert [r.role_name for r in first.roles] == ["Deploy", "CiAdmin"]
    assert "vendor-privileged" in first.roles[1].rules
    assert [p.party.name for p in result.parties] == ["GitHub Actions (any repository)", "Labelbox"]


def test_the_table_shows_where_the_party_is(cli, gaad):
    shown = cli("inventory", "--from-file", gaad([OPEN]), "-o", "table")
    assert shown.code == 1, shown.stderr  # a critical finding fails at the default --fail-on
    assert "GitHub Actions (any repository) [identity provider]" in shown.stdout


def test_who_can_write_shows_the_federated_route_and_its_condition(cli, gaad):
    found = cli("who-can", "write", "s3://acme-images/", "--from-file", gaad([OPEN, PINNED]), "-o", "json")
    assert found.code == 0, found.stderr
    [route] = found.json()["routes"]  # Release only reads train/
    assert route["party"] == "GitHub Actions (any repository)" and route["via"] == "role"
    assert (
        route["condition"]
        == "none: no condition on token.actions.githubusercontent.com:sub that pins the repository"
    )
    assert route["worst"] == "critical" and route["kind"] == "identity-provider"
    read = cli(
        "who-can", "read", "s3://acme-images/train/", "--from-file", gaad([OPEN, PINNED]), "-o", "json"
    ).json()
    by_party = {r["party"]: r for r in read["routes"]}
    pinned = by_party["GitHub Actions: repo:acme/site:ref:refs/heads/main"]
    assert pinned["condition"] == "token.actions.githubusercontent.com:sub repo:acme/site:ref:refs/heads/main"
    assert pinned["trust"].endswith(
        "with token.actions.githubusercontent.com:sub repo:acme/site:ref:refs/heads/main"
    )


def test_audit_words_a_federated_role_by_its_provider_not_as_another_account(cli, gaad):
    """Item 1 of issue 22's leftovers: a role GitHub Actions' users can assume is not 'a role
    another account can assume', in the finding (every format carries it), the summary and the
    HTML graph; a trust letting in both says both."""
    path = gaad([OPEN])
    shown = cli("audit", "--from-file", path, "-o", "json")
    [write] = [f for f in shown.json()["findings"] if f["rule"] == "vendor-write-access"]
    assert write["message"] == (
        "the role, which users of token.actions.githubusercontent.com can assume, may s3:PutObject"
    )
    table = cli("audit", "--from-file", path, "-o", "table").stdout
    assert "another account" not in table
    assert "1 users of an identity provider can assume" in table
    page = cli("audit", "--from-file", path, "-o", "html").stdout
    assert "federated:" not in page and "users of token.actions.githubusercontent.com" in page
    for output in ("sarif", "markdown", "csv", "text"):  # the rules' titles too
        assert "another account can assume" not in cli("audit", "--from-file", path, "-o", output).stdout, (
            output
        )
    both = dict(OPEN, RoleName="Both", Arn=f"arn:aws:iam::{ACCOUNT}:role/Both")
    statement = {"Effect": "Allow", "Principal": {"AWS": LABELBOX_ROLE}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": "a-unique-id-from-the-vendor-0001"}}}  # fmt: skip
    both["AssumeRolePolicyDocument"] = doc(*OPEN["AssumeRolePolicyDocument"]["Statement"], statement)
    findings = cli("audit", "--from-file", gaad([both]), "-o", "json").json()["findings"]
    [write] = [f for f in findings if f["rule"] == "vendor-write-access"]
    assert (
        "which another account and users of token.actions.githubusercontent.com can assume"
        in write["message"]
    )
