"""The package's shape, measured: no module over 400 lines, no function body over 60 lines
(counted from its first statement, the docstring included), and no import circle between our
own modules (imports inside functions count too: they only postpone a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "provisioner"
MAX_MODULE_LINES = 400
MAX_BODY_LINES = 60

# What is not yet split, by name, and who owns it. Each entry is removed by the change that
# splits it; an entry that is no longer needed fails the test below, so the list only shrinks.
EXEMPT_MODULES: dict[str, str] = {}
EXEMPT_FUNCTIONS: dict[str, str] = {}


# Generated from policies/schemas by scripts/schema_code.py (tests/test_schema_code.py keeps it
# up to date); nobody reads or edits it by hand, so its sizes are not measured.
GENERATED = {"schema_code.py"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).as_posix() not in GENERATED)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _long_functions(path: Path) -> dict[str, int]:
    found = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.body[0].lineno + 1
            if lines > MAX_BODY_LINES:
                found[f"{_name(path)}:{node.name}"] = lines
    return found


def test_no_module_is_longer_than_400_lines():
    too_long = {
        _name(p): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES and _name(p) not in EXEMPT_MODULES
    }
    assert too_long == {}, f"split these modules into coherent parts (lines): {too_long}"


def test_no_function_body_is_longer_than_60_lines():
    too_long = {k: n for p in _modules() for k, n in _long_functions(p).items() if k not in EXEMPT_FUNCTIONS}
    assert too_long == {}, f"split these functions (body lines from the first statement): {too_long}"


def test_every_exemption_is_still_needed():
    """An exemption outlives its reason only by mistake: once a module is split, its entry goes."""
    long_modules = {_name(p) for p in _modules() if len(p.read_text().splitlines()) > MAX_MODULE_LINES}
    long_functions = {k for p in _modules() for k in _long_functions(p)}
    assert set(EXEMPT_MODULES) - long_modules == set()
    assert set(EXEMPT_FUNCTIONS) - long_functions == set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Our modules that `path` imports anywhere in it (`from provisioner.x import y` names
    provisioner.x.y when y is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & modules


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other_even_inside_functions():
    paths = {_module_name(p): p for p in _modules()}
    graph = {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_evaluator_imports_no_input_checks():
    """The evaluator is pure IAM semantics: what STS accepts as an external ID comes from
    model/, not from the checks of what users type."""
    paths = {_module_name(p): p for p in _modules()}
    evaluator = {name: path for name, path in paths.items() if name.startswith("provisioner.evaluation")}
    reached = {name: sorted(i for i in _imports(path, set(paths)) if i.startswith("provisioner.inputs"))
               for name, path in evaluator.items()}  # fmt: skip
    assert {name: found for name, found in reached.items() if found} == {}
