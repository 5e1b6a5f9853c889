"""The layers AWS applies to one request, beyond the policies of the principal and the resource.

IAM User Guide, "Policy evaluation logic" ("Determining whether a request is allowed or denied
within an account", "Cross-account policy evaluation logic") and "Permissions boundaries for IAM
entities" ("Evaluating effective permissions with boundaries"):

- an explicit Deny in any layer (SCP, RCP, resource, identity, boundary) denies;
- every SCP level of the caller's account and every RCP level of the resource's account must
  allow (an organization without them has the default FullAWSAccess);
- a same-account resource policy that names the *session* (or the user) grants on its own,
  whatever the identity policies and the boundary say; one that names the *role ARN* is limited
  by the boundary; one that names the *account* delegates to the identity policies;
- otherwise the identity policies must allow, and so must the boundary when there is one;
- across accounts, the resource policy and the caller's side must both allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provisioner.evaluation import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    Policy,
    Request,
    evaluate,
)
from provisioner.iam import strings


@dataclass(frozen=True)
class Chain:
    """The policies that decide a request. `scps` and `rcps` are levels (root, OU…, account),
    each a list of the policies attached there; an empty tuple means none apply."""

    identity: Sequence[Policy] = ()
    resource: Sequence[Policy] = ()
    boundary: Policy | None = None
    scps: Sequence[Sequence[Policy]] = ()
    rcps: Sequence[Sequence[Policy]] = ()
    cross_account: bool = False
    # Role trust policies and KMS key policies "must explicitly allow access for principals",
    # even in the same account ("Policy evaluation logic": identity-based policies with
    # resource-based policies); an identity policy alone cannot grant sts:AssumeRole.
    resource_required: bool = False


def authorize(chain: Chain, request: Request) -> Decision:
    """The decision of the whole chain; its reason names the layer that decided. Each layer is
    evaluated once (audit asks this for every write action of every distinct policy set)."""
    organization = _levels(chain.scps, chain.rcps, request)
    identity = evaluate(chain.identity, request) if chain.identity else Decision(IMPLICIT_DENY)
    boundary = evaluate([chain.boundary], request) if chain.boundary else None
    # Same account, a resource policy naming the account delegates to the identity policies
    # ("IAM JSON policy elements: Principal"); across accounts it grants to that account, whose
    # identity policies then decide ("Cross-account policy evaluation logic"). Denies count either way.
    resource = (
        evaluate(
            chain.resource,
            request,
            account_delegates=not chain.cross_account,
            bounded=chain.boundary is not None,
        )
        if chain.resource
        else None
    )
    denies = [hit for _, _, decision in organization for hit in decision.denies]
    for decision in (identity, boundary, resource):
        if decision is not None:
            denies.extend(decision.denies)
    if denies:
        return Decision(EXPLICIT_DENY, (), tuple(denies))
    refused = _refusal(organization)
    if refused is not None:
        return refused
    bounded = boundary is None or boundary.allowed
    if chain.cross_account:
        if resource is not None and resource.allowed and identity.allowed and bounded:
            return Decision(ALLOW, resource.allows + identity.allows)
        return Decision(IMPLICIT_DENY, why=_missing(resource, identity, boundary, cross=True))
    if resource is not None and resource.allowed:
        names_session = any(_names_exactly(chain.resource, hit.path, request) for hit in resource.allows)
        if names_session or bounded:
            return Decision(ALLOW, resource.allows)
    if chain.resource_required:
        delegated = evaluate(chain.resource, request)  # the grants to the caller's account
        if delegated.allowed and identity.allowed and bounded:
            return Decision(ALLOW, delegated.allows + identity.allows)
        named = f"the {chain.resource[0].name}" if len(chain.resource) == 1 else "the trust (or key) policy"
        if (delegated.allowed or (resource is not None and resource.allowed)) and not bounded:
            why = f"{named} allows it, but the permissions boundary does not"
        elif delegated.allowed:
            why = f"{named} grants it to the account; no identity policy of the caller does"
        else:
            why = f"{named} does not allow the caller"
        return Decision(IMPLICIT_DENY, why=why)
    if identity.allowed and bounded:
        return Decision(ALLOW, identity.allows + (boundary.allows if boundary else ()))
    return Decision(IMPLICIT_DENY, why=_missing(resource, identity, boundary, cross=False))


def organization_decision(
    scps: Sequence[Sequence[Policy]], rcps: Sequence[Sequence[Policy]], request: Request
) -> Decision | None:
    """The refusal of the organization's layers, or None when they let the request through:
    a Deny in any SCP or RCP, or a level (root, OU, account) where no policy allows it."""
    organization = _levels(scps, rcps, request)
    denies = tuple(hit for _, _, decision in organization for hit in decision.denies)
    return Decision(EXPLICIT_DENY, (), denies) if denies else _refusal(organization)


def _levels(
    scps: Sequence[Sequence[Policy]], rcps: Sequence[Sequence[Policy]], request: Request
) -> list[tuple[Sequence[Policy], str, Decision]]:
    """Each SCP and RCP level's own decision, with a name for the detail."""
    return [
        (
            level,
            f"none of the {name} at one level ({', '.join(p.name for p in level)}) allows it",
            evaluate(level, request),
        )
        for name, levels in (("service control policies", scps), ("resource control policies", rcps))
        for level in levels
    ]


def _refusal(organization: list[tuple[Sequence[Policy], str, Decision]]) -> Decision | None:
    """Every level must allow: the first that does not refuses, with its reason and its policies."""
    for level, why, decision in organization:
        if not decision.allowed:
            return Decision(IMPLICIT_DENY, why=why, by=tuple(p.name for p in level))
    return None


def _names_exactly(policies: Sequence[Policy], path: str, request: Request) -> bool:
    """Does the resource statement at `path` grant to the caller itself (its session ARN, or
    every principal with "*"), rather than through its role's ARN or its account? ("Permissions
    boundaries for IAM entities", resource-based policies: within an account a boundary does not
    reduce what a resource policy grants, except a grant to the role ARN.)"""
    for policy in policies:
        for statement in policy.statements:
            if statement.path != path:
                continue
            element = statement.body.get("Principal")
            if element == "*":
                return True
            if isinstance(element, dict):
                named = strings(element.get("AWS"))
                return request.principal in named or "*" in named
    return False


def _missing(resource: Decision | None, identity: Decision, boundary: Decision | None, *, cross: bool) -> str:
    if boundary is not None and not boundary.allowed and identity.allowed:
        return "the identity policies allow it but the permissions boundary does not"
    if cross and resource is not None and resource.allowed:
        return "the resource policy allows it, but no identity policy of the caller does"
    return "no statement allows it"
