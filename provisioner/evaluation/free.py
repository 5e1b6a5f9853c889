"""Decisions over every value of the keys only the vendor chooses (its "free keys").

validate asks "will the vendor's request be allowed?" of one simulated request, but some of
that request's values are the vendor's to choose, not ours to know (IAM User Guide, "AWS global
condition context keys"; S3 User Guide, "Amazon S3 condition key examples"):

- the session name, in the session's ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`,
  which a bucket or key policy's Principal/NotPrincipal may name) and in `aws:userid`
  (`ROLEID:SESSION`);
- where it calls from: `aws:SourceIp` from the internet, or, through a VPC endpoint,
  `aws:VpcSourceIp`, `aws:SourceVpc` and `aws:SourceVpce` instead (no `aws:SourceIp` then);
- `s3:TlsVersion` on S3 requests: 1.2 or 1.3 (S3 refuses older TLS since 2024), nothing else;
- session tags `aws:PrincipalTag/KEY` for a KEY the role has no tag for, and only when the
  role's trust lets the vendor `sts:TagSession` (a tag the role has is a known key).

The conditions (and principals) of every policy of the chain that mention a free key split its
values into finitely many regions: each literal value and a member of each pattern, a value
matching none, absent where the key may be absent; inside and just outside each CIDR; TLS 1.2
and 1.3. The chain is decided at one representative of each region, over the product of the free
keys the chain mentions (none, for most chains: then it is decided once, as before). So the
answer is exact, not sampled: allowed for every value, denied for every value, or it depends,
said with the values on both sides.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from provisioner.evaluation.chain import Chain
from provisioner.evaluation.model import Decision, Policy, Request
from provisioner.iam import as_list, strings, wildcard_match

__all__ = ["Candidate", "Dimension", "FreeKeys", "Outcome", "chain_policies", "decide_free", "dimensions"]

TLS_VERSIONS = ("1.2", "1.3")  # what a client can negotiate with S3 today
MAX_CASES = 4096  # beyond this product, the answer is "not decided", never a guess
_NETWORK = ("aws:sourceip", "aws:vpcsourceip", "aws:sourcevpc", "aws:sourcevpce")
_OTHER_VALUES = ("vendor-chosen-value", "zq-other-9", "x0")  # a value matching none is among them
_DEFAULT_IP = "198.51.100.23"  # an address of the internet (RFC 5737)


@dataclass(frozen=True)
class FreeKeys:
    """Which free keys the vendor's requests have. `session_tags`: the trust lets the vendor tag
    its session; `role_tags`: the role's tag keys (known, lower case), never free."""

    session_name: bool = True
    network: bool = True
    tls: bool = True  # only S3 requests carry s3:TlsVersion
    session_tags: bool = False
    role_tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """One representative value: a label for the detail, the context keys it sets (None: absent)
    and, for the session name, the name."""

    label: str
    keys: tuple[tuple[str, str | None], ...] = ()
    session: str | None = None
    other: bool = False  # the value matching none of the policies' values


@dataclass(frozen=True)
class Dimension:
    name: str  # for the detail: "s3:TlsVersion", "the vendor's session name", ...
    candidates: tuple[Candidate, ...]
    kind: str = ""


@dataclass(frozen=True)
class Outcome:
    """The chain's answer over every value of the free keys: `allowed` is a decision that allows
    (None when none does), `denied` one that refuses (None when none does); `depends` says, when
    both happen, which key decides and how. `undecided` says why the values were not all tried."""

    allowed: Decision | None
    denied: Decision | None
    depends: str = ""
    undecided: str = ""
    cases: int = 1

    @property
    def always(self) -> bool:
        return self.denied is None and not self.undecided

    @property
    def never(self) -> bool:
        return self.allowed is None and not self.undecided

    @property
    def sometimes(self) -> bool:
        return self.allowed is not None


def chain_policies(chain: Chain) -> list[Policy]:
    out = [*chain.identity, *chain.resource, *([chain.boundary] if chain.boundary else [])]
    for levels in (chain.scps, chain.rcps):
        for level in levels:
            out.extend(level)
    return out


def decide_free(
    decide: Callable[[Request], Decision],
    request: Request,
    policies: Iterable[Policy],
    free: FreeKeys,
) -> Outcome:
    """`decide` at a representative of every region of the free keys `policies` mention."""
    dims = dimensions(list(policies), request, free)
    total = 1
    for dim in dims:
        total *= len(dim.candidates)
    if total > MAX_CASES:
        first = decide(request)
        why = (
            f"not decided: the policies' conditions on {', '.join(d.name for d in dims)} make "
            f"{total} cases, more than {MAX_CASES}"
        )
        return Outcome(first if first.allowed else None, None if first.allowed else first, undecided=why)
    results: list[tuple[tuple[Candidate, ...], Decision]] = []
    for combo in itertools.product(*(d.candidates for d in dims)):
        results.append((combo, decide(apply(request, combo))))
    allowed = next((d for _, d in results if d.allowed), None)
    denied = next((d for _, d in results if not d.allowed), None)
    depends = describe(dims, results) if allowed is not None and denied is not None else ""
    return Outcome(allowed, denied, depends, cases=len(results))


def apply(request: Request, combo: Sequence[Candidate]) -> Request:
    """The request with the combination's values (a session name rewrites the caller's ARN and
    aws:userid)."""
    if not combo:
        return request
    context = dict(request.context)
    lowered = {k.lower(): k for k in context}
    principal = request.principal
    for candidate in combo:
        for key, value in candidate.keys:
            existing = lowered.get(key.lower())
            if existing is not None:
                del context[existing]
            if value is not None:
                context[key] = value
                lowered[key.lower()] = key
            else:
                lowered.pop(key.lower(), None)
        if candidate.session is not None:
            principal = principal.rsplit("/", 1)[0] + "/" + candidate.session
            userid = lowered.get("aws:userid")
            if userid is not None:
                context[userid] = str(context[userid]).split(":", 1)[0] + ":" + candidate.session
    return Request(principal, request.action, request.resource, context)


# --- the regions: what the policies say about each free key ----------------------------------


@dataclass
class _Mentions:
    values: dict[str, list[tuple[str, bool, bool]]] = field(
        default_factory=dict
    )  # key -> (value, wild, case)
    keys: dict[str, str] = field(default_factory=dict)  # lower -> as written
    sessions: list[str] = field(default_factory=list)  # session names named in a principal
    userid: list[tuple[str, bool]] = field(default_factory=list)  # aws:userid patterns, wild
    session_mentioned: bool = False


def _is_free(key: str, request: Request, free: FreeKeys) -> bool:
    lower = key.lower()
    if free.network and lower in _NETWORK:
        return True
    if free.tls and lower == "s3:tlsversion" and request.action.lower().startswith("s3:"):
        return True
    if lower.startswith("aws:principaltag/"):
        return free.session_tags and lower.removeprefix("aws:principaltag/") not in free.role_tags
    return False


def _mentions(policies: list[Policy], request: Request, free: FreeKeys) -> _Mentions:
    found = _Mentions()
    session_prefix = request.principal.rsplit("/", 1)[0] + "/"
    is_session = ":assumed-role/" in request.principal
    for policy in policies:
        for statement in policy.statements:
            body = statement.body
            for element in ("Principal", "NotPrincipal"):
                principal = body.get(element)
                if is_session and isinstance(principal, dict):
                    for value in strings(principal.get("AWS")):
                        if value.startswith(session_prefix):
                            found.sessions.append(value[len(session_prefix) :])
                            found.session_mentioned = True
            block = body.get("Condition")
            if not isinstance(block, dict):
                continue
            for operator, pairs in block.items():
                if not isinstance(operator, str) or not isinstance(pairs, dict):
                    continue
                name = operator.rpartition(":")[2].lower().removesuffix("ifexists")
                wild = name in ("stringlike", "stringnotlike", "arnlike", "arnnotlike")
                case = "ignorecase" in name
                for key, values in pairs.items():
                    if not isinstance(key, str):
                        continue
                    texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(values)]
                    if key.lower() == "aws:userid" and free.session_name and is_session:
                        found.session_mentioned = True
                        found.userid.extend((t, wild) for t in texts)
                    elif _is_free(key, request, free):
                        found.keys.setdefault(key.lower(), key)
                        found.values.setdefault(key.lower(), []).extend((t, wild, case) for t in texts)
        if is_session and free.session_name and "${aws:userid" in json.dumps(policy.document).lower():
            found.session_mentioned = True
        if free.session_tags and "${aws:principaltag/" in json.dumps(policy.document).lower():
            for key in _variable_tags(policy.document):
                if _is_free(key, request, free):
                    found.keys.setdefault(key.lower(), key)
                    found.values.setdefault(key.lower(), [])
    return found


def _variable_tags(document: Any) -> list[str]:
    text = json.dumps(document)
    out = []
    lower = text.lower()
    start = 0
    while (at := lower.find("${aws:principaltag/", start)) >= 0:
        end = text.find("}", at)
        if end < 0:
            break
        out.append(text[at + 2 : end].split(",")[0].strip())
        start = end
    return out


def dimensions(policies: list[Policy], request: Request, free: FreeKeys) -> list[Dimension]:
    """One dimension for each free key (the network's keys together) that `policies` mention."""
    found = _mentions(policies, request, free)
    dims: list[Dimension] = []
    if found.session_mentioned:
        dims.append(_session_dimension(found))
    network = [k for k in _NETWORK if k in found.keys]
    if network:
        dims.append(_network_dimension(found, network))
    if "s3:tlsversion" in found.keys:
        dims.append(
            Dimension(
                "s3:TlsVersion",
                tuple(Candidate(f"with TLS {v}", (("s3:TlsVersion", v),)) for v in TLS_VERSIONS),
                kind="tls",
            )
        )
    for lower, key in sorted(found.keys.items()):
        if lower.startswith("aws:principaltag/"):
            dims.append(_tag_dimension(key, found.values.get(lower, [])))
    return dims


def _member(pattern: str, wild: bool) -> str:
    return pattern.replace("*", "x").replace("?", "x") if wild else pattern


def _matches_any(value: str, patterns: Iterable[tuple[str, bool]]) -> bool:
    for pattern, wild in patterns:
        if wildcard_match(pattern, value, ignore_case=True) if wild else pattern.lower() == value.lower():
            return True
    return False


def _other(patterns: list[tuple[str, bool]], choices: Sequence[str] = _OTHER_VALUES) -> str | None:
    for choice in choices:
        if not _matches_any(choice, patterns):
            return choice
    return None


def _strings_of(values: list[tuple[str, bool, bool]]) -> list[tuple[str, str]]:
    """(value, label) for each literal, a member of each pattern, and a case variant where a
    policy compares without regard to case."""
    out: dict[str, str] = {}
    for value, wild, case in values:
        if "${" in value:
            continue
        member = _member(value, wild)
        out.setdefault(member, f"'{member}'" if member == value else f"'{member}' (like '{value}')")
        if case and member.swapcase() != member:
            out.setdefault(member.swapcase(), f"'{member.swapcase()}'")
    return list(out.items())


def _session_dimension(found: _Mentions) -> Dimension:
    patterns: list[tuple[str, bool]] = [(s, False) for s in found.sessions]
    for value, wild in found.userid:
        if "${" in value or ":" not in value:
            continue
        patterns.append((value.split(":", 1)[1], wild))
    candidates: dict[str, Candidate] = {}
    for pattern, wild in patterns:
        name = _member(pattern, wild)
        if 2 <= len(name) <= 64:
            label = (
                f"sessions named {name}" if not wild or name == pattern else f"sessions named like {pattern}"
            )
            candidates.setdefault(name, Candidate(label, session=name))
    other = _other(patterns, ("vendor-session", "labeling-job-7", "zz"))
    if other is not None:
        candidates.setdefault(
            other, Candidate(f"any other session name (e.g. {other})", session=other, other=True)
        )
    return Dimension("the vendor's session name", tuple(candidates.values()), kind="session")


def _addresses(cidrs: list[str]) -> list[tuple[str, str, bool]]:
    """(address, label, in none of them): inside and just outside each CIDR, and an address of
    the internet."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append((cidr, ipaddress.ip_network(cidr, strict=False)))
        except ValueError:
            continue
    out: dict[str, str] = {}
    for cidr, network in networks:
        out.setdefault(str(network.network_address), f"from {network.network_address} (inside {cidr})")
        for outside in (int(network.broadcast_address) + 1, int(network.network_address) - 1):
            try:
                address = (
                    ipaddress.IPv4Address(outside) if network.version == 4 else ipaddress.IPv6Address(outside)
                )
            except ValueError:
                continue
            out.setdefault(str(address), f"from {address} (outside {cidr})")
    out.setdefault(_DEFAULT_IP, f"from {_DEFAULT_IP}")

    def outside_all(address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return not any(ip.version == n.version and ip in n for _, n in networks)

    return [(address, label, outside_all(address)) for address, label in out.items()]


def _network_dimension(found: _Mentions, network: list[str]) -> Dimension:
    def values(key: str) -> list[tuple[str, bool, bool]]:
        return found.values.get(key, [])

    candidates: list[Candidate] = []
    public_ips = _addresses([v for v, _, _ in values("aws:sourceip")]) if "aws:sourceip" in network else []
    for ip, label, other in public_ips or [(_DEFAULT_IP, "from the internet", True)]:
        keys: tuple[tuple[str, str | None], ...] = (
            ("aws:SourceIp", ip),
            ("aws:VpcSourceIp", None),
            ("aws:SourceVpc", None),
            ("aws:SourceVpce", None),
        )
        candidates.append(Candidate(label, keys, other=other))
    vpc_ips = _addresses([v for v, _, _ in values("aws:vpcsourceip")]) if "aws:vpcsourceip" in network else []
    vpcs = _ids(values("aws:sourcevpc"), "vpc-0vendor0000000") if "aws:sourcevpc" in network else []
    endpoints = _ids(values("aws:sourcevpce"), "vpce-0vendor000000") if "aws:sourcevpce" in network else []
    for (ip, ip_label, ip_other), (vpc, vpc_label, vpc_other), (
        vpce,
        vpce_label,
        vpce_other,
    ) in itertools.product(
        vpc_ips or [("10.0.0.1", "", False)],
        vpcs or [("vpc-0vendor0000000", "", False)],
        endpoints or [("vpce-0vendor000000", "", False)],
    ):
        words = " ".join(w for w in (vpce_label, vpc_label, ip_label.replace("from", "from private", 1)) if w)
        label = "through a VPC endpoint" + (f" ({words})" if words else " (no aws:SourceIp)")
        keys = (
            ("aws:SourceIp", None),
            ("aws:VpcSourceIp", ip),
            ("aws:SourceVpc", vpc),
            ("aws:SourceVpce", vpce),
        )
        other = ip_other or vpc_other or vpce_other or not (vpc_ips or vpcs or endpoints)
        candidates.append(Candidate(label, keys, other=other))
    name = " / ".join(_spelled(k) for k in network)
    return Dimension(f"where the vendor calls from ({name})", tuple(candidates), kind="network")


def _spelled(key: str) -> str:
    return {
        "aws:sourceip": "aws:SourceIp",
        "aws:vpcsourceip": "aws:VpcSourceIp",
        "aws:sourcevpc": "aws:SourceVpc",
        "aws:sourcevpce": "aws:SourceVpce",
    }[key]


def _ids(values: list[tuple[str, bool, bool]], fallback: str) -> list[tuple[str, str, bool]]:
    kind = fallback.split("-")[0]
    out = [(v, f"{kind} {label}", False) for v, label in _strings_of(values)]
    other = _other([(v, w) for v, w, _ in values], (fallback, fallback + "9", "x0"))
    if other is not None:
        out.append((other, f"another {kind}", True))
    return out


def _tag_dimension(key: str, values: list[tuple[str, bool, bool]]) -> Dimension:
    candidates = [Candidate(f"when it is {label}", ((key, value),)) for value, label in _strings_of(values)]
    other = _other([(v, w) for v, w, _ in values])
    if other is not None:
        candidates.append(
            Candidate(f"when it is any other value (e.g. '{other}')", ((key, other),), other=True)
        )
    candidates.append(Candidate("when the session has no such tag", ((key, None),), other=True))
    return Dimension(f"the vendor's session tag {key}", tuple(candidates), kind="tag")


# --- the words -------------------------------------------------------------------------------


def describe(dims: list[Dimension], results: list[tuple[tuple[Candidate, ...], Decision]]) -> str:
    """For each key whose value changes the answer: the values allowed and those denied."""
    parts = []
    for index, dim in enumerate(dims):
        groups: dict[tuple[int, ...], set[bool]] = {}
        for combo, decision in results:
            rest = tuple(id(c) for i, c in enumerate(combo) if i != index)
            groups.setdefault(rest, set()).add(decision.allowed)
        if not any(len(g) > 1 for g in groups.values()):
            continue
        allowed = [c for c in dim.candidates if any(d.allowed for k, d in results if k[index] is c)]
        denied = [c for c in dim.candidates if any(not d.allowed for k, d in results if k[index] is c)]
        parts.append(f"depends on {dim.name}: {_sides(dim, allowed, denied)}")
    return "; ".join(parts) or "depends on the combination of " + ", ".join(d.name for d in dims)


def _sides(dim: Dimension, allowed: list[Candidate], denied: list[Candidate]) -> str:
    if dim.kind == "tls" and len(allowed) == len(denied) == 1:
        up, down = allowed[0].keys[0][1], denied[0].keys[0][1]
        if (up or "") > (down or ""):
            return f"allowed from {up}, denied below (the vendor may use TLS 1.2 or 1.3)"
        return f"allowed with {up}, denied from {down} (the vendor may use TLS 1.2 or 1.3)"
    only = " only" if any(c.other for c in denied) and not any(c.other for c in allowed) else ""
    yes = ", ".join(c.label for c in allowed)
    no = ", ".join(c.label for c in denied)
    if dim.kind == "session":
        return f"allowed{only} for {yes}, denied for {no}"
    return f"allowed{only} {yes}, denied {no}"
