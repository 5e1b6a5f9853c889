"""Differential tests of the exact trust analysis (provisioner/analysis/) against the independent
evaluator, @cloud-copilot/iam-simulate (tests/oracle/, see tests/test_oracle.py), from both sides.

A seeded generator writes trusts in every form of issue 19: Allow pins (StringEquals, IgnoreCase,
ForAnyValue, StringLike patterns, IfExists, Null), Deny guards (StringNotEquals with one or two
IDs, ForAllValues:StringNotEquals, StringNotEqualsIfExists, Null plus StringNotEquals in one
statement or in two), every Principal form, keys the caller chooses (aws:PrincipalTag/team,
sts:RoleSessionName, aws:PrincipalOrgID, sts:SourceIdentity), aws:PrincipalAccount and the ARN
operators on aws:PrincipalArn, and sometimes an RCP level. The analysis answers each trust once;
then the other evaluator decides concrete requests, in strict mode with the full request context
of evaluation.assume_role_request:

- (a) what the analysis says gets in must be Allowed: every decided door (a class's admitted
  request, its request with no ID, with an ID that is not issued) and, for every issued ID the
  analysis says a class gets in with and a member of each set it words as "any ID starting
  with P" or "any ID", the analysis's own witness request with that ID;
- (b) what the analysis says does not get in must be denied: for each class whose answer rules a
  request out (nobody of the class; no ID; an ID that is not issued, not even up to letter case;
  an issued ID it does not get in with), the IDs just outside each literal and pattern of the
  trust (one character changed, the prefix alone, the wildcard removed, a letter-case variant,
  the empty string sent as no key), with the caller's own keys on both sides of each condition,
  from callers of the vendor's account, of another account and of the role's own account.

"Gets in" is read from the analysis's sets (ClassAnswer.admitted/without_id/other_id/issued_in),
never from our concrete evaluator. `make test` runs ORACLE_TRUSTS trusts (a fixed seed);
`make fuzz` runs many more with a fresh seed on ORACLE_WORKERS processes.

Disagreements found so far: none (a run of 1,109 trusts, 17,475 requests with a fresh seed, and
the fixed-seed slice). Two deliberate defects were each caught by the slice: `{"AWS": "*"}` not
naming every caller (requests it keeps out got in), and a negated operator false on a missing key
(doors the other evaluator denies).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from multiprocessing import get_context
from typing import Any

import pytest

from provisioner.evaluation import Policy, assume_role_request
from provisioner.iam import trust_passes
from tests.test_oracle import THEIRS, oracle_available, run_oracle

pytestmark = pytest.mark.slow

TRUSTS = int(os.environ.get("ORACLE_TRUSTS", "12"))  # about 10 s on an idle core; see the Makefile
SEED = int(os.environ.get("ORACLE_SEED", "20261202"))
WORKERS = int(os.environ.get("ORACLE_WORKERS", "1"))
MINUTES = float(os.environ.get("ORACLE_MINUTES", "0"))  # make fuzz: stop analysing new trusts after it
ORACLE_BATCH = 5000  # simulations per Node process

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
VENDOR = "340636424752"
OTHER = "111122223333"
VENDOR_ROLE = f"arn:aws:iam::{VENDOR}:role/lb-aws-delegated-access-role"
ID = "lbx-5e8d0c3a9f7b21"
OLD_ID = "lbx-old-7f3e2a91"
ORG = "o-abcdef1234"  # the role's own organization
FOREIGN_ORG = "o-zyxwvu9876"
_VALID_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")

# --- the generator --------------------------------------------------------------------------

PRINCIPALS: list[Any] = [
    {"AWS": VENDOR_ROLE},
    {"AWS": f"arn:aws:iam::{VENDOR}:root"},
    {"AWS": VENDOR},
    "*",
    {"AWS": "*"},
    {"AWS": [f"arn:aws:iam::{VENDOR}:root", f"arn:aws:iam::{OTHER}:role/attacker"]},
    {"AWS": [VENDOR_ROLE, f"arn:aws:iam::{ACCOUNT}:root"]},
    {"AWS": [VENDOR_ROLE, f"arn:aws:sts::{VENDOR}:assumed-role/lb-aws-delegated-access-role/s1"]},
    {"Service": "ec2.amazonaws.com"},
]
PRINCIPAL_WEIGHTS = [5, 4, 3, 4, 4, 2, 2, 1, 1]

# Allow pins on sts:ExternalId (None: no ID condition in the Allow)
PINS: list[dict[str, Any] | None] = [
    None,
    {"StringEquals": {"sts:ExternalId": ID}},
    {"StringEquals": {"sts:ExternalId": [ID, OLD_ID]}},
    {"StringEqualsIgnoreCase": {"sts:ExternalId": ID}},
    {"StringEqualsIgnoreCase": {"sts:ExternalId": ID.upper()}},
    {"ForAnyValue:StringEquals": {"sts:ExternalId": ID}},
    {"ForAllValues:StringEquals": {"sts:ExternalId": ID}},
    {"StringLike": {"sts:ExternalId": "lbx-5e8d*"}},
    {"StringLike": {"sts:ExternalId": "lbx-5e8d0c3a9f7b2?"}},
    {"StringLike": {"sts:ExternalId": "*"}},
    {"StringLike": {"sts:ExternalId": [ID, "lbx-old-*"]}},
    {"StringEqualsIfExists": {"sts:ExternalId": ID}},
    {"StringLikeIfExists": {"sts:ExternalId": "lbx-*"}},
    {"Null": {"sts:ExternalId": "false"}},
    {"StringNotEquals": {"sts:ExternalId": "lbx-nope-00000001"}},
]
PIN_WEIGHTS = [6, 8, 3, 3, 1, 2, 1, 3, 2, 1, 1, 2, 1, 1, 1]

# Deny guards on sts:ExternalId: one or two Deny statements' condition blocks
GUARDS: list[list[dict[str, Any]]] = [
    [{"StringNotEquals": {"sts:ExternalId": ID}}],
    [{"StringNotEquals": {"sts:ExternalId": [ID, OLD_ID]}}],
    [{"ForAllValues:StringNotEquals": {"sts:ExternalId": ID}}],
    [{"StringNotEqualsIfExists": {"sts:ExternalId": ID}}],
    [{"Null": {"sts:ExternalId": "true"}}, {"StringNotEquals": {"sts:ExternalId": ID}}],
    [{"Null": {"sts:ExternalId": "false"}, "StringNotEquals": {"sts:ExternalId": ID}}],
    [{"StringNotEqualsIgnoreCase": {"sts:ExternalId": ID}}],
    [{"StringNotLike": {"sts:ExternalId": "lbx-5e8d*"}}],
    [{"StringNotEquals": {"aws:PrincipalAccount": VENDOR}}],
    [{"StringNotEquals": {"aws:PrincipalOrgID": ORG}, "Bool": {"aws:PrincipalIsAWSService": "false"}}],
]

# Conditions on the caller: keys it chooses, and who it is
CALLER_CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "ml"}},
    {"StringLike": {"aws:PrincipalTag/team": "label*"}},
    {"StringLike": {"sts:RoleSessionName": "lb-*"}},
    {"StringEquals": {"sts:RoleSessionName": "labelbox"}},
    {"Null": {"aws:PrincipalOrgID": "false"}},
    {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringEquals": {"aws:PrincipalOrgID": FOREIGN_ORG}},
    {"StringEquals": {"sts:SourceIdentity": "vendor-svc"}},
    {"StringLike": {"sts:SourceIdentity": "*"}},
    {"StringEquals": {"aws:PrincipalAccount": VENDOR}},
    {"StringEquals": {"aws:PrincipalAccount": OTHER}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/lb-*"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{VENDOR}:role/*"}},
    {"ArnEquals": {"aws:PrincipalArn": VENDOR_ROLE}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
    {"IpAddressIfExists": {"aws:SourceIp": ["198.51.100.0/25", "0.0.0.0/1"]}},
    # the caller's seconds since it signed in with MFA: any whole number ("AWS global condition
    # context keys", aws:MultiFactorAuthAge)
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "60"}},
]

RCP_DENIES: list[dict[str, Any]] = [
    {"Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": VENDOR}}},
    {"Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": [VENDOR, ACCOUNT]}}},
    {"Resource": "arn:aws:iam::*:role/restricted-*"},
    {"Resource": "arn:aws:iam::*:role/Labelbox*", "Condition": {"Null": {"sts:ExternalId": "true"}}},
    {
        "Resource": "arn:aws:iam::*:role/*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": [VENDOR, ACCOUNT]}},
    },
]
FULL_RCP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def _merge(*blocks: dict[str, Any] | None) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in blocks:
        for operator, pairs in (block or {}).items():
            merged.setdefault(operator, {}).update(pairs)
    return merged


def _allow(rng: random.Random) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": rng.choices(PRINCIPALS, PRINCIPAL_WEIGHTS)[0],
        "Action": rng.choice(["sts:AssumeRole", "sts:AssumeRole", "sts:*", "*"]),
    }
    blocks = [rng.choices(PINS, PIN_WEIGHTS)[0]]
    if rng.random() < 0.45:
        blocks.append(rng.choice(CALLER_CONDITIONS))
    if rng.random() < 0.1:
        blocks.append(rng.choice(CALLER_CONDITIONS))
    condition = _merge(*blocks)
    if condition:
        statement["Condition"] = condition
    return statement


def _denies(rng: random.Random) -> list[dict[str, Any]]:
    found = []
    for block in rng.choice(GUARDS):
        condition = dict(block)
        if rng.random() < 0.15:
            condition = _merge(condition, rng.choice(CALLER_CONDITIONS))
        found.append(
            {
                "Effect": "Deny",
                "Principal": rng.choice(["*", {"AWS": "*"}]),
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        )
    return found


def generate(seed: int, count: int) -> list[dict[str, Any]]:
    """`count` distinct questions (trust, given IDs, RCP level)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    cases: list[dict[str, Any]] = []
    attempts = 0
    while len(cases) < count and attempts < count * 20:
        attempts += 1
        statements = [_allow(rng) for _ in range(rng.choice([1, 1, 1, 2]))]
        if rng.random() < 0.4:
            statements += _denies(rng)
        rng.shuffle(statements)
        trust = {"Version": "2012-10-17", "Statement": statements}
        rcp = None
        if rng.random() < 0.15:
            deny = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", **rng.choice(RCP_DENIES)}
            rcp = {"Version": "2012-10-17", "Statement": [deny]}
        given = rng.choice([(), (ID,), (ID,), (OLD_ID,)])
        case = {"trust": trust, "issued": list(given), "rcp": rcp}
        text = json.dumps(case, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        cases.append({"id": len(cases), **case})
    return cases


# --- the analysis's answer, as concrete requests with what it says about each -----------------

CALLERS = {
    "party": [
        f"arn:aws:sts::{VENDOR}:assumed-role/lb-aws-delegated-access-role/s1",
        f"arn:aws:sts::{VENDOR}:assumed-role/other-team/s1",
    ],
    "other": [
        f"arn:aws:sts::{OTHER}:assumed-role/attacker/s1",
        f"arn:aws:sts::{OTHER}:assumed-role/lb-lookalike/s1",
    ],
    "own": [f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/s1"],
}


def _rcps(case: dict[str, Any]) -> list[list[Policy]]:
    # The other evaluator adds AWS's default RCPFullAWSAccess beside every RCP level.
    if case["rcp"] is None:
        return []
    return [[Policy("RCPFullAWSAccess", FULL_RCP), Policy("rcp", case["rcp"])]]


def _analyze(case: dict[str, Any]) -> Any:
    from provisioner.analysis.verdict import analyze

    return analyze(
        case["trust"],
        role_arn=ROLE,
        parties=[VENDOR],
        issued=case["issued"],
        own_account=ACCOUNT,
        own_orgs=[ORG],
        rcps=_rcps(case),
    )


def _witness(case: dict[str, Any], answer: Any, kind: str, external_id: str) -> Any:
    """The analysis's own request of class `kind` that gets in with `external_id` (the question
    behind ClassAnswer.issued_in, asked again to show its model)."""
    import z3

    from provisioner.analysis.request import Caller
    from provisioner.analysis.trust import _Question, _Setting

    setting = _Setting(Policy("trust policy", case["trust"]), tuple(_rcps(case)), ROLE, answer.issued)
    if kind == "party":
        caller = Caller("party", account=VENDOR, own_orgs=(ORG,))
    elif kind == "own":
        caller = Caller("own", account=ACCOUNT, own_orgs=(ORG,))
    else:
        caller = Caller("other", excluded=(VENDOR, ACCOUNT), own_orgs=(ORG,))
    question = _Question(caller, setting)
    key = question.id_key
    found = question.find(key.present, key.value == z3.StringVal(external_id))
    return found[0] if found else None


def phrase_members(ids: str) -> list[str]:
    """Members of an admitted set as the analysis words it, beyond the issued IDs: each ID it
    names exactly, an ID that starts with the prefix it names, one matching each pattern it
    names, one outside the values it bars, or any ID at all."""
    from provisioner.iam import wildcard_match

    prefix = re.fullmatch(r"any ID starting with '(.*)'", ids)
    if prefix:
        return [prefix[1] + "Zq9"]
    exact = re.fullmatch(
        r"exactly (?:these \d+ IDs: )?(.*?)(?: \(matched without regard to case\))?(?:, or none)?", ids
    )
    if exact:
        return exact[1].split(", ")  # each ID the words name gets in
    quoted = re.findall(r"'([^']*)'", ids)
    if ids.startswith("IDs matching "):
        return [p.replace("*", "Zq9").replace("?", "Q") for p in quoted]
    if ids.startswith(("any ID other than ", "any ID not matching ")):
        member = "zz-any-id-9Q"
        return [] if any(v == member or wildcard_match(v, member) for v in quoted) else [member]
    return ["zz-any-id-9Q"] if ids in ("any ID", "any ID, or none") else []


def _strings(document: Any, key: str) -> list[tuple[str, str]]:
    """(operator, value) of every condition on `key` in a policy."""
    from provisioner.iam import statements

    found = []
    for statement in statements(document):
        for operator, name, values in statement.conditions():
            if name.lower() == key.lower():
                found += [(operator, v) for v in values if isinstance(v, str)]
    return found


def _change(text: str, index: int) -> str:
    char = text[index]
    return text[:index] + ("x" if char != "x" else "y") + text[index + 1 :]


def near_ids(case: dict[str, Any], issued: tuple[str, ...]) -> list[str | None]:
    """The IDs just outside each literal and pattern the trust compares sts:ExternalId with,
    and the issued IDs themselves; None is no key (the empty string is sent as no key)."""
    found: list[str | None] = [None, "lbx-unrelated-0001", *issued]
    values = [v for _, v in _strings(case["trust"], "sts:ExternalId")]
    values += [v for _, v in _strings(case["rcp"], "sts:ExternalId")] if case["rcp"] else []
    for value in [*values, *issued]:
        if value in ("true", "false"):
            continue
        plain = value.replace("*", "").replace("?", "")
        head = re.split(r"[*?]", value)[0]
        found += [
            _change(plain, -1) if plain else None,
            _change(plain, 0) if plain else None,
            plain[:-1],
            plain + "x",
            plain.swapcase(),
            head,
            head[:-1] + "Z" + value[len(head) :].replace("*", "abc").replace("?", "q") if head else None,
            value.replace("*", "abc").replace("?", "q"),
            value.replace("?", ""),
        ]
    return list(dict.fromkeys(i if i and _VALID_ID.fullmatch(i) else None for i in found))


def chosen_keys(case: dict[str, Any]) -> list[dict[str, str]]:
    """The caller's own keys on both sides of each condition on them: the value compared with,
    one just outside it, and none."""
    options: dict[str, list[str | None]] = {}
    for key in (
        "aws:PrincipalTag/team",
        "sts:RoleSessionName",
        "sts:SourceIdentity",
        "aws:PrincipalOrgID",
        "aws:SourceIp",
        "aws:MultiFactorAuthAge",
    ):
        values = [v for _, v in _strings(case["trust"], key)]
        if case["rcp"]:
            values += [v for _, v in _strings(case["rcp"], key)]
        if not values:
            continue
        values = [v for v in values if v not in ("true", "false")]
        choices: list[str | None] = [None]
        for value in values or ["anything"]:
            filled = value.replace("*", "abc").replace("?", "q")
            choices += [filled, _change(filled, -1), re.split(r"[*?]", value)[0] or None]
        if key == "aws:PrincipalOrgID":  # set per caller (chosen_for)
            choices = [None, FOREIGN_ORG]
        if key == "aws:SourceIp":  # always present: an address inside and just outside each range
            choices = ["192.0.2.7", *[a for v in values for a in _around(v)]]
        if key == "sts:SourceIdentity" and "identity" not in trust_passes(case["trust"]):
            # IAM User Guide, "Monitor and control actions taken with assumed roles": without
            # sts:SetSourceIdentity in the trust a request setting one is refused; the oracle
            # judges sts:AssumeRole alone, so such a request is not asked (it cannot be sent)
            choices = [None]
        if key == "aws:MultiFactorAuthAge":  # seconds: each side of each constant, or no MFA
            choices = [None, "0", "59", "60", "61", "3599", "3600", "86400"]
        if key == "sts:RoleSessionName":  # always present: 2 to 64 characters of [\w+=,.@-]
            choices = [c for c in choices if c and re.fullmatch(r"[\w+=,.@-]{2,64}", c)] or ["probe"]
        options[key] = list(dict.fromkeys(choices))
    combos: list[dict[str, str]] = [{}]
    for key, choices in options.items():
        combos = [{**c, key: v} if v is not None else dict(c) for c in combos for v in choices]
    return combos


def _around(cidr: str) -> list[str]:
    """An address inside the range, and the first one past it (IAM User Guide, "IP address
    condition operators")."""
    import ipaddress

    network = ipaddress.ip_network(cidr, strict=False)
    inside = network.network_address + 1
    past = int(network.broadcast_address) + 1
    outside = [str(ipaddress.ip_address(past))] if past < 2**network.max_prefixlen else []
    return [str(inside), *outside]


def chosen_for(kind: str, keys: dict[str, str]) -> dict[str, str]:
    """The keys as a caller of `kind` can send them: only the role's own account is in our
    organization, and it always is (the analysis knows it: own_orgs)."""
    if kind == "own":
        return {**keys, "aws:PrincipalOrgID": ORG}
    return keys


def _request(caller: str, external_id: str | None, keys: dict[str, str]) -> Any:
    extra = dict(keys)
    session = extra.pop("sts:RoleSessionName", "provisioner-probe")
    return assume_role_request(caller, ROLE, external_id, session_name=session, **extra)


def _kind(caller: str) -> str:
    account = caller.split(":")[4]
    return "party" if account == VENDOR else "own" if account == ACCOUNT else "other"


def denied_by_answer(answer: Any, kind: str, external_id: str | None) -> str:
    """Why the analysis's sets rule out every request of `kind` with `external_id` ("" when
    they do not)."""
    cls = {"party": answer.parties[0], "other": answer.other, "own": answer.own}[kind]
    if cls.admitted is None:
        return f"{cls.name}: nobody"
    if external_id is None and cls.without_id is None:
        return f"{cls.name}: never with no ID"
    if external_id is None:
        return ""
    if external_id in cls.issued_undecided:
        return ""  # not decided (the solver's time ran out): no expectation either way
    if external_id in answer.issued and external_id not in cls.issued_in:
        return f"{cls.name}: not with the issued ID {external_id}"
    if cls.other_id is None and not any(external_id.lower() == i.lower() for i in answer.issued):
        return f"{cls.name}: only with issued IDs ({cls.ids})"
    return ""


def expectations(case: dict[str, Any], rng_seed: int, negatives: int = 12) -> dict[str, Any]:
    """The analysis's answer for one case as concrete requests: (request, 'Allowed' or 'denied',
    why). Run in a worker process."""
    started = time.perf_counter()
    answer = _analyze(case)
    checks: list[tuple[Any, str, str]] = []
    classes = [("party", answer.parties[0]), ("other", answer.other), ("own", answer.own)]
    undecided = 0
    for kind, cls in [*classes, ("service", answer.service)]:
        if cls is None:
            continue
        for label, door in (
            ("admitted", cls.admitted),
            ("no ID", cls.without_id),
            ("other ID", cls.other_id),
        ):
            if door is None:
                continue
            if not door.decided:
                undecided += 1
                continue
            checks.append((door.request(ROLE), "Allowed", f"{cls.name} gets in ({label}): {door.describe()}"))
        if kind == "service":
            continue
        for member in (*cls.issued_in, *phrase_members(cls.ids)):
            door = _witness(case, answer, kind, member)
            assert door is not None, f"{cls.name}: {cls.ids!r} has {member} but no request gets in with it"
            if door.decided:
                checks.append(
                    (door.request(ROLE), "Allowed", f"{cls.name} gets in with {member}: {door.describe()}")
                )
    rng = random.Random(rng_seed)
    candidates = []
    for kind, callers in CALLERS.items():
        for caller in callers:
            for external_id in near_ids(case, answer.issued):
                why = denied_by_answer(answer, kind, external_id)
                if why:
                    candidates += [(caller, external_id, chosen_for(kind, k), why) for k in chosen_keys(case)]
    for caller, external_id, keys, why in rng.sample(candidates, min(negatives, len(candidates))):
        shown = f"{caller} with {external_id!r} and {keys}: {why}"
        checks.append((_request(caller, external_id, keys), "denied", shown))
    return {
        "case": case,
        "verdict": answer.verdict,
        "undecided": undecided,
        "checks": [(_simulation(case, r), expected, why) for r, expected, why in checks],
        "seconds": time.perf_counter() - started,
    }


CALLER_SIDE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def _simulation(case: dict[str, Any], request: Any) -> dict[str, Any]:
    simulation: dict[str, Any] = {
        "request": {
            "principal": request.principal,
            "action": "sts:AssumeRole",
            "resource": {"resource": ROLE, "accountId": ACCOUNT},
            "contextVariables": request.context,
        },
        "identityPolicies": [{"name": "caller", "policy": CALLER_SIDE}],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
        "resourcePolicy": case["trust"],
    }
    if case["rcp"] is not None:
        simulation["resourceControlPolicies"] = [
            {"orgIdentifier": "o-abcdef1234", "policies": [{"name": "rcp", "policy": case["rcp"]}]}
        ]
    return simulation


def _answers(cases: list[dict[str, Any]], seed: int) -> Iterator[dict[str, Any]]:
    jobs = [(case, seed + case["id"]) for case in cases]
    if WORKERS <= 1:
        yield from (expectations(*job) for job in jobs)
        return
    pool = get_context("spawn").Pool(WORKERS)
    try:
        yield from pool.imap_unordered(_job, jobs, chunksize=4)
    finally:
        pool.terminate()


def _job(job: tuple[dict[str, Any], int]) -> dict[str, Any]:
    return expectations(*job)


class _Tally:
    """The figures of a run, and the first disagreements, decided batch by batch."""

    def __init__(self) -> None:
        self.trusts = self.requests = self.positives = self.refused = self.undecided = 0
        self.disagreements: list[tuple[Any, ...]] = []
        self.found = 0
        self.verdicts: dict[str, int] = {}
        self.analysis = self.oracle = self.slowest = 0.0
        self.slowest_case: dict[str, Any] = {}

    def add(self, answer: dict[str, Any]) -> None:
        self.trusts += 1
        self.undecided += answer["undecided"]
        self.verdicts[answer["verdict"]] = self.verdicts.get(answer["verdict"], 0) + 1
        if answer["seconds"] > self.slowest:
            self.slowest, self.slowest_case = answer["seconds"], answer["case"]

    def decide(self, checks: list[tuple[Any, ...]]) -> None:
        started = time.perf_counter()
        results = run_oracle([c[1] for c in checks])
        self.oracle += time.perf_counter() - started
        for (case, simulation, expected, why), result in zip(checks, results, strict=True):
            self.requests += 1
            self.positives += expected == "Allowed"
            if "error" in result:
                self.refused += 1
                continue
            if (expected == "Allowed") != (THEIRS[result["result"]] == "allow"):
                self.found += 1
                if self.found <= 200:  # each as it is found: a long run cut short keeps them
                    shown = {"case": case, "analysis": expected, "oracle": result["result"], "why": why}
                    print(f"DISAGREEMENT {json.dumps(shown)}", file=sys.stderr, flush=True)
                if len(self.disagreements) < 20:
                    self.disagreements.append((case, simulation, expected, result["result"], why))

    def report(self, seed: int) -> str:
        return (
            f"seed {seed}: {self.trusts} trusts ({self.verdicts}), {self.requests} requests "
            f"({self.positives} the analysis lets in, {self.requests - self.positives} it keeps out), "
            f"{self.requests - self.refused} compared, {self.refused} refused by the oracle, "
            f"{self.found} disagreements; {self.undecided} undecided doors not asked; analysis "
            f"{self.analysis:.1f} s on {WORKERS} process(es) (slowest trust {self.slowest:.1f} s), "
            f"oracle {self.oracle:.1f} s"
        )


def differential(seed: int, count: int) -> str:
    missing = oracle_available()
    if missing:
        pytest.skip(missing)
    started = time.perf_counter()
    stop = started + MINUTES * 60 if MINUTES else None
    tally, pending = _Tally(), []
    for answer in _answers(generate(seed, count), seed):
        tally.add(answer)
        pending += [(answer["case"], *c) for c in answer["checks"]]
        if len(pending) >= ORACLE_BATCH:
            tally.analysis = time.perf_counter() - started - tally.oracle
            tally.decide(pending)
            pending = []
            print(tally.report(seed), file=sys.stderr, flush=True)
        if stop is not None and time.perf_counter() > stop:
            break
    if pending:
        tally.decide(pending)
    tally.analysis = time.perf_counter() - started - tally.oracle
    report = tally.report(seed)
    print(report)
    print(f"the slowest trust to analyse ({tally.slowest:.1f} s): {json.dumps(tally.slowest_case)}")
    assert tally.refused <= tally.requests * 0.05, report
    shown = "\n".join(
        f"case {c['id']}: analysis {e}, oracle {t} ({w})\n  {json.dumps(c)}\n  {json.dumps(s['request'])}"
        for c, s, e, t, w in tally.disagreements[:5]
    )
    assert tally.found == 0, report + "\n" + shown
    return report


def test_the_trust_analysis_agrees_with_an_independent_evaluator():
    differential(SEED, TRUSTS)
