"""What the policies of a chain say about the free keys, read before the chain is encoded
(analysis/chain.py): whether any could change the answer (`mentions_free`), the VPC and endpoint
IDs they name (yours, never the vendor's), and the session tags compared only as numbers or only
as dates (`typed_tags`, with a value of every region their constants make)."""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from datetime import UTC, datetime

from provisioner.analysis.sent import is_free
from provisioner.analysis.session import SessionRequest
from provisioner.evaluation import Policy, Request
from provisioner.evaluation.chain import Chain
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.conditions import _number, parse_date
from provisioner.evaluation.free import chain_policies
from provisioner.iam import strings, wildcard_match


def typed_tags(policies: list[Policy], symbolic: SessionRequest) -> dict[str, list[str]]:
    """The free session tags the policies compare only with Numeric operators, or only with Date
    operators (Null aside), each with one value of every region their constants make of the
    line: each constant, a value between two, below all, above all, and one that is no number
    (or date). The evaluator compares the value with the constants alone, so these decide it
    exactly as every value would. A tag also compared by StringEquals or StringNotEquals with
    literal values has those values too: a value equal to one is that one, and any other is
    decided by its region alone (so no region's value may be spelled as a literal)."""
    uses: dict[str, set[str]] = {}
    constants: dict[str, list[str]] = {}
    literals: dict[str, list[str]] = {}  # the values StringEquals / StringNotEquals compare it with
    for policy in policies:
        for statement in policy.statements:
            for operator, key, values in statement.conditions():
                lower = key.lower()
                if not (lower.startswith("aws:principaltag/") and symbolic.is_free(lower)):
                    continue
                base = operator.rpartition(":")[2].lower().removesuffix("ifexists")
                family = (
                    "numeric"
                    if base.startswith("numeric")
                    else "date"
                    if base.startswith("date")
                    else "address"
                    if base in ("ipaddress", "notipaddress")
                    else base
                )
                if base == "null":
                    continue
                texts = [str(v) for v in values]
                exact = ":" not in operator and base in ("stringequals", "stringnotequals")
                used = family if family in TYPED else "literal" if exact else "other"
                uses.setdefault(lower, set()).add(used)
                (literals if used == "literal" else constants).setdefault(lower, []).extend(texts)
                if any("${" in t or "*" in t or "?" in t for t in texts) and used == "literal":
                    uses[lower].add("other")  # StringEquals has no wildcards, but keep it simple
                if any("${" in t for t in texts):
                    uses[lower].add("variable")
    found: dict[str, list[str]] = {}
    for key, families in uses.items():
        typed = families - {"literal"}
        if len(typed) != 1 or not typed <= set(TYPED):
            continue
        family, texts = typed.pop(), literals.get(key, [])
        representatives = _representatives(family, constants.get(key, []), set(texts))
        if set(representatives) & set(texts):
            continue  # a region's value spelled as a literal: it would stand for the literal alone
        found[key] = [*representatives, *dict.fromkeys(texts)]
    return found


TYPED = ("numeric", "date", "address")


def _representatives(family: str, constants: list[str], avoid: set[str]) -> list[str]:
    if family == "address":
        return _addresses(constants, avoid)
    parse = _number if family == "numeric" else _timestamp
    points = sorted({p for p in (parse(c) for c in constants) if p is not None})
    values = [*points, *[(a + b) / 2 for a, b in itertools.pairwise(points)]]
    values += [points[0] - 86400.0, points[-1] + 86400.0] if points else [0.0]
    shown = [
        repr(v) if family == "numeric" else datetime.fromtimestamp(v, tz=UTC).isoformat() for v in values
    ]
    return [*dict.fromkeys(shown), "not-a-" + family]


def _addresses(ranges: list[str], avoid: set[str]) -> list[str]:
    """An address of every region the ranges' ends make of each family's line (IPv4, IPv6: its
    first address not in `avoid`), and text that is no address: ip_in compares the value with
    the ranges alone."""
    ends: dict[int, set[int]] = {4: {0}, 6: {0}}
    for text in ranges:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue  # a range that is none: it matches no value
        ends[network.version] |= {int(network.network_address), int(network.broadcast_address) + 1}
    shown: list[str] = []
    for version, make in ((4, ipaddress.IPv4Address), (6, ipaddress.IPv6Address)):
        limit = 2**32 if version == 4 else 2**128
        points = sorted(p for p in ends[version] if p < limit)
        for start, end in zip(points, [*points[1:], limit], strict=True):
            spare = (str(make(a)) for a in range(start, min(end, start + len(avoid) + 1)))
            shown += [a for a in spare if a not in avoid][:1]
    return [*dict.fromkeys(shown), "not-an-address"]


def _timestamp(text: str) -> float | None:
    parsed = parse_date(text)
    return parsed.timestamp() if parsed is not None else None


def named_ids(policies: list[Policy]) -> dict[str, set[str]]:
    """The VPC and endpoint IDs the policies name (yours: never the vendor's own)."""
    named: dict[str, set[str]] = {}
    for policy in policies:
        for statement in policy.statements:
            for _, key, values in statement.conditions():
                if key.lower() in ("aws:sourcevpc", "aws:sourcevpce"):
                    texts = [str(v) for v in values if "*" not in str(v) and "?" not in str(v)]
                    named.setdefault(key.lower(), set()).update(texts)
    return named


def mentions_free(
    chain: Chain, request: Request, free: FreeKeys, unknown: dict[str, str] | None = None
) -> bool:
    """Could a free key change the chain's answer? (Not when no policy names one, nor the
    session's ARN prefix, nor a policy variable: then the request decides alone.)"""
    lowered = {k.lower() for k in unknown or {}}
    session = free.session_name and ":assumed-role/" in request.principal
    prefix = request.principal.rsplit("/", 1)[0].lower() + "/"
    head = free.objects if free.objects and request.resource.startswith(free.objects) else None
    for policy in chain_policies(chain):
        text = _text(policy)
        if "${" in text or (session and prefix in text):
            return True
        if head is not None and any(_splits_objects(p, head) for p in _patterns(policy)):
            return True
        if any(is_free(key, request, free, lowered) for key in _keys(policy)):
            return True
    return False


_TEXTS: dict[int, tuple[Policy, str, frozenset[str]]] = {}


def _text(policy: Policy) -> str:
    return _cached(policy)[1]


def _keys(policy: Policy) -> frozenset[str]:
    return _cached(policy)[2]


def _cached(policy: Policy) -> tuple[Policy, str, frozenset[str]]:
    found = _TEXTS.get(id(policy))
    if found is None or found[0] is not policy:
        keys = frozenset(k.lower() for s in policy.statements for _, k, _ in s.conditions())
        found = (policy, json.dumps(policy.document).lower(), keys)
        if len(_TEXTS) > 4096:
            _TEXTS.clear()
        _TEXTS[id(policy)] = found
    return found


def _patterns(policy: Policy) -> list[str]:
    return [p for s in policy.statements for e in ("Resource", "NotResource") for p in strings(s.body.get(e))]


def _splits_objects(pattern: str, head: str) -> bool:
    """Could the pattern match some objects under `head` and not others? Not when it ends in a
    `*` that follows a match of a start of `head` (it matches every key), nor when its text
    before the first wildcard leaves `head` (it matches none)."""
    if pattern.endswith("*") and any(wildcard_match(pattern[:-1], head[:i]) for i in range(len(head) + 1)):
        return False
    literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
    return literal.startswith(head) or head.startswith(literal)
