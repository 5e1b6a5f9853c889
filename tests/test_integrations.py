"""The pre-commit hook and the GitHub Action, run the way pre-commit and GitHub run them."""

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
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "provisioner-lint" and hook["language"] == "python"
    # JSON, YAML and .template files (identify gives .template no type, so `files`, not types_or)
    names = ("a.json", "b.YAML", "c.yml", "d.template", "e.md", "f.py")
    chosen = [n for n in names if re.search(hook["files"], n)]
    assert chosen == ["a.json", "b.YAML", "c.yml", "d.template"] and "types" not in hook
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


def run_action_step(
    tmp_path: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The action's 'run' step as GitHub runs it: ${{ inputs.X }} in env filled from the inputs
    (defaults from action.yml), then `bash --noprofile --norc -eo pipefail` on the script."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values = {**defaults, **inputs}
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "run"]
    env = {**environment(tmp_path), **(extra_env or {})}
    for name, template in step["env"].items():
        env[name] = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], template)
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip


def test_the_action_lints_and_writes_sarif_even_when_it_fails(tmp_path):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
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
    relaxed = run_action_step(tmp_path, {"paths": "iam", "fail-on": "none"})
    assert relaxed.returncode == 0


@pytest.mark.parametrize(("inputs", "needle"), [({"command": "deploy"}, "command must be lint or audit"),
                                                 ({"fail-on": "bogus"}, "--fail-on")])  # fmt: skip
def test_the_action_refuses_bad_inputs_and_leaves_no_sarif(tmp_path, inputs, needle):
    result = run_action_step(tmp_path, {"paths": ".", **inputs})
    assert result.returncode == 2 and needle in result.stderr
    assert not list(tmp_path.glob("*.sarif*"))
