"""Pure: a party's browser access, the buckets of the accounts it reaches whose CORS rules name
its origins (or any origin). The origins come from our vendor profiles (`cors_origins`) and from
the user's `[[vendor]]` entries (`origins`), for the party those name."""

from __future__ import annotations

from fnmatch import fnmatchcase

from provisioner.inventory.model import Bucket, PartyEntry
from provisioner.naming import VENDOR, Names


def party_origins(entry: PartyEntry, names: Names) -> set[str]:
    """The web origins the party's pages load from: its profile's, or its [[vendor]] entry's."""
    from provisioner.vendors import known_vendors

    found = {
        o
        for v in known_vendors().values()
        if v.account_id and v.account_id in {entry.party.account, *entry.accounts}
        for o in v.cors_origins
    }
    if entry.party.kind == VENDOR:
        found |= {o for named in names.user if named.name == entry.party.name for o in named.origins}
    return found


def browser_access(entries: dict[str, PartyEntry], buckets: dict[str, list[Bucket]], names: Names) -> None:
    """Each party's cors_buckets: a bucket whose CORS rule names one of its origins (an allowed
    origin may hold one * wildcard, as S3's AllowedOrigin does), or any origin ("*")."""
    for entry in entries.values():
        wanted = party_origins(entry, names)
        for account in dict.fromkeys(access.account for access in entry.roles):
            for bucket in buckets.get(account, []):
                allowed = {o for rule in bucket.cors for o in rule.get("AllowedOrigins", [])}
                named = any(fnmatchcase(w, a) for w in wanted for a in allowed if a != "*")
                if "*" in allowed or named:
                    shown = f"s3://{bucket.name}" + (" (any origin)" if "*" in allowed else "")
                    if shown not in entry.cors_buckets:
                        entry.cors_buckets.append(shown)
