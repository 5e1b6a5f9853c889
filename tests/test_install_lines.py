"""Nothing tells anyone to install us by a name from an index, and every library we import is
declared. `provisioner` on PyPI is an unrelated project, and our own distribution name
(`provisioner-s3-delegation`) is not published: anyone could register it tomorrow. So every
install line (README, action.yml, the pre-commit hooks file, the Makefile and CI scripts, every
`provision … --help`, every string in the package and in policies/) installs from a path or a
VCS URL.

What an install line is: `pip install …`, `pip3 install …`, `python -m pip install …`,
`uv pip install …` or `pipx install …`, up to the end of its line, code span, or the first
`;`, `&&`, `|`, `)`. Its arguments, read as a shell reads them, are options (`-q`,
`--upgrade`, …), option values (`-r FILE` and `-c FILE` are files; `-e X` is checked like a
requirement) and requirements. A requirement is fine when it is a path (`.`, `./x`, `/x`,
`~/x`, `'.[labelbox]'`, anything with a `/`, a `.whl` or `.tar.gz`), a URL or VCS URL
(`git+https://…@TAG`), or `NAME[extra] @ URL` (PEP 508). Anything else is a **bare name**
(`provisioner`, `'provisioner[labelbox]'`, `provisioner==0.1`, an unexpanded `$VAR`), which
an index resolves: refused, except a third-party library this project itself declares in
pyproject.toml (`pip install pyyaml` fetches nothing `pip install .` would not).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OURS = {"provisioner", "provisioner-s3-delegation"}  # the squatted name and ours

INSTALL = re.compile(r"\b(?:pip3?|pipx|uv\s+pip)\s+install\b")
# pip options that take a value (the value is the next argument unless written --opt=value)
VALUED = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src",
    "--upgrade-strategy", "--python-version", "--platform", "--implementation", "--abi",
    "--only-binary", "--no-binary", "--progress-bar", "--report", "-C", "--config-settings",
    "--global-option", "--trusted-host", "--cache-dir", "--log", "--python", "--proxy",
}  # fmt: skip
NAME = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?"
    r"\s*(?:(?:===|==|!=|<=|>=|~=|<|>)\s*[^\s,;]+\s*(?:,\s*(?:===|==|!=|<=|>=|~=|<|>)\s*[^\s,;]+\s*)*)?"
    r"(?:;.*)?"
)
URL = re.compile(r"^(?:[a-z]+\+)?[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, set[str]]:
    """The distributions pyproject.toml declares, by group ('' for the core dependencies)."""
    project = PYPROJECT["project"]
    groups = {"": project["dependencies"], **project.get("optional-dependencies", {})}
    return {
        group: {normalized(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in reqs}  # type: ignore[union-attr]
        for group, reqs in groups.items()
    }


THIRD_PARTY = set().union(*declared().values()) - OURS


def is_location(spec: str) -> bool:
    """A path or a URL: what pip installs without asking an index for a name."""
    if " @ " in spec or re.match(r"^[A-Za-z0-9._-]+(\[[^\]]*\])?@\S*://", spec):
        return bool(URL.match(spec.split("@", 1)[1].strip()))  # NAME[extra] @ URL (PEP 508)
    return (
        spec.startswith((".", "/", "~"))
        or "/" in spec
        or bool(URL.match(spec))
        or spec.endswith((".whl", ".tar.gz", ".zip"))
    )


def refusals(arguments: list[str]) -> list[str]:
    """Why an install line with these arguments (after `install`) may reach an index by name."""
    problems = []
    requirements: list[str] = []
    files = False  # -r FILE: what the file names is not read here
    i = 0
    while i < len(arguments):
        arg = arguments[i]
        option, _, inline = arg.partition("=")
        if arg.startswith("-") and option in VALUED:
            value = inline if inline else (arguments[i + 1] if i + 1 < len(arguments) else "")
            i += 1 if inline else 2
            if option in ("-e", "--editable"):
                requirements.append(value)
            elif option in ("-r", "--requirement"):
                files = True
            continue
        if arg.startswith("-"):
            i += 1
            continue
        if i + 2 < len(arguments) and arguments[i + 1] == "@":  # NAME @ URL, unquoted
            requirements.append(f"{arg} @ {arguments[i + 2]}")
            i += 3
            continue
        requirements.append(arg)
        i += 1
    if not requirements and not files:
        problems.append("installs nothing this test can read")
    for spec in requirements:
        if is_location(spec):
            continue
        match = NAME.fullmatch(spec)
        if match is None:
            problems.append(f"{spec!r} is neither a path, a URL nor a name this test can read")
        elif normalized(match["name"]) in OURS:
            problems.append(f"{spec!r} is a bare name: an index decides what it installs")
        elif normalized(match["name"]) not in THIRD_PARTY:
            problems.append(f"{spec!r} is a bare name this project does not declare in pyproject.toml")
    return problems


def install_lines(text: str) -> list[list[str]]:
    """The arguments of every install line in `text` (a list of words each)."""
    found = []
    for match in INSTALL.finditer(text):
        rest = re.split(r"[\n`]", text[match.end() :], maxsplit=1)[0]
        lexer = shlex.shlex(rest, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        words: list[str] = []
        try:
            for word in lexer:
                if word and set(word) <= set(";&|()<>"):
                    break
                words.append(word)
        except ValueError:  # an unclosed quote: keep what was read, the rest is unreadable
            words.append(rest)
        found.append(words)
    return found


# --- where install lines are ------------------------------------------------------------------


@functools.cache  # two tests read every module's strings
def python_strings(path: Path) -> list[str]:
    """Every string literal of a module; an f-string's replacement fields become `{…}`."""
    strings = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.JoinedStr):
            strings.append(
                "".join(
                    v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{…}"
                    for v in node.values
                )
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append(node.value)
    return strings


def json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *json_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


GITHUB_CONTEXT = {"github.action_path": "/home/runner/work/_actions/owner/repo/v1"}


def action_texts(action: dict) -> list[str]:
    """action.yml as GitHub runs it: `${{ … }}` filled in (an input becomes the word INPUT, a
    name: an install line that uses one is refused), then each run script's `$VAR` from its
    step's env; and every other string of the file (descriptions)."""

    def fill(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: GITHUB_CONTEXT.get(m.group(1), "INPUT"), text)

    texts = []
    for step in action["runs"]["steps"]:
        env = {k: fill(str(v)) for k, v in (step.get("env") or {}).items()}
        script = fill(step.get("run", ""))
        script = re.sub(
            r"\$\{(\w+)\}|\$(\w+)",
            lambda m, env=env: env.get(m.group(1) or m.group(2), m.group(0)),
            script,
        )
        texts.append(script)
    texts += json_strings({k: v for k, v in action.items() if k != "runs"})
    return texts


@functools.cache
def help_outputs() -> dict[str, str]:
    """`provision [GROUP] [COMMAND] --help` for the program, every group and every command."""
    import typer.rich_utils
    from typer.main import get_command
    from typer.testing import CliRunner

    from provisioner.cli import app

    def paths(command: Any, path: list[str]) -> list[list[str]]:
        if not hasattr(command, "list_commands"):
            return [path]
        ctx = command.make_context("provision", [], resilient_parsing=True)
        # list_commands/get_command: the root loads a command's module on first use
        subcommands = {name: command.get_command(ctx, name) for name in command.list_commands(ctx)}
        return [path] + [p for name, sub in subcommands.items() for p in paths(sub, [*path, name])]

    width = typer.rich_utils.MAX_WIDTH
    typer.rich_utils.MAX_WIDTH = 1000  # one line per help text: no command wrapped in two
    # (help is plain click text: the same for click's formatter, through terminal_width)
    try:
        outputs = {}
        for path in paths(get_command(app), []):
            result = CliRunner().invoke(app, [*path, "--help"], terminal_width=1000, max_content_width=1000)
            assert result.exit_code == 0, (path, result.output)
            outputs[" ".join(["provision", *path, "--help"])] = "\n".join(
                re.sub(r"[│╭╮╰╯─┃┏┓┗┛━]", " ", line).strip() for line in result.output.splitlines()
            )
        return outputs
    finally:
        typer.rich_utils.MAX_WIDTH = width


def sources() -> dict[str, list[str]]:
    """Every text a user may copy an install line from, by where it is."""
    found: dict[str, list[str]] = {
        "README.md": [(ROOT / "README.md").read_text()],
        "action.yml": action_texts(yaml.safe_load((ROOT / "action.yml").read_text())),
        ".pre-commit-hooks.yaml": [(ROOT / ".pre-commit-hooks.yaml").read_text()],
        "Makefile": [(ROOT / "Makefile").read_text()],
        "pyproject.toml": [(ROOT / "pyproject.toml").read_text()],
    }
    for path in sorted([*(ROOT / ".ci").iterdir(), *(ROOT / "scripts").iterdir()]):
        if path.is_file():
            found[str(path.relative_to(ROOT))] = [path.read_text()]
    for path in sorted((ROOT / "provisioner").rglob("*.py")):
        found[str(path.relative_to(ROOT))] = python_strings(path)
    for path in sorted((ROOT / "policies").rglob("*.json")):
        found[str(path.relative_to(ROOT))] = json_strings(json.loads(path.read_text()))
    found.update({name: [text] for name, text in help_outputs().items()})
    return found


# --- the tests --------------------------------------------------------------------------------


def test_no_install_line_names_a_package_an_index_resolves():
    everywhere = sources()
    seen = 0
    refused = []
    for where, texts in everywhere.items():
        for text in texts:
            for arguments in install_lines(text):
                seen += 1
                refused += [f"{where}: pip install {shlex.join(arguments)}: {p}" for p in refusals(arguments)]
    assert not refused, "\n".join(refused)
    # the sources were read: the README's install section and the Action's step are among them
    assert any(install_lines(t) for t in everywhere["README.md"])
    assert any(install_lines(t) for t in everywhere["action.yml"])
    helps = {k for k in everywhere if k.endswith("--help")}
    assert {"provision --help", "provision labelbox --help", "provision labelbox connect --help"} <= helps
    assert {"provision policy --help", "provision policy trust --help", "provision audit --help"} <= helps
    assert seen >= 8


@pytest.mark.parametrize(
    ("line", "refused"),
    [
        ("pip install provisioner", True),
        ("pip install 'provisioner[labelbox]'", True),
        ("python -m pip install --quiet provisioner==0.1.2", True),
        ("pip install -U Provisioner_S3.Delegation", True),
        ("pip install -e provisioner-s3-delegation", True),
        ("pip install --index-url https://example.org/simple provisioner-s3-delegation", True),
        ('pip install "provisioner${VERSION:+==$VERSION}"', True),
        ("pip install $PACKAGE", True),
        ("pipx install provisioner-s3-delegation", True),
        ("pip install some-package-nobody-declares", True),
        ("pip install .", False),
        ("pip install -e '.[dev]'", False),
        ("pip install './checkout[labelbox]'", False),
        ("pip install /home/runner/work/_actions/o/r/v1", False),
        ("pip install -r requirements.txt", False),
        ("pip install 'git+https://example.org/o/r@v1'", False),
        ("pip install 'provisioner-s3-delegation[labelbox] @ git+https://example.org/o/r@v1'", False),
        ("pip install provisioner-s3-delegation @ git+https://example.org/o/r@v1", False),
        ("pip install dist/provisioner_s3_delegation-0.1.0-py3-none-any.whl", False),
        ("pip install pyyaml", False),  # a third-party library pyproject.toml declares
        ("see `pip install .` (the checkout), then", False),
        ("(pip install '.[labelbox]').", False),
    ],
)
def test_what_counts_as_a_bare_name(line, refused):
    (arguments,) = install_lines(line)
    assert bool(refusals(arguments)) is refused, refusals(arguments)


def test_the_actions_install_step_is_read_as_github_fills_it():
    action = {
        "runs": {
            "steps": [
                {"env": {"P": "${{ github.action_path }}"}, "run": 'python -m pip install "$P"'},
                {"env": {"V": "${{ inputs.version }}"}, "run": 'python -m pip install "provisioner==$V"'},
            ]
        }
    }
    first, second = (install_lines(t) for t in action_texts(action)[:2])
    assert not refusals(first[0]) and refusals(second[0])


def test_the_help_shows_install_lines_as_they_are_written():
    """rich reads `[labelbox]` in a help text as markup and prints nothing of it: the help said
    `pip install 'provisioner'`. Every install line a `--help` shows is one the package writes
    (a bracket escaped as `\\[` in the source shows as `[`)."""
    written = {
        tuple(arguments)
        for path in (ROOT / "provisioner").rglob("*.py")
        for text in python_strings(path)
        for arguments in install_lines(text.replace("\\[", "["))
    }
    shown = {
        (name, tuple(arguments)) for name, text in help_outputs().items() for arguments in install_lines(text)
    }
    assert shown and not {(name, a) for name, a in shown if a not in written}


# --- every imported library declared ----------------------------------------------------------


def imports(path: Path) -> list[tuple[str, bool]]:
    """(top-level module, imported when the module loads) for every import of a file, except
    those under `if TYPE_CHECKING:`."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], not lazy) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], not lazy))
        inside = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(path.read_text(), str(path)), False)
    return found


@functools.cache
def module_distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def distributions(module: str) -> set[str]:
    return {normalized(d) for d in module_distributions().get(module, [])}


LOCAL = {"provisioner", "tests", "bench", "scripts", "__future__"}
# What the package may import from an extra, and only inside a function (the command that needs
# it says which extra is missing); every other import of the package is a core dependency.
OPTIONAL = {"labelbox": {"labelbox"}, "lbox": {"labelbox"}, "moto": {"sandbox"}, "yaml": {"yaml"}}


@pytest.mark.parametrize(
    ("folder", "allowed"),
    [("provisioner", None), ("tests", {"", "dev"}), ("bench", {"", "dev"}), ("scripts", {"", "dev"})],
)
def test_every_imported_library_is_declared(folder, allowed):
    """The package's imports are declared in the core dependencies (or, for the few OPTIONAL
    ones imported only inside a function, in their extra); the tests', benchmarks' and
    scripts' in the core or `dev`. Not left to arrive through another library (rich, which the
    progress bars of audit and manifest use, came only through typer)."""
    groups = declared()
    local = LOCAL | {p.stem for p in (ROOT / folder).rglob("*.py")}
    missing = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module, at_load in imports(path):
            if module in sys.stdlib_module_names or module in local:
                continue
            dists = distributions(module)
            where = {g for g, names in groups.items() if dists & names}
            if allowed is not None:
                wanted = allowed
            else:
                wanted = {""} | (OPTIONAL.get(module, set()) if not at_load else set())
            if not where & wanted:
                names = ", ".join(sorted(dists)) or "not installed"
                missing.append(
                    f"{path.relative_to(ROOT)}: import {module} ({names}) is declared in"
                    f" {sorted(where) or 'no group'}; it must be in one of {sorted(wanted)}"
                )
    assert not missing, "\n".join(missing)
