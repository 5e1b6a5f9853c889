"""Defaults from .provisioner.toml / [tool.provisioner], mute entries, and `provision config`."""

from __future__ import annotations

import json

import pytest

GAAD = {
    "RoleDetailList": [
        {
            "RoleName": "Old",
            "Arn": "arn:aws:iam::123456789012:role/Old",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}},
                    }
                ],
            },
        }
    ]
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A project folder with a GAAD file whose one finding is role-unused (low)."""
    monkeypatch.delenv("PROVISIONER_CONFIG", raising=False)
    (tmp_path / "gaad.json").write_text(json.dumps(GAAD))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_default_from_the_file_applies_and_a_flag_wins(cli, folder):
    assert cli("audit", "--from-file", "gaad.json").code == 0  # role-unused is low; --fail-on high
    (folder / ".provisioner.toml").write_text('[audit]\nfail-on = "low"\n')
    assert cli("audit", "--from-file", "gaad.json").code == 1
    assert cli("audit", "--from-file", "gaad.json", "--fail-on", "high").code == 0


def test_the_file_is_found_in_a_parent_folder_and_in_pyproject(cli, folder, monkeypatch):
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.provisioner.audit]\nfail-on = "low"\n'
    )
    sub = folder / "infra" / "iam"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert cli("audit", "--from-file", str(folder / "gaad.json")).code == 1
    shown = cli("config")
    assert shown.code == 0 and "pyproject.toml:5" in shown.stdout and "--fail-on" in shown.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[audit]\nfail-on = "bogus"\n', ".provisioner.toml:2: [audit] fail-on: 'bogus' is not one of"),
        ('[audit]\nfail-onn = "low"\n', ".provisioner.toml:2: [audit] fail-onn: not an option of 'audit'"),
        ('[audt]\nfail-on = "low"\n', ".provisioner.toml:1: [audt]: no such command"),
        ('[audit\nfail-on = "low"\n', ".provisioner.toml:1: not TOML"),
        ('audit = "low"\n', "audit: must be a table"),
        ('[[mute]]\nrule = "role-unused"\n', ".provisioner.toml:1: mute reason: required"),
        ('[[mute]]\nrule = "x"\nreason = "y"\nexpires = "soon"\n', "mute expires: 'soon' is not a date"),
        ('[[mute]]\nrule = "x"\nreason = "y"\nrol = "z"\n', "mute rol: unknown key"),
    ],
    ids=["bad-value", "unknown-key", "unknown-command", "not-toml", "not-a-table", "no-reason", "bad-date",
         "mute-key"],
)  # fmt: skip
def test_a_malformed_file_is_one_line_naming_file_line_and_key(cli, folder, text, expected):
    (folder / ".provisioner.toml").write_text(text)
    result = cli("audit", "--from-file", "gaad.json")
    assert result.code == 2
    assert expected in result.error_line, result.error_line
    assert result.stdout == ""


def test_mute_entries_from_the_file_keep_the_finding_in_json_as_suppressed(cli, folder):
    (folder / ".provisioner.toml").write_text(
        '[[mute]]\nrule = "role-unused"\nrole = "arn:aws:iam::*:role/Old"\nreason = "kept for audits"\n'
        "expires = 2099-12-31\n"
    )
    result = cli("audit", "--from-file", "gaad.json", "-o", "json", "--fail-on", "low")
    assert result.code == 0, result.stderr  # muted: it does not fail the run
    (finding,) = [f for f in result.json() if f["rule"] == "role-unused"]
    assert finding["suppressed"]["reason"] == "kept for audits"
    assert finding["suppressed"]["entry"].endswith(".provisioner.toml:1")
    table = cli("audit", "--from-file", "gaad.json", "--fail-on", "low")
    assert "1 muted" in table.stdout


def test_a_mutelist_file_and_the_environment(cli, folder, monkeypatch):
    (folder / "mutes.toml").write_text('[[mute]]\nrule = "role-*"\nreason = "accepted"\n')
    result = cli("audit", "--from-file", "gaad.json", "--fail-on", "low", "--mutelist", "mutes.toml")
    assert result.code == 0, result.stderr
    missing = cli("audit", "--from-file", "gaad.json", "--mutelist", "nope.toml")
    assert missing.code == 2 and "nope.toml: no such file" in missing.error_line
    monkeypatch.setenv("PROVISIONER_CONFIG", str(folder / "elsewhere.toml"))
    named = cli("config")
    assert named.code == 2 and "PROVISIONER_CONFIG" in named.error_line
    (folder / "elsewhere.toml").write_text('[audit]\nfail-on = "critical"\n')
    monkeypatch.setenv("AWS_PROFILE", "dev")
    shown = cli("config", "-o", "json")
    assert shown.code == 0
    rows = {(r["command"], r["option"]): r for r in shown.json()["settings"]}
    assert rows[("audit", "--fail-on")]["from"].endswith("elsewhere.toml:2")
    assert rows[("*", "AWS_PROFILE")] == {"command": "*", "option": "AWS_PROFILE", "value": "dev",
                                          "from": "environment"}  # fmt: skip


def test_no_config_file_changes_nothing(cli, folder):
    shown = cli("config")
    assert shown.code == 0 and "no .provisioner.toml found" in shown.stdout


def test_lint_findings_are_muted_by_file_pattern_and_an_expired_entry_is_a_finding(cli, folder):
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    (folder / "fixtures").mkdir()
    (folder / "fixtures" / "wide.json").write_text(json.dumps(wide))
    (folder / "wide.json").write_text(json.dumps(wide))
    (folder / ".provisioner.toml").write_text(
        '[[mute]]\nrule = "action-wildcard"\nfile = "fixtures/*"\nreason = "test fixture"\n\n'
        '[[mute]]\nrule = "resource-wildcard"\nreason = "was fine"\nexpires = 2020-01-01\n'
    )
    result = cli("lint", "fixtures/wide.json", "wide.json", "-o", "json")
    found = {(f["file"], f["rule"], "suppressed" in f) for f in result.json()}
    assert ("fixtures/wide.json", "action-wildcard", True) in found
    assert ("wide.json", "action-wildcard", False) in found  # the pattern names the fixtures only
    assert ("fixtures/wide.json", "resource-wildcard", False) in found  # expired: mutes nothing
    expired = [f for f in result.json() if f["rule"] == "mute-expired"]
    assert len(expired) == 1 and expired[0]["file"].endswith(".provisioner.toml:6")


def test_unused_days_from_the_file_applies_a_flag_wins_and_a_bad_value_names_the_line(cli, folder):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    role = {
        **GAAD["RoleDetailList"][0],
        "CreateDate": (now - timedelta(days=400)).isoformat(),
        "RoleLastUsed": {"LastUsedDate": (now - timedelta(days=40)).isoformat()},
    }
    (folder / "quiet.json").write_text(json.dumps({"RoleDetailList": [role]}))

    def unused() -> list[str]:
        result = cli("audit", "--from-file", "quiet.json", "-o", "json", "--fail-on", "none")
        assert result.code == 0, result.stderr
        return [f["message"] for f in result.json() if f["rule"] == "role-unused"]

    assert unused() == []  # used 40 days ago: within the default 90
    (folder / ".provisioner.toml").write_text("[audit]\nunused-days = 30\n")
    (message,) = unused()
    assert "over 30 days ago" in message
    assert cli("audit", "--from-file", "quiet.json", "-o", "json", "--unused-days", "60").json() == []
    (folder / ".provisioner.toml").write_text('[audit]\nfail-on = "low"\nunused-days = 0\n')
    bad = cli("audit", "--from-file", "quiet.json")
    assert bad.code == 2 and ".provisioner.toml:3: [audit] unused-days:" in bad.error_line, bad.stderr
