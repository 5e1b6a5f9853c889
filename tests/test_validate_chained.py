"""Doors through the account's own roles (validate/chained.py; round 20ac trust item 1). IAM
User Guide, "Roles terms and concepts", role chaining: a role session may assume a second role.
A trust that lets in a role of its own account lets in whoever may assume that role, with no
external ID of its own. Pure: no server (the roles' trusts are ListRoles', in the snapshot)."""

from __future__ import annotations

import copy

from provisioner.model import Status
from provisioner.validate import Check, static_checks
from tests.validate_snapshot import ACCOUNT, SPEC, WANTED, snapshot

HELPER = f"arn:aws:iam::{ACCOUNT}:role/Helper"
ANYONE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}  # fmt: skip
OURS_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}  # fmt: skip


def trust_with(principal: str) -> dict:
    """The vendor's trust, and a statement letting `principal` in with no external ID."""
    document = copy.deepcopy(WANTED.trust)
    document["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    )
    return document


def external(trust: dict, roles: list, **changes) -> Check:
    state = snapshot(account_roles=roles, **changes)
    state.role = {**state.role, "AssumeRolePolicyDocument": trust}
    return {c.name: c for c in static_checks(state, SPEC)}["AWSExternalID"]


def test_a_role_of_yours_that_anyone_may_assume_chains_in_without_the_id():
    found = external(trust_with(HELPER), [(HELPER, ANYONE)])
    assert found.status is Status.FAIL, found.detail
    assert "role Helper of your account" in found.detail and "no external ID" in found.detail
    # the same role trusting only your account is no door
    assert external(trust_with(HELPER), [(HELPER, OURS_ONLY)]).status is Status.PASS


def test_a_trust_of_your_account_root_is_a_warn_where_such_a_role_exists():
    """Naming the account lets its principals in where their own policies allow sts:AssumeRole
    ("IAM JSON policy elements: Principal", AWS account principals), and those are not read."""
    root = trust_with(f"arn:aws:iam::{ACCOUNT}:root")
    found = external(root, [(HELPER, ANYONE)])
    assert found.status is Status.WARN and "role Helper" in found.detail and "not read" in found.detail
    assert external(root, [(HELPER, OURS_ONLY)]).status is Status.PASS
    refused = external(root, [], unreadable=["iam:ListRoles"])
    assert refused.status is Status.WARN and "iam:ListRoles" in refused.detail, refused.detail


def test_the_vendors_trust_alone_reads_no_other_role():
    """A trust of the vendor alone lets none of your principals in: other roles do not matter."""
    assert external(WANTED.trust, [(HELPER, ANYONE)]).status is Status.PASS


OUTSIDER = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]}  # fmt: skip


def test_a_chained_role_gets_in_with_the_id_or_the_values_it_chooses():
    """Round 20ad item 1: the chained role was asked only with no ID and no chosen values. The
    ID is written in the trust (an ordinary AssumeRole parameter: STS API Reference), and the
    session name and tags are the caller's ("Available keys for AWS STS", sts:RoleSessionName;
    "Passing session tags in AWS STS")."""
    document = copy.deepcopy(WANTED.trust)
    document["Statement"][0]["Principal"]["AWS"] = [document["Statement"][0]["Principal"]["AWS"], HELPER]
    pinned = external(document, [(HELPER, OUTSIDER)])
    assert pinned.status is Status.FAIL and "with the external ID too" in pinned.detail, pinned.detail
    named = trust_with(HELPER)
    named["Statement"][-1]["Condition"] = {"StringEquals": {"sts:RoleSessionName": "internal-job"}}
    assert external(named, [(HELPER, OUTSIDER)]).status is Status.FAIL


def test_two_hops_are_one_chain():
    """The trust names C; C trusts Helper; Helper trusts another account (no limit on hops)."""
    middle = f"arn:aws:iam::{ACCOUNT}:role/C"
    trusts_helper = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"AWS": HELPER}}]}  # fmt: skip
    found = external(trust_with(middle), [(HELPER, OUTSIDER), (middle, trusts_helper)])
    assert found.status is Status.FAIL and "role C of your account" in found.detail, found.detail


def test_a_chained_role_a_saml_provider_lets_in_is_a_warn():
    """As the same door on this role's own trust is (AWSExternalID names a federated door)."""
    saml = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"}}]}  # fmt: skip
    found = external(trust_with(HELPER), [(HELPER, saml)])
    assert found.status is Status.WARN and "Okta" in found.detail, found.detail


def test_a_role_with_a_path_is_a_door_as_any_other():
    """Round 20af item 1: a role with a path (/team/) that another account may assume, named in
    the trust by its ARN or matched by ArnLike aws:PrincipalArn, passed AWSExternalID. IAM User
    Guide, "IAM identifiers": a role's ARN holds its path (arn:aws:iam::ACCOUNT:role/team/NAME),
    and aws:PrincipalArn is the role's ARN; its sessions' ARNs hold no path. Hops too: a role
    trusting the path role is reached through it."""
    pathed = f"arn:aws:iam::{ACCOUNT}:role/team/Helper"
    found = external(trust_with(pathed), [(pathed, OUTSIDER)])
    assert found.status is Status.FAIL and "role Helper of your account" in found.detail, found.detail
    like = trust_with("*")
    like["Statement"][-1]["Condition"] = {
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/team/*"}
    }
    assert external(like, [(pathed, OUTSIDER)]).status is Status.FAIL
    middle = f"arn:aws:iam::{ACCOUNT}:role/C"
    by_path = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
               "Principal": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": pathed}}}]}  # fmt: skip
    found = external(trust_with(middle), [(pathed, OUTSIDER), (middle, by_path)])
    assert found.status is Status.FAIL and "role C of your account" in found.detail, found.detail


def test_a_hop_that_needs_the_external_id_its_trust_writes_is_still_a_hop():
    """Round 20ag trust item 1: Hop2 trusts another account; C trusts Hop2 only with an external ID
    written in its trust; this role trusts C. AWSExternalID passed: the hop was asked with no ID.
    The ID is an ordinary AssumeRole parameter, written where anyone who reads the trust sees it
    (IAM User Guide, "Access to AWS accounts owned by third parties"): the chain holds."""
    middle = f"arn:aws:iam::{ACCOUNT}:role/C"
    condition = {"StringEquals": {"sts:ExternalId": "middle-id-0123456789"}}
    pinned = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
              "Principal": {"AWS": HELPER}, "Condition": condition}]}  # fmt: skip
    found = external(trust_with(middle), [(HELPER, OUTSIDER), (middle, pinned)])
    assert found.status is Status.FAIL and "role C of your account" in found.detail, found.detail
