"""audit's rules, each with a role that trips it and a close one that does not (pure), and the
offline --from-file path."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from provisioner.audit import AccountData, RoleDetail, audit, judge_role, load_file
from provisioner.errors import InputError
from provisioner.mute import Mute
from provisioner.report import audit_csv as to_csv
from provisioner.report import audit_sarif as to_sarif

ACCOUNT = "123456789012"
LABELBOX_ROLE = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
NOW = datetime(2026, 11, 22, tzinfo=UTC)
RECENT = (NOW - timedelta(days=3)).isoformat()
READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
        }
    ],
}


def role(name, principal=None, condition=None, policy=READ, last_used=RECENT, statement=None, created=None):
    trust_statement = statement or {
        "Effect": "Allow",
        "Principal": principal or {"AWS": LABELBOX_ROLE},
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        trust_statement["Condition"] = condition
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust_statement]},
        "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": policy}] if policy else [],
        "AttachedManagedPolicies": [],
        "RoleLastUsed": {"LastUsedDate": last_used} if last_used else {},
        **({"CreateDate": created} if created else {}),
    }


def accounts(account, roles):
    """AccountData from GAAD-shaped role dicts, as gather builds it."""
    return AccountData(account, roles=[RoleDetail.from_gaad(r) for r in roles])


PINNED = {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}


def rules_of(r, **kwargs) -> set[str]:
    return {f.rule for f in judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW, **kwargs).findings}


CASES = [
    ("a pinned vendor trust is clean", role("Good", condition=PINNED), set()),
    (
        "Principal * with no condition",
        role("Any", principal="*"),
        {"trust-any-principal", "role-unused"} - {"role-unused"},
    ),
    (
        # 'o-abc' is no organization ID (AWS Organizations API Reference, Organization: Id,
        # "^o-[a-z0-9]{10,32}$"; IAM User Guide, "AWS global condition context keys",
        # aws:PrincipalOrgID compares "the identifier of the organization … to which the requesting
        # principal belongs"): nobody gets in, and condition-value-malformed says why (issue 22
        # words, item 5; was no finding at all)
        "Principal * pinned to an org is not 'any'",
        role("Org", principal="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
        {"condition-value-malformed"},
    ),
    ("another account without an external ID", role("NoId"), {"cross-account-no-external-id"}),
    (
        "StringEquals beside StringLike * still pins",
        role(
            "Both",
            condition={
                "StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"},
                "StringLike": {"sts:ExternalId": "*"},
            },
        ),
        set(),
    ),
    (
        "StringLike * alone does not pin",
        role("Like", condition={"StringLike": {"sts:ExternalId": "*"}}),
        {"external-id-not-pinned"},
    ),
    (
        "IfExists does not pin",
        role("IfEx", condition={"StringEqualsIfExists": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}),
        {"external-id-not-pinned"},
    ),
    (
        "ForAnyValue on a single-valued key still pins",
        role("Any1", condition={"ForAnyValue:StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}),
        set(),
    ),
    (
        "ForAllValues lets a missing ID through",
        role("All1", condition={"ForAllValues:StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}),
        {"external-id-not-pinned"},
    ),
    (
        "Null test does not pin",
        role("Null", condition={"Null": {"sts:ExternalId": "false"}}),
        {"external-id-not-pinned"},
    ),
    (
        "a weak external ID",
        role("Weak", condition={"StringEquals": {"sts:ExternalId": "vendor"}}),
        {"external-id-weak"},
    ),
    (
        "write access",
        role(
            "Write",
            condition=PINNED,
            policy={
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*"}
                ],
            },
        ),
        {"vendor-write-access"},
    ),
    ("read-only on named buckets", role("Read", condition=PINNED), set()),
    (
        "Resource * read",
        role(
            "Wide",
            condition=PINNED,
            policy={
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            },
        ),
        {"vendor-resource-wildcard"},
    ),
    (
        "account root trusted",
        role("Root", principal={"AWS": "arn:aws:iam::340636424752:root"}, condition=PINNED),
        {"trusts-account-root"},
    ),
    (
        "account ID trusted",
        role("Root2", principal={"AWS": "340636424752"}, condition=PINNED),
        {"trusts-account-root"},
    ),
    (
        "unused for 91 days",
        role("Old", condition=PINNED, last_used=(NOW - timedelta(days=91)).isoformat()),
        {"role-unused"},
    ),
    ("never used", role("Never", condition=PINNED, last_used=None), {"role-unused"}),
    (
        "same-account principal is not cross-account",
        role("Same", principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/x"}),
        set(),
    ),
    (
        "service principals are not another account",
        role("Svc", principal={"Service": "lambda.amazonaws.com"}),
        set(),
    ),
    (
        "a Deny for the vendor refuses it",
        role(
            "Denied",
            statement={"Effect": "Deny", "Principal": {"AWS": LABELBOX_ROLE}, "Action": "sts:AssumeRole"},
        ),
        set(),
    ),
]


@pytest.mark.parametrize(("what", "r", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(what, r, expected):
    assert rules_of(r) == expected


def test_accounts_of_the_organization_are_not_another_account():
    r = role("OrgPeer", principal={"AWS": "arn:aws:iam::222233334444:root"})
    assert "cross-account-no-external-id" in rules_of(r)
    assert rules_of(r, org_accounts=frozenset({"222233334444"})) == set()


def test_unused_is_only_judged_for_cross_account_roles():
    assert rules_of(role("Svc", principal={"Service": "ec2.amazonaws.com"}, last_used=None)) == set()


def days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("created", "last_used", "window", "unused"),
    [
        (days_ago(1 / 1440), None, 90, False),  # created a minute ago: it has not had the time
        (days_ago(89), None, 90, False),
        (days_ago(91), None, 90, True),  # never used, and older than the window
        (days_ago(400), days_ago(91), 90, True),
        (days_ago(400), days_ago(89), 90, False),
        (days_ago(40), None, 30, True),  # --unused-days 30
        (days_ago(400), days_ago(40), 30, True),
        (days_ago(400), days_ago(40), 90, False),
        (days_ago(20), None, 30, False),
        (None, None, 90, True),  # no CreateDate (a trimmed file): judged by its last use alone
    ],
    ids=["created-a-minute-ago", "created-89-days-ago", "never-used-91-days", "used-91-days-ago",
         "used-89-days-ago", "window-30-never-used-40", "window-30-used-40", "window-90-used-40",
         "window-30-created-20", "no-create-date"],
)  # fmt: skip
def test_role_unused_is_judged_by_age_and_last_use_within_the_window(created, last_used, window, unused):
    r = role("Vendor", condition=PINNED, last_used=last_used, created=created)
    verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW, unused_days=window)
    found = [f for f in verdict.findings if f.rule == "role-unused"]
    assert bool(found) == unused
    if found:
        assert f"{window} days" in found[0].message
        if created:
            assert found[0].evidence["CreateDate"] == created


def test_unused_days_reaches_the_rule_through_audit_and_is_checked():
    from provisioner.audit import AuditSpec, check_spec

    data = [
        accounts(
            ACCOUNT, roles=[role("Old", condition=PINNED, last_used=days_ago(40), created=days_ago(400))]
        )
    ]
    assert not any(f.rule == "role-unused" for f in audit(data, now=NOW).findings)
    (finding,) = [f for f in audit(data, now=NOW, unused_days=30).findings if f.rule == "role-unused"]
    assert "over 30 days ago" in finding.message
    for bad in (0, -1, 36_501, True, 1.5, "30"):
        with pytest.raises(InputError, match="unused_days"):
            check_spec(AuditSpec(from_file="x.json", unused_days=bad))  # type: ignore[arg-type]


def test_known_vendor_name_is_shown():
    verdict = judge_role(RoleDetail.from_gaad(role("NoId")), ACCOUNT, {}, now=NOW)
    assert {f.vendor for f in verdict.findings} == {"Labelbox"}


def test_external_id_reused_across_roles():
    data = [
        accounts(
            ACCOUNT,
            roles=[
                role("A", condition=PINNED),
                role("B", condition=PINNED),
                role("C", condition={"StringEquals": {"sts:ExternalId": "another-id-000001"}}),
            ],
        )
    ]
    result = audit(data, now=NOW)
    reused = [f for f in result.findings if f.rule == "external-id-reused"]
    # issue 18: one finding per shared ID (on the first role in sorted order), every role in
    # its evidence, instead of one finding per role listing all the others
    assert [f.role for f in reused] == ["A"]
    assert reused[0].severity == "medium" and "trusted by 2 roles" in reused[0].message
    assert reused[0].evidence == {
        "external_id": "ckx5y2abcd0001zz0",
        "roles": [f"arn:aws:iam::{ACCOUNT}:role/A", f"arn:aws:iam::{ACCOUNT}:role/B"],
    }


@pytest.mark.parametrize(
    ("muted_role", "muted"),
    [("A", True), ("B", True), (f"arn:aws:iam::{ACCOUNT}:role/B", True), ("C", False)],
)
def test_a_mute_on_any_role_sharing_the_id_mutes_the_reuse(muted_role, muted):
    data = [accounts(ACCOUNT, roles=[role(n, condition=PINNED) for n in ("B", "A")] + [role("C")])]
    result = audit(
        data, now=NOW, mutes=[Mute("external-id-reused", "one vendor, two buckets", role=muted_role)]
    )
    (reused,) = [f for f in result.findings if f.rule == "external-id-reused"]
    assert (reused.suppressed is not None) is muted


def test_reuse_output_grows_linearly_with_the_roles():
    """1,000 roles sharing one ID made 96 MB of JSON when each finding listed all the others."""

    def size(n):
        data = [accounts(ACCOUNT, roles=[role(f"R{i:05}", condition=PINNED) for i in range(n)])]
        found = [f.to_dict() for f in audit(data, now=NOW).findings if f.rule == "external-id-reused"]
        assert len(found) == 1
        return len(json.dumps(found))

    small, large = size(100), size(400)
    assert large < 5 * small


def test_only_cross_account_roles_are_listed_unless_all():
    data = [
        accounts(
            ACCOUNT,
            roles=[role("Good", condition=PINNED), role("Svc", principal={"Service": "ec2.amazonaws.com"})],
        )
    ]
    assert [r.role_arn.rsplit("/", 1)[-1] for r in audit(data, now=NOW).roles_listed] == ["Good"]
    assert len(audit(data, now=NOW, all_roles=True).roles_listed) == 2


def test_findings_come_worst_first_and_fail_on_thresholds():
    data = [
        accounts(ACCOUNT, roles=[role("Old", condition=PINNED, last_used=None), role("Any", principal="*")])
    ]
    result = audit(data, now=NOW)
    assert next(f.severity for f in result.findings) == "critical"
    assert result.fails("high") and result.fails("critical") and not result.fails("none")
    only_low = audit([accounts(ACCOUNT, roles=[role("Old", condition=PINNED, last_used=None)])], now=NOW)
    assert not only_low.fails("high") and only_low.fails("low")


def test_managed_policies_from_gaad_are_judged():
    r = role("Managed", condition=PINNED, policy=None)
    r["AttachedManagedPolicies"] = [{"PolicyName": "w", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/w"}]
    policies = {
        f"arn:aws:iam::{ACCOUNT}:policy/w": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    }
    found = {f.rule for f in judge_role(RoleDetail.from_gaad(r), ACCOUNT, policies, now=NOW).findings}
    assert {"vendor-write-access", "vendor-resource-wildcard"} <= found


def test_sarif_and_csv():
    result = audit([accounts(ACCOUNT, roles=[role("Any", principal="*"), role("NoId")])], now=NOW)
    sarif = to_sarif(result, "0.1.0")
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(set(ids)) and "trust-any-principal" in ids
    first = run["results"][0]
    assert first["ruleId"] == "trust-any-principal" and first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    lines = to_csv(result).splitlines()
    assert lines[0] == "account,role_arn,role,vendor,rule,severity,message,suppressed"
    assert len(lines) == 1 + len(result.findings)


def test_sarif_is_valid_for_the_oasis_schema_and_stable_for_code_scanning():
    """tests/data/sarif-2.1.0.json: the OASIS SARIF 2.1.0 (rtm.5) schema, as shipped in
    @microsoft/jest-sarif 1.0.0-beta.0 (MIT). Fingerprints depend on what a finding is about
    (account, role, rule), never on its wording or its place in the list."""
    import jsonschema

    schema = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text())
    roles = [role("Any", principal="*"), role("NoId"), role("Old", last_used=None)]
    first = audit([accounts(ACCOUNT, roles=roles)], now=NOW)
    muted = audit(
        [accounts(ACCOUNT, roles=list(reversed(roles)))],
        now=NOW,
        mutes=[Mute("role-unused", "legacy", role="*Old", where="t.toml:3")],
    )
    for result in (first, muted):
        jsonschema.Draft4Validator(schema).validate(to_sarif(result, "0.1.0"))

    def fingerprints(result):
        return {
            (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r[
                "partialFingerprints"
            ]["provisionerFinding/v1"]
            for r in to_sarif(result, "1")["runs"][0]["results"]
        }

    prints = [fingerprints(first), fingerprints(muted)]
    assert prints[0] == prints[1] and len(set(prints[0].values())) == len(prints[0]) > 3
    results = to_sarif(muted, "1")["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["role-unused"]
    assert suppressed[0]["suppressions"] == [{"kind": "external", "justification": "legacy"}]
    rule = to_sarif(first, "1")["runs"][0]["tool"]["driver"]["rules"][0]
    # issue 17: helpUri pointed at PyPI's `provisioner`, someone else's project; no URL at all now
    assert rule["fullDescription"]["text"] and rule["help"]["text"] and "helpUri" not in rule
    assert "pypi.org" not in json.dumps(to_sarif(first, "1"))
    assert "security" in rule["properties"]["tags"]


# --- mutes and baselines --------------------------------------------------------------------


def test_muted_findings_stay_in_json_leave_the_table_and_fail_on():
    from provisioner.report import audit_table

    roles = [role("Old", last_used=None, condition=PINNED)]
    plain = audit([accounts(ACCOUNT, roles=roles)], now=NOW)
    assert plain.fails("low")
    mute = Mute("role-unused", "legacy, gone in Q1", role="arn:aws:iam::*:role/Old", where="t.toml:3")
    result = audit([accounts(ACCOUNT, roles=roles)], now=NOW, mutes=[mute])
    assert not result.fails("low")
    data = result.to_dict()
    assert data[0]["rule"] == "role-unused"
    assert data[0]["suppressed"] == {"reason": "legacy, gone in Q1", "expires": None, "entry": "t.toml:3"}
    table = audit_table(result)
    assert "role-unused" not in table.split("\n\n")[0] and "1 muted" in table
    other = Mute("role-unused", "x", role="arn:aws:iam::*:role/Other")
    assert audit([accounts(ACCOUNT, roles=roles)], now=NOW, mutes=[other]).fails("low")


def test_an_expired_mute_mutes_nothing_and_is_a_finding():
    roles = [role("Old", last_used=None, condition=PINNED)]
    old = Mute("role-unused", "legacy", expires=(NOW - timedelta(days=1)).date(), where="t.toml:7")
    result = audit([accounts(ACCOUNT, roles=roles)], now=NOW, mutes=[old])
    rules = [f.rule for f in result.findings if f.suppressed is None]
    assert "role-unused" in rules and "mute-expired" in rules
    expired = next(f for f in result.findings if f.rule == "mute-expired")
    assert "t.toml:7" in expired.message and "legacy" in expired.message
    live = Mute("role-unused", "legacy", expires=NOW.date(), where="t.toml:7")  # the last day counts
    assert "mute-expired" not in {
        f.rule for f in audit([accounts(ACCOUNT, roles=roles)], now=NOW, mutes=[live]).findings
    }


def test_a_baseline_reports_what_is_new_and_what_was_fixed(tmp_path):
    from provisioner.audit import AuditSpec, run

    before = [role("NoId"), role("Any", principal="*")]
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"RoleDetailList": before}))
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(run(AuditSpec(from_file=str(path)), now=NOW).to_dict()))
    after = [role("NoId"), role("Outsider", principal={"AWS": "arn:aws:iam::444455556666:root"})]
    path.write_text(json.dumps({"RoleDetailList": after}))
    result = run(AuditSpec(from_file=str(path), baseline=str(baseline)), now=NOW)
    assert {f.role for f in result.findings} == {"Outsider"}
    assert result.unchanged >= 1
    assert {f["role"] for f in result.fixed} == {"Any"}
    states = {(d["role"], d["baseline_state"]) for d in result.to_dict()}
    assert ("Outsider", "new") in states and ("Any", "fixed") in states and ("NoId", "new") not in states
    baseline.write_text('{"not": "a list"}')
    with pytest.raises(InputError, match="not the output of 'provision audit -o json'"):
        run(AuditSpec(from_file=str(path), baseline=str(baseline)), now=NOW)


# --- --from-file --------------------------------------------------------------------------


def test_from_file_reads_the_cli_output_with_url_encoded_documents(tmp_path):
    from urllib.parse import quote

    r = role("NoId")
    r["AssumeRolePolicyDocument"] = quote(json.dumps(r["AssumeRolePolicyDocument"]))
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"RoleDetailList": [r], "Policies": [], "UserDetailList": []}))
    data = load_file(str(path))
    assert data.account == ACCOUNT
    assert {f.rule for f in audit([data], now=NOW).findings} == {"cross-account-no-external-id"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not JSON"),
        ("[]", "no RoleDetailList"),
        ('{"RoleDetailList": {}}', "no RoleDetailList"),
        ('{"RoleDetailList": [{"RoleName": "x"}]}', "RoleDetailList[0] has no Arn"),
        ('{"RoleDetailList": [], "Policies": {}}', "Policies is not a list"),
    ],
)
def test_malformed_from_file_is_a_clear_input_error(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match="from_file") as err:
        load_file(str(path))
    assert expected in str(err.value) and err.value.exit_code == 2


def test_cli_unused_days(cli, tmp_path):
    today = datetime.now(UTC)
    path = tmp_path / "gaad.json"
    path.write_text(
        json.dumps(
            {
                "RoleDetailList": [
                    role("Quiet", condition=PINNED, last_used=(today - timedelta(days=40)).isoformat(),
                         created=(today - timedelta(days=400)).isoformat()),
                    role("Fresh", condition=PINNED, last_used=None,
                         created=(today - timedelta(minutes=1)).isoformat()),
                ]
            }
        )
    )  # fmt: skip

    def unused(*args: str) -> list[dict]:
        result = cli("audit", "--from-file", str(path), "-o", "json", "--fail-on", "none", *args)
        assert result.code == 0, result.stderr
        return [f for f in result.json()["findings"] if f["rule"] == "role-unused"]

    assert unused() == []  # 40 days is within the default 90; Fresh was created a minute ago
    (quiet,) = unused("--unused-days", "30")
    assert quiet["role"] == "Quiet" and "over 30 days ago" in quiet["message"]
    for bad in ("0", "-5", "abc", "1.5", "36501"):
        result = cli("audit", "--from-file", str(path), "--unused-days", bad)
        assert result.code == 2 and "--unused-days" in result.error_line, (bad, result.stderr)
        assert result.stdout == ""


def test_cli_from_file(cli, tmp_path):
    path = tmp_path / "gaad.json"
    path.write_text(
        json.dumps({"RoleDetailList": [role("NoId"), role("Good", condition=PINNED)], "Policies": []})
    )
    result = cli("audit", "--from-file", str(path))
    assert result.code == 1  # a high finding, default --fail-on high
    assert "cross-account-no-external-id" in result.stdout and "NoId" in result.stdout
    assert "2 role(s) read in 1 account(s), 2 another account can assume" in result.stdout
    data = cli("audit", "--from-file", str(path), "-o", "json", "--fail-on", "critical")
    assert data.code == 0
    finding = data.json()["findings"][0]
    assert set(finding) >= {"account", "role_arn", "rule", "severity", "message", "evidence"}
    assert finding["evidence"]["Principal"] == {"AWS": LABELBOX_ROLE}
    out = tmp_path / "report.sarif"
    written = cli("audit", "--from-file", str(path), "-o", "sarif", "--out", str(out), "--fail-on", "none")
    assert written.code == 0 and json.loads(out.read_text())["version"] == "2.1.0"
    assert cli("audit", "--from-file", str(tmp_path / "missing.json")).code == 2
    assert cli("audit", "--from-file", str(path), "--vendor", "nope").code == 2
    assert cli("audit", "--accounts", "12,34").code == 2


# --- patterns and conditions ("Condition operators"; "IAM JSON policy elements: Principal":
# Principal "*" narrowed by aws:PrincipalAccount / aws:PrincipalArn admits what the condition admits)

PATTERN_CASES = [
    (
        "a StringLike prefix lets other IDs in",
        role("Prefix", condition={"StringLike": {"sts:ExternalId": "lbx-5e8d*"}}),
        {"external-id-not-pinned"},
        "with external ID 'lbx-5e8d'",
    ),
    (
        "a wildcard-free StringLike pins",
        role("LikeExact", condition={"StringLike": {"sts:ExternalId": "lbx-5e8d0c3a9f7b21"}}),
        set(),
        None,
    ),
    (
        "ForAnyValue:StringEquals pins",
        role("AnyValue", condition={"ForAnyValue:StringEquals": {"sts:ExternalId": "lbx-5e8d0c3a9f7b21"}}),
        set(),
        None,
    ),
    (
        "Principal * narrowed by ArnLike to a role name in any account",
        role("AnyAccount", principal="*",
             condition={**PINNED, "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}}),
        {"trust-any-principal"},
        ":assumed-role/reader/",  # the counterexample: a role of that name in an account never named
    ),
    (
        "Principal * narrowed by aws:PrincipalAccount of another account, without an ID",
        role("OtherAcct", principal="*",
             condition={"StringEquals": {"aws:PrincipalAccount": "222233334444"}}),
        {"cross-account-no-external-id"},
        "222233334444",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("what", "r", "expected", "text"), PATTERN_CASES, ids=[c[0] for c in PATTERN_CASES])
def test_patterns_and_conditions_are_judged_from_the_policy(what, r, expected, text):
    verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW)
    assert {f.rule for f in verdict.findings} == expected
    assert verdict.external, "every case here is a role another account can assume"
    if text:
        assert any(text in f.message for f in verdict.findings), [f.message for f in verdict.findings]


def test_principal_star_narrowed_to_another_account_with_a_pinned_id_is_listed_and_pinned():
    condition = {**PINNED, "StringEquals": {**PINNED["StringEquals"], "aws:PrincipalAccount": "222233334444"}}
    verdict = judge_role(
        RoleDetail.from_gaad(role("Narrow", principal="*", condition=condition)), ACCOUNT, {}, now=NOW
    )
    assert verdict.external and {f.rule for f in verdict.findings} == set()
    assert verdict.pinned_ids == ["ckx5y2abcd0001zz0"]


def test_ids_pinned_by_any_exact_form_count_for_reuse():
    same = "lbx-5e8d0c3a9f7b21"
    data = [
        accounts(
            ACCOUNT,
            roles=[
                role("A", condition={"ForAnyValue:StringEquals": {"sts:ExternalId": same}}),
                role("B", condition={"StringLike": {"sts:ExternalId": same}}),
            ],
        )
    ]
    reused = [f for f in audit(data, now=NOW).findings if f.rule == "external-id-reused"]
    assert [(f.role, len(f.evidence["roles"])) for f in reused] == [("A", 2)]


WRITE_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ReadOnlyBoundary"


def test_a_read_only_boundary_removes_the_write_finding():
    """ "Permissions boundaries for IAM entities": effective permissions are the intersection."""
    r = role("Bounded", condition=PINNED, policy=WRITE_ALL)
    assert {"vendor-write-access", "vendor-resource-wildcard"} <= rules_of(r)
    r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": BOUNDARY_ARN}
    found = {
        f.rule for f in judge_role(RoleDetail.from_gaad(r), ACCOUNT, {BOUNDARY_ARN: READ}, now=NOW).findings
    }
    assert "vendor-write-access" not in found and "vendor-resource-wildcard" not in found


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
    ],
    ids=["TLS", "a header the caller sends"],
)
def test_a_grant_whose_condition_the_caller_satisfies_is_a_grant(condition):
    statement = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*"}
    policy = {"Version": "2012-10-17", "Statement": [{**statement, "Condition": condition}]}
    assert "vendor-write-access" in rules_of(role("Cond", condition=PINNED, policy=policy))


def test_a_grant_the_caller_cannot_satisfy_is_not():
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*",
         "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}}}]}  # fmt: skip
    assert "vendor-write-access" not in rules_of(role("Vpce", condition=PINNED, policy=policy))


# --- the organization's policies (RCPs decide who may assume, SCPs what the role may do) ------

LABELBOX_ACCOUNT = "340636424752"
OUTSIDER = "arn:aws:iam::444455556666:root"


def _org(scps=(), rcps=(), org_id=None):
    from provisioner.evaluation import Policy
    from provisioner.organization import FULL_ACCESS, OrgPolicies

    def levels(named):
        if not named:
            return []
        policies = [Policy(n, {"Version": "2012-10-17", "Statement": [s]}) for n, s in named]
        return [[Policy("FullAWSAccess", FULL_ACCESS), *policies]]

    return OrgPolicies(scps=levels(scps), rcps=levels(rcps), org_id=org_id)


# The data perimeter AWS recommends ("Resource control policies", example: "Restrict access to
# only HTTPS connections" / "perimeter" patterns): no principal outside the organization may
# assume its roles, except the third-party accounts named.
ORG_ID = "o-customer01"  # the audited organization, whose perimeter PERIMETER is
PERIMETER = (
    "RCP org-perimeter",
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sts:AssumeRole",
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {
                "aws:PrincipalOrgID": "o-customer01",
                "aws:PrincipalAccount": [LABELBOX_ACCOUNT],
            },
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    },
)


def test_an_rcp_perimeter_blocks_an_unpinned_outsider_and_says_so_at_info():
    r = role("Outsider", {"AWS": OUTSIDER})
    assert "cross-account-no-external-id" in rules_of(r)
    verdict = judge_role(
        RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW, org=_org(rcps=[PERIMETER], org_id=ORG_ID)
    )
    assert [f.rule for f in verdict.findings] == ["trust-blocked-by-organization"]
    assert verdict.findings[0].severity == "info"
    assert "RCP org-perimeter" in verdict.findings[0].message
    assert not verdict.external  # nobody outside gets in: the grants are not judged


def test_an_rcp_perimeter_that_excepts_the_vendor_leaves_the_vendors_findings():
    r = role("Vendor", {"AWS": LABELBOX_ROLE}, {"StringLike": {"sts:ExternalId": "lbx-5e8d*"}})
    found = rules_of(r, org=_org(rcps=[PERIMETER], org_id=ORG_ID))
    assert "external-id-not-pinned" in found and "trust-blocked-by-organization" not in found


def test_an_rcp_perimeter_on_accounts_blocks_principal_star():
    """An RCP that refuses sts:AssumeRole to every account but ours shuts `Principal: "*"`."""
    r = role("Anyone", "*", PINNED)
    assert "trust-any-principal" in rules_of(r)
    ours_only = ("RCP our-accounts", {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
                 "Resource": "*",
                 "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}}})  # fmt: skip
    found = rules_of(r, org=_org(rcps=[ours_only]))
    assert "trust-any-principal" not in found and "trust-blocked-by-organization" in found


def test_an_rcp_perimeter_on_our_organization_shuts_principal_star_to_all_but_the_vendor():
    """Knowing the audited organization's ID (DescribeOrganization, or a policy's ARN), no
    outsider can claim it in aws:PrincipalOrgID ("AWS global condition context keys"): the
    perimeter lets in only the vendor's account, with the pinned ID, and our organization."""
    verdict = judge_role(
        RoleDetail.from_gaad(role("Anyone", "*", PINNED)), ACCOUNT, {}, now=NOW,
        org=_org(rcps=[PERIMETER], org_id=ORG_ID),
    )  # fmt: skip
    found = {f.rule for f in verdict.findings}
    assert "trust-any-principal" not in found and "trust-blocked-by-organization" in found
    assert verdict.reached_by == (LABELBOX_ACCOUNT,)


def test_an_rcp_perimeter_on_an_organization_we_do_not_know_does_not_shut_principal_star():
    """Issue 19 (changed from "the perimeter blocks Principal *"): the perimeter lets in the
    vendor's account, which the trust never names, and any account of organization o-customer01,
    which audit does not know to be ours (no organization ID read); the caller's organization
    is its own to state ("AWS global condition context keys": aws:PrincipalOrgID). Principal *
    stays open, with a counterexample the RCPs let through."""
    from provisioner.evaluation import assume_role_request
    from provisioner.evaluation.chain import organization_decision

    org = _org(rcps=[PERIMETER])
    verdict = judge_role(RoleDetail.from_gaad(role("Anyone", "*", PINNED)), ACCOUNT, {}, now=NOW, org=org)
    (finding,) = [f for f in verdict.findings if f.rule == "trust-any-principal"]
    assert "trust-blocked-by-organization" not in {f.rule for f in verdict.findings}
    assert verdict.external and "*" in verdict.reached_by
    caller = finding.message.split("for example ", 1)[1].split(" ")[0]
    org_id = (
        finding.message.split("aws:PrincipalOrgID=", 1)[1].split("'")[1]
        if "PrincipalOrgID" in finding.message
        else None
    )
    keys = {"aws:PrincipalOrgID": org_id} if org_id else {}
    request = assume_role_request(caller, f"arn:aws:iam::{ACCOUNT}:role/Anyone", "ckx5y2abcd0001zz0", **keys)
    assert organization_decision((), org.rcps, request) is None, finding.message


def test_an_scp_that_denies_writes_removes_them_from_the_grant_verdict():
    write_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    r = role("Writer", {"AWS": LABELBOX_ROLE}, PINNED, policy=write_all)
    assert "vendor-write-access" in rules_of(r)
    deny_writes = ("SCP read-only-s3", {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"],
                                        "Resource": "*"})  # fmt: skip
    found = rules_of(r, org=_org(scps=[deny_writes]))
    assert "vendor-write-access" not in found
    assert "vendor-resource-wildcard" in found  # reads are still allowed on every bucket


def _described(tmp_path, kind, name, *statements):
    """A file as 'aws organizations describe-policy' prints it."""
    path = tmp_path / f"{name}.json"
    content = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    arn = f"arn:aws:organizations::111111111111:policy/{ORG_ID}/{kind.lower()}/p-{name}"
    summary = {"Id": f"p-{name}", "Arn": arn, "Name": name, "Type": kind}
    path.write_text(json.dumps({"Policy": {"PolicySummary": summary, "Content": content}}))
    return str(path)


def test_findings_an_scp_or_rcp_takes_away_are_counted_in_a_note(tmp_path, cli):
    """Issue 17: a report an SCP or RCP made greener says by how much, and which policies did
    it. The count is checked against the same audit without them."""
    from collections import Counter

    from provisioner.audit import AuditSpec, run

    write_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    gaad = tmp_path / "gaad.json"
    roles = [
        role("Writer", {"AWS": LABELBOX_ROLE}, PINNED, policy=write_all),
        role("Outsider", {"AWS": OUTSIDER}),
    ]
    gaad.write_text(json.dumps({"RoleDetailList": roles}))
    deny_writes = {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"}
    scp = _described(tmp_path, "SERVICE_CONTROL_POLICY", "s3-read-only", deny_writes)
    only_assume = _described(  # a valid SCP that allows nothing the role's grants need
        tmp_path,
        "SERVICE_CONTROL_POLICY",
        "only-assume",
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
    )
    rcp = _described(
        tmp_path, "RESOURCE_CONTROL_POLICY", "org-perimeter", {**PERIMETER[1], "Sid": "Perimeter"}
    )

    free = run(AuditSpec(from_file=str(gaad)), now=NOW)
    assert free.withheld == 0 and not any("not reported" in n for n in free.notes)
    for scps, rcps, count, names in (
        ((scp,), (), 1, "SCP s3-read-only"),
        ((only_assume,), (), 2, "SCP only-assume"),
        ((scp,), (rcp,), 3, "SCP s3-read-only, RCP org-perimeter"),
    ):
        given = run(AuditSpec(from_file=str(gaad), scp_files=scps, rcp_files=rcps), now=NOW)
        lost = Counter((f.role, f.rule) for f in free.findings) - Counter(
            (f.role, f.rule) for f in given.findings
        )
        assert given.withheld == lost.total() == count, (lost, given.findings)
        them = "them" if count > 1 else "it"
        note = (
            f"{count} finding{'s' if count > 1 else ''} not reported: an SCP or RCP denies {them} ({names})"
        )
        assert note in given.notes, given.notes
        # JSON keeps its documented shape (a list of findings); the note goes to stderr
        files = [a for f in scps for a in ("--scp-file", f)] + [a for f in rcps for a in ("--rcp-file", f)]
        result = cli("audit", "--from-file", str(gaad), "-o", "json", "--fail-on", "none", *files)
        assert result.code == 0 and isinstance(result.json()["findings"], list), result.stderr
        assert f"note: {note}" in result.stderr.splitlines(), result.stderr
        table = cli("audit", "--from-file", str(gaad), "--fail-on", "none", "--scp-file", scps[0])
        assert "note: " + ("1 finding" if scps == (scp,) else "2 findings") + " not reported" in table.stdout


def test_an_scp_that_narrows_a_finding_without_removing_it_counts_nothing():
    """Deny s3:DeleteObject alone: the role may still PutObject, vendor-write-access stays (its
    message without DeleteObject), and no finding is counted as taken away."""
    write_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    r = RoleDetail.from_gaad(role("Writer", {"AWS": LABELBOX_ROLE}, PINNED, policy=write_all))
    no_deletes = ("SCP no-deletes", {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    verdict = judge_role(r, ACCOUNT, {}, now=NOW, org=_org(scps=[no_deletes]))
    writes = next(f for f in verdict.findings if f.rule == "vendor-write-access")
    assert (
        "s3:PutObject" in writes.evidence["actions"] and "s3:DeleteObject" not in writes.evidence["actions"]
    )
    assert (verdict.withheld, verdict.withheld_by) == (0, ())
    no_writes = ("SCP no-writes", {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"})
    verdict = judge_role(r, ACCOUNT, {}, now=NOW, org=_org(scps=[no_deletes, no_writes]))
    assert verdict.withheld == 1 and set(verdict.withheld_by) == {"SCP no-deletes", "SCP no-writes"}


def test_a_trust_policy_given_as_an_scp_is_refused_not_obeyed(tmp_path, cli, monkeypatch):
    """Issue 17: as an SCP, a trust policy allowed only sts:AssumeRole, and every grant finding
    went without a word. Now: exit 2, one line naming the option, the file and the element."""
    gaad = tmp_path / "gaad.json"
    write_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    gaad.write_text(
        json.dumps({"RoleDetailList": [role("Writer", {"AWS": LABELBOX_ROLE}, PINNED, policy=write_all)]})
    )
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(role("Writer", {"AWS": LABELBOX_ROLE}, PINNED)["AssumeRolePolicyDocument"]))
    monkeypatch.chdir(tmp_path)
    for option in ("--scp-file", "--rcp-file"):
        result = cli("audit", "--from-file", "gaad.json", "-o", "json", option, "trust.json")
        assert result.code == 2 and result.stdout == "", (result.code, result.stdout)
        line = result.error_line
        assert line.startswith(f"error: {option} 'trust.json': $.Statement[0].Principal: "), line


def test_offline_audit_says_scps_were_not_considered(tmp_path):
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"RoleDetailList": [role("Vendor", {"AWS": LABELBOX_ROLE}, PINNED)]}))
    from provisioner.audit import AuditSpec, run

    result = run(AuditSpec(from_file=str(path)), now=NOW)
    assert any("SCPs and RCPs not considered" in n and "--scp-file" in n for n in result.notes)
    rcp = tmp_path / "rcp.json"
    rcp.write_text(json.dumps({"Version": "2012-10-17", "Statement": [PERIMETER[1]]}))
    given = run(AuditSpec(from_file=str(path), rcp_files=(str(rcp),)), now=NOW)
    assert not any("not considered" in n for n in given.notes)
    assert any("FullAWSAccess assumed" in n for n in given.notes)


def test_an_offline_file_without_the_attached_aws_managed_policy_says_so(tmp_path):
    from provisioner.audit import AuditSpec, run

    vendor = role("Vendor", {"AWS": LABELBOX_ROLE}, PINNED, policy=None)
    vendor["AttachedManagedPolicies"] = [
        {"PolicyName": "AmazonS3FullAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}
    ]
    service = role("Ec2", {"Service": "ec2.amazonaws.com"}, policy=None)
    service["AttachedManagedPolicies"] = [
        {"PolicyName": "Ec2Read", "PolicyArn": "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"}
    ]
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"RoleDetailList": [vendor, service]}))
    notes = run(AuditSpec(from_file=str(path)), now=NOW).notes
    missing = [n for n in notes if "not in" in n]
    assert len(missing) == 1 and "1 managed policies" in missing[0] and "AmazonS3FullAccess" in missing[0]
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    policy = {
        "Arn": "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        "PolicyVersionList": [{"Document": full, "IsDefaultVersion": True}],
    }
    path.write_text(json.dumps({"RoleDetailList": [vendor, service], "Policies": [policy]}))
    judged = run(AuditSpec(from_file=str(path)), now=NOW)
    assert not [n for n in judged.notes if "not in" in n]
    assert "vendor-write-access" in {f.rule for f in judged.findings}


def test_every_account_read_or_not_advances_the_account_counter():
    from provisioner.audit import gather_accounts
    from provisioner.aws import AwsError

    def refuse(account):
        raise AwsError(f"cannot assume the member role in {account}")

    ticks: list[int] = []
    data = gather_accounts(
        refuse, ["111111111111", "222222222222", "333333333333"], account_done=ticks.append
    )
    assert ticks == [1, 1, 1] and all(d.error for d in data)


def test_an_unknown_vendor_names_what_audit_takes_not_create_roles_options(cli, tmp_path):
    """audit has no --principal: its advice for a vendor without a profile is its own."""
    gaad = tmp_path / "gaad.json"
    gaad.write_text('{"RoleDetailList": [], "Policies": []}')
    result = cli("audit", "--from-file", str(gaad), "--vendor", "nosuch")
    assert (
        result.code == 2
        and "--principal" not in result.error_line
        and "leave --vendor out" in result.error_line
    )


# --- issue 19: the trust rules read the exact analysis (analysis/verdict.py) ----------------
# "IAM JSON policy elements: Condition operators" (negated operators and IfExists with a missing
# key, ForAllValues on a missing key); "Policy evaluation logic" (an explicit Deny wins); "How to
# use an external ID when granting access to your AWS resources to a third party".

LABELBOX_ROOT = {"AWS": "arn:aws:iam::340636424752:root"}
ALLOW_ROOT = {"Effect": "Allow", "Principal": LABELBOX_ROOT, "Action": "sts:AssumeRole"}


def _guarded(*denies):
    """The vendor's account root allowed without a condition, guarded by Deny statements on the
    external ID 'vendor' (weak: 6 characters)."""
    r = role("Guarded")
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    r["AssumeRolePolicyDocument"]["Statement"] = [ALLOW_ROOT, *({**deny, "Condition": c} for c in denies)]
    return r


GUARDS = {
    "StringNotEquals": [{"StringNotEquals": {"sts:ExternalId": "vendor"}}],
    "ForAllValues:StringNotEquals": [{"ForAllValues:StringNotEquals": {"sts:ExternalId": "vendor"}}],
    "StringNotEqualsIfExists": [{"StringNotEqualsIfExists": {"sts:ExternalId": "vendor"}}],
    "Null, then StringNotEquals, in two Deny statements": [
        {"Null": {"sts:ExternalId": "true"}},
        {"StringNotEquals": {"sts:ExternalId": "vendor"}},
    ],
}


@pytest.mark.parametrize("denies", list(GUARDS.values()), ids=list(GUARDS))
def test_an_allow_without_condition_and_a_deny_guard_pins_the_id(denies):
    """Issue 19: audit said external-id-not-pinned (naming a placeholder) and then missed
    external-id-weak and trusts-account-root. A Deny with a negated operator applies when the
    key is missing, so the guard refuses no ID and every other ID: only 'vendor' gets in."""
    verdict = judge_role(RoleDetail.from_gaad(_guarded(*denies)), ACCOUNT, {}, now=NOW)
    assert {f.rule for f in verdict.findings} == {"external-id-weak", "trusts-account-root"}
    assert verdict.pinned_ids == ["vendor"] and verdict.reached_by == ("340636424752",)
    root = next(f for f in verdict.findings if f.rule == "trusts-account-root")
    assert "with external ID 'vendor'" in root.message and "provisioner-external-id" not in root.message


def test_a_deny_guard_listing_two_ids_pins_both():
    """A rotation: the guard lists the new ID and the one being rotated out; both are issued."""
    denies = {"StringNotEquals": {"sts:ExternalId": ["lbx-5e8d0c3a9f7b21", "lbx-0000aaaa1111bb"]}}
    verdict = judge_role(RoleDetail.from_gaad(_guarded(denies)), ACCOUNT, {}, now=NOW)
    assert {f.rule for f in verdict.findings} == {"trusts-account-root"}
    assert verdict.pinned_ids == ["lbx-0000aaaa1111bb", "lbx-5e8d0c3a9f7b21"]


def test_a_guard_that_lets_a_missing_id_through_is_not_pinned():
    """Null false and StringNotEquals in one Deny: both must hold, so a request with no ID is
    not denied ("Condition operators": conditions in one statement are ANDed)."""
    denies = {
        "Null": {"sts:ExternalId": "false"},
        "StringNotEquals": {"sts:ExternalId": "lbx-5e8d0c3a9f7b21"},
    }
    verdict = judge_role(RoleDetail.from_gaad(_guarded(denies)), ACCOUNT, {}, now=NOW)
    (finding,) = [f for f in verdict.findings if f.rule == "external-id-not-pinned"]
    assert "with no external ID" in finding.message


NARROWED_BY_CALLER = {
    "aws:PrincipalTag/team": {"StringEquals": {"aws:PrincipalTag/team": "labeling"}},
    "sts:RoleSessionName": {"StringLike": {"sts:RoleSessionName": "labelbox-*"}},
    "Null aws:PrincipalOrgID false": {"Null": {"aws:PrincipalOrgID": "false"}},
}


@pytest.mark.parametrize("condition", list(NARROWED_BY_CALLER.values()), ids=list(NARROWED_BY_CALLER))
def test_principal_star_narrowed_only_by_keys_the_caller_chooses_is_open(condition):
    """Issue 19: a caller tags itself, names its session, belongs to some organization
    ("AWS global condition context keys"; "Session tags"): such a condition never narrows
    Principal "*". audit said nothing and did not count the role as external."""
    merged = {**PINNED, **{op: {**PINNED.get(op, {}), **pairs} for op, pairs in condition.items()}}
    r = role("Tagged", principal="*", condition=merged)
    verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW)
    (finding,) = [f for f in verdict.findings if f.rule == "trust-any-principal"]
    assert verdict.external and "*" in verdict.reached_by
    assert "another AWS account can assume the role: for example arn:aws:sts::" in finding.message
    assert "ckx5y2abcd0001zz0" in finding.message
    key = next(iter(next(iter(condition.values()))))
    if key != "sts:RoleSessionName":  # the session is in the caller's ARN
        assert key in finding.message


RESTRICTED = ("RCP restricted-roles", {
    "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
    "Resource": "arn:aws:iam::*:role/restricted-*",
    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}},
})  # fmt: skip


def test_an_rcp_with_a_role_name_pattern_applies_to_the_roles_it_names_only():
    """Issue 19: RCPs were asked about a fixed role (role/audited-role), so this RCP was
    ignored; "Resource control policies": an RCP's Resource selects the resources it governs.
    Two roles with the same trust in one run (one memo): the verdict depends on the name."""
    from provisioner.audit import Memo

    memo, org = Memo(), _org(rcps=[RESTRICTED])

    def judged(name):
        r = RoleDetail.from_gaad(role(name))
        return judge_role(r, ACCOUNT, {}, now=NOW, org=org, memo=memo)

    restricted, other = judged("restricted-x"), judged("other")
    assert [f.rule for f in restricted.findings] == ["trust-blocked-by-organization"]
    assert "RCP restricted-roles" in restricted.findings[0].message and not restricted.external
    assert "cross-account-no-external-id" in {f.rule for f in other.findings} and other.external
    again = judged("restricted-y")
    assert [f.rule for f in again.findings] == ["trust-blocked-by-organization"]


def test_an_rcp_exception_for_the_vendor_does_not_hide_a_trust_without_an_id():
    """Issue 19: the perimeter excepts the vendor's account, so the vendor gets in with no ID at
    all; only trust-blocked-by-organization fired. Now the external-ID rule fires and nothing
    is reported blocked (the RCP stops nobody the trust lets in)."""
    verdict = judge_role(
        RoleDetail.from_gaad(role("Vendor")), ACCOUNT, {}, now=NOW, org=_org(rcps=[PERIMETER], org_id=ORG_ID)
    )
    assert {f.rule for f in verdict.findings} == {"cross-account-no-external-id"}
    assert verdict.external and verdict.reached_by == (LABELBOX_ACCOUNT,)
    assert "with no external ID" in verdict.findings[0].message


def _counting_analyses(monkeypatch):
    import importlib

    rules = importlib.import_module("provisioner.audit.scope")  # where Scope asks judge_trust
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[0])
        return judge_trust_as_it_is(*args, **kwargs)

    judge_trust_as_it_is = rules.judge_trust
    monkeypatch.setattr(rules, "judge_trust", counted)
    return calls


def test_trusts_that_differ_only_in_their_ids_share_an_analysis_and_keep_their_own_ids(monkeypatch):
    """The memo key renames the IDs (one analysis for a vendor's many integrations), and every
    message and field names the role's own ID, never a placeholder."""
    import importlib

    from provisioner.audit import Memo

    memo_key = importlib.import_module("provisioner.audit.memo_key")
    analysed = _counting_analyses(monkeypatch)
    memo = Memo()
    found = {}
    for name, external_id in (("A", "lbx-aaaa1111bbbb2222"), ("B", "lbx-cccc3333dddd4444")):
        r = role(name, principal=LABELBOX_ROOT, condition={"StringEquals": {"sts:ExternalId": external_id}})
        verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW, memo=memo)
        (root,) = [f for f in verdict.findings if f.rule == "trusts-account-root"]
        assert f"with external ID {external_id!r}" in root.message
        assert verdict.pinned_ids == [external_id]
        found[name] = root.message
    assert len(analysed) == 1 and memo_key.PLACEHOLDER not in repr(found)


def test_trusts_that_differ_only_in_the_account_share_an_analysis_and_keep_their_own_accounts(monkeypatch):
    """The memo key renames outside accounts too (one analysis for 50 accounts' root trusts), and
    every message, the accounts that reach the role and the vendor's name are the role's own."""
    import importlib

    from provisioner.audit import Memo

    memo_key = importlib.import_module("provisioner.audit.memo_key")
    analysed = _counting_analyses(monkeypatch)
    memo = Memo()
    for name, account, vendor in (("A", "444455556666", ""), ("B", LABELBOX_ACCOUNT, "Labelbox")):
        r = role(name, principal={"AWS": f"arn:aws:iam::{account}:root"})
        verdict = judge_role(RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW, memo=memo)
        assert {f.rule for f in verdict.findings} == {"cross-account-no-external-id", "trusts-account-root"}
        assert all(f"arn:aws:sts::{account}:" in f.message for f in verdict.findings)
        assert verdict.reached_by == (account,) and verdict.vendor == vendor
        assert not any(p in repr(verdict) for p in ("000000000001", memo_key.PLACEHOLDER))
    assert len(analysed) == 1


def test_a_role_another_account_reaches_by_chaining_through_a_role_of_yours_is_a_finding():
    """Round 20af trust item 2: validate failed AWSExternalID on a role trusting role e_X of the
    account (which another account may assume with no external ID), audit said nothing of it.
    IAM User Guide, "Roles terms and concepts", role chaining: a role session may assume a
    second role; a trust naming e_X (by ARN, its path too, or a pattern on aws:PrincipalArn)
    lets in whoever may assume e_X: with no external ID a high finding, with the one the trust
    writes a medium one. Two hops are one chain; a role only your account's roles reach is none."""
    outsider = {"AWS": "arn:aws:iam::111122223333:root"}
    own = f"arn:aws:iam::{ACCOUNT}:role"
    pathed = role("e_XP", principal=outsider)
    pathed["Arn"] = f"{own}/team/e_XP"
    data = [
        accounts(
            ACCOUNT,
            roles=[
                role("e_X", principal=outsider),
                pathed,
                role("T1", principal={"AWS": f"{own}/e_X"}),
                role("T2", principal={"AWS": f"{own}/T1"}),
                role("T7", principal={"AWS": [LABELBOX_ROLE, f"{own}/e_X"]}, condition=PINNED),
                role("T8", principal={"AWS": f"{own}/team/e_XP"}),
                role("T13", principal="*", condition={"ArnLike": {"aws:PrincipalArn": f"{own}/team/*"}}),
                role("Inside", principal={"AWS": f"{own}/Internal"}),
                role("Internal", principal={"Service": "ec2.amazonaws.com"}),
            ],
        )
    ]
    found = {f.role: f for f in audit(data, now=NOW).findings if f.rule.startswith("trust-chained")}
    assert sorted(found) == ["T1", "T13", "T2", "T7", "T8"], sorted(found)
    assert found["T1"].severity == "high" and "role e_X" in found["T1"].message
    assert "role T1" in found["T2"].message and "e_X" in found["T2"].message
    # with the ID its trust writes: whether the other account knows it is not decided (inventory
    # says so too: tests/test_scope_truth.py), a medium finding of its own rule
    pinned = found["T7"]
    assert pinned.rule == "trust-chained-pinned" and pinned.severity == "medium"
    assert "ckx5y2abcd0001zz0" in pinned.message


def test_a_chain_the_vendor_takes_without_its_id_and_one_whose_middle_hop_needs_an_id_are_found():
    """Round 20ag trust items 1 and 2. Hop1 trusts the vendor's account with no external ID; T
    trusts the vendor's role with its ID and role Hop1: the vendor reaches T without T's ID (the
    confused deputy the ID is there to stop), a finding though the vendor may assume T anyway. A
    role the vendor reaches only through a role pinned to its ID is no finding. And a chain whose
    middle hop needs the ID its trust writes is trust-chained-pinned, not trust-chained."""
    own = f"arn:aws:iam::{ACCOUNT}:role"
    data = [
        accounts(
            ACCOUNT,
            roles=[
                role("Hop1", principal={"AWS": "arn:aws:iam::340636424752:root"}),
                role("T", principal={"AWS": [LABELBOX_ROLE, f"{own}/Hop1"]}, condition=PINNED),
                role("VendorPinned", condition={"StringEquals": {"sts:ExternalId": "another-id-000001"}}),
                role("U", principal={"AWS": [LABELBOX_ROLE, f"{own}/VendorPinned"]}, condition=PINNED),
                role("Hop2", principal={"AWS": "arn:aws:iam::111122223333:root"}),
                role(
                    "Middle",
                    principal={"AWS": f"{own}/Hop2"},
                    condition={"StringEquals": {"sts:ExternalId": "middle-id-0123456789"}},
                ),
                role("End", principal={"AWS": f"{own}/Middle"}),
            ],
        )
    ]
    found = {f.role: f for f in audit(data, now=NOW).findings if f.rule.startswith("trust-chained")}
    assert "T" in found and "role Hop1" in found["T"].message, sorted(found)
    assert "U" not in found, found.get("U")
    assert found["End"].rule == "trust-chained-pinned" and "middle-id-0123456789" in found["End"].message
