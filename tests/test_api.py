"""The Python API: the README's example runs as written (in its own process, with its own
sandbox), and the API raises errors that name spec fields, before any AWS call."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from provisioner import api
from provisioner.errors import InputError
from provisioner.role import RoleSpec

ROOT = Path(__file__).resolve().parent.parent


def readme_example() -> str:
    section = (ROOT / "README.md").read_text().split("## Python API", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_the_readme_example_runs_against_the_sandbox():
    result = subprocess.run(
        [sys.executable, "-c", readme_example()], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    planned, checked = result.stdout.strip().splitlines()[-2:]
    changes = ast.literal_eval(planned)
    assert [c[0] for c in changes] == ["create", "create", "attach", "cors"]
    assert ("create", "role LabelboxS3Access", "iam:CreateRole") in changes
    assert checked.startswith("True [('AWSAssumeRole', <Status.PASS: 'pass'>)")


class NoAws:
    """Stands in for a session: any use of it is a call the API should not have made."""

    def __getattr__(self, name):
        raise AssertionError(f"AWS was used ({name}) although the input was bad")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (RoleSpec(api.vendor("labelbox"), "Bad_Bucket", "ckx5y2w9q0001abcd1234"), "bucket"),
        (RoleSpec(api.vendor("labelbox"), "images", "has space"), "external_id"),
        (RoleSpec(api.vendor("labelbox"), "images", "ckx5y2w9q0001abcd1234", role_name="a/b"), "role_name"),
        (RoleSpec(api.vendor("labelbox"), "images", "ckx5y2w9q0001abcd1234", tags=("k",)), "tag"),
    ],
)
def test_bad_input_names_the_field_and_touches_no_account(spec, field):
    with pytest.raises(InputError) as err:
        api.create_role(spec, NoAws())  # type: ignore[arg-type]
    assert err.value.field == field
    assert not str(err.value).startswith("--"), "library errors name fields, not CLI options"
