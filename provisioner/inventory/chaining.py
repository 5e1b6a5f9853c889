"""Pure: the roles an outside party reaches through a role it can assume (role chaining, IAM
User Guide, "Methods to assume a role": a role session may call sts:AssumeRole to assume another
role). A session of role E reaches role R of the same account where E's side (its identity
policies, boundary, the account's SCPs) allows sts:AssumeRole on R and R's trust lets E's session
in: it names E's role or a session of it (then E's policy need not allow it: a resource-based
policy naming the principal in its own account grants alone, STS API Reference, AssumeRole), or
the account (which then delegates to E's identity policies), decided by the evaluator ("Policy
evaluation logic": a trust policy must allow, even in the same account).

The vendor makes the call, so it chooses the external ID it passes: a trust that pins one lets it
in where it knows that ID, which is not known here (the route is not decided, a WARN)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from provisioner.audit.grants import first_values, may_tag_session
from provisioner.audit.model import AccountData, RoleDetail
from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import action_matches, external_id_values, statements, strings
from provisioner.inventory.model import RoleAccess
from provisioner.inventory.parts import session_name
from provisioner.model import session_arn

ASSUME = "sts:AssumeRole"
SESSION = "vendor-session"  # the session name asked as where the trust names none
DEPTH = 3  # roles beyond the first: AWS limits a chained session to an hour, not the length


@dataclass(frozen=True)
class Chained:
    """A role reached through others: the path of role ARNs from the first (assumed directly)."""

    role: RoleDetail
    path: tuple[str, ...]  # the ARNs of the roles before it, the first one assumed by the party
    ids: tuple[str, ...]  # external IDs its trust pins (the vendor must know one): not decided
    named: bool = False  # its trust names the role before it (or its session): no policy needed
    # the trust of the hop where the vendor tags its session, where its own trust lets it not:
    # "Chaining roles with session tags": transitive tags "persist to the later sessions"
    tags_from: Any = None
    undecided: str = ""  # a condition of its trust on a key the vendor chooses decides

    @property
    def session_role(self) -> RoleDetail:
        """The role as its session's tags are decided: the vendor's transitive tags (limited by the
        trust it passed them through) where the chain carries them (trial 22s, left)."""
        if self.tags_from is None:
            return self.role
        return replace(self.role, trust=self.tags_from)

    @property
    def words(self) -> str:
        through = " -> ".join(self.path)
        if self.named:  # a trust naming the principal in its own account grants alone (trial 22r)
            how = "its trust names that role, which then needs no policy of its own to assume it"
        else:
            how = "that session may sts:AssumeRole on it, and its trust lets it in"
        said = f"through {through} (role chaining: {how})"
        if self.ids:
            ids = " or ".join(repr(i) for i in self.ids)
            said += f"; only with the external ID {ids}: not decided whether the party knows it"
        if self.undecided:
            said += f"; not decided: its trust's condition on a key the vendor chooses ({self.undecided})"
        return said


def chained(
    first: RoleDetail,
    account: AccountData,
    chain_of: Callable[[RoleDetail], Chain],
    context_of: Callable[[RoleDetail, str], dict[str, Any]],
) -> list[Chained]:
    """The roles of the account a session of `first` reaches by sts:AssumeRole, directly or
    through others (breadth first, DEPTH roles deep), each once, with its path."""
    found: list[Chained] = []
    seen = {first.arn}
    # the vendor tags a session where the trust lets it (and marks the tags transitive: they stay
    # on every session it chains to): "Chaining roles with session tags"
    frontier: list[Hop] = [(first, (first.arn,), (), first.trust if may_tag_session(first.trust) else None)]
    for _ in range(DEPTH):
        following: list[Hop] = []
        for role, path, ids, tagged in frontier:
            side = chain_of(role)
            calls = _may_call(side)  # else only a trust naming the role (or its session) lets it in
            for target in account.roles:
                text = json.dumps(target.trust)
                named = role.arn in text or f":assumed-role/{role.name}/" in text
                if target.arn in seen or not (named or (calls and _names(text, account.account))):
                    continue
                # the session's name is the vendor's: the one the trust names, where it names one
                caller = session_arn(
                    account.account, role.name, session_name(role.name, [target.trust], SESSION)
                )
                pinned = _pinned_ids(target.trust)
                asked = context_of(role, caller)
                if tagged is not None:  # its session's tags are the vendor's: the values the trust asks for
                    asked |= first_values(list(statements(target.trust)), _principal_tag)
                # the session name it asks for, the vendor's to choose (trial 22w item 1)
                asked |= first_values(list(statements(target.trust)), lambda k: k == "sts:rolesessionname")
                # with no external ID first: another statement may let it in without one (trial
                # 22x item 2: "only with the external ID" where it needs none)
                bare = Request(caller, ASSUME, target.arn, asked)
                gets_in, undecided = _assumes(side, target, bare, loose=not pinned)
                if gets_in:
                    pinned = []
                elif pinned:
                    with_id = {**asked, "sts:ExternalId": pinned[0]}
                    gets_in, undecided = _assumes(side, target, Request(caller, ASSUME, target.arn, with_id))
                if gets_in:
                    seen.add(target.arn)
                    reached = (*ids, *pinned)
                    own = may_tag_session(target.trust)
                    inherited = tagged if not own else None
                    unique = tuple(dict.fromkeys(reached))
                    found.append(Chained(target, path, unique, named, inherited, undecided))
                    following.append((target, (*path, target.arn), reached, target.trust if own else tagged))
        frontier = following
    return found


def _assumes(side: Chain, target: RoleDetail, request: Request, loose: bool = True) -> tuple[bool, str]:
    """Does the hop's session get into `target` (its trust the resource policy), and, where only a
    condition of the trust on a key the vendor chooses (where it calls from, …) refuses it, what
    decides (not decided: never dropped; trial 22w item 1)?"""
    from provisioner.inventory.parts import loosened

    trust = Policy(f"trust policy of {target.name}", target.trust)
    chain = replace(side, resource=[trust], resource_required=True)
    if authorize(chain, request).allowed:
        return True, ""
    opened, guards = loosened(chain, False, True) if loose else (None, [])
    if opened is None or not authorize(opened, request).allowed:
        return False, ""
    return True, "; ".join(g.words for g in guards if g.policy == trust.name) or "its trust's condition"


# role, path, IDs, the trust the vendor tags its session through (None: its tags are not free)
Hop = tuple[RoleDetail, tuple[str, ...], tuple[str, ...], Any]


def _principal_tag(key: str) -> bool:
    return key.startswith("aws:principaltag/")


def _may_call(side: Chain) -> bool:
    """Does an Allow of the role's identity policies name sts:AssumeRole (by Action or NotAction)?"""
    for policy in side.identity:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            if "Action" in statement.body and any(
                action_matches(a, "sts:AssumeRole") for a in strings(statement.body["Action"])
            ):
                return True
            if "NotAction" in statement.body and not any(
                action_matches(a, "sts:AssumeRole") for a in strings(statement.body["NotAction"])
            ):
                return True
    return False


def _names(text: str, account: str) -> bool:
    """Can a trust's principals (its JSON text) include a session of the account's roles through
    the role's own policy: it names the account, or anyone (the evaluator decides the rest)?"""
    return f":{account}:root" in text or f'"{account}"' in text or '"*"' in text


def _pinned_ids(trust: Any) -> list[str]:
    """The external IDs a trust's Allow statements ask for (iam.external_id_values)."""
    exact = ("StringEquals", "StringEqualsIgnoreCase", "StringLike")
    return [v for s in statements(trust) if s.is_allow for v in external_id_values(s, exact)]


def entries_of(
    entry_roles: Sequence[RoleDetail],
    account: AccountData,
    chain_of: Callable[[RoleDetail], Chain],
    context_of: Callable[[RoleDetail, str], dict[str, Any]],
) -> dict[str, list[Chained]]:
    """For each role an outside party assumes directly (by ARN): the roles it chains to."""
    return {role.arn: chained(role, account, chain_of, context_of) for role in entry_roles}


def chained_accesses(
    first: RoleDetail,
    account: AccountData,
    chain_of: Callable[[RoleDetail], Chain],
    context_of: Callable[[RoleDetail, str], dict[str, Any]],
    access_of: Callable[[Chained], RoleAccess],
    complete: Callable[[RoleDetail, AccountData, RoleAccess], None],
) -> list[RoleAccess]:
    """Each role a session of `first` reaches by chaining, as an access of the parties that
    assume `first` (`access_of`, then `complete`: its scope, power, use and removal): its trust
    words say the way; an external ID its trust pins makes it not decided (a medium WARN at
    least)."""
    out: list[RoleAccess] = []
    for found in chained(first, account, chain_of, context_of):
        access = access_of(found)
        access.trust = found.words
        access.way_open = bool(found.ids or found.undecided)
        complete(found.session_role, account, access)
        out.append(access)
    return out
