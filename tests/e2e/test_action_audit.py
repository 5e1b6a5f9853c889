"""The GitHub Action's `command: audit`, run as GitHub runs it (tests/github_action.py), with
the Action's own install (`make action-venv`) on PATH, against the sandbox: the job's
credentials and endpoint come from the environment, as a workflow step would set them."""

from __future__ import annotations

import json
import socket

import pytest

from tests import github_action

ANYONE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}],
    }
)


@pytest.fixture
def action_venv():
    return github_action.installed_venv()


def audit(tmp_path, aws_env, **inputs):
    return github_action.run_step(
        "run", {"command": "audit", **inputs}, tmp_path, extra_env=aws_env, home=tmp_path
    )


def test_the_action_audits_the_account_and_writes_sarif_even_when_it_fails(
    action_venv, tmp_path, aws_env, customer
):
    clean = audit(tmp_path, aws_env)
    assert clean.returncode == 0, clean.stderr
    assert json.loads((tmp_path / "provisioner.sarif").read_text())["runs"][0]["results"] == []

    customer.iam.create_role(RoleName="Anyone", AssumeRolePolicyDocument=ANYONE)
    failed = audit(tmp_path, aws_env, **{"sarif-file": "audit.sarif"})
    assert failed.returncode == 1, failed.stderr  # the job fails, and the SARIF is there to upload
    sarif = json.loads((tmp_path / "audit.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert "trust-any-principal" in {r["ruleId"] for r in results}
    assert "Anyone" in json.dumps(results)
    assert not list(tmp_path.glob("*.tmp"))

    relaxed = audit(tmp_path, aws_env, **{"fail-on": "none", "sarif-file": "relaxed.sarif"})
    assert relaxed.returncode == 0, relaxed.stderr
    assert json.loads((tmp_path / "relaxed.sarif").read_text())["runs"][0]["results"]


def test_the_action_fails_with_exit_3_and_no_sarif_when_aws_is_out_of_reach(action_venv, tmp_path, aws_env):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = audit(tmp_path, {**aws_env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"})
    assert unreachable.returncode == 3, unreachable.stderr
    assert unreachable.stderr.count("error:") == 1 and "Traceback" not in unreachable.stderr
    assert not list(tmp_path.glob("*.sarif*"))
