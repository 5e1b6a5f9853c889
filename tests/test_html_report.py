"""The HTML report in a real browser: headless Chromium loads the file, the page runs with no
console error, the filters and the sort work, and a screenshot is written under the test's
temporary folder. CI must run this (it installs Chromium); elsewhere it skips without one."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provisioner.audit import AccountData, RoleDetail, audit
from provisioner.mute import Mute
from provisioner.report import audit_html, audit_markdown

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)", pytrace=False)
NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACCOUNT = "123456789012"


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def role(name, document, actions="s3:GetObject", resource="arn:aws:s3:::data/*"):
    grant = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
    }
    return RoleDetail.from_gaad(
        {"RoleName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "AssumeRolePolicyDocument": document,
         "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": grant}]}
    )  # fmt: skip


def result():
    roles = [
        role("Pinned", trust({"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"},
                             {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}})),
        role("Anyone", trust("*"), actions="s3:*", resource="*"),
        role("<img src=x onerror=alert(1)>", trust({"AWS": "arn:aws:iam::999888496268:root"},
                                                    {"StringLike": {"sts:ExternalId": "*"}})),
    ]  # fmt: skip
    return audit(
        [AccountData(ACCOUNT, roles=roles)],
        now=NOW,
        mutes=[Mute("role-unused", "kept for the demo", role="*Pinned", where="t.toml:1")],
    )


def test_the_page_is_self_contained_and_escapes_what_it_shows():
    page = audit_html(result(), "1.0", "now")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    markdown = audit_markdown(result())
    assert "\\<img src=x onerror=alert(1)\\>" in markdown and "| Severity |" in markdown


HARNESS_HEAD = """<script>window.__errors=[];
window.addEventListener('error',function(e){window.__errors.push(String(e.message));});
var __ce=console.error;console.error=function(){window.__errors.push([].join.call(arguments,' '));
__ce.apply(console,arguments);};</script>"""
HARNESS_TAIL = """<script>(function(){
function el(id){return document.getElementById(id);}
function visible(){return Array.prototype.filter.call(el('findings').tBodies[0].rows,
  function(r){return !r.hidden;}).map(function(r){return r.dataset.rule;});}
function set(id,value){var e=el(id);if(e.type==='checkbox'){e.checked=value;}else{e.value=value;}
  e.dispatchEvent(new Event('input'));e.dispatchEvent(new Event('change'));}
var out={start:visible(),shown:el('shown').textContent};
set('sev','critical');out.critical=visible();set('sev','');
set('q','isahit');out.isahit=visible();set('q','');
set('muted',true);out.withMuted=visible();set('muted',false);
var th=el('findings').tHead.rows[0].cells[4];th.click();
out.sortedByRule=Array.prototype.map.call(el('findings').tBodies[0].rows,function(r){return r.dataset.rule;});
out.errors=window.__errors;
var pre=document.createElement('pre');pre.id='harness';pre.textContent=JSON.stringify(out);
document.body.appendChild(pre);})();</script>"""


@pytest.mark.slow  # Chromium
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_in_chromium_the_page_runs_without_errors_and_filters_and_sorts(tmp_path):
    page = audit_html(result(), "1.0", "now")
    (tmp_path / "report.html").write_text(page)
    probe = page.replace("<head>", "<head>" + HARNESS_HEAD, 1).replace("</body>", HARNESS_TAIL + "</body>", 1)
    (tmp_path / "probe.html").write_text(probe)
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dumped = subprocess.run(
        [*common, "--virtual-time-budget=3000", "--dump-dom", (tmp_path / "probe.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    match = re.search(r'<pre id="harness">(.*?)</pre>', dumped.stdout, re.S)
    assert match, dumped.stderr[-2000:]
    out = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert out["errors"] == []
    assert "role-unused" in out["withMuted"] and out["start"].count("role-unused") < out["withMuted"].count(
        "role-unused"
    )  # the muted finding is hidden until asked for
    assert out["critical"] == ["trust-any-principal"]
    # isahit's account root is trusted: every principal of it gets in with a matching ID, which the
    # exact analysis now says (issue 19; IAM User Guide, "IAM JSON policy elements: Principal",
    # AWS account principals)
    allowed = ("external-id-not-pinned", "role-unused", "trusts-account-root")
    assert out["isahit"] and all(r in allowed for r in out["isahit"])
    assert out["sortedByRule"] == sorted(out["sortedByRule"])
    assert re.fullmatch(r"\d+ of \d+ shown", out["shown"])
    shot = tmp_path / "report.png"
    subprocess.run(
        [*common, "--hide-scrollbars", "--window-size=1300,1400", f"--screenshot={shot}",
         (tmp_path / "report.html").as_uri()],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_validate_as_a_page_and_as_markdown():
    from provisioner.model import Status
    from provisioner.report import validate_html, validate_markdown
    from provisioner.validate.model import Check, Report

    report = Report(
        "arn:aws:iam::123456789012:role/LabelboxS3Access",
        [
            Check("AWSAssumeRole", Status.PASS, None, "allowed by trust policy $.Statement[0]"),
            Check(
                "AWSCors", Status.FAIL, "CORS_ORIGIN_NOT_ALLOWED", "no rule allows <editor>", "add | the rule"
            ),
        ],
    )
    page = validate_html(report, "1.0", "now")
    assert "INVALID" in page and "CORS_ORIGIN_NOT_ALLOWED" in page and "&lt;editor&gt;" in page
    assert "default-src 'none'" in page
    markdown = validate_markdown(report)
    assert "**provision validate**: INVALID" in markdown
    assert "| AWSCors | FAIL | CORS\\_ORIGIN\\_NOT\\_ALLOWED | no rule allows \\<editor\\> |" in markdown
