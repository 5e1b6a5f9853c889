"""The evaluator's own table: policy, request, expected decision, grouped by the AWS rule.

Each group names the IAM User Guide section it follows. moto evaluates neither trust
policies nor external IDs, so these cases are what validate's and audit's verdicts rest on.
"""

from __future__ import annotations

import pytest

from provisioner.evaluation import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Policy, Request, evaluate

VENDOR_ACCOUNT = "340636424752"
VENDOR_ROLE = f"arn:aws:iam::{VENDOR_ACCOUNT}:role/lb-aws-delegated-access-role"
VENDOR_SESSION = f"arn:aws:sts::{VENDOR_ACCOUNT}:assumed-role/lb-aws-delegated-access-role/s1"
OTHER_SESSION = "arn:aws:sts::111111111111:assumed-role/attacker/s1"
ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/LabelboxS3Access/vendor"
BUCKET = "arn:aws:s3:::data"
OBJECT = "arn:aws:s3:::data/images/a.png"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**fields):
    return {"Effect": "Allow", **fields}


def deny(**fields):
    return {"Effect": "Deny", **fields}


def trust(condition=None, principal=None, **extra):
    statement = allow(Principal=principal or {"AWS": VENDOR_ROLE}, Action="sts:AssumeRole", **extra)
    if condition is not None:
        statement["Condition"] = condition
    return doc(statement)


def assume(caller=VENDOR_SESSION, external_id="ext-1234567890abcdef", **context):
    ctx = dict(context)
    if external_id is not None:
        ctx["sts:ExternalId"] = external_id
    return Request(caller, "sts:AssumeRole", "arn:aws:iam::123456789012:role/LabelboxS3Access", ctx)


def s3(action, resource=OBJECT, caller=ROLE_SESSION, **context):
    return Request(caller, action, resource, context)


PINNED = {"StringEquals": {"sts:ExternalId": "ext-1234567890abcdef"}}

CASES = {
    # "Policy evaluation logic" > "Determining whether a request is allowed or denied within an
    # account": explicit deny overrides allow; no allow means implicit deny.
    "evaluation-logic": [
        ("allow matches", doc(allow(Action="s3:GetObject", Resource=OBJECT)), s3("s3:GetObject"), ALLOW),
        (
            "nothing matches",
            doc(allow(Action="s3:GetObject", Resource=OBJECT)),
            s3("s3:PutObject"),
            IMPLICIT_DENY,
        ),
        ("empty policy", doc(), s3("s3:GetObject"), IMPLICIT_DENY),
        (
            "deny beats allow",
            doc(allow(Action="s3:*", Resource="*"), deny(Action="s3:GetObject", Resource=OBJECT)),
            s3("s3:GetObject"),
            EXPLICIT_DENY,
        ),
        (
            "deny elsewhere leaves allow",
            doc(
                allow(Action="s3:*", Resource="*"),
                deny(Action="s3:GetObject", Resource="arn:aws:s3:::other/*"),
            ),
            s3("s3:GetObject"),
            ALLOW,
        ),
        (
            "deny without allow",
            doc(deny(Action="s3:GetObject", Resource="*")),
            s3("s3:GetObject"),
            EXPLICIT_DENY,
        ),
        (
            "conditional deny not met",
            doc(
                allow(Action="s3:GetObject", Resource="*"),
                deny(
                    Action="s3:GetObject", Resource="*", Condition={"Bool": {"aws:SecureTransport": "false"}}
                ),
            ),
            s3("s3:GetObject", **{"aws:SecureTransport": "true"}),
            ALLOW,
        ),
        (
            "conditional deny met",
            doc(
                allow(Action="s3:GetObject", Resource="*"),
                deny(
                    Action="s3:GetObject", Resource="*", Condition={"Bool": {"aws:SecureTransport": "false"}}
                ),
            ),
            s3("s3:GetObject", **{"aws:SecureTransport": "false"}),
            EXPLICIT_DENY,
        ),
        (
            "single statement object",
            {"Version": "2012-10-17", "Statement": allow(Action="s3:GetObject", Resource="*")},
            s3("s3:GetObject"),
            ALLOW,
        ),
    ],
    # "IAM JSON policy elements: Principal": AWS account principals, role principals and role
    # sessions, '*' (anonymous/everyone), service principals.
    "principal": [
        ("role ARN matches its session", trust(PINNED), assume(), ALLOW),
        (
            "role ARN does not match another role",
            trust(PINNED),
            assume(caller=f"arn:aws:sts::{VENDOR_ACCOUNT}:assumed-role/other-role/s1"),
            IMPLICIT_DENY,
        ),
        (
            "role ARN does not match another account",
            trust(PINNED),
            assume(caller=OTHER_SESSION),
            IMPLICIT_DENY,
        ),
        (
            "account root trusts every principal of that account",
            trust(PINNED, {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}),
            assume(caller=f"arn:aws:sts::{VENDOR_ACCOUNT}:assumed-role/any-role/s"),
            ALLOW,
        ),
        (
            "account ID is the account root",
            trust(PINNED, {"AWS": VENDOR_ACCOUNT}),
            assume(caller=f"arn:aws:iam::{VENDOR_ACCOUNT}:user/bob"),
            ALLOW,
        ),
        (
            "account root is not another account",
            trust(PINNED, {"AWS": VENDOR_ACCOUNT}),
            assume(caller=OTHER_SESSION),
            IMPLICIT_DENY,
        ),
        (
            "user ARN matches that user",
            trust(PINNED, {"AWS": "arn:aws:iam::111111111111:user/bob"}),
            assume(caller="arn:aws:iam::111111111111:user/bob"),
            ALLOW,
        ),
        (
            "user ARN is not another user",
            trust(PINNED, {"AWS": "arn:aws:iam::111111111111:user/bob"}),
            assume(caller="arn:aws:iam::111111111111:user/eve"),
            IMPLICIT_DENY,
        ),
        ("session ARN matches exactly", trust(PINNED, {"AWS": VENDOR_SESSION}), assume(), ALLOW),
        ("'*' is everyone", trust(PINNED, "*"), assume(caller=OTHER_SESSION), ALLOW),
        ("AWS '*' is everyone", trust(PINNED, {"AWS": "*"}), assume(caller=OTHER_SESSION), ALLOW),
        (
            "list of principals is OR",
            trust(PINNED, {"AWS": ["arn:aws:iam::111111111111:root", VENDOR_ROLE]}),
            assume(),
            ALLOW,
        ),
        (
            "partial wildcard matches nothing",
            trust(PINNED, {"AWS": "arn:aws:iam::340636424752:role/lb-*"}),
            assume(),
            IMPLICIT_DENY,
        ),
        (
            "service principal",
            doc(allow(Principal={"Service": "ec2.amazonaws.com"}, Action="sts:AssumeRole")),
            Request("ec2.amazonaws.com", "sts:AssumeRole"),
            ALLOW,
        ),
        (
            "service principal is not an account",
            doc(allow(Principal={"Service": "ec2.amazonaws.com"}, Action="sts:AssumeRole")),
            assume(),
            IMPLICIT_DENY,
        ),
    ],
    # "IAM JSON policy elements: NotPrincipal".
    "not-principal": [
        (
            "allow NotPrincipal grants everyone else",
            doc(allow(NotPrincipal={"AWS": VENDOR_ROLE}, Action="sts:AssumeRole")),
            assume(caller=OTHER_SESSION),
            ALLOW,
        ),
        (
            "allow NotPrincipal excludes the listed",
            doc(allow(NotPrincipal={"AWS": VENDOR_ROLE}, Action="sts:AssumeRole")),
            assume(),
            IMPLICIT_DENY,
        ),
        (
            "deny NotPrincipal denies everyone else",
            doc(
                allow(Principal="*", Action="sts:AssumeRole"),
                deny(NotPrincipal={"AWS": VENDOR_ROLE}, Action="sts:AssumeRole"),
            ),
            assume(caller=OTHER_SESSION),
            EXPLICIT_DENY,
        ),
        # With Deny, NotPrincipal spares a role session only when it names the session's ARN, the
        # role's ARN and the account ("AWS JSON policy elements: NotPrincipal": "you must also
        # specify the account ARN of the not-denied principal"; for a role session, "the
        # assumed-role session ARN, the role ARN and the account"). These were spared before
        # (found by a first-time user: a wrong PASS in validate).
        *[
            (
                f"deny NotPrincipal naming {label} does not spare the session",
                doc(
                    allow(Principal="*", Action="sts:AssumeRole"),
                    deny(NotPrincipal={"AWS": named}, Action="sts:AssumeRole"),
                ),
                assume(),
                EXPLICIT_DENY,
            )
            for label, named in (
                ("only the role", [VENDOR_ROLE]),
                ("the role and the account", [VENDOR_ROLE, f"arn:aws:iam::{VENDOR_ACCOUNT}:root"]),
                ("only the account", [f"arn:aws:iam::{VENDOR_ACCOUNT}:root"]),
                ("the session and the account", [VENDOR_SESSION, VENDOR_ACCOUNT]),
                ("the session and the role", [VENDOR_SESSION, VENDOR_ROLE]),
            )
        ],
        (
            "deny NotPrincipal naming the session, the role and the account spares it",
            doc(
                allow(Principal="*", Action="sts:AssumeRole"),
                deny(
                    NotPrincipal={
                        "AWS": [VENDOR_SESSION, VENDOR_ROLE, f"arn:aws:iam::{VENDOR_ACCOUNT}:root"]
                    },
                    Action="sts:AssumeRole",
                ),
            ),
            assume(),
            ALLOW,
        ),
        (
            "deny NotPrincipal naming another session of the role does not spare this one",
            doc(
                allow(Principal="*", Action="sts:AssumeRole"),
                deny(
                    NotPrincipal={"AWS": [VENDOR_SESSION[:-2] + "s2", VENDOR_ROLE, VENDOR_ACCOUNT]},
                    Action="sts:AssumeRole",
                ),
            ),
            assume(),
            EXPLICIT_DENY,
        ),
    ],
    # "IAM JSON policy elements: Action" / "NotAction": case-insensitive, wildcards.
    "action": [
        (
            "action is case-insensitive",
            doc(allow(Action="S3:getobject", Resource="*")),
            s3("s3:GetObject"),
            ALLOW,
        ),
        ("service wildcard", doc(allow(Action="s3:*", Resource="*")), s3("s3:DeleteObject"), ALLOW),
        ("prefix wildcard", doc(allow(Action="s3:Get*", Resource="*")), s3("s3:GetObjectAcl"), ALLOW),
        (
            "prefix wildcard is not another verb",
            doc(allow(Action="s3:Get*", Resource="*")),
            s3("s3:PutObject"),
            IMPLICIT_DENY,
        ),
        ("infix wildcard", doc(allow(Action="s3:*Object", Resource="*")), s3("s3:PutObject"), ALLOW),
        (
            "single-character wildcard",
            doc(allow(Action="s3:?etObject", Resource="*")),
            s3("s3:GetObject"),
            ALLOW,
        ),
        ("everything", doc(allow(Action="*", Resource="*")), s3("s3:PutBucketPolicy", BUCKET), ALLOW),
        (
            "wildcard does not cross services",
            doc(allow(Action="s3:*", Resource="*")),
            s3("kms:Decrypt", "*"),
            IMPLICIT_DENY,
        ),
        (
            "allow NotAction grants others",
            doc(allow(NotAction="s3:DeleteObject", Resource="*")),
            s3("s3:PutObject"),
            ALLOW,
        ),
        (
            "allow NotAction excludes listed",
            doc(allow(NotAction="s3:DeleteObject", Resource="*")),
            s3("s3:DeleteObject"),
            IMPLICIT_DENY,
        ),
        (
            "deny NotAction denies the rest",
            doc(allow(Action="*", Resource="*"), deny(NotAction="s3:Get*", Resource="*")),
            s3("s3:PutObject"),
            EXPLICIT_DENY,
        ),
    ],
    # "IAM JSON policy elements: Resource" / "NotResource": wildcards, case-sensitive.
    "resource": [
        (
            "bucket/* covers objects",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/*")),
            s3("s3:GetObject"),
            ALLOW,
        ),
        (
            "bucket/* is not the bucket",
            doc(allow(Action="s3:ListBucket", Resource="arn:aws:s3:::data/*")),
            s3("s3:ListBucket", BUCKET),
            IMPLICIT_DENY,
        ),
        (
            "prefix limits objects",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/images/*")),
            s3("s3:GetObject", "arn:aws:s3:::data/other/a.png"),
            IMPLICIT_DENY,
        ),
        (
            "resource is case-sensitive",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/Images/*")),
            s3("s3:GetObject"),
            IMPLICIT_DENY,
        ),
        (
            "'*' crosses slashes",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/*.png")),
            s3("s3:GetObject"),
            ALLOW,
        ),
        (
            "bucket-name wildcard reaches other buckets",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::da*/*")),
            s3("s3:GetObject", "arn:aws:s3:::database/x"),
            ALLOW,
        ),
        (
            "allow NotResource grants the rest",
            doc(allow(Action="s3:GetObject", NotResource="arn:aws:s3:::secret/*")),
            s3("s3:GetObject", "arn:aws:s3:::other/x"),
            ALLOW,
        ),
        (
            "allow NotResource excludes listed",
            doc(allow(Action="s3:GetObject", NotResource="arn:aws:s3:::data/*")),
            s3("s3:GetObject"),
            IMPLICIT_DENY,
        ),
        ("no Resource (trust policy) matches", trust(PINNED), assume(), ALLOW),
    ],
    # "Policy variables and tags": ${...} in resources and conditions, ${*} ${?} ${$} literals.
    "policy-variables": [
        (
            "variable resolves",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/${aws:username}/*")),
            s3("s3:GetObject", "arn:aws:s3:::data/bob/x", **{"aws:username": "bob"}),
            ALLOW,
        ),
        (
            "variable for another user",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/${aws:username}/*")),
            s3("s3:GetObject", "arn:aws:s3:::data/eve/x", **{"aws:username": "bob"}),
            IMPLICIT_DENY,
        ),
        (
            "missing variable matches nothing",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/${aws:username}/*")),
            s3("s3:GetObject", "arn:aws:s3:::data/bob/x"),
            IMPLICIT_DENY,
        ),
        (
            "${$} is a literal dollar",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/${$}{x}/*")),
            s3("s3:GetObject", "arn:aws:s3:::data/${x}/a"),
            ALLOW,
        ),
        (
            "${*} is a literal star, not a wildcard",
            doc(allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/a${*}")),
            s3("s3:GetObject", "arn:aws:s3:::data/abc"),
            IMPLICIT_DENY,
        ),
        (
            "variables are literal in version 2008-10-17",
            {
                "Version": "2008-10-17",
                "Statement": [allow(Action="s3:GetObject", Resource="arn:aws:s3:::data/${aws:username}/*")],
            },
            s3("s3:GetObject", "arn:aws:s3:::data/${aws:username}/x", **{"aws:username": "bob"}),
            ALLOW,
        ),
    ],
    # "Condition operators" > String: exact, IgnoreCase, Like; multiple values are OR,
    # negated operators need every value to differ; several keys/operators are AND.
    "string-conditions": [
        ("StringEquals pins the external ID", trust(PINNED), assume(), ALLOW),
        ("StringEquals refuses another ID", trust(PINNED), assume(external_id="guess"), IMPLICIT_DENY),
        ("StringEquals refuses a missing ID", trust(PINNED), assume(external_id=None), IMPLICIT_DENY),
        (
            "StringEquals is case-sensitive",
            trust(PINNED),
            assume(external_id="EXT-1234567890ABCDEF"),
            IMPLICIT_DENY,
        ),
        (
            "values are OR (rotation window)",
            trust({"StringEquals": {"sts:ExternalId": ["old-id-1", "ext-1234567890abcdef"]}}),
            assume(),
            ALLOW,
        ),
        (
            "StringEqualsIgnoreCase",
            trust({"StringEqualsIgnoreCase": {"sts:ExternalId": "EXT-1234567890ABCDEF"}}),
            assume(),
            ALLOW,
        ),
        (
            "StringLike '*' accepts any ID",
            trust({"StringLike": {"sts:ExternalId": "*"}}),
            assume(external_id="anything"),
            ALLOW,
        ),
        (
            "StringLike '*' still needs an ID",
            trust({"StringLike": {"sts:ExternalId": "*"}}),
            assume(external_id=None),
            IMPLICIT_DENY,
        ),
        (
            "StringLike prefix",
            trust({"StringLike": {"sts:ExternalId": "ext-*"}}),
            assume(external_id="ext-other"),
            ALLOW,
        ),
        (
            "StringNotEquals with a missing key is true",
            trust({"StringNotEquals": {"sts:ExternalId": "x"}}),
            assume(external_id=None),
            ALLOW,
        ),
        (
            "StringNotEquals values are NOR",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"StringNotEquals": {"aws:PrincipalAccount": ["1", "2"]}},
                )
            ),
            s3("s3:GetObject", **{"aws:PrincipalAccount": "2"}),
            IMPLICIT_DENY,
        ),
        (
            "StringNotLike",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"StringNotLike": {"s3:prefix": "private/*"}},
                )
            ),
            s3("s3:GetObject", **{"s3:prefix": "public/"}),
            ALLOW,
        ),
        (
            "two operators are AND",
            trust(
                {
                    "StringEquals": {"sts:ExternalId": "ext-1234567890abcdef"},
                    "StringLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:*"},
                }
            ),
            assume(),
            IMPLICIT_DENY,
        ),
        (
            "two keys are AND",
            trust(
                {
                    "StringEquals": {
                        "sts:ExternalId": "ext-1234567890abcdef",
                        "aws:PrincipalAccount": VENDOR_ACCOUNT,
                    }
                }
            ),
            assume(**{"aws:PrincipalAccount": VENDOR_ACCOUNT}),
            ALLOW,
        ),
        (
            "condition key names are case-insensitive",
            trust({"StringEquals": {"STS:EXTERNALID": "ext-1234567890abcdef"}}),
            assume(),
            ALLOW,
        ),
        (
            "s3:prefix limits listing",
            doc(
                allow(
                    Action="s3:ListBucket",
                    Resource=BUCKET,
                    Condition={"StringLike": {"s3:prefix": "images/*"}},
                )
            ),
            s3("s3:ListBucket", BUCKET, **{"s3:prefix": "images/"}),
            ALLOW,
        ),
        (
            "s3:prefix outside",
            doc(
                allow(
                    Action="s3:ListBucket",
                    Resource=BUCKET,
                    Condition={"StringLike": {"s3:prefix": "images/*"}},
                )
            ),
            s3("s3:ListBucket", BUCKET, **{"s3:prefix": ""}),
            IMPLICIT_DENY,
        ),
    ],
    # "Condition operators" > "...IfExists condition operators" and "Condition operator to
    # check existence of condition keys" (Null).
    "if-exists-and-null": [
        (
            "IfExists with the key compares",
            trust({"StringEqualsIfExists": {"sts:ExternalId": "ext-1234567890abcdef"}}),
            assume(external_id="wrong"),
            IMPLICIT_DENY,
        ),
        (
            "IfExists without the key is true",
            trust({"StringEqualsIfExists": {"sts:ExternalId": "ext-1234567890abcdef"}}),
            assume(external_id=None),
            ALLOW,
        ),
        (
            "Null false requires the key",
            trust({"Null": {"sts:ExternalId": "false"}}),
            assume(external_id="anything"),
            ALLOW,
        ),
        (
            "Null false refuses a missing key",
            trust({"Null": {"sts:ExternalId": "false"}}),
            assume(external_id=None),
            IMPLICIT_DENY,
        ),
        (
            "Null true requires absence",
            doc(
                deny(Action="s3:*", Resource="*", Condition={"Null": {"aws:MultiFactorAuthAge": "true"}}),
                allow(Action="s3:*", Resource="*"),
            ),
            s3("s3:GetObject"),
            EXPLICIT_DENY,
        ),
        (
            "BoolIfExists without the key",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
                )
            ),
            s3("s3:GetObject"),
            ALLOW,
        ),
    ],
    # "Single-valued vs. multivalued context keys": ForAnyValue / ForAllValues.
    "set-operators": [
        (
            "ForAnyValue one matches",
            trust({"ForAnyValue:StringEquals": {"sts:ExternalId": "ext-1234567890abcdef"}}),
            assume(),
            ALLOW,
        ),
        (
            "ForAnyValue missing key is false",
            trust({"ForAnyValue:StringEquals": {"sts:ExternalId": "ext-1234567890abcdef"}}),
            assume(external_id=None),
            IMPLICIT_DENY,
        ),
        (
            "ForAllValues missing key is true",
            trust({"ForAllValues:StringEquals": {"sts:ExternalId": "ext-1234567890abcdef"}}),
            assume(external_id=None),
            ALLOW,
        ),
        (
            "ForAllValues every value must match",
            doc(
                allow(
                    Action="s3:PutObjectTagging",
                    Resource="*",
                    Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
                )
            ),
            s3("s3:PutObjectTagging", **{"aws:TagKeys": ["a", "c"]}),
            IMPLICIT_DENY,
        ),
        (
            "ForAllValues subset",
            doc(
                allow(
                    Action="s3:PutObjectTagging",
                    Resource="*",
                    Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
                )
            ),
            s3("s3:PutObjectTagging", **{"aws:TagKeys": ["a"]}),
            ALLOW,
        ),
        (
            "ForAnyValue over a list",
            doc(
                allow(
                    Action="s3:PutObjectTagging",
                    Resource="*",
                    Condition={"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}},
                )
            ),
            s3("s3:PutObjectTagging", **{"aws:TagKeys": ["x", "team-a"]}),
            ALLOW,
        ),
    ],
    # "Condition operators" > Boolean, Numeric, Date, IP address, ARN, Binary.
    "other-operators": [
        (
            "Bool true",
            trust(PINNED | {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            assume(**{"aws:MultiFactorAuthPresent": "false"}),
            IMPLICIT_DENY,
        ),
        (
            "Bool with a JSON boolean",
            doc(
                allow(Action="s3:GetObject", Resource="*", Condition={"Bool": {"aws:SecureTransport": True}})
            ),
            s3("s3:GetObject", **{"aws:SecureTransport": True}),
            ALLOW,
        ),
        (
            "Bool missing key is false",
            trust(PINNED | {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            assume(),
            IMPLICIT_DENY,
        ),
        (
            "NumericLessThan",
            doc(
                allow(
                    Action="s3:ListBucket", Resource="*", Condition={"NumericLessThan": {"s3:max-keys": "10"}}
                )
            ),
            s3("s3:ListBucket", BUCKET, **{"s3:max-keys": "5"}),
            ALLOW,
        ),
        (
            "NumericLessThan fails",
            doc(
                allow(
                    Action="s3:ListBucket", Resource="*", Condition={"NumericLessThan": {"s3:max-keys": "10"}}
                )
            ),
            s3("s3:ListBucket", BUCKET, **{"s3:max-keys": "10"}),
            IMPLICIT_DENY,
        ),
        (
            "NumericGreaterThanEquals",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "3600"}},
                )
            ),
            s3("s3:GetObject", **{"aws:MultiFactorAuthAge": "3600"}),
            ALLOW,
        ),
        (
            "non-number never matches",
            doc(
                allow(Action="s3:ListBucket", Resource="*", Condition={"NumericEquals": {"s3:max-keys": "x"}})
            ),
            s3("s3:ListBucket", BUCKET, **{"s3:max-keys": "1"}),
            IMPLICIT_DENY,
        ),
        (
            "DateLessThan ISO",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
                )
            ),
            s3("s3:GetObject", **{"aws:CurrentTime": "2026-11-22T00:00:00Z"}),
            ALLOW,
        ),
        (
            "DateGreaterThan epoch",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"DateGreaterThan": {"aws:EpochTime": "2000000000"}},
                )
            ),
            s3("s3:GetObject", **{"aws:EpochTime": "1900000000"}),
            IMPLICIT_DENY,
        ),
        (
            "IpAddress in range",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                )
            ),
            s3("s3:GetObject", **{"aws:SourceIp": "203.0.113.9"}),
            ALLOW,
        ),
        (
            "IpAddress out of range",
            doc(
                allow(
                    Action="s3:GetObject",
                    Resource="*",
                    Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                )
            ),
            s3("s3:GetObject", **{"aws:SourceIp": "198.51.100.1"}),
            IMPLICIT_DENY,
        ),
        (
            "NotIpAddress",
            doc(
                deny(
                    Action="s3:*",
                    Resource="*",
                    Condition={"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
                ),
                allow(Action="s3:*", Resource="*"),
            ),
            s3("s3:GetObject", **{"aws:SourceIp": "2001:db8::1"}),
            ALLOW,
        ),
        (
            "ArnLike per segment",
            trust(PINNED | {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::340636424752:role/lb-*"}}),
            assume(**{"aws:PrincipalArn": VENDOR_ROLE}),
            ALLOW,
        ),
        (
            "ArnLike wildcard does not cross segments",
            trust(PINNED | {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}),
            assume(**{"aws:PrincipalArn": VENDOR_ROLE}),
            IMPLICIT_DENY,
        ),
        (
            "ArnNotEquals",
            trust(PINNED | {"ArnNotEquals": {"aws:PrincipalArn": VENDOR_ROLE}}),
            assume(**{"aws:PrincipalArn": VENDOR_ROLE}),
            IMPLICIT_DENY,
        ),
        (
            "kms:ViaService pins S3 in one region",
            doc(
                allow(
                    Action="kms:Decrypt",
                    Resource="*",
                    Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
                )
            ),
            s3(
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:123456789012:key/k",
                **{"kms:ViaService": "s3.us-west-2.amazonaws.com"},
            ),
            IMPLICIT_DENY,
        ),
        (
            "BinaryEquals",
            doc(allow(Action="s3:GetObject", Resource="*", Condition={"BinaryEquals": {"k": "QmluYXJ5"}})),
            s3("s3:GetObject", k="QmluYXJ5"),
            ALLOW,
        ),
    ],
}

TABLE = [(group, *case) for group, cases in CASES.items() for case in cases]


def test_the_table_has_at_least_sixty_cases():
    assert len(TABLE) >= 60


@pytest.mark.parametrize(
    ("group", "what", "document", "request_", "expected"), TABLE, ids=[f"{c[0]}: {c[1]}" for c in TABLE]
)
def test_evaluation(group, what, document, request_, expected):
    decision = evaluate([Policy("policy", document)], request_)
    assert decision.effect == expected, decision.reason()


def test_decision_names_the_statements_that_decided():
    document = doc(
        allow(Sid="Read", Action="s3:*", Resource="*"),
        deny(Sid="NoDelete", Action="s3:DeleteObject", Resource="*"),
    )
    decision = evaluate([Policy("inline ReadAll", document)], s3("s3:DeleteObject"))
    assert decision.reason() == "explicitly denied by inline ReadAll $.Statement[1] (Sid NoDelete)"
    assert (
        evaluate([Policy("inline ReadAll", document)], s3("s3:GetObject")).reason()
        == "allowed by inline ReadAll $.Statement[0] (Sid Read)"
    )


def test_several_policies_are_one_set():
    identity = Policy("identity", doc(allow(Action="s3:GetObject", Resource="*")))
    bucket = Policy("bucket policy", doc(deny(Principal="*", Action="s3:GetObject", Resource=OBJECT)))
    assert evaluate([identity, bucket], s3("s3:GetObject")).effect == EXPLICIT_DENY
    assert evaluate([identity], s3("s3:GetObject")).effect == ALLOW


# "IAM JSON policy elements: Principal" (AWS account principals) and "AWS KMS key policies"
# (the default key policy "allows access to the AWS account and enables IAM policies"): a
# resource policy naming the caller's account delegates to the account's IAM policies.
KEY_POLICY = doc(allow(Principal={"AWS": "arn:aws:iam::123456789012:root"}, Action="kms:*", Resource="*"))
KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
DELEGATION = [
    ("account root alone grants nothing", [KEY_POLICY], ALLOW, IMPLICIT_DENY),
    (
        "account root plus an identity allow",
        [KEY_POLICY, doc(allow(Action="kms:Decrypt", Resource=KEY))],
        ALLOW,
        ALLOW,
    ),
    (
        "naming the role grants directly",
        [
            doc(
                allow(
                    Principal={"AWS": "arn:aws:iam::123456789012:role/LabelboxS3Access"},
                    Action="kms:Decrypt",
                    Resource="*",
                )
            )
        ],
        ALLOW,
        ALLOW,
    ),
    (
        "a Deny to the account still applies",
        [
            doc(allow(Action="kms:Decrypt", Resource="*")),
            doc(deny(Principal={"AWS": "123456789012"}, Action="kms:Decrypt", Resource="*")),
        ],
        EXPLICIT_DENY,
        EXPLICIT_DENY,
    ),
]


@pytest.mark.parametrize(
    ("what", "documents", "cross_account", "same_account"), DELEGATION, ids=[d[0] for d in DELEGATION]
)
def test_account_principals_delegate_to_iam_policies(what, documents, cross_account, same_account):
    request = s3("kms:Decrypt", KEY)
    policies = [Policy(f"p{i}", d) for i, d in enumerate(documents)]
    assert evaluate(policies, request).effect == cross_account
    assert evaluate(policies, request, account_delegates=True).effect == same_account


# "AWS global condition context keys" (the Availability line of each key): a role session's
# sts:AssumeRole carries aws:TokenIssueTime, aws:userid, aws:PrincipalIsAWSService (false),
# aws:MultiFactorAuthPresent (false), aws:EpochTime, aws:CurrentTime, ...; never aws:username
# (IAM users only) nor aws:PrincipalServiceName (service principals only).
def session_assume(external_id="ext-1234567890abcdef"):
    from provisioner.evaluation import assume_role_request

    return assume_role_request(VENDOR_SESSION, "arn:aws:iam::123456789012:role/LabelboxS3Access", external_id)


VENDOR_TRUST = allow(Principal={"AWS": VENDOR_ROLE}, Action="sts:AssumeRole", Condition=PINNED)


def guarded(condition):
    """The vendor's trust plus a Deny guard on every principal under `condition`."""
    return doc(VENDOR_TRUST, deny(Principal="*", Action="sts:AssumeRole", Condition=condition))


CONTEXT_CASES = [
    ("Deny when Null aws:TokenIssueTime (long-term keys) lets a session in",
     guarded({"Null": {"aws:TokenIssueTime": "true"}}), ALLOW),
    ("Deny when Null aws:userid lets every IAM principal in",
     guarded({"Null": {"aws:userid": "true"}}), ALLOW),
    ("Bool aws:PrincipalIsAWSService false is present and false for a role session",
     trust({**PINNED, "Bool": {"aws:PrincipalIsAWSService": "false"}}), ALLOW),
    ("Deny unless aws:PrincipalIsAWSService true denies a role session",
     guarded({"Bool": {"aws:PrincipalIsAWSService": "false"}}), EXPLICIT_DENY),
    ("aws:username is absent for a role session, so StringEquals on it fails",
     trust({**PINNED, "StringEquals": {"aws:username": "lb-aws-delegated-access-role"}}), IMPLICIT_DENY),
    ("aws:PrincipalArn of a session is its role's ARN",
     trust({**PINNED, "ArnEquals": {"aws:PrincipalArn": VENDOR_ROLE}}), ALLOW),
    ("aws:userid of a session ends with its session name",
     trust({**PINNED, "StringLike": {"aws:userid": "AROA*:s1"}}), ALLOW),
    ("aws:MultiFactorAuthPresent is present and false for a service's role session",
     trust({**PINNED, "Bool": {"aws:MultiFactorAuthPresent": "true"}}), IMPLICIT_DENY),
    ("aws:EpochTime is present (NumericGreaterThan a past instant)",
     trust({**PINNED, "NumericGreaterThan": {"aws:EpochTime": "1000000000"}}), ALLOW),
    ("sts:RoleSessionName is present in AssumeRole requests",
     trust({**PINNED, "Null": {"sts:RoleSessionName": "false"}}), ALLOW),
]  # fmt: skip


@pytest.mark.parametrize(("what", "document", "expected"), CONTEXT_CASES, ids=[c[0] for c in CONTEXT_CASES])
def test_a_role_sessions_request_carries_the_documented_keys(what, document, expected):
    decision = evaluate([Policy("trust policy", document)], session_assume())
    assert decision.effect == expected, decision.reason()


def test_the_context_table_covers_every_caller_kind():
    from provisioner.evaluation.context import caller_context

    user = caller_context("arn:aws:iam::111122223333:user/alice")
    assert user["aws:username"] == "alice" and user["aws:PrincipalType"] == "User"
    assert "aws:TokenIssueTime" not in user and "aws:MultiFactorAuthPresent" not in user
    root = caller_context("arn:aws:iam::111122223333:root")
    assert root["aws:userid"] == "111122223333" and root["aws:PrincipalType"] == "Account"
    service = caller_context("ec2.amazonaws.com")
    assert service["aws:PrincipalIsAWSService"] == "true"
    assert service["aws:PrincipalServiceName"] == "ec2.amazonaws.com" and "aws:PrincipalArn" not in service


# --- the chain: "Permissions boundaries for IAM entities" ("Evaluating effective permissions
# with boundaries"), "Policy evaluation logic" (SCPs and RCPs of every level must allow; an
# explicit Deny in any layer denies; cross-account: both sides must allow).

ROLE_ARN = "arn:aws:iam::123456789012:role/LabelboxS3Access"
READ_ALL = Policy("identity", doc(allow(Action="s3:*", Resource="*")))
LIST_ONLY = Policy("boundary", doc(allow(Action="s3:ListBucket", Resource="*")))
GET_ONLY = Policy("boundary", doc(allow(Action="s3:GetObject", Resource="*")))
FULL = Policy("FullAWSAccess", doc(allow(Action="*", Resource="*")))


def bucket_policy(principal):
    return Policy(
        "bucket policy",
        doc(allow(Principal={"AWS": principal}, Action="s3:GetObject", Resource=f"{BUCKET}/*")),
    )


CHAIN_CASES = [
    (
        "the boundary intersects: identity s3:* with a ListBucket-only boundary refuses GetObject",
        dict(identity=[READ_ALL], boundary=LIST_ONLY),
        s3("s3:GetObject"),
        IMPLICIT_DENY,
    ),
    (
        "the boundary intersects: ListBucket stays allowed",
        dict(identity=[READ_ALL], boundary=LIST_ONLY),
        s3("s3:ListBucket", BUCKET),
        ALLOW,
    ),
    (
        "a boundary grants nothing by itself",
        dict(identity=[], boundary=GET_ONLY),
        s3("s3:GetObject"),
        IMPLICIT_DENY,
    ),
    (
        "a Deny in the boundary denies",
        dict(
            identity=[READ_ALL],
            boundary=Policy(
                "b", doc(allow(Action="*", Resource="*"), deny(Action="s3:GetObject", Resource="*"))
            ),
        ),
        s3("s3:GetObject"),
        EXPLICIT_DENY,
    ),
    (
        "a same-account resource policy naming the session is not limited by the boundary",
        dict(identity=[], boundary=LIST_ONLY, resource=[bucket_policy(ROLE_SESSION)]),
        s3("s3:GetObject"),
        ALLOW,
    ),
    (
        "a same-account resource policy naming the role ARN is limited by the boundary",
        dict(identity=[], boundary=LIST_ONLY, resource=[bucket_policy(ROLE_ARN)]),
        s3("s3:GetObject"),
        IMPLICIT_DENY,
    ),
    # Settled against the independent evaluator, which was right: "Within an account, permissions
    # boundaries do not reduce the permissions granted by resource-based policies" (only a grant
    # to the role ARN is limited); Principal "*" grants to the session itself.
    (
        "a same-account resource policy with Principal * is not limited by the boundary",
        dict(identity=[], boundary=LIST_ONLY, resource=[bucket_policy("*")]),
        s3("s3:GetObject"),
        ALLOW,
    ),
    (
        "... and allowed when the boundary allows it, without any identity policy",
        dict(identity=[], boundary=GET_ONLY, resource=[bucket_policy(ROLE_ARN)]),
        s3("s3:GetObject"),
        ALLOW,
    ),
    (
        "a resource policy naming the account delegates to identity policies",
        dict(identity=[], resource=[bucket_policy("arn:aws:iam::123456789012:root")]),
        s3("s3:GetObject"),
        IMPLICIT_DENY,
    ),
    (
        "an SCP level without an Allow refuses",
        dict(identity=[READ_ALL], scps=[[FULL], [Policy("ou", doc(allow(Action="ec2:*", Resource="*")))]]),
        s3("s3:GetObject"),
        IMPLICIT_DENY,
    ),
    (
        "an SCP denying GetObject outside a VPC endpoint denies a call that has none",
        dict(
            identity=[READ_ALL],
            scps=[
                [
                    FULL,
                    Policy(
                        "vpce-only",
                        doc(
                            deny(
                                Action="s3:GetObject",
                                Resource="*",
                                Condition={"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c"}},
                            )
                        ),
                    ),
                ]
            ],
        ),
        s3("s3:GetObject"),
        EXPLICIT_DENY,
    ),
    (
        "an RCP denying AssumeRole to principals outside the organization denies the vendor",
        dict(
            resource=[Policy("trust", trust(PINNED))],
            cross_account=True,
            identity=[Policy("vendor identity", doc(allow(Action="sts:AssumeRole", Resource="*")))],
            rcps=[
                [
                    FULL,
                    Policy(
                        "perimeter",
                        doc(
                            deny(
                                Principal="*",
                                Action="sts:AssumeRole",
                                Resource="*",
                                Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-customer"}},
                            )
                        ),
                    ),
                ]
            ],
        ),
        assume(),
        EXPLICIT_DENY,
    ),
    # Settled against the independent evaluator (tests/test_oracle.py), which was right:
    # "Policy evaluation logic", identity-based policies with resource-based policies: "Role trust
    # policies and KMS key policies are exceptions to this logic, because they must explicitly
    # allow access for principals."
    (
        "a same-account caller the trust does not name cannot assume, whatever its own policies allow",
        dict(
            resource=[Policy("trust", trust(PINNED))],
            identity=[Policy("admin", doc(allow(Action="sts:AssumeRole", Resource="*")))],
            resource_required=True,
        ),
        Request(ROLE_SESSION.replace("LabelboxS3Access", "admin"), "sts:AssumeRole", ROLE_ARN, {}),
        IMPLICIT_DENY,
    ),
    # "Cross-account policy evaluation logic": a trust naming the caller's account (its root)
    # grants to that account, whose own identity policies then decide; both allow here.
    (
        "cross-account: a trust naming the caller's account root, and the caller's policies allow",
        dict(
            resource=[
                Policy("trust", trust(PINNED, principal={"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}))
            ],
            identity=[Policy("vendor identity", doc(allow(Action="sts:AssumeRole", Resource="*")))],
            cross_account=True,
            resource_required=True,
        ),
        assume(),
        ALLOW,
    ),
    (
        "cross-account: the trust allows but the caller's own policies do not",
        dict(resource=[Policy("trust", trust(PINNED))], identity=[], cross_account=True),
        assume(),
        IMPLICIT_DENY,
    ),
]


@pytest.mark.parametrize(
    ("what", "layers", "request_", "expected"), CHAIN_CASES, ids=[c[0] for c in CHAIN_CASES]
)
def test_the_authorization_chain(what, layers, request_, expected):
    from provisioner.evaluation.chain import Chain, authorize

    decision = authorize(Chain(**layers), request_)
    assert decision.effect == expected, decision.reason()
