"""The checks of who may assume the role: the vendor with the issued external ID (AWSAssumeRole),
and nobody else, nor the vendor with another ID (AWSExternalID). Pure, from the trust policy.
"""

from __future__ import annotations

from provisioner.evaluation import Decision, Policy, Request, evaluate, principal_matches
from provisioner.evaluation.chain import organization_decision
from provisioner.evaluation.witness import caller_witnesses, external_id_witnesses
from provisioner.iam import aws_principals, external_id_values
from provisioner.model import account_of
from provisioner.validate.model import Check, Snapshot, ValidateSpec, verdict
from provisioner.validate.rules import (
    CHECKS,
    FAIL,
    PASS,
    SKIP,
    WARN,
    assume_request,
    org_note,
    role_unread,
    trust_policies,
    vendor_caller,
)


@CHECKS.register("AWSAssumeRole")
def check_assume_role(state: Snapshot, spec: ValidateSpec) -> Check:
    name = "AWSAssumeRole"
    if (unread := role_unread(state)) is not None:
        return verdict(name, WARN, spec, None, unread)
    if state.role is None:
        return verdict(
            name,
            FAIL,
            spec,
            "ROLE_CANNOT_BE_ASSUMED",
            f"role {spec.role_arn} does not exist in account {spec.account}",
        )
    request = assume_request(spec, vendor_caller(spec), spec.external_id)
    trust = trust_policies(state)
    decision = evaluate(trust, request)
    if decision.allowed:
        # RCPs of the role's account apply to the vendor's AssumeRole; the vendor's SCPs are its own.
        refused = organization_decision((), state.org.rcps, request)
        if refused is not None:
            return verdict(
                name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", f"{spec.vendor.principal}: {refused.reason()}"
            )
        detail = f"{spec.vendor.principal} with the external ID: {decision.reason()}{org_note(state)}"
        return verdict(name, PASS, spec, detail=detail)
    return verdict(name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", _why_not_assumable(trust[0], spec, decision))


def _why_not_assumable(trust: Policy, spec: ValidateSpec, decision: Decision) -> str:
    if decision.denies:
        return f"{spec.vendor.principal}: {decision.reason()}"
    caller = vendor_caller(spec)
    allows = [s for s in trust.statements if s.is_allow]
    named = [s for s in allows if principal_matches(s.body.get("Principal"), caller)]
    if not named:
        trusted = sorted({p for s in allows for p in aws_principals(s)})
        return (
            f"the trust policy does not name {spec.vendor.principal} "
            f"(it trusts {', '.join(trusted) or 'no AWS principal'})"
        )
    expected = sorted({i for s in named for i in external_id_values(s)})
    if expected and spec.external_id not in expected:
        return (
            f"the trust's sts:ExternalId condition ({named[0].path}) expects "
            f"{', '.join(expected)}, not {spec.external_id}"
        )
    paths = ", ".join(s.path for s in named)
    return f"the conditions of {paths} refuse the vendor's request ({decision.reason()})"


@CHECKS.register("AWSExternalID")
def check_external_id(state: Snapshot, spec: ValidateSpec) -> Check:
    """Nobody but the vendor, and the vendor only with the issued ID. Decided from the trust's
    own patterns (evaluation/witness.py): any other ID, or any caller of another account, that
    the trust lets in is named in the detail."""
    name = "AWSExternalID"
    if state.role is None:
        return verdict(name, SKIP, spec, detail=role_unread(state) or "the role does not exist")
    trust = trust_policies(state)
    vendor = vendor_caller(spec)
    open_to = []
    for w in external_id_witnesses(trust, lambda i: assume_request(spec, vendor, i), [spec.external_id]):
        how = (
            "without an external ID"
            if w.external_id is None
            else f"with another external ID ({w.external_id})"
        )
        open_to.append(f"the vendor {how}: {w.decision.reason()}")
    ours = {a for a in (account_of(spec.vendor.principal), spec.account) if a}
    for external_id, how in (
        (spec.external_id, "with the right external ID"),
        (None, "without an external ID"),
    ):

        def request(caller: str, presented: str | None = external_id) -> Request:
            return assume_request(spec, caller, presented)

        for w in caller_witnesses(trust, request, ours):
            open_to.append(f"{w.caller}, a principal of another AWS account, {how}: {w.decision.reason()}")
    if open_to:
        shown = "; ".join(open_to[:3]) + (f"; and {len(open_to) - 3} more" if len(open_to) > 3 else "")
        return verdict(
            name, FAIL, spec, "EXTERNAL_ID_CONFIGURED_INSECURELY", f"the role can be assumed by {shown}"
        )
    return verdict(
        name,
        PASS,
        spec,
        detail="no other external ID and no caller of another account is let in (witnesses built "
        "from every value the trust's conditions name)",
    )
