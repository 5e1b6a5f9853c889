"""`provision manifest`: options -> ManifestSpec -> api.manifest -> summary lines on stderr."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from provisioner.cli.app import app
from provisioner.cli.common import EndpointOpt, ProfileOpt, RegionOpt, connect, progress


class ManifestFormat(StrEnum):
    labelbox = "labelbox"
    labelbox_ndjson = "labelbox-ndjson"
    rekognition = "rekognition"


class DatasetType(StrEnum):
    train = "train"
    test = "test"


@app.command("manifest", rich_help_panel="Labelbox and import files")
def manifest_command(
    bucket: Annotated[str, typer.Option("--bucket", help="The bucket holding the images.")],
    prefix: Annotated[
        str | None, typer.Option("--prefix", help="The folder location (labels below it).")
    ] = None,
    fmt: Annotated[
        ManifestFormat, typer.Option("--format", help="The import file's format: the vendor's.")
    ] = ManifestFormat.labelbox,
    labels: Annotated[
        bool, typer.Option("--labels/--no-labels", help="Label images by folder.", metavar="")
    ] = True,
    label_attribute: Annotated[
        str, typer.Option("--label-attribute", help="Rekognition's label attribute name.")
    ] = "label",
    out: Annotated[str | None, typer.Option("--out", help="Write to this file (default stdout).")] = None,
    upload_to: Annotated[
        str | None, typer.Option("--upload", help="Write the manifest to s3://BUCKET/KEY.")
    ] = None,
    from_file: Annotated[
        str | None, typer.Option("--from-file", help="A listing (list-objects-v2 JSON or one key a line).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Keys Labelbox refuses are fatal.", metavar="")
    ] = False,
    split: Annotated[
        bool, typer.Option("--split", help="Rekognition: numbered files at the limits.", metavar="")
    ] = False,
    create_project: Annotated[
        str | None, typer.Option("--create-project", help="Create this Custom Labels project first.")
    ] = None,
    create_dataset: Annotated[
        bool,
        typer.Option("--create-dataset", help="Create a Custom Labels dataset from the upload.", metavar=""),
    ] = False,
    project_arn: Annotated[
        str | None, typer.Option("--project-arn", help="The Custom Labels project.")
    ] = None,
    dataset_type: Annotated[
        DatasetType, typer.Option("--dataset-type", help="Rekognition: the dataset to create.")
    ] = DatasetType.train,
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    endpoint_url: EndpointOpt = None,
) -> None:
    """Write the vendor's import file from a bucket, labels taken from folder names."""
    from provisioner import api
    from provisioner.manifest import AWKWARD_TEXT, ManifestSpec

    spec = ManifestSpec(
        bucket=bucket,
        prefix=prefix or "",
        fmt=fmt.value,
        labels=labels,
        label_attribute=label_attribute,
        region=region,
        strict=strict,
        out=out,
        upload=upload_to,
        from_file=from_file,
        split=split,
        create_project=create_project,
        create_dataset=create_dataset,
        project_arn=project_arn,
        dataset_type=dataset_type.value,
    )
    aws = connect(profile, None, endpoint_url) if spec.needs_aws else None
    with progress("listing objects") as advance:
        result = api.manifest(spec, aws, stdout=sys.stdout, progress=advance)
    summary = result.summary
    if summary.awkward_count:
        shown = ", ".join(repr(k) for k in summary.awkward)
        typer.echo(
            f"warning: {summary.awkward_count} key(s) have characters Labelbox does not accept in "
            f"URLs ({AWKWARD_TEXT}): {shown}; --strict makes them fatal",
            err=True,
        )
    for line in summary.lines():
        typer.echo(line, err=True)
    if result.uploaded_to:
        typer.echo(f"uploaded to {result.uploaded_to}", err=True)
    if result.dataset_arn:
        typer.echo(f"dataset {result.dataset_arn} created in project {result.project_arn}", err=True)
