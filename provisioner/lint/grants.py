"""Rules on what an Allow statement of an identity or resource policy grants: its actions
(least privilege for a vendor that reads a bucket) and its resources."""

from __future__ import annotations

from collections.abc import Iterator

from provisioner.iam import Statement, expand_s3, has_wildcard, split_action, statements, strings
from provisioner.lint.model import LINT_RULES, Source
from provisioner.model import Arn
from provisioner.model.rules import Hit

_ALLOWED_OTHER_ACTIONS = {"kms:decrypt"}


def _grants(source: Source) -> list[Statement]:
    """The Allow statements of a policy that is not a trust policy."""
    if source.kind == "trust":
        return []
    return [statement for statement in statements(source.document) if statement.is_allow]


@LINT_RULES.register("allow-not-action")
def allow_not_action(source: Source) -> Iterator[Hit]:
    for statement in _grants(source):
        if "NotAction" in statement.body:
            yield Hit(
                "allow-not-action",
                f"Allow with NotAction {strings(statement.body['NotAction'])} grants every other action",
                f"{statement.path}.NotAction",
            )


@LINT_RULES.register(
    "action-wildcard", "unexpected-action", "unknown-action", "s3-write-access", "s3-permissions-management"
)
def actions(source: Source) -> Iterator[Hit]:
    for statement in _grants(source):
        for action in strings(statement.body.get("Action")):
            yield from _action(action, f"{statement.path}.Action")


def _action(action: str, location: str) -> Iterator[Hit]:
    service, name = split_action(action)
    if name == "*":
        what = "every action of every service" if not service else f"every {service} action"
        yield Hit("action-wildcard", f"{action!r} grants {what}", location)
        return
    if not service:
        return  # not service:Action at all: the grammar rule reports it
    if service != "s3":
        if action.lower() not in _ALLOWED_OTHER_ACTIONS:
            yield Hit("unexpected-action", f"{action!r} is not needed to read a bucket", location)
        return
    matched = expand_s3(name)
    if not matched:
        yield Hit("unknown-action", f"{action!r} matches no S3 action", location)
        return
    writes = sorted(n for n, level in matched.items() if level in ("Write", "Tagging"))
    admin = sorted(n for n, level in matched.items() if level == "Permissions management")
    if writes:
        yield Hit("s3-write-access", f"{action!r} grants {_few(writes)}", location)
    if admin:
        yield Hit("s3-permissions-management", f"{action!r} grants {_few(admin)}", location)


def _this_key(body: dict[str, object]) -> bool:
    """A key policy's statement (a Principal, and only kms: actions): its Resource "*" means "this
    KMS key" (KMS Developer Guide, "Key policies in AWS KMS", Resource), no bucket at all."""
    actions = strings(body.get("Action"))
    return "Principal" in body and bool(actions) and all(a.lower().startswith("kms:") for a in actions)


def _few(names: list[str], shown: int = 4) -> str:
    head = ", ".join(f"s3:{n}" for n in names[:shown])
    return head if len(names) <= shown else f"{head} and {len(names) - shown} more"


@LINT_RULES.register("resource-wildcard")
def resource_wildcard(source: Source) -> Iterator[Hit]:
    for statement in _grants(source):
        path = statement.path
        if "NotResource" in statement.body:
            yield Hit(
                "resource-wildcard",
                "Allow with NotResource applies to every resource not listed",
                f"{path}.NotResource",
            )
        for resource in strings(statement.body.get("Resource")):
            if resource == "*" and _this_key(statement.body):
                continue  # a key policy's "*" is "this KMS key"
            if resource == "*":
                yield Hit("resource-wildcard", 'Resource "*" covers every bucket', f"{path}.Resource")
                continue
            arn = Arn.parse(resource)
            if arn is not None and arn.service == "s3" and not arn.region:
                bucket = arn.resource.split("/", 1)[0]
                if has_wildcard(bucket):
                    yield Hit(
                        "resource-wildcard",
                        f"{resource!r}: the bucket name {bucket!r} has a wildcard and matches other buckets",
                        f"{path}.Resource",
                    )
