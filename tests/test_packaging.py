"""What a fresh install relies on: offline commands without boto3, data inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

# the slow tier: builds a wheel and runs the CLI as processes
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

OFFLINE_COMMANDS = [
    ["policy", "trust", "--external-id", "ckx5y2abcd0001zz"],
    ["policy", "permissions", "--bucket", "my-bucket", "--prefix", "a/"],
    ["policy", "cors"],
    ["vendors"],
    ["lint", str(ROOT / "policies" / "templates" / "trust.json")],
    [
        "--profile",
        "prod",
        "--region",
        "eu-west-1",
        "lint",
        str(ROOT / "policies" / "templates" / "trust.json"),
    ],
    ["create-role", "-h"],
    ["export", "--format", "cloudformation", "--bucket", "my-bucket"],
    ["export", "--format", "terraform"],
    [
        "manifest",
        "--bucket",
        "images",
        "--region",
        "us-east-1",
        "--from-file",
        str(ROOT / "tests" / "data" / "listing.txt"),
    ],
]


@pytest.mark.parametrize("argv", OFFLINE_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_offline_commands_never_import_boto3(argv):
    code = textwrap.dedent(f"""
        import sys
        from provisioner.cli import main
        rc = main({argv!r})
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))
        print('LOADED', loaded, file=sys.stderr)
        sys.exit(rc if not loaded else 99)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED []" in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr  # lint of a template may find things


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "provisioner",
            "policy",
            "trust",
            "--external-id",
            "ckx5y2abcd0001zz",
        ],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Statement"][0]["Action"] == "sts:AssumeRole"


@pytest.mark.slow
def test_wheel_carries_the_policies_and_runs_from_anywhere(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # issue 17: the distribution is provisioner-s3-delegation (PyPI's `provisioner` is someone else's)
    (wheel,) = dist.glob("provisioner_s3_delegation-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Install the wheel alone, offline; its dependencies come from this environment's
    # site-packages through a .pth file, so the test never reaches a package index.
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [env_dir / "bin" / "provision", "policy", "trust", "--external-id", "ckx5y2abcd0001zz"],
        cwd=outside,
        capture_output=True,
        text=True,
        env=clean_env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz"}
    }
    where = subprocess.run(
        [python, "-c", "import provisioner.data as d; print(d.policies_dir())"],
        cwd=outside,
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where  # the wheel's copy, not the checkout's
