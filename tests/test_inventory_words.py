"""Issue 22 words: each sentence of inventory and who-can about a party's way in is that party's
own (its principals, its external ID, its identity provider's subject), never another party's."""

from __future__ import annotations

import json

from provisioner.inventory import InventorySpec, run
from tests.test_inventory import ACCOUNT, LABELBOX_ROLE, NOW, doc

BOB = "arn:aws:iam::777766665555:user/bob"
READ = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"})


def trusting(name, *statements):
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": "2025-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": doc(*statements),
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": READ}],
    }


def assume(principal, external_id=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return statement


def write(tmp_path, *roles):
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"RoleDetailList": list(roles)}))
    return str(path)


def trust_of(result, party, role):
    entry = next(p for p in result.parties if p.party.name == party)
    return next(r.trust for r in entry.roles if r.role_name == role)


def test_each_way_in_carries_its_own_external_id_phrase(tmp_path, cli):
    """Item 3: bob gets in through a statement with no external-ID condition, Labelbox through
    one pinned to 'shared-intake-ext-0001': bob's way in is not "with the external ID …"."""
    path = write(
        tmp_path, trusting("SharedIntake", assume(BOB), assume(LABELBOX_ROLE, "shared-intake-ext-0001"))
    )
    result = run(InventorySpec(from_file=path), now=NOW)
    bob = trust_of(result, "unknown account 777766665555", "SharedIntake")
    way_in = bob.split(";")[0]
    assert way_in == f"unknown account 777766665555 gets in as {BOB}, with no external-ID condition", bob
    labelbox = trust_of(result, "Labelbox", "SharedIntake")
    assert labelbox.startswith(
        f"Labelbox gets in as {LABELBOX_ROLE}, with the external ID 'shared-intake-ext-0001'"
    )
    assert "777766665555 can assume" not in labelbox, labelbox  # bob's finding is bob's
    entry = next(p for p in result.parties if p.party.name == "unknown account 777766665555")
    assert entry.roles[0].external_ids == []
    assert entry.roles[0].id_notes == [], entry.roles[0].id_notes  # no ID: no note on its age or sharing
    routes = cli("who-can", "read", "s3://acme-data/", "--from-file", path, "-o", "json").json()["routes"]
    by_party = {r["party"]: r for r in routes}
    assert "shared-intake-ext-0001" not in by_party["unknown account 777766665555"]["condition"]
    assert "777766665555 can assume" not in by_party["Labelbox"]["trust"], by_party["Labelbox"]
    assert "shared-intake-ext-0001" in by_party["Labelbox"]["condition"]
