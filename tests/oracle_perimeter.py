"""AWS's data-perimeter policies, as the differential tests (tests/test_oracle.py) generate them.

The shapes are those of AWS's data-perimeter examples (IAM User Guide, "Data perimeters on AWS";
aws-samples/data-perimeter-policy-examples): an RCP that denies the organization's resources to
principals outside it, an SCP that denies its principals resources outside it, the network
perimeter of either, and the secure-transport RCP; each with the documented exceptions
(aws:PrincipalIsAWSService, aws:ViaAWSService, the dp:exclude tags, named third-party accounts,
AWS's own EC2 infrastructure role), any of which a generated policy may leave out.
"""

from __future__ import annotations

import random
from typing import Any

ORG = "o-abc123def4"
VENDOR = "340636424752"

# (the perimeter's own condition, the exceptions it may carry), each a condition block
_RCP_IDENTITY = (
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
    [
        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [VENDOR]}},
        {"StringNotEqualsIfExists": {"aws:ResourceTag/dp:exclude": "true"}},
        {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
        {"Null": {"aws:PrincipalAccount": "false"}},
    ],
)
_RCP_PATHS = (
    {"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}},
    [
        {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [VENDOR]}},
    ],
)
_RCP_DEPUTY = (
    {"StringNotEqualsIfExists": {"aws:SourceOrgID": ORG}},
    [
        {"Null": {"aws:SourceAccount": "false"}},
        {"Bool": {"aws:PrincipalIsAWSService": "true"}},
        {"StringNotEqualsIfExists": {"aws:ResourceTag/dp:exclude": "true"}},
    ],
)
_NETWORK = (
    {"NotIpAddressIfExists": {"aws:SourceIp": ["203.0.113.0/24"]}},
    [
        {"StringNotEqualsIfExists": {"aws:SourceVpc": ["vpc-0mine0000000000"]}},
        {"StringNotEqualsIfExists": {"aws:PrincipalTag/dp:exclude:network": "true"}},
        {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [VENDOR]}},
        {"BoolIfExists": {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"}},
        {"ArnNotLikeIfExists": {"aws:PrincipalArn": ["arn:aws:iam::*:role/aws:ec2-infrastructure"]}},
    ],
)
_TRANSPORT = (
    {"BoolIfExists": {"aws:SecureTransport": "false"}},
    [],
)
_TLS = ({"NumericLessThan": {"s3:TlsVersion": "1.3"}}, [])
_SCP_RESOURCE = (
    {"StringNotEqualsIfExists": {"aws:ResourceOrgID": ORG}},
    [
        {"StringNotEqualsIfExists": {"aws:PrincipalTag/dp:exclude:identity": "true"}},
        {"BoolIfExists": {"aws:ViaAWSService": "false"}},
        {"ForAllValues:StringNotEquals": {"aws:CalledVia": ["athena.amazonaws.com"]}},
    ],
)
_SCP_VPCE = (
    {"StringNotEqualsIfExists": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}},
    [
        {"BoolIfExists": {"aws:ViaAWSService": "false"}},
        {"StringNotEqualsIfExists": {"aws:PrincipalTag/dp:exclude:network": "true"}},
    ],
)
RCP_TEMPLATES = [_RCP_IDENTITY, _RCP_PATHS, _RCP_DEPUTY, _NETWORK, _TRANSPORT, _TLS]
SCP_TEMPLATES = [_SCP_RESOURCE, _SCP_VPCE, _NETWORK, _TRANSPORT]

# The keys these perimeters read that tests/test_oracle.py's KEYS do not: (key, values a request
# may carry).
PERIMETER_KEYS: list[tuple[str, list[Any]]] = [
    ("aws:SourceOrgID", [ORG, "o-vendor0001"]),
    ("aws:SourceAccount", ["123456789012", VENDOR]),
    ("aws:SourceVpc", ["vpc-0mine0000000000", "vpc-0vendor0000000"]),
    ("aws:PrincipalTag/dp:exclude:network", ["true"]),
]


def _merge(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for block in blocks:
        for operator, pairs in block.items():
            out.setdefault(operator, {}).update(pairs)
    return out


def perimeter(rng: random.Random, kind: str, actions: list[str]) -> dict[str, Any]:
    """An RCP (kind "rcp") or SCP (kind "scp") of one data-perimeter statement over `actions`,
    each of its exceptions kept with probability 0.7."""
    core, exceptions = rng.choice(RCP_TEMPLATES if kind == "rcp" else SCP_TEMPLATES)
    kept = [e for e in exceptions if rng.random() < 0.7]
    statement: dict[str, Any] = {
        "Effect": "Deny",
        "Action": rng.sample(actions, rng.randint(1, len(actions))),
        "Resource": "*",
        "Condition": _merge([core, *kept]),
    }
    if kind == "rcp":
        statement["Principal"] = "*"
    return {"Version": "2012-10-17", "Statement": [statement]}


def perimeter_context(rng: random.Random, context: dict[str, Any]) -> None:
    """Some of the perimeter's own keys in a request's context."""
    for key, values in PERIMETER_KEYS:
        if rng.random() < 0.5:
            context[key] = rng.choice(values)


# --- requests a perimeter alone decides: the caller's own policies and the bucket's allow ---

_ROLE = "arn:aws:iam::123456789012:role/LabelboxS3Access"
_VENDOR_ROLE = f"arn:aws:iam::{VENDOR}:role/lb-aws-delegated-access-role"
_CALLERS = [
    ("arn:aws:sts::123456789012:assumed-role/LabelboxS3Access/vendor", "123456789012", _ROLE),
    (f"arn:aws:sts::{VENDOR}:assumed-role/lb-aws-delegated-access-role/s1", VENDOR, _VENDOR_ROLE),
]
_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# (key, values): a request carries each with probability 0.7
_CONTEXT: list[tuple[str, list[Any]]] = [
    ("aws:PrincipalOrgID", [ORG, "o-vendor0001"]),
    ("aws:PrincipalOrgPaths", [[f"{ORG}/r-ab12/ou-ab12-11111111/"], [f"{ORG}/r-ab12/ou-ab12-22222222/"]]),
    ("aws:ResourceOrgID", [ORG, "o-vendor0001"]),
    ("aws:PrincipalIsAWSService", ["false", "true"]),
    ("aws:ViaAWSService", ["false", "true"]),
    ("aws:CalledVia", [["athena.amazonaws.com"], ["s3.amazonaws.com"]]),
    ("aws:SecureTransport", ["true", "false"]),
    ("s3:TlsVersion", ["1.2", "1.3"]),
    ("aws:SourceIp", ["203.0.113.0", "203.0.113.255", "203.0.114.0", "203.0.112.255", "192.0.2.1"]),
    ("aws:SourceVpce", ["vpce-1a2b3c4d", "vpce-0vendor000000"]),
    ("aws:PrincipalTag/dp:exclude:identity", ["true", "false"]),
    ("aws:ResourceTag/dp:exclude", ["true", "false"]),
    *PERIMETER_KEYS,
]


def generate_perimeter(seed: int, count: int) -> list[dict[str, Any]]:
    """Cases in tests/test_oracle.py's shape where everything but the SCP and RCP levels allows:
    the role's session (its identity policies allow all) or the vendor's (the bucket policy
    grants its role) reads an object or lists the bucket, under one or two perimeters."""
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        caller, account, principal_arn = rng.choice(_CALLERS)
        context: dict[str, Any] = {"aws:PrincipalArn": principal_arn, "aws:PrincipalAccount": account}
        for key, values in _CONTEXT:
            if rng.random() < 0.7:
                context[key] = rng.choice(values)
        action = rng.choice(["s3:GetObject", "s3:ListBucket"])
        grant = {"Effect": "Allow", "Principal": {"AWS": _VENDOR_ROLE}, "Action": "s3:*", "Resource": "*"}
        scps = [[_ALL, perimeter(rng, "scp", ["s3:*", "s3:GetObject"])]] if rng.random() < 0.5 else []
        rcps = (
            [[perimeter(rng, "rcp", ["s3:*", "s3:GetObject", "s3:ListBucket"])]] if rng.random() < 0.8 else []
        )
        if rng.random() < 0.3:
            rcps.append([perimeter(rng, "rcp", ["s3:*"])])
        cases.append(
            {
                "id": index,
                "caller": caller,
                "account": account,
                "identity": [_ALL],
                "boundary": None,
                "scps": scps,
                "rcps": rcps,
                "bucket_policy": {"Version": "2012-10-17", "Statement": [grant]},
                "action": action,
                "resource": "arn:aws:s3:::data" if action == "s3:ListBucket" else "arn:aws:s3:::data/a.png",
                "context": context,
            }
        )
    return cases
