"""provisioner/schema_code.py, the validators generated from policies/schemas: up to date with
the schemas, and of the same verdict as jsonschema on valid documents and on every mutation of
them; printing a policy no longer imports jsonschema, yet a broken document is still explained."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provisioner import documents, schema_code
from provisioner.data import list_json, load_json
from provisioner.vendors import known_vendors

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("schema_code_gen", ROOT / "scripts" / "schema_code.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_module_matches_the_schemas() -> None:
    pytest.importorskip("fastjsonschema")
    expected = _generator().generate()
    assert (ROOT / "provisioner" / "schema_code.py").read_text(encoding="utf-8") == expected, (
        "provisioner/schema_code.py is out of date: run python scripts/schema_code.py"
    )


def _mutations(node: Any) -> Iterator[Any]:
    """Copies of node, each with one change somewhere: a key removed, a value of another type,
    an unknown key, an empty list, a list item duplicated."""
    if isinstance(node, dict):
        yield {**node, "Unexpected": 1}
        for key, value in node.items():
            yield {k: v for k, v in node.items() if k != key}
            for other in (None, 7, "text", [], {}, [value], True):
                yield {**node, key: other}
            for sub in _mutations(value):
                yield {**node, key: sub}
    elif isinstance(node, list):
        yield []
        if node:
            yield [*node, copy.deepcopy(node[0])]
        for index, item in enumerate(node):
            for sub in _mutations(item):
                yield [*node[:index], sub, *node[index + 1 :]]
    elif isinstance(node, str):
        yield ""
        yield node + "\n"
        yield "*"


def _samples() -> Iterator[tuple[str, Any]]:
    vendor = known_vendors()["labelbox"]
    rendered = [
        documents.render_trust("ckx5y2abcd0001zz", vendor),
        documents.render_trust(["ckx5y2abcd0001zz", "old-id-0002"], vendor),
        documents.render_permissions("my-bucket", "images/", None, None),
        documents.render_permissions(
            "my-bucket",
            None,
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "eu-west-1",
        ),
        documents.render_cors(vendor),
    ]
    for item in rendered:
        yield item.kind, item.document
        yield "iam-policy", item.document
    for relative in list_json("vendors"):
        yield "vendor", load_json(relative)


@pytest.mark.parametrize("schema", ["trust", "permissions", "cors", "vendor", "iam-policy"])
def test_the_generated_validators_agree_with_jsonschema(schema: str) -> None:
    checked = failing = 0
    for kind, document in _samples():
        if kind != schema:
            continue
        for candidate in [document, *_mutations(document)]:
            valid = next(documents.validator(schema).iter_errors(candidate), None) is None
            if schema_code.conforms(candidate, schema):  # the shortcut never passes a bad document
                assert valid, f"{schema}: the generated code accepts what jsonschema refuses: {candidate!r}"
            assert (documents.schema_errors(candidate, schema) == []) is valid
            checked += 1
            failing += not valid
    assert checked > 20 and failing > 10  # the mutations reach the schema's rules


def test_an_unknown_schema_is_not_passed() -> None:
    assert schema_code.conforms({}, "no-such-schema") is False


@pytest.mark.slow  # a fresh interpreter
def test_printing_a_policy_does_not_import_jsonschema() -> None:
    code = (
        "import sys; from provisioner.cli import main;"
        "code = main(['policy', 'trust', '--external-id', 'ckx5y2abcd0001zz']);"
        "sys.stdout.flush();"
        "print('LOADED' if 'jsonschema' in sys.modules else 'NOT-LOADED', file=sys.stderr);"
        "sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert '"sts:ExternalId": "ckx5y2abcd0001zz"' in done.stdout
    assert done.stderr.strip().endswith("NOT-LOADED")


def test_a_document_that_breaks_its_schema_is_still_explained() -> None:
    document = documents.render_trust("ckx5y2abcd0001zz", known_vendors()["labelbox"]).document
    broken = copy.deepcopy(document)
    broken["Statement"][0]["Effect"] = "Maybe"
    assert schema_code.conforms(broken, "trust") is False
    problems = documents.schema_errors(broken, "trust")
    assert problems and "$.Statement[0].Effect" in problems[0]
