"""Names for outside accounts (provisioner.naming): the three sources, their precedence, the
config's [[vendor]] entries, --known-accounts, the shipped snapshot and its refresh script, and
audit naming the party behind an account. Pure: no server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioner.naming import AWS_SERVICE, OURS, UNKNOWN, VENDOR, Named, Names, community, parse_list

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "known_accounts" / "accounts.yaml"
LABELBOX = "340636424752"
CLOUDHEALTH = "454464851268"  # a vendor of fwd:cloudsec's list
ELB_LOGS = "127311923021"  # an AWS service of the list (type: aws)


def trusted_by(
    account: str, name: str = "VendorRole", external_id: str = "a-long-enough-external-id-42"
) -> dict:
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::123456789012:role/{name}",
        "CreateDate": "2026-11-01T00:00:00Z",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        },
    }


def test_the_shipped_snapshot_is_fwdcloudsecs_list_of_september_2025():
    entries, about = community()
    assert len(entries) == 238
    assert len({a for e in entries for a in e.accounts}) == 498
    assert sum(e.kind == AWS_SERVICE for e in entries) == 11
    assert about["commit"] == "c2922afb0450f63bad28865ff0784cdaa3a8b4e4"
    folder = ROOT / "policies" / "known_accounts"
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert about["commit"] in (folder / "README.md").read_text()


def test_an_aws_service_is_named_as_one_never_as_a_vendor():
    party = Names().party(ELB_LOGS)
    assert (party.name, party.kind, party.label) == ("ELB logs", AWS_SERVICE, "ELB logs (AWS service)")
    assert Names().party(CLOUDHEALTH).kind == VENDOR


def test_precedence_profiles_then_the_users_then_the_community_list():
    user = [
        Named("Not Labelbox", VENDOR, (LABELBOX,), "config x:1"),
        Named("Our name for Cloudhealth", VENDOR, (CLOUDHEALTH,), "config x:4"),
    ]
    names = Names(user)
    assert names.party(LABELBOX).name == "Labelbox"  # our profile wins over the user's entry
    assert names.party(LABELBOX).source == "profile labelbox"
    assert names.party(CLOUDHEALTH).name == "Our name for Cloudhealth"  # the user's over the list
    assert Names().party(CLOUDHEALTH).name == "Cloudhealth"


def test_an_account_of_the_audited_organization_is_ours_even_when_a_source_names_it():
    party = Names().party(CLOUDHEALTH, frozenset({CLOUDHEALTH}))
    assert party.kind == OURS and party.name == f"our account {CLOUDHEALTH}"
    assert Names().party("210987654321").kind == UNKNOWN
    assert Names().party("210987654321").name == "unknown account 210987654321"


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        ({"name": "x"}, "entry 1 (x): accounts must be a non-empty list"),
        ([{"name": "x", "accounts": ["12345"]}], "must be 12-digit account IDs as strings ('12345' is not)"),
        ([{"name": "x", "accounts": [123456789012]}], "as strings (123456789012 is a number: quote it"),
        ([{"name": "x", "accounts": ["123456789012"], "type": "vendor"}], "type must be 'aws'"),
        ([{"name": "x", "accounts": ["123456789012"], "colour": 1}], "unknown field 'colour'"),
        ([{"accounts": ["123456789012"]}], "entry 1: name must be a non-empty string"),
    ],
)
def test_a_list_out_of_format_is_refused_naming_the_entry(entries, says):
    from provisioner.errors import InputError

    with pytest.raises(InputError) as raised:
        parse_list(entries if isinstance(entries, list) else [entries], "f.yaml")
    assert says in str(raised.value)


def _refresh_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "known_accounts_script", ROOT / "scripts" / "known_accounts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_refresh_script_converts_a_local_yaml_and_refuses_a_bad_one(tmp_path, capsys):
    script = _refresh_script()
    out = tmp_path / "accounts.json"
    assert script.main([str(FIXTURE), "--commit", "abc123", "--out", str(out)]) == 0
    assert "3 entries (2 vendors, 1 AWS services), 4 accounts" in capsys.readouterr().out
    written = json.loads(out.read_text())
    assert written["commit"] == "abc123"
    assert written["source"] == "https://github.com/fwdcloudsec/known_aws_accounts"
    parsed = parse_list(written["accounts"], str(out))
    assert [(e.name, e.kind, e.enabled) for e in parsed] == [
        ("Cloudhealth", VENDOR, True),
        ("ELB logs", AWS_SERVICE, True),
        ("Retired", VENDOR, False),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: 'x'\n  accounts: ['1234']\n")
    assert script.main([str(bad), "--commit", "x", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'1234' is not" in err
    assert json.loads(out.read_text())["commit"] == "abc123"  # not overwritten


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PROVISIONER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gaad.json").write_text(
        json.dumps({"RoleDetailList": [trusted_by("111122223333", "Acme"), trusted_by(ELB_LOGS, "Logs")]})
    )
    return tmp_path


def test_config_vendor_entries_name_accounts_in_vendors_and_audit(cli, folder):
    (folder / ".provisioner.toml").write_text(
        '[[vendor]]\nname = "Acme Labeling"\naccounts = ["111122223333"]\n'
        'principals = ["arn:aws:iam::111122223333:role/acme-*"]\n'
    )
    listed = cli("vendors", "-o", "json").json()
    assert listed["named_accounts"][2]["name"] == "Acme Labeling"  # after the two profiles
    assert listed["named_accounts"][2]["principals"] == ["arn:aws:iam::111122223333:role/acme-*"]
    assert [s["source"] for s in listed["sources"]] == ["profiles", "config", "known_aws_accounts"]
    audited = cli("audit", "--from-file", "gaad.json", "--all", "-o", "json", "--fail-on", "critical").json()
    vendors = {f["role_arn"].rsplit("/", 1)[1]: f["vendor"] for f in audited["findings"]}
    assert vendors["Acme"] == "Acme Labeling"
    assert vendors["Logs"] == "ELB logs (AWS service)"


def test_known_accounts_file_names_accounts_in_audit_and_its_errors_are_one_line(cli, folder):
    (folder / "mine.yaml").write_text("- name: 'Acme from a file'\n  accounts: ['111122223333']\n")
    audited = cli(
        "audit",
        "--from-file",
        "gaad.json",
        "--known-accounts",
        "mine.yaml",
        "-o",
        "json",
        "--fail-on",
        "critical",
    ).json()
    assert {f["vendor"] for f in audited["findings"]} >= {"Acme from a file"}
    (folder / "bad.yaml").write_text("- name: 'x'\n  accounts: 111122223333\n")
    for args in (["--known-accounts", "bad.yaml"], ["--known-accounts", "missing.yaml"]):
        refused = cli("audit", "--from-file", "gaad.json", *args)
        assert refused.code == 2 and refused.stderr.count("\n") == 1 and "known-accounts" in refused.stderr
    # trial 22n item 9: what to do, where YAML read an ID as a number or the file is one entry
    (folder / "number.yaml").write_text("- name: 'x'\n  accounts: [111122223333]\n")
    (folder / "one.yaml").write_text("name: 'x'\naccounts: ['111122223333']\n")
    for name, says in (("number.yaml", "is a number: quote it, '111122223333'"), ("one.yaml", "not a list")):
        refused = cli("audit", "--from-file", "gaad.json", "--known-accounts", name)
        assert refused.code == 2 and says in refused.stderr, refused.stderr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # issue 22 item 11: the key's own line, not the entry's header
        ('[[vendor]]\nname = "Acme"\naccounts = ["1111"]\n', ":3: [[vendor]] accounts: must be 12-digit"),
        (
            '[[vendor]]\nname = "A"\naccounts = ["111122223333"]\n\n[[vendor]]\nname = "B"\naccounts = []\n',
            ":7: [[vendor]] accounts: must be a non-empty list",
        ),
        (
            '[[vendor]]\nname = "A"\naccounts = ["111122223333"]\ncolour = 1\n',
            ":4: [[vendor]] colour: not a key",
        ),
        ('[[vendor]]\naccounts = ["111122223333"]\n', ":1: [[vendor]] name: required"),
        ('[[vendor]]\nname = "A"\naccounts = "111122223333"\n', "must be a non-empty list"),
        (
            '[[vendor]]\nname = "A"\naccounts = ["111122223333"]\n'
            'principals = ["arn:aws:iam::999999999999:role/x"]\n',
            ":4: [[vendor]] principals: 'arn:aws:iam::999999999999:role/x'",
        ),
        (
            '[[vendor]]\nname = "A"\naccounts = ["111122223333"]\nendpoint-url = "http://x"\n',
            "never from a file",
        ),
        ('vendor = "x"\n', "each entry is a table ([[vendor]])"),
    ],
)
def test_a_bad_vendor_entry_is_one_line_and_exit_2(cli, folder, text, says):
    (folder / ".provisioner.toml").write_text(text)
    refused = cli("vendors")
    assert refused.code == 2 and refused.stderr.count("\n") == 1 and says in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_vendor_entrys_accounts_never_select_accounts_to_read(cli, folder):
    """[[vendor]] accounts name a party; audit's --accounts stays a flag only."""
    (folder / ".provisioner.toml").write_text('[[vendor]]\nname = "A"\naccounts = ["111122223333"]\n')
    from provisioner import config

    loaded = config.load()
    assert loaded.settings == [] and [v.accounts for v in loaded.vendors] == [("111122223333",)]
    (folder / ".provisioner.toml").write_text('[audit]\naccounts = "111122223333"\n')
    assert "never from a file" in cli("vendors").stderr


def test_audits_html_graph_names_the_accounts_as_the_findings_do(cli, folder):
    (folder / ".provisioner.toml").write_text(
        '[[vendor]]\nname = "Acme Labeling"\naccounts = ["111122223333"]\n'
    )
    assert cli("audit", "--from-file", "gaad.json", "--out", "report.html", "--fail-on", "none").code == 0
    page = (folder / "report.html").read_text()
    assert "Acme Labeling (111122223333)" in page and f"ELB logs (AWS service) ({ELB_LOGS})" in page


def test_duplicate_own_and_shadowed_vendor_entries_get_a_one_line_warning(cli, folder):
    """An entry that can never name its account says so: one our profile names first (Labelbox),
    one an earlier entry names, and one naming the audited account (ours, never a vendor)."""
    (folder / ".provisioner.toml").write_text(
        '[[vendor]]\nname = "Acme"\naccounts = ["111122223333"]\n\n'
        '[[vendor]]\nname = "Acme again"\naccounts = ["111122223333"]\n\n'
        '[[vendor]]\nname = "Not Labelbox"\naccounts = ["340636424752"]\n\n'
        '[[vendor]]\nname = "Us"\naccounts = ["123456789012"]\n'
    )
    shown = cli("inventory", "--from-file", "gaad.json", "-o", "json", "--fail-on", "none")
    warned = [line for line in shown.stderr.splitlines() if "[[vendor]]" in line]
    assert any(":5:" in w and "111122223333" in w and "Acme" in w and "earlier" in w for w in warned), (
        shown.stderr
    )
    assert any(":9:" in w and "340636424752" in w and "Labelbox" in w for w in warned), shown.stderr
    assert any(":13:" in w and "123456789012" in w and "audited" in w for w in warned), shown.stderr
    assert len(warned) == 3


def test_a_vendor_entrys_principal_patterns_name_that_vendor_within_a_shared_account(cli, folder):
    """Item 4 of issue 22's leftovers: one account hosting two parties. A principal matching an
    entry's pattern is named as that entry's vendor (inventory, who-can, a bucket policy naming
    it directly); any other principal of the account (its root, another role) is named by the
    account-wide entry; our profile still comes first."""
    (folder / ".provisioner.toml").write_text(
        '[[vendor]]\nname = "Acme Labeling"\naccounts = ["111122223333"]\n\n'
        '[[vendor]]\nname = "Acme Annotate"\naccounts = ["111122223333"]\n'
        'principals = ["arn:aws:iam::111122223333:role/annotate-*"]\n\n'
        '[[vendor]]\nname = "Labelbox workers"\naccounts = ["340636424752"]\n'
        'principals = ["arn:aws:iam::340636424752:role/lb-*"]\n'
    )
    objects = "arn:aws:s3:::acme-images/*"
    read = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}]}

    def trusting(name, principal):
        found = trusted_by("111122223333", name)
        found["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"AWS": principal}
        found["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": read}]
        return found

    roles = [
        trusting("Annotate", "arn:aws:iam::111122223333:role/annotate-worker"),
        trusting("Label", "arn:aws:iam::111122223333:root"),
        trusting("Lb", "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"),
    ]
    (folder / "gaad.json").write_text(json.dumps({"RoleDetailList": roles}))
    bot = {"AWS": "arn:aws:iam::111122223333:role/annotate-bot"}
    policy = {
        "Statement": [{"Effect": "Allow", "Principal": bot, "Action": "s3:PutObject", "Resource": objects}]
    }
    (folder / "policy.json").write_text(json.dumps(policy))
    args = ["--from-file", "gaad.json", "--bucket-policy", "acme-images=policy.json"]
    shown = cli("inventory", *args, "-o", "json", "--fail-on", "none")
    parties = {p["name"]: p for p in shown.json()["parties"]}
    assert set(parties) == {"Acme Labeling", "Acme Annotate", "Labelbox"}, shown.stdout
    assert [r["role_arn"].rsplit("/", 1)[1] for r in parties["Acme Annotate"]["roles"]] == ["Annotate"]
    assert [r["role_arn"].rsplit("/", 1)[1] for r in parties["Acme Labeling"]["roles"]] == ["Label"]
    assert parties["Acme Annotate"]["bucket_policy"][0]["rights"] == ["write"]
    assert not [line for line in shown.stderr.splitlines() if "Acme Annotate" in line], shown.stderr
    routes = cli("who-can", "read", "s3://acme-images/", *args, "-o", "json").json()["routes"]
    assert {r["role_arn"].rsplit("/", 1)[1]: r["party"] for r in routes} == {
        "Annotate": "Acme Annotate",
        "Label": "Acme Labeling",
        "Lb": "Labelbox",
    }


def test_a_principal_no_pattern_matches_is_not_named_by_that_entry(cli, folder):
    """Issue 22 words, item 1: with the README's entry (Acme's roles `acme-*` in 111122223333,
    no account-wide entry), a role trusting another role of that account is not Acme's: it is
    "unknown account 111122223333"; a trust letting in both shows both parties, each with its
    own way in (was: all three roles "only Acme Labeling gets in")."""
    (folder / ".provisioner.toml").write_text(
        '[[vendor]]\nname = "Acme Labeling"\naccounts = ["111122223333"]\n'
        'principals = ["arn:aws:iam::111122223333:role/acme-*"]\n'
    )
    objects = "arn:aws:s3:::acme-data/*"
    read = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}]}
    acme, other = "arn:aws:iam::111122223333:role/acme-x", "arn:aws:iam::111122223333:role/other-team"

    def trusting(name, principal, external_id):
        found = trusted_by("111122223333", name, external_id)
        found["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"AWS": principal}
        found["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": read}]
        return found

    roles = [
        trusting("AcmeLabel", acme, "acme-ext-id-0000000001"),
        trusting("OtherTeam", other, "other-ext-id-0000000002"),
        trusting("Mixed", [acme, other], "mixed-ext-id-0000000003"),
    ]
    (folder / "gaad.json").write_text(json.dumps({"RoleDetailList": roles}))
    shown = cli("inventory", "--from-file", "gaad.json", "-o", "json", "--fail-on", "none")
    parties = {p["name"]: p for p in shown.json()["parties"]}
    assert set(parties) == {"Acme Labeling", "unknown account 111122223333"}, shown.stdout
    by_role = {
        name: {r["role_arn"].rsplit("/", 1)[1]: r for r in party["roles"]} for name, party in parties.items()
    }
    assert set(by_role["Acme Labeling"]) == {"AcmeLabel", "Mixed"}
    assert set(by_role["unknown account 111122223333"]) == {"OtherTeam", "Mixed"}
    assert "Acme" not in by_role["unknown account 111122223333"]["OtherTeam"]["trust"]
    mixed = by_role["Acme Labeling"]["Mixed"]["trust"]
    assert mixed.startswith(f"Acme Labeling gets in as {acme}, with the external ID"), mixed
    assert other not in mixed.split(";")[0] and "also lets in unknown account 111122223333" in mixed, mixed
    mixed = by_role["unknown account 111122223333"]["Mixed"]["trust"]
    assert mixed.startswith(f"unknown account 111122223333 gets in as {other}, with"), mixed
    assert "also lets in Acme Labeling" in mixed, mixed
    routes = cli("who-can", "read", "s3://acme-data/", "--from-file", "gaad.json", "-o", "json").json()
    got = sorted((r["role_arn"].rsplit("/", 1)[1], r["party"]) for r in routes["routes"])
    assert got == [
        ("AcmeLabel", "Acme Labeling"),
        ("Mixed", "Acme Labeling"),
        ("Mixed", "unknown account 111122223333"),
        ("OtherTeam", "unknown account 111122223333"),
    ], got
    trusts = {(r["role_arn"].rsplit("/", 1)[1], r["party"]): r["trust"] for r in routes["routes"]}
    assert trusts["AcmeLabel", "Acme Labeling"].startswith("only Acme Labeling gets in")
    mixed = trusts["Mixed", "Acme Labeling"]
    assert not mixed.startswith("only") and mixed.endswith("also lets in unknown account 111122223333"), mixed


def test_a_vendor_entrys_origins_give_it_browser_access(cli, folder, tmp_path):
    """Item 7 of issue 22's leftovers: browser access (the buckets whose CORS rules name the
    party's origins) works for a vendor the user names, through its entry's `origins`; a bucket
    whose CORS names other origins is not its browser access; a bad origin is one line, exit 2."""
    from provisioner.inventory.browser import browser_access
    from provisioner.inventory.model import Bucket, PartyEntry
    from provisioner.naming import parse_config_entries

    [acme] = parse_config_entries(
        [
            {
                "name": "Acme Labeling",
                "accounts": ["111122223333"],
                "origins": ["https://app.acme.example"],
                "line": 1,
            }
        ],
        "cfg.toml",
    )
    assert acme.origins == ("https://app.acme.example",)
    names = Names([acme])
    entry = PartyEntry(names.party("111122223333"))
    entry.roles.append(type("Access", (), {"account": "123456789012"})())  # a role of that account
    buckets = {
        "123456789012": [
            Bucket("acme-images", "123456789012", cors=[{"AllowedOrigins": ["https://app.acme.example"]}]),
            Bucket("other", "123456789012", cors=[{"AllowedOrigins": ["https://app.labelbox.com"]}]),
        ]
    }
    browser_access({"k": entry}, buckets, names)
    assert entry.cors_buckets == ["s3://acme-images"]
    (folder / ".provisioner.toml").write_text(
        '[[vendor]]\nname = "Acme"\naccounts = ["111122223333"]\norigins = ["app.acme.example/path"]\n'
    )
    refused = cli("vendors")
    assert refused.code == 2 and "origins" in refused.stderr and refused.stderr.count("\n") == 1, (
        refused.stderr
    )
