"""Differential tests: our evaluator against an independent one, @cloud-copilot/iam-simulate.

It is AGPL-licensed, so it runs as a separate Node process (tests/oracle/simulate.mjs), installed
at test time by `make test` into tests/oracle/node_modules, and is never imported by or shipped
with the package. A seeded generator writes identity policies, permissions boundaries and SCPs
from the grammar people use (every operator family, IfExists, ForAnyValue/ForAllValues, negations,
Null, wildcards in actions, resources and values, NotAction/NotResource, Deny guards) and requests
with and without the keys they test; both evaluators decide each, and the answers must agree.
Every disagreement is settled by the IAM User Guide; the settled cases are in
tests/test_evaluation.py with their sections (see the comment above the generators).

The generators cover the keys of issue 20 too: the organization of the caller and of the
resource and their paths, principal, resource and request tags, S3's forward access keys in key
policies, AWS's data-perimeter RCPs and SCPs with their exceptions (tests/oracle_perimeter.py),
and what only the vendor chooses; the free-key verdicts of evaluation/free.py are checked against
the oracle at values on both sides of each condition (tests/oracle_free.py). The oracle ignores
kms:EncryptionContext:* keys, so those cases are table cases (tests/test_known_keys.py).

`make test` runs ORACLE_CASES (a fixed seed, 400 per test); `make fuzz` runs 100,000 with a
fresh seed.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from provisioner.analysis.decide import decide_chain
from provisioner.evaluation import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.free import apply, chain_policies, dimensions
from tests.oracle_free import both_sides, free_keys, generate_free
from tests.oracle_perimeter import generate_perimeter, perimeter, perimeter_context

# the slow tier: the independent evaluator is a Node process
pytestmark = pytest.mark.slow

ORACLE = Path(__file__).resolve().parent / "oracle"
CASES = int(os.environ.get("ORACLE_CASES", "400"))
SEED = int(os.environ.get("ORACLE_SEED", "20261122"))
ACCOUNT = "123456789012"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/LabelboxS3Access/vendor"
THEIRS = {"Allowed": ALLOW, "ExplicitlyDenied": EXPLICIT_DENY, "ImplicitlyDenied": IMPLICIT_DENY}

# Disagreements found so far, all settled by the IAM User Guide in the other evaluator's favour,
# fixed in evaluation/chain.py and added to tests/test_evaluation.py with their sections: a
# same-account caller the trust does not name ("Role trust policies and KMS key policies ...
# must explicitly allow access for principals"), and a cross-account trust naming the caller's
# account root ("Cross-account policy evaluation logic"). None is settled against it.


def oracle_available() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed: the differential tests need it (CI installs it)"
    if not (ORACLE / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        return "tests/oracle/node_modules is missing: run 'make test' (it runs npm install there)"
    return None


CHUNK = 20_000  # simulations per Node process (its input is one string: at most 512 MiB)


def run_oracle(simulations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for start in range(0, len(simulations), CHUNK):
        result = subprocess.run(
            ["node", str(ORACLE / "simulate.mjs")],
            input=json.dumps(simulations[start : start + CHUNK]),
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ORACLE,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        answers += [json.loads(line) for line in result.stdout.splitlines()]
    return answers


# --- the generator --------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"]
ACTION_PATTERNS = [
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "*",
    "s3:PutObject",
    "s3:List*",
    "s3:*Object",
    "s3:G?tObject",
]
BUCKET = "arn:aws:s3:::data"
RESOURCES = [
    BUCKET,
    "arn:aws:s3:::other",
    f"{BUCKET}/images/a.png",
    f"{BUCKET}/docs/b.txt",
    "arn:aws:s3:::other/x.png",
]
RESOURCE_PATTERNS = [
    "*", f"{BUCKET}/*", f"{BUCKET}/images/*", BUCKET, "arn:aws:s3:::other/*", f"{BUCKET}/images/?.png",
    "arn:aws:s3:::*", f"{BUCKET}*",
]  # fmt: skip

# (key, operator family, values the request may carry, values a policy may compare with)
KEYS: list[tuple[str, str, list[Any], list[str]]] = [
    ("aws:SecureTransport", "Bool", ["true", "false"], ["true", "false"]),
    ("aws:PrincipalAccount", "String", [ACCOUNT, "111122223333"], [ACCOUNT, "1111*", "*", "999999999999"]),
    ("aws:PrincipalArn", "Arn", [f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"],
     [f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access", "arn:aws:iam::*:role/Labelbox*",
      "arn:aws:iam::*:role/other"]),
    ("aws:userid", "String", ["AROAEXAMPLE:vendor"], ["AROAEXAMPLE:*", "AROAEXAMPLE:VENDOR", "*:other",
                                                      "AROAEXAMPLE:provisioner-*", "AROAEXAMPLE:job-?"]),
    ("aws:RequestedRegion", "String", ["us-east-1", "eu-west-1"], ["us-east-1", "eu-*", "US-EAST-1"]),
    ("aws:SourceIp", "Ip", ["203.0.113.7", "198.51.100.1"], ["203.0.113.0/24", "10.0.0.0/8"]),
    ("aws:EpochTime", "Numeric", ["1790000000"], ["1700000000", "1800000000"]),
    ("aws:CurrentTime", "Date", ["2026-11-22T12:00:00Z"], ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
    ("aws:PrincipalTag/team", "String", ["ml", "labeling"], ["ml", "label*", "ops"]),
]  # fmt: skip
# The perimeter's keys (issue 20): the organization of the caller and of the resource, their paths
# (multivalued: only with a set operator, IAM User Guide, "Single-valued vs. multivalued context
# keys": "Multivalued context keys require a condition set operator"), principal, resource and
# request tags, the exceptions AWS's data-perimeter policies make (aws:PrincipalIsAWSService,
# aws:ViaAWSService, aws:CalledVia) and what only the vendor chooses (s3:TlsVersion,
# aws:SourceVpce, aws:SourceIp just inside and outside a range; the session name is the caller's,
# see _caller).
ORG = "o-abc123def4"
ORG_PATH = f"{ORG}/r-ab12/ou-ab12-11111111/"
OTHER_PATH = f"{ORG}/r-ab12/ou-ab12-22222222/ou-ab12-33333333/"
VENDOR_ORG = "o-vendor0001"
KEYS += [
    ("aws:PrincipalOrgID", "String", [ORG, VENDOR_ORG], [ORG, "o-abc*", "o-zzzzzzzzzz"]),
    ("aws:ResourceOrgID", "String", [ORG, VENDOR_ORG], [ORG, "o-*", VENDOR_ORG]),
    ("aws:PrincipalOrgPaths", "Multi", [[ORG_PATH], [OTHER_PATH], [ORG_PATH, f"{VENDOR_ORG}/r-zz99/"]],
     [f"{ORG_PATH}*", f"{ORG}/*", f"{VENDOR_ORG}/*", f"{ORG}/r-ab12/ou-ab12-22222222/", OTHER_PATH]),
    ("aws:ResourceOrgPaths", "Multi", [[ORG_PATH], [OTHER_PATH]], [f"{ORG_PATH}*", f"{ORG}/r-ab12/*"]),
    ("aws:PrincipalTag/dp:exclude:identity", "String", ["true", "false"], ["true"]),
    ("aws:ResourceTag/team", "String", ["ml", "ops"], ["ml", "m*", "ML"]),
    ("aws:ResourceTag/dp:exclude", "String", ["true"], ["true"]),
    ("aws:RequestTag/project", "String", ["cats", "dogs"], ["cats", "c*"]),
    ("aws:TagKeys", "Multi", [["project"], ["project", "team"], ["Owner"]], ["project", "team", "own*"]),
    ("aws:PrincipalIsAWSService", "Bool", ["true", "false"], ["true", "false"]),
    ("aws:ViaAWSService", "Bool", ["true", "false"], ["true", "false"]),
    ("aws:CalledVia", "Multi", [["s3.amazonaws.com"], ["athena.amazonaws.com", "s3.amazonaws.com"]],
     ["s3.amazonaws.com", "athena.amazonaws.com"]),
    ("s3:TlsVersion", "Numeric", ["1.2", "1.3"], ["1.2", "1.3"]),
    ("aws:SourceVpce", "String", ["vpce-1a2b3c4d", "vpce-0vendor000000"], ["vpce-1a2b3c4d", "vpce-*"]),
    ("aws:SourceIp", "Ip", ["203.0.113.255", "203.0.114.0", "203.0.112.255", "10.255.255.255", "11.0.0.0"],
     ["203.0.113.0/24", "10.0.0.0/8", "203.0.113.128/25"]),
]  # fmt: skip
OPERATORS = {
    "String": ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase",
               "StringNotEqualsIgnoreCase"],
    "Arn": ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
    "Bool": ["Bool"],
    "Ip": ["IpAddress", "NotIpAddress"],
    "Numeric": ["NumericLessThan", "NumericGreaterThan", "NumericEquals", "NumericNotEquals"],
    "Date": ["DateLessThan", "DateGreaterThan", "DateEquals"],
    "Multi": ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"],
}  # fmt: skip


def _pick(rng: random.Random, items: list[Any], most: int = 2) -> Any:
    chosen = rng.sample(items, rng.randint(1, min(most, len(items))))
    return chosen[0] if len(chosen) == 1 and rng.random() < 0.5 else chosen


def _condition(rng: random.Random) -> dict[str, Any]:
    block: dict[str, Any] = {}
    for _ in range(rng.choice([1, 1, 2])):
        key, family, _, policy_values = rng.choice(KEYS)
        if rng.random() < 0.12:
            operator, values = "Null", rng.choice(["true", "false"])
        else:
            operator = rng.choice(OPERATORS[family])
            if rng.random() < 0.25:
                operator += "IfExists"
            if family == "Multi" or (family in ("String", "Arn") and rng.random() < 0.15):
                operator = rng.choice(["ForAnyValue:", "ForAllValues:"]) + operator
            values = _pick(rng, policy_values)
        block.setdefault(operator, {})[key] = values
    return block


def _statement(rng: random.Random, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect or rng.choice(["Allow", "Allow", "Deny"])}
    statement["NotAction" if rng.random() < 0.1 else "Action"] = _pick(rng, ACTION_PATTERNS)
    statement["NotResource" if rng.random() < 0.1 else "Resource"] = _pick(rng, RESOURCE_PATTERNS)
    if rng.random() < 0.6:
        statement["Condition"] = _condition(rng)
    return statement


def _policy(rng: random.Random, statements: int = 2, effect: str | None = None) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [_statement(rng, effect) for _ in range(rng.randint(1, statements))],
    }


def _request(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    """An action on a resource of its type (ListBucket on a bucket, the others on objects: the
    other evaluator refuses a resource the action does not take), and some of the keys."""
    context: dict[str, Any] = {}
    for key, _, request_values, _ in KEYS:
        if rng.random() < 0.7:
            context[key] = rng.choice(request_values + ([context[key]] if key in context else []))
    perimeter_context(rng, context)
    action = rng.choice(ACTIONS)
    buckets = [r for r in RESOURCES if r.count("/") == 0 and r.endswith(("data", "other"))] or [BUCKET]
    objects = [r for r in RESOURCES if "/" in r.split(":::", 1)[1]]
    return action, rng.choice(buckets if action == "s3:ListBucket" else objects), context


FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
FULL_RCP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
S3_CALLERS = [
    (SESSION, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"),
    ("arn:aws:sts::340636424752:assumed-role/lb-aws-delegated-access-role/s1", "340636424752",
     "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"),
]  # fmt: skip
SESSION_NAMES = ["vendor", "provisioner-validate", "job-7", "Vendor"]  # the vendor chooses its own
BUCKET_PRINCIPALS = [
    {"AWS": SESSION},
    {"AWS": SESSION.replace("/vendor", "/provisioner-validate")},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": "arn:aws:iam::340636424752:root"},
    {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"},
    "*",
]


def _resource_policy(rng: random.Random, effect: str | None = None) -> dict[str, Any]:
    statements = []
    for _ in range(rng.randint(1, 2)):
        statement = _statement(rng, effect)
        statement["Principal"] = rng.choice(BUCKET_PRINCIPALS) if effect is None else "*"
        if effect == "Deny":  # an RCP: its grammar has no NotAction and no Action "*"
            statement.pop("NotAction", None)
            statement["Action"] = _pick(rng, [a for a in ACTION_PATTERNS if a != "*"])
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


S3_PERIMETER = ["s3:*", "s3:GetObject", "s3:ListBucket", "kms:*", "sts:*"]


def _scps(rng: random.Random, level: list[dict[str, Any]], actions: list[str]) -> list[list[Any]]:
    """SCP levels: sometimes `level`, sometimes (also) a data-perimeter SCP beside FullAWSAccess."""
    levels = [level] if rng.random() < 0.25 else []
    if rng.random() < 0.3:
        levels.append([FULL, perimeter(rng, "scp", actions)])
    return levels


def _rcps(rng: random.Random, level: list[dict[str, Any]], actions: list[str]) -> list[list[Any]]:
    """RCP levels: sometimes `level`, sometimes (also) a data-perimeter RCP."""
    levels = [level] if rng.random() < 0.2 else []
    if rng.random() < 0.3:
        levels.append([perimeter(rng, "rcp", actions)])
    return levels


def generate(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        action, resource, context = _request(rng)
        caller = rng.choice(S3_CALLERS)
        context.update({"aws:PrincipalAccount": caller[1], "aws:PrincipalArn": caller[2]})
        if caller[1] == ACCOUNT:  # the role's session, under a name the vendor chose
            name = rng.choice(SESSION_NAMES)
            caller = (caller[0].rsplit("/", 1)[0] + "/" + name, *caller[1:])
            if "aws:userid" in context:
                context["aws:userid"] = f"AROAEXAMPLE:{name}"
        case: dict[str, Any] = {
            "id": index,
            "caller": caller[0],
            "account": caller[1],
            "identity": [_policy(rng, 3) for _ in range(rng.randint(1, 2))],
            "boundary": _policy(rng, 2, "Allow") if rng.random() < 0.3 else None,
            "scps": _scps(rng, [FULL, _policy(rng, 1, "Deny")], S3_PERIMETER),
            "rcps": _rcps(rng, [_resource_policy(rng, "Deny")], S3_PERIMETER),
            "bucket_policy": _resource_policy(rng) if rng.random() < 0.5 else None,
            "action": action,
            "resource": resource,
            "context": context,
        }
        cases.append(case)
    return cases


def _with_default_rcp(levels: list[list[dict[str, Any]]]) -> list[list[Policy]]:
    """The other evaluator adds AWS's default RCPFullAWSAccess beside every RCP level."""
    return [
        [Policy("RCPFullAWSAccess", FULL_RCP), *(Policy(f"rcp {i}", p) for i, p in enumerate(level))]
        for level in levels
    ]


def _their_rcps(levels: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {
            "orgIdentifier": f"o-{i}",
            "policies": [{"name": f"rcp {j}", "policy": p} for j, p in enumerate(level)],
        }
        for i, level in enumerate(levels)
    ]


def ours(case: dict[str, Any]) -> str:
    chain = Chain(
        identity=[Policy(f"identity {i}", p) for i, p in enumerate(case["identity"])],
        boundary=Policy("boundary", case["boundary"]) if case["boundary"] else None,
        scps=[[Policy(f"scp {i}", p) for i, p in enumerate(level)] for level in case["scps"]],
        rcps=_with_default_rcp(case["rcps"]),
        resource=[Policy("bucket policy", case["bucket_policy"])] if case["bucket_policy"] else [],
        cross_account=case["account"] != ACCOUNT,
    )
    return authorize(chain, Request(case["caller"], case["action"], case["resource"], case["context"])).effect


def theirs(case: dict[str, Any]) -> dict[str, Any]:
    simulation: dict[str, Any] = {
        "request": {
            "principal": case["caller"],
            "action": case["action"],
            "resource": {"resource": case["resource"], "accountId": ACCOUNT},
            "contextVariables": case["context"],
        },
        "identityPolicies": [{"name": f"identity {i}", "policy": p} for i, p in enumerate(case["identity"])],
        "serviceControlPolicies": [
            {
                "orgIdentifier": f"ou-{i}",
                "policies": [{"name": f"scp {j}", "policy": p} for j, p in enumerate(level)],
            }
            for i, level in enumerate(case["scps"])
        ],
        "resourceControlPolicies": _their_rcps(case["rcps"]),
    }
    if case["bucket_policy"]:
        simulation["resourcePolicy"] = case["bucket_policy"]
    # A bucket's tags are in aws:ResourceTag/* only with ABAC on (the other evaluator drops the
    # key otherwise); the generated requests that carry it are of such a bucket.
    simulation["additionalSettings"] = {"s3": {"bucketAbacEnabled": True}}
    if case["boundary"]:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": case["boundary"]}]
    return simulation


def differential(cases: list[dict[str, Any]], to_theirs: Any, to_ours: Any) -> None:
    """Both evaluators decide every case; they must agree, and the other must simulate most."""
    missing = oracle_available()
    if missing:
        pytest.skip(missing)
    answers = run_oracle([to_theirs(c) for c in cases])
    disagreements, refused = [], 0
    for case, answer in zip(cases, answers, strict=True):
        if "error" in answer:
            refused += 1  # a request the other evaluator will not simulate (it validates more)
            continue
        # a key it dropped (one the action does not take) would make its answer about another request
        assert answer["ignored"] == [], f"case {case['id']}: the oracle ignored {answer['ignored']}"
        if THEIRS[answer["result"]] != to_ours(case):
            disagreements.append((case, answer["result"], to_ours(case)))
    compared = len(cases) - refused
    report = f"{compared} compared, {refused} refused by the oracle, {len(disagreements)} disagreements"
    print(report)
    assert compared >= len(cases) * 0.8, report
    assert disagreements == [], (
        report
        + "\n"
        + "\n".join(f"case {c['id']}: theirs {t}, ours {o}: {json.dumps(c)}" for c, t, o in disagreements[:5])
    )


@pytest.mark.slow
def test_our_evaluator_agrees_with_an_independent_one():
    differential(generate(SEED, CASES), theirs, ours)


@pytest.mark.slow
def test_data_perimeter_verdicts_agree_with_an_independent_evaluator():
    """AWS's data-perimeter RCPs and SCPs (tests/oracle_perimeter.py) where nothing else refuses:
    about half of these requests are allowed, so the perimeter's conditions decide."""
    differential(generate_perimeter(SEED, CASES), theirs, ours)


# --- trust policies: sts:AssumeRole of a role, by callers of its own and of other accounts ---

ROLE = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
VENDOR = "340636424752"
CALLERS = [
    (f"arn:aws:sts::{VENDOR}:assumed-role/lb-aws-delegated-access-role/s1", VENDOR,
     f"arn:aws:iam::{VENDOR}:role/lb-aws-delegated-access-role"),
    ("arn:aws:sts::111122223333:assumed-role/attacker/s1", "111122223333",
     "arn:aws:iam::111122223333:role/attacker"),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/s1", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:role/admin"),
]  # fmt: skip
PRINCIPALS = [
    {"AWS": f"arn:aws:iam::{VENDOR}:role/lb-aws-delegated-access-role"},
    {"AWS": f"arn:aws:iam::{VENDOR}:root"},
    {"AWS": VENDOR},
    {"AWS": "*"},
    "*",
    {"AWS": [f"arn:aws:iam::{VENDOR}:root", "arn:aws:iam::111122223333:role/attacker"]},
    {"Service": "ec2.amazonaws.com"},
]
ID = "lbx-5e8d0c3a9f7b21"
TRUST_CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"sts:ExternalId": ID}},
    {"StringEquals": {"sts:ExternalId": [ID, "lbx-other-000000001"]}},
    {"StringLike": {"sts:ExternalId": "lbx-5e8d*"}},
    {"StringLike": {"sts:ExternalId": "lbx-5e8d0c3a9f7b2?"}},
    {"StringEqualsIfExists": {"sts:ExternalId": ID}},
    {"Null": {"sts:ExternalId": "false"}},
    {"ForAnyValue:StringEquals": {"sts:ExternalId": ID}},
    {"ForAllValues:StringEquals": {"sts:ExternalId": ID}},
    {"StringNotEquals": {"sts:ExternalId": "lbx-nope-000000001"}},
    {"StringEquals": {"sts:ExternalId": ID, "aws:PrincipalAccount": VENDOR}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/lb-*"}},
    {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
    # what the caller chooses (its session name, address, organization, tags) and the role's tags
    {"StringEquals": {"sts:ExternalId": ID}, "StringLike": {"sts:RoleSessionName": "labelbox-*"}},
    {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}},
    {"StringEquals": {"sts:ExternalId": ID}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"StringEquals": {"sts:ExternalId": ID}, "NotIpAddressIfExists": {"aws:SourceIp": "198.51.100.0/24"}},
    {"StringEquals": {"sts:ExternalId": ID, "aws:PrincipalOrgID": VENDOR_ORG}},
    {"StringEquals": {"sts:ExternalId": ID, "aws:PrincipalTag/team": "labeling"}},
    {"StringEquals": {"sts:ExternalId": ID},
     "StringNotEquals": {"aws:ResourceTag/dp:exclude:identity": "true"}},
    {"StringEquals": {"aws:ResourceTag/vendor": "${aws:PrincipalAccount}"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]},
     "StringEquals": {"aws:RequestTag/project": "cats"}},
]  # fmt: skip


TRUST_KEYS: list[tuple[str, list[Any]]] = [
    ("sts:RoleSessionName", ["labelbox-123", "labelbox-", "other", "attacker"]),
    ("aws:SourceIp", ["203.0.113.0", "203.0.113.255", "203.0.114.0", "198.51.100.7"]),
    ("aws:PrincipalOrgID", [VENDOR_ORG, ORG]),
    ("aws:PrincipalTag/team", ["labeling", "Labeling"]),
    ("aws:ResourceTag/dp:exclude:identity", ["true", "false"]),
    ("aws:ResourceTag/vendor", [VENDOR, "111122223333"]),
    ("aws:RequestTag/project", ["cats", "dogs"]),
    ("aws:TagKeys", [["project"], ["project", "team"]]),
]


def generate_trust(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        statements = []
        for _ in range(rng.randint(1, 2)):
            statement: dict[str, Any] = {
                "Effect": rng.choice(["Allow", "Allow", "Allow", "Deny"]),
                "Principal": rng.choice(PRINCIPALS),
                "Action": rng.choice(["sts:AssumeRole", "sts:*", "*"]),
            }
            if rng.random() < 0.8:
                statement["Condition"] = rng.choice(TRUST_CONDITIONS)
            statements.append(statement)
        caller, account, principal_arn = rng.choice(CALLERS)
        context: dict[str, Any] = {"aws:PrincipalArn": principal_arn, "aws:PrincipalAccount": account}
        if rng.random() < 0.75:
            context["sts:ExternalId"] = rng.choice(
                [ID, "lbx-5e8d", "lbx-5e8d0c3a9f7b2x", "lbx-other-000000001"]
            )
        for key, values in TRUST_KEYS:
            if rng.random() < 0.6:
                context[key] = rng.choice(values)
        rcps = [[perimeter(rng, "rcp", ["sts:AssumeRole", "sts:*", "s3:*"])]] if rng.random() < 0.2 else []
        cases.append(
            {"id": index, "trust": {"Version": "2012-10-17", "Statement": statements},
             "caller": caller, "account": account, "context": context, "rcps": rcps}
        )  # fmt: skip
    return cases


CALLER_SIDE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def ours_trust(case: dict[str, Any]) -> str:
    chain = Chain(
        identity=[Policy("caller", CALLER_SIDE)],
        resource=[Policy("trust policy", case["trust"])],
        rcps=_with_default_rcp(case["rcps"]),
        cross_account=case["account"] != ACCOUNT,
        resource_required=True,
    )
    return authorize(chain, Request(case["caller"], "sts:AssumeRole", ROLE, case["context"])).effect


def theirs_trust(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": {
            "principal": case["caller"],
            "action": "sts:AssumeRole",
            "resource": {"resource": ROLE, "accountId": ACCOUNT},
            "contextVariables": case["context"],
        },
        "identityPolicies": [{"name": "caller", "policy": CALLER_SIDE}],
        "serviceControlPolicies": [],
        "resourceControlPolicies": _their_rcps(case["rcps"]),
        "resourcePolicy": case["trust"],
    }


@pytest.mark.slow
def test_trust_policy_verdicts_agree_with_an_independent_evaluator():
    differential(generate_trust(SEED, CASES), theirs_trust, ours_trust)


# --- KMS key policies: kms:Decrypt of an object's key, by the role's session or the vendor's ---

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_PRINCIPALS = [
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": ACCOUNT},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"},
    {"AWS": SESSION},
    {"AWS": f"arn:aws:iam::{VENDOR}:root"},
    {"AWS": "*"},
    "*",
]
KEY_ACTIONS = [
    "kms:Decrypt",
    "kms:*",
    "kms:Decrypt*",
    "kms:Encrypt",
    "*",
    ["kms:Decrypt", "kms:GenerateDataKey"],
]
KEY_CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
    {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
    {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
    {"StringNotEquals": {"kms:CallerAccount": ACCOUNT}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Labelbox*"}},
    {"Null": {"kms:ViaService": "true"}},
    {"StringEqualsIfExists": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    # S3's forward access session (issue 20; S3 User Guide, "Using server-side encryption with AWS
    # KMS keys"): aws:ViaAWSService true and S3 in aws:CalledVia; the role's tags and its org.
    {"Bool": {"aws:ViaAWSService": "true"}},
    {"BoolIfExists": {"aws:ViaAWSService": "false"}},
    {"Bool": {"aws:ViaAWSService": "true"}, "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
    {"ForAnyValue:StringEquals": {"aws:CalledVia": "s3.amazonaws.com"}},
    {"ForAllValues:StringEquals": {"aws:CalledVia": "s3.amazonaws.com"}},
    {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}, "BoolIfExists": {"aws:ViaAWSService": "false"}},
    {"StringEquals": {"aws:PrincipalTag/team": "ml"}},
    {"StringEquals": {"aws:ResourceTag/team": "ml"}},
]
KEY_CALLERS = [S3_CALLERS[0], S3_CALLERS[1]]
KEY_RESOURCES = ["*", KEY, "arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:*:alias/x"]


def _key_statement(rng: random.Random, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect or rng.choice(["Allow", "Allow", "Allow", "Deny"]),
        "Principal": rng.choice(KEY_PRINCIPALS),
        "Action": rng.choice(KEY_ACTIONS),
        "Resource": "*",
    }
    if rng.random() < 0.6:
        statement["Condition"] = rng.choice(KEY_CONDITIONS)
    return statement


def generate_kms(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        caller, account, principal_arn = rng.choice(KEY_CALLERS)
        identity = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": rng.choice(["Allow", "Allow", "Deny"]), "Action": rng.choice(KEY_ACTIONS),
                 "Resource": rng.choice(KEY_RESOURCES)}
                for _ in range(rng.randint(1, 2))
            ],
        }  # fmt: skip
        if rng.random() < 0.4:
            identity["Statement"][0]["Condition"] = rng.choice(KEY_CONDITIONS)
        context: dict[str, Any] = {"aws:PrincipalArn": principal_arn, "aws:PrincipalAccount": account}
        if rng.random() < 0.8:
            context["kms:ViaService"] = rng.choice(
                ["s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"]
            )
        if rng.random() < 0.9:
            context["kms:CallerAccount"] = account
        if rng.random() < 0.8:  # S3 calls for the session (or, false, the caller signs itself)
            via = rng.random() < 0.6
            context["aws:ViaAWSService"] = "true" if via else "false"
            if via and rng.random() < 0.8:
                context["aws:CalledVia"] = ["s3.amazonaws.com"]
        for key, values in (("aws:PrincipalOrgID", [ORG, VENDOR_ORG]),
                            ("aws:PrincipalTag/team", ["ml", "ops"]),
                            ("aws:ResourceTag/team", ["ml", "ops"])):  # fmt: skip
            if rng.random() < 0.6:
                context[key] = rng.choice(values)
        cases.append(
            {
                "id": index,
                "caller": caller,
                "account": account,
                "identity": identity,
                "key_policy": {
                    "Version": "2012-10-17",
                    "Statement": [_key_statement(rng) for _ in range(rng.randint(1, 3))],
                },
                "boundary": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": rng.choice(["s3:*", "kms:*", ["s3:*", "kms:Decrypt"]]),
                     "Resource": "*"}]} if rng.random() < 0.25 and account == ACCOUNT else None,
                "scps": [[FULL, _scp_for_kms(rng)]] if rng.random() < 0.15 and account == ACCOUNT else [],
                "rcps": [[perimeter(rng, "rcp", ["kms:*", "kms:Decrypt", "s3:*"])]]
                if rng.random() < 0.3 else [],
                "context": context,
            }
        )  # fmt: skip
    return cases


def _scp_for_kms(rng: random.Random) -> dict[str, Any]:
    statement = {"Effect": "Deny", "Action": rng.choice(["kms:Decrypt", "kms:*"]), "Resource": "*"}
    if rng.random() < 0.5:
        statement["Condition"] = {"StringNotEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def ours_kms(case: dict[str, Any]) -> str:
    chain = Chain(
        identity=[Policy("identity", case["identity"])],
        resource=[Policy("key policy", case["key_policy"])],
        boundary=Policy("boundary", case["boundary"]) if case["boundary"] else None,
        scps=[[Policy(f"scp {i}", p) for i, p in enumerate(level)] for level in case["scps"]],
        rcps=_with_default_rcp(case["rcps"]),
        cross_account=case["account"] != ACCOUNT,
        resource_required=True,
    )
    return authorize(chain, Request(case["caller"], "kms:Decrypt", KEY, case["context"])).effect


def theirs_kms(case: dict[str, Any]) -> dict[str, Any]:
    simulation: dict[str, Any] = {
        "request": {
            "principal": case["caller"],
            "action": "kms:Decrypt",
            "resource": {"resource": KEY, "accountId": ACCOUNT},
            "contextVariables": case["context"],
        },
        "identityPolicies": [{"name": "identity", "policy": case["identity"]}],
        "serviceControlPolicies": [
            {"orgIdentifier": f"ou-{i}", "policies": [{"name": f"s{j}", "policy": p}
                                                      for j, p in enumerate(level)]}
            for i, level in enumerate(case["scps"])
        ],
        "resourceControlPolicies": _their_rcps(case["rcps"]),
        "resourcePolicy": case["key_policy"],
    }  # fmt: skip
    if case["boundary"]:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": case["boundary"]}]
    return simulation


@pytest.mark.slow
def test_kms_key_policy_verdicts_agree_with_an_independent_evaluator():
    differential(generate_kms(SEED, CASES), theirs_kms, ours_kms)


# --- the free-key verdicts: PASS, FAIL or "depends on" over every value the vendor chooses ---


def _free_request(case: dict[str, Any]) -> tuple[Chain, Request]:
    chain = Chain(
        identity=[Policy(f"identity {i}", p) for i, p in enumerate(case["identity"])],
        scps=[[Policy(f"scp {i}", p) for i, p in enumerate(level)] for level in case["scps"]],
        rcps=_with_default_rcp(case["rcps"]),
        resource=[Policy("bucket policy", case["bucket_policy"])] if case["bucket_policy"] else [],
    )
    return chain, Request(case["caller"], case["action"], case["resource"], case["context"])


@pytest.mark.slow
def test_free_key_verdicts_agree_with_an_independent_evaluator():
    """validate's verdict over the vendor's free keys (the z3 analysis of the whole chain,
    analysis/decide.py) is PASS only when the other evaluator allows the request at every value
    tests/oracle_free.py writes on both sides of each condition, FAIL only when it refuses at
    every one; at each request the analysis re-checked its answer at (the solver's models) and at
    each representative evaluation/regions.py gives the words, the two evaluators agree (so a
    "depends on" has values on both sides)."""
    missing = oracle_available()
    if missing:
        pytest.skip(missing)
    rng = random.Random(SEED)
    outcomes = {"PASS": 0, "FAIL": 0, "WARN": 0, "not decided": 0}
    cases = generate_free(SEED, max(CASES // 8, 25))
    asked, wrong = 0, []
    for start in range(0, len(cases), 500):  # a batch at a time: some cases ask at hundreds of values
        batch = _free_checks(rng, cases[start : start + 500], outcomes)
        asked += len(batch)
        wrong += _free_disagreements(batch)
    print(f"free-key verdicts {outcomes}, {asked} requests asked of the oracle, {len(wrong)} disagreements")
    assert sum(outcomes.values()) - outcomes["not decided"] >= 0.95 * sum(outcomes.values()), outcomes
    assert wrong == [], "\n".join(wrong[:5])


def _free_checks(
    rng: random.Random, cases: list[dict[str, Any]], outcomes: dict[str, int]
) -> list[tuple[dict[str, Any], str, Any]]:
    """(case at a value, "value" or "representative", our verdict or our decision there)."""
    checks: list[tuple[dict[str, Any], str, Any]] = []
    for case in cases:
        chain, request = _free_request(case)
        policies = chain_policies(chain)
        outcome = decide_chain(chain, request, free_keys(case))
        for ours_at in outcome.requests:
            variant = {
                **case,
                "caller": ours_at.principal,
                "context": dict(ours_at.context),
                "resource": ours_at.resource,
            }
            checks.append((variant, "representative", authorize(chain, ours_at).effect))
        if outcome.undecided:
            outcomes["not decided"] += 1
            continue
        verdict = "PASS" if outcome.always else "FAIL" if outcome.never else "WARN"
        outcomes[verdict] += 1
        for variant in both_sides(rng, case):
            checks.append((variant, "value", verdict))
        dims = dimensions(policies, request, free_keys(case))
        for combo in itertools.product(*(d.candidates for d in dims)):
            ours_at = apply(request, combo)
            variant = {**case, "caller": ours_at.principal, "context": dict(ours_at.context)}
            checks.append((variant, "representative", authorize(chain, ours_at).effect))
    return checks


def _empty_variable(variant: dict[str, Any]) -> bool:
    """Is a key a policy of the case uses as a policy variable present with an empty value? The
    oracle cannot decide it: its variable resolver tests the value for truth (util.js
    `if (requestValue)`), so a present empty tag value reads as the variable's own text. IAM
    substitutes the empty value ("Variables and tags": the variable takes the request's value;
    "Tagging IAM resources": a tag value may be empty), as the evaluator here does."""
    text = json.dumps([variant.get(k) for k in ("identity", "scps", "rcps", "bucket_policy")]).lower()
    return any(value == "" and "${" + key.lower() in text for key, value in variant["context"].items())


def _ill_typed_negation(variant: dict[str, Any]) -> bool:
    """Does a negated typed operator (NotIpAddress, NumericNotEquals, DateNotEquals) of the case
    compare a key whose value is no address, number or date? The IAM User Guide ("Condition
    operators") does not say whether it holds: ours holds it (the negation of no match), the
    oracle does not (ip.js, numeric.js: a value of another type matches nothing, negated or not).
    validate's analysis gives no verdict that turns on it (analysis/chain.py UNTYPED_NEGATIONS:
    not decided), so the two evaluators are not compared there."""
    from provisioner.analysis.chain import UNTYPED_NEGATIONS

    documents = [*variant["identity"], *(p for level in variant["scps"] + variant["rcps"] for p in level)]
    documents += [variant["bucket_policy"]] if variant["bucket_policy"] else []
    for document in documents:
        for statement in document["Statement"]:
            for operator, pairs in statement.get("Condition", {}).items():
                base = operator.rpartition(":")[2].lower().removesuffix("ifexists")
                for key in pairs if base in UNTYPED_NEGATIONS else ():
                    value = variant["context"].get(key)
                    if value is not None and not _typed(UNTYPED_NEGATIONS[base], str(value)):
                        return True
    return False


def _typed(kind: str, value: str) -> bool:
    from provisioner.evaluation.conditions import _number, parse_date

    if kind == "address":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    return (_number(value) if kind == "number" else parse_date(value)) is not None


def _free_disagreements(checks: list[tuple[dict[str, Any], str, Any]]) -> list[str]:
    checks = [c for c in checks if not _empty_variable(c[0]) and not _ill_typed_negation(c[0])]
    answers = run_oracle([theirs(c) for c, _, _ in checks])
    wrong = []
    for (variant, what, expected), answer in zip(checks, answers, strict=True):
        assert "error" not in answer, f"case {variant['id']}: {answer}"
        assert answer["ignored"] == [], f"case {variant['id']}: the oracle ignored {answer['ignored']}"
        theirs_effect = THEIRS[answer["result"]]
        if what == "representative" and theirs_effect != expected:
            wrong.append(
                f"case {variant['id']} at {variant['context']}: ours {expected}, theirs {theirs_effect}"
            )
        if (
            what == "value"
            and expected in ("PASS", "FAIL")
            and (theirs_effect == ALLOW) != (expected == "PASS")
        ):
            wrong.append(
                f"case {variant['id']}: ours {expected}, theirs {theirs_effect} at {variant['context']}"
            )
    return wrong
