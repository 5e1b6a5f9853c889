"""Validation of what the user types: bucket, prefix, external ID, ARNs, origins, regions.

Pure functions. Each check returns the value to use (sometimes normalised) or raises
InputError naming the option, the value and the rule. Soft problems come back as warning
strings from the *_warnings functions, for the caller to show.

One module per kind of input (regions, s3, iam, origins, files); callers import them from here.
"""

from __future__ import annotations

from provisioner.inputs.files import read_file, read_json
from provisioner.inputs.iam import (
    RESERVED_TAG_KEYS,
    RESERVED_TAG_PREFIXES,
    check_external_id,
    check_kms_key_arn,
    check_max_session_duration,
    check_path,
    check_policy_arn,
    check_policy_name,
    check_principal,
    check_role_arn,
    check_role_name,
    check_wait,
    external_id_warnings,
    parse_arn,
    parse_tags,
    principal_warnings,
)
from provisioner.inputs.origins import check_origin, origin_warnings
from provisioner.inputs.regions import (
    check_partition,
    check_region,
    partition_of_region,
    partitions,
    region_of_location,
)
from provisioner.inputs.s3 import (
    bucket_warnings,
    check_bucket,
    check_prefix,
    escape_policy_text,
    prefix_warnings,
)
from provisioner.model.external_id import is_external_id

__all__ = [
    "RESERVED_TAG_KEYS",
    "RESERVED_TAG_PREFIXES",
    "bucket_warnings",
    "check_bucket",
    "check_external_id",
    "check_kms_key_arn",
    "check_max_session_duration",
    "check_origin",
    "check_partition",
    "check_path",
    "check_policy_arn",
    "check_policy_name",
    "check_prefix",
    "check_principal",
    "check_region",
    "check_role_arn",
    "check_role_name",
    "check_wait",
    "escape_policy_text",
    "external_id_warnings",
    "is_external_id",
    "origin_warnings",
    "parse_arn",
    "parse_tags",
    "partition_of_region",
    "partitions",
    "prefix_warnings",
    "principal_warnings",
    "read_file",
    "read_json",
    "region_of_location",
]
