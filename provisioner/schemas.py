"""The JSON Schemas under policies/schemas: validators and readable error lists.

Pure and free of our own higher modules (documents and vendors both read it, so neither imports
the other). jsonschema is imported on first use, never at import time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from provisioner.data import list_json, load_json
from provisioner.errors import DataError


@cache
def _validators() -> dict[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = {}
    for relative in list_json("schemas"):
        schema = load_json(relative)
        schemas[relative.rsplit("/", 1)[-1].removesuffix(".json")] = schema
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return {name: Draft202012Validator(schema, registry=registry) for name, schema in schemas.items()}


def validator(schema: str) -> Any:
    try:
        return _validators()[schema]
    except KeyError as exc:
        raise DataError(f"policies/schemas/{schema}.json is missing; reinstall provisioner") from exc


def schema_errors(document: Any, schema: str) -> list[str]:
    """Every way the document breaks the schema, as 'JSON path: message', most specific first.

    Code generated from the schemas (provisioner/schema_code.py) answers first: a document that
    passes is done without importing jsonschema (60 ms of every `provision policy` run)."""
    from provisioner.schema_code import conforms

    if conforms(document, schema):
        return []
    found = []
    leaves = [
        e
        for top in sorted(validator(schema).iter_errors(document), key=lambda e: e.json_path)
        for e in _leaves(top)
    ]
    # a value of the wrong type breaks every other rule of its place too ('oops' has no Action,
    # is valid under `not required`...): its type is the one fault to name there
    mistyped = {e.json_path for e in leaves if e.validator == "type"}
    for error in leaves:
        if error.json_path in mistyped and error.validator != "type":
            continue
        custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
        message = f"{error.instance!r}: {custom}" if custom else error.message
        found.append(f"{error.json_path}: {message}")
    return list(dict.fromkeys(found))


def _leaves(error: Any) -> list[Any]:
    """The errors that name the real faults under a oneOf/anyOf failure.

    Each alternative of a oneOf fails in its own way; the one that got furthest into the
    document is the one the author meant ("Statement": [ {...} ] is the list form, so report
    "$.Statement[0].Sid does not match", not "the list is not an object").
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def depth(errors: list[Any]) -> tuple[int, bool]:
        return max((len(e.absolute_path), e.validator not in ("type", "oneOf", "anyOf")) for e in errors)

    chosen = max(branches.values(), key=depth)
    return [leaf for sub in chosen for leaf in _leaves(sub)]
