"""An audit does the work a run's roles share once (issue 18 §4, offline audit within 4x
json.load): each distinct trust text is abstracted once, its statements indexed once, each
distinct set of policies built and judged once; and Python's cycle collector is paused while
the roles are built and judged, then left as it was. The findings are those of each role
judged alone."""

from __future__ import annotations

import gc
import importlib
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from provisioner import audit
from provisioner.errors import InputError

rules = importlib.import_module("provisioner.audit.rules")
scope_module = importlib.import_module("provisioner.audit.scope")
grants = importlib.import_module("provisioner.audit.grants")
gather = importlib.import_module("provisioner.audit.gather")
memo_key = importlib.import_module("provisioner.audit.memo_key")

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 22, tzinfo=UTC)
VENDOR = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def _trust(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _role(n: int, trust: dict[str, Any], policy: dict[str, Any] | None = None) -> dict[str, Any]:
    name = f"role-{n:03d}"
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}] if policy else [],
        "AttachedManagedPolicies": [],
        "RoleLastUsed": {},
    }


def _estate() -> list[dict[str, Any]]:
    """30 roles, three trust texts among 21 of them: service roles, an account's root (with a
    wide grant), Principal "*"; and nine vendor roles, each pinning its own external ID (nine
    texts, one verdict)."""
    roles = []
    for n in range(30):
        kind = n % 4
        if kind == 0:
            trust = _trust({"Service": "lambda.amazonaws.com"})
            roles.append(_role(n, trust))
        elif kind == 1:
            roles.append(_role(n, _trust({"AWS": "arn:aws:iam::210987654321:root"}), WIDE))
        elif kind == 2 and n < 20:
            roles.append(_role(n, _trust("*")))
        else:
            external_id = {"StringEquals": {"sts:ExternalId": f"ck{n:020d}"}}
            roles.append(_role(n, _trust({"AWS": VENDOR}, external_id), WIDE))
    return roles


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, counts: Counter[str]) -> None:
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def _findings(result: audit.AuditResult) -> list[dict[str, Any]]:
    return sorted((f.to_dict() for f in result.findings), key=lambda f: json.dumps(f, sort_keys=True))


def test_each_distinct_trust_and_policy_set_is_worked_on_once_and_findings_are_each_roles_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = _estate()
    texts = {repr(r["AssumeRolePolicyDocument"]) for r in raw}
    alone = [
        finding.to_dict()
        for r in raw
        for finding in audit.judge_role(audit.RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW).findings
    ]
    counts: Counter[str] = Counter()
    for name in ("abstract_external_ids", "judge_trust"):
        _counting(monkeypatch, scope_module, name, counts)
    _counting(monkeypatch, grants, "judge_grants", counts)
    _counting(monkeypatch, grants, "role_policies", counts)
    real_by_path = memo_key.Memo.by_path

    def by_path(memo: Any, trust: Any, text: str | None = None) -> Any:
        counts["statements"] += (repr(trust) if text is None else text) not in memo.statements
        return real_by_path(memo, trust, text)

    monkeypatch.setattr(memo_key.Memo, "by_path", by_path)
    data = audit.AccountData(ACCOUNT, roles=[audit.RoleDetail.from_gaad(r) for r in raw])
    result = audit.audit([data], now=NOW)

    assert counts["abstract_external_ids"] == len(texts) == 12  # once per text, not per role
    assert counts["judge_trust"] == 4  # the vendor's nine texts share one verdict
    assert counts["judge_grants"] == counts["role_policies"] == 1  # one set of policies
    assert counts["statements"] == 2  # the statements of the two texts with findings
    estate = {"external-id-reused"}  # none here: every vendor role pins its own ID
    assert _findings(result) == sorted(
        (f for f in alone if f["rule"] not in estate), key=lambda f: json.dumps(f, sort_keys=True)
    )
    # each role's finding is its own: its ARN, and its own statement as the evidence
    by_role = {f.role_arn for f in result.findings if f.rule == "trusts-account-root"}
    assert by_role == {r["Arn"] for r in raw[1::4]}


def test_the_collector_is_paused_while_a_file_is_read_and_judged_then_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gaad = tmp_path / "gaad.json"
    gaad.write_text(json.dumps({"RoleDetailList": _estate(), "Policies": []}))
    seen: list[bool] = []
    real_from_gaad, real_run = audit.RoleDetail.from_gaad, rules.RULES.run

    def from_gaad(raw: Any) -> Any:
        seen.append(gc.isenabled())
        return real_from_gaad(raw)

    def run(analysis: Any) -> Any:
        seen.append(gc.isenabled())
        return real_run(analysis)

    monkeypatch.setattr(audit.RoleDetail, "from_gaad", staticmethod(from_gaad))
    monkeypatch.setattr(rules.RULES, "run", run)
    assert gc.isenabled()
    result = audit.run(audit.AuditSpec(from_file=str(gaad)), now=NOW)
    assert result.roles_seen == 30 and len(seen) == 60
    assert not any(seen)  # paused for every role built and judged
    assert gc.isenabled()  # and on again after

    gaad.write_text('{"RoleDetailList": [')
    with pytest.raises(InputError):
        audit.run(audit.AuditSpec(from_file=str(gaad)))
    assert gc.isenabled()  # on again after a refused file too
    gc.disable()
    try:
        audit.audit([audit.AccountData(ACCOUNT)])
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("arns", "account"),
    [
        (["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"], "123456789012"),
        (["arn:aws:iam::222222222222:role/a", "arn:aws:iam::111111111111:role/b"], "111111111111"),
        (["not-an-arn"], "unknown"),
        (["arn:aws:s3:::bucket"], ""),  # an ARN with no account field: the field, empty
    ],
)
def test_a_file_is_the_account_of_its_roles_arns(tmp_path: Path, arns: list[str], account: str) -> None:
    roles = [{**_role(n, _trust({"Service": "ec2.amazonaws.com"})), "Arn": arn} for n, arn in enumerate(arns)]
    gaad = tmp_path / "gaad.json"
    gaad.write_text(json.dumps({"RoleDetailList": roles}))
    assert gather.load_file(str(gaad)).account == account


def test_a_vendors_integrations_share_their_accounts_renaming_and_each_keeps_its_own_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 19's exact trust memo, made cheap per text: the outside accounts of the nine vendor
    texts (which differ only in their IDs) are renamed once, not once per text; each role's
    trust is rendered (document_text) once, its statements' index included; and every role's verdict is
    the one it has judged alone (its own pinned ID, the vendor, who gets in)."""
    raw = _estate()
    shapes = 4  # service, account root, "*", the vendor's (its IDs abstracted)
    vendor_texts = 9
    alone = [audit.judge_role(audit.RoleDetail.from_gaad(r), ACCOUNT, {}, now=NOW) for r in raw]
    counts: Counter[str] = Counter()
    _counting(monkeypatch, scope_module, "renaming_of", counts)
    text_of = scope_module.document_text
    monkeypatch.setattr(
        scope_module, "document_text", lambda value: (counts.update(["text"]), text_of(value))[1]
    )
    scope = audit.Scope(ACCOUNT, {}, frozenset(), audit.Memo(), None)
    shared = [rules.judge(audit.RoleDetail.from_gaad(r), scope, NOW) for r in raw]

    assert counts["renaming_of"] == shapes  # was once per text: 12
    # each role's trust, each abstracted text, and the two renamed documents checked against their key
    assert counts["text"] == len(raw) + vendor_texts + 2
    assert shared == alone
    pinned = [v.pinned_ids for v in shared if v.pinned_ids]
    assert pinned == [[f"ck{n:020d}"] for n in range(30) if n % 4 == 3 or (n % 4 == 2 and n >= 20)]
    assert {(v.vendor, v.reached_by) for v in shared if v.pinned_ids} == {("Labelbox", ("340636424752",))}


def test_a_documents_text_tells_apart_every_two_documents_json_can_tell_apart() -> None:
    """audit's memo key (iam.document_text): documents share a verdict only when they are equal
    with the same types. JSON writes NaN and None alike, and refuses integers past 64 bits; those
    keep `repr`, apart from every JSON text."""
    from provisioner.iam import document_text

    documents = [
        {"Condition": {"NumericEquals": {"k": 1}}},
        {"Condition": {"NumericEquals": {"k": 1.0}}},
        {"Condition": {"NumericEquals": {"k": "1"}}},
        {"Condition": {"NumericEquals": {"k": True}}},
        {"Condition": {"NumericEquals": {"k": None}}},
        {"Condition": {"NumericEquals": {"k": float("nan")}}},
        {"Condition": {"NumericEquals": {"k": float("inf")}}},
        {"Condition": {"NumericEquals": {"k": 2**64}}},
        {"Condition": {"NumericEquals": {"k": 2**64 + 1}}},
        {"Condition": {"NumericEquals": {"k": [1]}}},
        {"Condition": {"NumericEquals": {"k": "null"}}},
        {"Condition": {"NumericEquals": {"k": 1, "j": 2}}},
        {"Condition": {"NumericEquals": {"j": 2, "k": 1}}},  # dict order is kept, as repr keeps it
    ]
    texts = [document_text(d) for d in documents]
    assert len(set(texts)) == len(documents), texts
    assert document_text({"a": [1, "x"]}) == document_text(json.loads('{"a": [1, "x"]}'))
