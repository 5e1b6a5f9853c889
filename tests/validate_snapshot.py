"""The snapshot validate's pure tests start from: the role, policy and CORS rule create-role
writes for Labelbox on bucket `images` (with a KMS key), as gather would read them. Shared by
tests/test_validate_pure.py and tests/test_known_keys.py."""

from __future__ import annotations

from typing import Any

from provisioner.evaluation import Policy
from provisioner.role import RoleSpec, wanted_role
from provisioner.validate import Snapshot, ValidateSpec
from provisioner.vendors import get_vendor

ACCOUNT = "123456789012"
ID = "ckx5y2w9q0001abcd1234"
LABELBOX = get_vendor("labelbox")
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/LabelboxS3Access"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SPEC = ValidateSpec(ROLE_ARN, ID, "images", LABELBOX)
WANTED, _ = wanted_role(RoleSpec(LABELBOX, "images", ID, kms_key_arn=KEY))


def snapshot(**changes: Any) -> Snapshot:
    state = Snapshot(
        role={"RoleName": "LabelboxS3Access", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": WANTED.trust},
        identity_policies=[Policy("policy LabelboxReadAccess", WANTED.permissions)],
        cors=[WANTED.cors_rule],
    )
    for name, value in changes.items():
        setattr(state, name, value)
    return state
