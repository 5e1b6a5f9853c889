"""--scp-file/--rcp-file (issue 17): a file is read as an SCP or an RCP only when it is one.

A trust policy given as an SCP used to be evaluated as one: its only Allow (sts:AssumeRole)
became the account's whole SCP level, and audit dropped every vendor-write-access and
vendor-resource-wildcard finding without a word. Each type's grammar, from the AWS
Organizations User Guide:
- "SCP syntax", elements summary: Version, Statement, Sid, Effect, Action, NotAction, Resource,
  NotResource, Condition, each with Allow and Deny; no Principal (an SCP limits the principals
  of the accounts it is attached to).
- "RCP syntax", elements summary: Version, Statement, Sid, Effect, Principal, Action, Resource,
  NotResource, Condition; "The effect of Allow is only supported for the RCPFullAWSAccess
  policy"; "Every RCP must include a Version element with the value 2012-10-17"; Principal "*".
- IAM User Guide, "AWS JSON policy elements: NotPrincipal": SCPs and RCPs don't support it.
- "Resource control policies (RCPs)", "List of AWS services that support RCPs".
"""

from __future__ import annotations

import json

import pytest

from provisioner.errors import InputError
from provisioner.evaluation import Policy
from provisioner.organization import FULL_ACCESS, RCP, SCP, OrgPolicies, grammar_fault, load_files

V = "2012-10-17"
LABELBOX = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
TRUST = {
    "Version": V,
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": LABELBOX}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"sts:ExternalId": "lbx-0123456789abcdef"}}}],
}  # fmt: skip
BUCKET_POLICY = {
    "Version": V,
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::images/*"}],
}  # fmt: skip
DENY_WRITES = {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"}
PERIMETER = {
    "Sid": "OrgPerimeter", "Effect": "Deny", "Principal": "*", "Action": ["sts:AssumeRole", "s3:*", "kms:*"],
    "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}},
}  # fmt: skip
RCP_FULL = {
    "Version": V,
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def doc(*statements, **top):
    return {"Version": V, "Statement": list(statements), **top}


REFUSED = [
    # (kind, document, the element named, a word of the rule)
    (SCP, TRUST, "$.Statement[0].Principal", "an SCP has no Principal"),
    (SCP, BUCKET_POLICY, "$.Statement[0].Principal", "trust or resource policy"),
    (SCP, doc({"Effect": "Deny", "NotPrincipal": {"AWS": LABELBOX}, "Action": "s3:*", "Resource": "*"}),
     "$.Statement[0].NotPrincipal", "an SCP has no Principal"),
    (SCP, doc(DENY_WRITES, Id="x"), "$.Id", "not an element"),
    (SCP, {"Version": "2008-10-17", "Statement": [DENY_WRITES]}, "$.Version", '"2012-10-17"'),
    (SCP, doc({**DENY_WRITES, "Effect": "deny"}), "$.Statement[0].Effect", '"Allow" or "Deny"'),
    (SCP, doc({"Effect": "Deny", "Resource": "*"}), "$.Statement[0].Action", "Action or NotAction"),
    (SCP, doc({**DENY_WRITES, "Action": "s3:PutObject"}), "$.Statement[0].Action", "not both"),
    (SCP, doc({**DENY_WRITES, "NotResource": "arn:aws:s3:::logs/*"}), "$.Statement[0].NotResource",
     "not both"),
    (SCP, doc({"Effect": "Deny", "Action": "s3PutObject", "Resource": "*"}), "$.Statement[0].Action",
     '"service:Action"'),
    (SCP, doc({**DENY_WRITES, "Resources": "*"}), "$.Statement[0].Resources", "not an element of an SCP"),
    (SCP, doc(DENY_WRITES, "Allow"), "$.Statement[1]", "a JSON object"),
    (SCP, {"Version": V, "Statement": []}, "$.Statement", "non-empty"),
    (RCP, TRUST, "$.Statement[0].Principal", 'Principal is "*"'),
    (RCP, BUCKET_POLICY, "$.Statement[0].Effect", "RCPFullAWSAccess"),
    (RCP, doc({**PERIMETER, "Principal": {"AWS": "*"}}), "$.Statement[0].Principal", 'Principal is "*"'),
    (RCP, doc({k: v for k, v in PERIMETER.items() if k != "Principal"}), "$.Statement[0].Principal: missing",
     'Principal is "*"'),
    (RCP, doc({**DENY_WRITES, "Principal": "*"}), "$.Statement[0].NotAction", "not an element of an RCP"),
    (RCP, doc({"Effect": "Deny", "NotPrincipal": {"AWS": LABELBOX}, "Action": "s3:*", "Resource": "*"}),
     "$.Statement[0].NotPrincipal", "an RCP has no NotPrincipal"),
    (RCP, doc({**PERIMETER, "Action": ["s3:*", "ec2:RunInstances"]}),
     "$.Statement[0].Action: 'ec2:RunInstances'", "List of AWS services that support RCPs"),
    (RCP, {"Statement": [PERIMETER]}, "$.Version: missing", '"2012-10-17"'),
    (RCP, doc({**RCP_FULL["Statement"][0], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
     "$.Statement[0].Effect", "RCPFullAWSAccess"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "document", "element", "rule"), REFUSED)
def test_a_file_not_of_its_kind_is_refused_naming_the_element(tmp_path, kind, document, element, rule):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document))
    option = "--scp-file" if kind == SCP else "--rcp-file"
    with pytest.raises(InputError) as raised:
        load_files([str(path)] if kind == SCP else [], [str(path)] if kind == RCP else [])
    assert raised.value.field == option.removeprefix("--").replace("-", "_")
    assert raised.value.rule.startswith(element), raised.value.rule
    assert rule in raised.value.rule, raised.value.rule


def test_the_same_file_in_describe_policy_form_is_refused_too(tmp_path):
    path = tmp_path / "described.json"
    summary = {"Id": "p-abc123", "Name": "not-an-scp", "Type": SCP}
    path.write_text(json.dumps({"Policy": {"PolicySummary": summary, "Content": json.dumps(TRUST)}}))
    with pytest.raises(InputError) as raised:
        load_files([str(path)], [])
    assert raised.value.rule.startswith("$.Statement[0].Principal: an SCP has no Principal")


ACCEPTED = [
    (SCP, doc(DENY_WRITES)),
    (SCP, {"Statement": DENY_WRITES}),  # the guide's SCP examples leave Version out
    # SCPs take the whole IAM language: NotAction and Condition with Allow, NotResource
    (SCP, doc({"Sid": "OnlyS3", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*",
               "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})),
    (SCP, doc({"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::logs/*"})),
    (RCP, RCP_FULL),
    (RCP, doc(PERIMETER)),
    (RCP, {"Version": V, "Statement": {**PERIMETER, "Action": "*"}}),
    (RCP, doc({**RCP_FULL["Statement"][0], "Sid": "FullAccess"}, PERIMETER)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "document"), ACCEPTED)
def test_policies_of_their_kind_are_read(tmp_path, kind, document):
    assert grammar_fault(document, kind) is None
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"Policy": {"PolicySummary": {"Name": "given", "Type": kind},
                                           "Content": json.dumps(document)}}))  # fmt: skip
    found = load_files([str(path)] if kind == SCP else [], [str(path)] if kind == RCP else [])
    levels = found.scps if kind == SCP else found.rcps
    assert levels[0][0].name == ("SCP given" if kind == SCP else "RCP given")


def test_a_policy_attached_at_several_levels_is_named_once():
    """FullAWSAccess at the root and at the account: the detail said "SCPs FullAWSAccess,
    FullAWSAccess applied" (found by a first-time user)."""
    full = Policy("SCP FullAWSAccess", FULL_ACCESS)
    org = OrgPolicies(scps=[[full], [full, Policy("SCP vpce-only", FULL_ACCESS)]])
    assert org.describe() == "SCPs FullAWSAccess, vpce-only applied"


def test_files_naming_the_roles_account_as_management_apply_to_none_of_it(tmp_path):
    """Round 20ac (G4, and trust item 2): a describe-policy file's ARN names the management
    account ("arn:aws:organizations::MANAGEMENT:policy/o-…/…", Organizations API Reference,
    PolicySummary Arn), and no SCP or RCP applies there (AWS Organizations User Guide: "SCPs
    don't affect users or roles in the management account", "RCPs don't affect resources in the
    management account"). A Deny-writes SCP given for a role of that account made its writes
    pass least privilege."""
    from dataclasses import replace

    from provisioner.validate import static_checks
    from provisioner.validate.__init__ import read_org_files
    from tests.validate_snapshot import SPEC, snapshot

    def described(management: str) -> str:
        path = tmp_path / f"scp-{management}.json"
        arn = f"arn:aws:organizations::{management}:policy/o-a1b2c3d4e5/service_control_policy/p-denywrite1"
        content = json.dumps(doc(DENY_WRITES))
        path.write_text(json.dumps({"Policy": {"PolicySummary": {"Arn": arn, "Name": "DenyWrites",
                                    "Type": "SERVICE_CONTROL_POLICY"}, "Content": content}}))  # fmt: skip
        return str(path)

    writes = Policy("inline policy writes", doc({"Effect": "Allow", "Action": "s3:PutObject",
                                                "Resource": "arn:aws:s3:::images/*"}))  # fmt: skip

    def least(management: str):
        org = read_org_files(replace(SPEC, scp_files=(described(management),)))
        org = org.applied_to(SPEC.account) if org is not None else None  # as validate applies them
        state = snapshot(org=org)
        state.identity_policies = [*state.identity_policies, writes]
        return {c.name: c for c in static_checks(state, SPEC)}["AWSLeastPrivilege"]

    member = least("111111111111")  # the organization's management account is another one
    assert member.status.value == "pass", member.detail
    management = least("123456789012")  # the role's own account
    assert management.status.value == "warn" and "s3:PutObject" in management.detail, management.detail
    noted = load_files((described("123456789012"),), ()).applied_to("123456789012").describe()
    assert "management account" in noted and "not applied" in noted, noted
    org = load_files((described("123456789012"),), ())
    assert org.applied_to("123456789012").scps == [] and org.applied_to("222222222222").scps
