"""Pure: the grants a bucket policy makes to an outside account (or to "*") directly, with no
role between: each statement, the party it names, the part of the bucket, the rights, and the
condition that decides it. The party's own account then decides for its principals
("Cross-account policy evaluation logic"): the caller's side is taken to allow. A statement
whose condition the evaluator cannot decide for the party is not decided (a WARN), never a pass."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.context import caller_context
from provisioner.iam import Statement, aws_principals, statements, strings
from provisioner.inventory.actions import OWNER_ONLY
from provisioner.inventory.model import ANYONE, Bucket, Direct
from provisioner.inventory.parts import PROBE_KEY, Guard, guarded, loosened, probes
from provisioner.inventory.sources import OURS, service_sources
from provisioner.model import account_of, session_arn
from provisioner.naming import AWS_SERVICE, UNKNOWN, Names, Party

SOMEONE = "111122223333"  # the account asked about for "*" (any account outside)
SERVICE = "service:"  # how an AWS service principal is written among the parties
THEIRS = Policy(
    "the caller's own policies (its account grants them)",
    {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
)


def direct_grants(
    bucket: Bucket,
    prefix: str,
    rights: Sequence[tuple[str, str]],
    names: Names,
    ours: frozenset[str],
    *,
    control: Sequence[str] = (),
    org_ids: frozenset[str] = frozenset(),
    bucket_accounts: Mapping[str, str] | None = None,
    rcps: Sequence[Sequence[Policy]] = (),
) -> list[Direct]:
    """Each Allow of the bucket's policy naming an outside account or "*", for each part under
    `prefix` it covers, with the `rights` ((name, action) pairs) it gives there. `control`: the
    bucket-level actions to ask about too (on the bucket itself, power beyond data); with them,
    a statement that gives a party none of these still lists it with the actions it names.
    `org_ids`, `bucket_accounts`: what decides for whom an AWS service acts (inventory.sources);
    `rcps`: the bucket's account's RCPs, which apply to every principal's request to it ("Resource
    control policies": they limit access to the account's resources whoever asks)."""
    if bucket.policy is None:
        return []
    policy = Policy(f"bucket policy of {bucket.name}", bucket.policy)
    # each part a statement names, a Deny's too: where a Deny (or a NotResource) ends a grant
    parts = probes([bucket.policy], bucket.name, prefix)
    # the Denies with no condition: where one applies, the grant is not there (no WARN about it)
    # the Denies that decide: with no condition, or one on keys whose value the caller cannot
    # choose (aws:PrincipalAccount, aws:PrincipalArn, our organization when read: parts.guarded)
    denies = [
        s.body for s in statements(bucket.policy) if s.effect == "Deny" and not guarded(s.body, bool(org_ids))
    ]
    every_deny = [s.body for s in statements(bucket.policy) if s.effect == "Deny"]
    # the Denies with one: where one applies and is not decided, it is what the WARN names
    guards = tuple(
        _Guard(_where(s), json.dumps(s.body["Condition"]), s.unconditioned)
        for s in statements(bucket.policy)
        if s.effect == "Deny" and "Condition" in s.body
    )
    loose, rcp_guards = loosened(Chain(rcps=rcps), bool(org_ids)) if rcps else (None, [])
    perimeter = (rcps, (loose.rcps if loose is not None else rcps), tuple(rcp_guards))
    found: list[Direct] = []
    for statement in statements(bucket.policy):
        if not statement.is_allow or _only_ours(statement, ours | {bucket.account}, org_ids):
            continue
        bare = Policy(policy.name, {"Statement": [statement.unconditioned]})
        condition = json.dumps(statement.body.get("Condition")) if "Condition" in statement.body else "none"
        where = _where(statement)
        mine = ours | {bucket.account}
        known = re.fullmatch(r"\d{12}", bucket.account) is not None
        outright = Policy(policy.name, {"Statement": [*bare.document["Statement"], *denies]})
        # the statement with its condition and every Deny: is this grant decided? (the whole
        # policy let another statement's grant make this one look certain: trial 22e item 2)
        own = Policy(policy.name, {"Statement": [statement.body, *every_deny]})
        callers = _callers(statement, names, mine, org_ids, bucket_accounts or {}, known)
        anyone_in = False
        spared = _spared(statement, callers, bucket.policy, names, mine)
        for index, (asking, party, fixed) in enumerate([*callers, *spared]):
            if index >= len(callers) and anyone_in:
                break  # anyone gets in: the accounts a Deny spares are among them
            grant = _Grant(
                party, asking, statement, bare, own, where, condition, fixed, outright, guards, *perimeter
            )
            given = grant.over(parts, rights)
            anyone_in = anyone_in or (party.account == ANYONE and bool(given))
            found += given
            if control:
                whole = grant.at(f"s3://{bucket.name} (the bucket)", f"arn:aws:s3:::{bucket.name}", control)
                if whole is not None:
                    found.append(replace(whole, rights=_short(whole.rights), power=_short(whole.rights)))
                elif (
                    not given
                    and _usable(statement)
                    and not grant.taken_back(bucket.name, [*rights, *control])
                ):
                    found.append(grant.named(bucket.name))  # granted something else: with what it names
    return found


_OURS_KEYS = {"aws:principalaccount": "accounts", "aws:principalorgid": "organizations"}


def _only_ours(statement: Statement, ours: frozenset[str], org_ids: frozenset[str]) -> bool:
    """Does the statement's condition require the caller's account or organization to be ours?
    IAM sets aws:PrincipalAccount to the account of the principal making the request and
    aws:PrincipalOrgID to its organization ("AWS global condition context keys"): no outside
    caller can meet StringEquals on our accounts, or our organization's ID, so the statement
    grants no outside party anything (trial 22e: a false WARN, medium, for anyone)."""
    from provisioner.iam import condition_entries

    for operator, key, values in condition_entries(statement.body.get("Condition")) or []:
        kind = _OURS_KEYS.get(key.lower())
        if kind is None or operator.lower().removesuffix("ifexists") not in ("stringequals", "stringlike"):
            continue
        texts = [str(v) for v in values]
        if not texts or any("*" in t or "?" in t or "${" in t for t in texts):
            continue
        if all(t in (ours if kind == "accounts" else org_ids) for t in texts):
            return True
    return False


def _pinned_accounts(statement: Statement) -> dict[str, list[str]]:
    """The accounts a condition limits the statement to, each with the principals it names: a
    StringEquals on aws:PrincipalAccount (literal account IDs), or an ARN or string operator on
    aws:PrincipalArn whose every value names its account literally and no wildcard; {} when
    neither does."""
    from provisioner.iam import condition_entries

    arns = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):(role|user)/[\w+=,.@/-]+")
    for operator, key, values in condition_entries(statement.body.get("Condition")) or []:
        texts = [str(v) for v in values]
        base, name = operator.lower(), key.lower()
        accounts = texts and all(re.fullmatch(r"\d{12}", t) for t in texts)
        if name == "aws:principalaccount" and base == "stringequals" and accounts:
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
    return {}


def _role_names(statement: Statement) -> list[str]:
    """Role names an aws:PrincipalArn pattern with any account asks for (arn:aws:iam::*:role/x):
    any account can create a role so named."""
    from provisioner.iam import condition_entries

    found: list[str] = []
    for _, key, values in condition_entries(statement.body.get("Condition")) or []:
        if key.lower() != "aws:principalarn":
            continue
        for value in values:
            match = re.fullmatch(r"arn:aws[\w-]*:iam::[*?]+:role/([\w+=,.@-]+)", str(value))
            if match is not None:
                found.append(match.group(1))
    return found


def _spared(
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
        if deny.effect != "Deny" or not isinstance(deny.body.get("NotPrincipal"), dict):
            continue
        for principal in strings(deny.body["NotPrincipal"].get("AWS")):
            account = principal if re.fullmatch(r"\d{12}", principal) else account_of(principal)
            if account and account not in ours:
                spared.setdefault(account, []).append(principal)
    found: list[tuple[list[str], Party, tuple[bool, str] | None]] = []
    for account, principals in sorted(spared.items()):
        asking = {f"arn:aws:iam::{account}:root", *(caller_of(p, account) for p in principals)}
        found.append((sorted(asking), names.party(account, ours, ()), None))
    return found


def _usable(statement: Statement) -> bool:
    """Does the statement name an action another account can use? PutBucketPolicy and
    DeleteBucketPolicy only the bucket owner's account can call (Amazon S3 API Reference)."""
    actions = strings(statement.body.get("Action"))
    return not actions or any(a not in OWNER_ONLY for a in actions)


def _short(actions: Sequence[str]) -> tuple[str, ...]:
    return tuple(a.removeprefix("s3:") for a in actions)


def _where(statement: Statement) -> str:
    """The statement that decides, as a report names it."""
    where = statement.shown
    spared = statement.body.get("NotPrincipal")
    if spared is not None:
        where += f" (NotPrincipal: every principal but {json.dumps(spared)})"
    return where


def _callers(
    statement: Statement,
    names: Names,
    ours: frozenset[str],
    org_ids: frozenset[str],
    bucket_accounts: Mapping[str, str],
    owner: bool = True,
) -> list[tuple[list[str], Party, tuple[bool, str] | None]]:
    """(callers to ask as, party, its fixed verdict) for each outside account, "*" and AWS service
    the statement names; an Allow with NotPrincipal names every account but those it spares ("AWS
    JSON policy elements: NotPrincipal"). A service's verdict is its source conditions' (for
    another account's resources: that account is the party, through the service); `owner`: the
    bucket's account is known."""
    named = {ANYONE if p == "*" else account_of(p) for p in aws_principals(statement)}
    if statement.body.get("Principal") == "*" or "NotPrincipal" in statement.body:
        named.add(ANYONE)
    pinned = _pinned_accounts(statement)
    if ANYONE in named and pinned and "NotPrincipal" not in statement.body:
        # "*" narrowed to named accounts by aws:PrincipalAccount or aws:PrincipalArn (set by IAM
        # to the caller's account and ARN): those accounts are the parties, not anyone
        named = (named - {ANYONE}) | set(pinned)
    callers: list[tuple[list[str], Party, tuple[bool, str] | None]] = []
    for account in sorted(a for a in named if a and a not in ours):
        own = [p for p in aws_principals(statement) if p != "*" and account_of(p) == account]
        own += pinned.get(account, [])  # the roles aws:PrincipalArn names: asked as their sessions
        if account == ANYONE:
            anyone = Party(ANYONE, "anyone (any AWS account)", "anyone")
            # any account may name its role as an aws:PrincipalArn pattern of any account asks
            names_ = ["any-role", *_role_names(statement)]
            callers.append(([session_arn(SOMEONE, n, "session") for n in names_], anyone, None))
            continue
        for party, mine in names.parties(account, ours, own):  # one account, maybe several parties
            asking = {c for p in mine or [account] for c in callers_of(p, account)}
            callers.append((sorted(asking), party, None))
    for canonical in _canonical_users(statement.body):  # an account by its S3 canonical user ID
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


@dataclass(frozen=True)
class _Guard:
    """A bucket policy's Deny with a condition: where it is, the condition, and the statement
    without it (does it apply to the request at all?)."""

    where: str
    condition: str
    bare: dict[str, Any]


@dataclass(frozen=True)
class _Grant:
    """One statement's grant to one party, asked part by part."""

    party: Party
    asking: list[str]
    statement: Statement
    bare: Policy  # the statement without its condition: does it cover the request at all?
    policy: Policy  # the statement with its condition, and every Deny: does it let it through?
    where: str
    condition: str
    fixed: tuple[bool, str] | None = None  # a service's verdict (decided, note): its source conditions
    outright: Policy | None = None  # the statement without its condition, with the unconditional Denies
    guards: tuple[_Guard, ...] = ()  # the Denies with a condition
    rcps: Sequence[Sequence[Policy]] = ()  # the bucket's account's RCPs: they apply to every caller
    # the RCPs without what the caller's choices decide (parts.loosened), and those statements
    settled_rcps: Sequence[Sequence[Policy]] = ()
    rcp_guards: tuple[Guard, ...] = ()

    def _chain(self, policy: Policy) -> Chain:
        """The caller's request to the bucket under `policy` (the caller's own side allowing)."""
        return Chain(identity=[THEIRS], resource=[policy], rcps=self.rcps, cross_account=True)

    def over(self, parts: Sequence[tuple[str, str]], rights: Sequence[tuple[str, str]]) -> list[Direct]:
        """The grant over the parts (the prefix itself first): the prefix with the deeper parts
        where it does not hold named as exceptions, and a deeper part that adds a right or is
        decided otherwise; without the prefix, each deeper part it holds on."""
        (head_part, head_resource), *deeper = parts
        head = self.at(head_part, head_resource, rights)
        shown = [(part, self.at(part, resource, rights)) for part, resource in deeper]
        if head is None:
            return [d for _, d in shown if d is not None]
        exceptions: list[str] = []
        extra: list[Direct] = []
        for part, found in shown:
            missing = [r for r in head.rights if found is None or r not in found.rights]
            if missing:
                every = len(missing) == len(head.rights)
                exceptions.append(part if every else f"{' and '.join(missing)} on {part}")
            if found is not None and (found.decided != head.decided or set(found.rights) - set(head.rights)):
                extra.append(found)
        if exceptions:
            head = replace(head, part=f"{head.part} (except {', '.join(exceptions)})")
        return [head, *extra]

    def at(
        self, part: str, resource: str, rights: Sequence[tuple[str, str]] | Sequence[str]
    ) -> Direct | None:
        """The grant on one part: the rights it covers there (None: none)."""
        service = self.fixed is not None
        given: list[str] = []
        decided = True
        open_: list[Request] = []  # covered, but the whole policy does not decide them allowed
        entered: set[str] = set()  # the callers that get in
        for right in rights:
            name, action = right if isinstance(right, tuple) else (right, right)
            requests = [Request(c, action, resource, caller_context(c)) for c in self.asking]
            bare = Chain(identity=[THEIRS], resource=[self.bare], cross_account=True)
            covered = [r for r in requests if authorize(bare, r).allowed]
            if self.outright is not None:  # an unconditional Deny ends the grant here
                outright = Chain(identity=[THEIRS], resource=[self.outright], cross_account=True)
                covered = [r for r in covered if authorize(outright, r).allowed]
            if self.rcps and not service:  # so does an RCP that refuses it, but for its condition
                ending = Chain(
                    identity=[THEIRS], resource=[self.bare], rcps=self.settled_rcps, cross_account=True
                )
                covered = [r for r in covered if authorize(ending, r).allowed]
            if not covered:
                continue  # the statement does not cover this action or object (or a Deny ends it)
            if name not in given:
                given.append(name)
            if not service:
                full = self._chain(self.policy)
                refused = [r for r in covered if not authorize(full, r).allowed]
                if len(refused) < len(covered):
                    # one of the party's principals gets in, decided (anyone: a caller that names
                    # its role so; an account: its root user where a Deny spares only that)
                    entered.update(r.principal for r in covered if r not in refused)
                    refused = []
                open_ += refused
                decided = not open_
        if not given:
            return None
        note = ""
        if self.fixed is not None:  # the service acts for whoever uses it: the source conditions decide
            decided, note = self.fixed
        elif entered and all(c.endswith(":root") for c in entered):
            note = f"only as the root user of {self.party.account}: a Deny refuses its roles and users"
        bucket = resource.split(":::", 1)[1].split("/", 1)[0]
        condition = self._deciding(open_)
        return Direct(self.party, self.where, bucket, part, tuple(given), condition, decided, note)

    def _deciding(self, open_: Sequence[Request]) -> str:
        """The conditions a request not decided depends on: the grant's own, and those of the
        Denies that apply to it (a Deny's condition decides as much as the Allow's does)."""
        said = [self.condition] if self.condition != "none" or not open_ else []
        said += [
            g.words
            for g in self.rcp_guards
            if any(g.refuses(r.principal, r.resource, [r.action], r.context) for r in open_)
        ]
        for guard in self.guards:
            alone = Policy(self.policy.name, {"Statement": [*self.bare.document["Statement"], guard.bare]})
            chain = Chain(identity=[THEIRS], resource=[alone], cross_account=True)
            if any(not authorize(chain, r).allowed for r in open_):
                said.append(f"Deny {guard.where}: {guard.condition}")
        return "; ".join(said) or self.condition

    def taken_back(self, bucket: str, asked: Sequence[tuple[str, str] | str]) -> bool:
        """Does an unconditional Deny take back all the statement gives of what was asked, and of
        each action it names outright, on the bucket and on an object in it? (A statement naming
        actions only by wildcard, or by NotAction, is taken as giving something else.)"""
        if self.outright is None:
            return False
        actions = [a if isinstance(a, str) else a[1] for a in asked]
        actions += [a for a in strings(self.statement.body.get("Action")) if "*" not in a and "?" not in a]
        resources = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{PROBE_KEY}"]
        requests = [
            Request(c, action, r, caller_context(c))
            for c in self.asking
            for action in actions
            for r in resources
        ]
        bare = Chain(identity=[THEIRS], resource=[self.bare], cross_account=True)
        outright = replace(self._chain(self.outright), rcps=self.settled_rcps)
        covered = [r for r in requests if authorize(bare, r).allowed]
        return bool(covered) and not any(authorize(outright, r).allowed for r in covered)

    def named(self, bucket: str) -> Direct:
        """A grant of none of the actions asked about: the actions it names, as written."""
        body = self.statement.body
        actions = _short(strings(body.get("Action"))) or tuple(
            f"every action but {a}" for a in _short(strings(body.get("NotAction")))
        )
        decided, note = self.fixed if self.fixed is not None else (self.condition == "none", "")
        resources = strings(body.get("Resource")) or [f"not {r}" for r in strings(body.get("NotResource"))]
        part = ", ".join(r.replace("arn:aws:s3:::", "s3://") for r in resources) or f"s3://{bucket}"
        return Direct(self.party, self.where, bucket, part, actions, self.condition, decided, note)


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


def _canonical_users(body: dict[str, Any]) -> list[str]:
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
