"""`provision diff OLD NEW` on bucket policies (issue 21): the (principal class, action, resource)
triples NEW allows that OLD did not, each with a concrete request the evaluator checks."""

from __future__ import annotations

import pytest

from provisioner.diff import NEW, diff_documents
from provisioner.evaluation import Policy, Request, evaluate

LB = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
VENDOR = {
    "Sid": "Vendor",
    "Effect": "Allow",
    "Principal": {"AWS": LB},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::images/*",
}
TLS = {
    "Sid": "TLS",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::images", "arn:aws:s3:::images/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allowed(document, difference):
    example = difference.detail["example"]
    request = Request(example["principal"], example["action"], example["resource"], example["context"])
    return evaluate([Policy("p", document)], request).allowed


@pytest.mark.slow  # the solver over several documents through the CLI: make test runs it
def test_a_public_prefix_newly_allows_every_class_of_caller():
    public = {**VENDOR, "Sid": "Public", "Principal": "*", "Resource": "arn:aws:s3:::images/public/*"}
    old, new = policy(VENDOR), policy(VENDOR, public)
    result = diff_documents(old, new)
    assert result.kind == "resource" and result.fails
    by_class = {d.detail["principal_class"]: d for d in result.differences}
    assert set(by_class) == {"account 340636424752", "any other account", "an AWS service"}
    stranger = by_class["any other account"]
    assert stranger.direction == NEW and stranger.decided and stranger.checked
    assert stranger.subject == "s3:GetObject on arn:aws:s3:::images/public/* to any other account"
    assert stranger.detail["example"]["principal"].split(":")[4] == "111122223333"
    assert all(allowed(new, d) and not allowed(old, d) for d in result.differences)


def test_a_removed_tls_deny_newly_allows_the_vendor_over_plain_http():
    # "aws:SecureTransport": false for a request over HTTP (IAM User Guide, "AWS global condition
    # context keys"): the caller chooses it, so removing the Deny gives the vendor that way in
    old, new = policy(VENDOR, TLS), policy(VENDOR)
    result = diff_documents(old, new)
    (gained,) = result.differences
    assert gained.detail["principal_class"] == "account 340636424752"
    assert gained.detail["example"]["context"] == {"aws:SecureTransport": "false"}
    assert allowed(new, gained) and not allowed(old, gained)


def test_the_same_statements_in_another_order_are_no_difference():
    assert diff_documents(policy(VENDOR, TLS), policy(TLS, VENDOR)).differences == []
