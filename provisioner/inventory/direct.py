"""Pure: the grants a bucket policy makes to an outside account (or to "*") directly, with no
role between: each statement, the party it names, the part of the bucket, the rights, and the
condition that decides it. The party's own account then decides for its principals
("Cross-account policy evaluation logic"): the caller's side is taken to allow. A statement
whose condition the evaluator cannot decide for the party is not decided (a WARN), never a pass."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import Statement, statements, strings
from provisioner.inventory.actions import OWNER_ONLY
from provisioner.inventory.callers import (
    ANONYMOUS,
    asking_context,
    callers,
    chosen_by_caller,
    own_folder_accounts,
    spared,
)
from provisioner.inventory.model import ANYONE, Bucket, Direct
from provisioner.inventory.narrowing import ORGANIZATION, only_ours
from provisioner.inventory.parts import PROBE_KEY, Guard, fill, guarded, loosened, probes
from provisioner.inventory.session_tags import variants
from provisioner.model import session_arn
from provisioner.naming import Names, Party

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
    # and an RCP's: where its Deny (or NotResource) ends a grant (trial 22r item 9)
    parts = probes([bucket.policy, *(p.document for level in rcps for p in level)], bucket.name, prefix)
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
    version = {"Version": bucket.policy["Version"]} if "Version" in bucket.policy else {}
    for statement in statements(bucket.policy):
        if not statement.is_allow or only_ours(statement, ours | {bucket.account}, org_ids):
            continue
        # each policy made of its statements keeps its Version: policy variables need 2012-10-17
        bare = Policy(policy.name, {**version, "Statement": [statement.unconditioned]})
        condition = json.dumps(statement.body.get("Condition")) if "Condition" in statement.body else "none"
        where = _where(statement)
        mine = ours | {bucket.account}
        known = re.fullmatch(r"\d{12}", bucket.account) is not None
        outright = Policy(policy.name, {**version, "Statement": [*bare.document["Statement"], *denies]})
        # the statement with its condition and every Deny: is this grant decided? (the whole
        # policy let another statement's grant make this one look certain: trial 22e item 2)
        own = Policy(policy.name, {**version, "Statement": [statement.body, *every_deny]})
        named = callers(statement, names, mine, org_ids, bucket_accounts or {}, known, bucket.policy)
        named += _owners(named, statement, parts, names, mine)
        anyone_in = False
        sparing = spared(statement, named, bucket.policy, names, mine)
        for index, (asking, party, fixed) in enumerate([*named, *sparing]):
            if index >= len(named) and anyone_in:
                break  # anyone gets in: the accounts a Deny spares are among them
            grant = _Grant(
                party, asking, statement, bare, own, where, condition, fixed, outright, guards, *perimeter,
                chosen=_chosen(statement, party),
            )  # fmt: skip
            given = grant.over(parts, rights)
            anyone_in = anyone_in or (party.account == ANYONE and bool(given))
            found += given
            found += grant.control(bucket.name, bool(given), rights, control) if control else []
    return found


def _owners(
    named: list[Any], statement: Statement, parts: Any, names: Names, mine: frozenset[str]
) -> list[Any]:
    """Beside a grant to "*", each account whose own folder a part is (callers.own_folder_accounts)."""
    if not any(party.account == ANYONE for _, party, _ in named):
        return []
    owners = own_folder_accounts(statement, [r for _, r in parts], mine)
    return [([session_arn(a, "any-role", "session")], names.party(a, mine, ()), None) for a in owners]


def _chosen(statement: Statement, party: Party) -> dict[str, str]:
    """The keys the party's callers set as they ask, and the organization of a party that is one."""
    chosen = chosen_by_caller(statement, anyone=party.account == ANYONE)
    if party.account.startswith(ORGANIZATION):
        chosen["aws:PrincipalOrgID"] = party.account.removeprefix(ORGANIZATION)
    return chosen


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
    chosen: Mapping[str, Any] = field(default_factory=dict)  # the keys the caller sets as it asks

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
        contexts = [(c, {**asking_context(c), **self.chosen}) for c in self.asking]
        # over TLS, and over HTTP where a policy reads aws:SecureTransport (trial 22s item 1); a
        # signed caller's tags are its own account's to choose: asked at the values a variable or
        # a condition needs (session_tags.tag_contexts; trial 22s item 3). Once for every right.
        chain = self._chain(self.policy)
        asked = [
            (c, option)
            for c, ctx in contexts
            for option in variants(chain, fill(resource, ctx), ctx, c != ANONYMOUS)
        ]
        for right in rights:
            name, action = right if isinstance(right, tuple) else (right, right)
            requests = [Request(c, action, fill(resource, option), option) for c, option in asked]
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
        elif entered == {ANONYMOUS}:
            note = "only as anonymous (unsigned) requests: the condition refuses signed ones"
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
            alone = Policy(
                self.policy.name,
                {**self.bare.document, "Statement": [*self.bare.document["Statement"], guard.bare]},
            )
            chain = Chain(identity=[THEIRS], resource=[alone], cross_account=True)
            if any(not authorize(chain, r).allowed for r in open_):
                said.append(f"Deny {guard.where}: {guard.condition}")
        return "; ".join(said) or self.condition

    def control(
        self, bucket: str, given: bool, rights: Sequence[tuple[str, str]], control: Sequence[str]
    ) -> list[Direct]:
        """The bucket-level `control` actions it gives on the bucket itself (power beyond data);
        or, where it gives none of them and none of the `rights` (`given`), the actions it
        names, unless an unconditional Deny takes them all back."""
        whole = self.at(f"s3://{bucket} (the bucket)", f"arn:aws:s3:::{bucket}", control)
        if whole is not None:
            return [replace(whole, rights=_short(whole.rights), power=_short(whole.rights))]
        if not given and _usable(self.statement) and not self.taken_back(bucket, [*rights, *control]):
            return [self.named(bucket)]  # granted something else: with what it names
        return []

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
            Request(c, action, r, {**asking_context(c), **self.chosen})
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
