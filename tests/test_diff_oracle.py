"""Differential proof of `provision diff` on trusts (issue 21) against the independent evaluator,
@cloud-copilot/iam-simulate (tests/oracle/), through the harness of
tests/test_trust_analysis_oracle.py and its trust generator.

Each pair is a generated trust (OLD) and the same trust changed by one step of the generator's
grammar (NEW): an Allow's principal, ID pin or caller condition replaced, an Allow or a Deny guard
added, a statement removed. diff answers the pair once; then the other evaluator decides:

- every decided difference's example request: a new access is Allowed under NEW and denied under
  OLD, one no longer allowed the reverse;
- what diff says is unchanged: for a caller class with no difference at all, every probe request
  of the class (the IDs just outside each literal and pattern, the caller's own keys on both sides
  of each condition) is decided alike by both documents; for a class that only gained, nothing
  OLD allows is denied by NEW; for one that only lost, nothing NEW allows was denied by OLD.

`make test` runs DIFF_PAIRS pairs (a fixed seed); `make fuzz` runs 10,000 with a fresh seed.
"""

from __future__ import annotations

import copy
import json
import os
import random
import sys
import time
from typing import Any

import pytest

from tests.test_oracle import THEIRS, oracle_available, run_oracle
from tests.test_trust_analysis_oracle import (
    ACCOUNT,
    CALLER_CONDITIONS,
    CALLERS,
    ORACLE_BATCH,
    PINS,
    PRINCIPALS,
    ROLE,
    VENDOR,
    _allow,
    _denies,
    _request,
    _simulation,
    chosen_for,
    chosen_keys,
    generate,
    near_ids,
    phrase_members,
)

pytestmark = pytest.mark.slow

PAIRS = int(os.environ.get("DIFF_PAIRS", "8"))
SEED = int(os.environ.get("DIFF_SEED", "20261203"))
MINUTES = float(os.environ.get("DIFF_MINUTES", "0"))  # make fuzz: stop diffing new pairs after it
PROBES = 16  # probe requests per pair for the unchanged classes


def mutate(trust: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The trust changed by one step of the generator's grammar."""
    new = copy.deepcopy(trust)
    statements = new["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    step = rng.choice(["principal", "pin", "condition", "add-allow", "add-deny", "remove"])
    if step == "principal" and allows:
        rng.choice(allows)["Principal"] = rng.choice(PRINCIPALS)
    elif step == "pin" and allows:
        target = rng.choice(allows)
        condition = {k: v for k, v in target.get("Condition", {}).items() if "sts:ExternalId" not in v}
        pin = rng.choice(PINS)
        for operator, pairs in (pin or {}).items():
            condition.setdefault(operator, {}).update(pairs)
        target.pop("Condition", None)
        if condition:
            target["Condition"] = condition
    elif step == "condition" and allows:
        target = rng.choice(allows)
        extra = rng.choice(CALLER_CONDITIONS)
        for operator, pairs in extra.items():
            target.setdefault("Condition", {}).setdefault(operator, {}).update(pairs)
    elif step == "add-allow":
        statements.append(_allow(rng))
    elif step == "add-deny":
        statements += _denies(rng)
    elif len(statements) > 1:
        statements.pop(rng.randrange(len(statements)))
    else:
        statements.append(_allow(rng))
    return new


def pairs(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found = []
    for case in generate(seed, count * 3):
        old = case["trust"]
        new = mutate(old, rng)
        if new != old:
            found.append({"id": len(found), "old": old, "new": new, "issued": case["issued"]})
        if len(found) == count:
            break
    return found


def _class_of(caller: str, parties: list[str]) -> str:
    account = caller.split(":")[4]
    if account == ACCOUNT:
        return f"its own account {ACCOUNT}"
    return f"account {account}" if account in parties else "any other account"


def checks(pair: dict[str, Any], seed: int) -> dict[str, Any]:
    """What diff says of one pair, as (document, request, expected, why) for the other evaluator."""
    from provisioner.analysis.answer import Door
    from provisioner.diff.trust import classes, trust_differences

    started = time.perf_counter()
    old, new = pair["old"], pair["new"]
    found = trust_differences(
        old, new, role_arn=ROLE, parties=[VENDOR], issued=pair["issued"], own_account=ACCOUNT
    )
    parties = [account for kind, _, account, _ in classes(old, new, [VENDOR], ACCOUNT) if kind == "party"]
    out: list[tuple[str, Any, str, str]] = []
    undecided = 0
    for d in found:
        example = d.detail.get("example")
        if not d.decided or example is None:
            undecided += 1
            continue
        door = Door(example["caller"], example["external_id"], tuple(example["keys"].items()))
        request = door.request(ROLE)
        gained, lost = ("new", "old") if d.direction == "new" else ("old", "new")
        out += [(gained, request, "Allowed", d.message), (lost, request, "denied", d.message)]
    out += _members(pair, found, parties)
    directions: dict[str, set[str]] = {}
    for d in found:
        directions.setdefault(d.detail.get("caller", ""), set()).add(d.direction)
    probes = []
    for kind, callers in CALLERS.items():
        for caller in callers:
            name = _class_of(caller, parties)
            seen = directions.get(name, set())
            if seen == {"new", "removed"}:
                continue
            ids = dict.fromkeys(
                near_ids({"trust": old, "rcp": None}, tuple(pair["issued"]))
                + near_ids({"trust": new, "rcp": None}, tuple(pair["issued"]))
            )
            keys = chosen_keys({"trust": {"Statement": old["Statement"] + new["Statement"]}, "rcp": None})
            probes += [(caller, i, chosen_for(kind, k), name, seen) for i in ids for k in keys]
    rng = random.Random(seed)
    for caller, external_id, keys, name, seen in rng.sample(probes, min(PROBES, len(probes))):
        request = _request(caller, external_id, keys)
        why = f"{name}: diff says {'unchanged' if not seen else 'only ' + next(iter(seen))}"
        out.append(("pair", request, "unchanged" if not seen else next(iter(seen)), why))
    return {
        "pair": pair,
        "differences": len(found),
        "undecided": undecided,
        "checks": out,
        "seconds": time.perf_counter() - started,
    }


def members(ids: str) -> list[str]:
    """IDs of a difference's set as diff words it: those the trust analysis's phrases name, and
    "any ID matching 'P' but …", "any ID but …"."""
    import re

    matching = re.fullmatch(r"any ID matching '(.*)'(?: but .*?)?(?:, or none)?", ids)
    if matching:
        return [matching[1].replace("*", "Zq9").replace("?", "Q")]
    if re.fullmatch(r"any ID but .*", ids):
        return ["zz-any-id-9Q"]
    return phrase_members(ids)


def _members(pair: dict[str, Any], found: list[Any], parties: list[str]) -> list[tuple[str, Any, str, str]]:
    """For each member of each decided difference's ID set, diff's own request of the class with
    that ID (the question asked again to show its model): allowed on the side that gained it."""
    import z3

    from provisioner.analysis.answer import issued_ids
    from provisioner.analysis.request import Caller
    from provisioner.analysis.trust import _Setting
    from provisioner.diff.trust import _Gained, classes
    from provisioner.evaluation import Policy

    out = []
    ids = tuple(dict.fromkeys(pair["issued"]))
    compared = {name: (kind, account, excluded) for kind, name, account, excluded in classes(
        pair["old"], pair["new"], [VENDOR], ACCOUNT)}  # fmt: skip
    for d in found:
        if not d.decided or d.detail.get("caller") not in compared:
            continue
        kind, account, excluded = compared[d.detail["caller"]]
        if kind == "service":
            continue
        after, before = ("new", "old") if d.direction == "new" else ("old", "new")
        issued = tuple(dict.fromkeys([*issued_ids(pair["old"], ids), *issued_ids(pair["new"], ids)]))
        for member in members(d.detail["external_ids"]):
            question = _Gained(
                Caller(kind, account=account, excluded=excluded),
                _Setting(Policy("after", pair[after]), (), ROLE, issued),
                _Setting(Policy("before", pair[before]), (), ROLE, issued),
            )
            key = question.id_key
            door = question.find(key.present, key.value == z3.StringVal(member))
            assert door is not None, f"{d.message}: {member} is in the set, but no request gets in with it"
            if door[0].decided:
                request = door[0].request(ROLE)
                why = f"{d.message}: with {member}"
                out += [(after, request, "Allowed", why), (before, request, "denied", why)]
    return out


def _simulations(pair: dict[str, Any], side: str, request: Any) -> list[dict[str, Any]]:
    sides = ["old", "new"] if side == "pair" else [side]
    return [_simulation({"trust": pair[s], "rcp": None}, request) for s in sides]


def _agrees(expected: str, results: list[str]) -> bool:
    allowed = [THEIRS[r] == "allow" for r in results]
    if expected == "Allowed":
        return allowed[0]
    if expected == "denied":
        return not allowed[0]
    old, new = allowed
    if expected == "unchanged":
        return old == new
    if expected == "new":  # only gained: nothing OLD allows is denied by NEW
        return new or not old
    return old or not new  # only lost: nothing NEW allows was denied by OLD


def differential(seed: int, count: int) -> str:
    missing = oracle_available()
    if missing:
        pytest.skip(missing)
    started = time.perf_counter()
    stop = started + MINUTES * 60 if MINUTES else None
    figures = {"pairs": 0, "differences": 0, "undecided": 0, "requests": 0, "refused": 0}
    disagreements: list[str] = []
    pending: list[tuple[dict[str, Any], str, Any, str, str]] = []
    analysis = oracle = 0.0

    def decide() -> None:
        nonlocal oracle
        batch = [(item, _simulations(item[0], item[1], item[2])) for item in pending]
        begun = time.perf_counter()
        results = run_oracle([s for _, sims in batch for s in sims])
        oracle += time.perf_counter() - begun
        at = 0
        for (pair, side, _, expected, why), sims in batch:
            answers = results[at : at + len(sims)]
            at += len(sims)
            figures["requests"] += 1
            if any("error" in a for a in answers):
                figures["refused"] += 1
                continue
            if not _agrees(expected, [a["result"] for a in answers]):
                disagreements.append(f"pair {pair['id']} ({side}, {expected}): {why}\n  {json.dumps(pair)}")
        pending.clear()

    for pair in pairs(seed, count):
        begun = time.perf_counter()
        answer = checks(pair, seed + pair["id"])
        analysis += time.perf_counter() - begun
        figures["pairs"] += 1
        figures["differences"] += answer["differences"]
        figures["undecided"] += answer["undecided"]
        pending += [(pair, side, request, expected, why) for side, request, expected, why in answer["checks"]]
        if len(pending) >= ORACLE_BATCH:
            decide()
            print(_report(seed, figures, disagreements, analysis, oracle), file=sys.stderr, flush=True)
        if stop is not None and time.perf_counter() > stop:
            break
    if pending:
        decide()
    report = _report(seed, figures, disagreements, analysis, oracle)
    print(report)
    assert figures["refused"] <= figures["requests"] * 0.05, report
    assert not disagreements, report + "\n" + "\n".join(disagreements[:5])
    return report


def _report(
    seed: int, figures: dict[str, int], disagreements: list[str], analysis: float, oracle: float
) -> str:
    return (
        f"seed {seed}: {figures['pairs']} pairs, {figures['differences']} differences "
        f"({figures['undecided']} not decided, not asked), {figures['requests']} requests compared "
        f"({figures['refused']} refused by the oracle), {len(disagreements)} disagreements; "
        f"diff {analysis:.1f} s, oracle {oracle:.1f} s"
    )


def test_diff_agrees_with_an_independent_evaluator():
    differential(SEED, PAIRS)
