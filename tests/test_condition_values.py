"""Issue 22 words, item 5: a condition value that can never match (a malformed organization ID,
organization path or account ID) is `condition-value-malformed` (medium) in lint and audit: the
analysis rightly lets nobody in through it, and the report says why instead of showing nothing.
Formats: AWS Organizations API Reference, Organization.Id ("^o-[a-z0-9]{10,32}$"); IAM User
Guide, "AWS global condition context keys" (aws:PrincipalOrgPaths "o-a1b2c3d4e5/r-ab12/…",
aws:PrincipalAccount: the 12-digit account ID). Pure: no server."""

from __future__ import annotations

import json

import pytest

from provisioner.lint import lint_document

ORG_WORDS = "an organization ID (o- and 10\u201332 lowercase letters or digits)"
BAD_ORG = f"the condition can never hold: 'o-abc123' is not {ORG_WORDS}"


def trust(operator: str, key: str, value, action: str = "sts:AssumeRole") -> dict:
    statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action}
    if action != "sts:AssumeRole":
        statement["Resource"] = "arn:aws:s3:::acme-data/*"
    return {"Version": "2012-10-17", "Statement": [{**statement, "Condition": {operator: {key: value}}}]}


def bucket(operator: str, key: str, value) -> dict:
    """The same condition in a bucket policy: the rule reads any document, and no trust analysis
    (a solver run each) is needed to tell the value."""
    return trust(operator, key, value, "s3:GetObject")


def malformed(document) -> list[str]:
    _, findings = lint_document(document, "trust.json")
    return [f.message for f in findings if f.rule == "condition-value-malformed"]


@pytest.mark.parametrize(
    ("operator", "key", "value", "says"),
    [
        ("StringEquals", "aws:PrincipalOrgID", "o-abc123", BAD_ORG),
        ("StringEquals", "aws:principalorgid", "o-abc123", BAD_ORG),  # keys are case-insensitive
        ("StringEquals", "aws:SourceOrgID", "o-ABCDEFGHIJ", "'o-ABCDEFGHIJ' is not an organization ID"),
        ("StringLike", "aws:ResourceOrgID", "org-*", "'org-*' is not an organization ID"),
        ("StringEquals", "aws:PrincipalAccount", "12345678901",
         "'12345678901' is not an account ID (12 digits)"),
        ("StringEquals", "aws:PrincipalOrgPaths", "o-abc/r-ab12/*",
         "'o-abc/r-ab12/*' does not start with an organization ID"),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-abc/r-ab12/*",
         "does not start with an organization ID"),
        # trial 20q item 8: "IAM JSON policy elements: Condition operators": IpAddress compares
        # IP addresses or ranges, Numeric numbers, Date dates; a value of none can never match
        ("NotIpAddress", "aws:SourceIp", "300.1.2.3/8", "'300.1.2.3/8' can never match: it is not an IP"),
        ("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/33", "it is not an IP address or CIDR block"),
        ("NumericLessThan", "s3:max-keys", "abc", "'abc' can never match: it is not a number"),
        ("DateGreaterThan", "aws:CurrentTime", "tomorrow", "'tomorrow' can never match: it is not a date"),
    ],
)  # fmt: skip
def test_a_value_that_can_never_match_is_a_lint_finding(operator, key, value, says):
    found = malformed(bucket(operator, key, value))
    assert len(found) == 1 and says in found[0], found


@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        ("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
        ("StringEqualsIgnoreCase", "aws:PrincipalOrgID", "O-A1B2C3D4E5"),  # matches o-a1b2c3d4e5
        ("StringLike", "aws:PrincipalOrgID", "o-abc123*"),  # o-abc123xxxx is an organization ID
        ("StringLike", "aws:PrincipalOrgID", "*"),
        ("StringEquals", "aws:PrincipalOrgID", "${aws:ResourceOrgID}"),  # a policy variable
        ("StringEquals", "aws:PrincipalAccount", "111122223333"),
        ("StringLike", "aws:PrincipalOrgPaths", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"),
        ("StringEquals", "aws:SourceIp", "o-abc123"),  # not a key of these formats
        ("IpAddress", "aws:SourceIp", "203.0.113.0/24"),
        ("NotIpAddress", "aws:SourceIp", "2001:db8::/32"),
        ("NumericLessThan", "s3:max-keys", "10"),
        ("DateGreaterThan", "aws:CurrentTime", "2027-01-01T00:00:00Z"),
        ("DateLessThan", "aws:EpochTime", "1796390000"),
        ("NumericEquals", "s3:max-keys", "${aws:PrincipalTag/n}"),
    ],
)  # fmt: skip
def test_a_value_that_may_match_is_not(operator, key, value):
    assert malformed(bucket(operator, key, value)) == []


def test_one_bad_value_among_good_ones_is_said_of_that_value():
    found = malformed(bucket("StringEquals", "aws:PrincipalOrgID", ["o-a1b2c3d4e5", "o-abc123"]))
    assert found == [f"the value 'o-abc123' can never match: it is not {ORG_WORDS}"], found


def test_the_trial_trust_is_medium_in_lint_and_audit_never_a_pass(cli, tmp_path):
    """The trial's trust: Principal {"AWS": "*"} narrowed to o-abc123 lets nobody in; lint and
    audit both say why (was lint's principal-wildcard-conditioned alone and audit nothing)."""
    document = trust("StringEquals", "aws:PrincipalOrgID", "o-abc123")
    (tmp_path / "trust.json").write_text(json.dumps(document))
    linted = cli("lint", str(tmp_path / "trust.json"), "-o", "json").json()
    found = [f for f in linted["findings"] if f["rule"] == "condition-value-malformed"]
    assert [(f["severity"], f["message"]) for f in found] == [("medium", BAD_ORG)], linted
    role = {
        "RoleName": "OrgWide",
        "Arn": "arn:aws:iam::123456789012:role/OrgWide",
        "CreateDate": "2026-11-01T00:00:00Z",
        "AssumeRolePolicyDocument": document,
    }
    (tmp_path / "gaad.json").write_text(json.dumps({"RoleDetailList": [role]}))
    audited = cli("audit", "--from-file", str(tmp_path / "gaad.json"), "-o", "json", "--fail-on", "medium")
    found = [f for f in audited.json()["findings"] if f["rule"] == "condition-value-malformed"]
    assert [(f["severity"], f["message"], f["role_arn"]) for f in found] == [
        ("medium", BAD_ORG, role["Arn"])
    ], audited.stdout
    assert audited.code == 1  # --fail-on medium: never a pass
