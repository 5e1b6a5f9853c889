"""Roles another party reaches by role chaining through a role of the same account (round 20af
trust item 2: validate's AWSExternalID found them, audit did not). IAM User Guide, "Roles terms
and concepts", role chaining: a role session may assume a second role. Each account's roles that
another account, anyone, or a federated provider's users may assume (audit's own verdicts) are
the entries; a role whose trust lets one of their sessions in (validate/chained.py's may_assume:
every value the session chooses, the ID the trust writes among them) is reached, and so on, hop
by hop. A trust that names only the account (its root) is left to `trusts-account-root`: the
entry role's own policies decide that, and they are not asked here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from provisioner.federation import PREFIX, token_words
from provisioner.iam import raw_statements
from provisioner.model.rules import Hit


def chained_hits(
    roles: list[tuple[str, Any]],
    entry: dict[str, tuple[str, ...]],
    rcps: Any = (),
    pinned: frozenset[str] = frozenset(),
) -> Iterator[Hit]:
    """A `trust-chained` hit for each role of one account (ARN, trust) that a session of an
    `entry` role (ARN -> who may assume it: audit's reached_by) may assume, directly or through
    roles so reached, with no external ID; `trust-chained-pinned` where it needs the ID the trust
    writes (whether the other party knows it is not decided: inventory says so too), here or at an
    earlier hop. A role the same party may assume is reached anew only where the chain's entry
    (`pinned`: those that pin external IDs) lets it in without one (round 20ag trust item 2)."""
    from provisioner.validate.chained import HOPS, may_assume

    chains: dict[str, tuple[str, ...]] = {arn: (arn,) for arn in entry}  # the chain's roles, entry first
    # each trust once: the role names its Allows name (a role's ARN or a session's), or None
    # where it lets in anyone ("*", NotPrincipal): then every role reached is asked
    names = {arn: _named(trust) for arn, trust in roles if isinstance(trust, dict)}
    reached: set[str] = set()
    needs: dict[str, str | None] = dict.fromkeys(entry)  # an external ID the chain needs so far
    frontier = list(entry)
    for _ in range(HOPS):
        by_name = {via.rsplit("/", 1)[-1]: via for via in frontier}
        found: dict[str, tuple[str, str | None]] = {}
        for arn, trust in roles:
            own = entry.get(arn, ())
            if arn in reached or arn not in names or "*" in own:
                continue  # reached already, not a policy, or anyone may assume it anyway
            named = names[arn]
            vias = frontier if named is None else [by_name[n] for n in sorted(named) if n in by_name]
            for via in vias:
                first = chains[via][0]
                if via == arn or (set(entry[first]) <= set(own) and first in pinned):
                    continue  # itself, or a party that may assume it anyway, with an ID both ways
                how = may_assume(raw_statements(trust), arn, via, rcps)
                if how is not None and how[0]:
                    found[arn] = (via, how[1])
                    break
        for arn, (via, with_id) in sorted(found.items()):
            chain = (*chains[via], arn)
            chains.setdefault(arn, chain)  # an entry keeps its own: the chains from it start there
            reached.add(arn)
            needs[arn] = with_id or needs[via]
            yield _hit(arn, chain, entry[chain[0]], needs[arn])
        frontier = [arn for arn in found if arn not in entry]
        if not frontier:
            return


def _named(trust: dict[str, Any]) -> set[str] | None:
    """The role names the trust's Allows name as AWS principals (a role's ARN, its path too, or
    one of its sessions'); None where one lets in anyone ("*", NotPrincipal). Read from the raw
    statements: every role of every account passes here once (a parsed one cost a third of the
    offline audit)."""
    found: set[str] = set()
    for statement in raw_statements(trust):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if "NotPrincipal" in statement or principal == "*":
            return None
        named = principal.get("AWS") if isinstance(principal, dict) else None
        for value in named if isinstance(named, list) else [named]:
            if value == "*":
                return None
            if isinstance(value, str) and ":role/" in value:
                found.add(value.rsplit("/", 1)[-1])
            elif isinstance(value, str) and ":assumed-role/" in value:
                found.add(value.split(":assumed-role/", 1)[1].split("/")[0])
    return found


def _hit(arn: str, chain: tuple[str, ...], who: tuple[str, ...], external_id: str | None) -> Hit:
    names = [c.rsplit("/", 1)[-1] for c in chain[:-1]]
    party = _party(who)
    how = (
        f"with external ID {external_id!r} (its trust writes it: no secret)"
        if external_id
        else "with no external ID"
    )
    reach = f"{party} can assume role {names[0]}"
    reach += f", which can assume {' -> '.join(names[1:])}" if len(names) > 1 else ""
    return Hit(
        "trust-chained-pinned" if external_id else "trust-chained",
        f"role {names[-1]} of this account can assume this role {how}, and {reach}: "
        f"role chaining lets {party} in",
        arn,
        {"chain": list(chain), "reached_by": list(who)},
    )


def _party(who: tuple[str, ...]) -> str:
    """Who may assume the entry role, in words (its reached_by: accounts, "*", federated)."""
    accounts = [a for a in who if not a.startswith(PREFIX)]
    parts = ["any AWS account"] if "*" in accounts else [f"account {', '.join(accounts)}"] if accounts else []
    parts += [token_words(a) for a in who if a.startswith(PREFIX)]
    return " and ".join(parts) or "another party"
