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
        # issue 22 words, item 4: a misspelt entry table is named as such, with the nearest
        # known one (was "[vendors] accounts: selects the AWS account … use --accounts")
        ('\n[[vendors]]\nname = "Acme"\naccounts = ["111122223333"]\n',
         ".provisioner.toml:2: [[vendors]]: not a kind of entry (known: [[mute]], [[vendor]]); "
         "did you mean [[vendor]]?"),
        ('[[mutes]]\nrule = "x"\nreason = "y"\n',
         ".provisioner.toml:1: [[mutes]]: not a kind of entry (known: [[mute]], [[vendor]]); "
         "did you mean [[mute]]?"),
        ('[[zzz]]\nrule = "x"\n',
         ".provisioner.toml:1: [[zzz]]: not a kind of entry (known: [[mute]], [[vendor]])"),
    ],
    ids=["bad-value", "unknown-key", "unknown-command", "not-toml", "not-a-table", "no-reason", "bad-date",
         "mute-key", "vendors-entry", "mutes-entry", "unknown-entry"],
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
    (finding,) = [f for f in result.json()["findings"] if f["rule"] == "role-unused"]
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
                                          "from": "environment", "wins": True,
                                          "overridden_by": None}  # fmt: skip


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
    found = {(f["file"], f["rule"], "suppressed" in f) for f in result.json()["findings"]}
    assert ("fixtures/wide.json", "action-wildcard", True) in found
    assert ("wide.json", "action-wildcard", False) in found  # the pattern names the fixtures only
    assert ("fixtures/wide.json", "resource-wildcard", False) in found  # expired: mutes nothing
    expired = [f for f in result.json()["findings"] if f["rule"] == "mute-expired"]
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
        return [f["message"] for f in result.json()["findings"] if f["rule"] == "role-unused"]

    assert unused() == []  # used 40 days ago: within the default 90
    (folder / ".provisioner.toml").write_text("[audit]\nunused-days = 30\n")
    (message,) = unused()
    assert "over 30 days ago" in message
    assert (
        cli("audit", "--from-file", "quiet.json", "-o", "json", "--unused-days", "60").json()["findings"]
        == []
    )
    (folder / ".provisioner.toml").write_text('[audit]\nfail-on = "low"\nunused-days = 0\n')
    bad = cli("audit", "--from-file", "quiet.json")
    assert bad.code == 2 and ".provisioner.toml:3: [audit] unused-days:" in bad.error_line, bad.stderr


# Account selection and where requests go come only from flags and the environment (issue 17).
# Each key as a file would hold it, and what the error line must advise instead.
FORBIDDEN = [
    ("profile", '"attacker"', "--profile or AWS_PROFILE"),
    ("region", '"eu-north-1"', "--region or AWS_REGION"),
    ("endpoint-url", '"http://127.0.0.1:9"', "--endpoint-url or AWS_ENDPOINT_URL"),
    ("organization", "true", "--organization"),
    ("accounts", '"111122223333"', "--accounts"),
    ("member-role", '"AttackerRole"', "--member-role"),
    ("role-arn", '"arn:aws:iam::111122223333:role/X"', "--role-arn"),
    ("vendor-profile", '"attacker"', "--vendor-profile"),
    ("api-key-file", '"/tmp/key"', "--api-key-file or LABELBOX_API_KEY"),
    ("aws-session-token", '"FwoGZXIvYXdzEXAMPLETOKEN"', "AWS_SESSION_TOKEN or --profile"),
]
COMMANDS = {
    "audit": ["audit"],
    "delete-role": ["delete-role", "--role-name", "Integration", "--yes"],
    "lint": ["lint", "policy.json"],
}


def _write_config(folder, monkeypatch, origin: str, command: str, line: str) -> tuple[str, int]:
    """The config file of `origin` with `line` in the command's table, after a comment and an
    allowed key: (the file's name as the error shows its end, the line number of `line`)."""
    table = f'# the team\'s defaults\n[{command}]\noutput = "json"\n{line}\n'
    if origin == ".provisioner.toml":
        (folder / ".provisioner.toml").write_text(table)
        return ".provisioner.toml", 4
    if origin == "pyproject.toml":  # a parent folder's
        (folder.parent / "pyproject.toml").write_text(
            f'[project]\nname = "x"\n\n[tool.provisioner.{command}]\noutput = "json"\n{line}\n'
        )
        return "pyproject.toml", 6
    named = folder.parent / "team-defaults.toml"
    named.write_text(table)
    monkeypatch.setenv("PROVISIONER_CONFIG", str(named))
    return "team-defaults.toml", 4


@pytest.mark.parametrize("origin", [".provisioner.toml", "pyproject.toml", "PROVISIONER_CONFIG"])
@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(("key", "value", "advice"), FORBIDDEN, ids=[k for k, _, _ in FORBIDDEN])
def test_a_file_naming_account_selection_is_refused_before_anything_is_sent(
    cli, tmp_path, monkeypatch, aws_calls, origin, command, key, value, advice
):
    folder = tmp_path / "repo" / "infra"
    folder.mkdir(parents=True)
    (folder / "policy.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PROVISIONER_CONFIG", raising=False)
    name, line = _write_config(folder, monkeypatch, origin, command, f"{key} = {value}")
    result = cli(*COMMANDS[command])
    assert result.code == 2, result.stderr
    error = result.error_line
    table = f"tool.provisioner.{command}" if name == "pyproject.toml" else command  # as written there
    assert f"{name}:{line}: [{table}] {key}: " in error, error
    assert "never from a file" in error and error.endswith(f"use {advice}"), error
    assert value.strip('"') not in error  # the value is not echoed (it may be a token)
    assert result.stdout == ""
    assert aws_calls == []  # nothing was sent anywhere
    if key != "profile":
        return
    # the control, once a command and origin: without that line the same run reaches AWS
    _write_config(folder, monkeypatch, origin, command, "")
    again = cli(*COMMANDS[command])
    if command == "lint":
        assert again.code in (0, 1) and again.stdout and aws_calls == [], again.stderr
    else:
        assert again.code == 3 and aws_calls, again.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[audit]\nendpoint_url = "http://evil.example"\n', ".provisioner.toml:2: [audit] endpoint_url: "),
        ('[audit]\n"profile" = "prod"\n', ".provisioner.toml:2: [audit] profile: "),
        ('# x\naudit = { fail-on = "low", region = "eu-west-1" }\n', ".provisioner.toml:2: [audit] region: "),
        ('audit.profile = "prod"\n', ".provisioner.toml:1: [audit] profile: "),
        ('profile = "prod"\n', ".provisioner.toml:1: profile: "),
        ('[audt]\n\nAWS_PROFILE = "prod"\n', ".provisioner.toml:3: [audt] AWS_PROFILE: "),
        ('[policy.permissions]\nregion = "eu-west-1"\n',
         ".provisioner.toml:2: [policy.permissions] region: "),
        ('[[mute]]\nrule = "x"\nreason = "y"\naws_secret_access_key = "wJalrXUtnFEMIK7MDENGbPxRfiCY"\n',
         ".provisioner.toml:4: [mute] aws_secret_access_key: "),
    ],
    ids=["underscore", "quoted", "inline", "dotted", "top-level", "unknown-table", "nested", "mute-entry"],
)  # fmt: skip
def test_every_spelling_and_table_of_an_account_key_is_refused(cli, folder, aws_calls, text, expected):
    (folder / ".provisioner.toml").write_text(text)
    for args in (["audit"], ["config"]):
        result = cli(*args)
        assert result.code == 2 and expected in result.error_line, result.stderr
        assert "never from a file" in result.error_line
        assert "wJalrXUtnFEMIK7MDENGbPxRfiCY" not in result.stderr
    assert aws_calls == []


def test_flags_beat_the_environment_which_beats_the_file_and_config_marks_the_winner(
    cli, folder, monkeypatch
):
    """--output of lint from the file, AWS_DEFAULT_OUTPUT and a flag: the run uses the winner,
    and `provision config` shows every value with the one that wins."""
    monkeypatch.delenv("AWS_DEFAULT_OUTPUT", raising=False)
    (folder / "policy.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    (folder / ".provisioner.toml").write_text('[lint]\noutput = "json"\n')
    assert cli("lint", "policy.json").stdout.startswith('{\n  "schema_version"')  # the file's json
    shown = {(r["command"], r["option"]): r for r in cli("config", "-o", "json").json()["settings"]}
    assert (
        shown[("lint", "--output")]["wins"] is True and shown[("lint", "--output")]["overridden_by"] is None
    )

    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "table")
    assert not cli("lint", "policy.json").stdout.startswith(
        '{\n  "schema_version"'
    )  # the environment wins: a table
    assert cli("lint", "policy.json", "-o", "json").stdout.startswith(
        '{\n  "schema_version"'
    )  # the flag wins
    shown = {(r["command"], r["option"]): r for r in cli("config", "-o", "json").json()["settings"]}
    assert shown[("lint", "--output")] == {
        "command": "lint", "option": "--output", "value": "json", "from": f"{folder / '.provisioner.toml'}:2",
        "wins": False, "overridden_by": "AWS_DEFAULT_OUTPUT",
    }  # fmt: skip
    assert shown[("*", "AWS_DEFAULT_OUTPUT")]["wins"] is True
    assert "no: AWS_DEFAULT_OUTPUT wins" in cli("config").stdout

    explained = cli("config", "-o", "json", "lint", "policy.json", "-o", "text")
    assert explained.code == 0, explained.stderr
    assert explained.json()["command"] == "lint"
    shown = {(r["command"], r["option"], r["from"]): r for r in explained.json()["settings"]}
    assert (
        shown[("lint", "--output", f"{folder / '.provisioner.toml'}:2")]["overridden_by"] == "flag --output"
    )
    assert shown[("*", "AWS_DEFAULT_OUTPUT", "environment")]["overridden_by"] == "flag --output"
    flag = shown[("lint", "--output", "flag")]
    assert flag["value"] == "text" and flag["wins"] is True


def test_config_marks_which_account_selection_variable_or_flag_wins(cli, folder, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    rows = {r["option"]: r for r in cli("config", "-o", "json").json()["settings"]}
    assert rows["AWS_REGION"]["wins"] and rows["AWS_PROFILE"]["wins"]
    assert rows["AWS_DEFAULT_REGION"]["overridden_by"] == "AWS_REGION"  # as botocore reads them
    explained = cli("config", "-o", "json", "delete-role", "--role-name", "R", "--profile", "ops")
    rows = {(r["option"], r["from"]): r for r in explained.json()["settings"]}
    assert rows[("AWS_PROFILE", "environment")]["overridden_by"] == "flag --profile"
    assert rows[("--profile", "flag")]["value"] == "ops" and rows[("--profile", "flag")]["wins"]
    assert rows[("AWS_REGION", "environment")]["wins"]  # no --region on that line
    bad = cli("config", "delete-rol", "--profile", "ops")
    assert bad.code == 2 and "COMMAND 'delete-rol': no such command" in bad.error_line


def test_a_mutelist_file_naming_account_selection_is_refused_before_any_call(cli, folder, aws_calls):
    (folder / "mutes.toml").write_text(
        '[[mute]]\nrule = "role-*"\nreason = "ok"\n\n[audit]\nregion = "eu-north-1"\n'
    )
    result = cli("audit", "--mutelist", "mutes.toml")
    assert result.code == 2, result.stderr
    assert "mutes.toml:6: [audit] region: " in result.error_line and "use --region" in result.error_line
    assert aws_calls == []


# --- a file that makes a report greener says so (issue 17, found by a first-time user) ---------

WIDE_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


@pytest.mark.parametrize("output", ["table", "json", "sarif"])
def test_a_file_that_turns_lint_green_is_named_on_stderr_in_every_format(cli, folder, output):
    """A repository's own `.provisioner.toml` under review (the hook and the Action read it) that
    mutes everything and lowers fail-on: the run still passes, but says which lines did it."""
    (folder / "wide.json").write_text(WIDE_POLICY)
    assert cli("lint", "wide.json", "-o", output).code == 1
    (folder / ".provisioner.toml").write_text(
        '[lint]\nfail-on = "none"\n\n[[mute]]\nrule = "*"\nreason = "pr"\n'
    )
    relaxed = cli("lint", "wide.json", "-o", output)
    assert relaxed.code == 0
    notes = [line for line in relaxed.stderr.splitlines() if line.startswith("note:")]
    assert any("--fail-on none is from" in n and n.endswith(".provisioner.toml:2") for n in notes), notes
    assert any(
        n.startswith("note: 2 finding(s) muted by") and n.endswith(".provisioner.toml:4") for n in notes
    )
    flagged = cli("lint", "wide.json", "-o", output, "--fail-on", "high")  # the flag's own choice: no note
    assert not any("--fail-on" in line for line in flagged.stderr.splitlines()), flagged.stderr
    assert cli("-q", "lint", "wide.json", "-o", output).stderr == ""  # --quiet silences notes


def test_an_unused_days_from_the_file_is_named_by_audit(cli, folder):
    (folder / ".provisioner.toml").write_text("[audit]\nunused-days = 36500\n")
    result = cli("audit", "--from-file", "gaad.json", "-o", "json", "--fail-on", "none")
    assert result.code == 0
    assert "note: --unused-days 36500 is from" in result.stderr and ".provisioner.toml:2" in result.stderr


def test_a_config_file_given_as_a_pipe_is_read_and_a_folder_is_refused(cli, folder, monkeypatch):
    """PROVISIONER_CONFIG=<(…) and --mutelist <(…) are pipes, not regular files: they are read
    (they were 'no such file'); a folder is named as one."""
    import os

    (folder / "wide.json").write_text(WIDE_POLICY)
    fifo = folder / "mutes.toml"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w") as pipe:
            pipe.write('[[mute]]\nrule = "*"\nreason = "piped"\n')

    import threading

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    piped = cli("lint", "wide.json", "--mutelist", str(fifo))
    thread.join(5)
    assert piped.code == 0 and "muted by the [[mute]] entry at" in piped.stderr, piped.stderr
    assert "a folder, not a file" in cli("lint", "wide.json", "--mutelist", str(folder)).error_line
    monkeypatch.setenv("PROVISIONER_CONFIG", str(folder))
    refused = cli("lint", "wide.json")
    assert refused.code == 2 and "a folder, not a file (named by PROVISIONER_CONFIG)" in refused.error_line


def test_aws_options_before_config_belong_to_the_command_it_explains(cli, folder, monkeypatch):
    """`provision --profile prod config audit` explains `provision --profile prod audit`: the
    flag wins over AWS_PROFILE there (the profile was dropped and AWS_PROFILE shown as winning)."""
    monkeypatch.setenv("AWS_PROFILE", "dev")
    rows = cli("--profile", "prod", "config", "-o", "json", "audit").json()["settings"]
    by_option = {(r["option"], r["from"]): r for r in rows}
    assert by_option[("--profile", "flag")]["value"] == "prod" and by_option[("--profile", "flag")]["wins"]
    assert by_option[("AWS_PROFILE", "environment")]["overridden_by"] == "flag --profile"


def test_a_mute_entry_matches_its_file_however_either_path_is_spelt(tmp_path, monkeypatch):
    """`file = "./pol/p.json"` mutes `provision lint pol/p.json`, and the reverse, and an absolute
    path under the working folder (each muted nothing before, in silence; found by a first-time
    user)."""
    from provisioner.mute import Mute

    monkeypatch.chdir(tmp_path)
    for entry in (
        "./pol/p.json",
        "pol/p.json",
        "pol//p.json",
        str(tmp_path / "pol" / "p.json"),
        "./pol/*.json",
    ):
        mute = Mute("resource-wildcard", "accepted", file=entry)
        for named in ("pol/p.json", "./pol/p.json", str(tmp_path / "pol" / "p.json")):
            assert mute.matches("resource-wildcard", file=named), (entry, named)
    assert not Mute("resource-wildcard", "accepted", file="./pol/q.json").matches(
        "resource-wildcard", file="pol/p.json"
    )


def test_a_pyproject_holding_only_entries_is_read(cli, folder):
    """A pyproject.toml whose only provisioner tables are [[tool.provisioner.…]] entries is the
    config (was skipped: only a `[tool.provisioner…]` header was looked for), and a misspelt
    entry there is named with its nearest known kind."""
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[[tool.provisioner.vendor]]\nname = "Acme"\naccounts = ["111122223333"]\n'
    )
    shown = cli("vendors", "-o", "json")
    assert shown.code == 0 and "Acme" in shown.stdout, shown.stderr
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[[tool.provisioner.vendors]]\nname = "Acme"\naccounts = ["111122223333"]\n'
    )
    shown = cli("vendors")
    assert shown.code == 2, shown.stderr
    assert "pyproject.toml:4: [[tool.provisioner.vendors]]: not a kind of entry" in shown.error_line
    assert shown.error_line.endswith("did you mean [[tool.provisioner.vendor]]?"), shown.error_line
