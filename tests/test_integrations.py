"""The pre-commit hook and the GitHub Action, run the way pre-commit and GitHub run them. The
Action's audit against the sandbox is in tests/e2e/test_action_audit.py."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import github_action

# the slow tier: the pre-commit hook and the Action's steps run as processes
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)  # where the `provision` console script is
WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
NARROW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}],
}


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PROVISIONER_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp_path)
    return env


def test_the_pre_commit_hook_lints_the_files_it_is_given(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "provisioner-lint"]  # provision-diff: test_diff_hook.py
    assert hook["language"] == "python"
    # JSON, YAML and .template files (identify gives .template no type, so `files`, not types_or)
    names = ("a.json", "b.YAML", "c.yml", "d.template", "e.md", "f.py")
    chosen = [n for n in names if re.search(hook["files"], n)]
    assert chosen == ["a.json", "b.YAML", "c.yml", "d.template"]
    assert hook["types"] == [] and hook["types_or"] == ["file", "symlink"]  # links too (a broken one)
    (tmp_path / "narrow.json").write_text(json.dumps(NARROW))
    (tmp_path / "wide.json").write_text(json.dumps(WIDE))
    # pre-commit runs: ENTRY ARGS FILE… (the staged files its `types` select)
    clean = subprocess.run(
        [*shlex.split(hook["entry"]), "narrow.json"], cwd=tmp_path, env=environment(tmp_path),
        capture_output=True, text=True,
    )  # fmt: skip
    assert clean.returncode == 0, clean.stderr
    dirty = subprocess.run(
        [*shlex.split(hook["entry"]), "narrow.json", "wide.json"], cwd=tmp_path, env=environment(tmp_path),
        capture_output=True, text=True,
    )  # fmt: skip
    assert dirty.returncode == 1 and "wide.json" in dirty.stdout and "action-wildcard" in dirty.stdout


# --- the GitHub Action: installed by `make action-venv` from this checkout, run as GitHub runs it


@pytest.fixture
def action_venv() -> Path:
    return github_action.installed_venv()


def run_action_step(
    tmp_path: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The action's 'run' step as GitHub runs it, with the Action's installed venv first on PATH
    (and `extra_env`, such as the sandbox's endpoint and keys, in its environment)."""
    return github_action.run_step("run", inputs, tmp_path, extra_env=extra_env, home=tmp_path)


def in_venv(venv: Path, code: str) -> str:
    clean = github_action.base_environment(venv, venv / "bin", None)
    return subprocess.run(
        [venv / "bin" / "python", "-c", code], env=clean, cwd=venv, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_action_installs_our_code_from_its_own_checkout(action_venv, tmp_path):
    """What action.yml's install step left in the venv (make action-venv ran it as GitHub would):
    `provision` of this checkout's version, from our distribution, installed from the action's
    path (pip's direct_url.json), and no distribution called `provisioner` (PyPI's is someone
    else's)."""
    version = re.search(r'__version__ = "([^"]+)"', (ROOT / "provisioner" / "__init__.py").read_text())
    env = github_action.base_environment(tmp_path, action_venv / "bin", tmp_path)
    shown = subprocess.run(["provision", "--version"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip() == f"provision {version.group(1)}", shown  # type: ignore[union-attr]
    facts = json.loads(
        in_venv(
            action_venv,
            "import importlib.metadata as m, json, provisioner, shutil; "
            "d = m.distribution('provisioner-s3-delegation'); "
            "print(json.dumps({'url': json.loads(d.read_text('direct_url.json'))['url'], "
            "'names': sorted(x.metadata['Name'] for x in m.distributions()), "
            "'module': provisioner.__file__, 'script': shutil.which('provision')}))",
        )
    )
    assert facts["url"] == ROOT.as_uri()  # from the checkout, not from an index
    assert "provisioner" not in [n.lower() for n in facts["names"]]
    assert facts["module"].startswith(str(action_venv))
    assert facts["script"] == str(action_venv / "bin" / "provision")


def test_the_version_input_is_refused_before_anything_is_installed(tmp_path):
    """`version:` is gone (the version is the ref in `uses:`): a workflow that still sets it
    fails at the install step, and pip never runs."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "called"}\n')
    (fake / "python").chmod(0o755)
    refused = github_action.run_step("install", {"version": "0.1.2"}, tmp_path, bin_dir=fake, home=tmp_path)
    assert refused.returncode == 2 and "'version' is gone" in refused.stderr and "uses:" in refused.stderr
    assert not (tmp_path / "called").exists()
    # without it, the step installs the action's own path, nothing else
    github_action.run_step("install", {}, tmp_path, bin_dir=fake, home=tmp_path)
    called = (tmp_path / "called").read_text().split()
    assert called[:3] == ["-m", "pip", "install"] and called[-1] == str(github_action.ROOT)


def test_the_action_lints_and_writes_sarif_even_when_it_fails(action_venv, tmp_path):
    policies = tmp_path / "iam"
    policies.mkdir()
    (policies / "narrow.json").write_text(json.dumps(NARROW))
    passed = run_action_step(tmp_path, {"paths": "iam"})
    assert passed.returncode == 0, passed.stderr
    sarif = json.loads((tmp_path / "provisioner.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    (policies / "wide.json").write_text(json.dumps(WIDE))
    failed = run_action_step(tmp_path, {"paths": "iam", "sarif-file": "out.sarif"})
    assert failed.returncode == 1, failed.stderr  # the job fails, and the SARIF is there to upload
    results = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"action-wildcard"}
    where = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert where == {"iam/wide.json"}
    relaxed = run_action_step(tmp_path, {"paths": "iam", "fail-on": "none"})
    assert relaxed.returncode == 0
    # a sarif-file in a folder that does not exist yet: made, not 'No such file' with exit 1
    nested = run_action_step(tmp_path, {"paths": "iam", "sarif-file": "reports/lint/p.sarif"})
    assert nested.returncode == 1 and (tmp_path / "reports/lint/p.sarif").is_file(), nested.stderr
    # one whose folder cannot be made (a file is in the way): bad input, no SARIF, lint not run
    blocked = run_action_step(tmp_path, {"paths": "iam", "sarif-file": "iam/wide.json/p.sarif"})
    assert blocked.returncode == 2 and "sarif-file 'iam/wide.json/p.sarif'" in blocked.stderr


@pytest.mark.parametrize(("inputs", "needle"), [({"command": "deploy"}, "must be lint, diff or audit"),
                                                 ({"fail-on": "bogus"}, "--fail-on")])  # fmt: skip
def test_the_action_refuses_bad_inputs_and_leaves_no_sarif(action_venv, tmp_path, inputs, needle):
    result = run_action_step(tmp_path, {"paths": ".", **inputs})
    assert result.returncode == 2 and needle in result.stderr
    assert not list(tmp_path.glob("*.sarif*"))


def test_the_readmes_workflow_uses_the_actions_inputs_and_no_version():
    """The workflow the README shows: its `with:` are inputs of action.yml, never `version`
    (the version is the ref in `uses:`), and the Action is used by a ref, not installed by name."""
    section = (ROOT / "README.md").read_text().split("### In CI", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    steps = yaml.safe_load(block)
    inputs = set(github_action.action()["inputs"]) - {"version"}
    ours = [s for s in steps if s["uses"].startswith("OWNER/REPO@")]
    assert len(ours) == 1 and set(ours[0]["with"]) <= inputs and "command" in ours[0]["with"]
