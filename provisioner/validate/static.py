"""Pure: every check decided from the snapshot by the evaluator, never by an AWS call.

Each check is a function registered under its name in policies/checks.json (the tests prove
the two lists match one to one): the registry and what the checks share are in rules.py, the
trust's checks in trust.py, the S3/KMS/CORS ones in access.py, least privilege in least.py;
`static_checks` runs them in the data file's order.
"""

from __future__ import annotations

from provisioner.validate.access import (
    KmsVerdict,
    check_bucket_access,
    check_cors,
    check_object_read,
    check_signed_url,
    kms_decrypt,
)
from provisioner.validate.fixes import remediate
from provisioner.validate.least import check_least_privilege
from provisioner.validate.model import Check, Snapshot, ValidateSpec, check_names
from provisioner.validate.rules import (
    CHECKS,
    ESCALATION,
    PROBE_BUCKET,
    WRONG_ID,
    StaticCheck,
    assume_request,
    s3_request,
    vendor_caller,
)
from provisioner.validate.trust import check_assume_role, check_external_id

__all__ = [
    "CHECKS",
    "ESCALATION",
    "PROBE_BUCKET",
    "WRONG_ID",
    "KmsVerdict",
    "StaticCheck",
    "assume_request",
    "check_assume_role",
    "check_bucket_access",
    "check_cors",
    "check_external_id",
    "check_least_privilege",
    "check_object_read",
    "check_signed_url",
    "kms_decrypt",
    "s3_request",
    "static_checks",
    "vendor_caller",
]


def static_checks(state: Snapshot, spec: ValidateSpec) -> list[Check]:
    """Every check from the snapshot, in the order of policies/checks.json, each failure with
    its remediation (validate/fixes.py)."""
    return [remediate(CHECKS.functions[name](state, spec), spec, state) for name in check_names()]
