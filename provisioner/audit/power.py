"""Pure: power beyond data. Whether a role's session may do everything (AdministratorAccess or
its like), every IAM action (`iam:*`), or every action of a known privilege-escalation method
(policies/privilege-escalation.json: cloudsplaining's list, cited there), decided by the
evaluator over its identity policies, its permissions boundary and its account's SCPs, on the
resources the policies name and on any resource.

audit's rule `vendor-privileged` reads it for a role another account can assume; inventory
ranks such a party first."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from provisioner.evaluation import Policy
from provisioner.iam import fits_type, split_action, statements, strings

# An action of no AWS service, and one of IAM that AWS does not define: only a grant of every
# action (`*`, or a NotAction that leaves them in) or of every IAM action (`iam:*`) allows them.
ANY_ACTION = "provisioner-probe:AnyAction"
ANY_IAM_ACTION = "iam:ProvisionerProbeAction"
ADMIN = "every action on every resource (AdministratorAccess or its like)"
IAM_ALL = "every IAM action (iam:*)"
ALL_BUT_IAM = "every action of the services outside IAM (a NotAction grant, like PowerUserAccess)"
ALL_BUT_S3 = "every action of the services outside S3 (a NotAction grant)"


@cache
def escalation_methods() -> dict[str, tuple[str, ...]]:
    """Method name -> the actions it needs, from policies/privilege-escalation.json."""
    from provisioner.data import load_json

    raw = load_json("privilege-escalation.json")
    return {name: tuple(actions) for name, actions in raw["methods"].items()}


def probe_resources(documents: list[Policy], account: str) -> list[str]:
    """The resources asked about: any ("*"), one of each kind IAM escalation acts on in the
    role's account, and those the Allow statements name (wildcards filled)."""
    found = {
        "*",
        f"arn:aws:iam::{account}:role/provisioner-probe",
        f"arn:aws:iam::{account}:user/provisioner-probe",
        f"arn:aws:iam::{account}:policy/provisioner-probe",
    }
    for policy in documents:
        for statement in statements(policy.document):
            if statement.is_allow:
                found.update(
                    r.replace("*", "x").replace("?", "x") for r in strings(statement.body.get("Resource"))
                )
    return sorted(found)


def privileged(allowed: Callable[[str, str], bool], documents: list[Policy], account: str) -> tuple[str, ...]:
    """What the role may do beyond data, worst first: every action, every IAM action, or the
    privilege-escalation methods whose every action is allowed on some resource. `allowed`
    decides one request (action, resource) with the whole chain."""
    resources = probe_resources(documents, account)
    if not _may_name_other_services(documents):
        return ()  # every Allow names only S3 or KMS actions: nothing here to find

    def any_resource(action: str) -> bool:
        """On "*", or a resource of the action's own service and of a type it acts on (an IAM
        action on an S3 object's ARN is no request AWS serves: a NotAction grant on objects is
        not iam:*; nor is iam:CreateAccessKey on a role's ARN: it acts on users)."""
        service = split_action(action)[0]
        own = [r for r in resources if r == "*" or (r.split(":")[2:3] == [service] and fits_type(action, r))]
        return any(allowed(action, resource) for resource in own)

    # every action on every resource ("*"): a NotAction grant on one bucket's objects is not one
    # (IAM matches NotAction only within the statement's Resource; trial 22i item 1)
    every, iam = allowed(ANY_ACTION, "*"), allowed(ANY_IAM_ACTION, "*")
    if every and iam and allowed("s3:GetObject", "*"):
        return (ADMIN,)
    found: list[str] = [IAM_ALL] if iam else []
    scoped = [] if iam else _iam_patterns(documents, lambda r: allowed(ANY_IAM_ACTION, r))
    found += [f"every IAM action on {', '.join(scoped)}"] if scoped else []
    if every:  # a NotAction grant that leaves out IAM (PowerUserAccess) or S3 (trial 22j item 9)
        found.append(ALL_BUT_S3 if iam else ALL_BUT_IAM)
    decided: dict[str, bool] = {}
    for name, actions in escalation_methods().items():
        if all(decided.setdefault(a, any_resource(a)) for a in actions):
            found.append(f"privilege escalation {name} ({', '.join(actions)})")
    return tuple(found)


def _iam_patterns(documents: list[Policy], allowed: Callable[[str], bool]) -> list[str]:
    """The IAM resource patterns the Allow statements name on which every IAM action is allowed."""
    found: dict[str, None] = {}
    for policy in documents:
        for statement in statements(policy.document):
            for resource in strings(statement.body.get("Resource")) if statement.is_allow else []:
                if ":iam::" in resource and allowed(resource.replace("*", "x").replace("?", "x")):
                    found[resource] = None
    return list(found)


def _may_name_other_services(documents: list[Policy]) -> bool:
    """Some Allow statement has NotAction, or an action outside S3 and KMS."""
    for policy in documents:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            if "NotAction" in statement.body:
                return True
            for action in strings(statement.body.get("Action")):
                service, _ = split_action(action)
                if service not in ("s3", "kms"):
                    return True
    return False
