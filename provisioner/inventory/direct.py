"""Pure: the grants a bucket policy makes to an outside account (or to "*") directly, with no
role between: each statement, the party it names, the part of the bucket, the rights, and the
condition that decides it. The party's own account then decides for its principals
("Cross-account policy evaluation logic"): the caller's side is taken to allow. A statement
whose condition the evaluator cannot decide for the party is not decided (a WARN), never a pass."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.evaluation.context import caller_context
from provisioner.iam import Statement, aws_principals, statements, strings
from provisioner.inventory.model import ANYONE, Bucket, Direct
from provisioner.inventory.parts import probes
from provisioner.model import account_of, session_arn
from provisioner.naming import AWS_SERVICE, Names, Party

SOMEONE = "111122223333"  # the account asked about for "*" (any account outside)
SERVICE = "service:"  # how an AWS service principal is written among the parties
# The keys that tie a service's request to the resource (and account) it acts for (IAM User
# Guide, "The confused deputy problem" and "AWS global condition context keys").
SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")
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
) -> list[Direct]:
    """Each Allow of the bucket's policy naming an outside account or "*", for each part under
    `prefix` it covers, with the `rights` ((name, action) pairs) it gives there. `control`: the
    bucket-level actions to ask about too (on the bucket itself, power beyond data); with them,
    a statement that gives a party none of these still lists it with the actions it names."""
    if bucket.policy is None:
        return []
    policy = Policy(f"bucket policy of {bucket.name}", bucket.policy)
    found: list[Direct] = []
    for statement in statements(bucket.policy):
        if not statement.is_allow:
            continue
        bare = Policy(
            policy.name, {"Statement": [{k: v for k, v in statement.body.items() if k != "Condition"}]}
        )
        condition = json.dumps(statement.body.get("Condition")) if "Condition" in statement.body else "none"
        where = _where(statement)
        for asking, party in _callers(statement, names, ours):
            grant = _Grant(party, asking, statement, bare, policy, where, condition)
            given: list[Direct] = []
            for part, resource in probes([{"Statement": [statement.body]}], bucket.name, prefix):
                found_here = grant.at(part, resource, rights)
                if found_here is not None:
                    given.append(found_here)
                    if part == f"s3://{bucket.name}/{prefix}*":
                        break  # the prefix itself: every part under it
            found += given
            if control:
                whole = grant.at(f"s3://{bucket.name} (the bucket)", f"arn:aws:s3:::{bucket.name}", control)
                if whole is not None:
                    found.append(replace(whole, rights=_short(whole.rights), power=_short(whole.rights)))
                elif not given:  # granted something else: still a party, with what it names
                    found.append(grant.named(bucket.name))
    return found


def _short(actions: Sequence[str]) -> tuple[str, ...]:
    return tuple(a.removeprefix("s3:") for a in actions)


def _where(statement: Statement) -> str:
    """The statement that decides, as a report names it."""
    sid = statement.body.get("Sid")
    where = statement.path + (f" (Sid {sid})" if isinstance(sid, str) else "")
    spared = statement.body.get("NotPrincipal")
    if spared is not None:
        where += f" (NotPrincipal: every principal but {json.dumps(spared)})"
    return where


def _callers(statement: Statement, names: Names, ours: frozenset[str]) -> list[tuple[list[str], Party]]:
    """(callers to ask as, party) for each outside account, "*" and AWS service the statement
    names; an Allow with NotPrincipal names every account but those it spares ("AWS JSON policy
    elements: NotPrincipal")."""
    named = {ANYONE if p == "*" else account_of(p) for p in aws_principals(statement)}
    if statement.body.get("Principal") == "*" or "NotPrincipal" in statement.body:
        named.add(ANYONE)
    callers: list[tuple[list[str], Party]] = []
    for account in sorted(a for a in named if a and a not in ours):
        own = [p for p in aws_principals(statement) if p != "*" and account_of(p) == account]
        party = (
            names.party(account, ours, own)
            if account != ANYONE
            else Party(ANYONE, "anyone (any AWS account)", "anyone")
        )
        asked = [session_arn(SOMEONE, "any-role", "session")] if account == ANYONE else []
        callers.append((asked or sorted({caller_of(p, account) for p in own}), party))
    for name in service_principals(statement.body):  # an AWS service: its source conditions decide
        callers.append(([name], Party(SERVICE + name, name, AWS_SERVICE, "Principal.Service")))
    return callers


@dataclass(frozen=True)
class _Grant:
    """One statement's grant to one party, asked part by part."""

    party: Party
    asking: list[str]
    statement: Statement
    bare: Policy  # the statement without its condition: does it cover the request at all?
    policy: Policy  # the whole bucket policy: does the condition (or a Deny) let it through?
    where: str
    condition: str

    def at(
        self, part: str, resource: str, rights: Sequence[tuple[str, str]] | Sequence[str]
    ) -> Direct | None:
        """The grant on one part: the rights it covers there (None: none)."""
        service = self.party.account.startswith(SERVICE)
        given: list[str] = []
        decided = True
        for right in rights:
            name, action = right if isinstance(right, tuple) else (right, right)
            requests = [Request(c, action, resource, caller_context(c)) for c in self.asking]
            bare = Chain(identity=[THEIRS], resource=[self.bare], cross_account=True)
            covered = [r for r in requests if authorize(bare, r).allowed]
            if not covered:
                continue  # the statement does not cover this action or object
            if name not in given:
                given.append(name)
            if not service:
                full = Chain(identity=[THEIRS], resource=[self.policy], cross_account=True)
                decided = decided and all(authorize(full, r).allowed for r in covered)
        if not given:
            return None
        note = ""
        if service:  # the service acts for whoever uses it: the source conditions decide for whom
            decided, note = service_verdict(self.statement, self.asking[0])
        bucket = resource.split(":::", 1)[1].split("/", 1)[0]
        return Direct(self.party, self.where, bucket, part, tuple(given), self.condition, decided, note)

    def named(self, bucket: str) -> Direct:
        """A grant of none of the actions asked about: the actions it names, as written."""
        body = self.statement.body
        actions = _short(strings(body.get("Action"))) or tuple(
            f"every action but {a}" for a in _short(strings(body.get("NotAction")))
        )
        decided, note = (self.condition == "none", "")
        if self.party.account.startswith(SERVICE):
            decided, note = service_verdict(self.statement, self.asking[0])
        resources = strings(body.get("Resource")) or [f"not {r}" for r in strings(body.get("NotResource"))]
        part = ", ".join(r.replace("arn:aws:s3:::", "s3://") for r in resources) or f"s3://{bucket}"
        return Direct(self.party, self.where, bucket, part, actions, self.condition, decided, note)


def caller_of(principal: str, account: str) -> str:
    """A caller a bucket policy's principal names: a session of a role it names, the user or
    session it names, or a session of any role of an account it names ("IAM JSON policy
    elements: Principal")."""
    if principal.startswith("arn:") and ":role/" in principal:
        return session_arn(account, principal.rsplit("/", 1)[1], "session")
    if principal.startswith("arn:") and not principal.endswith(":root"):
        return principal  # a user, or an assumed-role session
    return session_arn(account, "any-role", "session")


def service_principals(body: dict[str, Any]) -> list[str]:
    """The AWS service principals (Principal.Service) a statement names."""
    principal = body.get("Principal")
    return sorted(dict.fromkeys(strings(principal.get("Service")))) if isinstance(principal, dict) else []


def service_verdict(statement: Statement, caller: str) -> tuple[bool, str]:
    """(decided, note) for a service's grant: with a condition on the source keys alone, decided
    by it (the note names it); with none, the confused deputy (a WARN); with other conditions,
    not decided (a WARN naming the condition)."""
    keys = list(statement.conditions())
    source = [(op, key, values) for op, key, values in keys if key.lower() in SOURCE_KEYS]
    if not keys:
        return False, (
            f"confused deputy: no aws:SourceAccount or aws:SourceArn condition, so {caller} acting "
            "for any account's resource gets this"
        )
    if len(source) == len(keys):
        return True, "only for " + "; ".join(
            f"{key} {' or '.join(str(v) for v in values)}" for _, key, values in source
        )
    return False, ""
