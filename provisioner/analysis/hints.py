"""For each key a StringLike (or ArnLike) pattern of a trust or of the RCPs constrains, a value of
the first such pattern: the example a door shows then asks for it first, so lint, audit and
validate (who each ask their own question) show the same request."""

from __future__ import annotations

from typing import Any

from provisioner.iam import statements


def pattern_hints(documents: list[Any]) -> dict[str, str]:
    """For each key a StringLike (or ArnLike) pattern of the trust or the RCPs constrains, a
    value of the first such pattern: its wildcards filled ('*' with nothing, '?' with 'x'; an
    account's with zeros to twelve digits). `@account` and `@name` are the caller's, from
    aws:PrincipalAccount and aws:PrincipalArn."""
    found: dict[str, str] = {}
    for document in documents:
        for statement in statements(document):
            for operator, key, values in statement.conditions():
                base = operator.lower().rpartition(":")[2].removesuffix("ifexists")
                patterns = [v for v in values if isinstance(v, str) and ("*" in v or "?" in v)]
                if base not in ("stringlike", "arnlike") or not patterns:
                    continue
                name, pattern = key.lower(), patterns[0]
                if name == "aws:principalaccount":
                    _hint(found, "@account", _digits(pattern), pattern)
                elif name in ("aws:principalarn", "aws:sourcearn"):
                    fields = pattern.split(":", 5)
                    if name == "aws:principalarn" and len(fields) == 6:
                        _hint(found, "@account", _digits(fields[4]), fields[4])
                        resource = fields[5].partition("/")[2]
                        _hint(found, "@name", _filled(resource), resource)
                else:
                    found.setdefault(name, _filled(pattern))
    return found


def _hint(found: dict[str, str], name: str, value: str, pattern: str) -> None:
    """Keep the first hint for a caller's field whose pattern asks for something (not a bare `*`)."""
    if pattern.strip("*?"):
        found.setdefault(name, value)


def _filled(pattern: str) -> str:
    return pattern.replace("*", "").replace("?", "x")


def _digits(pattern: str) -> str:
    """A twelve-digit account an account pattern matches, with zeros (the pattern as given when
    it cannot be one: the preference then does not fit, and is dropped)."""
    fixed = pattern.replace("?", "0")
    gap = 12 - len(fixed.replace("*", ""))
    return fixed.replace("*", "0" * max(gap, 0), 1).replace("*", "")
