"""Differential tests: our evaluator against an independent one, @cloud-copilot/iam-simulate.

It is AGPL-licensed, so it runs as a separate Node process (tests/oracle/simulate.mjs), installed
at test time by `make test` into tests/oracle/node_modules, and is never imported by or shipped
with the package. A seeded generator writes identity policies, permissions boundaries and SCPs
from the grammar people use (every operator family, IfExists, ForAnyValue/ForAllValues, negations,
Null, wildcards in actions, resources and values, NotAction/NotResource, Deny guards) and requests
with and without the keys they test; both evaluators decide each, and the answers must agree.
Every disagreement is settled by the IAM User Guide; the settled cases are in
tests/test_evaluation.py with their sections (see the comment above the generators).

`make test` runs ORACLE_CASES (a fixed seed, a few hundred cases); `make fuzz` runs many more.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from provisioner.evaluation import ALLOW, EXPLICIT_DENY, IMPLICIT_DENY, Policy, Request
from provisioner.evaluation.chain import Chain, authorize

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


def run_oracle(simulations: list[dict[str, Any]]) -> list[dict[str, str]]:
    result = subprocess.run(
        ["node", str(ORACLE / "simulate.mjs")],
        input=json.dumps(simulations),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ORACLE,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


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
    ("aws:userid", "String", ["AROAEXAMPLE:vendor"], ["AROAEXAMPLE:*", "AROAEXAMPLE:VENDOR", "*:other"]),
    ("aws:RequestedRegion", "String", ["us-east-1", "eu-west-1"], ["us-east-1", "eu-*", "US-EAST-1"]),
    ("aws:SourceIp", "Ip", ["203.0.113.7", "198.51.100.1"], ["203.0.113.0/24", "10.0.0.0/8"]),
    ("aws:EpochTime", "Numeric", ["1790000000"], ["1700000000", "1800000000"]),
    ("aws:CurrentTime", "Date", ["2026-11-22T12:00:00Z"], ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
    ("aws:PrincipalTag/team", "String", ["ml", "labeling"], ["ml", "label*", "ops"]),
]  # fmt: skip
OPERATORS = {
    "String": ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase",
               "StringNotEqualsIgnoreCase"],
    "Arn": ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
    "Bool": ["Bool"],
    "Ip": ["IpAddress", "NotIpAddress"],
    "Numeric": ["NumericLessThan", "NumericGreaterThan", "NumericEquals", "NumericNotEquals"],
    "Date": ["DateLessThan", "DateGreaterThan", "DateEquals"],
}  # fmt: skip


def _pick(rng: random.Random, items: list[Any], most: int = 2) -> Any:
    chosen = rng.sample(items, rng.randint(1, most))
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
            if family in ("String", "Arn") and rng.random() < 0.15:
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
            context[key] = rng.choice(request_values)
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
BUCKET_PRINCIPALS = [
    {"AWS": SESSION},
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


def generate(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        action, resource, context = _request(rng)
        caller = rng.choice(S3_CALLERS)
        context.update({"aws:PrincipalAccount": caller[1], "aws:PrincipalArn": caller[2]})
        case: dict[str, Any] = {
            "id": index,
            "caller": caller[0],
            "account": caller[1],
            "identity": [_policy(rng, 3) for _ in range(rng.randint(1, 2))],
            "boundary": _policy(rng, 2, "Allow") if rng.random() < 0.3 else None,
            "scps": [[FULL, _policy(rng, 1, "Deny")]] if rng.random() < 0.25 else [],
            "rcps": [[_resource_policy(rng, "Deny")]] if rng.random() < 0.2 else [],
            "bucket_policy": _resource_policy(rng) if rng.random() < 0.5 else None,
            "action": action,
            "resource": resource,
            "context": context,
        }
        cases.append(case)
    return cases


def ours(case: dict[str, Any]) -> str:
    chain = Chain(
        identity=[Policy(f"identity {i}", p) for i, p in enumerate(case["identity"])],
        boundary=Policy("boundary", case["boundary"]) if case["boundary"] else None,
        scps=[[Policy(f"scp {i}", p) for i, p in enumerate(level)] for level in case["scps"]],
        # The other evaluator adds AWS's default RCPFullAWSAccess beside every RCP level.
        rcps=[
            [Policy("RCPFullAWSAccess", FULL_RCP), *(Policy(f"rcp {i}", p) for i, p in enumerate(level))]
            for level in case["rcps"]
        ],
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
        "resourceControlPolicies": [
            {
                "orgIdentifier": f"o-{i}",
                "policies": [{"name": f"rcp {j}", "policy": p} for j, p in enumerate(level)],
            }
            for i, level in enumerate(case["rcps"])
        ],
    }
    if case["bucket_policy"]:
        simulation["resourcePolicy"] = case["bucket_policy"]
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
        cases.append(
            {"id": index, "trust": {"Version": "2012-10-17", "Statement": statements},
             "caller": caller, "account": account, "context": context}
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
        "resourceControlPolicies": [],
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
        "resourceControlPolicies": [],
        "resourcePolicy": case["key_policy"],
    }  # fmt: skip
    if case["boundary"]:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": case["boundary"]}]
    return simulation


@pytest.mark.slow
def test_kms_key_policy_verdicts_agree_with_an_independent_evaluator():
    differential(generate_kms(SEED, CASES), theirs_kms, ours_kms)
