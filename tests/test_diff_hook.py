"""The `provision-diff` pre-commit hook (issue 21) on a real git repository: its entry, read from
.pre-commit-hooks.yaml, run as pre-commit runs it for a pull request (PRE_COMMIT_FROM_REF set to
the base, the changed files as arguments), in a temporary repository with one change that widens
(a permission policy that gains s3:PutObject) and one that does not (a trust rewritten with a Deny
guard, the same access)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow  # git and the command run as processes
ROOT = Path(__file__).resolve().parent.parent
LB = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
ID = "ckx5y2abcd0001zz"
READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}],
}
UPLOAD = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/incoming/*"}
PINNED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": LB},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ID}},
        }
    ],
}
GUARDED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": LB}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"StringNotEquals": {"sts:ExternalId": ID}},
        },
    ],
}


def hook_entry() -> list[str]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "provision-diff"]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "provision"
    return [sys.executable, "-m", "provisioner", *entry[1:]]


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "iam").mkdir(parents=True)
    (repo / "iam" / "read.json").write_text(json.dumps(READ, indent=2))
    (repo / "iam" / "trust.json").write_text(json.dumps(PINNED, indent=2))
    (repo / "package.json").write_text(json.dumps({"name": "app"}))
    git(repo, "init", "--quiet")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    # the pull request: one widening, one rewrite to the same access, one file of another tool
    (repo / "iam" / "read.json").write_text(
        json.dumps({**READ, "Statement": [*READ["Statement"], UPLOAD]}, indent=2)
    )
    (repo / "iam" / "trust.json").write_text(json.dumps(GUARDED, indent=2))
    (repo / "package.json").write_text(json.dumps({"name": "app", "version": "2"}))
    git(repo, "commit", "--quiet", "-am", "change")
    return repo, base


def run(repo: Path, base: str, *files: str, output: str = "table") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT")}
    env |= {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": "HEAD", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*hook_entry(), "-o", output, *files], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_hook_fails_for_the_widening_change_only(repo):
    path, base = repo
    done = run(path, base, "iam/read.json", "iam/trust.json", "package.json", output="json")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["skipped"] == ["package.json"]
    by_file = {r["new"]: r for r in report["files"]}
    assert by_file["iam/trust.json"]["differences"] == []  # the Deny guard: the same access
    (gained,) = by_file["iam/read.json"]["differences"]
    assert (
        gained["direction"] == "new" and gained["subject"] == "s3:PutObject on arn:aws:s3:::data/incoming/*"
    )
    assert by_file["iam/read.json"]["old"] == f"{base}:iam/read.json"


def test_the_hook_passes_a_change_that_gives_nothing_away(repo):
    path, base = repo
    done = run(path, base, "iam/trust.json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no difference in access" in done.stdout


def test_a_file_new_since_the_base_is_all_new_access(repo):
    path, base = repo
    (path / "iam" / "extra.json").write_text(json.dumps(READ))
    done = run(path, base, "iam/extra.json")
    assert done.returncode == 1
    assert "(not there)" in done.stdout or "newly allows s3:GetObject" in done.stdout


def test_a_base_that_is_not_a_revision_is_bad_input(repo):
    path, _ = repo
    done = run(path, "no-such-branch", "iam/read.json")
    assert done.returncode == 2 and done.stderr.startswith("error: --base 'no-such-branch'")
    assert len(done.stderr.strip().splitlines()) == 1


def test_diff_is_offline_and_never_loads_boto3(tmp_path):
    """An offline command (DESIGN.md, "Conventions"): two files, no AWS library loaded."""
    (tmp_path / "old.json").write_text(json.dumps(READ))
    (tmp_path / "new.json").write_text(json.dumps({**READ, "Statement": [*READ["Statement"], UPLOAD]}))
    run = (
        "import sys; from provisioner.cli import main; main(sys.argv[1:]); "
        "print('BOTO', 'boto3' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PROVISIONER_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", run, "diff", "old.json", "new.json", "-o", "json"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )  # fmt: skip
    assert done.stdout.rstrip().endswith("BOTO False"), done.stdout + done.stderr
    assert '"widens": true' in done.stdout


def test_the_action_diffs_a_pull_request_against_its_base_branch(tmp_path):
    """action.yml's `command: diff` as GitHub runs it for a pull request: the workspace is a
    clone checked out with fetch-depth 0 (origin/BASE is there), `github.base_ref` is the base
    branch. The widening file fails the job with a SARIF result at NEW's line; the rewrite to
    the same access gives none; on a push (no base_ref) the base is origin/main."""
    from tests import github_action

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    venv = github_action.installed_venv()
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    git(tmp_path, "clone", "--quiet", str(origin), str(work))
    (work / "iam").mkdir()
    (work / "iam" / "read.json").write_text(json.dumps(READ, indent=2))
    (work / "iam" / "trust.json").write_text(json.dumps(PINNED, indent=2))
    git(work, "checkout", "--quiet", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "base")
    git(work, "push", "--quiet", "origin", "main")
    git(work, "checkout", "--quiet", "-b", "feature")
    git(work, "branch", "--quiet", "-D", "main")  # as actions/checkout leaves it: only origin/main
    widened = {**READ, "Statement": [*READ["Statement"], UPLOAD]}
    (work / "iam" / "read.json").write_text(json.dumps(widened, indent=2))
    (work / "iam" / "trust.json").write_text(json.dumps(GUARDED, indent=2))
    git(work, "commit", "--quiet", "-am", "change")

    def step(paths: str, base_ref: str = "main") -> tuple[int, list[dict[str, object]], str]:
        done = github_action.run_step(
            "run",
            {"command": "diff", "paths": paths},
            work,
            bin_dir=venv / "bin",
            home=tmp_path,
            base_ref=base_ref,
        )
        sarif = work / "provisioner.sarif"
        results = json.loads(sarif.read_text())["runs"][0]["results"] if sarif.exists() else []
        return done.returncode, results, done.stderr

    code, results, stderr = step("iam")
    assert code == 1, stderr
    (result,) = results
    where = result["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "iam/read.json"
    lines = (work / "iam" / "read.json").read_text().splitlines()
    assert (
        '"s3:PutObject"' in lines[where["region"]["startLine"] - 1]
        or "PutObject" in result["message"]["text"]
    )
    assert "s3:PutObject" in result["message"]["text"]
    code, results, stderr = step("iam/trust.json")
    assert (code, results) == (0, []), stderr
    code, results, stderr = step("iam/read.json", base_ref="")  # a push: origin/main
    assert code == 1 and len(results) == 1, stderr
