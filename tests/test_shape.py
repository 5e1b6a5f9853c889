"""The shape every journey shares: ids in data and code match one to one, the call table
matches botocore, and the README's Layout section names the package as it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provisioner import audit, lint, validate
from provisioner.role.model import Change, api_calls

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("registry", "data_ids"),
    [
        (validate.CHECKS, lambda: validate.check_names()),
        (audit.RULES, lambda: audit.rules().keys()),
        (lint.LINT_RULES, lambda: lint.rules().keys()),
    ],
    ids=["validate checks.json", "audit audit-rules.json", "lint lint-rules.json"],
)
def test_ids_in_data_and_code_match_one_to_one(registry, data_ids):
    without_code, without_data = registry.verify(set(data_ids()))
    assert without_code == set(), f"ids in policies/ that no function decides: {without_code}"
    assert without_data == set(), f"ids registered in code but absent from policies/: {without_data}"


def test_a_registered_id_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="registered twice"):
        validate.CHECKS.register("AWSAssumeRole")(lambda state, spec: None)


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
