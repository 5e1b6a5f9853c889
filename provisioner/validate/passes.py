"""What the trust lets the vendor pass when it assumes the role: session tags (sts:TagSession)
and a source identity (sts:SetSourceIdentity; it persists through role chaining, "Monitor and
control actions taken with assumed roles"). A condition on what it passes (aws:RequestTag/KEY,
aws:TagKeys, sts:SourceIdentity) is met by some request the vendor may send, so each key is asked
with the values the trust names for it (a pattern's wildcards filled) and with any other value,
beside every choice of the other keys the trust names (trial 20t item 1: a TagSession allowed
only with a tag like "label*" was read as no tagging at all, and every session tag as known)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from provisioner.evaluation import Policy, Request, evaluate
from provisioner.evaluation.choice import PassedRule
from provisioner.iam import strings

_ANY = "provisioner-any-value"
_MOST = 256  # combinations of the other keys asked, at most


def _values(trust: list[Policy], key: str) -> list[str]:
    """The values the trust's conditions name for `key` (lower case), wildcards filled, each in
    other letter case too, and one other."""
    named = [str(v).replace("*", "x").replace("?", "x") for v in _texts(trust, key)]
    cased = [c for v in named for c in (v, v.upper(), v.lower(), v.swapcase())]
    return [*dict.fromkeys(cased), _ANY]


def _texts(trust: list[Policy], key: str) -> list[str]:
    return [
        str(v)
        for policy in trust
        for statement in policy.statements
        for _, name, values in statement.conditions()
        if name.lower() == key
        for v in strings(values)
    ]


def _rule(trust: list[Policy], key: str, session_key: str, passed: dict[str, bool]) -> PassedRule | None:
    """What the trust refuses of `key` (its condition key, lower case), as the vendor's session
    has it (`session_key`), from whether each candidate value `passed`. None where a condition on
    the key is not a string comparison (the values are then not told apart here: any is taken)."""
    operators = [
        op.lower().split(":")[-1].removesuffix("ifexists")
        for policy in trust
        for statement in policy.statements
        for op, name, _ in statement.conditions()
        if name.lower() == key
    ]
    if any(not op.startswith("string") for op in operators if op != "null"):
        return None
    tests: list[tuple[str, str]] = []
    for text in dict.fromkeys(_texts(trust, key)):
        tests += [("stringequals", text), ("stringequalsignorecase", text)]
        tests += [("stringlike", text)] if "*" in text or "?" in text else []
    rule = PassedRule(session_key, tuple(tests), ())
    taken = {rule.signature(v) for v, ok in passed.items() if ok}
    refused = {rule.signature(v) for v, ok in passed.items() if not ok} - taken
    return replace(rule, forbidden=tuple(sorted(refused)))


def _request_tags(trust: list[Policy]) -> list[str]:
    """The tag keys (lower case) the trust's conditions name: as aws:RequestTag/KEY, or among the
    values of aws:TagKeys (a key passed beside another may meet a ForAnyValue condition on it:
    trial 20u item 1)."""
    found = []
    for policy in trust:
        for statement in policy.statements:
            for _, name, values in statement.conditions():
                if name.lower().startswith("aws:requesttag/"):
                    found.append(name.lower().removeprefix("aws:requesttag/"))
                elif name.lower() == "aws:tagkeys":
                    found += [
                        str(v).lower() for v in strings(values) if "*" not in str(v) and "?" not in str(v)
                    ]
    return list(dict.fromkeys(found))


def _spellings(key: str) -> list[str]:
    """The key as written, and in other case: a tag key is one key whatever its case (aws:PrincipalTag
    matches it so), while StringEquals on aws:TagKeys compares the case (trial 20u item 3)."""
    return list(dict.fromkeys([key, key.upper(), key.capitalize()]))


def _tagged(request: Request, tags: dict[str, str]) -> Request:
    context = {**request.context, "aws:TagKeys": list(tags)}
    context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
    return replace(request, context=context)


def tag_passes(
    trust: list[Policy], request: Request, named: frozenset[str]
) -> tuple[bool, frozenset[str] | None, list[PassedRule]]:
    """(may the vendor tag its session at all, the keys of `named` it may pass (None: any), and
    the values of each key the trust refuses: trial 20y item 1)."""
    others = _request_tags(trust)
    passable: dict[str, dict[str, bool]] = {}
    for key in sorted(named | set(others)):
        rest = [o for o in others if o != key]
        choices = [[None, *_values(trust, f"aws:requesttag/{o}")] for o in rest]
        passed = dict.fromkeys(_values(trust, f"aws:requesttag/{key}"), False)
        for combo in itertools.islice(itertools.product(*choices), _MOST):
            chosen = {o: v for o, v in zip(rest, combo, strict=True) if v is not None}
            for value in [v for v, ok in passed.items() if not ok]:
                tags = [{spelled: value, **chosen} for spelled in _spellings(key)]
                passed[value] = any(evaluate(trust, _tagged(request, t)).allowed for t in tags)
            if all(passed.values()):  # every value: no other combination can say more
                break
        if any(passed.values()):
            passable[key] = passed
    tagging = evaluate(trust, request).allowed or bool(passable)
    keys = frozenset(set(passable) & named) if tagging and named else None
    # a key the AssumeRole Allow requires (trial 20aa item 1): the vendor gets in only with it
    assume = replace(request, action="sts:AssumeRole")
    alone = evaluate(trust, assume).allowed
    rules: list[PassedRule] = []
    for key, passed in passable.items():
        rule = _rule(trust, f"aws:requesttag/{key}", f"aws:principaltag/{key}", passed)
        if rule is not None:
            rule = replace(rule, required=not alone and _needed(trust, assume, key, passed))
            rules += [rule] if rule.forbidden or rule.required else []
    return tagging, keys, rules


def _needed(trust: list[Policy], assume: Request, key: str, passed: dict[str, bool]) -> bool:
    """Does the vendor get in with the key passed (at a value the trust lets it pass)?"""
    return any(evaluate(trust, _tagged(assume, {key: v})).allowed for v, ok in passed.items() if ok)


def identity_passes(trust: list[Policy], request: Request) -> tuple[bool, PassedRule | None]:
    """May the vendor set a source identity (sts:SetSourceIdentity), and which values does the
    trust refuse (trial 20y item 3)?"""
    asked = replace(request, action="sts:SetSourceIdentity")
    passed = {
        v: evaluate(trust, replace(asked, context={**asked.context, "sts:SourceIdentity": v})).allowed
        for v in _values(trust, "sts:sourceidentity")
    }
    if not any(passed.values()):
        return False, None
    rule = _rule(trust, "sts:sourceidentity", "aws:sourceidentity", passed)
    return True, rule if rule is not None and rule.forbidden else None


def mfa_passes(trust: list[Policy], request: Request) -> bool:
    """May an IAM user of the vendor's account assume the role with MFA (AssumeRole's SerialNumber
    and TokenCode: then the session has aws:MultiFactorAuthPresent "true" and an
    aws:MultiFactorAuthAge; a role session cannot pass MFA)? Asked as a user of the account the
    vendor's principal is in (trial 20v item 2)."""
    account = request.principal.split(":")[4] if request.principal.count(":") >= 5 else ""
    user = replace(request, principal=f"arn:aws:iam::{account}:user/vendor-user")
    context = {**user.context, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}
    context.pop("aws:TokenIssueTime", None)
    return bool(account) and evaluate(trust, replace(user, context=context)).allowed


def name_rule(trust: list[Policy], request: Request) -> PassedRule | None:
    """The session names the trust refuses the vendor's AssumeRole (its conditions on
    sts:RoleSessionName, "AWS STS condition keys"): a session of such a name is never the
    vendor's (trial 20aa item 2). None where the vendor gets in with none of the names asked."""
    names = [v for v in _values(trust, "sts:rolesessionname") if v != _ANY] + ["vendor-session"]
    passed = {
        v: evaluate(trust, replace(request, context={**request.context, "sts:RoleSessionName": v})).allowed
        for v in names
    }
    if not any(passed.values()):
        return None
    rule = _rule(trust, "sts:rolesessionname", "session", passed)
    return rule if rule is not None and rule.forbidden else None
