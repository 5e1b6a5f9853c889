"""analysis/simple.py (the plainest trusts, without the solver) answers exactly as the solver
does (analysis/trust.py), on generated trusts of its grammar: principals named exactly or "*",
no condition or StringEquals sts:ExternalId with literal IDs, several statements. Pure."""

from __future__ import annotations

import random
from typing import Any

import pytest

from provisioner.analysis.answer import TrustQuestion
from provisioner.analysis.simple import simple_answer
from provisioner.analysis.trust import analyze_trust

ACCOUNT = "123456789012"
VENDOR = "340636424752"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/R"
PRINCIPALS: list[Any] = [
    "*",
    {"AWS": "*"},
    {"AWS": f"arn:aws:iam::{VENDOR}:role/lb-aws-delegated-access-role"},
    {"AWS": f"arn:aws:iam::{VENDOR}:root"},
    {"AWS": VENDOR},
    {"AWS": "arn:aws:iam::111122223333:user/bob"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": [f"arn:aws:iam::{VENDOR}:root", "arn:aws:iam::555566667777:role/x"]},
    {"Service": "ec2.amazonaws.com"},
    {"Service": ["lambda.amazonaws.com"], "AWS": f"arn:aws:iam::{VENDOR}:root"},
]
# the slow tier: some 50 trusts through the solver (make check stays an inner loop)
pytestmark = pytest.mark.slow

IDS = ["lbx-5e8d0c3a9f7b21", "lbx-old-0000000001", "LBX-5E8D0C3A9F7B21"]


def generate(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        statements = []
        for _ in range(rng.randint(1, 2)):
            statement: dict[str, Any] = {
                "Effect": "Allow",
                "Principal": rng.choice(PRINCIPALS),
                "Action": rng.choice(
                    ["sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], "sts:*", "s3:GetObject"]
                ),
            }
            if rng.random() < 0.7:
                statement["Condition"] = {
                    "StringEquals": {"sts:ExternalId": rng.sample(IDS, rng.randint(1, 2))}
                }
            statements.append(statement)
        out.append({"Version": "2012-10-17", "Statement": statements})
    return out


def summary(answer: Any) -> list[Any]:
    classes = [*answer.parties, answer.other, answer.own, answer.service]
    return [answer.verdict, answer.issued] + [
        (c.kind, c.admitted is not None, c.without_id is not None, c.other_id is not None, c.issued_in, c.ids)
        for c in classes
        if c is not None
    ]


@pytest.mark.parametrize("seed", range(2))
def test_the_plain_answer_is_the_solvers(seed):
    for trust in generate(seed, 12):
        asked = {"role_arn": ROLE, "parties": (VENDOR,), "issued": (IDS[0],), "own_account": ACCOUNT}
        question = TrustQuestion(trust, **asked)
        plain = simple_answer(question)
        assert plain is not None, trust
        assert summary(plain) == summary(analyze_trust(question)), trust
        classes = (*plain.parties, plain.other, plain.own, plain.service)
        shown = [d for c in classes if c is not None for d in (c.admitted, c.without_id, c.other_id) if d]
        assert all(door.checked for door in shown), (trust, shown)


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"sts:ExternalId": "lbx-*"}},
        {"StringEquals": {"sts:ExternalId": "lbx-*"}},
        {"StringEquals": {"sts:ExternalId": "x", "aws:PrincipalTag/team": "a"}},
        {"StringEqualsIfExists": {"sts:ExternalId": "x"}},
    ],
)
def test_anything_else_goes_to_the_solver(condition):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition}
        ],
    }
    assert simple_answer(TrustQuestion(trust, ROLE, (VENDOR,))) is None
