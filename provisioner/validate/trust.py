"""The checks of who may assume the role: the vendor with the issued external ID (AWSAssumeRole),
and nobody else, nor the vendor with another ID (AWSExternalID). Pure, from the trust policy and
the RCPs, read from the exact analysis that lint and audit read (analysis/verdict.py): the
vendor is any principal of the vendor's account, the issued IDs are --external-id and those the
trust names literally, and the keys a caller chooses for itself are existential (issue 19).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from provisioner.evaluation import Decision, Policy, Request, evaluate, principal_matches
from provisioner.evaluation.chain import organization_decision
from provisioner.federation import NOT_DECIDED as FEDERATION_NOT_DECIDED
from provisioner.iam import aws_principals, condition_entries, external_id_values
from provisioner.model import account_of
from provisioner.validate.chained import chained_doors
from provisioner.validate.model import Check, Snapshot, ValidateSpec, org_unseen, verdict
from provisioner.validate.rules import (
    CHECKS,
    DENIED_BY_ORGANIZATION,
    DEPENDS_ON_TIME,
    DEPENDS_ON_VENDOR,
    FAIL,
    NOT_DECIDED,
    OTHER_ID,
    PASS,
    SKIP,
    WARN,
    assume_request,
    org_note,
    role_unread,
    trust_policies,
    vendor_caller,
)

if TYPE_CHECKING:
    from provisioner.analysis.answer import ClassAnswer, Door, TrustAnswer
    from provisioner.analysis.verdict import Opening


def role_keys(state: Snapshot, spec: ValidateSpec) -> tuple[tuple[str, str], ...]:
    """The role's own keys in every AssumeRole of it (IAM User Guide, "AWS global condition
    context keys": aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceTag/<key> are the
    resource's, and the resource of sts:AssumeRole is the role): its account, its organization
    when read, and its tags (GetRole's Tags: all of them, so another tag key is absent). An RCP
    that spares roles tagged dp:exclude:identity, say, is decided, not "not modelled"."""
    keys = [("aws:resourceaccount", spec.account)]
    if state.org.org_id:
        keys.append(("aws:resourceorgid", state.org.org_id))
    keys += [(f"aws:resourcetag/{key.lower()}", value) for key, value in state.role_tags.items()]
    return tuple(keys)


def trust_answer(state: Snapshot, spec: ValidateSpec) -> TrustAnswer:
    """Who gets in, exactly (analysis/verdict.py, remembered per distinct question)."""
    from provisioner.analysis.verdict import analyze

    vendor = account_of(spec.vendor.principal)
    return analyze(
        trust_policies(state)[0].document,
        role_arn=spec.role_arn,
        parties=[vendor] if vendor else [],
        issued=[spec.external_id],
        own_account=spec.account,
        own_orgs=[state.org.org_id] if state.org.org_id else [],
        rcps=state.org.rcps,
        resource_keys=role_keys(state, spec),
        resource_tags=state.role is not None,
    )


def _vendor(answer: TrustAnswer) -> ClassAnswer | None:
    return answer.parties[0] if answer.parties else None


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
    request = replace(request, context={**request.context, **dict(role_keys(state, spec))})
    trust = trust_policies(state)
    decision = evaluate(trust, request)
    # RCPs of the role's account apply to the vendor's AssumeRole; the vendor's SCPs are its own.
    refused = organization_decision((), state.org.rcps, request) if decision.allowed else None
    inside, outside = _vendor_doors(state, spec)
    # FAIL when no request of the vendor gets in; the one request simulated lacks keys every real
    # request carries (aws:SourceIp), so where the analysis finds every request let in, it decides
    if inside is None or (outside is None and refused is not None):
        if refused is not None:
            why = f"{spec.vendor.principal}: {refused.reason()}"
            failed = verdict(name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", why)
            return replace(failed, remedy=DENIED_BY_ORGANIZATION)
        if not decision.allowed:
            why = _why_not_assumable(trust[0], spec, decision)
            if " expects " in why:  # another ID pinned (a rotation done): never a command undoing it
                return replace(verdict(name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", why), remedy=OTHER_ID)
        else:  # the simulated request gets in, yet the analysis finds none: a defect, never a PASS
            why = f"no request of {spec.vendor.principal} gets in with {spec.external_id}"
        return verdict(name, FAIL, spec, "ROLE_CANNOT_BE_ASSUMED", why)
    if not inside.decided:  # never a remedy that replaces the trust: it drops the condition
        simulated = "gets in" if decision.allowed and refused is None else "is refused"
        detail = f"not decided: {inside.why} (one request simulated with your external ID {simulated})"
        return replace(verdict(name, WARN, spec, None, detail), remedy=NOT_DECIDED)
    if outside is not None:
        if not outside.decided:
            return replace(verdict(name, WARN, spec, None, f"not decided: {outside.why}"), remedy=NOT_DECIDED)
        return replace(
            verdict(name, WARN, spec, None, _depends(spec, inside, outside)), remedy=DEPENDS_ON_VENDOR
        )
    vendor = _vendor(trust_answer(state, spec))
    words = f"; {vendor.name} gets in with {vendor.ids}" if vendor is not None else ""
    reason = (
        decision.reason()
        if decision.allowed
        else "allowed for every request it may send"
        + (f" (e.g. with {', '.join(f'{k}={v!r}' for k, v in inside.keys)})" if inside.keys else "")
    )
    detail = f"{spec.vendor.principal} with the external ID: {reason}{words}{org_note(state)}"
    later = _refused_later(trust, state, request)
    if later:  # the vendor takes a new session each hour or so: a trust that ends locks it out
        return replace(verdict(name, WARN, spec, None, f"{later}; now: {detail}"), remedy=DEPENDS_ON_TIME)
    return org_unseen(name, spec, state, detail, bucket=False) or verdict(name, PASS, spec, detail=detail)


def _refused_later(trust: list[Policy], state: Snapshot, request: Request) -> str:
    """The vendor's AssumeRole at each later date the trust or an RCP compares the time with
    (validate/later.py): where it is refused then, both sides in words (trial 20r item 3)."""
    from provisioner.evaluation.chain import Chain
    from provisioner.validate.later import at_time, issued_of, later_dates, now_of, turn_words

    now, issued, rcps = now_of(request), issued_of(request), state.org.rcps
    for when, key in later_dates(Chain(identity=trust, rcps=rcps), now, issued):
        then = at_time(request, when)
        if evaluate(trust, then).allowed and organization_decision((), rcps, then) is None:
            continue
        whose, shown = turn_words(when, key, now, issued)
        return f"depends on the time ({key}): the vendor gets in now, and is refused{whose} from {shown}"
    return ""


def _vendor_doors(state: Snapshot, spec: ValidateSpec) -> tuple[Door | None, Door | None]:
    """The vendor's own principal with the issued ID: a request that gets in and one that does
    not, over every value of what the vendor's request carries (its session name, tags,
    organization, ...: issue 20, the vendor's AssumeRole)."""
    from provisioner.analysis.answer import TrustQuestion
    from provisioner.analysis.trust import principal_doors

    question = TrustQuestion(
        trust_policies(state)[0].document,
        spec.role_arn,
        (account_of(spec.vendor.principal) or "",),
        (spec.external_id,),
        spec.account,
        own_orgs=(state.org.org_id,) if state.org.org_id else (),
        rcps=tuple(tuple(level) for level in state.org.rcps),
        resource_keys=role_keys(state, spec),
        resource_tags=state.role is not None,
    )
    return principal_doors(question, spec.vendor.principal, spec.external_id)


def _depends(spec: ValidateSpec, inside: Door, outside: Door) -> str:
    """Both sides of what the vendor's AssumeRole turns on: the keys its request carries."""
    with_in, with_out = dict(inside.keys), dict(outside.keys)

    def shown(keys: dict[str, str], name: str) -> str:
        if name in keys:
            return f"{name}={keys[name]!r}"
        return f"no {name}" + (" (through a VPC endpoint)" if name.lower() == "aws:sourceip" else "")

    names = [n for n in dict.fromkeys([*with_in, *with_out]) if with_in.get(n) != with_out.get(n)]
    gets_in = ", ".join(shown(with_in, n) for n in names) or inside.describe()
    kept_out = ", ".join(shown(with_out, n) for n in names) or outside.describe()
    return (
        f"depends on what the vendor's request carries ({', '.join(names) or 'its principal'}): "
        f"{spec.vendor.principal} with the external ID gets in with {gets_in}, and is refused with "
        f"{kept_out}"
    )


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
    others = _other_conditions(named)
    return f"the conditions of {paths} refuse the vendor's request ({decision.reason()}){others}"


def _other_conditions(named: list[Any]) -> str:
    """The conditions beside the external ID in the statements naming the vendor: what refuses
    it, and what a trust replacement would drop."""
    found = [
        f"{operator} {key}"
        for s in named
        for operator, key, _ in condition_entries(s.body.get("Condition")) or []
        if key.lower() != "sts:externalid"
    ]
    return f": {', '.join(dict.fromkeys(found))}" if found else ""


@CHECKS.register("AWSExternalID")
def check_external_id(state: Snapshot, spec: ValidateSpec) -> Check:
    """Nobody but the vendor, and the vendor only with an issued ID, decided for every request
    (analysis/verdict.py): each open door is named with a request that gets in. A door that
    exists only through what the analysis does not model is a FAIL when it lets someone else in
    and a WARN ("not decided") when it is the vendor's."""
    from provisioner.analysis.verdict import openings

    name = "AWSExternalID"
    if state.role is None:
        return verdict(name, SKIP, spec, detail=role_unread(state) or "the role does not exist")
    answer = trust_answer(state, spec)
    found = openings(answer, trust_policies(state)[0].document, spec.role_arn, role_keys(state, spec))
    # one door a caller class and kind (with no ID, and with another, the words are the same)
    firsts: dict[tuple[str, str, bool], Opening] = {}
    for opening in found:
        firsts.setdefault((opening.kind, opening.who.name, opening.door.decided), opening)
    found = list(firsts.values())
    failing = [o.message for o in found if o.door.decided or o.kind == "someone-else"]
    undecided = [o.message for o in found if not (o.door.decided or o.kind == "someone-else")]
    federated = _federated_doors(state)  # AssumeRoleWithWebIdentity: trial 20y item 4
    failing += [message for rule, message in federated if rule not in (FEDERATION_NOT_DECIDED, "other")]
    undecided += [message for rule, message in federated if rule in (FEDERATION_NOT_DECIDED, "other")]
    if answer.own is not None and answer.own.admitted is not None:  # chained through your roles
        chained = chained_doors(state, spec, trust_policies(state))
        failing, undecided = failing + chained[0], undecided + chained[1]
    if failing:
        shown = "; ".join(failing[:3]) + (f"; and {len(failing) - 3} more" if len(failing) > 3 else "")
        return verdict(name, FAIL, spec, "EXTERNAL_ID_CONFIGURED_INSECURELY", shown + org_note(state))
    if undecided:
        return verdict(name, WARN, spec, None, "; ".join(undecided) + org_note(state))
    vendor = _vendor(answer)
    if vendor is None or vendor.admitted is None:
        detail = "nobody gets in (AWSAssumeRole says why the vendor does not)"
    elif not vendor.admitted.decided:  # nobody else gets in; whether the vendor does is not decided
        detail = (
            f"nobody but {vendor.name} gets in; it may with {vendor.ids.split(', not decided')[0]} "
            f"(not decided: {vendor.admitted.why}; AWSAssumeRole says more)"
        )
    else:
        detail = f"only {vendor.name} gets in, with {vendor.ids}"
        if answer.own is not None and answer.own.admitted is not None:
            detail += f" (and principals of {answer.own.name}, yours)"
    return verdict(name, PASS, spec, detail=detail + org_note(state))


def _federated_doors(state: Snapshot) -> list[tuple[str, str]]:
    """The federated doors of the trust that let in whoever holds a token, or that are not
    decided (provisioner/federation.py, as lint and audit read them): (rule, words)."""
    from provisioner.federation import SAML, WEB, federated_access
    from provisioner.iam import statements

    found: list[tuple[str, str]] = []
    for policy in trust_policies(state):
        for access in federated_access(statements(policy.document)):
            if access.rule:
                found.append((access.rule, access.message))
            else:  # pinned: still a door that is not the vendor's (trial 20ab item 2)
                action = SAML if access.provider.saml else WEB
                found.append(
                    ("other", f"the trust also lets in {access.party} through {action}, not the vendor")
                )
    return found + _service_doors(state)


def _service_doors(state: Snapshot) -> list[tuple[str, str]]:
    """Service principals the trust lets in while acting for another account (no aws:SourceAccount
    or aws:SourceArn of yours): IAM User Guide, "The confused deputy problem" (trial 20ab item 3).
    Asked of each service an Allow names, and of one for a Principal "*"."""
    from provisioner.evaluation import OUTSIDER_ACCOUNT, caller_request
    from provisioner.iam import statements, strings

    trust = trust_policies(state)
    role = str((state.role or {}).get("Arn") or "")
    services: dict[str, None] = {}
    for policy in trust:
        for statement in statements(policy.document):
            principal = statement.body.get("Principal")
            if not statement.is_allow:
                continue
            if isinstance(principal, dict):
                services.update(dict.fromkeys(strings(principal.get("Service"))))
            if principal == "*" or (isinstance(principal, dict) and "*" in strings(principal.get("AWS"))):
                services["s3.amazonaws.com"] = None  # any service: one asked for all
    found: list[tuple[str, str]] = []
    for service in services:
        source = f"arn:aws:s3:::bucket-of-{OUTSIDER_ACCOUNT}"
        context: dict[str, Any] = {"aws:SourceAccount": OUTSIDER_ACCOUNT, "aws:SourceArn": source}
        request = caller_request(service, "sts:AssumeRole", role, **context)
        if evaluate(trust, request).allowed:
            found.append(("other", (
                f"the service {service} may assume the role while acting for another account (a "
                f"request with aws:SourceAccount {OUTSIDER_ACCOUNT} gets in): pin aws:SourceAccount or "
                "aws:SourceArn to yours (the confused deputy problem)"
            )))  # fmt: skip
    return found
