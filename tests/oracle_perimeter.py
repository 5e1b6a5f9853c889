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
