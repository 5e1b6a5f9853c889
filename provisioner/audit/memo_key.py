"""The key of audit's trust memo: a trust with its external IDs and outside accounts renamed to
placeholders where that is sound, so that trusts differing only in them (one per vendor
integration, one per account root) share one analysis, and the verdict mapped back to the real
IDs and accounts (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from provisioner.analysis.answer import STRANGER
from provisioner.audit.grants import GrantMemo
from provisioner.audit.trust import TrustVerdict, vendor_names
from provisioner.iam import document_text, statements, strings
from provisioner.model.rules import Hit

# --- the trust memo key ---------------------------------------------------------------------------------

PLACEHOLDER = "provisioner-external-id-"  # + a number: an external ID in a memo key
_PLACEHOLDERS = re.compile(re.escape(PLACEHOLDER) + r"\d+")
ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")
_VALID_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,256}")  # what the analysis lets a caller present


def abstract_external_ids(document: Any, text: str | None = None) -> tuple[Any, dict[str, str]]:
    """The trust document with each external ID value replaced by a placeholder (the same value
    by the same placeholder, in every operator), and the placeholders' values, where that is
    sound: every sts:ExternalId value of the trust is a literal (no wildcard, no policy
    variable) that a caller can present, with a letter (as the placeholders have: "matched
    without regard to case" says the same of both), compared by a string operator (or tested by
    Null), and no two differ only in letter case. Then the analysis of the abstract trust is the analysis
    of the real one with the IDs renamed (it relates an ID to the trust's literals only, by
    equality up to case), and trusts that differ only in their IDs (one per vendor integration)
    share one verdict. Anywhere else the document is returned as it is, with no placeholders.

    It runs for every role of an audit: one pass over the statements' conditions, and only a
    statement that names sts:ExternalId is copied (the others, and a trust that names none, are
    shared as they are), so most roles cost a few dict lookups. `text`: its document_text,
    when the caller has it already."""
    raw = document.get("Statement") if isinstance(document, dict) else None
    listed = isinstance(raw, list)
    found: list[Any] = raw if isinstance(raw, list) else [raw]
    names = _Placeholders()
    changed: dict[int, Any] = {}
    try:
        for index, statement in enumerate(found):
            condition = statement.get("Condition") if isinstance(statement, dict) else None
            if isinstance(condition, dict) and _mentions_external_id(condition):
                changed[index] = {**statement, "Condition": _abstract_condition(condition, names)}
    except _Unsound:
        return document, {}
    if not changed:
        return document, {}
    if names.ids and PLACEHOLDER in (document_text(document) if text is None else text).lower():
        return document, {}
    kept = [changed.get(i, s) for i, s in enumerate(found)]
    return {**document, "Statement": kept if listed else kept[0]}, names.ids


@dataclass
class _Placeholders:
    """The placeholders of one trust's external IDs: the same value, the same placeholder."""

    ids: dict[str, str] = field(default_factory=dict)  # placeholder -> ID
    by_value: dict[str, str] = field(default_factory=dict)
    folded: set[str] = field(default_factory=set)

    def of(self, value: Any) -> str:
        if not isinstance(value, str) or not _VALID_ID.fullmatch(value):
            raise _Unsound
        folded = value.lower()
        if PLACEHOLDER in folded:
            raise _Unsound
        if folded == value.upper():  # _VALID_ID's only cased characters are ASCII letters
            raise _Unsound  # no letter: no case variant, where the placeholder has some
        if value not in self.by_value:
            if folded in self.folded:
                raise _Unsound  # two IDs that differ only in letter case
            self.folded.add(folded)
            self.by_value[value] = f"{PLACEHOLDER}{len(self.by_value)}"
            self.ids[self.by_value[value]] = value
        return self.by_value[value]


def _abstract_condition(condition: dict[str, Any], names: _Placeholders) -> dict[str, Any]:
    """A Condition block with its sts:ExternalId values replaced by placeholders."""
    abstract: dict[str, Any] = {}
    for operator, pairs in condition.items():
        if isinstance(pairs, dict) and any(k.lower() == "sts:externalid" for k in pairs):
            if _is_null(operator):
                abstract[operator] = pairs
                continue
            if not compares_strings(operator):
                raise _Unsound  # Bool, Arn…, Numeric… on the ID: not renamed soundly
            pairs = {
                key: (
                    ([names.of(v) for v in value] if isinstance(value, list) else names.of(value))
                    if key.lower() == "sts:externalid"
                    else value
                )
                for key, value in pairs.items()
            }
        abstract[operator] = pairs
    return abstract


class _Unsound(Exception):
    """The trust's IDs cannot be renamed without changing its verdict."""


def compares_strings(operator: str) -> bool:
    """String operators compare the value itself (Null and Bool do not: their values are
    true/false and must stay)."""
    return operator.rpartition(":")[2].lower().startswith("string")


def _is_null(operator: str) -> bool:
    return operator.rpartition(":")[2].lower() == "null"


def _mentions_external_id(condition: dict[str, Any]) -> bool:
    """Does a statement's Condition test sts:ExternalId (under any operator)?"""
    for pairs in condition.values():
        if isinstance(pairs, dict):
            for key in pairs:
                if key.lower() == "sts:externalid":
                    return True
    return False


def abstract_accounts(document: Any, ours: Callable[[str], bool]) -> tuple[Any, dict[str, str]]:
    """The trust with every 12-digit account ID that is not ours renamed to a placeholder account
    (the same by the same), and the placeholders' accounts, where that is sound (renaming)."""
    renaming = renaming_of(document, document_text(document), ours)
    if not renaming:
        return document, {}
    return renamed(document, renaming), {p: t for t, p in renaming.items()}


def renaming_of(document: Any, text: str, ours: Callable[[str], bool]) -> dict[str, str]:
    """The placeholder account for each outside account the trust names (`text`: its document_text),
    where renaming them is sound: no Condition value has a wildcard and nothing is a policy
    variable. The analysis then relates such an account to the trust's literals by equality
    alone (both are 12 digits), so trusts that differ only in the outside account they name (one
    per vendor) share one verdict. The caller keeps the RCPs out: they may name the accounts."""
    tokens = [t for t in dict.fromkeys(ACCOUNT.findall(text)) if not ours(t)]
    if not tokens or "${" in text or _condition_wildcards(document):
        return {}
    renaming: dict[str, str] = {}
    number = 1
    for token in tokens:
        while (placeholder := f"{number:012d}") in text or ours(placeholder) or placeholder == STRANGER:
            number += 1
        renaming[token] = placeholder
        number += 1
    return renaming


def renamed(node: Any, renaming: dict[str, str]) -> Any:
    if isinstance(node, str):
        return ACCOUNT.sub(lambda m: renaming.get(m.group(0), m.group(0)), node)
    if isinstance(node, dict):
        return {renamed(k, renaming): renamed(v, renaming) for k, v in node.items()}
    if isinstance(node, list):
        return [renamed(v, renaming) for v in node]
    return node


def _condition_wildcards(document: Any) -> bool:
    for statement in statements(document):
        condition = statement.body.get("Condition")
        if not isinstance(condition, dict):
            continue
        for pairs in condition.values():
            for values in pairs.values() if isinstance(pairs, dict) else [pairs]:
                if any("*" in v or "?" in v for v in strings(values)):
                    return True
    return False


MappedCache = dict[tuple[int, tuple[tuple[str, str], ...]], tuple[TrustVerdict, TrustVerdict]]


def mapped_back(
    verdict: TrustVerdict,
    ids: dict[str, str],
    accounts: dict[str, str],
    cache: MappedCache | None = None,
) -> TrustVerdict | None:
    """The verdict on an abstract trust with its placeholders (IDs, accounts) mapped back to the
    role's own, in every message and field. The renaming is an isomorphism of the question
    (where abstract_external_ids and abstract_accounts allow it), so each door maps to a door of
    the real trust, except where the solver chose, on its own, a value that is one of the real
    ones (in the real trust it means something else) or one the mapping cannot read back: None,
    and the real trust is judged. `cache`: a run's verdicts with their accounts mapped back
    (a verdict with no hit and no door: the many vendor integrations that differ only in their
    external IDs map the same accounts back each time)."""
    if not accounts and (not ids or not (verdict.found or verdict.pinned)):
        return verdict
    if not verdict.found and not verdict.doors:
        return _mapped_plain(verdict, ids, accounts, cache)
    if verdict.found or verdict.doors:
        shown = repr([verdict.found, verdict.doors]).lower()
        if any(real.lower() in shown for real in (*ids.values(), *accounts.values())):
            return None

    def mapped(text: str) -> str:
        text = _PLACEHOLDERS.sub(lambda m: ids.get(m.group(0), m.group(0)), text) if ids else text
        return ACCOUNT.sub(lambda m: accounts.get(m.group(0), m.group(0)), text) if accounts else text

    doors = []
    for door in verdict.doors:
        real = mapped(door.external_id) if door.external_id is not None else None
        if real is not None and PLACEHOLDER in real.lower():
            return None
        keys = tuple((k, mapped(v)) for k, v in door.keys)
        doors.append(replace(door, caller=mapped(door.caller), external_id=real, keys=keys))
    found = [Hit(h.rule, mapped(h.message), h.where, h.evidence) for h in verdict.found]
    if any(PLACEHOLDER in h.message.lower() for h in found):
        return None
    parties = tuple(accounts.get(a, a) for a in verdict.parties)
    return replace(
        verdict,
        found=found,
        pinned=sorted(ids.get(p, p) for p in verdict.pinned),
        reached_by=tuple(accounts.get(a, a) for a in verdict.reached_by),
        doors=tuple(doors),
        parties=parties,
        vendor=vendor_names(parties) if accounts else verdict.vendor,
    )


def _mapped_plain(
    verdict: TrustVerdict, ids: dict[str, str], accounts: dict[str, str], cache: MappedCache | None
) -> TrustVerdict:
    """mapped_back of a verdict with no hit and no door: nothing the solver chose, so nothing to
    refuse; its parties' accounts and its pinned IDs mapped back (what mapped_back's full path
    gives such a verdict, field by field)."""
    base = verdict
    if accounts:
        key = (id(verdict), tuple(accounts.items()))
        cached = cache.get(key) if cache is not None else None
        if cached is not None and cached[0] is verdict:
            base = cached[1]
        else:
            parties = tuple(accounts.get(a, a) for a in verdict.parties)
            base = replace(
                verdict,
                found=[],
                reached_by=tuple(accounts.get(a, a) for a in verdict.reached_by),
                doors=(),
                parties=parties,
                vendor=vendor_names(parties),
            )
            if cache is not None:
                cache[key] = (verdict, base)
    return base.with_pinned(sorted([ids.get(p, p) for p in verdict.pinned] if ids else verdict.pinned))


def role_dependent(levels: Any) -> bool:
    """Does a verdict under these RCPs depend on the role asked about: some RCP's Resource or
    NotResource has a pattern other than "*" (`arn:aws:iam::*:role/restricted-*`)?"""
    return any(
        value != "*"
        for level in levels
        for policy in level
        for statement in statements(policy.document)
        for element in ("Resource", "NotResource")
        for value in strings(statement.body.get(element))
    )


def names_external_id(levels: Any) -> bool:
    return any("sts:externalid" in repr(policy.document).lower() for level in levels for policy in level)


_ROLE_KEY = re.compile(r"aws:resource(?:tag/|account|orgid)", re.IGNORECASE)
RoleKeys = tuple[tuple[str, str], ...]


def reads_role_keys(text: str) -> bool:
    """Does a document's text read the role's own keys (aws:ResourceTag/<key>,
    aws:ResourceAccount, aws:ResourceOrgID) in an AssumeRole of it?"""
    return _ROLE_KEY.search(text) is not None


def role_keys(tags: dict[str, str], account: str, orgs: tuple[str, ...]) -> RoleKeys:
    """The role's own keys in every AssumeRole of it (IAM User Guide, "AWS global condition
    context keys": aws:ResourceAccount, aws:ResourceOrgID and aws:ResourceTag/<key> are the
    resource's, and the resource of sts:AssumeRole is the role), as validate/trust.role_keys
    makes them: its account, its organization when known, and its tags (GAAD's Tags lists them
    all, so another tag key is absent). Part of the memo key when the trust or an RCP reads
    them: two roles with one trust and different tags are two questions."""
    keys = [("aws:resourceaccount", account), *(("aws:resourceorgid", o) for o in orgs[:1])]
    return (*keys, *sorted((f"aws:resourcetag/{k.lower()}", v) for k, v in tags.items()))


# --- one role -------------------------------------------------------------------------------


@dataclass
class Memo:
    """Verdicts of one run, by document (`document_text`: a fast, faithful key for JSON data), so the
    many roles that share a trust share its work; and the statements of each trust text by path
    (the findings' evidence), read-only, shared by the roles of that text."""

    trust: dict[tuple[str, frozenset[str], str], TrustVerdict] = field(default_factory=dict)
    grants: GrantMemo = field(default_factory=dict)
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    # by (account, organization's accounts, a trust's text with its IDs abstracted): its outside
    # accounts' renaming (renaming_of) and the text renamed, the same for every vendor
    # integration that differs only in its IDs
    shapes: dict[tuple[str, frozenset[str], str], tuple[dict[str, str], str]] = field(default_factory=dict)
    mapped: MappedCache = field(default_factory=dict)  # verdicts with their accounts mapped back
    role_keys_read: dict[str, bool] = field(default_factory=dict)  # by RCP names: do they read them?
    # a verdict's hits by rule, each with its statement of a text as the evidence (by the
    # verdict's id and the text: the roles of one text share them, read-only)
    hits: dict[tuple[int, str], tuple[TrustVerdict, dict[str, list[Hit]]]] = field(default_factory=dict)

    def hits_by_rule(self, verdict: TrustVerdict, text: str, by_path: dict[str, Any]) -> dict[str, list[Hit]]:
        """The verdict's hits by rule, with the text's statements (`by_path`) as the evidence."""
        key = (id(verdict), text)
        known = self.hits.get(key)
        if known is not None and known[0] is verdict:
            return known[1]
        grouped: dict[str, list[Hit]] = {}
        for h in verdict.found:
            grouped.setdefault(h.rule, []).append(Hit(h.rule, h.message, h.where, by_path.get(h.where)))
        self.hits[key] = (verdict, grouped)
        return grouped

    def by_path(self, trust: Any, text: str | None = None) -> dict[str, Any]:
        """The trust's statements by path (`text`: its document_text, when the caller has it)."""
        text = document_text(trust) if text is None else text
        found = self.statements.get(text)
        if found is None:
            found = self.statements[text] = {s.path: s.body for s in statements(trust)}
        return found
