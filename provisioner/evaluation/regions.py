"""The regions the policies' conditions make of each key only the vendor chooses, one
representative each: the words of a verdict that depends on the key (analysis/decide.py decides
each at the allowed request with only that key changed, and says which are allowed and which
denied; the verdict itself is the solver's, over every value).

For a string key: each literal value, a member of each pattern, a case variant where a policy
ignores case, a value matching none and, where the key may be absent, absent. For an address:
inside and just outside each CIDR, and an address of the internet; through a VPC endpoint
aws:SourceIp is absent and aws:VpcSourceIp, aws:SourceVpc and aws:SourceVpce are present (IAM
User Guide, "AWS global condition context keys"), the vendor's own VPC and endpoint, never one
the policies name (those are in your network, not the vendor's). For s3:TlsVersion: 1.2 and 1.3, the versions
S3 accepts. For the session name: each name a principal names, a member of each aws:userid
pattern's session part, and another name.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.model import Policy, Request
from provisioner.iam import as_list, strings, wildcard_match

TLS_VERSIONS = ("1.2", "1.3")  # S3 User Guide, "Protecting data in transit with encryption"
_NETWORK = ("aws:sourceip", "aws:vpcsourceip", "aws:sourcevpc", "aws:sourcevpce")
_OTHER_VALUES = ("vendor-chosen-value", "zq-other-9", "x0")  # a value matching none is among them
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")  # what sts:AssumeRole accepts as RoleSessionName
_DEFAULT_IP = "198.51.100.23"  # an address of the internet (RFC 5737)
_DEFAULT_IP6 = "2600:1f18::1"  # an address of the internet over IPv6 (S3 dual-stack endpoints)


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


# --- what the policies say about each free key ----------------------------------


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
        return free.tag_free(lower)
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
        dimension = _session_dimension(found)
        kept = tuple(
            c for c in dimension.candidates if c.session is None or free.passable("session", c.session)
        )
        dims.append(replace(dimension, candidates=kept))
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
            role_tagged = lower.removeprefix("aws:principaltag/") in free.role_tags
            dimension = _tag_dimension(key, found.values.get(lower, []), role_tagged)
            kept = tuple(
                c
                for c in dimension.candidates
                if all(free.passable(k, v) for k, v in c.keys if v)
                and not (free.required(lower) and not any(v for _, v in c.keys))
            )
            dims.append(replace(dimension, candidates=kept))
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


def _both(patterns: list[tuple[str, bool]]) -> list[tuple[str, str, str]]:
    """(value, pattern, pattern): a member of two patterns at once where joining a member of each
    gives one (`a*` and `*z`: `axxz`), so that a statement with both conditions is met."""
    out = []
    wild = [(p, _member(p, True)) for p, w in patterns if w and "${" not in p and ("*" in p or "?" in p)]
    for (first, one), (second, two) in itertools.combinations(wild, 2):
        for joined in (one + two, two + one):
            if wildcard_match(first, joined) and wildcard_match(second, joined):
                out.append((joined, first, second))
                break
    return out


def _strings_of(values: list[tuple[str, bool, bool]]) -> list[tuple[str, str]]:
    """(value, label) for each literal, a member of each pattern and of two patterns at once,
    and a case variant where a policy compares without regard to case."""
    out: dict[str, str] = {}
    for value, wild, case in values:
        if "${" in value:
            continue
        member = _member(value, wild)
        out.setdefault(member, f"'{member}'" if member == value else f"'{member}' (like '{value}')")
        if case and member.swapcase() != member:
            out.setdefault(member.swapcase(), f"'{member.swapcase()}'")
    for joined, first, second in _both([(v, w) for v, w, _ in values]):
        out.setdefault(joined, f"'{joined}' (like '{first}' and '{second}')")
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
        if _SESSION_NAME.fullmatch(name):
            label = (
                f"sessions named {name}" if not wild or name == pattern else f"sessions named like {pattern}"
            )
            candidates.setdefault(name, Candidate(label, session=name))
    for name, first, second in _both(patterns):
        if _SESSION_NAME.fullmatch(name):
            label = f"sessions named like {first} and {second}"
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
        # inside: the internet's example where the range holds it (never 0.0.0.0, which no caller has)
        inside = _DEFAULT_IP if ipaddress.ip_address(_DEFAULT_IP) in network else network.network_address
        out.setdefault(str(inside), f"from {inside} (inside {cidr})")
        for outside in (int(network.broadcast_address) + 1, int(network.network_address) - 1):
            try:
                address = (
                    ipaddress.IPv4Address(outside) if network.version == 4 else ipaddress.IPv6Address(outside)
                )
            except ValueError:
                continue
            out.setdefault(str(address), f"from {address} (outside {cidr})")
    out.setdefault(_DEFAULT_IP, f"from {_DEFAULT_IP}")
    if networks and all(n.version == 4 for _, n in networks):  # a caller may call over IPv6 too
        out.setdefault(_DEFAULT_IP6, f"from {_DEFAULT_IP6} (IPv6)")

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
    # A VPC and its endpoints belong to one account's network: the vendor calls through its own,
    # never through one your policies name (yours, in AWS's data-perimeter patterns), so only
    # its own is tried (an SCP "deny reads outside vpce-…" fails the vendor, as AWS would).
    vpcs = [("vpc-0vendor0000000", "the vendor's own VPC", True)] if "aws:sourcevpc" in network else []
    endpoints = (
        [("vpce-0vendor000000", "the vendor's own endpoint", True)] if "aws:sourcevpce" in network else []
    )
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


def _tag_dimension(key: str, values: list[tuple[str, bool, bool]], role_tagged: bool = False) -> Dimension:
    """The values of a session tag the vendor may pass; without one, the session has the role's
    tag of that key (`role_tagged`: the request holds it already) or none."""
    candidates = [Candidate(f"when it is {label}", ((key, value),)) for value, label in _strings_of(values)]
    other = _other([(v, w) for v, w, _ in values])
    if other is not None:
        candidates.append(
            Candidate(f"when it is any other value (e.g. '{other}')", ((key, other),), other=True)
        )
    if role_tagged:
        candidates.append(Candidate("when the vendor passes none (the role's own tag)", (), other=True))
    else:
        candidates.append(Candidate("when the session has no such tag", ((key, None),), other=True))
    return Dimension(f"the vendor's session tag {key}", tuple(candidates), kind="tag")
