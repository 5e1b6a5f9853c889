"""Pure: the parts of a bucket under a prefix that a policy names, as keys to ask about.

"Objects under the prefix" is every key there: a grant on `alexa-devices/echo/*` is under
`alexa-devices/`, and `logs/*` is in the whole bucket. One probe key at the prefix itself misses
those, so each object resource pattern (of the role's policies, or of the bucket policy) on the
bucket whose keys fall under the prefix is asked about too, with a key it matches. NotResource
patterns count too: a Deny with NotResource `public/*` leaves exactly those objects, so a key
they match is where access may remain."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import Statement, statements, strings, strings_in

PROBE_KEY = "provisioner-probe-object"


def concrete(pattern: str) -> str:
    """A key the pattern matches ("logs/*/app-?" -> "logs/x/app-x")."""
    return pattern.replace("*", "x").replace("?", "x")


def probes(documents: Iterable[Any], bucket: str, prefix: str) -> list[tuple[str, str]]:
    """(part shown, object ARN asked) pairs: the prefix itself first, then each pattern the
    documents name on `bucket` whose keys fall under `prefix`, in a stable order."""
    found: dict[str, str] = {f"s3://{bucket}/{prefix}*": f"arn:aws:s3:::{bucket}/{prefix}{PROBE_KEY}"}
    deeper: dict[str, str] = {}
    for document in documents:
        for statement in statements(document):
            named = strings(statement.body.get("Resource")) + strings(statement.body.get("NotResource"))
            for resource in named:  # NotResource: what it leaves out
                if not resource.startswith("arn:") or ":s3:::" not in resource:
                    continue
                whole = resource.split(":::", 1)[1]
                name, slash, key = whole.partition("/")
                if not slash or "$" in whole:
                    continue
                asked = _under(whole, bucket, prefix)
                if asked:
                    shown = f"s3://{bucket}/{key}" if fnmatchcase(bucket, name) else f"s3://{whole}"
                    deeper.setdefault(shown, f"arn:aws:s3:::{asked}")
    found.update(sorted(deeper.items()))
    return list(found.items())


def _under(whole: str, bucket: str, prefix: str) -> str:
    """A path (bucket/key) the resource pattern matches under bucket/prefix, or "": the pattern
    filled, or the prefix put where its start is (team?/* under teamA, */public/* under team/,
    and a wildcard in the bucket part, which IAM lets match "/" too: */reports/* under
    data-lake/foo/); unless it covers every key there (then the prefix itself is its part)."""
    base = f"{bucket}/{prefix}"
    name, _, key = whole.partition("/")
    options = [f"{bucket}/{concrete(key)}"] if fnmatchcase(bucket, name) else []
    covers_all = fnmatchcase(base + PROBE_KEY, whole) and fnmatchcase(base + "q/q", whole)
    if not covers_all:
        options += [base + concrete(whole[i:]) for i in range(len(whole) + 1) if fnmatchcase(base, whole[:i])]
    return next((a for a in options if a.startswith(base) and fnmatchcase(a, whole)), "")


# The keys of the role session's requests whose value is known (not the vendor's to choose): a
# bucket policy's Deny on them alone is decided by the evaluator, never a WARN. The organization's
# keys only when its ID was read (else not decided).
_SETTLED = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principaltype",
        "aws:principalisawsservice",
        "aws:securetransport",
        "aws:viaawsservice",
    }
)
_ORGANIZATION = frozenset({"aws:principalorgid", "aws:principalorgpaths"})


def guarded(body: Any, org_known: bool) -> bool:
    """Is the statement a Deny with a condition on a key the vendor chooses (or one not known),
    so that where it alone refuses, its condition decides (a WARN)?"""
    from provisioner.iam import condition_entries

    if body.get("Effect") != "Deny" or "Condition" not in body:
        return False
    known = _SETTLED | (_ORGANIZATION if org_known else frozenset())
    entries = condition_entries(body.get("Condition")) or []
    return not entries or any(key.lower() not in known for _, key, _ in entries)


def session_name(role_name: str, documents: Iterable[Any], default: str) -> str:
    """The session name the vendor gives its session of the role: one a policy names in an
    assumed-role ARN of the role (the vendor chooses its RoleSessionName, so it can use that one:
    a bucket policy naming the session grants it), else `default`."""
    marker = f":assumed-role/{role_name}/"
    for document in documents:
        for text in strings_in(document):
            if marker in text:
                name = text.split(marker, 1)[1]
                if name and not any(c in name for c in "*?$/"):
                    return name
    return default


@dataclass(frozen=True)
class Guard:
    """A Deny with a condition that decides (guarded), in one policy of a chain: where it is, and
    the statement."""

    policy: str  # the policy's name, as a report shows it ("SCP all", "bucket policy of b")
    statement: Statement

    @property
    def words(self) -> str:
        """ "Deny SCP all $.Statement[1] (Sid Vpce): {...}" """
        return f"Deny {self.policy} {self.statement.shown}: {json.dumps(self.statement.body['Condition'])}"

    def refuses(self, caller: str, resource: str, actions: Iterable[str], context: Mapping[str, Any]) -> bool:
        """Does the Deny refuse the request as the session sends it? (A Deny whose condition does
        not hold for it, aws:PrincipalAccount ours or aws:SecureTransport true, is not what its
        answer turns on.)"""
        body = self.statement.body
        named = "Principal" in body or "NotPrincipal" in body  # a resource policy's: asked as one
        allow_all: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        allow_all |= {"Principal": "*"} if named else {}
        policy = Policy("guard", {"Statement": [allow_all, body]})
        chain = Chain(resource=[policy]) if named else Chain(identity=[policy])
        return any(not authorize(chain, Request(caller, a, resource, context)).allowed for a in actions)


def loosened(chain: Chain, org_known: bool) -> tuple[Chain | None, list[Guard]]:
    """The chain without its Denies whose condition decides (guarded), in every layer: identity,
    boundary, SCPs, RCPs and resource policies, and those Denies; (None, []) when it has none.
    Where the chain refuses a request the loosened one allows, only such a Deny refuses it: its
    condition decides (not decided, a WARN: never dropped, never a pass)."""
    guards: list[Guard] = []

    def loose(policy: Policy) -> Policy:
        found = [s for s in statements(policy.document) if guarded(s.body, org_known)]
        if not found:
            return policy
        guards.extend(Guard(policy.name, s) for s in found)
        paths = {s.path for s in found}
        kept = [s.body for s in statements(policy.document) if s.path not in paths]
        return Policy(policy.name, {**policy.document, "Statement": kept})

    result = replace(
        chain,
        identity=[loose(p) for p in chain.identity],
        resource=[loose(p) for p in chain.resource],
        boundary=loose(chain.boundary) if chain.boundary is not None else None,
        scps=[[loose(p) for p in level] for level in chain.scps],
        rcps=[[loose(p) for p in level] for level in chain.rcps],
    )
    return (result, guards) if guards else (None, [])
