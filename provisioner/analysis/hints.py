"""For each key a StringLike (or ArnLike) pattern of a trust or of the RCPs constrains, a value of
the first such pattern: the example a door shows then asks for it first, so lint, audit and
validate (who each ask their own question) show the same request."""

from __future__ import annotations

import re
from typing import Any

from provisioner.iam import statements, strings_in


def pattern_hints(documents: list[Any]) -> dict[str, str]:
    """For each key a StringLike (or ArnLike) pattern of the trust or the RCPs constrains, a
    value of the first such pattern: its wildcards filled ('*' with nothing, '?' with 'x'; an
    account's with zeros to twelve digits). `@account`, `@path` and `@name` are the caller's, from
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
                        path, slash, resource = fields[5].partition("/")[2].rpartition("/")
                        if slash:  # a role's path (IAM identifiers: role/PATH/NAME)
                            _hint(found, "@path", f"/{_filled(path)}/".replace("//", "/"), path)
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


_PRINCIPAL = re.compile(r"arn:[^:]*:iam::[^:]*:(?:role|user)(/.*)?/[^/]*")


def principal_paths(documents: list[Any]) -> tuple[str, ...]:
    """The paths a caller's role or user may have, as far as the policies can tell them apart
    (IAM User Guide, "IAM identifiers": arn:aws:iam::ACCOUNT:role/PATH/NAME; anyone may give its
    own role a path): "/", each path an IAM ARN of the policies names (its wildcards filled), and
    one they name nowhere ("/p/"), where any of them holds a wildcard or a path (round 20af)."""
    found: dict[str, None] = {"/": None}
    for document in documents:
        for text in strings_in(document):
            match = _PRINCIPAL.fullmatch(text)
            if match is None:
                continue
            if match.group(1):
                found[f"/{_filled(match.group(1)[1:])}/".replace("//", "/")] = None
            if match.group(1) or "*" in text or "?" in text:
                found["/p/"] = None
    return tuple(found)
