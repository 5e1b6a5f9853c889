"""`provision diff OLD NEW` on permission policies (issue 21): the (action, resource) pairs NEW
allows a session of the role holding it that OLD did not, each with a concrete request that the
concrete evaluator allows under NEW and refuses under OLD."""

from __future__ import annotations

import json

import pytest

from provisioner.diff import NEW, REMOVED, diff_documents
from provisioner.evaluation import Policy, Request, evaluate

READ = {
    "Sid": "Read",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
}
UPLOAD = {
    "Sid": "Upload",
    "Effect": "Allow",
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::images/incoming/*",
}


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allowed(document, difference):
    example = difference.detail["example"]
    request = Request(example["principal"], example["action"], example["resource"], example["context"])
    return evaluate([Policy("p", document)], request).allowed


def test_a_policy_that_gains_put_object_on_one_prefix_newly_allows_exactly_that(cli, tmp_path):
    old, new = policy(READ), policy(READ, UPLOAD)
    result = diff_documents(old, new)
    assert result.kind == "permissions" and result.fails
    (gained,) = result.differences
    assert gained.direction == NEW and gained.decided and gained.checked
    assert gained.subject == "s3:PutObject on arn:aws:s3:::images/incoming/*"
    assert gained.detail["example"]["resource"].startswith("arn:aws:s3:::images/incoming/")
    assert allowed(new, gained) and not allowed(old, gained)
    assert gained.path == "$.Statement[1]"
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new, indent=2))
    run = cli("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"))
    assert run.code == 1 and "newly allows s3:PutObject on arn:aws:s3:::images/incoming/*" in run.stdout
    back = cli("diff", str(tmp_path / "new.json"), str(tmp_path / "old.json"))
    assert back.code == 0 and "no longer allows s3:PutObject" in back.stdout


def test_a_rewrite_with_the_same_grants_is_no_difference():
    split = [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::images"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::images/*"},
    ]
    result = diff_documents(policy(READ), policy(*split))
    assert result.differences == [] and not result.fails


@pytest.mark.slow  # the solver over every S3 action: seconds (make test runs it)
def test_a_wildcard_is_expanded_against_the_action_list():
    star = {**READ, "Action": "s3:*"}
    result = diff_documents(policy(READ), policy(star))
    # one difference for the objects, one for the bucket: by the resource pattern that grants them
    patterns = {d.detail["resource_pattern"]: d.detail["actions"] for d in result.differences}
    assert set(patterns) == {"arn:aws:s3:::images", "arn:aws:s3:::images/*"}
    assert "s3:PutBucketPolicy" in patterns["arn:aws:s3:::images"]
    actions = [a for found in patterns.values() for a in found]
    assert "s3:PutObject" in actions and "s3:DeleteObject" in actions
    assert "s3:GetObject" not in actions and "s3:ListBucket" not in actions
    assert all(a.startswith("s3:") for a in actions)


def test_a_wider_condition_value_is_new_access_with_the_value_that_shows_it():
    listing = {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::images",
        "Condition": {"StringLike": {"s3:prefix": "public/*"}},
    }
    wider = {**listing, "Condition": {"StringLike": {"s3:prefix": ["public/*", "private/*"]}}}
    result = diff_documents(policy(listing), policy(wider))
    (gained,) = result.differences
    assert gained.detail["example"]["context"]["s3:prefix"].startswith("private/")
    assert allowed(policy(wider), gained) and not allowed(policy(listing), gained)


def test_a_deny_added_takes_away_and_gives_nothing():
    deny = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::images/secret/*"}
    result = diff_documents(policy(READ), policy(READ, deny))
    (lost,) = result.differences
    assert lost.direction == REMOVED and not result.fails
    assert lost.detail["example"]["resource"].startswith("arn:aws:s3:::images/secret/")


@pytest.mark.slow  # the solver over every S3 action: seconds (make test runs it)
def test_a_condition_on_the_callers_unique_id_is_not_decided_and_counts_as_new():
    # the unique ID AWS gives the role is not known here (the examples were aws:CurrentTime, now
    # asked at any time from now on, trial 20q item 3, and aws:TokenIssueTime, now decided: below)
    named = {**READ, "Condition": {"StringLike": {"aws:userid": "AROAEXAMPLEUNIQUEID01:*"}}}
    result = diff_documents(policy(named), policy(READ))
    assert result.fails
    assert all(not d.decided and "aws:userid" in d.why for d in result.differences)


@pytest.mark.slow  # the solver over every S3 action: seconds (make test runs it)
def test_a_condition_on_the_session_issue_time_is_decided():
    """aws:TokenIssueTime is when the session's credentials were issued, at most 12 hours before
    the request (IAM User Guide, "AWS global condition context keys"; STS API Reference,
    AssumeRole, DurationSeconds): "issued after 2020" holds for every session now and later, so
    dropping it gives nothing away; "issued before 2020" holds for none, so dropping it does."""
    after = {**READ, "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}}
    assert diff_documents(policy(after), policy(READ)).differences == []
    before = {**READ, "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}}
    result = diff_documents(policy(before), policy(READ))
    assert result.fails and result.differences
    assert all(d.decided for d in result.differences)


def test_a_diff_that_runs_out_of_time_ends_with_the_rest_not_decided(monkeypatch):
    """A NotAction policy asks about thousands of actions; a diff must end (a hook and a CI job
    wait for it): past its budget, the actions left are one difference, not decided, new access
    (found by issue 21's trial: a NotAction diff ran for 20 minutes)."""
    import importlib

    grants = importlib.import_module("provisioner.diff.grants")
    monkeypatch.setattr(grants, "BUDGET_SECONDS", -1)
    star = {**READ, "Action": "s3:*"}
    result = diff_documents(policy(READ), policy(star))
    (left,) = result.differences
    assert left.widens and not left.decided and "not asked" in left.why
    assert "s3:PutObject" in left.detail["actions"] and result.fails
