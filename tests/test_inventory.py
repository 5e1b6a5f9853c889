# ruff: noqa: E501  (the cases read best one a line)
"""provision inventory, pure: parties by name (each once), ranked with cross-account
administrators first; the data scope table (prefix grants, NotAction, a boundary, an SCP that
removes writes, a bucket policy that denies the role); external-ID hygiene; staleness and the
removal command; the formats and --fail-on. No server: GAAD files offline."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from provisioner.evaluation import Policy
from provisioner.inventory import InventorySpec, run
from provisioner.inventory.model import Bucket
from provisioner.inventory.scope import data_scope

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 22, tzinfo=UTC)
LABELBOX_ROLE = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
DATADOG = "464622532012"  # fwd:cloudsec's list
UNKNOWN = "210987654321"
ELB_LOGS = "127311923021"  # an AWS service of the list


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource, **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def role(name, principal, policy, *, external_id="a-unique-id-from-the-vendor-0001", used="2026-11-20", created="2025-01-01", region="us-east-2"):  # fmt: skip
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "CreateDate": f"{created}T00:00:00Z",
        "RoleLastUsed": {"LastUsedDate": f"{used}T00:00:00Z", "Region": region} if used else {},
        "AssumeRolePolicyDocument": doc(statement),
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}],
    }


READ_TRAIN = doc(
    allow("s3:GetObject", "arn:aws:s3:::acme-images/train/*"),
    allow("s3:ListBucket", "arn:aws:s3:::acme-images"),
)
ADMIN = doc(allow("*", "*"))
READ_WRITE = doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::acme-exports/*"))
ROLES = [
    role("LabelboxRead", LABELBOX_ROLE, READ_TRAIN),
    role("LabelboxExports", LABELBOX_ROLE, READ_WRITE, external_id="another-unique-id-from-labelbox"),
    role("DatadogAdmin", f"arn:aws:iam::{DATADOG}:root", ADMIN, external_id="datadog-issued-id-0000000042"),
    role("Old", f"arn:aws:iam::{UNKNOWN}:root", READ_TRAIN, external_id="an-id-for-the-old-integration", used="2025-01-01", region="eu-west-1"),
    role("Logs", f"arn:aws:iam::{ELB_LOGS}:root", READ_TRAIN, external_id=None),
]  # fmt: skip


@pytest.fixture
def gaad(tmp_path):
    def write(roles=ROLES):
        path = tmp_path / "gaad.json"
        path.write_text(json.dumps({"RoleDetailList": roles}))
        return str(path)

    return write


def inventory(path, **kwargs):
    return run(InventorySpec(from_file=path, **kwargs), now=NOW)


def test_each_party_appears_once_by_name_with_its_roles_beneath(gaad):
    result = inventory(gaad())
    names = [p.party.name for p in result.parties]
    assert sorted(names) == sorted(["Labelbox", "Datadog", f"unknown account {UNKNOWN}", "ELB logs"])
    labelbox = next(p for p in result.parties if p.party.name == "Labelbox")
    assert [r.role_name for r in labelbox.roles] == ["LabelboxRead", "LabelboxExports"]
    assert next(p for p in result.parties if p.party.name == "ELB logs").party.kind == "aws-service"


def test_cross_account_administrators_rank_first(gaad):
    """Before a role anyone can assume (critical too, and 'anyone' sorts before 'Datadog')."""
    anyone = role("Public", "*", READ_TRAIN, external_id=None)
    result = inventory(gaad([anyone, *ROLES]))
    assert (
        result.parties[1].party.name == "anyone (any AWS account)"
        and result.parties[1].worst.value == "critical"
    )
    first = result.parties[0]
    assert first.party.name == "Datadog" and first.privileged
    assert first.roles[0].power == ("every action on every resource (AdministratorAccess or its like)",)
    assert all(not p.privileged for p in result.parties[1:])


def test_an_account_of_the_organization_is_never_a_party(gaad):
    ours = role("Sibling", f"arn:aws:iam::{ACCOUNT}:root", READ_TRAIN, external_id=None)
    result = inventory(gaad([ours, ROLES[0]]))
    assert [p.party.name for p in result.parties] == ["Labelbox"]


def test_the_exact_trust_verdict_is_shown_per_role(gaad):
    result = inventory(gaad())
    by_role = {r.role_name: r for p in result.parties for r in p.roles}
    assert by_role["LabelboxRead"].trust == (
        "only Labelbox gets in, and only with the external ID 'a-unique-id-from-the-vendor-0001'"
    )
    assert "with no external ID" in by_role["Logs"].trust or "any" in by_role["Logs"].trust
    assert "cross-account-no-external-id" in by_role["Logs"].rules


def test_stale_parties_get_the_removal_command_with_what_it_leaves(gaad):
    result = inventory(gaad())
    old = next(p for p in result.parties if p.party.account == UNKNOWN)
    assert old.stale and old.roles[0].last_region == "eu-west-1"
    assert old.roles[0].remove == (
        f"provision delete-role --role-name Old --profile <a profile for account {ACCOUNT}> --force --dry-run"
    )
    assert "policies it did not create" in old.roles[0].leaves
    fresh = inventory(gaad(), unused_days=1000)
    assert not next(p for p in fresh.parties if p.party.account == UNKNOWN).stale


def test_a_role_provisioner_made_is_removed_without_force(gaad):
    ours = role("LabelboxS3Access", LABELBOX_ROLE, READ_TRAIN, used=None, created="2024-01-01")
    ours["Tags"] = [{"Key": "managed-by", "Value": "provisioner"}]
    access = inventory(gaad([ours])).parties[0].roles[0]
    assert access.stale and "--force" not in access.remove and access.remove.endswith("--dry-run")


def test_external_id_hygiene(gaad):
    shared = [
        role("A", LABELBOX_ROLE, READ_TRAIN, external_id="one-id-on-two-roles-0000"),
        role("B", LABELBOX_ROLE, READ_TRAIN, external_id="one-id-on-two-roles-0000"),
        role("C", f"arn:aws:iam::{UNKNOWN}:root", READ_TRAIN, external_id="one-id-for-two-parties-00"),
        role("D", f"arn:aws:iam::{DATADOG}:root", READ_TRAIN, external_id="one-id-for-two-parties-00"),
        role("E", f"arn:aws:iam::{DATADOG}:root", READ_TRAIN, external_id="short"),
    ]
    by_role = {r.role_name: r for p in inventory(gaad(shared)).parties for r in p.roles}
    assert any("is on 2 roles" in n for n in by_role["A"].id_notes)
    assert any("trusted for 2 parties" in n for n in by_role["C"].id_notes)
    assert any("shorter than 16 characters" in n for n in by_role["E"].id_notes)
    assert any("may be as old as the role (created 2025-01-01)" in n for n in by_role["A"].id_notes)
    assert not any("guessable" in n for n in by_role["A"].id_notes)


# Data scope, decided by the evaluator ("Policy evaluation logic"); each case names its rule.
BUCKET = "acme-images"
SCP_NO_WRITES = [[Policy("FullAWSAccess", doc(allow("*", "*"))), Policy("DenyWrites", doc(allow("*", "*"), deny(["s3:PutObject*", "s3:Delete*", "s3:Replicate*"], "*")))]]  # fmt: skip
SCP_SOME_WRITES = [[Policy("FullAWSAccess", doc(allow("*", "*"))), Policy("DenyWrites", doc(allow("*", "*"), deny(["s3:PutObject", "s3:DeleteObject"], "*")))]]  # fmt: skip
SCOPE_CASES = [
    ("prefix-limited grant", [READ_TRAIN], {}, "s3://acme-images/train/* read; nothing else"),
    (
        # "IAM JSON policy elements: NotAction": "all of the applicable actions or services that are
        # not listed are allowed if you use the Allow effect": s3:DeleteObjectVersion stays, and it
        # deletes (inventory.actions, the one definition who-can uses too)
        "NotAction: every S3 object action but DeleteObject, on one bucket",
        [doc({"Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"})],
        {},
        "s3://acme-images/* read, write, re-share, delete; nothing else",
    ),
    (
        "NotAction: every S3 object action but those that write or delete",
        [doc({"Effect": "Allow", "NotAction": ["s3:PutObject*", "s3:Delete*", "s3:Replicate*"], "Resource": f"arn:aws:s3:::{BUCKET}/*"})],
        {},
        "s3://acme-images/* read; nothing else",
    ),
    (
        # "Permissions boundaries for IAM entities": the effective permissions are the intersection
        "a read-only boundary under s3:*",
        [doc(allow("s3:*", f"arn:aws:s3:::{BUCKET}/*"))],
        {"boundary": Policy("boundary", doc(allow("s3:GetObject", "*")))},
        "s3://acme-images/* read; nothing else",
    ),
    (
        # "Service control policies": a Deny in an SCP applies to every principal of the account
        "an SCP that removes writes",
        [doc(allow("s3:*", f"arn:aws:s3:::{BUCKET}/*"))],
        {"scps": SCP_NO_WRITES},
        "s3://acme-images/* read; nothing else",
    ),
    (
        # an SCP denying only s3:PutObject and s3:DeleteObject leaves s3:PutObjectAcl and
        # s3:DeleteObjectVersion (inventory.actions): writes and deletes remain
        "an SCP that removes only PutObject and DeleteObject",
        [doc(allow("s3:*", f"arn:aws:s3:::{BUCKET}/*"))],
        {"scps": SCP_SOME_WRITES},
        "s3://acme-images/* read, write, re-share, delete; nothing else",
    ),
    (
        # "Policy evaluation logic": an explicit Deny in the bucket policy denies
        "a bucket policy that denies the role",
        [doc(allow("s3:*", f"arn:aws:s3:::{BUCKET}/*"))],
        {
            "buckets": [
                Bucket(BUCKET, ACCOUNT, doc(deny("s3:*", f"arn:aws:s3:::{BUCKET}/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/vendor-role"}))),
            ]
        },
        "nothing",
    ),
    (
        "a grant on every bucket",
        [doc(allow("s3:GetObject", "*"))],
        {},
        "s3://* (every bucket) read; nothing else",
    ),
    (
        # "Policy evaluation logic": an explicit Deny in a bucket policy denies, on that bucket only
        "a grant on every bucket, and a bucket policy that denies the role: the exception is named",
        [doc(allow(["s3:GetObject", "s3:PutObject"], "*"))],
        {"buckets": [Bucket("acme-secrets", ACCOUNT, doc(deny("s3:*", "arn:aws:s3:::acme-secrets/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/vendor-role"}))), Bucket(BUCKET, ACCOUNT)]},
        "s3://* (every bucket except s3://acme-secrets (its bucket policy denies)) read, write; nothing else",
    ),
    (
        "a grant on every bucket, and a bucket policy that denies only writes",
        [doc(allow(["s3:GetObject", "s3:PutObject"], "*"))],
        {"buckets": [Bucket("acme-secrets", ACCOUNT, doc(deny("s3:PutObject", "arn:aws:s3:::acme-secrets/*", Principal="*")))]},
        "s3://* (every bucket except s3://acme-secrets (its bucket policy denies write)) read, write; s3://acme-secrets/* read; nothing else",
    ),
    (
        "a grant on every bucket, and the role's own Deny on one bucket of the account",
        [doc(allow("s3:GetObject", "*"), deny("s3:GetObject", "arn:aws:s3:::acme-secrets/*"))],
        {"buckets": [Bucket("acme-secrets", ACCOUNT, doc(allow("s3:GetObject", "arn:aws:s3:::acme-secrets/*", Principal="*")))]},
        "s3://* (every bucket except s3://acme-secrets (the role's own policies deny)) read; nothing else",
    ),
    (
        "KMS key the statements name",
        [READ_TRAIN, doc(allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234"))],
        {},
        f"s3://acme-images/train/* read; arn:aws:kms:us-east-1:{ACCOUNT}:key/1234 decrypt; nothing else",
    ),
    (
        # issue 22 item 3: kms:Decrypt on "*" is every key the key policies let the account use
        "kms:Decrypt on every key",
        [doc(allow(["kms:Decrypt", "s3:GetObject"], "*"))],
        {},
        "s3://* (every bucket) read; any KMS key decrypt; nothing else",
    ),
    (
        # issue 22 item 4: a bucket-level write (the bucket policy) is why audit calls it HIGH
        "only s3:PutBucketPolicy, on one bucket",
        [doc(allow("s3:PutBucketPolicy", f"arn:aws:s3:::{BUCKET}"))],
        {},
        "s3://acme-images (the bucket) PutBucketPolicy; nothing else",
    ),
    (
        "bucket-level writes on every bucket",
        [doc(allow(["s3:PutBucketAcl", "s3:DeleteBucketPolicy"], "*"))],
        {},
        "s3://* (every bucket) DeleteBucketPolicy, PutBucketAcl; nothing else",
    ),
    (
        "an administrator beside a bucket policy that changes nothing for it: said once",
        [ADMIN],
        {"buckets": [Bucket(BUCKET, ACCOUNT, doc(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/public/*", Principal="*")))]},
        "s3://* (every bucket) read, write, re-share, delete, every bucket-level write (PutBucketPolicy, PutBucketAcl, DeleteBucket, …); any KMS key decrypt; nothing else",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "documents", "chain", "expected"), SCOPE_CASES, ids=[c[0] for c in SCOPE_CASES]
)
def test_data_scope(what, documents, chain, expected):
    policies = [Policy(f"policy {i}", d) for i, d in enumerate(documents)]
    assert data_scope(policies, ACCOUNT, **chain).shown == expected


def test_a_bucket_policy_naming_the_role_grants_in_its_own_account():
    """ "Policy evaluation logic": within one account a resource policy's Allow grants on its own."""
    grant = doc(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/shared/*", Principal={"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/vendor-role/provisioner-audit"}))  # fmt: skip
    scope = data_scope([], ACCOUNT, buckets=[Bucket(BUCKET, ACCOUNT, grant)])
    assert scope.shown == "s3://acme-images/shared/* read; nothing else"


def test_outputs_and_fail_on(cli, gaad):
    path = gaad()
    shown = cli("inventory", "--from-file", path)
    assert shown.code == 1  # critical and high findings; --fail-on high is the default
    assert shown.stdout.index("Datadog") < shown.stdout.index("Labelbox")
    assert cli("inventory", "--from-file", path, "--fail-on", "none").code == 0
    data = cli("inventory", "--from-file", path, "-o", "json", "--fail-on", "none").json()
    assert data["schema_version"] == 1 and data["parties"][0]["name"] == "Datadog"
    assert data["parties"][0]["roles"][0]["power"]
    rows = list(
        csv.DictReader(
            io.StringIO(cli("inventory", "--from-file", path, "-o", "csv", "--fail-on", "none").stdout)
        )
    )
    assert {r["party"] for r in rows} == {"Labelbox", "Datadog", f"unknown account {UNKNOWN}", "ELB logs"}
    assert len(rows) == 5
    markdown = cli("inventory", "--from-file", path, "-o", "markdown", "--fail-on", "none").stdout
    assert markdown.startswith("# Outside parties (4)") and "## Datadog" in markdown


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--bucket-policy", "acme=x.json"], "only with --from-file"),
        (["--from-file", "GAAD", "--bucket-policy", "no-equals"], "BUCKET=FILE"),
        (["--from-file", "GAAD", "--bucket-policy", "acme-images=missing.json"], "missing.json"),
        (["--from-file", "GAAD", "--accounts", "123456789012"], "not with --organization/--accounts"),
        (["--from-file", "GAAD", "--unused-days", "0"], "--unused-days"),
        (["--from-file", "GAAD", "-o", "sarif"], "--output"),
        (["--from-file", "GAAD", "--known-accounts", "missing.yaml"], "known-accounts"),
        (["--from-file", "GAAD", "--out", "report.sarif"], "not sarif"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, gaad, args, says):
    path = gaad()
    refused = cli("inventory", *[path if a == "GAAD" else a for a in args])
    assert refused.code == 2, refused
    assert refused.stderr.strip().count("\n") == 0 and says in refused.stderr, refused.stderr


def test_every_bucket_names_its_exceptions_in_every_format(cli, gaad, tmp_path):
    """Item 5 of issue 22's leftovers: "every bucket" with the buckets whose policy denies the role."""
    path = gaad([role("Wide", LABELBOX_ROLE, doc(allow("s3:GetObject", "*")))])
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(doc(deny("s3:GetObject", "arn:aws:s3:::acme-secrets/*", Principal="*"))))
    args = ["--from-file", path, "--bucket-policy", f"acme-secrets={policy}", "--fail-on", "none"]
    wanted = "s3://* (every bucket except s3://acme-secrets (its bucket policy denies)) read; nothing else"
    data = cli("inventory", *args, "-o", "json").json()
    role_data = data["parties"][0]["roles"][0]
    assert role_data["scope_shown"] == wanted
    assert (
        role_data["scope"][0]["where"]
        == "s3://* (every bucket except s3://acme-secrets (its bucket policy denies))"
    )
    for output in ("markdown", "csv", "html"):
        assert wanted in cli("inventory", *args, "-o", output).stdout, output
    table = cli("inventory", *args, "-o", "table").stdout
    assert "except s3://acme-secrets" in " ".join(table.split())


def test_a_bucket_policy_file_takes_part_offline(cli, gaad, tmp_path):
    path = gaad([role("Exports", LABELBOX_ROLE, READ_WRITE)])
    policy = tmp_path / "policy.json"
    denies = deny("s3:PutObject", "arn:aws:s3:::acme-exports/*", Principal="*")
    policy.write_text(json.dumps({"Policy": json.dumps(doc(denies))}))  # get-bucket-policy's output
    before = cli("inventory", "--from-file", path, "-o", "json", "--fail-on", "none").json()
    assert before["parties"][0]["roles"][0]["scope_shown"] == "s3://acme-exports/* read, write; nothing else"
    after = cli(
        "inventory",
        "--from-file",
        path,
        "--bucket-policy",
        f"acme-exports={policy}",
        "-o",
        "json",
        "--fail-on",
        "none",
    ).json()
    assert after["parties"][0]["roles"][0]["scope_shown"] == "s3://acme-exports/* read; nothing else"


def test_html_is_one_card_per_party_and_a_graph_coloured_by_the_worst_verdict(cli, gaad, tmp_path):
    out = tmp_path / "inventory.html"
    assert cli("inventory", "--from-file", gaad(), "--out", str(out), "--fail-on", "none").code == 0
    page = out.read_text()
    assert page.count('<section class="party">') == 4 and "default-src 'none'" in page
    # Datadog's administrator role: critical (#7b1fa2) on its party, its line and its card
    assert '<text x="245" y="18" text-anchor="end" fill="#7b1fa2">Datadog</text>' in page
    assert page.index("Datadog (464622532012)") < page.index("Labelbox (340636424752)")
    evil = role(
        "Evil", f"arn:aws:iam::{UNKNOWN}:root", READ_TRAIN, external_id="<script>alert(1)</script>-long-id"
    )
    cli("inventory", "--from-file", gaad([evil]), "--out", str(out), "--fail-on", "none")
    assert "<script>alert" not in out.read_text()


DATADOG_2 = "865078226113"  # Datadog's second account in fwd:cloudsec's list


def test_one_party_per_named_vendor_with_its_accounts_listed(gaad):
    roles = [
        role("DatadogA", f"arn:aws:iam::{DATADOG}:root", READ_TRAIN, external_id="datadog-issued-id-0000000042"),
        role("DatadogB", f"arn:aws:iam::{DATADOG_2}:root", READ_TRAIN, external_id="datadog-issued-id-0000000043"),
        role("Old", f"arn:aws:iam::{UNKNOWN}:root", READ_TRAIN),
        role("Other", "arn:aws:iam::777766665555:root", READ_TRAIN, external_id="an-id-for-the-other-one-000"),
    ]  # fmt: skip
    result = inventory(gaad(roles))
    assert sorted(p.party.name for p in result.parties) == sorted(
        ["Datadog", f"unknown account {UNKNOWN}", "unknown account 777766665555"]
    )
    datadog = next(p for p in result.parties if p.party.name == "Datadog")
    assert datadog.accounts == [DATADOG, DATADOG_2] and [r.role_name for r in datadog.roles] == [
        "DatadogA",
        "DatadogB",
    ]


def test_a_config_vendor_with_two_accounts_is_one_party(gaad):
    from provisioner.naming import Named

    vendor = Named("Acme Labels", "vendor", (UNKNOWN, "777766665555"), "config provision.toml:3")
    roles = [role("A", f"arn:aws:iam::{UNKNOWN}:root", READ_TRAIN), role("B", "arn:aws:iam::777766665555:root", READ_TRAIN, external_id="another-unique-id-from-acme-0")]  # fmt: skip
    [party] = inventory(gaad(roles), vendors=(vendor,)).parties
    assert party.party.name == "Acme Labels" and party.accounts == [UNKNOWN, "777766665555"]


def test_each_party_entry_describes_its_own_way_in(gaad):
    two = role("Two", [f"arn:aws:iam::{UNKNOWN}:root", "arn:aws:iam::777766665555:role/ops"], READ_TRAIN)
    result = inventory(gaad([two]))
    by_party = {p.party.account: p.roles[0].trust for p in result.parties}
    assert "arn:aws:iam::777766665555:role/ops" in by_party["777766665555"]
    assert UNKNOWN not in by_party["777766665555"].split(";")[0]
    assert "every principal of account 210987654321" not in by_party["777766665555"]
    assert "210987654321" in by_party[UNKNOWN]


def test_every_audited_account_is_ours(gaad):
    """--accounts A,B: B is audited, so a role in A trusting B is not an outside party (issue 22:
    "An account of the audited organization is ours"; with --accounts, every listed account)."""
    from provisioner.audit.model import AccountData
    from provisioner.inventory.parties import build

    path = gaad([role("ToB", f"arn:aws:iam::{DATADOG}:root", READ_TRAIN), ROLES[0]])
    from provisioner.audit import load_file
    from provisioner.audit.aggregate import audit
    from provisioner.audit.memo_key import Memo
    from provisioner.naming import Names

    a = load_file(path)
    b = AccountData(DATADOG, [], {}, error=None)
    memo = Memo()
    result = audit([a, b], org_accounts=frozenset(), now=NOW, memo=memo)
    built = build(
        [a, b], result, memo, Names(), org_accounts=frozenset(), now=NOW, unused_days=90, buckets={}
    )
    assert [p.party.name for p in built.parties] == ["Labelbox"]


def test_a_bucket_policy_grant_to_an_outside_account_is_a_party(cli, gaad, tmp_path):
    """Inventory promises every outside party: one reaching data through a bucket policy too, and
    a "*" grant that depends on aws:SourceVpce shows with its condition, never dropped."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(doc(
        allow("s3:GetObject", "arn:aws:s3:::acme-images/alexa-devices/*", Sid="Partner", Principal={"AWS": "arn:aws:iam::888877776666:root"}),
        allow("s3:GetObject", "arn:aws:s3:::acme-images/*", Sid="Vpc", Principal="*", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
    )))  # fmt: skip
    shown = cli(
        "inventory",
        "--from-file",
        gaad([ROLES[0]]),
        "--bucket-policy",
        f"acme-images={policy}",
        "-o",
        "json",
        "--fail-on",
        "none",
    )
    by_name = {p["name"]: p for p in shown.json()["parties"]}
    assert set(by_name) == {"Labelbox", "unknown account 888877776666", "anyone (any AWS account)"}
    [grant] = by_name["unknown account 888877776666"]["bucket_policy"]
    assert (grant["part"], grant["rights"], grant["verdict"]) == (
        "s3://acme-images/alexa-devices/*",
        ["read"],
        "can",
    )
    [vpc] = by_name["anyone (any AWS account)"]["bucket_policy"]
    assert vpc["verdict"].startswith("WARN: depends on") and "vpce-1" in vpc["condition"]
    table = cli(
        "inventory",
        "--from-file",
        gaad([ROLES[0]]),
        "--bucket-policy",
        f"acme-images={policy}",
        "--fail-on",
        "none",
    ).stdout
    assert "unknown account 888877776666" in table and "vpce-1" in table


def test_the_removal_command_carries_the_runs_endpoint_and_region(cli, gaad):
    """Run as shown, the printed delete-role must act on the account the run read."""
    shown = cli("inventory", "--from-file", gaad(), "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:4566", "-o", "json", "--fail-on", "none").json()  # fmt: skip
    old = next(p for p in shown["parties"] if p["account"] == UNKNOWN)["roles"][0]
    assert old["remove"] == (
        f"provision delete-role --role-name Old --profile <a profile for account {ACCOUNT}> "
        "--region eu-west-1 --endpoint-url http://127.0.0.1:4566 --force --dry-run"
    )


@pytest.mark.parametrize("output", ["table", "json"])
def test_a_config_file_that_makes_inventory_greener_is_named_on_stderr(
    cli, gaad, tmp_path, monkeypatch, output
):
    """As audit does (cli/reporting.py GREENER_SETTINGS): a fail-on or unused-days from the file."""
    path = gaad()
    monkeypatch.delenv("PROVISIONER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".provisioner.toml").write_text('[inventory]\nfail-on = "none"\nunused-days = 36500\n')
    relaxed = cli("inventory", "--from-file", path, "-o", output)
    assert relaxed.code == 0
    notes = [line for line in relaxed.stderr.splitlines() if line.startswith("note:")]
    assert any("--fail-on none is from" in n and n.endswith(".provisioner.toml:2") for n in notes), (
        relaxed.stderr
    )
    assert any("--unused-days 36500 is from" in n and n.endswith(".provisioner.toml:3") for n in notes)
    flagged = cli("inventory", "--from-file", path, "-o", output, "--fail-on", "high", "--unused-days", "90")
    assert not any(
        line.startswith(("note: --fail-on", "note: --unused-days")) for line in flagged.stderr.splitlines()
    )


@pytest.mark.parametrize("command", [["inventory"], ["who-can", "read", "s3://acme-images"]])
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from-file", ""], "--from-file"),
        (["--from-file", "GAAD", "--known-accounts", ""], "--known-accounts"),
    ],
)
def test_an_empty_file_option_is_bad_input_before_any_aws_call(cli, gaad, aws_calls, command, args, says):
    refused = cli(*command, *[gaad() if a == "GAAD" else a for a in args])
    assert refused.code == 2 and refused.stderr.strip().count("\n") == 0, refused.stderr
    assert says in refused.stderr and "empty" in refused.stderr
    assert aws_calls == []


def test_csv_neutralises_formulas_and_markdown_escapes_raw_html(cli, gaad, tmp_path):
    """OWASP "CSV Injection": a cell a spreadsheet would run as a formula is prefixed with '.
    Markdown renders raw HTML: a name with <tags> is escaped."""
    from provisioner.naming import Named

    evil = Named('=HYPERLINK("http://evil.example","x")', "vendor", (UNKNOWN,), "config provision.toml:3")
    html = Named("<img src=x onerror=alert(1)>", "vendor", ("777766665555",), "config provision.toml:7")
    roles = [role("A", f"arn:aws:iam::{UNKNOWN}:root", READ_TRAIN), role("B", "arn:aws:iam::777766665555:root", READ_TRAIN, external_id="another-unique-id-from-acme-0")]  # fmt: skip
    from provisioner.report.inventory import inventory_csv, inventory_markdown

    result = inventory(gaad(roles), vendors=(evil, html))
    rows = list(csv.reader(io.StringIO(inventory_csv(result))))
    cells = [c for row in rows for c in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    markdown = inventory_markdown(result)
    assert "<img" not in markdown and "&lt;img src=x onerror=alert(1)&gt;" in markdown


@pytest.mark.parametrize(
    "command", [["inventory", "--fail-on", "none"], ["who-can", "read", "s3://acme-images/train/"]]
)
def test_text_output_is_the_aws_cli_records(cli, gaad, command):
    """README: -o text works on every command with JSON output."""
    shown = cli(*command, "--from-file", gaad(), "-o", "text")
    assert shown.code == 0, shown.stderr
    assert "Labelbox" in shown.stdout and "\t" in shown.stdout and not shown.stdout.lstrip().startswith("{")


@pytest.mark.parametrize(
    ("principal", "fail_on", "code"),
    [
        ("*", "critical", 1),  # anyone may read: critical
        ("*", "high", 1),
        ({"AWS": UNKNOWN}, "high", 0),  # an outside account may read: listed, no severity of its own
        ("*", "none", 0),
    ],
)
def test_fail_on_counts_a_bucket_policys_own_grants(cli, gaad, tmp_path, principal, fail_on, code):
    """--fail-on "as in audit" (issue 22): a bucket policy that lets anyone read is the inventory's
    critical, with no role between; it must fail the run as a role's critical finding does."""
    path = gaad([role("Train", LABELBOX_ROLE, READ_TRAIN)])
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(doc(allow("s3:GetObject", "arn:aws:s3:::acme-open/*", Principal=principal))))
    ran = cli(
        "inventory", "--from-file", path, "--bucket-policy", f"acme-open={policy}", "--fail-on", fail_on
    )
    assert ran.code == code, ran.stdout + ran.stderr


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (doc({"Effect": "Allow", "Principal": {"AWS": "340636424752"}, "Action": "sts:AssumeRole"}), "no statement has a Resource (a trust policy?)"),
        (doc(allow("s3:GetObject", "arn:aws:s3:::other-bucket/*", Principal="*")), "its statements name arn:aws:s3:::other-bucket/*"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", [["inventory"], ["who-can", "read", "s3://data-bkt/"]])
def test_a_policy_that_is_not_the_buckets_is_refused(cli, gaad, tmp_path, document, says, command):
    """A trust policy or another bucket's policy given as --bucket-policy BUCKET=FILE was
    reported against BUCKET (a party "can sts:AssumeRole" on it, or anyone reading other-bucket)."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(document))
    refused = cli(*command, "--from-file", gaad(), "--bucket-policy", f"data-bkt={policy}")
    assert refused.code == 2, refused.stdout
    assert refused.stderr.count("\n") == 1 and f"not a bucket policy of data-bkt: {says}" in refused.stderr
