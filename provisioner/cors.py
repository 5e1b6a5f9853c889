"""S3 CORS rules: comparing, merging our rule into a bucket's rules, removing it. Pure."""

from __future__ import annotations

from typing import Any

from provisioner.iam import wildcard_match

_LIST_KEYS = ("AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders")


def normalise(rule: dict[str, Any], *, with_id: bool = True) -> dict[str, Any]:
    """A rule in a comparable form: list order and absent-vs-empty lists do not matter."""
    shape: dict[str, Any] = {key: frozenset(rule.get(key) or ()) for key in _LIST_KEYS}
    shape["MaxAgeSeconds"] = rule.get("MaxAgeSeconds")
    if with_id:
        shape["ID"] = rule.get("ID")
    return shape


def same_rule(a: dict[str, Any], b: dict[str, Any], *, with_id: bool = True) -> bool:
    return normalise(a, with_id=with_id) == normalise(b, with_id=with_id)


def merge_rule(existing: list[dict[str, Any]], ours: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The bucket's rules with ours merged in, or None when nothing needs writing.

    - a rule with our ID is replaced in place when it differs, left alone when equal;
    - a rule equal to ours (whatever its ID: the admin may have added it by hand) is kept and
      nothing is written;
    - otherwise ours goes first: S3 applies the first rule that matches the origin and method,
      so a broader customer rule cannot shadow the vendor's. The customer's rules keep their
      contents and their order.
    """
    rules = [dict(rule) for rule in existing]
    for index, rule in enumerate(rules):
        if rule.get("ID") == ours.get("ID"):
            if same_rule(rule, ours):
                return None
            rules[index] = dict(ours)
            return rules
    if any(same_rule(rule, ours, with_id=False) for rule in rules):
        return None
    return [dict(ours), *rules]


def remove_rule(existing: list[dict[str, Any]], rule_id: str) -> list[dict[str, Any]] | None:
    """The bucket's rules without ours, or None when ours is not there."""
    kept = [rule for rule in existing if rule.get("ID") != rule_id]
    return None if len(kept) == len(existing) else kept


def describe_origins(rule: dict[str, Any]) -> str:
    return ", ".join(rule.get("AllowedOrigins") or [])


def cors_rule_for(rules: list[dict[str, Any]], origin: str, method: str) -> dict[str, Any] | None:
    """The rule S3 applies: the first whose origins and methods match. (S3 User Guide, "How
    does Amazon S3 evaluate the CORS configuration on a bucket?")"""
    for rule in rules:
        if method in (rule.get("AllowedMethods") or []) and any(
            wildcard_match(allowed, origin) for allowed in rule.get("AllowedOrigins") or []
        ):
            return rule
    return None
