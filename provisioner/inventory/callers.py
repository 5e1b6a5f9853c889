"""Pure: the callers a bucket policy statement names, to ask the evaluator as: an outside
account (a session of any of its roles, the roles a condition pins, and its root user), "*"
(any account, narrowed by aws:PrincipalAccount or aws:PrincipalArn to the accounts they pin),
the accounts a Deny's NotPrincipal spares, an account by its S3 canonical user ID, and an AWS
service (its source conditions decide for whom it acts)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from provisioner.iam import Statement, aws_principals, statements, strings
from provisioner.inventory.model import ANYONE
from provisioner.inventory.narrowing import (
    ACCOUNT_ARN,
    if_exists,
    org_party,
    pattern_accounts,
    pinned_accounts,
    pinned_orgs,
)
from provisioner.inventory.sources import OURS, service_sources
from provisioner.model import account_of, session_arn
from provisioner.naming import AWS_SERVICE, UNKNOWN, Names, Party

SOMEONE = "111122223333"  # the account asked about for "*" (any account outside)


def stranger(document: Any) -> str:
    """The account to ask as for "any account": one the policy does not name (trial 22t item 2:
    a Deny sparing 111122223333 spared the probe itself)."""
    import json

    text = json.dumps(document)
    return next(a for a in (SOMEONE, "999988887771", "555544443332", "202020202029") if a not in text)


SERVICE = "service:"  # how an AWS service principal is written among the parties

# An unsigned request: "*" in a resource policy's Principal is "all users, including anonymous
# users" (IAM User Guide, "AWS JSON policy elements: Principal"); it carries no principal keys
# ("AWS global condition context keys": aws:PrincipalAccount and the others are present only for
# an authenticated principal; aws:PrincipalIsAWSService "for all signed API requests"): trial 22r
ANONYMOUS = "anonymous"


def asking_context(caller: str) -> dict[str, Any]:
    """The keys a request by the caller carries (an anonymous one: no principal key)."""
    from provisioner.evaluation.context import caller_context

    context = caller_context(caller)
    if caller == ANONYMOUS:
        return {k: v for k, v in context.items() if not k.lower().startswith("aws:principal")}
    return context


def own_folder_accounts(statement: Statement, resources: list[str], ours: frozenset[str]) -> list[str]:
    """Each account whose own folder a resource asked about is, where the statement's Resource
    names ${aws:PrincipalAccount} ("Variables and tags": each caller's own account): asked at
    bkt/888877776666/, "*" on bkt/${aws:PrincipalAccount}/* lets that account read, and it alone
    (an anonymous request has no aws:PrincipalAccount: trial 22t item 3)."""
    found: dict[str, None] = {}
    for pattern in strings(statement.body.get("Resource")):
        if "${aws:principalaccount}" not in pattern.lower():
            continue
        pieces = re.split(r"(\$\{aws:PrincipalAccount\})", pattern, flags=re.IGNORECASE)
        regex = "".join(
            r"(\d{12})"
            if i % 2
            else "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p)
            for i, p in enumerate(pieces)
        )
        for resource in resources:
            match = re.fullmatch(regex, resource)
            found.update({a: None for a in (match.groups() if match else ()) if a not in ours})
    return list(found)


def role_names(statement: Statement) -> list[str]:
    """Role names an aws:PrincipalArn pattern with any account asks for (arn:aws:iam::*:role/x,
    or a name matching role/vendor-*): any account can create a role so named."""
    from provisioner.iam import condition_entries

    found: list[str] = []
    for _, key, values in condition_entries(statement.body.get("Condition")) or []:
        if key.lower() != "aws:principalarn":
            continue
        for value in values:
            match = re.fullmatch(r"arn:aws[\w-]*:iam::[*?]+:role/([\w+=,.@/*?-]+)", str(value))
            if match is not None:  # a pattern too (role/vendor-*): a name matching it (trial 22q item 2)
                found.append(match.group(1).rsplit("/", 1)[-1].replace("*", "x").replace("?", "x"))
    return found


def spared(
    statement: Statement,
    callers: list[tuple[list[str], Party, tuple[bool, str] | None]],
    policy: Any,
    names: Names,
    ours: frozenset[str],
) -> list[tuple[list[str], Party, tuple[bool, str] | None]]:
    """The accounts a Deny's NotPrincipal spares (their root user, and the principals it names),
    as callers of a grant to "*": where the Deny refuses every other caller, they are the party
    ("AWS JSON policy elements: NotPrincipal": a Deny with NotPrincipal applies to every
    principal but those it names; trial 22m item 8)."""
    if not any(party.account == ANYONE for _, party, _ in callers):
        return []
    spared: dict[str, list[str]] = {}
    for deny in statements(policy):
        if deny.effect != "Deny":
            continue
        named = (
            deny.body["NotPrincipal"].get("AWS") if isinstance(deny.body.get("NotPrincipal"), dict) else None
        )
        for principal in strings(named) + _spared_by_condition(deny):
            account = principal if re.fullmatch(r"\d{12}", principal) else account_of(principal)
            if account and account not in ours:
                spared.setdefault(account, []).append(principal)
    found: list[tuple[list[str], Party, tuple[bool, str] | None]] = []
    for account, principals in sorted(spared.items()):
        asking = {f"arn:aws:iam::{account}:root", *(caller_of(p, account) for p in principals)}
        found.append((sorted(asking), names.party(account, ours, ()), None))
    return found


def _spared_by_condition(deny: Statement) -> list[str]:
    """The accounts (or principal ARNs, wildcards filled) a Deny on every principal spares by its
    one condition: StringNotEquals on aws:PrincipalAccount, or a negated ARN or string operator on
    aws:PrincipalArn naming its accounts (trial 22s item 2); [] for any other Deny."""
    from provisioner.iam import condition_entries

    entries = condition_entries(deny.body.get("Condition")) or []
    if len(entries) != 1 or deny.body.get("Principal") not in ("*", {"AWS": "*"}):
        return []
    [(operator, key, values)] = entries
    base = operator.lower().removesuffix("ifexists")
    texts = [str(v) for v in values]
    if key.lower() == "aws:principalaccount" and base == "stringnotequals":
        return [t for t in texts if re.fullmatch(r"\d{12}", t)]
    negated = base in ("arnnotequals", "arnnotlike", "stringnotequals", "stringnotlike")
    if key.lower() == "aws:principalarn" and negated:
        arns = [ACCOUNT_ARN.fullmatch(t) for t in texts]
        return [t.replace("*", "x").replace("?", "x") for t, m in zip(texts, arns, strict=True) if m]
    return []


def callers(
    statement: Statement,
    names: Names,
    ours: frozenset[str],
    org_ids: frozenset[str],
    bucket_accounts: Mapping[str, str],
    owner: bool = True,
    policy: Any = None,
) -> list[tuple[list[str], Party, tuple[bool, str] | None]]:
    """(callers to ask as, party, its fixed verdict) for each outside account, "*" and AWS service
    the statement names; an Allow with NotPrincipal names every account but those it spares ("AWS
    JSON policy elements: NotPrincipal"). A service's verdict is its source conditions' (for
    another account's resources: that account is the party, through the service); `owner`: the
    bucket's account is known."""
    named = {ANYONE if p == "*" else account_of(p) for p in aws_principals(statement)}
    if statement.body.get("Principal") == "*" or "NotPrincipal" in statement.body:
        named.add(ANYONE)
    pinned = pinned_accounts(statement)
    if ANYONE in named and pinned and "NotPrincipal" not in statement.body:
        # "*" narrowed to named accounts by aws:PrincipalAccount or aws:PrincipalArn (set by IAM
        # to the caller's account and ARN): those accounts are the parties, not anyone
        named = (named - {ANYONE}) | set(pinned)
        if if_exists(statement):  # an anonymous request, with no such key, meets it too
            named.add(ANYONE)
    callers: list[tuple[list[str], Party, tuple[bool, str] | None]] = []
    someone = stranger(policy if policy is not None else statement.body)  # `policy`: the whole one
    orgs = pinned_orgs(statement) if ANYONE in named and "NotPrincipal" not in statement.body else None
    for org in orgs or []:  # "*" narrowed to other organizations: their accounts, not anyone
        callers.append(([session_arn(someone, "any-role", "session")], org_party(org), None))
    named -= {ANYONE} if orgs is not None else set()
    for account in sorted(a for a in named if a and a not in ours):
        own = [p for p in aws_principals(statement) if p != "*" and account_of(p) == account]
        own += pinned.get(account, [])  # the roles aws:PrincipalArn names: asked as their sessions
        if account == ANYONE:
            anyone = Party(ANYONE, "anyone (any AWS account)", "anyone")
            callers.append(([*_anyones(statement, someone, policy, ours), ANONYMOUS], anyone, None))
            continue
        for party, mine in names.parties(account, ours, own):  # one account, maybe several parties
            asking = {c for p in mine or [account] for c in callers_of(p, account)}
            callers.append((sorted(asking), party, None))
    for canonical in canonical_users(statement.body):  # an account by its S3 canonical user ID
        party = Party(f"canonical:{canonical}", f"canonical user {canonical[:16]}…", UNKNOWN)
        why = (
            "not decided: an account named by its S3 canonical user ID (which account, and what "
            "its own policies let its principals do, is not known here)"
        )
        callers.append(([canonical], party, (False, why)))
    for name in service_principals(statement.body):  # an AWS service: its source conditions decide
        service = Party(SERVICE + name, name, AWS_SERVICE, "Principal.Service")
        sources = service_sources(statement, name, ours, org_ids, bucket_accounts)
        if sources.accounts is None:
            callers.append(([name], service, (False, sources.note)))
            continue
        foreign = sorted(a for a in sources.accounts if a not in ours and a != OURS)
        if foreign and not owner:  # offline with no account read: ours or not, not decided
            note = f"not decided: the bucket's account is not known, so whether {', '.join(foreign)} is ours"
            callers.append(([name], service, (False, f"{note} ({sources.note})")))
            continue
        if len(foreign) < len(sources.accounts):
            callers.append(([name], service, (True, "only for " + sources.note)))
        for account in foreign:
            through = f"through {name}, for the resources of account {account} ({sources.note})"
            callers.append(([name], names.party(account, ours, ()), (True, through)))
    return callers


def _anyones(statement: Statement, someone: str, policy: Any, ours: frozenset[str]) -> list[str]:
    """The signed callers asked as for "*": sessions of `someone` (an account the policy does not
    name) under any role name, the names an aws:PrincipalArn pattern of any account asks and a
    Deny's pattern of any account spares (trial 22t item 1), and a session of an account a
    pattern on aws:PrincipalAccount lets in (1234*: trial 22v item 3)."""
    denies = [d for d in statements(policy) if d.effect == "Deny"] if policy is not None else []
    names = ["any-role", *role_names(statement), *(n for d in denies for n in role_names(d))]
    sessions = [session_arn(someone, n, "session") for n in dict.fromkeys(names)]
    return sessions + [session_arn(a, "any-role", "session") for a in pattern_accounts(statement, ours)]


def callers_of(principal: str, account: str) -> list[str]:
    """The callers a bucket policy's principal names: as caller_of, and for a whole account its
    root user too, which a Deny can spare alone ("AWS JSON policy elements: NotPrincipal": an
    account ARN in a Deny's NotPrincipal does not exclude the account's users and roles)."""
    caller = caller_of(principal, account)
    whole = principal == account or principal.endswith(":root")
    return [caller, f"arn:aws:iam::{account}:root"] if whole else [caller]


def caller_of(principal: str, account: str) -> str:
    """A caller a bucket policy's principal names: a session of a role it names, the user or
    session it names, or a session of any role of an account it names ("IAM JSON policy
    elements: Principal")."""
    if principal.startswith("arn:") and ":role/" in principal:
        return session_arn(account, principal.rsplit("/", 1)[1], "session")
    if principal.startswith("arn:") and not principal.endswith(":root"):
        return principal  # a user, or an assumed-role session
    return session_arn(account, "any-role", "session")


def canonical_users(body: dict[str, Any]) -> list[str]:
    """The S3 canonical user IDs a statement's Principal names (S3 User Guide, "Principals for
    bucket policies": `"Principal": {"CanonicalUser": "…"}` grants that account)."""
    principal = body.get("Principal")
    return (
        sorted(dict.fromkeys(strings(principal.get("CanonicalUser")))) if isinstance(principal, dict) else []
    )


def service_principals(body: dict[str, Any]) -> list[str]:
    """The AWS service principals (Principal.Service) a statement names."""
    principal = body.get("Principal")
    return sorted(dict.fromkeys(strings(principal.get("Service")))) if isinstance(principal, dict) else []


# Keys whose value the caller sets as it makes the request: its headers (S3's x-amz-*, the
# Referer and User-Agent it sends) and its TLS version. IAM User Guide, "AWS global condition
# context keys": aws:Referer and aws:UserAgent are set by the caller (not to be relied on);
# s3:TlsVersion is the TLS version it negotiates. Where it calls from is not its choice (an
# address range, a VPC endpoint or VPC belongs to someone), but a range holding every address
# (0.0.0.0/0, ::/0) is anyone's.
_HEADERS = ("s3:x-amz-", "aws:referer", "aws:useragent", "s3:tlsversion", "aws:securetransport")
# and the tags of its own principals: an account tags its roles and users as it likes (IAM User
# Guide, "Tags for AWS Identity and Access Management resources"), so aws:PrincipalTag/KEY of a
# caller outside is that caller's choice
_OWN_TAGS = "aws:principaltag/"


def chosen_by_caller(statement: Statement, *, anyone: bool) -> dict[str, str]:
    """The values a caller may send that the statement's condition asks for (its first value of
    each positive operator): its headers and TLS version, and for "*" an address where the
    range is every address (trial 22m item 6: a grant to anyone under "IpAddress 0.0.0.0/0" or
    a Referer is anyone's, decided)."""
    from provisioner.audit.grants import first_values
    from provisioner.iam import condition_entries

    found = first_values([statement], lambda key: key.startswith((*_HEADERS, _OWN_TAGS)))
    if not anyone or not statement.is_allow:
        return found
    for operator, key, values in condition_entries(statement.body.get("Condition")) or []:
        every = [v for v in values if str(v).endswith("/0")]
        if (
            key.lower() == "aws:sourceip"
            and operator.rpartition(":")[2].lower().startswith("ipaddress")
            and every
        ):
            found.setdefault(key, str(ipaddress.ip_network(str(every[0]), strict=False).network_address))
    return found
