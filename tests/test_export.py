"""export: CloudFormation that cfn-lint accepts and Terraform that parses, both resolving to
exactly the documents create-role writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest

from provisioner.documents import render_permissions, render_trust
from provisioner.export import BUCKET_SENTINEL, EXTERNAL_ID_SENTINEL, export
from provisioner.role import RoleSpec
from provisioner.vendors import get_vendor

BUCKET = "customer-images"
EXTERNAL_ID = "ckx5y2abcd0001zz"
PREFIX = "raw/${odd}/"
LABELBOX = get_vendor("labelbox")


def resolve_cfn(node, parameters):
    """Evaluate the Ref / Fn::Sub the template uses, as CloudFormation would."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in parameters:
            return parameters[node["Ref"]]
        if set(node) == {"Fn::Sub"}:
            text = re.sub(r"\$\{([\w:]+)\}", lambda m: parameters[m.group(1)], node["Fn::Sub"])
            return text.replace("${!", "${")
        return {k: resolve_cfn(v, parameters) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_cfn(v, parameters) for v in node]
    return node


def test_cloudformation_resolves_to_the_create_role_documents():
    template = json.loads(export("cloudformation", RoleSpec(LABELBOX, BUCKET, EXTERNAL_ID, prefix=PREFIX)))
    assert BUCKET_SENTINEL not in json.dumps(template) and EXTERNAL_ID_SENTINEL not in json.dumps(template)
    assert template["Parameters"]["BucketName"]["Default"] == BUCKET
    parameters = {"BucketName": "other-bucket", "ExternalId": "another-id-0000001", "AWS::Partition": "aws"}
    resources = template["Resources"]
    policy = resolve_cfn(resources["ReadPolicy"]["Properties"]["PolicyDocument"], parameters)
    assert policy == render_permissions("other-bucket", prefix=PREFIX).document
    trust = resolve_cfn(resources["VendorRole"]["Properties"]["AssumeRolePolicyDocument"], parameters)
    assert trust == render_trust("another-id-0000001", LABELBOX).document
    tags = resolve_cfn(resources["VendorRole"]["Properties"]["Tags"], parameters)
    assert {"Key": "provisioner:bucket", "Value": "other-bucket"} in tags
    assert resources["VendorRole"]["Properties"]["ManagedPolicyArns"] == [{"Ref": "ReadPolicy"}]
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["VendorRole", "Arn"]}


@pytest.mark.slow  # cfn-lint runs as a process
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"prefix": PREFIX, "tags": ("team=ml",)},
        {"kms_key_arn": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
        {"with_cors": False, "path": "/vendors/", "max_session_duration": 7200},
        {"permissions_boundary": "arn:aws:iam::111122223333:policy/VendorBoundary"},
    ],
)
def test_cloudformation_passes_cfn_lint(tmp_path, options):
    path = tmp_path / "template.json"
    path.write_text(export("cloudformation", RoleSpec(LABELBOX, BUCKET, "", **options)))
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([cfn_lint, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _jsonencode_blocks(text: str) -> list[str]:
    blocks, start = [], 0
    while (at := text.find("jsonencode(", start)) != -1:
        depth, i = 0, at + len("jsonencode(")
        begin = i
        while True:
            if text[i] in "{[":
                depth += 1
            elif text[i] in "}]":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        blocks.append(text[begin : i + 1])
        start = i
    return blocks


def test_terraform_parses_and_resolves_to_the_create_role_documents():
    text = export("terraform", RoleSpec(LABELBOX, BUCKET, EXTERNAL_ID, prefix=PREFIX))
    parsed = hcl2.loads(text)
    resources = {name.strip('"') for block in parsed["resource"] for kind in block.values() for name in kind}
    assert resources >= {"read", "vendor"}
    assert BUCKET_SENTINEL not in text and EXTERNAL_ID_SENTINEL not in text

    def evaluate(block: str) -> dict:
        block = block.replace("var.external_id", json.dumps("another-id-0000001"))
        block = block.replace("${var.bucket_name}", "other-bucket")
        return json.loads(block.replace("$${", "${").replace("%%{", "%{"))

    permissions, trust = (evaluate(b) for b in _jsonencode_blocks(text))
    assert permissions == render_permissions("other-bucket", prefix=PREFIX).document
    assert trust == render_trust("another-id-0000001", LABELBOX).document


def test_terraform_cors_is_off_unless_asked_because_it_replaces_every_rule():
    text = export("terraform", RoleSpec(LABELBOX, BUCKET, ""))
    assert "count  = var.manage_cors ? 1 : 0" in text
    assert "replaces every other rule" in text
    assert "aws_s3_bucket_cors_configuration" not in export(
        "terraform", RoleSpec(LABELBOX, BUCKET, "", with_cors=False)
    )


def test_export_checks_inputs_like_create_role(cli):
    result = cli("export", "--format", "terraform", "--bucket", "Bad_Bucket")
    assert result.code == 2 and "--bucket 'Bad_Bucket'" in result.error_line
    result = cli("export", "--format", "yaml")
    assert result.code == 2
    ok = cli("export", "--format", "cloudformation", "--vendor", "isahit")
    assert ok.code == 0 and json.loads(ok.stdout)["Resources"]["VendorRole"]
