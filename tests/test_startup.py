"""Start-up: `provision` imports only the module of the command it runs (cli/app.py's _Root),
yet help, defaults from the environment and from .provisioner.toml, and typo suggestions still
see every command. Each test runs a fresh interpreter, where nothing is imported yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test runs a fresh interpreter

ROOT = Path(__file__).resolve().parent.parent

_RUN = (
    "import sys; from provisioner.cli import main; code = main(sys.argv[1:]); sys.stdout.flush();"
    "print('MODULES', *sorted(m for m in sys.modules if m.startswith('provisioner.cli.')), file=sys.stderr);"
    "sys.exit(code)"
)


def _provision(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PROVISIONER_"))}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", _RUN, *args], capture_output=True, text=True, cwd=cwd, env={**environ, **env}
    )


def _loaded(done: subprocess.CompletedProcess[str]) -> set[str]:
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES"))
    return {name.removeprefix("provisioner.cli.") for name in line.split()[1:]}


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    done = _provision("policy", "trust", "--external-id", "ckx5y2abcd0001zz", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Statement"]
    assert _loaded(done) == {"app", "common", "policy"}


def test_global_options_before_the_command_still_find_it(tmp_path: Path) -> None:
    done = _provision("--region", "eu-west-1", "-q", "vendors", "-o", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert any(vendor["name"] == "labelbox" for vendor in json.loads(done.stdout)["vendors"])
    assert "audit" not in _loaded(done)


def test_the_environment_default_reaches_a_command_loaded_on_use(tmp_path: Path) -> None:
    done = _provision("vendors", cwd=tmp_path, AWS_DEFAULT_OUTPUT="json")
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout)["vendors"], list)  # {schema_version, vendors} (issue 18)


def test_the_config_file_is_checked_against_the_commands_it_names(tmp_path: Path) -> None:
    (tmp_path / ".provisioner.toml").write_text('[vendors]\noutput = "json"\n[audit]\nfail-onn = "low"\n')
    done = _provision("vendors", cwd=tmp_path)
    assert done.returncode == 2
    assert "[audit] fail-onn: not an option of 'audit'" in done.stderr
    (tmp_path / ".provisioner.toml").write_text('[nosuch]\noutput = "json"\n')
    done = _provision("vendors", cwd=tmp_path)
    assert done.returncode == 2
    assert "no such command (one of: audit, config, create-role, delete-role, diff, export," in done.stderr
    (tmp_path / ".provisioner.toml").write_text('[vendors]\noutput = "json"\n')
    done = _provision("vendors", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout)["vendors"], list)  # {schema_version, vendors} (issue 18)


def test_help_and_typos_see_every_command(tmp_path: Path) -> None:
    done = _provision("-h", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for heading in ("Role lifecycle:", "Checks:", "Labelbox and import files:", "Offline (no AWS"):
        assert heading in done.stdout
    for name in ("create-role", "rotate-external-id", "audit", "labelbox", "lint", "config", "policy"):
        assert f"\n  {name} " in done.stdout
    done = _provision("rotate-externl-id", cwd=tmp_path)
    assert done.returncode == 2
    assert "Did you mean 'rotate-external-id'?" in done.stderr


def test_lint_loads_the_solver_only_for_a_trust_that_needs_it(tmp_path: Path) -> None:
    """z3 (the exact trust analysis, issue 19) is imported when a trust with conditions is
    linted, never for a permission policy nor for the plainest trusts (analysis/simple.py):
    `lint FILE`'s start-up does not change for a file with no trust."""
    grant = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}],
    }
    run = "import sys; from provisioner.cli import main; main(sys.argv[1:]); print('Z3', 'z3' in sys.modules)"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PROVISIONER_"))}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    patterned = json.loads(json.dumps(trust))
    patterned["Statement"][0]["Condition"] = {"StringLike": {"sts:ExternalId": "lbx-*"}}
    cases = (("grant.json", grant, False), ("trust.json", trust, False), ("patterned.json", patterned, True))
    for name, document, loaded in cases:
        (tmp_path / name).write_text(json.dumps(document))
        done = subprocess.run(
            [sys.executable, "-c", run, "lint", "-o", "json", name],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environ,
        )
        assert done.stdout.rstrip().endswith(f"Z3 {loaded}"), (name, done.stdout, done.stderr)
