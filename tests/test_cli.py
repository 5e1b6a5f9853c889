"""The CLI as a user meets it: stdout, stderr, exit codes."""

from __future__ import annotations

import json

import pytest

from provisioner.documents import schema_errors

EXTERNAL_ID = "ckx5y2abcd0001zz"


def test_policy_trust_prints_pretty_json_for_labelbox_by_default(cli):
    result = cli("policy", "trust", "--external-id", EXTERNAL_ID)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {')
    statement = result.json()["Statement"][0]
    assert statement["Principal"]["AWS"].endswith(":role/lb-aws-delegated-access-role")
    assert result.stderr == ""


def test_policy_trust_for_a_vendor_given_by_principal(cli):
    result = cli(
        "policy",
        "trust",
        "--external-id",
        EXTERNAL_ID,
        "--principal",
        "arn:aws:iam::123456789012:role/Reader",
    )
    assert result.code == 0
    assert result.json()["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/Reader"}


def test_policy_trust_for_another_known_vendor_warns_about_account_root(cli):
    result = cli("policy", "trust", "--external-id", EXTERNAL_ID, "--vendor", "isahit")
    assert result.code == 0
    assert result.json()["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::999888496268:root"}
    assert "warning: the trust names the whole account 999888496268" in result.stderr


def test_weak_external_id_renders_with_a_warning_on_stderr_only(cli):
    result = cli("policy", "trust", "--external-id", "abc123")
    assert result.code == 0
    assert "guessable" in result.stderr
    assert json.loads(result.stdout)  # stdout stays pure JSON


def test_policy_permissions_and_cors(cli):
    perms = cli("policy", "permissions", "--bucket", "my-bucket", "--prefix", "images/")
    assert perms.code == 0 and not schema_errors(perms.json(), "permissions")
    cors = cli("policy", "cors", "--origin", "https://a.example.com", "--origin", "https://b.example.com")
    assert cors.code == 0
    assert cors.json()["CORSRules"][0]["AllowedOrigins"] == [
        "https://a.example.com",
        "https://b.example.com",
    ]


def test_bucket_with_dots_is_accepted_with_a_warning(cli):
    result = cli("policy", "permissions", "--bucket", "data.example.com")
    assert result.code == 0
    assert result.stderr.startswith("warning: bucket 'data.example.com' has dots")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["policy", "permissions", "--bucket", "Bad_Bucket"],
            "error: --bucket 'Bad_Bucket': bucket names use only",
        ),
        (
            ["policy", "permissions", "--bucket", "b-1", "--prefix", "/x"],
            "error: --prefix '/x': a folder starting with '/' is almost always a mistake",
        ),
        (
            ["policy", "permissions", "--bucket", "b-1", "--prefix", "x/*"],
            "error: --prefix 'x/*': '*' is a wildcard",
        ),
        (
            ["policy", "permissions", "--bucket", "b-1", "--kms-key-arn", "alias/x"],
            "error: --kms-key-arn 'alias/x'",
        ),
        (
            ["policy", "permissions", "--bucket", "b-1", "--region", "moon-1"],
            "error: --region 'moon-1'",
        ),
        (
            ["policy", "trust", "--external-id", "a b"],
            "error: --external-id 'a b': ' ' is not allowed",
        ),
        (
            ["policy", "trust", "--external-id", EXTERNAL_ID, "--principal", "*"],
            "error: --principal '*'",
        ),
        (
            ["policy", "trust", "--external-id", EXTERNAL_ID, "--vendor", "acme"],
            "error: --vendor 'acme': unknown vendor",
        ),
        (
            [
                "policy",
                "trust",
                "--external-id",
                EXTERNAL_ID,
                "--vendor",
                "labelbox",
                "--principal",
                "arn:aws:iam::123456789012:root",
            ],
            "not both",
        ),
        (["policy", "cors", "--origin", "https://x.com/"], "error: --origin 'https://x.com/'"),
        (["policy", "trust"], "error: Missing option '--external-id'"),
        (["policy", "permissions", "--bucket"], "error: Option '--bucket' requires an argument"),
        (["lint", "--fail-on", "severe", "x.json"], "error: Invalid value for '--fail-on'"),
        (["bogus"], "error: No such command 'bogus'"),
        (
            ["validate", "--role-name", "r", "--external-id", EXTERNAL_ID, "--bucket", "b-1", "--key", ""],
            "error: --key '': an object key to read",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, expected):
    result = cli(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert result.error_line.startswith(expected) or expected in result.error_line


def test_no_arguments_prints_help_and_exits_2(cli):
    result = cli()
    assert result.code == 2
    shown = result.stdout + result.stderr  # rich prints the help itself
    assert "policy" in shown and "lint" in shown and "Usage" in shown


def test_version(cli):
    result = cli("--version")
    assert result.code == 0 and result.stdout.startswith("provision 0.")


def test_vendors_lists_profiles_as_table_and_json(cli):
    table = cli("vendors")
    assert table.code == 0
    assert (
        "labelbox" in table.stdout
        and "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role" in table.stdout
    )
    listed = cli("vendors", "--output", "json").json()["vendors"]
    by_name = {v["name"]: v for v in listed}
    assert by_name["labelbox"]["account_id"] == "340636424752"
    assert by_name["labelbox"]["cors_origins"] == [
        "https://app.labelbox.com",
        "https://editor.labelbox.com",
    ]
    assert by_name["labelbox"]["role_name"] == "LabelboxS3Access"
    assert by_name["labelbox"]["policy_name"] == "LabelboxReadAccess"
    assert len(listed) >= 2


# --- lint ------------------------------------------------------------------------------------


@pytest.fixture
def policy_files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
            }
        )
    )
    medium = tmp_path / "medium.json"
    medium.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        )
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
    )
    return good, medium, bad


def test_lint_clean_file_exits_0(cli, policy_files):
    good, _, _ = policy_files
    result = cli("lint", str(good))
    assert result.code == 0
    assert result.stdout.strip() == "no findings in 1 file(s)"


def test_lint_exit_code_follows_fail_on(cli, policy_files):
    _, medium, bad = policy_files
    assert cli("lint", str(medium)).code == 0  # medium < default high
    assert cli("lint", str(medium), "--fail-on", "medium").code == 1
    assert cli("lint", str(bad)).code == 1
    assert cli("lint", str(bad), "--fail-on", "critical").code == 0
    assert cli("lint", str(bad), "--fail-on", "none").code == 0


def test_lint_table_has_rows_and_a_summary(cli, policy_files):
    _, medium, bad = policy_files
    result = cli("lint", str(medium), str(bad))
    assert "trust-no-external-id" in result.stdout and "resource-wildcard" in result.stdout
    assert "2 finding(s) in 2 file(s): 1 high, 1 medium" in result.stdout


def test_lint_json_is_a_list_of_findings(cli, policy_files):
    _, _, bad = policy_files
    result = cli("lint", str(bad), "--output", "json")
    assert result.json()["schema_version"] == 1  # issue 18: the list under "findings"
    (finding,) = result.json()["findings"]
    assert {"file", "rule", "severity", "message", "location"} <= set(finding)
    assert finding["file"] == str(bad)
    assert finding["rule"] == "trust-no-external-id" and finding["severity"] == "high"
    assert finding["location"] == "$.Statement[0]"


def test_lint_reads_stdin_so_rendered_documents_can_be_piped(cli):
    rendered = cli("policy", "trust", "--external-id", EXTERNAL_ID).stdout
    result = cli("lint", "-", stdin=rendered)
    assert result.code == 0 and "no findings" in result.stdout


def test_lint_missing_file_is_bad_input(cli, tmp_path):
    result = cli("lint", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert "no such file" in result.error_line


def test_lint_a_folder_reads_its_policies_and_a_binary_json_is_a_finding(cli, tmp_path):
    empty = cli("lint", str(tmp_path))
    assert empty.code == 0 and "no findings in 0 file(s)" in empty.stdout
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    # issue 17: was exit 2 (bad input), which stopped the run; now one finding, the rest linted
    result = cli("lint", str(binary), "-o", "json")
    assert result.code == 1 and [(f["rule"], f["file"]) for f in result.json()["findings"]] == [
        ("file-unreadable", str(binary))
    ]
    assert "not UTF-8" in result.json()["findings"][0]["message"]
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "p.json").write_text(json.dumps(wide))
    (tmp_path / "package.json").write_text('{"name": "not a policy"}')
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "p.json").write_text(json.dumps(wide))
    walked = cli("lint", str(tmp_path), "-o", "json")
    assert walked.code == 1  # the binary .json in the folder is never passed unseen (issue 17)
    assert {(f["file"], f["rule"]) for f in walked.json()["findings"]} >= {
        (str(tmp_path / "deep" / "er" / "p.json"), "action-wildcard"),
        (str(binary), "file-unreadable"),
    }
    assert {f["file"] for f in walked.json()["findings"]} == {
        str(tmp_path / "deep" / "er" / "p.json"),
        str(binary),
    }


def test_lint_accepts_a_utf8_bom(cli, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
            }
        ).encode()
    )
    assert cli("lint", str(path)).code == 0


VALIDATE_R = ["validate", "--role-name", "R", "--external-id", EXTERNAL_ID, "--bucket", "b-1"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["rotate-external-id", "--role-name", "R", "--external-id", "x"], "error: --external-id 'x'"),
        (
            ["create-role", "--bucket", "Bad_Bucket", "--external-id", EXTERNAL_ID],
            "error: --bucket 'Bad_Bucket'",
        ),
        (
            ["validate", "--role-arn", "not-an-arn", "--external-id", EXTERNAL_ID, "--bucket", "b-1"],
            "error: --role-arn 'not-an-arn'",
        ),
        (["audit", "--accounts", "12,34"], "error: --accounts '12,34'"),
        *(
            (
                [
                    "validate",
                    "--role-name",
                    "R",
                    "--external-id",
                    EXTERNAL_ID,
                    "--bucket",
                    "b-1",
                    "--wait",
                    w,
                ],
                "error: --wait",
            )
            for w in ("-5", "nan", "inf", "1e400")  # trial 20y: nan and inf were taken
        ),
        (["manifest", "--bucket", "b-1", "--split"], "error: --split"),
    ],
)
def test_bad_input_to_aws_commands_is_named_before_credentials_are_needed(
    cli, args, expected, tmp_path, monkeypatch
):
    """No credentials anywhere: the bad value is still what the user hears about (exit 2), not
    'no AWS credentials found' (exit 3), and no AWS call is made."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: a call would fail
    result = cli(*args)
    assert result.code == 2, result.stderr
    assert result.error_line.startswith(expected)


# --- the AWS CLI's habits ---------------------------------------------------------------------


def test_global_options_before_the_command_name(cli, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_OUTPUT", raising=False)
    before = cli("--output", "json", "vendors")
    assert before.code == 0 and before.json() == cli("vendors", "-o", "json").json()
    nested = cli("-o", "json", "policy", "cors")
    assert nested.code == 0 and "CORSRules" in nested.json()
    assert cli("--output", "yaml", "vendors").error_line.startswith("error: Invalid value for '--output'")


POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
)
AWS_GLOBALS = ("--profile", "prod", "--region=eu-west-1", "--endpoint-url", "http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("path", "rest"),
    [
        (["lint"], ["-", "--fail-on", "none"]),
        (["policy", "trust"], ["--external-id", EXTERNAL_ID]),
        (["policy", "cors"], []),
        (["vendors"], []),
        (["export"], ["--format", "terraform"]),
        (["config"], []),
    ],
)
def test_offline_commands_accept_and_ignore_the_aws_options_as_aws_does(cli, path, rest):
    """`alias provision='provision --profile prod'` must not break the commands that need no
    account: the AWS options are ignored before the command's name, between a group's name and
    its command's, and after it; nothing is read from the endpoint (nothing listens there)."""
    plain = cli(*path, *rest, stdin=POLICY)
    assert plain.code == 0, plain.stderr
    for args in (
        [*AWS_GLOBALS, *path, *rest],
        [*path[:-1], *AWS_GLOBALS, *path[-1:], *rest],
        [*path, *rest, *AWS_GLOBALS],
        ["--profile=prod", *path, "--region", "eu-west-1", *rest],
    ):
        shown = cli(*args, stdin=POLICY)
        assert (shown.code, shown.stdout, shown.stderr) == (0, plain.stdout, plain.stderr), args


def test_aws_options_stay_where_the_command_has_them(cli):
    """policy permissions has a --region of its own (the bucket's): it is used, not ignored;
    a value that looks like a global option stays the value of the option before it."""
    arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    mine = cli("--region", "us-east-2", "policy", "permissions", "--bucket", "b-1", "--kms-key-arn", arn)
    assert mine.code == 2 and "--region" in mine.error_line
    vendor = cli("policy", "trust", "--external-id", EXTERNAL_ID, "--vendor", "--region")
    assert vendor.code == 2 and vendor.error_line.startswith("error: --vendor '--region'")
    named = cli("--profile", "x", "lint", "--", "--profile")  # after --, a file name
    assert named.code == 2 and named.error_line.startswith("error: FILE '--profile'")
    terraform = cli("export", "--format", "terraform")  # export has no --output: ignored
    assert cli("-o", "json", "export", "--format", "terraform", "--output=text").stdout == terraform.stdout


def test_query_filters_json_with_jmespath_and_bad_expressions_are_one_line(cli):
    assert cli("vendors", "--query", "vendors[].name").json() == ["isahit", "labelbox"]
    trust = cli("--query", "Statement[0].Condition", "policy", "trust", "--external-id", EXTERNAL_ID)
    assert trust.json() == {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
    bad = cli("vendors", "--query", "[?")
    assert bad.code == 2 and "--query" in bad.error_line and "JMESPath" in bad.error_line
    ignored = cli("vendors", "-o", "table", "--query", "[].name")
    assert ignored.code == 0 and "--query filters JSON output" in ignored.stderr


def test_aws_default_output_is_honoured_where_the_command_has_that_output(cli, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "json")
    assert cli("vendors").json()["vendors"][0]["name"] == "isahit"
    assert cli("vendors", "-o", "table").stdout.startswith("VENDOR")  # a flag wins
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "text")
    assert cli("vendors").stdout.startswith("isahit\tisahit Lab\t999888496268\t")
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "yaml")  # no YAML output here: the default stays
    assert cli("vendors").stdout.startswith("VENDOR")


def test_boolean_flags_show_no_bool_metavar(cli):
    for command, flag in (("audit", "--organization"), ("audit", "--all"), ("create-role", "--dry-run")):
        lines = [line for line in cli(command, "--help").stdout.splitlines() if flag + " " in line]
        assert lines and all("<bool>" not in line for line in lines), lines


def test_quiet_silences_progress_and_notes_but_not_errors(cli, tmp_path):
    gaad = {"RoleDetailList": [{"Arn": "arn:aws:iam::123456789012:role/a", "AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                                                "Action": "sts:AssumeRole"}]}}]}  # fmt: skip
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(gaad))
    loud = cli("audit", "--from-file", str(path), "-o", "json", "--fail-on", "none")
    assert "note:" in loud.stderr
    quiet = cli("--quiet", "audit", "--from-file", str(path), "-o", "json", "--fail-on", "none")
    assert quiet.code == 0 and quiet.stderr == "" and quiet.json() == loud.json()
    assert "note:" in cli("audit", "--from-file", str(path), "-o", "json", "--fail-on", "none").stderr
    failed = cli("-q", "audit", "--from-file", str(tmp_path / "nope.json"))
    assert failed.code == 2 and "no such file" in failed.error_line
    # the table too: its findings alone, no summary line, no notes (the README's promise; a
    # first-time user found both on stdout with -q)
    table = cli("-q", "audit", "--from-file", str(path), "--fail-on", "none")
    loud_table = cli("audit", "--from-file", str(path), "--fail-on", "none")
    assert "finding(s)" in loud_table.stdout and "note:" in loud_table.stdout
    assert "finding(s)" not in table.stdout and "note:" not in table.stdout and "role/a" in table.stdout


def test_tables_fit_the_terminal_and_colour_severities_unless_no_color():
    from provisioner.lint import lint_document
    from provisioner.report import Terminal, findings_table

    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    _, findings = lint_document(wide, "p.json")
    plain = findings_table(findings, 1)
    assert "\x1b[" not in plain
    coloured = findings_table(findings, 1, terminal=Terminal(colour=True, width=90))
    assert "\x1b[1;31mhigh\x1b[0m" in coloured
    body = coloured.split("\n\n")[0]
    import re

    assert max(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in body.splitlines()) <= 90


def test_text_output_is_the_aws_clis_tab_separated_records():
    from provisioner.report import to_text

    data = [
        {"name": "a", "count": 2, "ok": True, "tags": ["x", "y"], "owner": {"id": "1", "kind": None}},
        {"name": "b\tc", "count": 0, "ok": False, "tags": [], "owner": {}},
    ]
    assert to_text(data).splitlines() == [
        "a\t2\tTrue",
        "TAGS\tx\ty",
        "OWNER\t1\tNone",
        "b c\t0\tFalse",
    ]
    assert to_text(["isahit", "labelbox"]) == "isahit\tlabelbox"
    assert to_text([]) == "" and to_text("one") == "one"


def test_every_option_of_every_command_has_help():
    import typer

    from provisioner.cli import app

    missing = []

    def walk(group, prefix):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
                continue
            for param in command.params:
                if getattr(param, "param_type_name", "") == "option" and not getattr(param, "help", None):
                    missing.append(f"{prefix}{name} {param.opts[0]}")

    walk(typer.main.get_command(app), "")
    assert missing == []


def test_debug_log_lines_are_redacted():
    from provisioner.debug import redact

    body = ("Response body: b'<AssumeRoleResult><Credentials><AccessKeyId>ASIAABCDEFGHIJKLMNOP</AccessKeyId>"
            "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey><SessionToken>FwoGZXIvYXdzEJr//////////"
            "</SessionToken></Credentials></AssumeRoleResult>'")  # fmt: skip
    shown = redact(body)
    assert (
        "wJalrXUtnFEMI" not in shown and "FwoGZXIvYXdz" not in shown and "ASIAABCDEFGHIJKLMNOP" not in shown
    )
    headers = (
        "{'X-Amz-Security-Token': b'IQoJb3JpZ2luX2VjE', 'Authorization': b'AWS4-HMAC-SHA256 Credential=x'}"
    )
    assert "IQoJb3JpZ2luX2VjE" not in redact(headers) and "Cred=x" not in redact(headers)
    assert redact('{"SessionToken": "abc123token"}') == '{"SessionToken": "[REDACTED]"}'
    assert redact("Authorization: Bearer lb.key.123") == "Authorization: [REDACTED]"
    assert redact("sent Bearer lb.key.123 along") == "sent Bearer [REDACTED] along"
    assert redact("the secret is hunter22 here", ("hunter22",)) == "the secret is [REDACTED] here"


# --- help -------------------------------------------------------------------------------------


def command_paths():
    """[] (the root), then every group and command: ["policy"], ["policy", "trust"], ..."""
    import typer

    from provisioner.cli import app

    def walk(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name], command
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])

    root = typer.main.get_command(app)
    return [([], root), *walk(root, [])]


def test_h_is_help_on_every_command(cli):
    for path, _ in command_paths():
        long, short = cli(*path, "--help"), cli(*path, "-h")
        assert (short.code, short.stdout) == (long.code, long.stdout) == (0, long.stdout), (
            path,
            short.stderr,
            long.stderr,
        )
        assert short.stdout.startswith(" ".join(["Usage: provision", *path]) + " "), path


def test_help_shows_bracketed_text_literally(cli):
    """Help is not rich markup: `pip install 'provisioner[labelbox]'`, `[[mute]] entries`,
    `[tool.provisioner]` are printed as written, in the command's help and in its parent's list."""
    import re

    seen = set()
    for path, command in command_paths():
        shown = cli(*path, "--help").stdout
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        texts += [sub.get_short_help_str(1000) for sub in getattr(command, "commands", {}).values()]
        for token in re.findall(r"\S*\[[^\]\s]+\]+\S*", " ".join(texts)):
            bracketed = re.search(r"\[+[^\]\s]+\]+", token).group()
            assert bracketed in shown, (path, bracketed)
            seen.add(bracketed)
    assert {"[labelbox]", "[[mute]]", "[tool.provisioner]"} <= seen  # the test saw what it is for


def test_root_help_documents_the_global_options(cli):
    shown = cli("-h").stdout
    heading, _, section = shown.partition("Global options (before or after the command name):\n")
    assert heading and section
    rows = [line.split(None, 1) for line in section.splitlines() if line.startswith("  -")]
    described = {option.rstrip(","): text for option, text in rows}
    for option in ("--profile", "--region", "--endpoint-url", "-o", "--query", "--debug", "-q"):
        assert len(described.get(option, "")) > 10, option
    assert "-o, --output" in section and "-q, --quiet" in section
    assert "accepts and ignores it" in " ".join(section.split())  # the offline commands, as the AWS CLI does
    for path, command in command_paths()[1:]:  # every command's help points to them
        if not hasattr(command, "commands"):
            epilog = cli(*path, "--help").stdout.split("Global options:")[1]
            assert "--query" in epilog and "--debug" in epilog and "--quiet" in epilog, path


def test_root_help_groups_the_commands_under_headings(cli):
    heading, under = None, {}
    for line in cli("--help").stdout.splitlines():
        if not line.strip():
            heading = None  # a section ends at a blank line
        elif not line[0].isspace() and line.endswith(":"):
            heading = line[:-1]
        elif heading and line.startswith("  ") and line[2:3].isalpha():
            under.setdefault(line.split()[0], []).append(heading)
    offline = "Offline (no AWS account needed)"
    expected = {
        "create-role": "Role lifecycle",
        "rotate-external-id": "Role lifecycle",
        "delete-role": "Role lifecycle",
        "validate": "Checks",
        "audit": "Checks",
        "inventory": "Checks",
        "who-can": "Checks",
        "labelbox": "Labelbox and import files",
        "manifest": "Labelbox and import files",
        **{name: offline for name in ("policy", "lint", "diff", "export", "vendors", "config", "sandbox")},
    }
    assert {name: under.get(name) for name in expected} == {k: [v] for k, v in expected.items()}
    assert set(command_paths()[0][1].commands) == set(expected)  # a new command gets a heading too


def test_every_option_value_has_a_metavar_saying_what_to_give(cli):
    """`--bucket BUCKET`, `--wait SECONDS`, `-o table|json|text`: never typer's `<list[str]>`,
    `<bool>`, or click's TEXT, INTEGER, FLOAT, PATH, BOOLEAN."""
    import re

    typeish = re.compile(r"<[^>\s]*>|(?<![\w/])(TEXT|INTEGER|FLOAT|PATH|BOOLEAN|FILENAME)(?![\w/])")
    for path, _ in command_paths():
        shown = cli(*path, "--help").stdout
        assert not typeish.search(shown), (path, typeish.search(shown))
    create = cli("create-role", "--help").stdout
    for shown in ("--bucket BUCKET", "--external-id ID", "--max-session-duration SECONDS", "--tag KEY=VALUE"):
        assert shown in create
    assert "-o, --output table|json|text " in create


def test_h_stays_help_after_config_explains_that_command(cli):
    """`provision config delete-role …` parses delete-role's options with a context of its own;
    one without the root's settings made delete-role cache a help option of --help alone, and a
    later `delete-role -h` in the same process said "No such option: -h" (a parallel test run)."""
    explained = cli("config", "delete-role", "--role-name", "LabelboxS3Access")
    assert explained.code == 0, explained.stderr
    short = cli("delete-role", "-h")
    assert short.code == 0 and short.stdout.startswith("Usage: provision delete-role "), short.stderr
