"""Every format renders lint's and audit's findings (issue 18, section 3): lint's csv, markdown
and html; --out's extension as the format; schema_version; Markdown that fits a pull-request
comment; the HTML header says what was audited. No server: offline files only."""

from __future__ import annotations

import csv
import io
import json

import pytest

from provisioner import report
from provisioner.audit import AccountData, RoleDetail, audit

ACCOUNT = "123456789012"
WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def gaad_role(name, principal="*", condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    }


@pytest.fixture
def gaad(tmp_path):
    path = tmp_path / "gaad.json"
    roles = [gaad_role("Anyone"), gaad_role("<b>Outsider</b>", {"AWS": "arn:aws:iam::444455556666:root"})]
    path.write_text(json.dumps({"RoleDetailList": roles, "Policies": []}))
    return path


@pytest.fixture
def wide(tmp_path):
    path = tmp_path / "wide <x>.json"
    path.write_text(json.dumps(WIDE, indent=2))
    return path


# --- lint in every format --------------------------------------------------------------------


def test_lint_offers_every_format_of_the_table(cli):
    from provisioner.cli.lint import LintOutput

    assert [o.value for o in LintOutput] == list(report.FORMATS["lint"])
    assert {"csv", "markdown", "html", "sarif"} <= set(report.FORMATS["lint"])


def test_lint_as_csv_markdown_and_html(cli, wide):
    rows = list(csv.DictReader(io.StringIO(cli("lint", str(wide), "-o", "csv").stdout)))
    assert rows and {"file", "line", "column", "location", "rule", "severity", "message"} <= set(rows[0])
    found = {(r["rule"], r["file"]) for r in rows}
    assert ("action-wildcard", str(wide)) in found and all(r["line"] for r in rows)

    markdown = cli("lint", str(wide), "-o", "markdown")
    assert markdown.code == 1 and markdown.stdout.startswith("**provision lint**: ")
    assert "| Severity | Rule | File | Location | Message |" in markdown.stdout
    assert "action\\-wildcard" in markdown.stdout or "action-wildcard" in markdown.stdout
    assert "wide \\<x\\>.json" in markdown.stdout  # Markdown's own characters escaped

    page = cli("lint", str(wide), "-o", "html").stdout
    assert page.startswith("<!doctype html>") and "default-src 'none'" in page
    assert 'data-rule="action-wildcard"' in page and "wide &lt;x&gt;.json" in page and "<x>" not in page


# --- --out and -o ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["audit", "lint"])
def test_out_takes_the_format_from_its_extension(cli, gaad, wide, tmp_path, command):
    args = ["audit", "--from-file", str(gaad)] if command == "audit" else ["lint", str(wide)]
    page = tmp_path / "report.html"
    assert cli(*args, "--out", str(page), "--fail-on", "none").code == 0
    assert page.read_text().startswith("<!doctype html>")  # was a text table
    comment = tmp_path / "report.md"
    cli(*args, "--out", str(comment), "--fail-on", "none")
    assert comment.read_text().startswith(f"**provision {command}**")
    data = tmp_path / "report.json"
    cli(*args, "--out", str(data), "--fail-on", "none")
    assert json.loads(data.read_text())["schema_version"] == 1
    sarif = tmp_path / "report.sarif"
    cli(*args, "--out", str(sarif), "--fail-on", "none")
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    same = cli(*args, "-o", "html", "--out", str(tmp_path / "again.html"), "--fail-on", "none")
    assert same.code == 0 and (tmp_path / "again.html").read_text().startswith("<!doctype html>")
    other = tmp_path / "other.txt"
    assert cli(*args, "-o", "json", "--out", str(other), "--fail-on", "none").code == 0
    assert json.loads(other.read_text())["findings"]  # an extension of no format: -o decides


@pytest.mark.parametrize("command", ["audit", "lint"])
def test_o_and_out_that_disagree_are_bad_input_naming_both(cli, gaad, wide, tmp_path, command):
    args = ["audit", "--from-file", str(gaad)] if command == "audit" else ["lint", str(wide)]
    page = tmp_path / "report.html"
    result = cli(*args, "-o", "json", "--out", str(page))
    assert result.code == 2 and result.stdout == "" and not page.exists()
    line = result.error_line
    assert line.startswith("error: ") and "--output" in line and "--out" in line and "report.html" in line
    assert len(result.stderr.strip().splitlines()) == 1


# --- schema_version ----------------------------------------------------------------------------


def test_reports_carry_schema_version_and_text_keeps_its_lines(cli, gaad, wide):
    audited = cli("audit", "--from-file", str(gaad), "-o", "json", "--fail-on", "none").json()
    assert audited["schema_version"] == 1 and audited["findings"][0]["rule"]
    linted = cli("lint", str(wide), "-o", "json").json()
    assert linted["schema_version"] == 1 and linted["findings"][0]["file"] == str(wide)
    assert cli("vendors", "-o", "json").json()["schema_version"] == 1
    assert cli("config", "-o", "json").json()["schema_version"] == 1
    # the AWS CLI's text: one finding a line as before, no version line for awk to skip
    text = cli("lint", str(wide), "-o", "text").stdout.splitlines()
    assert text and all(line.split("\t")[0] == str(wide) for line in text)


def test_a_baseline_is_read_in_the_new_shape_and_the_old_list(cli, gaad, tmp_path):
    now = cli("audit", "--from-file", str(gaad), "-o", "json", "--fail-on", "none").json()
    for shape, data in (("new", now), ("old", now["findings"])):
        baseline = tmp_path / f"{shape}.json"
        baseline.write_text(json.dumps(data))
        result = cli("audit", "--from-file", str(gaad), "--baseline", str(baseline), "-o", "json")
        assert result.code == 0, (shape, result.stderr)
        assert result.json()["findings"] == [], shape  # nothing new against either


# --- Markdown and HTML -------------------------------------------------------------------------


def test_markdown_fits_a_pull_request_comment_and_points_at_the_full_report():
    roles = [RoleDetail.from_gaad(gaad_role(f"Anyone-{i:05}-" + "x" * 40)) for i in range(3000)]
    result = audit([AccountData(ACCOUNT, roles=roles)])
    text = report.audit_markdown(result)
    assert len(text) <= report.MARKDOWN_LIMIT
    assert "more finding(s) not shown" in text and "provision audit -o html --out" in text
    shown = text.count("\n| critical |")
    assert 0 < shown < len(result.shown)
    assert f"**{len(result.shown) - shown} more finding(s) not shown**" in text
    small = report.audit_markdown(audit([AccountData(ACCOUNT, roles=roles[:3])]))
    assert "not shown" not in small and small.count("\n| critical |") == 3


def test_validate_markdown_has_the_remediation_column():
    from provisioner.model import Status
    from provisioner.validate.model import Check, Report

    checks = [Check("AWSCors", Status.FAIL, "CORS_ORIGIN_NOT_ALLOWED", "no rule", "add the vendor's origin")]
    text = report.validate_markdown(Report("arn:aws:iam::123456789012:role/R", checks))
    assert "| Check | Result | Code | Detail | Remediation |" in text
    assert "| no rule | add the vendor's origin |" in text


def test_the_html_header_says_what_was_audited_and_the_notes_are_in_the_page(cli, gaad, tmp_path):
    mutes = tmp_path / "mutes.toml"
    mutes.write_text('[[mute]]\nrule = "role-unused"\nreason = "kept"\n')
    baseline = tmp_path / "before.json"
    baseline.write_text("[]")
    scp = tmp_path / "scp.json"
    scp.write_text(
        json.dumps(
            {"Policy": {"PolicySummary": {"Name": "allow-all", "Type": "SERVICE_CONTROL_POLICY"},
                        "Content": json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})}}
        )
    )  # fmt: skip
    args = ["audit", "--from-file", str(gaad), "--mutelist", str(mutes), "--baseline", str(baseline)]
    result = cli(*args, "-o", "html", "--fail-on", "none")
    assert result.code == 0, result.stderr
    header = result.stdout.split("</header>")[0]
    for said in ("Accounts", ACCOUNT, str(gaad), "Mutelist", str(mutes), "Baseline", str(baseline)):
        assert said in header, said
    assert "SCPs/RCPs considered</dt><dd>no" in header
    notes = [line.removeprefix("note: ") for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert notes and all(note in result.stdout for note in notes)  # stderr's notes, in the page
    given = cli(*args, "--scp-file", str(scp), "-o", "html", "--fail-on", "none").stdout.split("</header>")[0]
    assert "SCPs/RCPs considered</dt><dd>yes" in given and str(scp) in given


@pytest.mark.parametrize(
    "data",
    [
        {"schema_version": 1, "findings": []},
        [
            {
                "message": 'caf\u00e9 \u2014 \u2603 "q" \\ \n\t',
                "evidence": {"a": [1, 2.5, None, True], "b": {}},
            }
        ],
        {"nested": [[], {}, [{"x": -0.001}], 0.5, 12345678901234567890], "k": "v"},
        {1: "an int key", "severity": __import__("provisioner.model", fromlist=["Severity"]).Severity.HIGH},
    ],
    ids=["empty", "text", "numbers", "keys and enums"],
)
def test_json_output_is_the_standard_librarys_indented_text(data):
    """to_json (orjson) writes what json.dumps(indent=2, ensure_ascii=False) writes, byte for byte,
    so the faster encoder changes no output (an integer past 64 bits falls back to json). One
    difference is allowed: a float with an exponent is written in its shortest form (1e-7, where
    json writes 1e-07), the same number to every JSON reader."""
    import json

    from provisioner.report import to_json

    assert to_json(data) == json.dumps(data, indent=2, ensure_ascii=False)
    assert json.loads(to_json({"tiny": 1e-7})) == {"tiny": 1e-7}


def test_validate_says_not_decided_when_no_check_fails_but_one_could_not_be_decided():
    """Every read refused (WARN, not decided) is not 'VALID: the vendor's checks will pass': a
    verdict we cannot decide is never a pass, in the table, Markdown, HTML or JSON."""
    from provisioner import report
    from provisioner.model import Status
    from provisioner.validate.model import Check, Report

    arn = "arn:aws:iam::123456789012:role/R"
    undecided = Report(arn, [Check("AWSAssumeRole", Status.PASS), Check("AWSObjectRead", Status.WARN)])
    table = report.checks_table(undecided)
    assert "NOT DECIDED" in table and "AWSObjectRead could not be decided" in table and "VALID:" not in table
    assert "**provision validate**: NOT DECIDED" in report.validate_markdown(undecided)
    assert "NOT DECIDED" in report.validate_html(undecided, "0", "now")
    assert undecided.to_dict()["undecided"] == ["AWSObjectRead"] and undecided.to_dict()["valid"] is True
    # "valid": true (no check fails, exit 0) says it is not a pass beside "decided": false
    assert undecided.to_dict()["decided"] is False
    decided = Report(arn, [Check("AWSAssumeRole", Status.PASS)])
    assert "VALID: the vendor's checks will pass" in report.checks_table(decided)
    assert decided.to_dict()["decided"] is True and decided.to_dict()["valid"] is True
    failing = Report(arn, [Check("AWSAssumeRole", Status.FAIL), Check("AWSObjectRead", Status.WARN)])
    assert "INVALID: AWSAssumeRole failed" in report.checks_table(failing)


def test_out_names_a_format_by_its_extension_or_is_refused_and_dash_is_stdout(cli, tmp_path, monkeypatch):
    """--out x.pdf wrote a text table under a PDF's name; --out - made a file named '-'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    refused = cli("lint", "p.json", "--out", "report.pdf")
    assert refused.code == 2 and ".pdf names no report format" in refused.error_line
    assert not (tmp_path / "report.pdf").exists()
    chosen = cli("lint", "p.json", "--out", "report.pdf", "-o", "html")  # -o says what it is
    assert chosen.code == 1 and (tmp_path / "report.pdf").read_text().lstrip().startswith("<!doctype html")
    to_stdout = cli("lint", "p.json", "--out", "-", "-o", "json")
    assert to_stdout.code == 1 and to_stdout.json()["schema_version"] == 1 and not (tmp_path / "-").exists()
    assert cli("lint", "p.json", "--out", "report.txt").code == 1 and (tmp_path / "report.txt").is_file()
