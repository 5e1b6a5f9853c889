"""Writes: the manifest uploaded to S3, a Rekognition Custom Labels project and dataset."""

from __future__ import annotations

from typing import Any

from provisioner import inputs
from provisioner.aws import translate
from provisioner.errors import InputError


def parse_s3_url(value: str, option: str = "upload") -> tuple[str, str]:
    if not value.startswith("s3://") or "/" not in value[5:]:
        raise InputError(option, value, "an S3 URL: s3://BUCKET/KEY")
    bucket, key = value[5:].split("/", 1)
    inputs.check_bucket(bucket, option)
    if not key or key.endswith("/"):
        raise InputError(option, value, "name the manifest object, like s3://BUCKET/manifests/NAME.manifest")
    return bucket, key


def upload(aws: Any, path: str, url: str) -> None:
    bucket, key = parse_s3_url(url)
    with translate("s3:PutObject", f"uploading the manifest to {url}"), open(path, "rb") as body:
        aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/x-ndjson")


def create_project(aws: Any, name: str) -> str:
    with translate("rekognition:CreateProject", f"creating project {name}"):
        return str(aws.client("rekognition").create_project(ProjectName=name)["ProjectArn"])


def create_dataset(aws: Any, project_arn: str, manifest_url: str, dataset_type: str) -> str:
    bucket, key = parse_s3_url(manifest_url)
    with translate("rekognition:CreateDataset", f"creating the {dataset_type} dataset"):
        answer = aws.client("rekognition").create_dataset(
            ProjectArn=project_arn,
            DatasetType=dataset_type.upper(),
            DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}},
        )
    return str(answer["DatasetArn"])
