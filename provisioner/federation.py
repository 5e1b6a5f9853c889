"""Pure: who a trust lets in through a federated identity provider (Principal.Federated with
sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML), and whether a condition on the
provider's subject claim pins who that is. One decision, read by audit (a rule and the listing),
inventory and who-can (the party), and lint (the same rule before a trust is deployed).

The providers' claims are data (policies/federated-providers.json). A statement is judged by its
conditions on the provider's pinning keys (ISSUER:sub for GitHub Actions, ISSUER:aud for Cognito,
...), together with Deny guards (`StringNotEquals`/`StringNotLike` on such a key): conditions of
one statement all apply ("Condition": every operator must match), so one that pins is enough.
IfExists and ForAnyValue/ForAllValues read as the plain operator: the token always carries these
claims (OpenID Connect Core 1.0, 2: `sub` and `aud` are REQUIRED), so the request has one value.
What is not modelled (another operator, a policy variable, a Deny guard with more conditions, a
provider claim that is not a pinning key) is "not decided: ...", never silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from provisioner.iam import Statement, action_matches, strings

WEB = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
PREFIX = "federated:"  # how a federated party is written among the accounts that get in
ANY_SUBJECT = "federated-any-subject"
NOT_PINNED = "federated-subject-not-pinned"
NOT_DECIDED = "federated-not-decided"
RULES = (ANY_SUBJECT, NOT_PINNED, NOT_DECIDED)
_WILD = re.compile(r"[*?]")


@dataclass(frozen=True)
class Provider:
    issuer: str  # the host (and path) the trust names; "saml-provider/NAME" for SAML
    name: str
    public: bool
    keys: tuple[str, ...]  # full condition keys that pin the caller, lower case
    subject: str
    example: str
    pinned: str | None = None
    owner: str | None = None
    owner_word: str = ""
    saml: bool = False

    @property
    def key(self) -> str:
        """The key the remediation conditions on (as the trust writes it)."""
        return self.keys[0] if self.saml else f"{self.issuer}:{self.keys[0].rpartition(':')[2]}"


@dataclass(frozen=True)
class Access:
    """One federated provider a trust statement lets in, and how far it is pinned."""

    provider: Provider
    where: str  # the Allow statement's path
    status: str  # "pinned" (one subject), "owner" (one organization), "any", "undecided"
    values: tuple[str, ...] = ()  # the values that pin it
    why: str = ""  # for "undecided": what is not modelled
    but: tuple[str, ...] = ()  # for "any": the subjects a negated condition shuts out
    patterns: tuple[str, ...] = ()  # for "any": the StringLike patterns it must match

    @property
    def admits(self) -> str:
        """Who gets in, in words: "any repository", "any repository but X", "… matching P"."""
        words = f"any {self.provider.subject}"
        if self.patterns:
            words += f" matching {', '.join(self.patterns)}"
        if self.but:
            words += f" but {', '.join(self.but)}"
        return words

    @property
    def party(self) -> str:
        """The party as inventory and who-can name it."""
        name = self.provider.name
        if self.status in ("pinned", "owner"):
            return f"{name}: {', '.join(self.values)}"
        if self.status == "undecided":
            return f"{name} (not decided: {self.why})"
        return f"{name} ({self.admits})"

    @property
    def token(self) -> str:
        return PREFIX + self.party

    @property
    def condition(self) -> str:
        """The condition that decides it, in words."""
        if self.status in ("pinned", "owner"):
            return f"{self.provider.key} {' or '.join(self.values)}"
        if self.status == "undecided":
            return f"not decided: {self.why}"
        if self.patterns or self.but:
            return f"{self.admits}: no condition on {self.provider.key} pins one {self.provider.subject}"
        return f"none: no condition on {self.provider.key} that pins the {self.provider.subject}"

    @property
    def rule(self) -> str | None:
        if self.status == "undecided":
            return NOT_DECIDED
        if self.status != "any" or self.provider.saml:
            return None
        return ANY_SUBJECT if self.provider.public else NOT_PINNED

    @property
    def message(self) -> str:
        p = self.provider
        action = SAML if p.saml else WEB
        if self.status == "undecided":
            return (
                f"not decided: who {p.name} ({p.issuer}) lets in through {action}: {self.why}; "
                f'pin it with "StringEquals": {{"{p.key}": "{p.example}"}}'
            )
        who = "anyone with a token from it" if p.public else f"every {p.subject}"
        if self.patterns:
            who = f"a pattern: whoever holds a matching {p.subject}"
        if self.but:
            who += f"; {', '.join(self.but)} alone is shut out"
        return (
            f"{self.admits} can assume the role: the trust lets {p.name} ({p.issuer}) in through "
            f"{action} with no condition on {p.key} that pins one ({who}); add "
            f'"Condition": {{"StringEquals": {{"{p.key}": "{p.example}"}}}}'
        )


@cache
def _data() -> dict[str, Any]:
    from provisioner.data import load_json

    loaded: dict[str, Any] = load_json("federated-providers.json")
    return loaded


def provider_of(principal: str) -> Provider:
    """The provider a Principal.Federated value names: an IAM OIDC provider ARN
    (arn:aws:iam::ACCOUNT:oidc-provider/HOST[/PATH]), a SAML provider ARN, or a built-in
    provider's name (accounts.google.com, cognito-identity.amazonaws.com, ...)."""
    data = _data()
    if ":saml-provider/" in principal:
        raw = data["saml"]
        issuer = "saml-provider/" + principal.partition(":saml-provider/")[2]
        return _provider(raw, issuer, f"{raw['name']} {issuer.partition('/')[2]}", saml=True)
    issuer = principal.partition(":oidc-provider/")[2] if ":oidc-provider/" in principal else principal
    issuer = issuer.removeprefix("https://").rstrip("/")
    for raw in data["providers"]:
        if raw["issuer"].lower() == issuer.lower():
            return _provider(raw, issuer, raw["name"])
    raw = data["other_oidc"]
    return _provider(raw, issuer, f"{raw['name']} {issuer}")


def _provider(raw: dict[str, Any], issuer: str, name: str, *, saml: bool = False) -> Provider:
    keys = tuple(k.lower() if saml else f"{issuer}:{k}".lower() for k in raw["keys"])
    return Provider(
        issuer,
        name,
        bool(raw["public"]),
        keys,
        raw["subject"],
        raw["example"],
        raw.get("pinned"),
        raw.get("owner"),
        raw.get("owner_word", ""),
        saml,
    )


def _allows(statement: Statement) -> list[str]:
    """The federated actions the statement's Action (or NotAction) covers."""
    body = statement.body
    if "NotAction" in body:
        excluded = strings(body.get("NotAction"))
        return [a for a in (WEB, SAML) if not any(action_matches(p, a) for p in excluded)]
    return [a for a in (WEB, SAML) if any(action_matches(p, a) for p in strings(body.get("Action")))]


def _federated(statement: Statement) -> list[str]:
    principal = statement.body.get("Principal")
    return strings(principal.get("Federated")) if isinstance(principal, dict) else []


def federated_access(statements: list[Statement]) -> list[Access]:
    """Each (Allow statement, provider) that lets a federated caller in, judged."""
    denies = [s for s in statements if s.effect == "Deny"]
    found: list[Access] = []
    for statement in statements:
        if not statement.is_allow:
            continue
        actions = _allows(statement)
        for principal in _federated(statement):
            provider = provider_of(principal)
            action = SAML if provider.saml else WEB
            if action not in actions:
                continue
            judged = _judge(statement, provider, principal, action, denies)
            if judged is not None:
                found.append(judged)
    return found


def _judge(
    statement: Statement, provider: Provider, principal: str, action: str, denies: list[Statement]
) -> Access | None:
    """The Allow's conditions on the pinning keys, and the Deny guards', for one provider
    (None: a Deny with no condition shuts it out)."""
    pins: list[tuple[str, list[str]]] = []  # (StringEquals|StringLike, values): each must hold
    undecided: list[str] = []
    excluded: list[str] = []  # the Allow's own StringNotEquals values: all but these get in
    for operator, key, values in statement.conditions():
        lowered = key.lower()
        if lowered in provider.keys:
            _read(operator, key, values, pins, undecided, negated=False, excluded=excluded)
        elif lowered.startswith(provider.issuer.lower() + ":") and not lowered.endswith((":aud", ":amr")):
            undecided.append(f"{operator} on {key}, a claim this analysis does not read")
    for deny in denies:
        if not _applies(deny, principal, action):
            continue
        conditions = list(deny.conditions())
        if not conditions:
            return None  # denied whatever the token says
        on_keys = [c for c in conditions if c[1].lower() in provider.keys]
        if on_keys and len(conditions) == 1:
            operator, key, values = on_keys[0]
            _read(operator, key, values, pins, undecided, negated=True)
        elif on_keys:
            undecided.append(
                f"the Deny guard at {deny.path} has more conditions than the one on {on_keys[0][1]}"
            )
    found = _verdict(statement.path, provider, pins, undecided, excluded)
    if provider.issuer == COGNITO and found.status in ("pinned", "owner") and _guests(statement):
        pools = ", ".join(found.values)
        why = f"guest identities of {pools} too: anyone with the pool ID, where it allows guests (not read)"
        return replace(found, status="undecided", why=why)
    return found


COGNITO = "cognito-identity.amazonaws.com"


def _guests(statement: Statement) -> bool:
    """Does the Allow let a Cognito identity pool's guest identities in? Amazon Cognito Developer
    Guide, "IAM roles" (role trust and permissions): the amr claim of a guest is
    "unauthenticated", of a signed-in user "authenticated"; a trust reading no amr, or allowing
    "unauthenticated" (or a pattern), lets guests in."""
    for operator, key, values in statement.conditions():
        if key.lower() != f"{COGNITO}:amr":
            continue
        base = operator.rpartition(":")[2].lower().removesuffix("ifexists")
        texts = [str(v).lower() for v in values]
        if "not" in base:
            return not any(t in ("unauthenticated", "*") for t in texts)
        return any(t == "unauthenticated" or _WILD.search(t) for t in texts)
    return True


def _applies(deny: Statement, principal: str, action: str) -> bool:
    """Does the Deny name this federated principal (or everyone) and the action? A Deny it is
    not sure of is left out: leaving one out can only show more access, never less."""
    body = deny.body
    if "Action" not in body:
        return False
    named = body.get("Principal") == "*" or principal in _federated(deny) or "*" in _federated(deny)
    return named and any(action_matches(p, action) for p in strings(body.get("Action")))


def _read(
    operator: str,
    key: str,
    values: list[Any],
    pins: list[tuple[str, list[str]]],
    undecided: list[str],
    *,
    negated: bool,
    excluded: list[str] | None = None,
) -> None:
    op = operator.split(":", 1)[-1].removesuffix("IfExists")
    negations = ("StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase")
    wanted = negations if negated else ("StringEquals", "StringLike", "StringEqualsIgnoreCase")
    texts = [v for v in values if isinstance(v, str)]
    # an Allow's negated condition: every subject but these ("Condition operators": negated
    # matching; the token always carries the claim), unless a value is a policy variable
    negation = excluded is not None and op in negations and texts and len(texts) == len(values)
    if negation and excluded is not None and not any("${" in v for v in texts):
        excluded.extend(texts)
        return
    if op not in wanted or len(texts) != len(values) or not texts:
        where = "a Deny guard's " if negated else ""
        undecided.append(f"{where}{operator} on {key}")
        return
    if any("${" in v for v in texts):
        undecided.append(f"{operator} on {key} holds a policy variable ({texts[0]})")
        return
    like = op.endswith("Like")
    pins.append(("StringLike" if like else "StringEquals", texts))


def _verdict(
    where: str,
    provider: Provider,
    pins: list[tuple[str, list[str]]],
    undecided: list[str],
    excluded: list[str] | None = None,
) -> Access:
    """The best of the conditions (all of them hold): one that pins every value pins."""
    best: Access | None = None
    rank = {"pinned": 0, "owner": 1}
    patterns: tuple[str, ...] = ()
    for operator, values in pins:
        # a StringEquals value matches itself alone ("Condition operators": no wildcard)
        levels = [_level(provider, v) if operator == "StringLike" else "pinned" for v in values]
        level = "any" if "any" in levels else ("owner" if "owner" in levels else "pinned")
        if level == "any":
            if not patterns and not any(_anything(provider, v) for v in values):
                patterns = tuple(values)  # a pattern that pins no one subject: worded as written
            continue
        if best is None or rank[level] < rank[best.status]:
            best = Access(provider, where, level, tuple(values))
    if best is not None:
        return best
    if undecided:
        return Access(provider, where, "undecided", why="; ".join(undecided))
    return Access(provider, where, "any", but=tuple(dict.fromkeys(excluded or ())), patterns=patterns)


def _anything(provider: Provider, pattern: str) -> bool:
    """Does a StringLike pattern match every subject of the provider: wildcards only after a
    start every subject has ("*", "repo:*" for GitHub: the example's text up to its first ':')?"""
    literal = _WILD.split(pattern, 1)[0]
    rest = pattern[len(literal) :]
    if rest.strip("*"):
        return False
    start = provider.example.split(":", 1)[0] + ":" if ":" in provider.example else ""
    return start.startswith(literal)


def _level(provider: Provider, pattern: str) -> str:
    """How far one StringLike pattern pins: one subject, one owner, or any."""
    if not _WILD.search(pattern):
        return "pinned"
    if provider.pinned and re.match(provider.pinned, pattern):
        return "pinned"
    if provider.owner and re.match(provider.owner, pattern):
        return "owner"
    return "any"


def users_of(provider: Provider) -> str:
    """The party an identity provider lets in, as a report words it: its users, by issuer."""
    if provider.saml:
        return f"users of the SAML provider {provider.issuer.partition('/')[2]}"
    return f"users of {provider.issuer}"


def assumed_by(reached_by: tuple[str, ...], federated: tuple[Access, ...]) -> str:
    """Who can assume a role, in words: "another account" for the AWS accounts that get in, and
    "users of ISSUER" for each identity provider (never "another account" for those)."""
    parts: list[str] = []
    if any(not a.startswith(PREFIX) for a in reached_by):
        parts.append("another account")
    parts += dict.fromkeys(users_of(a.provider) for a in federated)
    return " and ".join(parts) or "another account"


def token_words(token: str) -> str:
    """A federated party token of `reached_by` ("federated:GitHub Actions (any repository)") as
    a report shows it: "users of token.actions.githubusercontent.com (GitHub Actions (any
    repository))". The issuer is found from the provider's name in the data file."""
    party = token.removeprefix(PREFIX)
    data = _data()
    for raw in data["providers"]:
        if party.startswith(raw["name"]):
            return f"users of {raw['issuer']} ({party})"
    for key in ("other_oidc", "saml"):
        name = data[key]["name"]
        if party.startswith(name + " "):
            issuer = party.removeprefix(name + " ").split(" ", 1)[0].rstrip(":")
            kind = "the SAML provider " if key == "saml" else ""
            return f"users of {kind}{issuer} ({party})"
    return f"users of an identity provider ({party})"
