"""Pure: the parts of a bucket under a prefix that a policy names, as keys to ask about.

"Objects under the prefix" is every key there: a grant on `alexa-devices/echo/*` is under
`alexa-devices/`, and `logs/*` is in the whole bucket. One probe key at the prefix itself misses
those, so each object resource pattern (of the role's policies, or of the bucket policy) on the
bucket whose keys fall under the prefix is asked about too, with a key it matches. NotResource
patterns count too: a Deny with NotResource `public/*` leaves exactly those objects, so a key
they match is where access may remain."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain, authorize
from provisioner.iam import REQUEST_KEYS, Statement, condition_entries, statements, strings, strings_in

PROBE_KEY = "provisioner-probe-object"


def concrete(pattern: str) -> str:
    """A key the pattern matches ("logs/*/app-?" -> "logs/x/app-x")."""
    return pattern.replace("*", "x").replace("?", "x")


def probe_arn(bucket: str, prefix: str) -> str:
    """The object asked about at a prefix: a key under it (its "${" the key's text, no variable)."""
    return f"arn:aws:s3:::{bucket}/{prefix.replace('${', LITERAL)}{PROBE_KEY}"


def probes(documents: Iterable[Any], bucket: str, prefix: str) -> list[tuple[str, str]]:
    """(part shown, object ARN asked) pairs: the prefix itself first, then each pattern the
    documents name on `bucket` whose keys fall under `prefix`, in a stable order."""
    shown_prefix, prefix = prefix, prefix.replace("${", LITERAL)  # a key's text, never a variable
    found: dict[str, str] = {f"s3://{bucket}/{shown_prefix}*": probe_arn(bucket, shown_prefix)}
    deeper: dict[str, str] = {}
    for document in documents:
        for statement in statements(document):
            named = strings(statement.body.get("Resource")) + strings(statement.body.get("NotResource"))
            for resource in named:  # NotResource: what it leaves out
                if not resource.startswith("arn:") or ":s3:::" not in resource:
                    continue
                whole = resource.split(":::", 1)[1]
                name, slash, key = whole.partition("/")
                if not slash:
                    continue
                if not reads_variables(document):  # its ${...} is text: asked as that key
                    whole = whole.replace("${", LITERAL)
                # a policy variable: asked with it in the key, each caller's own value then
                # (fill); where the prefix needs it to be a value, as any value
                asked = _under(whole, bucket, prefix) or _under(_VARIABLE.sub("*", whole), bucket, prefix)
                if asked:
                    shown = f"s3://{bucket}/{key}" if fnmatchcase(bucket, name) else f"s3://{whole}"
                    deeper.setdefault(shown, f"arn:aws:s3:::{asked}")
    found.update(sorted(deeper.items()))
    return list(found.items())


# "${" of a policy whose variables are literal text (Version before 2012-10-17), in a key asked
# about: IAM's own escape ${$} for "$", which fill leaves, then turns back into "$"
LITERAL = "${$}{"


def reads_variables(document: Any) -> bool:
    """ "IAM policy elements: Variables and tags": before version 2012-10-17 "variables like
    ${aws:username} are treated as literal strings"."""
    return isinstance(document, dict) and document.get("Version") == "2012-10-17"


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
        # never in a role session's request ("AWS global condition context keys"): known absent
        "aws:username",
    }
)
_ORGANIZATION = frozenset({"aws:principalorgid", "aws:principalorgpaths"})


def guarded(
    body: Any, org_known: bool, tags_known: bool = False, extra: frozenset[str] = frozenset()
) -> bool:
    """Is the statement a Deny with a condition on a key the vendor chooses (or one not known),
    so that where it alone refuses, its condition decides (a WARN)?"""
    if body.get("Effect") != "Deny" or "Condition" not in body:
        return False
    entries = condition_entries(body.get("Condition")) or []
    return not entries or bool(_unsettled(entries, org_known, tags_known, extra))


def loose_allow(
    body: Any,
    org_known: bool,
    tags_known: bool = False,
    variables: bool = True,
    extra: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """An Allow with a condition on a key the vendor chooses (or one not known): the statement
    with only its conditions on settled keys (it allows what some value of the others lets it);
    None for any other statement. `variables`: its policy reads them (reads_variables)."""
    if body.get("Effect") != "Allow":
        return None
    resources = strings(body.get("Resource"))
    # a variable the session's request holds (aws:PrincipalAccount) is decided (trial 22q item 6)
    variable = [r for r in resources if variables and _free_variable(r, org_known, tags_known)]
    entries = condition_entries(body.get("Condition")) if "Condition" in body else []
    if entries is None or (not variable and not _unsettled(entries, org_known, tags_known, extra)):
        return None
    loose = {k: v for k, v in body.items() if k != "Condition"}
    if variable:  # a policy variable left in a Resource is the vendor's to choose: any value
        loose["Resource"] = [_VARIABLE.sub("*", r) for r in resources]
    kept: dict[str, dict[str, Any]] = {}
    for operator, key, values in entries:
        if _settled(key, org_known, tags_known, extra):
            kept.setdefault(operator, {})[key] = values
    return {**loose, "Condition": kept} if kept else loose


# a policy variable (not the escapes ${*}, ${?}, ${$})
_VARIABLE = re.compile(r"\$\{(?![*?$]\})[^}]*\}")


def variable(text: str) -> tuple[str, str | None]:
    """The key (as written) and the default (None: none) of a policy variable written
    ${key} or ${key, 'default'} ("Variables and tags")."""
    name, comma, default = text[2:-1].partition(",")
    return name.strip(), (default.strip().strip("'\"") if comma else None)


def _free_variable(resource: str, org_known: bool, tags_known: bool) -> bool:
    """Does the resource hold a policy variable whose value the vendor chooses (not _settled)? A
    session tag's is asked at the values it may pass (tag_contexts), so it is not one."""
    names = (variable(m.group(0))[0] for m in _VARIABLE.finditer(resource))
    return any(
        not _settled(name, org_known, True) and not name.lower().startswith("aws:principaltag/")
        for name in names
    )


def fill(resource: str, context: Mapping[str, Any]) -> str:
    """A resource asked about with the policy variables its pattern kept (probes), each the
    caller's own value from its request (or the default, or "x" where it has none): a grant on
    data/${aws:PrincipalAccount}/* is asked at each caller's own folder."""
    if "${" not in resource:
        return resource
    values = {k.lower(): v for k, v in context.items() if isinstance(v, str)}

    def one(match: re.Match[str]) -> str:
        name, default = variable(match.group(0))
        value = values.get(name.lower())
        return value if value is not None else default or "x"

    return _VARIABLE.sub(one, resource).replace(LITERAL, "${")


def resolved(document: Any, context: Mapping[str, Any], free: Callable[[str], bool]) -> Any:
    """The document with each policy variable in a Resource or NotResource that the request
    holds a value of, and that is not the vendor's choice (`free`, lower case), replaced by that
    value ("Policy variables": `data/${aws:PrincipalAccount}/*` is the account's folder): the
    parts a report asks about are then the ones the evaluator matches."""
    if not isinstance(document, dict) or document.get("Version") != "2012-10-17":
        return document  # "Policy variables": before version 2012-10-17 they are literal text
    values = {k.lower(): v for k, v in context.items() if isinstance(v, str)}

    def one(match: re.Match[str]) -> str:
        written, default = variable(match.group(0))
        name = written.lower()
        if free(name):
            return match.group(0)
        if name in values:
            return values[name]
        # a key known absent (a principal tag the role lacks, where the vendor cannot tag its
        # session; aws:username) takes the default ("Variables and tags": "${key, 'default'}")
        absent = name.startswith("aws:principaltag/") or name == "aws:username"
        return default if default is not None and absent else match.group(0)

    out = []
    for statement in statements(document):
        body = dict(statement.body)
        for element in ("Resource", "NotResource"):
            if element in body:
                body[element] = [_VARIABLE.sub(one, r) for r in strings(body[element])]
        out.append(body)
    return {**document, "Statement": out}


def _settled(key: str, org_known: bool, tags_known: bool, extra: frozenset[str] = frozenset()) -> bool:
    """Does the session's request hold a known value (or a known absence) of the key: the
    settled keys, the organization's when read, the principal's tags where the vendor cannot
    tag its session (its role's tags, or none), and `extra` (lower case: the bucket's account,
    where the bucket was found in an account read)?"""
    lowered = key.lower()
    known = _SETTLED | extra | (_ORGANIZATION if org_known else frozenset())
    # a request key (s3:prefix, an x-amz header): the vendor sends the value an Allow asks for
    # where the action takes it (audit.grants.chosen_context), and none where it does not
    # (iam.request_key_absent): the evaluator decides it (trial 22v item 4)
    if lowered.startswith(REQUEST_KEYS):
        return True
    return lowered in known or (tags_known and lowered.startswith("aws:principaltag/"))


settled = _settled  # for the other readers of a condition (key_parties)


def _unsettled(
    entries: list[tuple[str, str, list[Any]]],
    org_known: bool,
    tags_known: bool,
    extra: frozenset[str] = frozenset(),
) -> list[str]:
    return [key for _, key, _ in entries if not _settled(key, org_known, tags_known, extra)]


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
    """A statement whose condition decides, in one policy of a chain: a Deny with a condition on
    a key the vendor chooses (guarded), or an Allow with one (loose_allow)."""

    policy: str  # the policy's name, as a report shows it ("SCP all", "bucket policy of b")
    statement: Statement
    opened: dict[str, Any] | None = None  # an Allow's: what some value of the vendor's lets it

    @property
    def words(self) -> str:
        """ "Deny SCP all $.Statement[1] (Sid Vpce): {...}" """
        body = self.statement.body
        what = [json.dumps(body["Condition"])] if "Condition" in body else []
        what += [f"Resource {r}" for r in strings(body.get("Resource")) if _VARIABLE.search(r)]
        return f"{body.get('Effect')} {self.policy} {self.statement.shown}: {'; '.join(what)}"

    def refuses(self, caller: str, resource: str, actions: Iterable[str], context: Mapping[str, Any]) -> bool:
        """Does its condition decide the request as the session sends it: a Deny that refuses it,
        an Allow that would allow it but for its condition? (A Deny whose condition does not hold
        for it, aws:PrincipalAccount ours or aws:SecureTransport true, is not what its answer turns
        on.)"""
        body = self.statement.body
        named = "Principal" in body or "NotPrincipal" in body  # a resource policy's: asked as one
        resource = fill(resource, context)

        def allows(*bodies: Any, action: str) -> bool:
            policy = Policy("guard", {"Version": "2012-10-17", "Statement": list(bodies)})
            chain = Chain(resource=[policy]) if named else Chain(identity=[policy])
            return authorize(chain, Request(caller, action, resource, context)).allowed

        if body.get("Effect") == "Allow":
            bare = self.opened or {k: v for k, v in body.items() if k != "Condition"}
            return any(allows(bare, action=a) and not allows(body, action=a) for a in actions)
        allow_all: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        allow_all |= {"Principal": "*"} if named else {}
        return any(not allows(allow_all, body, action=a) for a in actions)


def loosened(
    chain: Chain, org_known: bool, tags_known: bool = False, extra: frozenset[str] = frozenset()
) -> tuple[Chain | None, list[Guard]]:
    """The chain without what the vendor's choices decide, in every layer (identity, boundary,
    SCPs, RCPs and resource policies): its Denies with a condition on a key the vendor chooses
    (guarded) left out, its Allows with one kept without that condition (loose_allow); and those
    statements. (None, []) when it has none. Where the chain refuses a request the loosened one
    allows, such a statement's condition decides (not decided, a WARN: never dropped, never a
    pass)."""
    guards: list[Guard] = []

    def loose(policy: Policy) -> Policy:
        kept: list[Any] = []
        for statement in statements(policy.document):
            opened = loose_allow(
                statement.body, org_known, tags_known, reads_variables(policy.document), extra
            )
            if guarded(statement.body, org_known, tags_known, extra) or opened is not None:
                guards.append(Guard(policy.name, statement, opened))
            if opened is not None:
                kept.append(opened)
            elif not guarded(statement.body, org_known, tags_known, extra):
                kept.append(statement.body)
        changed = any(g.policy == policy.name for g in guards)
        return Policy(policy.name, {**policy.document, "Statement": kept}) if changed else policy

    result = replace(
        chain,
        identity=[loose(p) for p in chain.identity],
        resource=[loose(p) for p in chain.resource],
        boundary=loose(chain.boundary) if chain.boundary is not None else None,
        scps=[[loose(p) for p in level] for level in chain.scps],
        rcps=[[loose(p) for p in level] for level in chain.rcps],
    )
    return (result, guards) if guards else (None, [])
