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


# the caller's account and organization (kms:CallerAccount too: AWS KMS Developer Guide)
# a principal ARN pattern whose account is written out (arn:aws:iam::ACCOUNT:…, sts too): its account
_ACCOUNT_ARN = re.compile(r"arn:aws[\w-]*:(?:iam|sts)::(\d{12}):\S*")


_OURS_KEYS = {
    "aws:principalaccount": "accounts",
    "kms:calleraccount": "accounts",
    "aws:principalorgid": "organizations",
}


def only_ours(
    statement: Statement, ours: frozenset[str], org_ids: frozenset[str], *, anonymous: bool = True
) -> bool:
    """Does the statement's condition require the caller's account or organization to be ours?
    IAM sets aws:PrincipalAccount to the account of the principal making the request and
    aws:PrincipalOrgID to its organization ("AWS global condition context keys"): no outside
    caller can meet StringEquals on our accounts, or our organization's ID, so the statement
    grants no outside party anything (trial 22e: a false WARN, medium, for anyone). With IfExists
    an anonymous request, which holds none of these keys, meets it ("...IfExists condition
    operators": true where the key is absent), where the service takes one (`anonymous`: S3 does,
    AWS KMS does not; trial 22v item 1)."""
    from provisioner.iam import condition_entries

    for operator, key, values in condition_entries(statement.body.get("Condition")) or []:
        if anonymous and operator.lower().endswith("ifexists"):
            continue
        base = operator.lower().removesuffix("ifexists")
        if key.lower() == "aws:principalarn" and base in (
            "arnequals",
            "arnlike",
            "stringequals",
            "stringlike",
        ):
            # ARNs whose account part is ours, written out (role/* of our account: trial 22q item 7)
            accounts = [_ACCOUNT_ARN.fullmatch(str(v)) for v in values]
            if values and all(m is not None and m.group(1) in ours for m in accounts):
                return True
            continue
        kind = _OURS_KEYS.get(key.lower())
        if kind is None or base not in ("stringequals", "stringlike"):
            continue
        texts = [str(v) for v in values]
        if not texts or any("*" in t or "?" in t or "${" in t for t in texts):
            continue
        if all(t in (ours if kind == "accounts" else org_ids) for t in texts):
            return True
    return False


def pinned_accounts(statement: Statement) -> dict[str, list[str]]:
    """The accounts a condition limits the statement to, each with the principals it names: a
    StringEquals on aws:PrincipalAccount (literal account IDs), or an ARN or string operator on
    aws:PrincipalArn whose every value names its account literally and no wildcard; {} when
    neither does."""
    from provisioner.iam import condition_entries

    arns = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):(role|user)/[\w+=,.@/*?-]+")  # a name pattern too
    for operator, key, values in condition_entries(statement.body.get("Condition")) or []:
        texts = [str(v) for v in values]
        base, name = operator.lower().removesuffix("ifexists"), key.lower()
        accounts = texts and all(re.fullmatch(r"\d{12}", t) for t in texts)
        if name in ("aws:principalaccount", "kms:calleraccount") and base == "stringequals" and accounts:
            return {t: [] for t in texts}
        matches = [arns.fullmatch(t) for t in texts]
        principal_arn = name == "aws:principalarn" and base in (
            "arnequals",
            "arnlike",
            "stringequals",
            "stringlike",
        )
        if principal_arn and texts and all(matches):
            found: dict[str, list[str]] = {}
            for text, match in zip(texts, matches, strict=True):
                if match is not None:
                    found.setdefault(match.group(1), []).append(text)
            return found
        # any other pattern whose account is written out (arn:aws:iam::ACCOUNT:*): that account,
        # any principal of it (trial 22r item 13)
        accounts_of = [_ACCOUNT_ARN.fullmatch(t) for t in texts]
        if principal_arn and texts and all(accounts_of):
            return {m.group(1): [] for m in accounts_of if m is not None}
    return {}


ORGANIZATION = "org:"  # how another organization's accounts are written among the parties


def pinned_orgs(statement: Statement) -> list[str] | None:
    """The organizations a StringEquals (or StringLike with no wildcard) on aws:PrincipalOrgID
    limits the statement's callers to: the organization of the principal making the request, so
    no account outside them meets it ("AWS global condition context keys"); a value that is no
    organization ID is none (condition_values: it never matches, so [] lets nobody in); None when
    no such condition limits it."""
    from provisioner.condition_values import can_match
    from provisioner.iam import condition_entries

    for operator, key, values in condition_entries(statement.body.get("Condition")) or []:
        texts = [str(v) for v in values]
        literal = texts and not any(c in t for t in texts for c in "*?$")
        named = key.lower() == "aws:principalorgid" and operator.lower() in ("stringequals", "stringlike")
        if named and literal:
            return [t for t in texts if can_match(key, t)]
    return None


def org_party(org: str) -> Party:
    return Party(f"{ORGANIZATION}{org}", f"organization {org} (its accounts)", UNKNOWN)


def _if_exists(statement: Statement) -> bool:
    """Is a condition on the caller's account or ARN an ...IfExists one (true where it is absent)?"""
    from provisioner.iam import condition_entries

    return any(
        op.lower().endswith("ifexists") and key.lower() in ("aws:principalaccount", "aws:principalarn")
        for op, key, _ in condition_entries(statement.body.get("Condition")) or []
    )


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
        arns = [_ACCOUNT_ARN.fullmatch(t) for t in texts]
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
        if _if_exists(statement):  # an anonymous request, with no such key, meets it too
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
            # any account may name its role as an aws:PrincipalArn pattern of any account asks
            # and a role name a Deny's pattern of any account spares (trial 22t item 1)
            denies = [d for d in statements(policy) if d.effect == "Deny"] if policy is not None else []
            names_ = ["any-role", *role_names(statement), *(n for d in denies for n in role_names(d))]
            sessions = [session_arn(someone, n, "session") for n in dict.fromkeys(names_)]
            callers.append(([*sessions, ANONYMOUS], anyone, None))
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
