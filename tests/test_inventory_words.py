"""Issue 22 words: each sentence of inventory and who-can about a party's way in is that party's
own (its principals, its external ID, its identity provider's subject), never another party's."""

from __future__ import annotations

import json

import pytest

from provisioner.inventory import InventorySpec, run
from tests.test_inventory import ACCOUNT, LABELBOX_ROLE, NOW, doc

BOB = "arn:aws:iam::777766665555:user/bob"
READ = doc(
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::acme-data/*"}
)


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


GH = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
MAIN = "repo:acme/web:ref:refs/heads/main"


def federated(condition=None):
    statement = {"Effect": "Allow", "Principal": {"Federated": GH}, "Action": "sts:AssumeRoleWithWebIdentity"}
    if condition:
        statement["Condition"] = condition
    return statement


def test_a_federated_party_gets_in_through_its_provider_with_its_own_finding(tmp_path, cli):
    """Item 2: a role with one statement pinned to one repository and one unpinned. Each party's
    way in names the identity provider and its subject (was "gets in as a principal of its
    account"); the pinned party does not carry the unpinned statement's finding nor its
    severity: it is judged as the same role with the pinned statement alone."""
    pinned = {"StringEquals": {SUB: MAIN}}
    path = write(
        tmp_path,
        trusting("GhTwoStmts", federated(pinned), federated()),
        trusting("GhPinnedOnly", federated(pinned)),
    )
    result = run(InventorySpec(from_file=path), now=NOW)
    entry = next(p for p in result.parties if p.party.name == f"GitHub Actions: {MAIN}")
    roles = {r.role_name: r for r in entry.roles}
    two = roles["GhTwoStmts"]
    assert two.trust.startswith(
        f"GitHub Actions: {MAIN} gets in through the identity provider "
        f"token.actions.githubusercontent.com, for subject {MAIN}; the role also lets in"
    ), two.trust
    assert "any repository can assume" not in two.trust and "principal of its account" not in two.trust
    assert two.severity == roles["GhPinnedOnly"].severity, (two.severity, roles["GhPinnedOnly"].severity)
    assert "federated-any-subject" not in two.rules
    anyone = next(p for p in result.parties if p.party.name == "GitHub Actions (any repository)")
    (open_way,) = anyone.roles
    assert open_way.trust.startswith(
        "GitHub Actions (any repository) gets in through the identity provider "
        "token.actions.githubusercontent.com, for any repository; any repository can assume the role"
    ), open_way.trust
    assert open_way.severity is not None and open_way.severity.value == "critical"
    routes = cli("who-can", "write", "s3://acme-data/", "--from-file", path, "-o", "json").json()["routes"]
    by_party = {(r["role_arn"].rsplit("/", 1)[1], r["party"]): r for r in routes}
    pinned_route = by_party["GhTwoStmts", f"GitHub Actions: {MAIN}"]
    assert "any repository can assume" not in pinned_route["trust"], pinned_route
    assert pinned_route["worst"] != "critical", pinned_route


def test_who_can_text_has_no_schema_version_as_audit_text(tmp_path, cli):
    """Item 6: `-o text` prints the records without the version (cli/common.py `unversioned`),
    as README says and audit's text does (was `1	read	s3://…`)."""
    path = write(tmp_path, trusting("Reader", assume(LABELBOX_ROLE, "a-unique-id-from-the-vendor-0001")))
    shown = cli("who-can", "read", "s3://acme-data/", "--from-file", path, "-o", "text")
    assert shown.code == 0, shown.stderr
    assert shown.stdout.split("\t", 1)[0] == "read", shown.stdout
    listed = cli("inventory", "--from-file", path, "-o", "text", "--fail-on", "none")
    assert listed.stdout.startswith("ACCOUNTS\t"), listed.stdout  # nor inventory's (was "1" first)


def test_empty_known_accounts_and_a_repeated_bucket_policy_are_refused(tmp_path, cli):
    """Item 6: `vendors --known-accounts ''` exits 2 as inventory and who-can do; a second
    --bucket-policy for the same bucket is one line, exit 2 (was: the last kept in silence)."""
    refused = cli("vendors", "--known-accounts", "")
    assert refused.code == 2 and "known" in refused.error_line and refused.stdout == "", refused.stderr
    path = write(tmp_path, trusting("Reader", assume(LABELBOX_ROLE, "a-unique-id-from-the-vendor-0001")))
    (tmp_path / "a.json").write_text(json.dumps(READ))
    (tmp_path / "b.json").write_text(json.dumps(READ))
    policies = [
        "--bucket-policy",
        f"acme-data={tmp_path / 'a.json'}",
        "--bucket-policy",
        f"acme-data={tmp_path / 'b.json'}",
    ]
    for command in (["inventory"], ["who-can", "read", "s3://acme-data/"]):
        refused = cli(*command, "--from-file", path, *policies)
        assert refused.code == 2, refused.stderr
        assert "acme-data" in refused.error_line and "more than once" in refused.error_line, refused.stderr
        assert refused.stderr.count("\n") == 1 and refused.stdout == ""


def test_a_known_accounts_entry_that_can_never_name_gets_a_note(tmp_path, cli):
    """Item 6: a --known-accounts entry for an account our profile names first (Labelbox's), or
    for the audited account, gets a one-line note, as a [[vendor]] entry does."""
    (tmp_path / "known.yaml").write_text(
        "- name: Fake Labelbox\n  accounts: ['340636424752', '123456789012']\n"
    )
    path = write(tmp_path, trusting("Reader", assume(LABELBOX_ROLE, "a-unique-id-from-the-vendor-0001")))
    shown = cli(
        "inventory",
        "--from-file",
        path,
        "--known-accounts",
        str(tmp_path / "known.yaml"),
        "--fail-on",
        "none",
    )
    notes = [line for line in (shown.stdout + shown.stderr).splitlines() if "Fake Labelbox" in line]
    assert any("340636424752" in n and "Labelbox" in n and "profile" in n for n in notes), shown.stderr
    assert any("123456789012" in n and "audited" in n for n in notes), shown.stderr
    assert all("known.yaml" in n for n in notes), notes


ACME_ROLE = "arn:aws:iam::111122223333:role/acme-labeler"
CI_ROLE = "arn:aws:iam::333344445555:role/ci"
ACME_ID, CI_ID = "acme-issued-id-000000001", "ci-corp-issued-id-0000002"
VENDORS = (
    '[[vendor]]\nname = "Acme Labeling"\naccounts = ["111122223333"]\n'
    'principals = ["arn:aws:iam::111122223333:role/acme-*"]\n\n'
    '[[vendor]]\nname = "Ci Corp"\naccounts = ["333344445555"]\n'
)


def shared_role(tmp_path, monkeypatch, root_account, *, used=True):
    """A role three parties get into: Acme's role with its ID, an account's root with none,
    Ci Corp's role with its ID; in a folder whose config names Acme (by principal pattern) and
    Ci Corp."""
    monkeypatch.delenv("PROVISIONER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".provisioner.toml").write_text(VENDORS)
    shared = trusting(
        "SharedRole",
        assume(ACME_ROLE, ACME_ID),
        assume(f"arn:aws:iam::{root_account}:root"),
        assume(CI_ROLE, CI_ID),
    )
    if used:
        shared["RoleLastUsed"] = {"LastUsedDate": "2026-11-20T00:00:00Z", "Region": "us-east-1"}
    anything = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    shared["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": anything}]
    return write(tmp_path, shared)


@pytest.mark.parametrize("root_account", ["111122223333", "222233334444"])
def test_each_party_of_a_shared_role_carries_its_own_rules_words_ids_and_route(
    tmp_path, monkeypatch, cli, root_account
):
    """Trial item 2: the root's findings (external-id-not-pinned, trusts-account-root) are the
    root's party's alone, even where the root is of Acme's own account (was on Acme's row, its
    trust "every principal of account 111122223333 …", and who-can's Acme route); the root's
    example request presents no ID (was Acme's, though its own way in has none)."""
    path = shared_role(tmp_path, monkeypatch, root_account)
    shown = cli("inventory", "--from-file", path, "-o", "json", "--fail-on", "none").json()
    rows = {p["name"]: p["roles"][0] for p in shown["parties"]}
    root = f"unknown account {root_account}"
    assert set(rows) == {"Acme Labeling", "Ci Corp", root}, rows
    for vendor, own_id in (("Acme Labeling", ACME_ID), ("Ci Corp", CI_ID)):
        row = rows[vendor]
        assert not {"external-id-not-pinned", "trusts-account-root"} & set(row["rules"]), row
        assert row["external_ids"] == [own_id], row
        assert "every principal of account" not in row["trust"] and "any ID" not in row["trust"], row
        assert f"with the external ID '{own_id}'" in row["trust"], row
    mine = rows[root]
    assert {"external-id-not-pinned", "trusts-account-root"} <= set(mine["rules"]), mine
    assert mine["external_ids"] == [] and mine["worst"] == "high", mine
    assert ACME_ID not in mine["trust"] and CI_ID not in mine["trust"], mine["trust"]
    assert f"every principal of account {root_account} that may call sts:AssumeRole" in mine["trust"]
    routes = cli("who-can", "read", "s3://acme-data/", "--from-file", path, "-o", "json").json()["routes"]
    by_party = {r["party"]: r for r in routes}
    acme = by_party["Acme Labeling"]
    assert acme["condition"] == f"sts:ExternalId '{ACME_ID}'", acme
    assert "any ID" not in acme["trust"] and "every principal" not in acme["trust"], acme
    assert acme["worst"] != "high", acme
    assert by_party[root]["condition"] == "none: no external ID pinned", by_party[root]
    assert ACME_ID not in by_party[root]["trust"] and by_party[root]["worst"] == "high", by_party[root]


def test_removing_a_shared_role_says_whom_else_it_removes(tmp_path, monkeypatch, cli):
    """Trial item 1: each party's removal of a role three parties get into names the other two,
    who lose their access too (was the same delete-role command with no word of them)."""
    path = shared_role(tmp_path, monkeypatch, "222233334444", used=False)
    shown = cli("inventory", "--from-file", path, "-o", "json", "--fail-on", "none").json()
    rows = {p["name"]: p["roles"][0] for p in shown["parties"]}
    also = {
        "Acme Labeling": "unknown account 222233334444's and Ci Corp's",
        "Ci Corp": "Acme Labeling's and unknown account 222233334444's",
        "unknown account 222233334444": "Acme Labeling's and Ci Corp's",
    }
    for party, others in also.items():
        assert rows[party]["stale"] and "--role-name SharedRole" in rows[party]["remove"], rows[party]
        said = f"it also removes {others} access: the role lets them in too"
        assert said in rows[party]["remove_leaves"], rows[party]["remove_leaves"]
    table = cli("inventory", "--from-file", path, "--fail-on", "none").stdout
    assert " ".join(table.split()).count("the role lets them in too") == 3, table
    markdown = cli("inventory", "--from-file", path, "-o", "markdown", "--fail-on", "none").stdout
    assert markdown.count("the role lets them in too") == 3, markdown


def test_an_id_on_two_roles_is_scored_on_both(tmp_path, cli):
    """Trial item 3: audit says a reused external ID once, on the first role (README,
    `external-id-reused`: one finding per shared ID, every role in its evidence); inventory's
    rows and who-can's routes carry it on each role that pins the ID, with its severity (was the
    first role medium, the second low with no rule, though both said "on 2 roles")."""
    one_id = "one-id-on-two-roles-0000"
    roles = [
        *(trusting(name, assume(LABELBOX_ROLE, one_id)) for name in ("LabelA", "LabelB")),
        trusting("LabelOwn", assume(LABELBOX_ROLE, "an-id-of-its-own-000000")),
        trusting("Mixed", assume(LABELBOX_ROLE, one_id), assume(BOB)),  # bob presents no ID
    ]
    reads = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"})
    for found in roles:  # read-only and used: the reuse is their worst finding
        found["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": reads}]
        found["RoleLastUsed"] = {"LastUsedDate": "2026-11-20T00:00:00Z", "Region": "us-east-1"}
    path = write(tmp_path, *roles)
    audited = cli("audit", "--from-file", path, "-o", "json", "--fail-on", "none").json()["findings"]
    reused = [f for f in audited if f["rule"] == "external-id-reused"]
    assert [f["role"] for f in reused] == ["LabelA"] and len(reused[0]["evidence"]["roles"]) == 3, reused
    shown = cli("inventory", "--from-file", path, "-o", "json", "--fail-on", "none").json()
    rows = {r["role_arn"].rsplit("/", 1)[1]: r for p in shown["parties"] for r in p["roles"]}
    for name in ("LabelA", "LabelB"):
        assert "external-id-reused" in rows[name]["rules"], rows[name]
        assert rows[name]["worst"] == "medium", rows[name]
    assert "external-id-reused" not in rows["LabelOwn"]["rules"], rows["LabelOwn"]
    parties = {p["name"]: {r["role_arn"].rsplit("/", 1)[1]: r for r in p["roles"]} for p in shown["parties"]}
    assert "external-id-reused" in parties["Labelbox"]["Mixed"]["rules"]
    assert "external-id-reused" not in parties["unknown account 777766665555"]["Mixed"]["rules"]
    routes = cli("who-can", "read", "s3://acme-data/", "--from-file", path, "-o", "json").json()["routes"]
    worst = {r["role_arn"].rsplit("/", 1)[1]: r["worst"] for r in routes}
    assert worst["LabelA"] == worst["LabelB"] == "medium", worst


def test_the_html_graph_draws_every_party_by_its_name(tmp_path, monkeypatch, cli):
    """Trial item 4: the graph draws bucket-policy parties (anyone reading, critical; an
    account that may PutBucketAcl, high) with a line to the bucket, and names each party as
    its card does: the [[vendor]] entry naming Acme's roles in 111122223333 is "Acme Labeling" on
    its own line to its role, beside "unknown account 111122223333" (was both drawn as one node,
    "unknown account 111122223333 -> role/AcmeLabel", and no bucket-policy party at all)."""
    import re

    shared_role(tmp_path, monkeypatch, "111122223333")  # the folder and its [[vendor]] entries
    roles = [
        trusting("AcmeLabel", assume(ACME_ROLE, ACME_ID)),
        trusting("OtherTeam", assume("arn:aws:iam::111122223333:role/other-team", "other-team-id-00000001")),
    ]
    path = write(tmp_path, *roles)
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::acme-pub/*",
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::161616161616:root"},
            "Action": "s3:PutBucketAcl",  # PutBucketPolicy: only the owner's account may call it
            "Resource": "arn:aws:s3:::acme-pub",
        },
    )
    (tmp_path / "pub.json").write_text(json.dumps(policy))
    out = tmp_path / "inventory.html"
    args = ["--from-file", path, "--bucket-policy", f"acme-pub={tmp_path / 'pub.json'}", "--fail-on", "none"]
    assert cli("inventory", *args, "--out", str(out)).code == 0
    svg = out.read_text().split('<svg id="graph"', 1)[1].split("</svg>", 1)[0]
    texts = {
        m[2]: (int(m[0]), int(m[1]))
        for m in re.findall(r'<text x="(\d+)" y="(\d+)"[^>]*>([^<]*)</text>', svg)
    }
    lines = {
        (int(a), int(b), int(c), int(d))
        for a, b, c, d in re.findall(r'x1="(\d+)" y1="(\d+)" x2="(\d+)" y2="(\d+)"', svg)
    }
    parties = [p["name"] for p in cli("inventory", *args, "-o", "json").json()["parties"]]
    assert {name for name, (x, _) in texts.items() if x == 245} == set(parties), texts

    def joined(left, right):
        return (245 + 5, texts[left][1] - 4, texts[right][0] - 5, texts[right][1] - 4) in lines

    assert joined("Acme Labeling", f"{ACCOUNT}:role/AcmeLabel") and joined(
        "unknown account 111122223333", f"{ACCOUNT}:role/OtherTeam"
    )
    assert not joined("unknown account 111122223333", f"{ACCOUNT}:role/AcmeLabel")
    assert joined("anyone (any AWS account)", "acme-pub") and joined(
        "unknown account 161616161616", "acme-pub"
    )


def test_who_can_write_names_the_parties_that_can_take_the_bucket_over(tmp_path, cli):
    """Trial item 5: an outside account that may change the bucket's policy or ACL can grant
    itself write (Service Authorization Reference, Amazon S3: PutBucketPolicy "Grants permission
    to add or replace a bucket policy on a bucket"). who-can write lists it, directly in the
    bucket policy or through a role it can assume, with a verdict that says so, ranked high (was
    silent: no route, no note). who-can read lists them too (trial 22d item 5: a party that may
    replace the bucket policy may grant itself s3:GetObject as well; the first trial's "read does
    not" left a party that can read everything out of who-can read)."""
    takeover = doc({"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::acme-data"})
    admin = trusting("BucketAdmin", assume(LABELBOX_ROLE, "a-unique-id-from-the-vendor-0001"))
    admin["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": takeover}]
    path = write(tmp_path, admin)
    policy = doc(
        {
            "Sid": "Acl",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::161616161616:root"},
            "Action": "s3:PutBucketAcl",
            "Resource": "arn:aws:s3:::acme-data",
        }
    )
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    args = ["--from-file", path, "--bucket-policy", f"acme-data={tmp_path / 'policy.json'}"]
    found = cli("who-can", "write", "s3://acme-data/", *args, "-o", "json").json()["routes"]
    by_party = {r["party"]: r for r in found}
    assert set(by_party) == {"Labelbox", "unknown account 161616161616"}, found
    role_route, direct = by_party["Labelbox"], by_party["unknown account 161616161616"]
    assert role_route["verdict"].startswith("can take control of the bucket: s3:PutBucketPolicy"), role_route
    assert role_route["via"] == "role" and role_route["actions"] == ["s3:PutBucketPolicy"], role_route
    assert role_route["worst"] in ("high", "critical") and role_route["part"] == "s3://acme-data (the bucket)"
    assert direct["verdict"].startswith("can take control of the bucket: s3:PutBucketAcl"), direct
    assert direct["via"] == "bucket policy" and direct["worst"] == "high", direct
    table = cli("who-can", "write", "s3://acme-data/", *args).stdout
    assert "PutBucketPolicy" in table and "PutBucketAcl" in table, table
    assert table.count("HIGH (takes") == 2 and table.count("control)") == 2, table
    # who-can read: the party that may replace the bucket policy, not the one that may change
    # its ACL (Amazon S3 API Reference, PutBucketAcl: x-amz-grant-read "Allows grantee to list
    # the objects in the bucket"; no grant of a bucket's ACL reads an object's data)
    read = cli("who-can", "read", "s3://acme-data/", *args, "-o", "json").json()["routes"]
    assert {r["party"] for r in read} == {"Labelbox"}, read
    assert all(
        r["verdict"].endswith("(it can grant itself read: s3:GetObject, s3:GetObjectVersion)") for r in read
    )


def test_notes_go_to_stderr_and_quiet_silences_them(tmp_path, cli):
    """Trial item 6: README, "the run's notes go to stderr" and --quiet silences them: in the
    table too, for inventory and who-can (was inventory's table printing them on stdout, even
    with -q)."""
    path = write(tmp_path, trusting("Reader", assume(LABELBOX_ROLE, "a-unique-id-from-the-vendor-0001")))
    for command in (["inventory", "--fail-on", "none"], ["who-can", "read", "s3://elsewhere/"]):
        for fmt in ("table", "json"):
            loud = cli(*command, "--from-file", path, "-o", fmt)
            assert loud.code == 0 and "note:" not in loud.stdout, (command, fmt, loud.stdout)
            assert "note:" in loud.stderr, (command, fmt, loud.stderr)
            quiet = cli("-q", *command, "--from-file", path, "-o", fmt)
            assert quiet.code == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout, (command, fmt)


def test_vendors_shows_an_entrys_principals_and_notes_an_entry_named_first(tmp_path, monkeypatch, cli):
    """Trial item 7: `vendors` shows a [[vendor]] entry's principal patterns beside its
    accounts (was the bare account, as if the whole account were Acme's), and an entry for an
    account our profile names first gets inventory's one-line note, on stderr (was none)."""
    shared_role(tmp_path, monkeypatch, "111122223333")  # the folder and its [[vendor]] entries
    (tmp_path / "known.yaml").write_text("- name: Fake Labelbox\n  accounts: ['340636424752']\n")
    shown = cli("vendors", "--known-accounts", "known.yaml")
    assert shown.code == 0, shown.stderr
    acme = next(line for line in shown.stdout.splitlines() if line.startswith("Acme Labeling"))
    assert "111122223333 (only arn:aws:iam::111122223333:role/acme-*)" in acme, acme
    ci = next(line for line in shown.stdout.splitlines() if line.startswith("Ci Corp"))
    assert "(only" not in ci, ci  # an account-wide entry
    said = (
        "note: --known-accounts known.yaml entry 'Fake Labelbox': 340636424752 is named 'Labelbox' "
        "by our profile first: not by this entry"
    )
    assert shown.stderr.splitlines() == [said], shown.stderr
    assert cli("vendors", "--known-accounts", "known.yaml", "-o", "json").stderr.splitlines() == [said]
    assert cli("-q", "vendors", "--known-accounts", "known.yaml").stderr == ""
