"""The `provision` process costs what its work costs (issue 18 §4, offline audit within 4x
json.load): option values are taken without pydantic (provisioner/cli_coercion.py), each as
typer's own coercion gives it, every value typer refuses refused with typer's own message, and
a run whose options are all plain never imports pydantic; the command's objects are left to
the process's exit rather than walked by the cycle collector on the way out."""

from __future__ import annotations

import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer
from typer import _coercion

from provisioner.cli import app
from provisioner.cli_coercion import QuickCommand, quicken

ROOT = Path(__file__).resolve().parent.parent

# Values as the command line (or a default, or a config file) hands them over: plain ones the
# quick path decides, and every other kind, which typer's own coercion must decide.
VALUES = {
    str: ["x", "", "arn:aws:iam::123456789012:role/r", b"bytes", 7],
    int: ["90", "1", "0", "-3", "007", " 5", "+5", "1_000", "x1", "36500", "36501", "9" * 40, 90, 3.0, True],
    "choice": ["json", "JSON", "table", "pdf", "", 3],
    "texts": [("a.json", "b.json"), ["a"], (), ("a", 3)],
}


def _commands() -> list[typer.core.TyperCommand]:
    root = typer.main.get_command(app)
    root.load_all()
    found = []

    def walk(group: object) -> None:
        for command in getattr(group, "commands", {}).values():
            if hasattr(command, "commands"):
                walk(command)
            else:
                found.append(command)

    walk(root)
    return found


def _kind(annotation: object) -> object:
    if annotation in (str, int):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice"
    if str(annotation) == "list[str]":
        return "texts"
    return None


def _outcome(runtime: _coercion.RuntimeParam, value: object, param: Any, ctx: Any) -> tuple[str, object]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter as exc:
        return "error", exc.format_message()


def test_every_option_takes_a_value_as_typer_itself_does() -> None:
    """Each option of every command, quick against typer's own coercion (pydantic's adapters),
    over values of every kind: the same value out (type included), or the same error."""
    compared = 0
    for command in _commands():
        assert isinstance(command, QuickCommand), command.name
        ctx = typer.Context(command, info_name=command.name)
        for param in command.get_params(ctx):
            descriptor = param.type_descriptor
            kind = _kind(descriptor.annotation)
            if kind is None:
                continue
            quick = param.get_runtime_param()
            own = _coercion.build_runtime_param(descriptor)
            assert type(quick).__name__ == "_Quick", (command.name, param.name)
            for value in VALUES[kind]:  # type: ignore[index]
                if param.multiple and isinstance(value, str):
                    continue  # click hands a multiple option a tuple, never a string
                expected = _outcome(own, value, param, ctx)
                got = _outcome(quick, value, param, ctx)
                assert got == expected, (command.name, param.name, value)
                assert type(got[1]) is type(expected[1]), (command.name, param.name, value)
                compared += 1
    assert compared > 500  # every command's options, not a few


def test_a_parameter_typer_already_coerces_is_left_alone() -> None:
    command = next(c for c in _commands() if c.name == "audit")
    ctx = typer.Context(command, info_name="audit")
    param = next(p for p in command.get_params(ctx) if p.name == "from_file")
    mine = _coercion.build_runtime_param(param.type_descriptor)
    param._runtime_param = mine
    quicken([param])
    assert param._runtime_param is mine


@pytest.mark.slow  # a fresh interpreter
def test_an_offline_audit_imports_neither_pydantic_nor_boto3(tmp_path: Path) -> None:
    """`audit --from-file` with every option given: pydantic (typer's coercion) cost more than
    judging 10,000 roles, and boto3 has no place in an offline run; nor z3 for trusts as plain
    as an account root's (analysis/simple.py answers them, issue 19)."""
    gaad = tmp_path / "gaad.json"
    gaad.write_text(
        '{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",'
        ' "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
        ' "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}]}}]}'
    )
    probe = (
        "import sys; from provisioner.cli import main; code = main(sys.argv[1:]); sys.stdout.flush();"
        "print('LOADED', *sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr); sys.exit(code)"
    )
    argv = ["audit", "--from-file", str(gaad), "-o", "json", "--fail-on", "critical", "--unused-days", "30"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PROVISIONER_"))}
    environ["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, cwd=tmp_path, env=environ
    )
    assert done.returncode == 0, done.stderr
    assert '"rule": "trusts-account-root"' in done.stdout
    loaded = next(line for line in done.stderr.splitlines() if line.startswith("LOADED")).split()
    assert not {"pydantic", "pydantic_core", "boto3", "botocore", "z3"} & set(loaded)


@pytest.mark.slow  # a fresh interpreter
def test_the_provision_command_leaves_its_objects_to_exit_and_a_caller_keeps_its_collector(
    tmp_path: Path,
) -> None:
    """`provision` (main() without argv: the console script, python -m provisioner) ends its
    process as main returns: its objects are frozen out of the collector's reach, so Python's
    collections at exit do not walk them all; a caller that passes argv (tests) keeps its
    collector untouched."""
    probe = (
        "import gc, sys; from provisioner.cli import main; sys.argv = ['provision', 'vendors', '-o', 'json'];"
        "given = main(['vendors', '-o', 'json']); before = gc.get_freeze_count();"
        "code = main(); print('FROZEN', before, gc.get_freeze_count(), given, code, file=sys.stderr)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PROVISIONER_"))}
    environ["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=environ
    )
    line = next(line for line in done.stderr.splitlines() if line.startswith("FROZEN"))
    before, after, given, code = (int(v) for v in line.split()[1:])
    assert (given, code) == (0, 0)
    assert before == 0  # main(argv) froze nothing
    assert after > 10_000  # main() froze what the run left: every module's objects
