"""Generated cases for the differential tests of the free-key verdicts (tests/test_oracle.py).

A case is the role session's s3:GetObject under a bucket policy, identity policies and sometimes
a network or TLS perimeter (SCP or RCP), whose conditions read what only the vendor chooses
(evaluation/free.py): its session name (in the caller's ARN and aws:userid), where it calls from
(aws:SourceIp; through its own VPC endpoint, aws:SourceVpce/aws:SourceVpc/aws:VpcSourceIp
instead), s3:TlsVersion, and session tags of keys the role has no tag for when it may tag its
session. `both_sides` writes, independently of evaluation/regions.py, values on both sides of
each condition: a random address inside each range, its first and last address and the addresses
just outside, TLS 1.2 and 1.3, each name a policy names, a random member of each pattern, its
case variant and a random other name; a tag's literal values, a random member of each pattern, a
random other value and no tag. The vendor's own endpoint is never one the policies name (they
name yours; a pattern such as vpce-* matches any).
"""

from __future__ import annotations

import ipaddress
import itertools
import random
import string
from typing import Any

from provisioner.evaluation.free import FreeKeys

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/LabelboxS3Access/vendor"
OBJECT = "arn:aws:s3:::data/images/a.png"
ROLE_TAGS = {"team": "ml"}  # the role's own tag: a known key, never free
VENDOR_ENDPOINT = ("vpce-0a1b2c3d4e5f60718", "vpc-0f1e2d3c4b5a69788", "10.20.30.40")

FREE_CONDITIONS: list[dict[str, Any]] = [
    {"NumericLessThan": {"s3:TlsVersion": "1.3"}},
    {"NumericGreaterThanEquals": {"s3:TlsVersion": "1.3"}},
    {"NumericLessThanEquals": {"s3:TlsVersion": "1.2"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
    {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/25"]}},
    {"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}},
    {"IpAddressIfExists": {"aws:SourceIp": "203.0.113.128/25"}},
    # an address compared as text ("String condition operators")
    {"StringEquals": {"aws:SourceIp": "203.0.113.7"}},
    {"StringLike": {"aws:SourceIp": "203.0.113.*"}},
    {"StringNotLikeIfExists": {"aws:SourceIp": "198.51.*"}},
    {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringLike": {"aws:SourceVpce": "vpce-*"}},
    {"Null": {"aws:SourceVpce": "true"}},
    {"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-0mine0000000000"}},
    {"StringLike": {"aws:userid": "AROAEXAMPLE:provisioner-*"}},
    {"StringEquals": {"aws:userid": "AROAEXAMPLE:provisioner-validate"}},
    {"StringNotLike": {"aws:userid": "*:job-?"}},
    {"StringEqualsIgnoreCase": {"aws:userid": "AROAEXAMPLE:Labeling"}},
    {"StringEquals": {"aws:PrincipalTag/project": "cats"}},
    {"StringLike": {"aws:PrincipalTag/project": "c*"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalTag/project": "dogs"}},
    {"Null": {"aws:PrincipalTag/project": "false"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ml"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    # a session tag compared as a number and as a literal string ("Numeric condition operators")
    {"NumericLessThan": {"aws:PrincipalTag/level": "3"}},
    {"NumericGreaterThanEquals": {"aws:PrincipalTag/level": "2.5"}},
    {"StringEquals": {"aws:PrincipalTag/level": "2"}},
    {"StringNotEquals": {"aws:PrincipalTag/level": ["3", "1.0"]}},
    # a session tag compared as an address ("IP address condition operators")
    {"IpAddress": {"aws:PrincipalTag/net": "10.0.0.0/8"}},
    {"NotIpAddressIfExists": {"aws:PrincipalTag/net": ["10.1.0.0/16", "2001:db8::/32"]}},
    # policy variables of a free key ("Policy variables"), compared with a known key
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/${aws:PrincipalTag/project}*"}},
    {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/${aws:PrincipalTag/project}"}},
    {"StringLike": {"aws:PrincipalArn": "*${aws:userid}*"}},  # a userid holds ":": never in the ARN's name
    # folding case ("String condition operators"): the role's name in any spelling
    {
        "StringEqualsIgnoreCase": {
            "aws:PrincipalArn": "arn:aws:iam::123456789012:role/${aws:PrincipalTag/project}"
        }
    },
]
# a Resource with a policy variable of a free key: the object data/images/a.png is under one
# tag's folder, and under no session's (aws:userid holds ":", the key none)
VARIABLE_RESOURCES = [
    "arn:aws:s3:::data/${aws:PrincipalTag/project}/*",
    "arn:aws:s3:::data/${aws:PrincipalTag/project}*",
    "arn:aws:s3:::data/*/${aws:userid}",
    # two free variables in one value: the folder one tag, the name the other
    "arn:aws:s3:::data/${aws:PrincipalTag/project}/${aws:PrincipalTag/stage}.png",
]
# Resources that match some objects of the bucket and not others: without --key, which object
# the vendor reads is a free key too (FreeKeys.objects, trial 20r item 1)
OBJECT_PATTERNS = [
    "arn:aws:s3:::data/*.png",
    "arn:aws:s3:::data/images/*",
    "arn:aws:s3:::data/images/?.png",
    "arn:aws:s3:::data/docs/*",
    "arn:aws:s3:::data/images/a.png",
    "arn:aws:s3:::data/*/b*",
]
# keys on both sides of each pattern (written here, not taken from the analysis)
OBJECT_KEYS = ["images/a.png", "images/ab.png", "docs/b.txt", "x.png", "z", "images/", "docs/sub/b.png"]
PRINCIPALS = [
    {"AWS": ROLE},
    {"AWS": SESSION.replace("/vendor", "/provisioner-validate")},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "*",
]
_FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
_NAME = string.ascii_letters + string.digits + "+=,.@-_"


def _conditional(rng: random.Random, effect: str, **fields: Any) -> dict[str, Any]:
    statement = {"Effect": effect, **fields}
    block: dict[str, Any] = {}
    for condition in rng.sample(FREE_CONDITIONS, rng.choice([1, 1, 2])):
        for operator, pairs in condition.items():
            block.setdefault(operator, {}).update(pairs)
    statement["Condition"] = block
    return statement


def _bucket_policy(rng: random.Random) -> dict[str, Any]:
    statements = []
    for _ in range(rng.randint(1, 2)):
        effect = rng.choice(["Allow", "Deny"])
        resource = rng.choice(VARIABLE_RESOURCES) if rng.random() < 0.15 else "arn:aws:s3:::data/*"
        resource = rng.choice(OBJECT_PATTERNS) if rng.random() < 0.3 else resource
        fields = {"Principal": rng.choice(PRINCIPALS), "Action": "s3:GetObject", "Resource": resource}
        if rng.random() < 0.85:
            statements.append(_conditional(rng, effect, **fields))
        else:
            statements.append({"Effect": effect, **fields})
    return {"Version": "2012-10-17", "Statement": statements}


def generate_free(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        identity = {
            "Version": "2012-10-17",
            "Statement": [_conditional(rng, "Allow", Action="s3:GetObject", Resource="*")
                          if rng.random() < 0.3 else read],
        }  # fmt: skip
        scp = {"Version": "2012-10-17", "Statement": [_conditional(rng, "Deny", Action="s3:*", Resource="*")]}
        rcp = {
            "Version": "2012-10-17",
            "Statement": [_conditional(rng, "Deny", Principal="*", Action="s3:*", Resource="*")],
        }
        cases.append(
            {
                "id": index,
                "caller": SESSION,
                "account": ACCOUNT,
                "identity": [identity],
                "boundary": None,
                "scps": [[_FULL, scp]] if rng.random() < 0.2 else [],
                "rcps": [[rcp]] if rng.random() < 0.2 else [],
                "bucket_policy": _bucket_policy(rng) if rng.random() < 0.9 else None,
                "action": "s3:GetObject",
                "resource": OBJECT,
                "context": {
                    "aws:PrincipalArn": ROLE,
                    "aws:PrincipalAccount": ACCOUNT,
                    "aws:userid": "AROAEXAMPLE:vendor",
                    "aws:SecureTransport": "true",
                    **{f"aws:PrincipalTag/{k}": v for k, v in ROLE_TAGS.items()},
                },
                "session_tags": rng.random() < 0.5,
                "objects": rng.random() < 0.4,  # which object is the vendor's choice (no --key)
            }
        )
    return cases


def free_keys(case: dict[str, Any]) -> FreeKeys:
    objects = "arn:aws:s3:::data/" if case.get("objects") else None
    return FreeKeys(session_tags=case["session_tags"], role_tags=frozenset(ROLE_TAGS), objects=objects)


# --- values on both sides of each condition, written here, not taken from regions.py ----------


def _conditions(case: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operator, key, values) of every condition of every policy of the case."""
    documents = [*case["identity"], *(p for level in case["scps"] + case["rcps"] for p in level)]
    documents += [case["bucket_policy"]] if case["bucket_policy"] else []
    out = []
    for document in documents:
        for statement in document["Statement"]:
            for operator, pairs in statement.get("Condition", {}).items():
                for key, values in pairs.items():
                    out.append((operator, key.lower(), values if isinstance(values, list) else [values]))
    return out


def _member(rng: random.Random, pattern: str) -> str:
    return "".join(
        "".join(rng.choices(_NAME, k=rng.randint(0, 4))) if c == "*" else rng.choice(_NAME) if c == "?" else c
        for c in pattern
    )


def _strings(rng: random.Random, patterns: list[str]) -> list[str]:
    out = []
    for pattern in patterns:
        out += [
            pattern.replace("*", "").replace("?", "x"),
            _member(rng, pattern),
            _member(rng, pattern).swapcase(),
        ]
    return [*out, "".join(rng.choices(string.ascii_lowercase, k=8))]


def _as_range(value: str) -> str:
    """A range as text: "203.0.113.*" is 203.0.113.0/24, an address its /32."""
    if value.endswith("*"):
        octets = value.rstrip("*").rstrip(".").split(".")
        return ".".join([*octets, *["0"] * (4 - len(octets))]) + f"/{8 * len(octets)}"
    return value if "/" in value else f"{value}/32"


def _addresses(rng: random.Random, cidrs: list[str]) -> list[str]:
    """Addresses a request from the internet may come from: on both sides of each range, never a
    private, shared, loopback or other special-purpose one, which no request from the internet
    carries as aws:SourceIp."""
    out = ["192.0.2.77"]  # an address of the internet (RFC 5737) in none of the generated ranges
    for cidr in cidrs:
        network = ipaddress.ip_network(cidr, strict=False)
        first, last = int(network.network_address), int(network.broadcast_address)
        for value in (first, last, first - 1, last + 1, rng.randint(first, last)):
            address = ipaddress.IPv4Address(value)
            if not any(address in ipaddress.ip_network(r) for r in _NOT_ON_THE_INTERNET):
                out.append(str(address))
    return out


# RFC 6890's special-purpose blocks no request from the internet comes from (private, shared,
# loopback, link-local, multicast, reserved); the documentation blocks stand for public ones here
_NOT_ON_THE_INTERNET = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")  # fmt: skip


def both_sides(rng: random.Random, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the values the vendor may send for the free keys the case reads, as
    {"caller": ..., "context": {...}} overrides (a context value None removes the key)."""
    conditions = _conditions(case)
    keys = {key for _, key, _ in conditions}
    policy_text = str(case)
    axes: list[list[dict[str, Any]]] = []
    if "aws:userid" in keys or "/provisioner-validate" in policy_text or "${aws:userid}" in policy_text:
        names = ["provisioner-validate"]
        names += [v.split(":", 1)[1] for _, key, values in conditions if key == "aws:userid" for v in values]
        axes.append([{"session": n} for n in dict.fromkeys(_strings(rng, names)) if 2 <= len(n) <= 64])
    if keys & {"aws:sourceip", "aws:sourcevpce", "aws:sourcevpc"}:
        cidrs = [_as_range(v) for _, key, values in conditions if key == "aws:sourceip" for v in values]
        internet = [
            {"aws:SourceIp": a, "aws:SourceVpce": None, "aws:SourceVpc": None} for a in _addresses(rng, cidrs)
        ]
        vpce, vpc, private = VENDOR_ENDPOINT
        endpoint = {
            "aws:SourceIp": None,
            "aws:SourceVpce": vpce,
            "aws:SourceVpc": vpc,
            "aws:VpcSourceIp": private,
        }
        axes.append([*internet, endpoint])
    if "s3:tlsversion" in keys:
        axes.append([{"s3:TlsVersion": "1.2"}, {"s3:TlsVersion": "1.3"}])
    variable = "${aws:principaltag/project}" in policy_text.lower()
    if case["session_tags"] and ("aws:principaltag/project" in keys or variable):
        values = [v for _, key, vs in conditions if key == "aws:principaltag/project" for v in vs]
        # a variable's values: the folder and the role's name its texts can match, and near them
        values += ["images", "image", "images/a.png", "LabelboxS3Access", "Labelbox"] if variable else []
        values += ["labelboxs3access", "LABELBOXS3ACCESS"] if variable else []  # other spellings
        axes.append(
            [{"aws:PrincipalTag/project": v} for v in _strings(rng, values)]
            + [{"aws:PrincipalTag/project": None}]
        )
    if case["session_tags"] and "${aws:principaltag/stage}" in policy_text.lower():
        stages = ["a", "a.png", "b", "images", "", "A"]
        axes.append([{"aws:PrincipalTag/stage": v} for v in stages] + [{"aws:PrincipalTag/stage": None}])
    if case["session_tags"] and "aws:principaltag/level" in keys:  # each region, each literal
        levels = ["1.0", "2", "2.0", "2.5", "2.7", "3", "3.0", "low"]
        axes.append([{"aws:PrincipalTag/level": v} for v in levels] + [{"aws:PrincipalTag/level": None}])
    if case["session_tags"] and "aws:principaltag/net" in keys:  # each side of each range's ends
        nets = ["9.255.255.255", "10.0.0.0", "10.1.2.3", "10.2.0.0", "11.0.0.0", "2001:db8::1", "::1", "x"]
        axes.append([{"aws:PrincipalTag/net": v} for v in nets] + [{"aws:PrincipalTag/net": None}])
    if case.get("objects"):  # each pattern's objects and others
        axes.append([{"resource": f"arn:aws:s3:::data/{k}"} for k in OBJECT_KEYS])
    return [_combined(case, combo) for combo in itertools.product(*axes)]


def _combined(case: dict[str, Any], combo: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    context = dict(case["context"])
    caller, resource = case["caller"], case["resource"]
    for values in combo:
        for key, value in values.items():
            if key == "resource":
                resource = value
            elif key == "session":
                caller = caller.rsplit("/", 1)[0] + "/" + value
                context["aws:userid"] = "AROAEXAMPLE:" + value
            elif value is None:
                context.pop(key, None)
            else:
                context[key] = value
    return {**case, "caller": caller, "context": context, "resource": resource}
