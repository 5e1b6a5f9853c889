"""SARIF the way GitHub code scanning reads it (issue 18): every `uri` a relative reference or a
`file:` URI (codeql-action refuses `arn:` and `aws:`), the OASIS SARIF 2.1.0 schema checked
WITH its URI formats (jsonschema checks none without rfc3986-validator), and Microsoft's SARIF
multitool's GitHub and SARIF rules (its output file read, not its exit code, which is 0 even
when it reports errors).

The multitool is installed by `make sarif-multitool` (npm, into tests/sarif/node_modules);
without it its test skips, or fails where CI is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import rfc3986_validator

from provisioner import report
from provisioner.audit import AccountData, RoleDetail, audit
from provisioner.lint import lint_paths
from provisioner.mute import Mute

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text())
PLATFORM = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform, sys.platform)
MULTITOOL = (
    Path(__file__).parent
    / "sarif"
    / "node_modules"
    / "@microsoft"
    / f"sarif-multitool-{PLATFORM}"
    / ("Sarif.Multitool.exe" if PLATFORM == "win32" else "Sarif.Multitool")
)
ACCOUNT = "123456789012"
OTHER = "210987654321"
WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def audit_result():
    pinned = {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}
    vendor = {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"}

    def role(account, name, document, path="/"):
        return RoleDetail.from_gaad(
            {"RoleName": name, "Arn": f"arn:aws:iam::{account}:role{path}{name}",
             "AssumeRolePolicyDocument": document,
             "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": WIDE}]}
        )  # fmt: skip

    data = [
        AccountData(
            ACCOUNT, roles=[role(ACCOUNT, "Anyone", trust("*")), role(ACCOUNT, "A", trust(vendor, pinned))]
        ),
        AccountData(OTHER, roles=[role(OTHER, "B+team@x", trust(vendor, pinned), path="/vendors/")]),
        AccountData("999999999999", error="AccessDenied: cannot assume OrganizationAccountAccessRole"),
    ]
    expired = Mute(
        "role-unused", "old", expires=__import__("datetime").date(2020, 1, 1), where="mutes.toml:4"
    )
    return audit(data, mutes=[expired])


@pytest.fixture
def lint_report(tmp_path, monkeypatch):
    """Files whose names are not URI characters (a space, '#', '%'), one named by its absolute
    path, and one that is not JSON (invalid-json, with its line and column)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my policies").mkdir()
    (tmp_path / "my policies" / "wide #1.json").write_text(json.dumps(WIDE, indent=2))
    (tmp_path / "100%.json").write_text(json.dumps(WIDE))
    absolute = tmp_path / "abs path.json"
    absolute.write_text(json.dumps(WIDE))
    (tmp_path / "broken.json").write_text(
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": }\n'
    )
    (tmp_path / "binary.json").write_bytes(b'{"Statement": "\xff\xfe"}')  # file-unreadable: no line
    return lint_paths(["my policies/wide #1.json", "100%.json", str(absolute), "broken.json", "binary.json"])


def uris(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uri":
                yield value
            else:
                yield from uris(value)
    elif isinstance(node, list):
        for value in node:
            yield from uris(value)


def diff_log():
    """provision diff's SARIF (issue 21): a trust that gains a second statement, at NEW's line."""
    from provisioner.diff import diff_documents
    from provisioner.lint import positions
    from provisioner.report.sarif import findings_sarif

    old = trust({"AWS": "arn:aws:iam::340636424752:root"})
    new = {
        **old,
        "Statement": [*old["Statement"], *trust({"AWS": f"arn:aws:iam::{OTHER}:root"})["Statement"]],
    }
    result = diff_documents(old, new, old_name="iam/trust.json", new_name="iam/new trust.json")
    result.lines = positions(json.dumps(new, indent=2))
    return findings_sarif(report.diff_findings([result]), "1.0")


def logs(lint_report):
    return {
        "audit": report.audit_sarif(audit_result(), "1.0"),
        "lint": report.lint_sarif(lint_report, "1.0"),
        "diff": diff_log(),
    }


def test_every_uri_is_a_relative_reference_or_a_file_uri(lint_report):
    for command, log in logs(lint_report).items():
        found = list(uris(log))
        assert found, command
        for uri in found:
            assert rfc3986_validator.validate_rfc3986(uri, rule="URI_reference"), (command, uri)
            assert urlsplit(uri).scheme in ("", "file"), (command, uri)


def test_audit_results_point_at_aws_account_role_with_the_arn_kept(lint_report):
    run = logs(lint_report)["audit"]["runs"][0]
    assert run["automationDetails"] == {"id": "provisioner/audit/"}
    by_role = {}
    for result in run["results"]:
        (location,) = result["locations"]
        by_role[location["physicalLocation"]["artifactLocation"]["uri"]] = (result, location)
    result, location = by_role[f"aws/{OTHER}/B%2Bteam%40x"]
    assert location["physicalLocation"]["region"] == {"startLine": 1}
    arn = f"arn:aws:iam::{OTHER}:role/vendors/B+team@x"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == arn and arn in result["message"]["text"]
    assert "aws/999999999999" in by_role  # account-unreachable: the account alone
    # mute-expired points at the mutelist entry, file and line
    assert (
        "mutes.toml" in by_role and by_role["mutes.toml"][1]["physicalLocation"]["region"]["startLine"] == 4
    )


def test_lint_uris_are_percent_encoded_absolute_ones_file_and_invalid_json_has_its_place(
    lint_report, tmp_path
):
    run = logs(lint_report)["lint"]["runs"][0]
    assert run["automationDetails"] == {"id": "provisioner/lint/"}
    places = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0][
            "physicalLocation"
        ]
        for r in run["results"]
    }
    assert {"my%20policies/wide%20%231.json", "100%25.json", (tmp_path / "abs path.json").as_uri()} <= set(
        places
    )
    assert (tmp_path / "abs path.json").as_uri().startswith("file:///")
    (invalid,) = [r for r in run["results"] if r["ruleId"] == "invalid-json"]
    region = invalid["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 4 and region["startColumn"] > 1
    (unreadable,) = [r for r in run["results"] if r["ruleId"] == "file-unreadable"]
    assert unreadable["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}  # the whole file


def test_valid_for_the_oasis_schema_with_uri_formats_checked(lint_report):
    # every format jsonschema knows: the schema is draft 4, whose own checker has no
    # uri-reference (artifactLocation.uri's format); rfc3986-validator supplies both
    checker = jsonschema.FormatChecker()
    assert "uri-reference" in checker.checkers and "uri" in checker.checkers
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=checker)
    for log in logs(lint_report).values():
        validator.validate(log)
    # the check is real: a file name with a space, unencoded, is refused
    bad = json.loads(json.dumps(logs(lint_report)["lint"]))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.json"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)


@pytest.mark.slow  # runs the multitool (a .NET binary)
@pytest.mark.skipif(
    not MULTITOOL.is_file() and not os.environ.get("CI"),
    reason="the SARIF multitool is not installed (make sarif-multitool)",
)
def test_the_sarif_multitool_finds_no_error(lint_report, tmp_path):
    assert MULTITOOL.is_file(), "make sarif-multitool installs it (CI must)"
    for command, log in logs(lint_report).items():
        given = tmp_path / f"{command}.sarif"
        given.write_text(json.dumps(log))
        out = tmp_path / f"{command}.checked.sarif"
        # the platform binary itself: the npx wrapper splits the ';' of the rule kinds
        subprocess.run(
            [str(MULTITOOL), "validate", "--rule-kind", "Gh;Sarif", "--output", str(out), str(given)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
        )
        checked = json.loads(out.read_text())
        problems = [
            (r["ruleId"], r["message"].get("arguments"))
            for r in checked["runs"][0]["results"]
            if r.get("level", "warning") == "error" or r["ruleId"].startswith("GH")
            or r["ruleId"] in ("SARIF2017",)
        ]  # fmt: skip
        assert problems == [], command


def test_diff_results_point_at_the_new_files_statement():
    run = diff_log()["runs"][0]
    assert run["automationDetails"] == {"id": "provisioner/diff/"}
    (result,) = run["results"]
    assert result["ruleId"] == "new-access" and result["level"] == "error"
    where = result["locations"][0]
    assert where["physicalLocation"]["artifactLocation"]["uri"] == "iam/new%20trust.json"
    assert where["physicalLocation"]["region"]["startLine"] > 1  # the second statement, not the file
    assert where["logicalLocations"][0]["fullyQualifiedName"] == "$.Statement[1]"


def test_a_file_has_one_fingerprint_however_its_path_is_spelt(tmp_path, monkeypatch):
    """Code scanning matches results between runs by partialFingerprints: `./iam/p.json`,
    `iam/p.json` and `iam//p.json` are one file, one uri and one fingerprint (a workflow that
    changed its paths closed every alert and opened duplicates; found by a first-time user)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iam").mkdir()
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    (tmp_path / "iam" / "p.json").write_text(json.dumps(wide))
    seen = set()
    for spelt in ("iam/p.json", "./iam/p.json", "iam//p.json", "iam/../iam/p.json"):
        results = report.lint_sarif(lint_paths([spelt]), "1")["runs"][0]["results"]
        assert results
        seen.add(
            tuple(
                (
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    *r["partialFingerprints"].values(),
                )
                for r in results
            )
        )
    assert len(seen) == 1, seen
