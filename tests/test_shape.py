"""The shape every journey shares: ids in data and code match one to one, the call table
matches botocore, and the README's Layout section names the package as it is."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from provisioner import audit, lint, validate
from provisioner.role.model import Change, api_calls

ROOT = Path(__file__).resolve().parent.parent


class _AuditRules:
    """audit's two registries, one over a role and one over the estate, as one."""

    def verify(self, data_ids):
        code = set(audit.RULES.functions) | set(audit.ESTATE_RULES.functions)
        assert not set(audit.RULES.functions) & set(audit.ESTATE_RULES.functions), "an id in both"
        return data_ids - code, code - data_ids


@pytest.mark.parametrize(
    ("registry", "data_ids"),
    [
        (validate.CHECKS, lambda: validate.check_names()),
        (_AuditRules(), lambda: set(audit.rules()) - set(audit.OWNED_ELSEWHERE)),
        (lint.LINT_RULES, lambda: set(lint.rules()) - set(lint.OWNED_ELSEWHERE)),
    ],
    ids=["validate checks.json", "audit audit-rules.json", "lint lint-rules.json"],
)
def test_ids_in_data_and_code_match_one_to_one(registry, data_ids):
    without_code, without_data = registry.verify(set(data_ids()))
    assert without_code == set(), f"ids in policies/ that no function decides: {without_code}"
    assert without_data == set(), f"ids registered in code but absent from policies/: {without_data}"


def test_only_the_finding_sets_own_id_is_left_to_it():
    """`mute-expired` is the one id no rule decides, in lint and audit: the mutes decide it."""
    for owner in (lint, audit):
        assert set(owner.OWNED_ELSEWHERE) == {"mute-expired"}
        assert "mute-expired" in owner.rules()
    assert lint.LINT_RULES.verify_data(lint.OWNED_ELSEWHERE) == (set(), set())


def _policy(*statements: dict) -> lint.Source:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    text = json.dumps(document)
    kind = lint.document_kind(document)
    return lint.Source("policy.json", text=text, sized=text, document=document, kind=kind)


def _grant(action="s3:GetObject", resource="arn:aws:s3:::b/*", **more) -> lint.Source:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **more}
    return _policy({k: v for k, v in statement.items() if v is not None})


def _trust(condition=None, principal="arn:aws:iam::111122223333:root") -> lint.Source:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    return _policy({**statement, **({"Condition": condition} if condition else {})})


_GH_KEY = "token.actions.githubusercontent.com:sub"


def _oidc(host, condition) -> lint.Source:
    principal = {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{host}"}
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRoleWithWebIdentity"}
    return _policy({**statement, **({"Condition": condition} if condition else {})})


_VENDOR_ID = {"StringEquals": {"sts:ExternalId": "a-long-random-external-id-0123456789"}}
_STAR = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}

# A source that trips each lint rule, and a close one that does not.
_PLAIN = lint.Source("f.json", text="{}")
LINT_FIXTURES = {
    "file-unreadable": (lint.Source("f.json", unreadable="permission denied"), _PLAIN),
    "invalid-json": (lint.Source("f.json", problem=lint.ParseError("Expecting value")), _grant()),
    "policy-grammar": (_grant(Effect="Perhaps"), _grant()),
    "size-limit": (_grant(resource=[f"arn:aws:s3:::bucket-{i}/*" for i in range(300)]), _grant()),
    "invalid-characters": (lint.Source("f.json", text='{"Sid": "caf\u20ac"}'), _PLAIN),
    "principal-wildcard": (_policy(_STAR), _policy({**_STAR, "Principal": {"AWS": "111122223333"}})),
    "principal-wildcard-conditioned": (
        _policy({**_STAR, "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}),
        _policy({**_STAR, "Principal": {"AWS": "111122223333"}}),
    ),
    "allow-not-principal": (
        _policy({**{k: v for k, v in _STAR.items() if k != "Principal"}, "NotPrincipal": {"AWS": "1"}}),
        _policy({**_STAR, "Effect": "Deny", "NotPrincipal": {"AWS": "1"}}),
    ),
    "trust-no-external-id": (_trust(), _trust(_VENDOR_ID)),
    "external-id-not-pinned": (_trust({"StringLike": {"sts:ExternalId": "*"}}), _trust(_VENDOR_ID)),
    "trust-mfa-required": (
        _trust({**_VENDOR_ID, "Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        _trust(_VENDOR_ID),
    ),
    "federated-any-subject": (
        _oidc("token.actions.githubusercontent.com", None),
        _oidc("token.actions.githubusercontent.com", {"StringLike": {_GH_KEY: "repo:org/repo:*"}}),
    ),
    "federated-subject-not-pinned": (
        _oidc("oidc.example.com", None),
        _oidc("oidc.example.com", {"StringEquals": {"oidc.example.com:sub": "one"}}),
    ),
    "federated-not-decided": (
        _oidc("token.actions.githubusercontent.com", {"StringLike": {_GH_KEY: "repo:${aws:username}/*"}}),
        _oidc("token.actions.githubusercontent.com", {"StringLike": {_GH_KEY: "repo:org/*"}}),
    ),
    "condition-value-malformed": (
        _trust({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, "*"),
        _trust({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, "*"),
    ),
    "action-wildcard": (_grant("s3:*"), _grant("s3:Get*")),
    "allow-not-action": (_grant(None, NotAction="iam:*"), _grant()),
    "s3-write-access": (_grant("s3:PutObject"), _grant("s3:GetObject")),
    "s3-permissions-management": (_grant("s3:PutBucketPolicy"), _grant("s3:GetBucketPolicy")),
    "resource-wildcard": (_grant(resource="*"), _grant(resource="arn:aws:s3:::b/*")),
    "unexpected-action": (_grant("ec2:DescribeInstances"), _grant("kms:Decrypt")),
    "unknown-action": (_grant("s3:Frobnicate"), _grant("s3:ListBucket")),
}


def test_every_registered_lint_rule_has_a_fixture_that_trips_it():
    assert set(LINT_FIXTURES) == set(lint.LINT_RULES.functions)


@pytest.mark.parametrize("rule", sorted(LINT_FIXTURES))
def test_registry_run_reaches_every_lint_rule(rule):
    """Registry.run, the one loop lint calls, reports the rule on a source that trips it, and
    not on a close one: a rule registered but never run fails here."""
    trips, close = LINT_FIXTURES[rule]
    assert rule in {hit.rule for hit in lint.LINT_RULES.run(trips)}
    assert rule not in {hit.rule for hit in lint.LINT_RULES.run(close)}


def test_a_rule_that_raises_is_a_finding_naming_it_and_the_others_still_run(monkeypatch):
    def broken(source):
        raise KeyError("Statement")

    monkeypatch.setitem(lint.LINT_RULES.functions, "resource-wildcard", broken)
    _, findings = lint.lint_document(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    )
    by_rule = {f.rule: f for f in findings}
    assert "action-wildcard" in by_rule  # the other rules ran
    assert "KeyError" in by_rule["resource-wildcard"].message
    assert "bug in provisioner" in by_rule["resource-wildcard"].message


# Ids that mean the same in lint and audit: `mute-expired` (the finding set's), and
# `external-id-not-pinned`, which both read from the one exact trust analysis (issue 19;
# tests/test_trust_table.py holds them to the same answer).
# the federated ids are one decision (provisioner/federation.py), in lint before a trust is
# deployed and in audit after
SHARED_IDS = {
    "mute-expired",
    "external-id-not-pinned",
    "federated-any-subject",
    "federated-subject-not-pinned",
    "federated-not-decided",
    "condition-value-malformed",  # one decision (provisioner/condition_values.py), in lint and audit
}


def test_each_rule_id_is_declared_once():
    """An id is one entry of one data file: within a file, and across lint, audit and validate,
    but for the ids named above."""
    from provisioner.data import load_json

    declared: dict[str, list[str]] = {}
    for name, key in (("lint-rules.json", "rules"), ("audit-rules.json", "rules"), ("checks.json", "checks")):
        for entry in load_json(name)[key]:
            declared.setdefault(entry.get("id") or entry.get("name"), []).append(name)
    twice = {rule: files for rule, files in declared.items() if len(files) > 1}
    assert set(twice) == SHARED_IDS, twice
    assert all(len(set(files)) == len(files) for files in twice.values()), twice


def test_a_registered_id_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="registered twice"):
        validate.CHECKS.register("AWSAssumeRole")(lambda state, spec: None)


def test_a_rule_cannot_be_registered_under_an_id_its_data_file_does_not_declare():
    declared = r"'principal-wildcards' is not declared in policies/lint-rules\.json"
    with pytest.raises(ValueError, match=declared):
        lint.LINT_RULES.register("principal-wildcards")(lambda source: [])
    assert "principal-wildcards" not in lint.LINT_RULES.functions


def test_lint_cannot_report_an_id_no_check_declares(monkeypatch):
    monkeypatch.delitem(lint.LINT_RULES.functions, "principal-wildcard")
    with pytest.raises(ValueError, match="principal-wildcard"):
        lint.lint_document({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})  # fmt: skip


def test_every_call_in_the_table_is_a_botocore_method_of_its_service():
    import boto3

    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    clients = {}
    for method, call in api_calls().items():
        client = clients.setdefault(call["service"], session.client(call["service"]))
        assert method in client.meta.method_to_api_mapping, f"{call['service']} has no {method}"
        operation = client.meta.method_to_api_mapping[method]
        service, _, action = call["permission"].partition(":")
        assert service == call["service"]
        # The permission is the operation's name, except where the Service Authorization
        # Reference says otherwise (S3's CORS calls need s3:PutBucketCORS / GetBucketCORS).
        assert action.lower() == operation.lower() or (service == "s3" and "Cors" in operation)


def test_a_change_with_a_method_outside_the_table_is_refused():
    with pytest.raises(ValueError, match=r"api-calls\.json"):
        Change("delete", "everything", "delete_account_alias")
    change = Change("create", "role R", "create_role", {"RoleName": "R"})
    assert (change.service, change.permission) == ("iam", "iam:CreateRole")


def test_the_readme_layout_names_every_module_of_the_package():
    """Each module is named in the Layout block: a top-level one as NAME.py, a sub-package's on
    the lines of its PACKAGE/ entry."""
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```", 2)[1]
    blocks: dict[str, str] = {}
    current = None
    for line in layout.splitlines():
        entry = re.match(r"\s{2}(\w+)/\s", line)
        if entry:
            current = entry.group(1)
        elif re.match(r"\s{2}\S", line):
            current = None
        if current:
            blocks[current] = blocks.get(current, "") + line + "\n"
    package = ROOT / "provisioner"
    missing = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        name = path.stem
        if len(parts) == 1:
            if name not in ("__init__", "__main__") and f"{name}.py" not in layout:
                missing.append(str(path.relative_to(package)))
        elif name != "__init__" and not re.search(rf"\b{name}\b", blocks.get(parts[0], "")):
            missing.append(str(path.relative_to(package)))
        elif parts[0] not in blocks:
            missing.append(parts[0] + "/")
    assert missing == [], f"README Layout does not mention: {missing}"


# --- audit: a role (or an estate) that trips each rule, and a close one that does not ---------

ACCOUNT = "123456789012"
VENDOR_ROLE = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"
NOW = datetime(2026, 11, 22, tzinfo=UTC)
_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::data/*"}]}  # fmt: skip
_PINNED = {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}
_ACCOUNT_KEY = "aws:PrincipalAccount"


def _role(name="R", principal=None, condition=_PINNED, action="s3:GetObject", resource="arn:aws:s3:::data/*",
          used=NOW - timedelta(days=3)):  # fmt: skip
    statement = {
        "Effect": "Allow",
        "Principal": principal or {"AWS": VENDOR_ROLE},
        "Action": "sts:AssumeRole",
    }
    grant = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }
    return audit.RoleDetail.from_gaad({
        "RoleName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {**statement, **({"Condition": condition} if condition else {})}]},
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": grant}],
        "RoleLastUsed": {"LastUsedDate": used.isoformat()} if used else {},
    })  # fmt: skip


_GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
_EKS = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
_GH_SUB = "token.actions.githubusercontent.com:sub"
_GH_AUD = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}


def _federated(provider, condition):
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    trust = {
        "Version": "2012-10-17",
        "Statement": [{**statement, **({"Condition": condition} if condition else {})}],
    }
    return audit.RoleDetail(f"arn:aws:iam::{ACCOUNT}:role/ci", "ci", trust)


def _perimeter():
    from provisioner.evaluation import Policy
    from provisioner.organization import FULL_ACCESS, OrgPolicies

    deny = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-customer"}}}  # fmt: skip
    rcp = Policy("RCP perimeter", {"Version": "2012-10-17", "Statement": [deny]})
    return OrgPolicies(scps=[], rcps=[[Policy("FullAWSAccess", FULL_ACCESS), rcp]])


def _analysis(role, org=None):
    return audit.analyse(role, audit.Scope.of(ACCOUNT, org=org), NOW)


ROLE_FIXTURES = {
    "trust-any-principal": (lambda: _analysis(_role(principal="*")), lambda: _analysis(_role())),
    "cross-account-no-external-id": (lambda: _analysis(_role(condition=None)), lambda: _analysis(_role())),
    "external-id-not-pinned": (
        lambda: _analysis(_role(condition={"StringLike": {"sts:ExternalId": "ckx5*"}})),
        lambda: _analysis(_role(condition={"StringLike": {"sts:ExternalId": "ckx5y2abcd0001zz0"}})),
    ),
    "trusts-account-root": (
        lambda: _analysis(_role(principal={"AWS": "arn:aws:iam::340636424752:root"})),
        lambda: _analysis(_role()),
    ),
    "trust-blocked-by-organization": (
        lambda: _analysis(_role(condition=None), org=_perimeter()),
        lambda: _analysis(_role(condition=None)),
    ),
    "external-id-weak": (
        lambda: _analysis(_role(condition={"StringEquals": {"sts:ExternalId": "vendor"}})),
        lambda: _analysis(_role()),
    ),
    "vendor-write-access": (lambda: _analysis(_role(action="s3:PutObject")), lambda: _analysis(_role())),
    "vendor-resource-wildcard": (lambda: _analysis(_role(resource="*")), lambda: _analysis(_role())),
    "role-unused": (lambda: _analysis(_role(used=NOW - timedelta(days=91))), lambda: _analysis(_role())),
    "vendor-privileged": (
        # on IAM's resources: granted on an S3 object's ARN an IAM action matches no request
        lambda: _analysis(_role(action="iam:CreatePolicyVersion", resource="*")),
        lambda: _analysis(_role()),
    ),
    "federated-any-subject": (
        lambda: _analysis(_federated(_GITHUB, _GH_AUD)),
        lambda: _analysis(_federated(_GITHUB, {"StringLike": {_GH_SUB: "repo:org/repo:*"}})),
    ),
    "federated-subject-not-pinned": (
        lambda: _analysis(_federated(_EKS, None)),
        lambda: _analysis(
            _federated(
                _EKS,
                {
                    "StringEquals": {
                        "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:a:b"
                    }
                },
            )
        ),
    ),
    "federated-not-decided": (
        lambda: _analysis(_federated(_GITHUB, {"StringLike": {_GH_SUB: "repo:${aws:username}/*"}})),
        lambda: _analysis(_federated(_GITHUB, {"StringLike": {_GH_SUB: "repo:org/*"}})),
    ),
    "condition-value-malformed": (
        lambda: _analysis(
            _role(condition={"StringEquals": {**_PINNED["StringEquals"], _ACCOUNT_KEY: "3406364247"}})
        ),
        lambda: _analysis(
            _role(condition={"StringEquals": {**_PINNED["StringEquals"], _ACCOUNT_KEY: "340636424752"}})
        ),
    ),
}


def _estate(*accounts):
    return audit.Estate(list(accounts))


def _pinning(*arns):
    estate = _estate(audit.AccountData(ACCOUNT))
    estate.by_id["ckx5y2abcd0001zz0"] = [(ACCOUNT, arn, "Labelbox") for arn in arns]
    return estate


def _chained(trust_principal: str, condition: dict | None = None):
    """An account whose role Entry another account assumes, and a role trusting `trust_principal`."""
    estate = _estate(audit.AccountData(ACCOUNT))
    entry = f"arn:aws:iam::{ACCOUNT}:role/Entry"
    statement = {"Effect": "Allow", "Principal": {"AWS": trust_principal}, "Action": "sts:AssumeRole"}
    statement |= {"Condition": condition} if condition else {}
    estate.roles[ACCOUNT] = [(entry, {}), (f"arn:aws:iam::{ACCOUNT}:role/T", {"Statement": [statement]})]
    estate.entry[ACCOUNT] = {entry: ("111122223333",)}
    return estate


PIN = {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz0"}}
ESTATE_FIXTURES = {
    "trust-chained": (
        lambda: _chained(f"arn:aws:iam::{ACCOUNT}:role/Entry"),
        lambda: _chained(f"arn:aws:iam::{ACCOUNT}:role/Other"),
    ),
    "trust-chained-pinned": (
        lambda: _chained(f"arn:aws:iam::{ACCOUNT}:role/Entry", PIN),
        lambda: _chained(f"arn:aws:iam::{ACCOUNT}:role/Entry"),
    ),
    "account-unreachable": (
        lambda: _estate(audit.AccountData("210987654321", error="AccessDenied on sts:AssumeRole")),
        lambda: _estate(audit.AccountData("210987654321")),
    ),
    "external-id-reused": (
        lambda: _pinning(f"arn:aws:iam::{ACCOUNT}:role/A", f"arn:aws:iam::{ACCOUNT}:role/B"),
        lambda: _pinning(f"arn:aws:iam::{ACCOUNT}:role/A"),
    ),
}


def test_every_registered_audit_rule_has_a_fixture_that_trips_it():
    assert set(ROLE_FIXTURES) == set(audit.RULES.functions)
    assert set(ESTATE_FIXTURES) == set(audit.ESTATE_RULES.functions)


@pytest.mark.parametrize(
    ("registry", "rule"),
    [("role", rule) for rule in sorted(ROLE_FIXTURES)]
    + [("estate", rule) for rule in sorted(ESTATE_FIXTURES)],
)
def test_registry_run_reaches_every_audit_rule(registry, rule):
    rules, fixtures = (
        (audit.RULES, ROLE_FIXTURES) if registry == "role" else (audit.ESTATE_RULES, ESTATE_FIXTURES)
    )
    trips, close = fixtures[rule]
    assert rule in {hit.rule for hit in rules.run(trips())}
    assert rule not in {hit.rule for hit in rules.run(close())}


def test_an_audit_rule_that_raises_is_a_finding_naming_it_and_the_others_still_run(monkeypatch):
    def broken(analysis):
        raise RuntimeError("boom")

    monkeypatch.setitem(audit.RULES.functions, "role-unused", broken)
    verdict = audit.judge_role(_role(action="s3:PutObject"), ACCOUNT, {}, now=NOW)
    by_rule = {f.rule: f for f in verdict.findings}
    assert "vendor-write-access" in by_rule
    assert "RuntimeError: boom" in by_rule["role-unused"].message
