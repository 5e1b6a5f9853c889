"""IAM policy evaluation: may principal P do action A on resource R with request context C?

A pure function of policy documents and a request, following the IAM User Guide ("Policy
evaluation logic", "IAM JSON policy elements", "Condition operators", "Policy variables") for
what vendor grants use. moto does not evaluate trust policies, so the trust verdicts of
`validate` and `audit` rest on this module; tests/test_evaluation.py holds its table of cases.

This module decides one set of policies; evaluation/chain.py combines the layers (SCPs, RCPs,
resource and identity policies, permissions boundaries), evaluation/context.py builds the
request context a caller carries, evaluation/witness.py searches for other IDs and callers a
trust lets in. Not modelled: session policies.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from typing import Any

from provisioner.iam import Statement, action_matches, as_list, statements, strings, wildcard_match
from provisioner.model.arn import Arn, account_of, session_arn

_ACCOUNT = re.compile(r"\d{12}")

ALLOW = "allow"
EXPLICIT_DENY = "explicit-deny"
IMPLICIT_DENY = "implicit-deny"

_NEGATED = {
    "stringnotequals",
    "stringnotequalsignorecase",
    "stringnotlike",
    "numericnotequals",
    "datenotequals",
    "arnnotequals",
    "arnnotlike",
    "notipaddress",
}


@dataclass(frozen=True)
class Request:
    """One request: the caller (an ARN, or a service such as 'ec2.amazonaws.com'), the action,
    the resource ARN ('*' where the action has none) and the condition keys present."""

    principal: str
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    _index: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {key.lower(): value for key, value in self.context.items()})

    def key(self, name: str) -> Any:
        """A context key's value (keys are case-insensitive), or None when absent."""
        return self._index.get(name.lower())


@dataclass(frozen=True)
class Policy:
    """A named policy document (name is for the verdict's detail)."""

    name: str
    document: Any

    @cached_property
    def statements(self) -> list[Statement]:
        return statements(self.document)

    @cached_property
    def variables(self) -> bool:
        """Policy variables are read only in version 2012-10-17 documents."""
        return isinstance(self.document, dict) and self.document.get("Version") == "2012-10-17"


@dataclass(frozen=True)
class Hit:
    policy: str
    path: str
    sid: str | None
    effect: str

    def describe(self) -> str:
        sid = f" (Sid {self.sid})" if self.sid else ""
        return f"{self.policy} {self.path}{sid}"


@dataclass(frozen=True)
class Decision:
    effect: str
    allows: tuple[Hit, ...] = ()
    denies: tuple[Hit, ...] = ()
    why: str = ""  # for an implicit deny decided by a layer (evaluation/chain.py)
    by: tuple[str, ...] = ()  # for that deny, the policies of the layer that allowed nothing

    @property
    def deciders(self) -> tuple[str, ...]:
        """The policies that decided a refusal: those whose Deny matched, or those of the layer
        (an SCP or RCP level) none of which allows the request."""
        return tuple(dict.fromkeys(h.policy for h in self.denies)) if self.denies else self.by

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW

    def reason(self) -> str:
        if self.effect == EXPLICIT_DENY:
            return "explicitly denied by " + "; ".join(h.describe() for h in self.denies)
        if self.effect == ALLOW:
            return "allowed by " + "; ".join(h.describe() for h in self.allows)
        return f"{self.why or 'no statement allows it'} (implicit deny)"


OUTSIDER_ACCOUNT = "000000000000"  # an account no one here owns: "another AWS account"


def caller_for(principal: str, session: str = "provisioner-probe") -> str:
    """The ARN a trust policy's principal value calls STS as: a session of a named role, the
    user or session itself, or a session of some role of a named account (root or bare ID).
    validate asks it of the vendor's principal, audit of every principal a trust names."""
    account = account_of(principal) or OUTSIDER_ACCOUNT
    arn = Arn.parse(principal)
    if arn is not None and arn.is_role:
        return session_arn(account, arn.name, session, arn.partition)
    if arn is not None and arn.resource_type in ("user", "assumed-role"):
        return principal
    return session_arn(account, "any-role-in-the-account", session, arn.partition if arn else "aws")


def assume_role_request(
    caller: str,
    role_arn: str,
    external_id: str | None,
    *,
    region: str = "us-east-1",
    session_name: str = "provisioner-probe",
    now: datetime | None = None,
    **context: Any,
) -> Request:
    """sts:AssumeRole of role_arn by caller, with every key the caller's requests carry
    (evaluation/context.py's table), sts:RoleSessionName, sts:ExternalId when given, and the
    given keys on top."""
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    return caller_request(
        caller,
        "sts:AssumeRole",
        role_arn,
        region=region,
        now=now,
        assume_role_session=session_name,
        **context,
    )


def caller_request(
    caller: str,
    action: str,
    resource: str,
    *,
    region: str = "us-east-1",
    now: datetime | None = None,
    assume_role_session: str | None = None,
    **context: Any,
) -> Request:
    """A request of `caller` with every key its requests carry, and the given keys on top."""
    from provisioner.evaluation.context import caller_context  # context imports nothing of ours back

    keys = caller_context(caller, region=region, now=now, assume_role_session=assume_role_session)
    keys.update(context)
    return Request(caller, action, resource, keys)


def evaluate(policies: Iterable[Policy], request: Request, *, account_delegates: bool = False) -> Decision:
    """Explicit Deny beats Allow; without an Allow the answer is an implicit deny.

    (IAM User Guide, "Policy evaluation logic": "Determining whether a request is allowed or
    denied within an account".) All documents are taken as one set, as for identity and
    resource policies of the same account.

    account_delegates: a resource policy that names the caller's *account* (its root ARN or
    ID) rather than the caller grants nothing by itself: it lets the account's IAM policies
    decide ("IAM JSON policy elements: Principal", AWS account principals; "AWS KMS key
    policies", the default key policy). Use it when the caller's identity policies are among
    the policies evaluated; leave it off for a cross-account trust, where the other account's
    own policies are out of sight. A Deny that names the account still applies.
    """
    allows, denies = [], []
    for policy in policies:
        variables = policy.variables
        for statement in policy.statements:
            if not statement_applies(statement, request, variables=variables):
                continue
            if (
                account_delegates
                and statement.effect == "Allow"
                and "Principal" in statement.body
                and not principal_matches(statement.body["Principal"], request.principal, exact=True)
            ):
                continue
            hit = Hit(policy.name, statement.path, statement.body.get("Sid"), statement.effect or "")
            if statement.effect == "Deny":
                denies.append(hit)
            elif statement.effect == "Allow":
                allows.append(hit)
    if denies:
        return Decision(EXPLICIT_DENY, tuple(allows), tuple(denies))
    if allows:
        return Decision(ALLOW, tuple(allows))
    return Decision(IMPLICIT_DENY)


def statement_applies(statement: Statement, request: Request, *, variables: bool = True) -> bool:
    body = statement.body
    if "Principal" in body and not principal_matches(body["Principal"], request.principal):
        return False
    if "NotPrincipal" in body and principal_matches(body["NotPrincipal"], request.principal):
        return False
    if "Action" in body and not any(action_matches(a, request.action) for a in strings(body["Action"])):
        return False
    if "NotAction" in body and any(action_matches(a, request.action) for a in strings(body["NotAction"])):
        return False
    if "Resource" in body and not _any_resource(body["Resource"], request, variables):
        return False
    if "NotResource" in body and _any_resource(body["NotResource"], request, variables):
        return False
    return conditions_match(body.get("Condition"), request, variables=variables)


# --- principals ---------------------------------------------------------------------------


def principal_matches(element: Any, caller: str, *, exact: bool = False) -> bool:
    """Does a Principal element name the caller? ("IAM JSON policy elements: Principal".)

    - "*" and {"AWS": "*"}: everyone;
    - an account ID or arn:…:iam::ACCOUNT:root: every principal of that account;
    - a role ARN: that role and its sessions (arn:…:sts::ACCOUNT:assumed-role/NAME/…);
    - a user or session ARN: that one exactly; Service / Federated / CanonicalUser: exact.
    Wildcards other than a lone "*" are not supported by IAM and match nothing.
    With exact=True an account principal does not count (see evaluate's account_delegates).
    """
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    for kind, values in element.items():
        for value in strings(values):
            if kind == "AWS" and _aws_principal_matches(value, caller, exact):
                return True
            if kind != "AWS" and value == caller:
                return True
    return False


def _aws_principal_matches(value: str, caller: str, exact: bool = False) -> bool:
    if value == "*":
        return True
    who = Arn.parse(caller)
    if who is None:
        return False
    if _ACCOUNT.fullmatch(value):
        return who.account == value and not exact
    named = Arn.parse(value)
    if named is None or "*" in value or "?" in value:
        return False
    if named.partition != who.partition or named.account != who.account:
        return False
    if named.is_root:
        return not exact
    if value == caller:
        return True
    if named.is_role:
        if who.is_session:
            return who.session_role == named.name
        if who.is_role:
            return who.name == named.name
    return False


# --- actions and resources ----------------------------------------------------------------


def _any_resource(element: Any, request: Request, variables: bool) -> bool:
    return any(
        _value_matches(r, request.resource, request, wildcards=True, variables=variables)
        for r in strings(element)
    )


# --- patterns and policy variables --------------------------------------------------------

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _substitute(text: str, request: Request | None, variables: bool) -> list[tuple[str, bool]] | None:
    """Split a policy value into (text, literal?) pieces, resolving ${...} policy variables.

    ${*}, ${?} and ${$} are literal characters; ${key} takes the request's value (a missing
    key with no default makes the value match nothing: None). ("Policy variables".)
    """
    if not variables or "${" not in text:
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        pieces.append((text[position : match.start()], False))
        inner = match.group(1)
        if inner in ("*", "?", "$"):
            pieces.append((inner, True))
        else:
            name, _, default = inner.partition(",")
            value = request.key(name.strip()) if request else None
            if value is None:
                default = default.strip()
                if not default:
                    return None
                value = default.strip("'\"")
            pieces.append((str(value), True))
        position = match.end()
    pieces.append((text[position:], False))
    return pieces


def _regex(pieces: Sequence[tuple[str, bool]], wildcards: bool) -> str:
    out = []
    for text, literal in pieces:
        if literal or not wildcards:
            out.append(re.escape(text))
        else:
            out.extend(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return "".join(out)


def _value_matches(
    policy_value: str,
    actual: str,
    request: Request | None,
    *,
    wildcards: bool,
    ignore_case: bool = False,
    variables: bool = True,
) -> bool:
    if not (variables and "${" in policy_value):
        if wildcards:
            return wildcard_match(policy_value, actual, ignore_case=ignore_case)
        return policy_value.lower() == actual.lower() if ignore_case else policy_value == actual
    pieces = _substitute(policy_value, request, variables)
    if pieces is None:
        return False
    return _compiled(_regex(pieces, wildcards), ignore_case).fullmatch(actual) is not None


@cache
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


# --- conditions ---------------------------------------------------------------------------


def conditions_match(block: Any, request: Request, *, variables: bool = True) -> bool:
    """Every operator, and every key under it, must hold (AND); any of a key's values may
    match (OR), or, for a negated operator, none may. ("Creating a condition with multiple
    keys or values".)"""
    if not block:
        return True
    if not isinstance(block, dict):
        return False
    for operator, pairs in block.items():
        if not isinstance(pairs, dict):
            return False
        for key, values in pairs.items():
            if not condition_holds(operator, key, as_list(values), request, variables=variables):
                return False
    return True


def condition_holds(
    operator: str, key: str, values: list[Any], request: Request, *, variables: bool = True
) -> bool:
    """One operator on one key. A key missing from the request makes a positive operator
    false and a negated one true, except ...IfExists (true) and Null. ForAllValues is true
    for a missing or empty key; ForAnyValue false. ("Condition operators"; "Single-valued vs.
    multivalued context keys".)"""
    qualifier, _, name = operator.rpartition(":")
    qualifier = qualifier.lower()
    name_lower = name.lower()
    if_exists = name_lower.endswith("ifexists")
    base = name_lower.removesuffix("ifexists")
    present = request.key(key)

    if base == "null":
        missing = present is None or present == []
        return any(str(v).lower() == ("true" if missing else "false") for v in values)

    if qualifier in ("forallvalues", "foranyvalue"):
        actual = [str(v) for v in as_list(present)] if present is not None else []
        if qualifier == "forallvalues":
            return all(_single(base, v, values, request, variables) for v in actual)
        return any(_single(base, v, values, request, variables) for v in actual)

    if present is None:
        return True if if_exists else base in _NEGATED
    actual_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(present)]
    return any(_single(base, v, values, request, variables) for v in actual_values)


def _single(base: str, actual: str, values: list[Any], request: Request, variables: bool) -> bool:
    """Does one request value satisfy the operator against the policy's values?"""
    negated = base in _NEGATED
    positive = base.replace("not", "", 1) if negated else base
    if positive == "ipaddress":
        matched = any(_ip_in(actual, str(v)) for v in values)
    else:
        matched = any(_compare(positive, actual, v, request, variables) for v in values)
    return not matched if negated else matched


def _compare(op: str, actual: str, policy_value: Any, request: Request, variables: bool) -> bool:
    expected = str(policy_value).lower() if isinstance(policy_value, bool) else str(policy_value)
    if op == "stringequals":
        return _value_matches(expected, actual, request, wildcards=False, variables=variables)
    if op == "stringequalsignorecase":
        return _value_matches(
            expected, actual, request, wildcards=False, ignore_case=True, variables=variables
        )
    if op == "stringlike":
        return _value_matches(expected, actual, request, wildcards=True, variables=variables)
    if op in ("arnequals", "arnlike"):
        return _arn_like(expected, actual, request, variables)
    if op == "bool":
        return expected.lower() == actual.lower()
    if op == "binaryequals":
        try:
            return base64.b64decode(expected, validate=True) == base64.b64decode(actual, validate=True)
        except ValueError:
            return False
    if op.startswith("numeric"):
        return _ordered(op.removeprefix("numeric"), _number(actual), _number(expected))
    if op.startswith("date"):
        return _ordered(op.removeprefix("date"), _date(actual), _date(expected))
    return False


def _arn_like(expected: str, actual: str, request: Request, variables: bool) -> bool:
    """Each of the six colon-separated parts is matched on its own, with wildcards."""
    want, have = _arn_fields(expected), _arn_fields(actual)
    if want is None or have is None:
        return False
    return all(
        _value_matches(w, h, request, wildcards=True, variables=variables)
        for w, h in zip(want, have, strict=True)
    )


def _arn_fields(text: str) -> tuple[str, ...] | None:
    """The six colon-separated fields, the first being 'arn' (an ARN pattern may hold wildcards)."""
    arn = Arn.parse(text)
    return ("arn", arn.partition, arn.service, arn.region, arn.account, arn.resource) if arn else None


def _ordered(relation: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    outcome: bool = {
        "equals": left == right,
        "lessthan": left < right,
        "lessthanequals": left <= right,
        "greaterthan": left > right,
        "greaterthanequals": left >= right,
    }.get(relation, False)
    return outcome


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _ip_in(actual: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
