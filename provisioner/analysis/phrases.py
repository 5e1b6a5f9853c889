"""Which external IDs a caller class gets in with, in an admin's words: "exactly lbx-5e8d…",
"exactly these 2 IDs", "any ID starting with lbx-5e8d", "any ID, or none", "nobody". Each phrase
is proven before it is used (the admitted set is inside the phrase's language, and the whole
language gets in for one choice of the caller's other keys); where none fits, "IDs matching
<patterns>" when that is proven, else an example."""

from __future__ import annotations

from typing import Any, Protocol

import z3
from z3.z3util import get_vars

from provisioner.analysis.answer import ClassAnswer, Door
from provisioner.analysis.encode import ANY, Key, equal_ignoring_case, like
from provisioner.iam import statements


class _Question(Protocol):
    """What a phrase asks of one caller class's question (analysis/trust.py's _Question)."""

    id_key: Key
    allowed: z3.BoolRef
    trust_document: Any

    def find(self, *extra: z3.BoolRef) -> tuple[Door, z3.ModelRef] | None: ...


_ID_CHARS = z3.Union(
    z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), *[z3.Re(c) for c in "_+=,.@:/-"]
)


def ids_phrase(question: _Question, answer: ClassAnswer) -> str:
    if answer.admitted is None:
        return "nobody"
    if answer.other_id is None:
        if not answer.issued_in and answer.without_id is None:
            door = answer.admitted  # in only through what is not modelled, with an issued ID
            return f"{door.external_id or 'an issued ID'}, not decided ({door.why})"
        if not answer.issued_in:
            return "only with no external ID"
        text = _issued_phrase(question, answer)
        return text + (", or none" if answer.without_id is not None else "")
    if _whole(question, ANY):
        return "any ID, or none" if answer.without_id is not None else "any ID"
    named = _named_set(question)
    if named:
        text = (
            f"exactly {named[0]}"
            if len(named) == 1
            else f"exactly these {len(named)} IDs: {', '.join(named)}"
        )
        return text + (", or none" if answer.without_id is not None else "")
    patterns = _patterns(question)
    for pattern in patterns:
        head = pattern[:-1]
        if (
            pattern.endswith("*")
            and not any(c in head for c in "*?")
            and answer.without_id is None
            and _inside(question, [pattern])
            and _whole(question, like(pattern))
        ):
            return f"any ID starting with {head!r}"
    if patterns and _inside(question, patterns) and all(_whole(question, like(p)) for p in patterns):
        shown = " or ".join(repr(p) for p in patterns)
        return f"IDs matching {shown}" + (", or none" if answer.without_id is not None else "")
    barred = _barred(question)
    if barred and _kept_out(question, barred) and _whole(question, z3.Complement(_union(barred))):
        literals = " or ".join(repr(v) for v, pattern in barred if not pattern)
        matched = " or ".join(repr(v) for v, pattern in barred if pattern)
        parts = [f"other than {literals}"] if literals else []
        parts += [f"not matching {matched}"] if matched else []
        return f"any ID {' and '.join(parts)}" + (", or none" if answer.without_id is not None else "")
    example = answer.other_id.external_id if answer.other_id is not None else None
    phrase = f"IDs other than the issued ones, such as {example!r}" if example else "no ID"
    return phrase + (", or none" if answer.without_id is not None and example else "")


def _issued_phrase(question: _Question, answer: ClassAnswer) -> str:
    ids = answer.issued_in
    if not ids:
        return "nobody with an issued ID"  # only reachable with IDs a solver cannot produce
    text = f"exactly {ids[0]}" if len(ids) == 1 else f"exactly these {len(ids)} IDs: {', '.join(ids)}"
    key = question.id_key
    variant = question.find(
        key.present,
        z3.Or(*[equal_ignoring_case(key.value, i) for i in ids]),
        *[key.value != z3.StringVal(i) for i in ids],
    )
    return text + (" (matched without regard to case)" if variant is not None else "")


def _named_set(question: _Question) -> list[str]:
    """The IDs the trust names literally, when exactly those (no other ID) get in: an ID the
    issued ones do not include, named in an Allow's StringEqualsIfExists or ForAllValues, say.
    Proven: no other ID gets in, and each of them does (decided)."""
    key = question.id_key
    named: list[str] = []
    for statement in statements(question.trust_document):
        for operator, name, values in statement.conditions():
            plain = operator.lower().rpartition(":")[2].removesuffix("ifexists").replace("not", "")
            if name.lower() == "sts:externalid" and plain in ("stringequals", "stringlike"):
                named += [
                    v
                    for v in values
                    if isinstance(v, str) and not (plain == "stringlike" and ("*" in v or "?" in v))
                ]
    named = list(dict.fromkeys(named))
    if not named or question.find(key.present, *[key.value != z3.StringVal(v) for v in named]) is not None:
        return []
    found = [(v, question.find(key.present, key.value == z3.StringVal(v))) for v in named]
    return [v for v, door in found if door is not None and door[0].decided]


def _patterns(question: _Question) -> list[str]:
    """The values the trust compares sts:ExternalId with by StringLike in an Allow, or by
    StringNotLike in a Deny guard, with a wildcard."""
    found: list[str] = []
    for statement in statements(question.trust_document):
        wanted = "stringlike" if statement.is_allow else "stringnotlike"
        for operator, key, values in statement.conditions():
            if key.lower() == "sts:externalid" and wanted in operator.lower():
                found += [v for v in values if isinstance(v, str) and ("*" in v or "?" in v)]
    return list(dict.fromkeys(found))


def _barred(question: _Question) -> list[tuple[str, bool]]:
    """(value, is a pattern) for each value an Allow refuses sts:ExternalId by StringNotEquals or
    StringNotLike, or a Deny by StringEquals or StringLike. Only a candidate: the phrase is used
    when proven (`_kept_out` and `_whole`)."""
    found: list[tuple[str, bool]] = []
    for statement in statements(question.trust_document):
        for operator, key, values in statement.conditions():
            name = operator.lower().rpartition(":")[2].removesuffix("ifexists")
            plain = name.replace("not", "")
            if key.lower() != "sts:externalid" or plain not in ("stringequals", "stringlike"):
                continue
            if ("not" in name) == statement.is_allow:
                found += [(v, name.endswith("like")) for v in values if isinstance(v, str)]
    return list(dict.fromkeys(found))


def _union(values: list[tuple[str, bool]]) -> z3.ReRef:
    languages = [like(v) if pattern else z3.Re(v) for v, pattern in values]
    return languages[0] if len(languages) == 1 else z3.Union(*languages)


def _kept_out(question: _Question, values: list[tuple[str, bool]]) -> bool:
    """Does no ID among the values (their languages, for patterns) get in?"""
    key = question.id_key
    return question.find(key.present, z3.InRe(key.value, _union(values))) is None


def _inside(question: _Question, patterns: list[str]) -> bool:
    """Is every ID that gets in inside the patterns' languages?"""
    key = question.id_key
    outside = [z3.Not(z3.InRe(key.value, like(p))) for p in patterns]
    return question.find(key.present, *outside) is None


def _whole(question: _Question, language: z3.ReRef, rounds: int = 6) -> bool:
    """Does every valid ID of `language` get in, for one choice of everything else (the caller,
    its keys)? Found by counterexample-guided search: pick a choice that admits every ID seen to
    fail so far, check it against the whole language, and repeat with the new failure."""
    key = question.id_key
    language = z3.simplify(language)  # in the form the simplified policy below has it
    keep = {key.value.decl().name(), key.present.decl().name()}
    names = [v for v in get_vars(question.allowed) if v.decl().name() not in keep]
    failures: list[z3.BoolRef] = []
    for _ in range(rounds):
        found = question.find(key.present, z3.InRe(key.value, language), *failures)
        if found is None:
            return False
        _, model = found
        pairs = [(v, model.eval(v, model_completion=True)) for v in names]
        fixed = z3.simplify(z3.substitute(question.allowed, *pairs) if pairs else question.allowed)
        solver = z3.Solver()
        solver.set("timeout", 10000)
        # two memberships, not one intersection: the solver then sees the policy's own atom
        solver.add(key.present, z3.InRe(key.value, language), z3.InRe(key.value, z3.Plus(_ID_CHARS)))
        solver.add(z3.Length(key.value) >= 2, z3.Not(fixed))
        outcome = solver.check()
        if outcome != z3.sat:
            return bool(outcome == z3.unsat)  # unknown: not proven, a plainer phrase follows
        refused = solver.model().eval(key.value, model_completion=True)
        failures.append(
            z3.substitute(question.allowed, (key.value, refused), (key.present, z3.BoolVal(True)))
        )
    return False
