"""Trust policies: which (caller class, external-ID set) pairs NEW lets in that OLD did not, and
the reverse, decided exactly by the z3 analysis behind every trust verdict (analysis/trust.py).

For each caller class (each account either trust names, any other account, the role's own
account when known, an AWS service) one question is asked of the solver: a request of the class
that NEW allows and OLD refuses. Its answer has the shape of the trust analysis' own (a request,
one with no ID, one with an ID that is not issued, the issued IDs among them, the set in words),
so the same phrases describe "which IDs". Each request is re-checked by the concrete evaluator:
NEW allows it and OLD refuses it ("Policy evaluation logic").

What the analysis does not model (dates, IP ranges, ...) is a free Boolean in each document: a
request is a decided difference only when NEW lets it in whatever those conditions hold and OLD
keeps it out whatever they hold; otherwise it is "not decided: why", which counts as new access.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import z3

from provisioner.analysis import one_solver
from provisioner.analysis.answer import ID_KEY, ClassAnswer, Door, issued_ids, may_name
from provisioner.analysis.encode import Encoder
from provisioner.analysis.request import Caller
from provisioner.analysis.trust import _Question, _Setting
from provisioner.analysis.verdict import named_accounts, unreadable
from provisioner.diff.model import NEW, REMOVED, Difference
from provisioner.evaluation import Policy, evaluate
from provisioner.iam import wildcard_match

DIFF_ROLE = "arn:aws:iam::000000000000:role/diffed-role"  # offline: the role a trust guards


class _Atoms(Encoder):
    """The analysis' encoder, where a condition on a key whose value is not modelled (the time,
    aws:userid, ...) is one free Boolean, its key's presence included: whether such a key is in a
    request is no more known than its value, so neither side may be decided by leaving it out."""

    def condition(
        self, operator: str, key: str, values: list[Any], variables: bool, closing: bool
    ) -> z3.BoolRef:
        request_key = self.key(key.lower(), key)
        if request_key.opaque and not request_key.unknown:
            return self._atom(f"{operator} on {key} ({request_key.opaque})", closing)
        return super().condition(operator, key, values, variables, closing)


class _Whole(_Question):
    """analysis/trust.py's question of one caller class, over `_Atoms`."""

    def __init__(self, caller: Caller, setting: _Setting) -> None:  # _Question's, with _Atoms
        self.caller = caller
        self.setting = setting
        self.id_key = caller.key(ID_KEY, "sts:ExternalId")
        self.trust_document = setting.trust.document
        self.encoder = _Atoms(caller.key, caller.principal, caller.spares)
        self.allowed = z3.And(self._layer([setting.trust]), *[self._layer(level) for level in setting.rcps])


class _Gained(_Whole):
    """One caller class's question "which requests does `after` let in that `before` does not?"."""

    def __init__(self, caller: Caller, after: _Setting, before: _Setting) -> None:
        super().__init__(caller, after)
        old = _Whole(caller, before)  # the same caller: the same symbolic request
        self.before = before.trust
        self.allowed = z3.And(self.allowed, z3.Not(old.allowed))
        # decided: `after` lets in whatever its unmodelled conditions hold (each set the way that
        # shuts it), `before` keeps out whatever its own hold (each set the way that opens it)
        self.encoder.atoms += [(atom, not closing) for atom, closing in old.encoder.atoms]
        self.encoder.undecided += old.encoder.undecided

    def answer(self, name: str) -> ClassAnswer:
        """The class's answer for the gained set; "IDs other than the issued ones, such as …"
        said more plainly where it is proven: "any ID matching 'lbx-*' but lbx-5e8d…", "any ID
        but lbx-5e8d…, or none" (the set is a pattern's language, or every ID, less the issued
        IDs in it)."""
        found = super().answer(name)
        if not found.ids.startswith("IDs other than the issued ones"):
            return found
        from provisioner.analysis.encode import like
        from provisioner.analysis.phrases import _inside, _patterns, _whole

        for pattern in [*_patterns(self), "*"]:
            issued = [i for i in self.setting.issued if wildcard_match(pattern, i)]
            less = like(pattern)
            if issued:
                kept = [z3.Re(z3.StringVal(i)) for i in issued]
                less = z3.Intersect(less, z3.Complement(kept[0] if len(kept) == 1 else z3.Union(*kept)))
            key = self.id_key
            out = [key.value == z3.StringVal(i) for i in issued]
            if out and self.find(key.present, z3.Or(*out)) is not None:
                continue  # an issued ID in it gets in too: not "but" it
            if (pattern == "*" or _inside(self, [pattern])) and _whole(self, less):
                what = "any ID" if pattern == "*" else f"any ID matching {pattern!r}"
                but = f" but {', '.join(issued)}" if issued else ""
                none = ", or none" if found.without_id is not None else ""
                return replace(found, ids=f"{what}{but}{none}")
        return found

    def _door(self, model: z3.ModelRef, decided: bool, why: str, refused: bool = False) -> Door:
        door = super()._door(model, decided, why, refused)
        if refused or not decided or not door.checked:
            return door
        request = door.request(self.setting.role_arn, self.setting.resource)
        if evaluate([self.before], request).allowed:
            return replace(door, checked=False)
        return door


def classes(
    old: Any, new: Any, parties: Iterable[str] = (), own_account: str | None = None
) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    """(kind, name, account, excluded) of every caller class the two trusts are compared for."""
    named = [*parties, *named_accounts(old), *named_accounts(new)]
    named = [a for a in dict.fromkeys(named) if a != own_account]
    excluded = tuple(dict.fromkeys([*named, *([own_account] if own_account else [])]))
    found: list[tuple[str, str, str | None, tuple[str, ...]]] = [
        ("party", f"account {a}", a, ()) for a in named
    ]
    found.append(("other", "any other account", None, excluded))
    if own_account:
        found.append(("own", f"its own account {own_account}", own_account, ()))
    found.append(("service", "an AWS service", None, ()))
    return found


@one_solver
def trust_differences(
    old: Any,
    new: Any,
    *,
    role_arn: str = DIFF_ROLE,
    parties: Iterable[str] = (),
    issued: Iterable[str] = (),
    own_account: str | None = None,
    words: bool = True,
) -> list[Difference]:
    """Every (caller class, external-ID set) NEW admits and OLD did not, then every one OLD
    admitted and NEW does not. `parties`: accounts to name apart (the vendor's) besides those the
    trusts name; `issued`: IDs issued besides those the trusts name."""
    if unreadable(old) is not None:
        old = {"Statement": []}  # no statement the evaluator reads: it let nobody in
    why = unreadable(new)
    if why is not None:
        return [Difference(NEW, "trust", "any other account", "", False, why, False)]
    given = list(issued)
    ids = tuple(dict.fromkeys([*issued_ids(old, given), *issued_ids(new, given)]))
    compared = classes(old, new, parties, own_account)
    found: list[Difference] = []
    for direction, before, after in ((NEW, old, new), (REMOVED, new, old)):
        setting = _Setting(Policy("NEW" if direction == NEW else "OLD", after), (), role_arn, ids, words)
        refusing = _Setting(Policy("OLD" if direction == NEW else "NEW", before), (), role_arn, ids, words)
        for kind, name, account, excluded in compared:
            if not may_name(after, kind, account, excluded):
                continue  # nobody of the class gets in at all: nothing gained
            caller = Caller(kind, account=account, excluded=excluded)
            answer = _Gained(caller, setting, refusing).answer(name)
            if answer.admitted is not None:
                found.append(_difference(direction, answer, new, role_arn))
    return found


def _difference(direction: str, answer: ClassAnswer, new: Any, role_arn: str) -> Difference:
    door = answer.admitted
    assert door is not None
    ids = answer.ids or "any request"
    subject = f"{answer.name} with {ids}" if answer.kind in ("party", "other") else answer.name
    if answer.kind in ("party", "other") and ids.startswith(("only ", "exactly ", "any ID", "IDs ")):
        subject = f"{answer.name} {ids}" if ids.startswith("only ") else f"{answer.name} with {ids}"
    shown = _shown(answer)
    path = ""
    if shown.concrete:
        decision = evaluate([Policy("NEW", new)], shown.request(role_arn))
        hits = decision.allows if direction == NEW else decision.denies
        path = hits[0].path if hits else ""
    detail = {
        "caller_class": answer.kind,
        "caller": answer.name,
        "account": answer.account,
        "external_ids": ids,
        "without_id": answer.without_id is not None,
        "issued_ids": list(answer.issued_in),
        "example": {"caller": shown.caller, "external_id": shown.external_id, "keys": dict(shown.keys)}
        if shown.concrete
        else None,
    }
    return Difference(
        direction,
        "trust",
        subject,
        shown.describe() if shown.concrete else "",
        shown.decided,
        shown.why,
        shown.checked,
        path,
        detail,
    )


def _shown(answer: ClassAnswer) -> Door:
    """The request shown: a decided one first, and one with an ID over one with none."""
    doors = [d for d in (answer.other_id, answer.admitted, answer.without_id) if d is not None]
    return next((d for d in doors if d.decided), doors[0])
