"""The z3 analysis of the whole chain (analysis/chain.py, analysis/decide.py), one table per
operator family, over a key the vendor chooses (free) or one validate knows, in each kind of
policy: identity, bucket, permissions boundary, SCP, RCP and key policy. Pure: no server.

Each condition sits in an Allow of the identity policy or the boundary (allowed exactly when it
holds) and in a Deny of the bucket policy, an SCP, an RCP or the key policy (allowed exactly when
it does not): PASS allowed for every value of the free keys, FAIL denied for every value, WARN
it depends. The semantics are the IAM User Guide's, "IAM JSON policy elements: Condition
operators" (each family's section is named in its table) and "Policy evaluation logic".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from provisioner.analysis.decide import decide_chain
from provisioner.evaluation import Policy, caller_request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.free import Outcome

ACCOUNT = "123456789012"
ORG = "o-a1b2c3d4e5"
PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/VendorRead"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/VendorRead/vendor"
OBJECT = "arn:aws:s3:::images/cat.png"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
S3_KINDS = ("identity", "bucket", "boundary", "SCP", "RCP")
ALLOWING = {"identity", "boundary"}  # the condition is an Allow's there, a Deny's elsewhere


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def s3_request(**keys):
    """The session's GetObject; its ListBucket where a key only ListBucket carries is given
    (Service Authorization Reference, Amazon S3: s3:prefix is ListBucket's; GetObject carries none)."""
    context = {"aws:PrincipalOrgID": ORG, "aws:PrincipalOrgPaths": [PATH], "aws:PrincipalTag/team": "ml"}
    if "s3:prefix" in keys:
        bucket = OBJECT.split("/", 1)[0]
        return caller_request(SESSION, "s3:ListBucket", bucket, now=NOW, **{**context, **keys})
    return caller_request(SESSION, "s3:GetObject", OBJECT, now=NOW, **{**context, **keys})


def kms_request():
    context = {
        "aws:PrincipalOrgID": ORG,
        "aws:PrincipalTag/team": "ml",
        "aws:ViaAWSService": "true",
        "kms:ViaService": "s3.us-east-1.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": OBJECT,
        "kms:EncryptionContextKeys": ["aws:s3:arn"],
    }
    return caller_request(SESSION, "kms:Decrypt", KEY, now=NOW, **context)


def chain_for(kind: str, condition: dict) -> Chain:
    """The chain with the condition in one policy of `kind`, the rest allowing."""
    allow = {**ALL, "Condition": condition}
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
    identity = [Policy("identity", doc(allow if kind == "identity" else ALL))]
    if kind == "identity":
        return Chain(identity=identity)
    if kind == "boundary":
        return Chain(identity=identity, boundary=Policy("boundary", doc(allow)))
    if kind == "bucket":
        return Chain(identity=identity, resource=[Policy("bucket policy", doc({**deny, "Principal": "*"}))])
    if kind == "SCP":
        return Chain(identity=identity, scps=[[Policy("SCP full", doc(ALL)), Policy("SCP guard", doc(deny))]])
    if kind == "RCP":
        guard = Policy("RCP guard", doc({**deny, "Principal": "*"}))
        return Chain(identity=identity, rcps=[[Policy("RCP full", doc({**ALL, "Principal": "*"})), guard]])
    assert kind == "key policy"
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    key_policy = Policy("key policy", doc(root, {**deny, "Principal": "*"}))
    return Chain(identity=identity, resource=[key_policy], resource_required=True)


# A Deny no request of the session meets (aws:userid starts with the role's unique ID), on a free
# key: the chain is then the solver's to decide, not the evaluator's alone (analysis/decide.py
# lets the evaluator decide a chain that names no free key). Every table runs both ways.
NEVER = {
    "Effect": "Deny",
    "Action": "*",
    "Resource": "*",
    "Condition": {"StringLike": {"aws:userid": "NOT-A-ROLE-ID:*"}},
}


def forced(chain: Chain) -> Chain:
    return replace(chain, identity=[*chain.identity, Policy("identity guard", doc(NEVER))])


def verdict(outcome: Outcome) -> str:
    if outcome.undecided:
        return "not decided"
    return "PASS" if outcome.always else "FAIL" if outcome.never else "WARN"


def expected(when_it_holds: str, kind: str) -> str:
    """The verdict when the condition, in an Allow, gives `when_it_holds`; a Deny flips it."""
    if kind in ALLOWING or when_it_holds == "WARN":
        return when_it_holds
    return {"PASS": "FAIL", "FAIL": "PASS"}[when_it_holds]


def decide(kind: str, condition: dict, *, tags: bool = False, request=None, force: bool = False) -> Outcome:
    s3 = request is None
    free = FreeKeys(tls=s3, network=s3, session_tags=tags, role_tags=frozenset({"team"}))
    chain = forced(chain_for(kind, condition)) if force else chain_for(kind, condition)
    outcome = decide_chain(chain, request or s3_request(), free)
    if not outcome.undecided:  # the requests it was re-checked at show each side it names
        sides = {authorize(chain, at).allowed for at in outcome.requests}
        assert sides == {outcome.allowed is not None, outcome.denied is None}, (condition, sides)
    return outcome


def run_table(table: list[tuple[str, dict, str, bool]], kinds: tuple[str, ...], request=None) -> None:
    for name, condition, holds, tags in table:
        for kind in kinds:
            for force in (False, True):
                got = verdict(decide(kind, condition, tags=tags, request=request, force=force))
                assert got == expected(holds, kind), (name, kind, force, got)


# "String condition operators"; a role session's aws:PrincipalTag/team is the role's tag ("ml")
# unless the trust lets the vendor tag its session ("Passing session tags in AWS STS").
STRINGS = [
    ("StringEquals known", {"StringEquals": {"aws:PrincipalTag/team": "ml"}}, "PASS", False),
    ("StringNotEquals known", {"StringNotEquals": {"aws:PrincipalTag/team": "ml"}}, "FAIL", False),
    (
        "StringEqualsIgnoreCase known",
        {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ML"}},
        "PASS",
        False,
    ),
    ("StringLike known", {"StringLike": {"aws:PrincipalOrgID": "o-a1*"}}, "PASS", False),
    ("StringNotLike known", {"StringNotLike": {"aws:PrincipalOrgID": "o-a1*"}}, "FAIL", False),
    ("StringEquals free tag", {"StringEquals": {"aws:PrincipalTag/team": "ml"}}, "WARN", True),
    ("StringLike free session name", {"StringLike": {"aws:userid": "*:vendor-*"}}, "WARN", False),
    ("StringNotLike free session name, any", {"StringLike": {"aws:userid": "*:*"}}, "PASS", False),
    (
        "StringEqualsIgnoreCase free tag, met with another spelling",
        {
            "StringEqualsIgnoreCase": {"aws:PrincipalTag/project": "Cats"},
            "StringEquals": {"aws:PrincipalTag/project": "cATS"},
        },
        "WARN",
        True,
    ),
]


def test_string_operators_in_every_policy():
    run_table(STRINGS, S3_KINDS)


# "Amazon Resource Name (ARN) condition operators": field by field.
ARNS = [
    (
        "ArnLike known",
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Vendor*"}},
        "PASS",
        False,
    ),
    ("ArnEquals known", {"ArnEquals": {"aws:PrincipalArn": ROLE}}, "PASS", False),
    ("ArnNotLike known", {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Vendor*"}}, "FAIL", False),
    (
        "ArnLike other account",
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/*"}},
        "FAIL",
        False,
    ),
]


def test_arn_operators_in_every_policy():
    run_table(ARNS, S3_KINDS)


# "Condition operator to check existence of condition keys": through a VPC endpoint a request has
# no aws:SourceIp ("AWS global condition context keys"); S3 requests always carry s3:TlsVersion.
NULLS = [
    ("Null free SourceIp", {"Null": {"aws:SourceIp": "true"}}, "WARN", False),
    ("Null free TLS", {"Null": {"s3:TlsVersion": "true"}}, "FAIL", False),
    ("Null known tag", {"Null": {"aws:PrincipalTag/team": "false"}}, "PASS", False),
    ("Null known absent", {"Null": {"aws:PrincipalTag/project": "true"}}, "PASS", False),
    ("Null free tag", {"Null": {"aws:PrincipalTag/project": "false"}}, "WARN", True),
]


def test_null_in_every_policy():
    run_table(NULLS, S3_KINDS)


# "Boolean condition operators".
BOOLS = [
    ("Bool known", {"Bool": {"aws:SecureTransport": "true"}}, "PASS", False),
    ("Bool known false", {"Bool": {"aws:ViaAWSService": "true"}}, "FAIL", False),
    ("Bool free tag", {"Bool": {"aws:PrincipalTag/team": "true"}}, "WARN", True),
    (
        "Bool without regard to case",
        {"Bool": {"aws:PrincipalTag/project": "true"}, "StringEquals": {"aws:PrincipalTag/project": "TRUE"}},
        "WARN",
        True,
    ),
]


def test_bool_in_every_policy():
    run_table(BOOLS, S3_KINDS)


# "Numeric condition operators"; S3 accepts TLS 1.2 and 1.3 (S3 User Guide, "Protecting data in
# transit with encryption").
NUMBERS = [
    (
        "NumericGreaterThanEquals TLS 1.2",
        {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"}},
        "PASS",
        False,
    ),
    (
        "NumericGreaterThanEquals TLS 1.3",
        {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.3"}},
        "WARN",
        False,
    ),
    ("NumericLessThan TLS 1.2", {"NumericLessThan": {"s3:TlsVersion": "1.2"}}, "FAIL", False),
    ("NumericNotEquals TLS 1.4", {"NumericNotEquals": {"s3:TlsVersion": "1.4"}}, "PASS", False),
    ("NumericGreaterThan known epoch", {"NumericGreaterThan": {"aws:EpochTime": "1000"}}, "PASS", False),
    (
        "NumericLessThanEquals known epoch",
        {"NumericLessThanEquals": {"aws:EpochTime": "1000"}},
        "FAIL",
        False,
    ),
]


# A session tag compared only as a number (or only as a date) is decided over every value the
# vendor may pass: the evaluator compares it with the constants alone.
TYPED_TAGS = [
    ("NumericLessThan free tag", {"NumericLessThan": {"aws:PrincipalTag/level": "3"}}, "WARN", True),
    (
        "no number below 3 and above 5",
        {
            "NumericLessThan": {"aws:PrincipalTag/level": "3"},
            "NumericGreaterThan": {"aws:PrincipalTag/level": "5"},
        },
        "FAIL",
        True,
    ),
    (
        "exactly 3",
        {
            "NumericLessThanEquals": {"aws:PrincipalTag/level": "3"},
            "NumericGreaterThanEquals": {"aws:PrincipalTag/level": "3.0"},
        },
        "WARN",
        True,
    ),
    (
        "NumericNotEqualsIfExists free tag",
        {"NumericNotEqualsIfExists": {"aws:PrincipalTag/level": "3"}},
        "WARN",
        True,
    ),
    ("the role's own tag is no number", {"NumericLessThan": {"aws:PrincipalTag/team": "3"}}, "FAIL", False),
    (
        "no date before 2020 and after 2021",
        {
            "DateLessThan": {"aws:PrincipalTag/until": "2020-01-01T00:00:00Z"},
            "DateGreaterThan": {"aws:PrincipalTag/until": "2021-01-01T00:00:00Z"},
        },
        "FAIL",
        True,
    ),
    (
        "DateGreaterThan free tag",
        {"DateGreaterThan": {"aws:PrincipalTag/until": "2021-01-01T00:00:00Z"}},
        "WARN",
        True,
    ),
]


def test_numeric_and_date_comparisons_of_a_session_tag_are_decided():
    run_table(TYPED_TAGS, S3_KINDS)


# A session tag compared as a number (or a date) and by StringEquals / StringNotEquals with
# literal values ("String condition operators": exact, case-sensitive matching) is decided too: a
# value equal to a literal is that literal; any other is decided by its number's region alone.
# ("Numeric condition operators": "3.0" is the number 3, and not the text "3".) It was "not
# decided" (issue 20's leftover 1).
LEVEL, UNTIL = "aws:PrincipalTag/level", "aws:PrincipalTag/until"
MIXED_TAGS = [
    (
        "the text 3 is the number 3",
        {"NumericEquals": {LEVEL: "3"}, "StringEquals": {LEVEL: "3"}},
        "WARN",
        True,
    ),
    (
        "the text low is no number",
        {"NumericLessThan": {LEVEL: "3"}, "StringEquals": {LEVEL: "low"}},
        "FAIL",
        True,
    ),
    (
        "3.0 is 3 and not the text 3",
        {"NumericEquals": {LEVEL: "3"}, "StringNotEquals": {LEVEL: "3"}},
        "WARN",
        True,
    ),
    (
        "the text 3 is never another number",
        {"NumericNotEquals": {LEVEL: "3"}, "StringEquals": {LEVEL: ["3", "03"]}},
        "FAIL",
        True,
    ),
    (
        "a date the text names",
        {"DateGreaterThan": {UNTIL: "2021-01-01"}, "StringEquals": {UNTIL: "2020-06-01"}},
        "FAIL",
        True,
    ),
]


def test_a_session_tag_compared_as_a_number_and_as_a_literal_string_is_decided():
    run_table(MIXED_TAGS, S3_KINDS)


# A session tag compared by IpAddress / NotIpAddress ("IP address condition operators": the value
# is an address, within the ranges or not; a tag value holds "." and ":", so the vendor may pass
# any address, or text that is none) is decided over one value of every region the ranges' ends
# make, one address of the other family and one text that is no address (issue 20's leftover 2).
NET = "aws:PrincipalTag/net"
ADDRESS_TAGS = [
    ("IpAddress free tag", {"IpAddress": {NET: "10.0.0.0/8"}}, "WARN", True),
    (
        "no address in two ranges apart",
        {"IpAddress": {NET: "10.0.0.0/8"}, "NotIpAddress": {NET: "10.0.0.0/7"}},
        "FAIL",
        True,
    ),
    (
        "an address in a range and out of a smaller one",
        {"IpAddress": {NET: "10.0.0.0/8"}, "NotIpAddress": {NET: "10.1.0.0/16"}},
        "WARN",
        True,
    ),
    (
        "the literal is in the range",
        {"IpAddress": {NET: "10.0.0.0/8"}, "StringEquals": {NET: "10.9.9.9"}},
        "WARN",
        True,
    ),
    (
        "the literal is out of the range",
        {"IpAddress": {NET: "10.0.0.0/8"}, "StringEquals": {NET: "192.0.2.1"}},
        "FAIL",
        True,
    ),
    (
        "the role's own tag is no address",
        {"IpAddress": {"aws:PrincipalTag/team": "10.0.0.0/8"}},
        "FAIL",
        False,
    ),
]


def test_an_address_comparison_of_a_session_tag_is_decided():
    run_table(ADDRESS_TAGS, S3_KINDS)


def test_numeric_operators_in_every_policy():
    run_table(NUMBERS, S3_KINDS)


def test_a_tls_floor_says_both_sides():
    outcome = decide("bucket", {"NumericLessThan": {"s3:TlsVersion": "1.3"}})
    assert "depends on s3:TlsVersion: allowed from 1.3, denied below" in outcome.depends


# "Date condition operators": the time and the session's issue time are known.
DATES = [
    (
        "DateGreaterThan known time",
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        "PASS",
        False,
    ),
    ("DateLessThan known time", {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, "FAIL", False),
    ("DateNotEquals token", {"DateNotEquals": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}, "PASS", False),
    (
        "DateGreaterThanEquals epoch",
        {"DateGreaterThanEquals": {"aws:EpochTime": "2030-01-01T00:00:00Z"}},
        "FAIL",
        False,
    ),
]


def test_date_operators_in_every_policy():
    run_table(DATES, S3_KINDS)


# "IP address condition operators"; from the internet aws:SourceIp, IPv4 or IPv6 (S3 dual-stack
# endpoints), through a VPC endpoint aws:VpcSourceIp and no aws:SourceIp.
ADDRESSES = [
    ("IpAddress a range", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, "WARN", False),
    (
        "IpAddressIfExists every address",
        {"IpAddressIfExists": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}},
        "PASS",
        False,
    ),
    ("IpAddress every IPv4 address", {"IpAddressIfExists": {"aws:SourceIp": "0.0.0.0/0"}}, "WARN", False),
    ("NotIpAddress free VPC source", {"NotIpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}}, "WARN", False),
    ("IpAddress a bad range", {"IpAddress": {"aws:SourceIp": "not-a-range"}}, "FAIL", False),
]


def test_ip_address_operators_in_every_policy():
    run_table(ADDRESSES, S3_KINDS)


# A string operator on an address key compares its text ("String condition operators"); a
# request's aws:SourceIp is an address in its usual form (IPv4's dotted decimal), so StringEquals
# one is that address, StringLike whole octets then * a range, and a spelling no request uses
# (a leading zero) nothing. Was "not decided (an address compared as a string)" (issue 20's
# leftover 2); an IPv6 text, or another pattern, still is.
SPELLED = [
    ("StringEquals an address", {"StringEquals": {"aws:SourceIp": "203.0.113.7"}}, "WARN", False),
    ("StringLike whole octets", {"StringLike": {"aws:SourceIp": "203.0.113.*"}}, "WARN", False),
    ("StringLike every first octet", {"StringLikeIfExists": {"aws:SourceIp": ["*"]}}, "PASS", False),
    ("a spelling no request uses", {"StringEquals": {"aws:SourceIp": "203.0.113.07"}}, "FAIL", False),
    (
        "StringNotEquals an address",
        {"StringNotEqualsIfExists": {"aws:SourceIp": "203.0.113.7"}},
        "WARN",
        False,
    ),
    (
        "in the range and not its text",
        {"IpAddress": {"aws:SourceIp": "203.0.113.7/32"}, "StringNotEquals": {"aws:SourceIp": "203.0.113.7"}},
        "FAIL",
        False,
    ),
    ("StringLike a private range", {"StringLike": {"aws:SourceIp": "10.*"}}, "FAIL", False),
]


def test_a_string_operator_on_an_address_key_is_decided():
    run_table(SPELLED, S3_KINDS)


def test_an_address_range_says_inside_and_outside():
    outcome = decide("bucket", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    assert "allowed only from 203.0.113.0 (inside 203.0.113.0/24)" in outcome.depends
    assert "denied from 203.0.114.0 (outside 203.0.113.0/24)" in outcome.depends


# "...IfExists condition operators" and "Single-valued vs. multivalued context keys" (ForAnyValue,
# ForAllValues); aws:PrincipalOrgPaths is multivalued.
SETS = [
    (
        "StringEqualsIfExists absent",
        {"StringEqualsIfExists": {"aws:PrincipalTag/project": "cats"}},
        "PASS",
        False,
    ),
    (
        "StringEqualsIfExists free",
        {"StringEqualsIfExists": {"aws:PrincipalTag/project": "cats"}},
        "WARN",
        True,
    ),
    (
        "ForAnyValue known paths",
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-*"}},
        "PASS",
        False,
    ),
    (
        "ForAllValues known paths",
        {"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/r-zz*"}},
        "FAIL",
        False,
    ),
    (
        "ForAllValues free tag",
        {"ForAllValues:StringEquals": {"aws:PrincipalTag/team": ["ml", "ops"]}},
        "WARN",
        True,
    ),
    (
        "ForAnyValue free tag absent",
        {"ForAnyValue:StringLike": {"aws:PrincipalTag/project": "*"}},
        "WARN",
        True,
    ),
    # the vendor's endpoint is never yours: only from the internet (no aws:SourceVpce) does it hold
    (
        "ForAllValues free endpoint",
        {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        "WARN",
        False,
    ),
    (
        "ForAnyValue free endpoint",
        {"ForAnyValue:StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        "FAIL",
        False,
    ),
]


def test_ifexists_and_set_operators_in_every_policy():
    run_table(SETS, S3_KINDS)


# S3's kms:Decrypt for the session (S3 User Guide, "Using server-side encryption with AWS KMS
# keys": a forward access session with the object's ARN as encryption context); a key policy
# must allow, here by delegating to the account ("AWS KMS: Key policies").
KEY_POLICY = [
    ("Bool ViaAWSService", {"Bool": {"aws:ViaAWSService": "false"}}, "FAIL", False),
    (
        "StringEquals ViaService",
        {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
        "PASS",
        False,
    ),
    (
        "ArnLike context",
        {"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images/*"}},
        "PASS",
        False,
    ),
    (
        "ForAnyValue context keys",
        {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "aws:s3:arn"}},
        "PASS",
        False,
    ),
    ("Null SourceIp: not the vendor's network", {"Null": {"aws:SourceIp": "true"}}, "PASS", False),
    ("StringLike free tag", {"StringLike": {"aws:PrincipalTag/team": "m*"}}, "WARN", True),
    (
        "DateGreaterThan known",
        {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
        "PASS",
        False,
    ),
]


def test_key_policy_conditions_on_the_forward_access_session():
    run_table(KEY_POLICY, ("key policy", "identity", "SCP"), request=kms_request())


# --- the combination ("Policy evaluation logic", "Permissions boundaries for IAM entities") ---

NOTHING = Policy("boundary", doc({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}))


def grant(principal: object) -> Policy:
    return Policy(
        "bucket policy", doc({"Effect": "Allow", "Principal": principal, "Action": "s3:*", "Resource": "*"})
    )


def outcome_of(chain: Chain) -> str:
    plain = verdict(decide_chain(chain, s3_request(), FreeKeys()))
    assert verdict(decide_chain(forced(chain), s3_request(), FreeKeys())) == plain
    return plain


def test_a_grant_to_the_session_bypasses_the_boundary_only_for_that_session_name():
    # "a resource-based policy that grants to the session ... is not limited by the boundary"
    chain = Chain(resource=[grant({"AWS": SESSION})], boundary=NOTHING)
    outcome = decide_chain(chain, s3_request(), FreeKeys())
    assert verdict(outcome) == "WARN" and "allowed only for sessions named vendor" in outcome.depends
    # a grant to the role ARN is limited by the boundary
    assert outcome_of(Chain(resource=[grant({"AWS": ROLE})], boundary=NOTHING)) == "FAIL"
    assert outcome_of(Chain(resource=[grant({"AWS": ROLE})])) == "PASS"


def test_a_notprincipal_deny_always_denies_a_role_with_a_boundary():
    # "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
    # permissions boundary policy attached, regardless of the values specified in NotPrincipal"
    spared = {"AWS": [SESSION, ROLE, f"arn:aws:iam::{ACCOUNT}:root"]}
    deny = {"Effect": "Deny", "NotPrincipal": spared, "Action": "s3:*", "Resource": "*"}
    identity = [Policy("identity", doc(ALL))]
    bucket = Policy("bucket policy", doc(deny))
    assert outcome_of(Chain(identity=identity, resource=[bucket])) == "WARN"  # the session name decides
    bounded = Chain(identity=identity, resource=[bucket], boundary=Policy("boundary", doc(ALL)))
    assert outcome_of(bounded) == "FAIL"


def test_across_accounts_both_sides_must_allow():
    # "Cross-account policy evaluation logic"
    bucket = grant({"AWS": ROLE})
    assert outcome_of(Chain(resource=[bucket], cross_account=True)) == "FAIL"
    assert (
        outcome_of(Chain(identity=[Policy("identity", doc(ALL))], resource=[bucket], cross_account=True))
        == "PASS"
    )


def test_a_key_policy_must_allow_the_role_or_delegate_to_the_account():
    identity = [Policy("identity", doc(ALL))]
    root = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "kms:*", "Resource": "*"}
    other = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    free = FreeKeys(tls=False, network=False)
    for statement, wanted in ((root, "PASS"), (other, "FAIL")):
        chain = Chain(
            identity=identity, resource=[Policy("key policy", doc(statement))], resource_required=True
        )
        assert verdict(decide_chain(chain, kms_request(), free)) == wanted


def test_every_scp_level_must_allow():
    identity = [Policy("identity", doc(ALL))]
    s3_only = Policy("SCP s3", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    ec2_only = Policy("SCP ec2", doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}))
    assert outcome_of(Chain(identity=identity, scps=[[s3_only], [s3_only]])) == "PASS"
    assert outcome_of(Chain(identity=identity, scps=[[s3_only], [ec2_only]])) == "FAIL"


RCP_FULL = Policy("RCP full", doc({**ALL, "Principal": "*"}))
USERID = s3_request().key("aws:userid")  # "role-id:caller-specified-role-name"
ROLE_ID = USERID.split(":", 1)[0]
# IAM User Guide, "IAM policy elements: Variables and tags": aws:userid is
# "role-id:caller-specified-role-name" for a role session, so ${aws:userid} holds the session name
# the vendor chooses. The variable's value is a literal in the text (a session name holds no
# wildcard): the analysis decides it at each value a match can place there and at every other.
# (Was "not decided" for every variable of a free key: this table replaces that expectation.)
VARIABLES = [
    # a prefix whose role ID is another role's: no session name makes it hold
    ({"StringLike": {"s3:prefix": "${aws:userid}/*"}}, "AROAOTHERROLE:vendor/a", None, "never"),
    # the role's own ID: it holds for the session named vendor, and for no other name
    ({"StringLike": {"s3:prefix": "${aws:userid}/*"}}, f"{USERID}/a", None, "vendor"),
    ({"StringEquals": {"s3:prefix": "home/${aws:userid}"}}, f"home/{ROLE_ID}:bob", None, "bob"),
    ({"StringNotEquals": {"s3:prefix": "home/${aws:userid}"}}, f"home/{ROLE_ID}:bob", None, "all but bob"),
    # "String condition operators": StringEqualsIgnoreCase folds case: the session named bob in
    # any spelling (issue 20's leftover 3: a case-folding operator with a variable was not decided)
    (
        {"StringEqualsIgnoreCase": {"s3:prefix": "home/${aws:userid}"}},
        f"HOME/{ROLE_ID.lower()}:BOB",
        None,
        "bob",
    ),
    (
        {"StringNotEqualsIgnoreCase": {"s3:prefix": "home/${aws:userid}"}},
        f"home/{ROLE_ID}:Bob",
        None,
        "all but bob",
    ),
    # a Resource naming the session's own folder: cat.png is in none
    (None, None, "arn:aws:s3:::images/${aws:userid}/*", "never"),
    (None, None, "arn:aws:s3:::*/${aws:userid}*", "never"),  # the name would hold ":" (cat.png has none)
]


@pytest.mark.parametrize(("kind", "case"), [(k, c) for k in S3_KINDS for c in VARIABLES])
def test_a_policy_variable_of_the_session_name_is_decided(kind, case):
    condition, prefix, resource, holds_for = case
    if condition is None:  # the Resource: a grant in an Allow's, or where a Deny applies
        body = {**ALL, "Resource": resource}
        deny = {"Effect": "Deny", "Action": "*", "Resource": resource}
        identity = [Policy("identity", doc(body if kind == "identity" else ALL))]
        chain = {
            "identity": Chain(identity=identity),
            "boundary": Chain(identity=identity, boundary=Policy("boundary", doc(body))),
            "bucket": Chain(identity=identity, resource=[Policy("bucket", doc({**deny, "Principal": "*"}))]),
            "SCP": Chain(identity=identity, scps=[[Policy("SCP full", doc(ALL)), Policy("SCP", doc(deny))]]),
            "RCP": Chain(identity=identity, rcps=[[RCP_FULL, Policy("RCP", doc({**deny, "Principal": "*"}))]]),  # noqa: E501
        }[kind]  # fmt: skip
        request = s3_request()
    else:
        chain, request = chain_for(kind, condition), s3_request(**{"s3:prefix": prefix})
    outcome = decide_chain(chain, request, FreeKeys())
    allowing = kind in ALLOWING
    if holds_for == "never":
        assert verdict(outcome) == ("FAIL" if allowing else "PASS"), outcome
        return
    assert verdict(outcome) == "WARN" and "session name" in outcome.depends, outcome
    named = holds_for.removeprefix("all but ")
    side = "allowed" if allowing == (holds_for == named) else "denied"
    # in any spelling, where the operator folds case
    assert f"{side} for sessions named {named}" in outcome.depends.lower(), outcome.depends


def test_a_policy_variable_of_a_session_tag_is_decided_where_the_vendor_tags_its_session():
    """ "Variables and tags": ${aws:PrincipalTag/team} in a Resource; where the trust lets the
    vendor tag its session, the tag is its choice: the team folder it names decides."""
    body = {**ALL, "Resource": "arn:aws:s3:::images/${aws:PrincipalTag/project}/*"}
    chain = Chain(identity=[Policy("identity", doc(body))])
    request = caller_request(SESSION, "s3:GetObject", "arn:aws:s3:::images/cats/1.png", now=NOW)
    outcome = decide_chain(chain, request, FreeKeys(session_tags=True))
    assert verdict(outcome) == "WARN" and "aws:PrincipalTag/project" in outcome.depends, outcome
    assert "cats" in outcome.depends, outcome.depends
    assert verdict(decide_chain(chain, request, FreeKeys())) == "FAIL"  # no tag: the grant names nothing


def test_a_depends_on_whose_values_no_representative_shows_says_the_solvers_values():
    """A session tag like a* but not like ax*: every representative evaluation/regions.py writes
    (a member of each pattern, 'ax' and 'axx'; another value; none) is refused, so the allowed side
    is the solver's own value, re-checked by the evaluator before it is shown."""
    condition = {
        "StringLike": {"aws:PrincipalTag/project": "a*"},
        "StringNotLike": {"aws:PrincipalTag/project": "ax*"},
    }
    outcome = decide("identity", condition, tags=True)
    assert verdict(outcome) == "WARN"
    words = outcome.depends.removeprefix(
        "depends on the vendor's session tag aws:PrincipalTag/project: allowed when it is '"
    )
    assert words != outcome.depends, outcome.depends
    shown = words.split("'", 1)[0]
    assert shown.startswith("a") and not shown.startswith("ax"), shown


def test_an_scp_allowing_s3_only_from_a_private_range_refuses_every_request():
    """Trial 20p item 2. IAM User Guide, "AWS global condition context keys": aws:SourceIp is the
    requester's address, and through a VPC endpoint it is absent (aws:VpcSourceIp holds the
    private address). A request from the internet never comes from a private range (RFC 6890),
    so "Deny S3 when NotIpAddress 10.0.0.0/8" refuses the vendor's every request: FAIL, not a
    WARN "allowed only from 10.0.0.0". A public range still depends on the address."""
    identity = [Policy("identity", doc(ALL))]
    for cidr, wanted in (("10.0.0.0/8", "FAIL"), ("203.0.113.0/24", "WARN")):
        deny = {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": cidr}},
        }
        chain = Chain(identity=identity, scps=[[Policy("SCP full", doc(ALL)), Policy("SCP ip", doc(deny))]])
        assert verdict(decide_chain(chain, s3_request(), FreeKeys())) == wanted, cidr


def test_an_escaped_question_mark_in_a_session_name_pattern_is_a_literal_no_session_holds():
    """Trial 20p item 3. IAM User Guide, "Variables and tags": ${?} is a literal "?". A session
    name holds no "?" ([\\w+=,.@-]), so a Deny unless aws:userid is like ROLE-ID:${?}* refuses
    every session: FAIL (it was "not decided … with a wildcard from a policy variable")."""
    condition = {"StringNotLike": {"aws:userid": f"{ROLE_ID}:${{?}}*"}}
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": "*", "Condition": condition}
    chain = Chain(identity=[Policy("identity", doc(ALL))], resource=[Policy("bucket", doc(deny))])
    assert verdict(decide_chain(chain, s3_request(), FreeKeys())) == "FAIL"


def test_an_ipv4_only_allow_list_says_ipv6_callers_are_refused():
    """Trial 20r item 6: `NotIpAddress aws:SourceIp 0.0.0.0/0` in a Deny was said "allowed only
    from 0.0.0.0 (inside 0.0.0.0/0)", an address no caller has, and never said that a caller over
    IPv6 is refused ("IP address condition operators": an IPv6 address is in no IPv4 range; S3's
    dual-stack endpoints take IPv6 requests)."""
    outcome = decide("bucket", {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}})
    assert verdict(outcome) == "WARN"
    assert "allowed only from 198.51.100.23 (inside 0.0.0.0/0)" in outcome.depends, outcome.depends
    assert "denied from 2600:1f18::1 (IPv6)" in outcome.depends and "0.0.0.0 " not in outcome.depends


def test_two_free_variables_in_one_value_are_decided():
    """Two session tags in one value ("Policy variables": each takes the request's value) were
    "not decided". Each is one of the substrings a match can place there, another value, or
    absent; the evaluator decides every combination, so the answer is exact: the role's ARN is
    matched when the two tags spell its name between them, and never otherwise."""
    spelled = "arn:aws:iam::123456789012:role/${aws:PrincipalTag/a}${aws:PrincipalTag/b}"
    for kind in ("identity", "bucket"):
        outcome = decide(kind, {"StringEquals": {"aws:PrincipalArn": spelled}}, tags=True)
        assert verdict(outcome) == "WARN", (kind, outcome.undecided)
        assert "aws:PrincipalTag/a" in outcome.depends and "aws:PrincipalTag/b" in outcome.depends
    # without session tags the variables are absent: the value matches nothing
    assert verdict(decide("identity", {"StringEquals": {"aws:PrincipalArn": spelled}})) == "FAIL"
