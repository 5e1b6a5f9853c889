"""action.yml's steps run the way GitHub runs a composite action's `shell: bash` step: the
step's `env:` with `${{ inputs.X }}` (the input given, else its default) and
`${{ github.action_path }}` (the action's checkout: this one) filled in, GitHub's own variables
(GITHUB_ACTION_PATH, GITHUB_ACTIONS, CI, …), then `bash --noprofile --norc -eo pipefail FILE`
on the step's `run:` text, in the workspace.

The install step is run by `make action-venv` (a prerequisite of `make test`), not by a test:

    python -m tests.github_action install .venv-action

makes a clean virtual environment and runs the install step with that environment's `python`
first on PATH, as `actions/setup-python` leaves it on a runner. The tests run the other steps
with the same PATH (tests/test_integrations.py, tests/e2e/test_action_audit.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-action"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return loaded


def step(step_id: str) -> dict[str, Any]:
    (found,) = [s for s in action()["runs"]["steps"] if s.get("id") == step_id]
    return found


def fill(template: str, inputs: dict[str, str], base_ref: str = "") -> str:
    """`${{ inputs.X }}`, `${{ github.action_path }}` and `${{ github.base_ref }}` as GitHub
    substitutes them (base_ref: the pull request's base branch; empty on any other event)."""
    defaults = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}
    values = {**defaults, **inputs}
    context = {"github.action_path": str(ROOT), "github.base_ref": base_ref}

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("inputs."):
            return values[name.removeprefix("inputs.")]
        return context[name]

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", one, template)


def base_environment(workspace: Path, bin_dir: Path, home: Path | None) -> dict[str, str]:
    """A runner's environment: nothing of this machine's AWS, provisioner or Python setup (no
    PYTHONPATH pointing at the checkout, no virtualenv), the given bin folder first on PATH;
    pip's own settings (index, certificates, proxies) kept, so an install reaches the index
    this machine uses."""
    keep = ("LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "HOME")
    proxies = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_") or k.lower() in proxies}
    env.update(
        {
            "PATH": f"{bin_dir}{os.pathsep}{SYSTEM_PATH}",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(workspace),
        }
    )
    if home is not None:
        env["HOME"] = str(home)
    return env


def run_step(
    step_id: str,
    inputs: dict[str, str],
    cwd: Path,
    bin_dir: Path = VENV / "bin",
    extra_env: dict[str, str] | None = None,
    home: Path | None = None,
    base_ref: str = "",
) -> subprocess.CompletedProcess[str]:
    """One step of action.yml, in `cwd` (the workspace); HOME is `home` when given (a test's
    temporary folder: no ~/.aws in reach), else this machine's; `base_ref` GitHub's
    `github.base_ref` (a pull request's base branch, empty on any other event)."""
    found = step(step_id)
    assert found["shell"] == "bash"
    env = {**base_environment(cwd, bin_dir, home), **(extra_env or {})}
    env.update({name: fill(str(value), inputs, base_ref) for name, value in (found.get("env") or {}).items()})
    script = cwd / f".step-{step_id}.sh"
    script.write_text(fill(found["run"], inputs, base_ref))
    try:
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd, env=env, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        script.unlink()


def source_digest() -> str:
    """What the installed copy must match: every file of provisioner/ and policies/."""
    digest = hashlib.sha256()
    for folder, prefix in (
        (ROOT / "provisioner", "provisioner"),
        (ROOT / "policies", "provisioner/policies"),
    ):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{prefix}/{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


STAMP = VENV / ".installed"


def installed_venv() -> Path:
    """The venv `make action-venv` made, for the tests; when it is missing or older than the
    checkout: skipped, or a failure when CI is set (CI must run these tests)."""
    problem = None
    if not (VENV / "bin" / "python").exists() or not STAMP.exists():
        problem = "no .venv-action"
    elif json.loads(STAMP.read_text()).get("sources") != source_digest():
        problem = ".venv-action holds an older copy of provisioner/ or policies/"
    if problem:
        message = f"{problem}: `make action-venv` installs the Action into it as GitHub would"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must run the Action's tests)", pytrace=False)
        pytest.skip(message)
    return VENV


def install(target: Path) -> int:
    """The Makefile's half: a clean venv, the install step run in it, the stamp written."""
    import shutil

    shutil.rmtree(target, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(target)
    digest = source_digest()
    work = target / "workspace"
    work.mkdir()
    result = run_step("install", {}, work, bin_dir=target / "bin")
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode == 0:
        (target / ".installed").write_text(json.dumps({"sources": digest}))
    return result.returncode


if __name__ == "__main__":
    if sys.argv[1:2] != ["install"] or len(sys.argv) != 3:
        sys.exit("usage: python -m tests.github_action install VENV")
    sys.exit(install(Path(sys.argv[2]).resolve()))
