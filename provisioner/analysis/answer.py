"""What the trust analysis answers (pure data, no solver): the doors (concrete requests that get
in), each caller class's answer, the trust's verdict, and the issued IDs. analysis/trust.py
computes them with z3; analysis/simple.py for the plainest trusts without it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from provisioner.evaluation import Policy, Request, assume_role_request
from provisioner.iam import has_wildcard, statements, strings
from provisioner.model.arn import account_of

ACTION = "sts:AssumeRole"
STRANGER = "111122223333"  # the account a counterexample shows for "any other account", where it can
TIMEOUT_MS = 5000  # per question; beyond it the door is "not decided"
BUDGET_S = 30  # per trust: every question after it is "not decided" (a WARN or a FAIL, never a PASS)
ID_KEY = "sts:externalid"
_ISSUING = {
    ("Allow", ""): {"stringequals", "stringequalsignorecase", "stringlike"},
    ("Allow", "foranyvalue"): {"stringequals", "stringequalsignorecase", "stringlike"},
    ("Deny", ""): {"stringnotequals", "stringnotequalsignorecase", "stringnotlike"},
    ("Deny", "forallvalues"): {"stringnotequals", "stringnotequalsignorecase", "stringnotlike"},
}


@dataclass(frozen=True)
class TrustQuestion:
    """What a trust is asked about, for the solver (analysis/trust.py) and without it
    (analysis/simple.py) alike: the trust, the role it guards, the parties (the vendor's
    accounts), the IDs given as issued, the role's own account and organization, the accounts of
    that organization, and the RCPs of the role's account (levels, from the root down)."""

    trust: Any
    role_arn: str
    parties: tuple[str, ...]
    issued: tuple[str, ...] = ()
    own_account: str | None = None
    org_accounts: tuple[str, ...] = ()
    own_orgs: tuple[str, ...] = ()
    rcps: tuple[tuple[Policy, ...], ...] = ()
    # the role's own keys in every AssumeRole of it (lower-case names): aws:ResourceAccount,
    # aws:ResourceOrgID, aws:ResourceTag/<key> (its tags); `resource_tags`: those are all its tags
    # (a tag key not among them is absent, not unknown)
    resource_keys: tuple[tuple[str, str], ...] = ()
    resource_tags: bool = False

    @property
    def excluded(self) -> tuple[str, ...]:
        """The accounts that are not "any other account": the parties, ours, our organization's."""
        own = (self.own_account,) if self.own_account else ()
        return tuple(dict.fromkeys((*self.parties, *own, *self.org_accounts)))


@dataclass(frozen=True)
class Door:
    """A concrete request that gets in: the caller, the ID it presents, the keys it chooses.
    `decided` is False when it gets in only through what is not modelled (`why`)."""

    caller: str
    external_id: str | None
    keys: tuple[tuple[str, str], ...] = ()
    decided: bool = True
    why: str = ""
    checked: bool = True  # the concrete evaluator allows it too (False is a defect)
    concrete: bool = True  # False: the solver gave up, there is no request to show
    # through a VPC endpoint: no aws:SourceIp, where a policy reads it (IAM User Guide, "AWS
    # global condition context keys", aws:SourceIp)
    endpoint: bool = False

    def request(self, role_arn: str, resource: tuple[tuple[str, str], ...] = ()) -> Request:
        """The AssumeRole request, with the role's own keys (`resource`) when they are known."""
        chosen = dict(self.keys)
        session = next(
            (v for k, v in chosen.items() if k.lower() == "sts:rolesessionname"), "provisioner-probe"
        )
        region = next((v for k, v in chosen.items() if k.lower() == "aws:requestedregion"), "us-east-1")
        request = assume_role_request(
            self.caller, role_arn, self.external_id, session_name=session, region=region
        )
        skip = ("sts:rolesessionname", "aws:requestedregion")
        extra = {k: v for k, v in chosen.items() if k.lower() not in skip}
        chosen_names = {k.lower() for k in extra}  # the caller's value, however the policy spells it
        context = {k: v for k, v in request.context.items() if k.lower() not in chosen_names}
        context = {**context, **dict(resource), **extra}
        return Request(request.principal, request.action, request.resource, context)

    def describe(self) -> str:
        if not self.concrete:
            return f"{self.caller} (not decided: {self.why})"
        how = "with no external ID" if self.external_id is None else f"with external ID {self.external_id!r}"
        # every key the policies name and the caller chose, the name of the session it asks for
        # (sts:RoleSessionName, not its own session's) included: the door is that value
        keys = ", ".join(f"{k}={v!r}" for k, v in self.keys)
        shown = f"{self.caller} {how}" + (f" and {keys}" if keys else "")
        shown += " through a VPC endpoint (no aws:SourceIp)" if self.endpoint else ""
        if not self.decided:
            shown += f" (not decided: {self.why})"
        return shown


@dataclass(frozen=True)
class ClassAnswer:
    """What one caller class can do. `name` in an admin's words."""

    kind: str  # party | other | own | service
    name: str
    account: str | None
    admitted: Door | None  # some request of the class that gets in
    without_id: Door | None = None
    other_id: Door | None = None  # an ID that is not issued, not even up to letter case
    issued_in: tuple[str, ...] = ()  # the issued IDs that get it in (proved)
    ids: str = "nobody"  # which IDs, in words
    # the issued IDs whose question was not decided (the solver's time ran out): neither in nor out
    issued_undecided: tuple[str, ...] = ()

    @property
    def doors(self) -> list[Door]:
        """For a party: its ways in other than an issued ID; for anyone else: any way in."""
        if self.kind == "party":
            return [d for d in (self.without_id, self.other_id) if d is not None]
        return [self.admitted] if self.admitted is not None else []


@dataclass(frozen=True)
class TrustAnswer:
    issued: tuple[str, ...]
    parties: tuple[ClassAnswer, ...]
    other: ClassAnswer
    own: ClassAnswer | None = None
    service: ClassAnswer | None = None
    undecided: tuple[str, ...] = field(default=())

    def doors(self) -> list[tuple[ClassAnswer, Door]]:
        """Every open door: someone else first, then a party with an ID that is not issued."""
        found = [(self.other, d) for d in self.other.doors]
        found += [(p, d) for p in self.parties for d in p.doors]
        return found

    @property
    def verdict(self) -> str:
        """secure (only the parties, with issued IDs), open (someone else, or a party with
        another ID or none), shut (no party gets in with an issued ID), or undecided (a party's
        other way in rests on what is not modelled: a WARN, never a PASS)."""
        doors = self.doors()
        if any(d.decided or cls.kind != "party" for cls, d in doors):
            return "open"
        if doors:
            return "undecided"
        return "secure" if any(p.issued_in for p in self.parties) else "shut"


def issued_ids(trust_doc: Any, given: Iterable[str] = ()) -> tuple[str, ...]:
    """The given IDs and every ID the trust names literally where it issues one."""
    found = [g for g in given if g]
    for statement in statements(trust_doc):
        for operator, key, values in statement.conditions():
            qualifier, _, name = operator.lower().rpartition(":")
            base = name.removesuffix("ifexists")
            if key.lower() != ID_KEY or base not in _ISSUING.get((statement.effect or "", qualifier), set()):
                continue
            if statement.is_allow and name.endswith("ifexists"):
                continue
            found += [v for v in values if isinstance(v, str) and v and not has_wildcard(v) and "${" not in v]
    return tuple(dict.fromkeys(found))


def may_name(trust_doc: Any, kind: str, account: str | None, excluded: tuple[str, ...]) -> bool:
    """Could an Allow statement's principal name a caller of this class? Only an Allow lets a
    request in, and only through its Principal (or NotPrincipal), so a class no Allow can name
    gets in nowhere: the solver need not be asked (evaluation's principal_matches: "*", an AWS
    "*", an account or a principal of that account; a service by a non-AWS entry)."""
    for statement in statements(trust_doc):
        body = statement.body
        if not statement.is_allow:
            continue
        principal = body.get("Principal")
        if "NotPrincipal" in body or "Principal" not in body or principal == "*":
            return True
        if not isinstance(principal, dict):
            continue
        aws = strings(principal.get("AWS"))
        if "*" in aws or (kind == "service" and set(principal) - {"AWS"}):
            return True
        if kind == "service":
            continue
        accounts = {account_of(value) for value in aws}
        if kind == "other" and any(a is not None and a not in excluded for a in accounts):
            return True
        if kind != "other" and account in accounts:
            return True
    return False
