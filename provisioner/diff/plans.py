"""What a trust rewrite of create-role or rotate-external-id changes, from the semantic diff: the
words the plan shows, and whether the rewrite needs the admin's yes (it is destructive).

Destructive, each said in one phrase:
- a principal the current trust admits with one of the IDs it issues is no longer admitted with
  that ID ("removes external ID X: AssumeRole by P with it fails from now on");
- a principal the current trust admits (with whatever ID, or none) is not admitted at all any
  more ("stops trusting P");
- the new trust admits anything but the vendor's account with the IDs asked for ("newly admits
  ..."). A first ID added to an open trust takes nothing away that was asked for: not destructive;
- where the current trust issues IDs in any form (IfExists, a pattern, a Deny guard), a way in it
  no longer admits with an ID the new trust does not issue, or with none ("no longer admits ...");
- a principal the analysis does not model (Federated, Service) the new trust no longer names.
A question the analysis cannot decide counts as a loss (it asks for the yes, never skips it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import z3

from provisioner.analysis import one_solver
from provisioner.analysis.answer import issued_ids
from provisioner.analysis.request import Caller
from provisioner.analysis.trust import _Setting
from provisioner.diff.model import NEW, Difference
from provisioner.diff.trust import _Gained, _Whole, trust_differences
from provisioner.evaluation import Policy
from provisioner.iam import aws_principals, statements, strings
from provisioner.model.arn import account_of


@one_solver
def trust_change(current: Any, wanted: Any, role_arn: str) -> tuple[str, str]:
    """(what differs, in the plan's words; why it is destructive, or "") for a trust rewrite. What
    is asked for: the IDs the new trust issues, for the accounts its Allow statements name
    (one_solver: z3's context is the process's one, and two create-role runs of one program at
    once decide their plans in turn)."""
    asked = issued_ids(wanted)
    vendors = {account_of(p) for s in statements(wanted) if s.is_allow for p in aws_principals(s)}
    own = account_of(role_arn)
    found = trust_differences(current, wanted, role_arn=role_arn, issued=asked, own_account=own)
    said = [f"{'newly admits' if d.widens else 'no longer admits'} {d.subject}" for d in found]
    detail = "; ".join(said) or "the same access (the statements are rewritten)"
    lost = _lost(current, wanted, role_arn) + _unmodelled_lost(current, wanted)
    lost += [f"newly admits {d.subject}" for d in found if d.widens and not _asked(d, asked, vendors)]
    if not lost and _names_external_id(current):
        # the current trust issues IDs, in whatever form (IfExists, a pattern, a Deny guard): a
        # way in it no longer admits with an ID the new trust does not issue (or with none) may
        # be the one the vendor uses now. Harmless: a first ID added to an open trust (no ID
        # condition at all), and other principals losing an ID the vendor's principal keeps.
        lost += [f"no longer admits {d.subject}" for d in found if not d.widens and not _kept(d, asked)]
    return detail, "; ".join(dict.fromkeys(lost))


def _kept(difference: Difference, asked: Iterable[str]) -> bool:
    """Does a way in that is no longer admitted take away only IDs the new trust still issues
    (exactly those, decided, never none)?"""
    detail = difference.detail
    return (
        difference.decided
        and not detail.get("without_id")
        and bool(detail.get("issued_ids"))
        and set(detail.get("issued_ids", ())) <= set(asked)
        and str(detail.get("external_ids", "")).startswith("exactly ")
    )


def _names_external_id(document: Any) -> bool:
    return any(key.lower() == "sts:externalid" for s in statements(document) for _, key, _ in s.conditions())


def _unmodelled_lost(current: Any, wanted: Any) -> list[str]:
    """Principals the analysis does not model (a federated identity provider, a service) that
    the current trust's Allow statements name and the new one does not: each a loss, said."""

    def named(document: Any) -> set[tuple[str, str]]:
        found = set()
        for statement in statements(document):
            principal = statement.body.get("Principal") if statement.is_allow else None
            if isinstance(principal, dict):
                for kind in ("Federated", "Service", "CanonicalUser"):
                    found |= {(kind, value) for value in strings(principal.get(kind))}
        return found

    return [f"stops trusting {kind} {value}" for kind, value in sorted(named(current) - named(wanted))]


def _asked(difference: Difference, asked: Iterable[str], vendors: set[str | None]) -> bool:
    """Is a new admission the one the command asks for: the vendor's account, with the IDs it
    issues now and only those (no request without an ID, no other ID), decided?"""
    detail = difference.detail
    return (
        difference.direction == NEW
        and difference.decided
        and detail.get("caller_class") == "party"
        and detail.get("account") in vendors
        and not detail.get("without_id")
        and bool(detail.get("issued_ids"))
        and set(detail.get("issued_ids", ())) <= set(asked)
        and difference.detail.get("external_ids", "").startswith("exactly ")
    )


def _lost(current: Any, wanted: Any, role_arn: str) -> list[str]:
    """What the rewrite takes away: from the vendor's principal (each the new trust names), a way
    in with an ID the current trust issues; from each principal the current trust names, every
    way in."""
    ids = issued_ids(current)
    now = _Setting(Policy("current trust", current), (), role_arn, ids, words=False)
    then = _Setting(Policy("new trust", wanted), (), role_arn, ids, words=False)
    lost: list[str] = []
    for principal in _named(wanted):
        caller = Caller("party", account=account_of(principal), named=principal)
        gone = _Gained(caller, now, then)  # admitted now, not by the new trust
        key = gone.id_key
        for external_id in ids:
            door = gone.find(key.present, key.value == z3.StringVal(external_id))
            if door is not None:
                why = "" if door[0].decided else f" (not decided: {door[0].why})"
                lost.append(
                    f"removes external ID {external_id}: AssumeRole by {principal} with it fails{why}"
                )
    for principal in _named(current):
        caller = Caller("party", account=account_of(principal), named=principal)
        if _Whole(caller, now).find() is not None and _Whole(caller, then).find() is None:
            lost.append(f"stops trusting {principal}")
    return lost


def _named(document: Any) -> list[str]:
    """The AWS principals a trust's Allow statements name, of an account ("*" is no one's)."""
    named = {p for s in statements(document) if s.is_allow for p in aws_principals(s)}
    return sorted(p for p in named if account_of(p) is not None)
