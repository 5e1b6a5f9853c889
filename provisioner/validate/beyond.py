"""Writes beyond the bucket's own S3 actions that a role policy may grant the vendor's session
(trial 20w items 1, 2): assuming another role of the account (whose rights it then has), an S3
Object Lambda access point's writes (PutObject, DeleteObject, WriteGetObjectResponse), and a
directory bucket's session (s3express:CreateSession, ReadWrite unless its condition says
ReadOnly). AWSLeastPrivilege asks each at a resource of its own type."""

from __future__ import annotations

from provisioner.validate.model import ValidateSpec


def beyond_s3(spec: ValidateSpec) -> list[tuple[str, str]]:
    """(action, resource) pairs the read-only role has no business being allowed."""
    account, region = spec.account, "us-east-1"
    return [
        ("sts:AssumeRole", f"arn:aws:iam::{account}:role/provisioner-probe-other-role"),
        ("s3-object-lambda:PutObject", f"arn:aws:s3-object-lambda:{region}:{account}:accesspoint/probe"),
        (
            "s3-object-lambda:WriteGetObjectResponse",
            f"arn:aws:s3-object-lambda:{region}:{account}:accesspoint/probe",
        ),
        ("s3express:CreateSession", f"arn:aws:s3express:{region}:{account}:bucket/probe--use1-az4--x-s3"),
    ]
