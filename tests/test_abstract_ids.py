"""audit's memo key: _abstract_external_ids, rewritten for speed (issue 18) to copy only the
statements that name sts:ExternalId, gives what the deep walk it replaced gave: the same
document (equal, and of the same repr, the memo's key) and the same placeholders, on every trust
where renaming the IDs is sound; elsewhere (issue 19) it renames nothing."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

memo_key = importlib.import_module("provisioner.audit.memo_key")

PRINCIPAL = {"AWS": "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"}


def _walked(document: Any) -> tuple[Any, dict[str, str]]:
    """The earlier implementation: a copy of the whole document, IDs replaced under string
    operators of any Condition."""
    mentions = False
    raw = document.get("Statement") if isinstance(document, dict) else None
    for statement in raw if isinstance(raw, list) else [raw]:
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        if isinstance(condition, dict):
            for pairs in condition.values():
                if isinstance(pairs, dict) and any(k.lower() == "sts:externalid" for k in pairs):
                    mentions = True
    if not mentions:
        return document, {}
    ids: dict[str, str] = {}
    by_value: dict[str, str] = {}

    def placeholder(value: Any) -> Any:
        if not isinstance(value, str) or "*" in value or "?" in value:
            return value
        if value not in by_value:
            by_value[value] = f"provisioner-external-id-{len(by_value)}"
            ids[by_value[value]] = value
        return by_value[value]

    def walk(node: Any, inside: bool = False) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if inside and key.lower() == "sts:externalid":
                    out[key] = (
                        [placeholder(v) for v in value] if isinstance(value, list) else placeholder(value)
                    )
                elif key == "Condition" and isinstance(value, dict):
                    out[key] = {op: walk(v, memo_key.compares_strings(op)) for op, v in value.items()}
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document), ids


def _statement(condition: Any = None, **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": PRINCIPAL, "Action": "sts:AssumeRole", **extra}
    if condition is not None:
        statement["Condition"] = condition
    return statement


DOCUMENTS = [
    {"Version": "2012-10-17", "Statement": [_statement()]},
    {"Version": "2012-10-17", "Statement": [_statement({"StringEquals": {"sts:ExternalId": "ck0001"}})]},
    {"Version": "2012-10-17", "Statement": _statement({"StringEquals": {"sts:ExternalId": "ck0001"}})},
    {
        "Statement": [
            _statement(
                {"StringEquals": {"sts:ExternalId": ["ck0001", "ck0002"], "aws:PrincipalOrgID": "o-1"}}
            ),
            _statement(),
            _statement(
                {"StringLike": {"STS:externalid": ["ck0003", "ck0002"]}, "Null": {"sts:ExternalId": "false"}}
            ),
            "not a statement",
            _statement({"ForAnyValue:StringEquals": {"sts:ExternalId": "ck0001"}, "Bool": {"aws:X": "true"}}),
        ],
        "Version": "2012-10-17",
    },
    {"Statement": [_statement({"Null": {"sts:ExternalId": "false"}})]},
    {"Statement": [_statement({"StringEquals": "not pairs"})]},
    {"Statement": []},
    {"Statement": None},
    {},
    [],
    "text",
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_abstract_trust_is_what_the_deep_walk_gave(document: Any) -> None:
    abstract, ids = memo_key.abstract_external_ids(document)
    expected, expected_ids = _walked(document)
    assert abstract == expected and repr(abstract) == repr(expected)
    assert ids == expected_ids


def test_trusts_that_differ_only_in_their_ids_share_a_key() -> None:
    one = {"Statement": [_statement({"StringEquals": {"sts:ExternalId": "ck0001"}}), _statement()]}
    two = {"Statement": [_statement({"StringEquals": {"sts:ExternalId": "ck9999"}}), _statement()]}
    (a, ids_a), (b, ids_b) = memo_key.abstract_external_ids(one), memo_key.abstract_external_ids(two)
    assert repr(a) == repr(b)
    assert list(ids_a.values()) == ["ck0001"] and list(ids_b.values()) == ["ck9999"]
    assert one["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == "ck0001"  # not changed


# Issue 19: renaming is sound only where the analysis relates an ID to the trust's literals by
# equality (up to letter case) alone. Anywhere else a trust is judged with its own IDs.
UNSOUND = {
    "a pattern beside a literal": [
        _statement({"StringLike": {"sts:ExternalId": ["ck*", "ck0002"]}}),
        _statement({"StringEquals": {"sts:ExternalId": "ck0001"}}),
    ],
    "two IDs equal up to case": [
        _statement({"StringEqualsIgnoreCase": {"sts:ExternalId": ["ckAB01", "CKab01"]}})],
    "a policy variable": [_statement({"StringEquals": {"sts:ExternalId": "${aws:PrincipalTag/id}"}})],
    "an ID no caller can present (1 character)": [_statement({"StringEquals": {"sts:ExternalId": "x"}})],
    "an ID no caller can present (a space)": [_statement({"StringEquals": {"sts:ExternalId": "ck 0001"}})],
    "an ID with no letter (no case variant)": [
        _statement({"StringEqualsIgnoreCase": {"sts:ExternalId": "12345678"}})],
    "a value that is not text": [_statement({"StringEquals": {"sts:ExternalId": 7}})],
    "Bool on the ID": [
        _statement({"StringEquals": {"sts:ExternalId": "true"}, "Bool": {"sts:ExternalId": "true"}})],
    "the placeholder itself": [_statement({"StringEquals": {"sts:ExternalId": "provisioner-external-id-0"}})],
}  # fmt: skip


@pytest.mark.parametrize("body", list(UNSOUND.values()), ids=list(UNSOUND))
def test_a_trust_whose_ids_cannot_be_renamed_soundly_is_kept_as_it_is(body: list[Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": body}
    abstract, ids = memo_key.abstract_external_ids(document)
    assert abstract is document and ids == {}


def _ours(account: str) -> bool:
    return account == "123456789012"


def test_outside_accounts_are_renamed_consistently_and_ours_kept() -> None:
    document = {
        "Statement": [
            _statement(),
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::222233334444:root", "arn:aws:iam::123456789012:root"]},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": ["222233334444", "340636424752"]}},
            },
        ]
    }
    abstract, accounts = memo_key.abstract_accounts(document, _ours)
    assert sorted(accounts.values()) == ["222233334444", "340636424752"]
    text = repr(abstract)
    assert "123456789012" in text and not any(real in text for real in accounts.values())
    assert all(placeholder in text for placeholder in accounts)
    back = text
    for placeholder, real in accounts.items():
        back = back.replace(placeholder, real)
    assert back == repr(document)


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::3406*:role/x"}},
        {"StringEquals": {"aws:PrincipalTag/x": "${aws:PrincipalAccount}"}},
    ],
    ids=["a wildcard can tell the accounts apart", "a policy variable"],
)
def test_accounts_are_not_renamed_where_that_is_unsound(condition: Any) -> None:
    document = {"Statement": [_statement(condition)]}
    assert memo_key.abstract_accounts(document, _ours) == (document, {})
