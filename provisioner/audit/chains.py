"""Roles another party reaches by role chaining through a role of the same account (round 20af
trust item 2: validate's AWSExternalID found them, audit did not). IAM User Guide, "Roles terms
and concepts", role chaining: a role session may assume a second role. Each account's roles that
another account, anyone, or a federated provider's users may assume (audit's own verdicts) are
the entries; a role whose trust lets one of their sessions in (validate/chained.py's may_assume:
every value the session chooses, the ID the trust writes among them) is reached, and so on, hop
by hop. A trust that names only the account (its root) is left to `trusts-account-root`: the
entry role's own policies decide that, and they are not asked here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from provisioner.federation import PREFIX, token_words
from provisioner.iam import admits_anyone, statements
from provisioner.model.rules import Hit

HOPS = 5  # roles chained into roles, followed this far (as validate does)


def chained_hits(
    roles: list[tuple[str, Any]], entry: dict[str, tuple[str, ...]], rcps: Any = ()
) -> Iterator[Hit]:
    """A `trust-chained` hit for each role of one account (ARN, trust) that a session of an
    `entry` role (ARN -> who may assume it: audit's reached_by) may assume, directly or through
    roles so reached, with no external ID; `trust-chained-pinned` where it needs the ID the trust
    writes (whether the other party knows it is not decided: inventory says so too)."""
    from provisioner.validate.chained import may_assume

    chains: dict[str, tuple[str, ...]] = {arn: (arn,) for arn in entry}  # the chain's roles, entry first
    texts = {arn: json.dumps(trust) for arn, trust in roles}
    reached: set[str] = set()
    frontier = list(entry)
    for _ in range(HOPS):
        found: dict[str, tuple[str, str | None]] = {}
        for arn, trust in roles:
            if arn in reached or not isinstance(trust, dict):
                continue
            wide = any(admits_anyone(s) for s in statements(trust))
            for via in frontier:
                who = entry[chains[via][0]]
                own = entry.get(arn, ())
                if via == arn or "*" in own or set(who) <= set(own):
                    continue  # itself, or a party that may assume it anyway (anyone may: "*")
                if not wide and via.rsplit("/", 1)[-1] not in texts[arn]:
                    continue  # names neither the role nor anyone: no door for its sessions
                how = may_assume(_statements(trust), arn, via, rcps)
                if how is not None and how[0]:
                    found[arn] = (via, how[1])
                    break
        for arn, (via, with_id) in sorted(found.items()):
            chain = (*chains[via], arn)
            chains.setdefault(arn, chain)  # an entry keeps its own: the chains from it start there
            reached.add(arn)
            yield _hit(arn, chain, entry[chain[0]], with_id)
        frontier = [arn for arn in found if arn not in entry]
        if not frontier:
            return


def _statements(trust: dict[str, Any]) -> list[Any]:
    body = trust.get("Statement", [])
    return body if isinstance(body, list) else [body]


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
