"""Pure: the grants a bucket policy makes to an outside account (or to "*") directly, with no
role between: each statement, the party it names, the part of the bucket, the rights, and the
condition that decides it. The party's own account then decides for its principals
("Cross-account policy evaluation logic"): the caller's side is taken to allow. A statement
whose condition the evaluator cannot decide for the party is not decided (a WARN), never a pass."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
) -> list[Direct]:
    """Each Allow of the bucket's policy naming an outside account or "*", for each part under
    `prefix` it covers, with the `rights` ((name, action) pairs) it gives there."""
    if bucket.policy is None:
        return []
    policy = Policy(f"bucket policy of {bucket.name}", bucket.policy)
    found: list[Direct] = []
    for statement in statements(bucket.policy):
        if not statement.is_allow:
            continue
        named = {ANYONE if p == "*" else account_of(p) for p in aws_principals(statement)}
        if statement.body.get("Principal") == "*":
            named.add(ANYONE)
        services = service_principals(statement.body)
        bare = Policy(
            policy.name, {"Statement": [{k: v for k, v in statement.body.items() if k != "Condition"}]}
        )
        condition = json.dumps(statement.body.get("Condition")) if "Condition" in statement.body else "none"
        sid = statement.body.get("Sid")
        where = statement.path + (f" (Sid {sid})" if isinstance(sid, str) else "")
        callers: list[tuple[list[str], Party]] = []
        for account in sorted(a for a in named if a and a not in ours):
            own = [p for p in aws_principals(statement) if p != "*" and account_of(p) == account]
            if account == ANYONE:
                anyone = Party(ANYONE, "anyone (any AWS account)", "anyone")
                callers.append(([session_arn(SOMEONE, "any-role", "session")], anyone))
                continue
            for party, mine in names.parties(account, ours, own):  # one account, maybe several parties
                callers.append((sorted({caller_of(p, account) for p in mine}), party))
        for name in services:  # an AWS service: never a vendor, its source conditions decide
            callers.append(([name], Party(SERVICE + name, name, AWS_SERVICE, "Principal.Service")))
        for asking, party in callers:
            service = party.account.startswith(SERVICE)
            for part, resource in probes([{"Statement": [statement.body]}], bucket.name, prefix):
                given: list[str] = []
                decided = True
                for right, action in rights:
                    requests = [Request(c, action, resource, caller_context(c)) for c in asking]
                    covered = [
                        r
                        for r in requests
                        if authorize(Chain(identity=[THEIRS], resource=[bare], cross_account=True), r).allowed
                    ]
                    if not covered:
                        continue  # the statement does not cover this action or object
                    given.append(right)
                    if not service:
                        full = Chain(identity=[THEIRS], resource=[policy], cross_account=True)
                        decided = decided and all(authorize(full, r).allowed for r in covered)
                note = ""
                if service:  # the service acts for whoever uses it: the source conditions decide for whom
                    decided, note = service_verdict(statement, asking[0])
                if given:
                    found.append(
                        Direct(party, where, bucket.name, part, tuple(given), condition, decided, note)
                    )
                    if part == f"s3://{bucket.name}/{prefix}*":
                        break  # the prefix itself: every part under it
    return found


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
