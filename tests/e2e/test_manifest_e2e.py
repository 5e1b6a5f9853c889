"""manifest against moto's server: the sandbox bucket through the CLI, and an upload."""

from __future__ import annotations

import json

import pytest

from .conftest import BUCKET


def test_cli_writes_the_labelbox_file_for_the_sandbox_bucket(cli, aws_env):
    result = cli("manifest", "--bucket", BUCKET, "--prefix", "alexa-devices/")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["global_key"] for r in rows} == {
        "alexa-devices/echo/echo-1.jpg",
        "alexa-devices/echo/echo-2.png",
        "alexa-devices/echo-dot/echo-dot-1.jpg",
        "alexa-devices/echo-dot/echo-dot-2.png",
        "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-1.jpg",
        "alexa-devices/overview.png",
    }
    assert rows[0]["row_data"].startswith(f"https://{BUCKET}.s3.us-east-1.amazonaws.com/alexa-devices/")
    assert "skipped: 1 not an image type the vendor imports" in result.stderr


def test_cli_uploads_a_rekognition_manifest(cli, aws_env, customer):
    url = f"s3://{BUCKET}/manifests/devices.manifest"
    result = cli(
        "manifest",
        "--bucket",
        BUCKET,
        "--prefix",
        "alexa-devices/",
        "--format",
        "rekognition",
        "--upload",
        url,
    )
    assert result.code == 0, result.stderr
    body = customer.s3.get_object(Bucket=BUCKET, Key="manifests/devices.manifest")["Body"].read().decode()
    lines = [json.loads(line) for line in body.splitlines()]
    assert len(lines) == 5 and {line["label-metadata"]["class-name"] for line in lines} == {
        "echo",
        "echo-dot",
    }
    assert f"uploaded to {url}" in result.stderr


def test_missing_bucket(cli, aws_env):
    result = cli("manifest", "--bucket", "no-such-bucket-here")
    assert result.code == 3 and "s3:GetBucketLocation" in result.error_line


def test_labelbox_import_from_the_bucket_labels_from_folders(cli, aws_env, labelbox_fake):
    """The bucket listed (moto), the rows upserted into Labelbox (the real SDK against
    tests/labelbox_fake.py): folder names become the `tag` metadata."""
    pytest.importorskip("labelbox")
    args = ["labelbox", "import", "--dataset", "devices", "--bucket", BUCKET, "--prefix", "alexa-devices/"]
    first = cli(*args, "-o", "json")
    assert first.code == 0, first.stderr
    assert first.json()["upserted"] == first.json()["rows"] > 0
    tags = {row["global_key"]: row.get("metadata_fields") for row in labelbox_fake.data_rows.values()}
    assert tags["alexa-devices/echo/echo-1.jpg"] == [
        {"schemaId": "cko8s9r5v0001h2dk9elqdidh", "value": "echo"}
    ]
    again = cli(*args)
    assert again.code == 0 and "existing" in again.stdout and len(labelbox_fake.datasets) == 1
