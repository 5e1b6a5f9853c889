"""The hook as pre-commit runs it (issue 17): the real pre-commit (PyPI) runs `provisioner-lint`
over a git repository that holds policies, templates, a plan and other tools' JSON and YAML.

pre-commit runs what `pre-commit try-repo <this checkout> provisioner-lint --all-files` runs (the
config {repo, rev, hooks} and `pre-commit run`), on a commit of this working tree whose
environment `make precommit` built (tests/precommit_env.py says why not try-repo itself). No
test installs: without pre-commit, git or that environment the tests skip, and fail where CI
is set.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import precommit_env
from tests.test_lint import COMPOSE, TSCONFIG, WORKFLOW

# the slow tier: pre-commit and git run as processes
pytestmark = pytest.mark.slow

LABELBOX_ROLE = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
READ = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": "arn:aws:s3:::data",
        },
    ],
}
PINNED_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": LABELBOX_ROLE},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz"}},
        }
    ],
}
OPEN_TRUST = {  # no sts:ExternalId: trust-no-external-id (high)
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": LABELBOX_ROLE}, "Action": "sts:AssumeRole"}],
}
JSON_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Bucket": {"Type": "String", "Default": "data"}},
    "Resources": {
        "Vendor": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": PINNED_TRUST,
                "Policies": [{"PolicyName": "read", "PolicyDocument": READ}],
            },
        }
    },
}
WIDE_YAML_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Everything:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "s3:*"
            Resource: !Sub "arn:${AWS::Partition}:s3:::data/*"
"""
PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                {"address": "aws_iam_policy.read", "mode": "managed", "type": "aws_iam_policy",
                 "values": {"policy": json.dumps(READ)}},
            ]
        }
    },
    "resource_changes": [],
}  # fmt: skip
ORDINARY = {
    "package.json": json.dumps({"name": "app", "version": "1.0.0", "devDependencies": {"jest": "^29"}}),
    "tsconfig.json": TSCONFIG,
    "renovate.json": json.dumps({"$schema": "https://docs.renovatebot.com/renovate-schema.json"}),
    ".vscode/settings.json": '{\n  // editor settings\n  "editor.formatOnSave": true,\n}\n',
    ".github/workflows/ci.yml": WORKFLOW,
    "docker-compose.yml": COMPOSE,
}
CLEAN = {
    "iam/bucket-read.json": json.dumps(READ, indent=2),
    "infra/stack.json": json.dumps(JSON_TEMPLATE, indent=2),
    "infra/plan.json": json.dumps(PLAN, indent=2),
    "infra/bucket.template": "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n",  # identify: no type
}
WITH_FINDINGS = {
    "iam/vendor-trust.json": json.dumps(OPEN_TRUST, indent=2),
    "infra/wide.yaml": WIDE_YAML_TEMPLATE,
}


def need(ready: bool, why: str) -> None:
    if not ready:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI is set: the pre-commit tests must run)")
        pytest.skip(why)


@pytest.fixture(scope="module")
def rev() -> str:
    need(
        importlib.util.find_spec("pre_commit") is not None,
        "pre-commit is not installed: pip install -e '.[dev]'",
    )
    need(shutil.which("git") is not None, "git is not installed")
    try:
        commit = precommit_env.snapshot()
    except subprocess.CalledProcessError as exc:
        need(False, f"the hook is installed from a git checkout; git says: {exc.stderr.decode().strip()}")
        raise
    need(
        precommit_env.installed(commit),
        "no pre-commit environment for this working tree: run `make precommit` (make test does)",
    )
    return commit


def run_hook(
    tmp_path: Path, rev: str, files: dict[str, str], links: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A git repository holding `files` (and symbolic `links`, name to target), all added; then
    what try-repo runs on it."""
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    for name, target in (links or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).symlink_to(target)
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(json.dumps(precommit_env.config(rev)))
    env = {**precommit_env.environment(), "PIP_NO_INDEX": "1"}  # an install here would fail, not download
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", precommit_env.HOOK, "--all-files", "-c", str(config)],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Installing environment" not in done.stdout + done.stderr, "a test must not install"
    return done


def counted(output: str, pattern: str) -> int:
    """The sum of one number over every summary line (pre-commit may split the files in batches)."""
    return sum(int(n) for n in re.findall(pattern, output))


def test_the_hook_fails_exactly_for_the_files_with_findings(tmp_path, rev):
    # a committed link to a policy that is gone: pre-commit passes only regular files unless asked
    done = run_hook(tmp_path, rev, {**ORDINARY, **CLEAN, **WITH_FINDINGS}, {"iam/gone.json": "removed.json"})
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert re.search(r"^provisioner lint .*Failed$", out, re.M), out
    assert re.search(r"trust-no-external-id +iam/vendor-trust\.json:\d+:\d+ ", out), out
    assert re.search(r"action-wildcard +infra/wide\.yaml:10:21 ", out), out  # the YAML line itself
    assert re.search(r"file-unreadable +iam/gone\.json", out), out
    for name in (*ORDINARY, *CLEAN):
        assert name not in out, f"{name} produced output:\n{out}"
    assert counted(out, r"in (\d+) file\(s\)") == len(CLEAN) + len(WITH_FINDINGS) + 1  # judged, the link too
    assert counted(out, r"(\d+) files? not (?:policies|a policy), skipped") == len(ORDINARY)
    assert "error:" not in out + done.stderr


def test_a_repository_without_findings_passes(tmp_path, rev):
    done = run_hook(tmp_path, rev, {**ORDINARY, **CLEAN})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^provisioner lint .*Passed$", done.stdout, re.M), done.stdout
