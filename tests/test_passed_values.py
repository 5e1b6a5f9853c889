"""The values of a session tag or source identity the trust refuses the vendor to pass
(validate/passes.py): the solver's constraint (analysis/sent.py `passable`) and the words'
(evaluation/regions.py `FreeKeys.passable`) say the same of every value, and both say what the
evaluator says of the trust's sts:TagSession with that value (IAM User Guide, "Passing session
tags in AWS STS")."""

from __future__ import annotations

from dataclasses import replace

import pytest
import z3

from provisioner.analysis.sent import passable
from provisioner.evaluation import Policy, assume_role_request, evaluate
from provisioner.evaluation.choice import FreeKeys
from provisioner.validate.passes import tag_passes

VENDOR = "arn:aws:sts::340636424752:assumed-role/vendor/s"
ROLE = "arn:aws:iam::123456789012:role/R"
VALUES = ["labeling", "LABELING", "Labeling", "lab", "label-x", "x", "xy", "other", "", "lb-1"]


def _trust(*conditions: dict, deny: dict | None = None) -> list[Policy]:
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::340636424752:root"},
            "Action": "sts:TagSession",
            **({"Condition": c} if c else {}),
        }
        for c in conditions
    ]
    if deny is not None:
        statements.append(
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:TagSession", "Condition": deny}
        )
    return [Policy("trust", {"Version": "2012-10-17", "Statement": statements})]


TRUSTS = {
    "one value": _trust({"StringEquals": {"aws:RequestTag/team": "labeling"}}),
    "ignoring case": _trust({"StringEqualsIgnoreCase": {"aws:RequestTag/team": "labeling"}}),
    "a pattern": _trust({"StringLike": {"aws:RequestTag/team": "lab*"}}),
    "not a value": _trust({"StringNotEquals": {"aws:RequestTag/team": "labeling"}}),
    "two statements": _trust(
        {"StringEquals": {"aws:RequestTag/team": "other"}}, {"StringLike": {"aws:RequestTag/team": "x?"}}
    ),
    "a Deny": _trust({}, deny={"StringEqualsIgnoreCase": {"aws:RequestTag/team": "labeling"}}),
}


@pytest.mark.parametrize("name", sorted(TRUSTS))
def test_the_solver_the_words_and_the_evaluator_agree_on_each_value(name: str) -> None:
    trust = TRUSTS[name]
    request = replace(assume_role_request(VENDOR, ROLE, None), action="sts:TagSession")
    tagging, _, rules = tag_passes(trust, request, frozenset({"team"}))
    assert tagging
    free = FreeKeys(session_tags=True, refused=tuple(rules))
    for value in VALUES:
        tagged = request.__class__(
            request.principal, "sts:TagSession", request.resource,
            {**request.context, "aws:TagKeys": ["team"], "aws:RequestTag/team": value},
        )  # fmt: skip
        truth = evaluate(trust, tagged).allowed
        solver = z3.Solver()
        variable = z3.String("v")
        solver.add(variable == z3.StringVal(value), passable("aws:principaltag/team", variable, free))
        assert (solver.check() == z3.sat) == truth == free.passable("aws:principaltag/team", value), (
            name,
            value,
        )
