"""Names for outside accounts: who is behind an account ID. Pure, but for reading the files.

Three sources, in this order (the first that knows an account names it):
1. our vendor profiles (policies/vendors: Labelbox, isahit), which the community list lacks;
2. the user's own: `[[vendor]]` entries of the config file (name, accounts, optional principal
   patterns) and `--known-accounts FILE` (fwd:cloudsec's format, YAML or JSON);
3. fwd:cloudsec's `known_aws_accounts` (Apache-2.0), shipped converted to JSON under
   policies/known_accounts (scripts/known_accounts.py refreshes it from a local copy).

Entries with `type: aws` are AWS services (ELB logs, Redshift logs…), never vendors. An account
of the audited organization (or the audited account) is ours, never a vendor: `Names.party`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from provisioner.errors import DataError, InputError

VENDOR = "vendor"
AWS_SERVICE = "aws-service"
UNKNOWN = "unknown"
OURS = "ours"
IDENTITY_PROVIDER = "identity-provider"  # a federated (OIDC, SAML) provider: provisioner/federation.py
COMMUNITY = "known_aws_accounts"
COMMUNITY_FILE = "known_accounts/accounts.json"
_ACCOUNT = re.compile(r"[0-9]{12}")
_ENTRY_KEYS = {"name", "source", "accounts", "type", "enabled", "deprecated_date"}
_USER_KEYS = {"name", "accounts", "principals", "origins", "line"}
_ORIGIN = re.compile(r"https?://[^/\s?#]+")


@dataclass(frozen=True)
class Named:
    """One entry of a source: a vendor or an AWS service, and its accounts."""

    name: str
    kind: str  # VENDOR or AWS_SERVICE
    accounts: tuple[str, ...]
    source: str  # "profile", "config FILE:LINE", "--known-accounts FILE", COMMUNITY
    docs: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()  # patterns of the vendor's principals (config entries)
    enabled: bool = True  # the community list's `enabled: false` (a retired account)
    origins: tuple[str, ...] = ()  # the web origins of its pages (config entries): browser access


@dataclass(frozen=True)
class Party:
    """An outside account as a report shows it."""

    account: str
    name: str  # "Labelbox", "ELB logs", "unknown account 123456789012", "our account …"
    kind: str  # VENDOR, AWS_SERVICE, UNKNOWN, OURS or IDENTITY_PROVIDER
    source: str = ""  # where the name comes from ("" for unknown and ours)

    @property
    def label(self) -> str:
        if self.kind == AWS_SERVICE:
            return f"{self.name} (AWS service)"
        return self.name

    @property
    def where(self) -> str:
        """Where the party is, as a report shows it: its account, or "identity provider"."""
        if self.kind == IDENTITY_PROVIDER:
            return "identity provider"
        return "AWS service principal" if self.account.startswith("service:") else self.account


def parse_list(raw: Any, where: str, option: str = "known_accounts") -> list[Named]:
    """Entries in known_aws_accounts' format (its schema.json): a list of {name, accounts,
    source?, type? ("aws"), enabled?, deprecated_date?}; a bad one is one InputError naming its
    index and field."""
    if not isinstance(raw, list):
        raise InputError(option, where, "not a list of entries in known_aws_accounts' format")
    found: list[Named] = []
    for index, entry in enumerate(raw):
        at = f"entry {index + 1}"
        if not isinstance(entry, dict):
            raise InputError(option, where, f"{at} is not a mapping with name and accounts")
        extra = sorted(set(entry) - _ENTRY_KEYS)
        if extra:
            raise InputError(
                option, where, f"{at}: unknown field {extra[0]!r} (known: {', '.join(sorted(_ENTRY_KEYS))})"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(option, where, f"{at}: name must be a non-empty string")
        problem = _account_problem(entry.get("accounts"))
        if problem:
            raise InputError(option, where, f"{at} ({name}): accounts {problem}")
        accounts = tuple(dict.fromkeys(entry["accounts"]))
        kind = entry.get("type")
        if kind not in (None, "aws"):
            raise InputError(option, where, f"{at} ({name}): type must be 'aws' (an AWS service) or absent")
        source = entry.get("source", [])
        if not isinstance(source, list) or not all(isinstance(s, str) for s in source):
            raise InputError(option, where, f"{at} ({name}): source must be a list of URLs")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise InputError(option, where, f"{at} ({name}): enabled must be true or false")
        found.append(
            Named(
                name.strip(),
                AWS_SERVICE if kind == "aws" else VENDOR,
                accounts,
                "",
                tuple(source),
                (),
                enabled,
            )
        )
    return found


def _account_problem(value: Any) -> str | None:
    """What is wrong with a list of account IDs, or None."""
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of 12-digit account IDs"
    bad = [a for a in value if not isinstance(a, str) or not _ACCOUNT.fullmatch(a)]
    if bad and isinstance(bad[0], int):  # YAML reads an unquoted ID as a number
        return f"must be 12-digit account IDs as strings ({bad[0]} is a number: quote it, '{bad[0]:012d}')"
    if bad:
        return f"must be 12-digit account IDs as strings ({bad[0]!r} is not)"
    return None


@cache
def community() -> tuple[tuple[Named, ...], dict[str, str]]:
    """The shipped snapshot of known_aws_accounts, and where it comes from (source, commit)."""
    from provisioner.data import load_json

    raw = load_json(COMMUNITY_FILE)
    if not isinstance(raw, dict) or not isinstance(raw.get("accounts"), list):
        raise DataError(f"policies/{COMMUNITY_FILE}: no 'accounts' list; run scripts/known_accounts.py")
    try:
        entries = parse_list(raw["accounts"], f"policies/{COMMUNITY_FILE}")
    except InputError as exc:
        raise DataError(f"policies/{COMMUNITY_FILE}: {exc.rule}") from None
    about = {k: str(raw.get(k, "")) for k in ("source", "commit", "date", "license")}
    return tuple(Named(e.name, e.kind, e.accounts, COMMUNITY, e.docs, (), e.enabled) for e in entries), about


def profiles() -> list[Named]:
    """Our vendor profiles as named accounts."""
    from provisioner.vendors import known_vendors

    return [
        Named(v.display_name, VENDOR, (v.account_id,), f"profile {v.name}", (v.docs,) if v.docs else ())
        for v in sorted(known_vendors().values(), key=lambda v: v.name)
        if v.account_id
    ]


class EntryError(ValueError):
    """A bad [[vendor]] entry: its line, key and rule (provisioner.config makes it a ConfigError,
    one line and exit 2, naming the file)."""

    def __init__(self, path: str, line: int | None, key: str, rule: str) -> None:
        super().__init__(rule)
        self.line, self.key, self.rule = line, key, rule


def parse_config_entries(entries: list[dict[str, Any]], path: str) -> list[Named]:
    """The config file's `[[vendor]]` entries: name (a string), accounts (12-digit IDs as
    strings), principals (optional ARN patterns of that vendor's callers, within its accounts),
    origins (optional web origins of its pages: the buckets whose CORS rules name them are its
    browser access).
    A bad entry is an EntryError naming its line and key."""
    found: list[Named] = []
    for entry in entries:
        line = entry.get("line")
        extra = sorted(set(entry) - _USER_KEYS)
        if extra:
            raise EntryError(
                path,
                line,
                f"[[vendor]] {extra[0]}",
                "not a key of a vendor entry (name, accounts, principals, origins)",
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise EntryError(path, line, "[[vendor]] name", "required: the vendor's name, a non-empty string")
        problem = _account_problem(entry.get("accounts"))
        if problem:
            raise EntryError(path, line, "[[vendor]] accounts", f"{problem} (vendor {name!r})")
        accounts = tuple(dict.fromkeys(entry["accounts"]))
        principals = entry.get("principals", [])
        if not isinstance(principals, list) or not all(isinstance(p, str) for p in principals):
            raise EntryError(path, line, "[[vendor]] principals", "a list of principal ARN patterns")
        for pattern in principals:
            match = re.fullmatch(r"arn:aws[a-z-]*:(iam|sts)::([0-9]{12}):.+", pattern)
            if match is None or match.group(2) not in accounts:
                raise EntryError(
                    path,
                    line,
                    "[[vendor]] principals",
                    f"{pattern!r}: an IAM or STS ARN (wildcards allowed) in one of the entry's accounts",
                )
        origins = entry.get("origins", [])
        if not isinstance(origins, list) or not all(
            isinstance(o, str) and _ORIGIN.fullmatch(o) for o in origins
        ):
            raise EntryError(
                path,
                line,
                "[[vendor]] origins",
                'a list of web origins, scheme and host only ("https://app.example.com"), for browser access',
            )
        where = f"config {path}:{line}" if line else f"config {path}"
        found.append(
            Named(
                name.strip(),
                VENDOR,
                accounts,
                where,
                (),
                tuple(principals),
                origins=tuple(dict.fromkeys(origins)),
            )
        )
    return found


def load_known_accounts(path: str) -> list[Named]:
    """--known-accounts FILE: known_aws_accounts' format, as YAML (its own) or JSON. The YAML
    parser is imported only for a file that is not JSON."""
    from provisioner.inputs.files import read_file

    text = read_file(path, "known_accounts")
    raw: Any
    if text.lstrip()[:1] in ("[", "{"):
        from provisioner.inputs import read_json

        raw = read_json(path, "known_accounts", text)
    else:
        import yaml

        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise InputError("known_accounts", path, f"neither JSON nor YAML{at}") from None
    if isinstance(raw, dict) and "name" in raw:  # one entry, not a list of them
        raise InputError("known_accounts", path, "one entry, not a list: write each as '- name: …'")
    if isinstance(raw, dict) and isinstance(raw.get("accounts"), list):
        raw = raw["accounts"]  # our own shipped JSON's shape
    entries = parse_list(raw, path)
    return [
        Named(e.name, e.kind, e.accounts, f"--known-accounts {path}", e.docs, (), e.enabled) for e in entries
    ]


class Names:
    """Who is behind an account, by precedence: profiles, the user's, the community list."""

    def __init__(self, user: list[Named] | tuple[Named, ...] = (), *, use_community: bool = True) -> None:
        self.user = tuple(user)
        self.by_account: dict[str, Named] = {}  # by account only, as audit's VENDOR column names
        self.wide: dict[str, Named] = {}  # the same but for entries of principal patterns
        wide = [u for u in self.user if not u.principals]
        patterned = [u for u in self.user if u.principals]
        first, last = [*profiles(), *wide], list(community()[0] if use_community else ())
        for named in [*first, *patterned, *last]:
            for account in named.accounts:
                self.by_account.setdefault(account, named)
        # an entry of principal patterns names only the principals that match them in a party
        # view (inventory, who-can), never its accounts as a whole: another role of that account
        # is not that vendor's
        for named in [*first, *last]:
            for account in named.accounts:
                self.wide.setdefault(account, named)
        # the user's principal patterns: within an account, they name that vendor's principals
        self.by_principal = [(_pattern(p), named) for named in self.user for p in named.principals]

    def of(self, account: str) -> Named | None:
        return self.by_account.get(account)

    def party(
        self, account: str, ours: frozenset[str] | set[str] = frozenset(), principals: Any = ()
    ) -> Party:
        """The party behind an account: ours, named, or unknown; `principals` as in `parties`
        (the first party when they are several)."""
        return self.parties(account, ours, principals)[0][0]

    def parties(
        self, account: str, ours: frozenset[str] | set[str] = frozenset(), principals: Any = ()
    ) -> list[tuple[Party, list[str]]]:
        """The parties behind an account, each with the principals of `principals` (the ARNs of
        that account a policy names) it holds. A principal that matches a principal pattern of
        a `[[vendor]]` entry is that entry's vendor (one account may host several parties),
        unless our profile names the account; any other (another role, the account's root or
        bare ID) is the account's: its account-wide entry, the community list, or unknown."""
        if account in ours:
            return [(Party(account, f"our account {account}", OURS), list(principals))]
        named = self.wide.get(account)
        if named is not None and named.source.startswith("profile "):
            return [(_party(account, named), list(principals))]
        found: dict[Party, list[str]] = {}
        listed = [p for p in principals if p != "*"]
        for principal in listed or [None]:
            entry = self._matching(account, principal) if principal is not None else None
            party = _party(account, entry or named)
            found.setdefault(party, [])
            if principal is not None:
                found[party].append(principal)
        return list(found.items())

    def _matching(self, account: str, principal: str) -> Named | None:
        """The first user entry whose principal patterns, within `account`, match `principal`."""
        return next(
            (
                named
                for pattern, named in self.by_principal
                if account in named.accounts and pattern.fullmatch(principal)
            ),
            None,
        )

    def vendor_names(self, accounts: Any) -> str:
        """The names of the outside accounts the sources know, as a finding shows them."""
        return ", ".join(sorted({self.account_party(a).label for a in accounts if a in self.by_account}))

    def account_party(self, account: str) -> Party:
        """The party by account only (audit's VENDOR column and graph): the first source that
        lists the account, an entry of principal patterns too."""
        return _party(account, self.by_account.get(account))


def _party(account: str, named: Named | None) -> Party:
    if named is None:
        return Party(account, f"unknown account {account}", UNKNOWN)
    return Party(account, named.name, named.kind, named.source)


def _pattern(text: str) -> re.Pattern[str]:
    """An ARN pattern of a [[vendor]] entry: * any run of characters, ? one (as IAM's ARN matching)."""
    return re.compile(".*".join(".".join(re.escape(q) for q in part.split("?")) for part in text.split("*")))


def entry_warnings(user: tuple[Named, ...] | list[Named], ours: frozenset[str] | set[str]) -> list[str]:
    """One line for each account of a config [[vendor]] entry that can never name it: an
    account of the audited organization (ours), one a vendor profile names first, or one an
    earlier account-wide entry names (an entry with principal patterns names its principals
    within the account, beside an account-wide entry)."""
    first = {account: named for named in profiles() for account in named.accounts}
    warnings: list[str] = []
    for named in user:
        if named.source.startswith("config "):
            where = f"[[vendor]] {named.name!r} at {named.source.removeprefix('config ')}"
        elif named.source.startswith("--known-accounts "):
            where = f"{named.source} entry {named.name!r}"
        else:
            continue
        for account in named.accounts:
            if account in ours:
                warnings.append(f"{where}: {account} is an audited account, ours: never a vendor")
            elif account in first and named.principals and first[account].source.startswith("config "):
                continue  # its principal patterns name that vendor's principals within the account
            elif account in first:
                earlier = first[account]
                by = "our profile" if earlier.source.startswith("profile") else "an earlier entry"
                warnings.append(
                    f"{where}: {account} is named {earlier.name!r} by {by} first: not by this entry"
                )
            elif not named.principals:  # an entry of principal patterns shadows no other
                first[account] = named
    return warnings


@cache
def default_names() -> Names:
    """Profiles and the community list (no user entries): what a run without any uses."""
    return Names()


_CURRENT: ContextVar[Names | None] = ContextVar("names", default=None)


def current() -> Names:
    """The names of this run (`using`), else the profiles and the community list."""
    return _CURRENT.get() or default_names()


@contextlib.contextmanager
def using(names: Names) -> Iterator[Names]:
    """Name outside accounts with `names` (the user's entries too) within the block: audit's
    verdicts name their parties through `current()`."""
    token = _CURRENT.set(names)
    try:
        yield names
    finally:
        _CURRENT.reset(token)
