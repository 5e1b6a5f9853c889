"""Pure: how a statement's conditions narrow the principals it names: the accounts, principal
ARNs and organizations they pin ("*" under aws:PrincipalAccount, aws:PrincipalArn or
aws:PrincipalOrgID), the account patterns they let in, and whether only our own accounts meet
them (IAM sets these keys to the caller's: "AWS global condition context keys")."""

from __future__ import annotations

import re

from provisioner.iam import Statement
from provisioner.naming import UNKNOWN, Party

# the caller's account and organization (kms:CallerAccount too: AWS KMS Developer Guide)
# a principal ARN pattern whose account is written out (arn:aws:iam::ACCOUNT:…, sts too): its account
ACCOUNT_ARN = re.compile(r"arn:aws[\w-]*:(?:iam|sts)::(\d{12}):\S*")


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
            accounts = [ACCOUNT_ARN.fullmatch(str(v)) for v in values]
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
        accounts_of = [ACCOUNT_ARN.fullmatch(t) for t in texts]
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


def if_exists(statement: Statement) -> bool:
    """Is a condition on the caller's account or ARN an ...IfExists one (true where it is absent)?"""
    from provisioner.iam import condition_entries

    return any(
        op.lower().endswith("ifexists") and key.lower() in ("aws:principalaccount", "aws:principalarn")
        for op, key, _ in condition_entries(statement.body.get("Condition")) or []
    )


def pattern_accounts(statement: Statement, ours: frozenset[str]) -> list[str]:
    """An account ID each StringLike pattern on aws:PrincipalAccount matches ("1234*" gives
    123400000000), not ours: any account so numbered gets in, so "*" is decided for it."""
    found: list[str] = []
    for operator, key, values in statement.conditions():
        if key.lower() != "aws:principalaccount" or not operator.lower().startswith("stringlike"):
            continue
        for value in map(str, values):
            if not any(c in value for c in "*?") or not re.fullmatch(r"[\d*?]+", value):
                continue
            fixed = value.replace("?", "0")
            room = 12 - len(fixed.replace("*", ""))
            # the first "*" takes the digits left, the others none ("*" matches any run)
            head, star, tail = fixed.partition("*")
            filled = head + "0" * room + tail.replace("*", "") if star and room >= 0 else fixed
            if len(filled) == 12 and filled not in ours:
                found.append(filled)
    return found
