"""manifest: folder labels exactly as Rekognition assigns them, URLs, formats, limits, listing
files; Rekognition's calls through botocore's Stubber."""

from __future__ import annotations

import io
import json
import re

import pytest
from botocore.stub import Stubber

from provisioner import manifest
from provisioner.errors import InputError
from provisioner.inputs import region_of_location

# The Rekognition Custom Labels example ("Importing image-level labels using folder names").
TREE = [
    "alexa-devices/echo/echo-1.jpg",
    "alexa-devices/echo/echo-2.png",
    "alexa-devices/echo-dot/echo-dot-1.jpg",
    "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-1.jpg",
    "alexa-devices/overview.png",
    "elsewhere/other.jpg",
]


def rows(keys, **options):
    opts = manifest.Options(bucket=options.pop("bucket", "images"), **options)
    manifest.check_options(opts)
    out = io.StringIO()
    summary = manifest.write_manifest(keys, out, opts)
    text = out.getvalue()
    if opts.fmt == "labelbox":
        return json.loads(text), summary
    return [json.loads(line) for line in text.splitlines()], summary


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "alexa-devices/",
            {
                "alexa-devices/echo/echo-1.jpg": "echo",
                "alexa-devices/echo/echo-2.png": "echo",
                "alexa-devices/echo-dot/echo-dot-1.jpg": "echo-dot",
                "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-1.jpg": "echo-dot",
                "alexa-devices/overview.png": None,
            },
        ),
        (
            "alexa-devices/echo-dot/",
            {
                "alexa-devices/echo-dot/echo-dot-1.jpg": None,
                "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-1.jpg": "white-echo-dot",
            },
        ),
    ],
)
def test_folder_labels_match_rekognitions_example(prefix, expected):
    found, _ = rows(TREE, prefix=prefix)
    labels = {r["global_key"]: (r.get("metadata_fields") or [{}])[0].get("value") for r in found}
    assert labels == expected  # objects outside the folder location are not listed


def test_prefix_without_slash_is_the_folder():
    found, _ = rows(TREE, prefix="alexa-devices")
    assert len(found) == 5


def test_labelbox_rows_have_the_import_fields():
    (row, *_), _ = rows(["a/b/c.png"])
    assert row == {
        "row_data": "https://images.s3.us-east-1.amazonaws.com/a/b/c.png",
        "global_key": "a/b/c.png",
        "media_type": "IMAGE",
        "metadata_fields": [{"name": "tag", "value": "a"}],
    }
    (row, *_), _ = rows(["a/b/c.png"], labels=False)
    assert "metadata_fields" not in row


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("dir/a b.png", "dir/a%20b.png"),
        ("dir/a+b.png", "dir/a%2Bb.png"),
        ("dir/100%.png", "dir/100%25.png"),
        ("dir/é写真.png", "dir/%C3%A9%E5%86%99%E7%9C%9F.png"),
        ("dir/a~b_c-d.e.png", "dir/a~b_c-d.e.png"),
        ("dir/q?x=1&y.png", "dir/q%3Fx%3D1%26y.png"),
    ],
)
def test_keys_are_percent_encoded_per_segment(key, path):
    assert (
        manifest.object_url("images", "eu-west-3", key) == f"https://images.s3.eu-west-3.amazonaws.com/{path}"
    )


@pytest.mark.parametrize(
    ("location", "region", "host"),
    [
        (None, "us-east-1", "images.s3.us-east-1.amazonaws.com"),
        ("", "us-east-1", "images.s3.us-east-1.amazonaws.com"),
        ("EU", "eu-west-1", "images.s3.eu-west-1.amazonaws.com"),
        ("ap-south-2", "ap-south-2", "images.s3.ap-south-2.amazonaws.com"),
        ("cn-north-1", "cn-north-1", "images.s3.cn-north-1.amazonaws.com.cn"),
    ],
)
def test_region_forms(location, region, host):
    assert region_of_location(location) == region
    assert manifest.object_url("images", region, "k.png") == f"https://{host}/k.png"


def test_only_image_types_each_vendor_imports_and_a_summary():
    keys = ["p/a/1.JPG", "p/a/2.jpeg", "p/b/3.png", "p/b/4.bmp", "p/b/5.gif", "p/b/6.txt", "p/b/"]
    labelbox, summary = rows(keys, prefix="p/")
    assert [r["global_key"] for r in labelbox] == ["p/a/1.JPG", "p/a/2.jpeg", "p/b/3.png", "p/b/4.bmp"]
    assert summary.skipped == {"not an image type the vendor imports": 2, "folder markers": 1}
    assert summary.labels == {"a": 2, "b": 2}
    rekognition, _ = rows(keys, prefix="p/", fmt="rekognition")
    assert [r["source-ref"] for r in rekognition] == [
        "s3://images/p/a/1.JPG",
        "s3://images/p/a/2.jpeg",
        "s3://images/p/b/3.png",
    ]


def test_rekognition_lines_are_ground_truth_classification():
    found, summary = rows(TREE, prefix="alexa-devices/", fmt="rekognition", label_attribute="device")
    assert len(found) == 4 and summary.skipped["no folder label (directly in the folder location)"] == 1
    first = found[0]
    assert first["source-ref"] == "s3://images/alexa-devices/echo/echo-1.jpg"
    assert first["device"] == 0
    meta = first["device-metadata"]
    assert meta["class-name"] == "echo" and meta["type"] == "groundtruth/image-classification"
    assert (
        meta["human-annotated"] == "yes"
        and meta["confidence"] == 1
        and meta["job-name"].startswith("labeling-job/")
    )
    assert {r["device"] for r in found if r["device-metadata"]["class-name"] == "echo-dot"} == {1}


def test_rekognition_label_count_limits():
    with pytest.raises(InputError, match="2 to 250 labels; its folders give 1"):
        rows(["p/only/a.png", "p/only/b.png"], prefix="p/", fmt="rekognition")
    keys = [f"p/label{n}/a.png" for n in range(251)]
    with pytest.raises(InputError, match="its folders give 251"):
        rows(keys, prefix="p/", fmt="rekognition")
    rows([f"p/label{n}/a.png" for n in range(250)], prefix="p/", fmt="rekognition")


def test_rekognition_line_limit_refuses_or_splits(monkeypatch):
    monkeypatch.setattr(manifest.rows, "MAX_LINES", 3)
    keys = [f"p/{'ab'[n % 2]}/{n}.png" for n in range(7)]
    opts = manifest.check_options(manifest.Options(bucket="images", prefix="p/", fmt="rekognition"))
    with pytest.raises(InputError, match="pass --split"):
        manifest.write_manifest(keys, io.StringIO(), opts)

    class Kept(io.StringIO):
        def close(self):  # keep the text readable after the writer closes the part
            pass

    parts = {1: Kept()}

    def next_file(number):
        parts[number] = Kept()
        return parts[number]

    summary = manifest.write_manifest(keys, parts[1], opts, next_file)
    assert summary.rows == 7
    assert [len(p.getvalue().splitlines()) for _, p in sorted(parts.items())] == [3, 3, 1]


def test_rekognition_byte_limit(monkeypatch):
    monkeypatch.setattr(manifest.rows, "MAX_BYTES", 400)
    opts = manifest.check_options(manifest.Options(bucket="images", prefix="p/", fmt="rekognition"))
    with pytest.raises(InputError, match="1 GB"):
        manifest.write_manifest([f"p/{'ab'[n % 2]}/{n}.png" for n in range(5)], io.StringIO(), opts)


def test_bucket_with_dots_is_refused_for_labelbox_only():
    with pytest.raises(InputError, match="TLS"):
        rows(["a/b.png"], bucket="my.images")
    found, _ = rows(["p/a/1.png", "p/b/2.png"], bucket="my.images", prefix="p/", fmt="rekognition")
    assert len(found) == 2


def test_awkward_keys_are_counted_and_strict_makes_them_fatal():
    keys = ["d/a b.png", "d/c#1.png", "d/ok.png", "d/x|y.png"]
    _, summary = rows(keys)
    assert summary.awkward_count == 3 and summary.awkward[0] == "d/a b.png"
    with pytest.raises(InputError, match=r"^strict "):
        rows(keys, strict=True)


def test_global_keys_cannot_repeat():
    """A row's global_key is its S3 key, and a bucket holds each key once (a listing never
    repeats one), so no two rows share a global_key, even for keys whose URLs look alike."""
    keys = ["d/a b.png", "d/a+b.png", "d/a%20b.png", "d/A b.png", "d/a b.PNG"]
    found, _ = rows(keys)
    assert len({r["global_key"] for r in found}) == len(keys)
    assert len({r["row_data"] for r in found}) == len(keys)


def test_ndjson_is_one_row_a_line():
    found, _ = rows(["a/1.png", "b/2.png"], fmt="labelbox-ndjson")
    assert [r["global_key"] for r in found] == ["a/1.png", "b/2.png"]


def test_rows_are_written_as_keys_arrive():
    """Streaming: the first row is out before the listing is over."""
    out = io.StringIO()
    opts = manifest.check_options(manifest.Options(bucket="images", fmt="labelbox-ndjson"))

    def keys():
        yield "a/1.png"
        assert "a/1.png" in out.getvalue()
        yield "a/2.png"

    manifest.write_manifest(keys(), out, opts)


# --- listing files ----------------------------------------------------------------------------


def test_listing_files(tmp_path):
    as_json = tmp_path / "l.json"
    as_json.write_text(json.dumps({"Contents": [{"Key": "a/1.png", "Size": 3}, {"Key": "b/2.png"}]}))
    assert list(manifest.keys_from_file(str(as_json))) == ["a/1.png", "b/2.png"]
    lines = tmp_path / "l.txt"
    lines.write_text('a/1.png\n"b/ 2.png"\n{"Key": "c/3.png"}\n\n')
    assert list(manifest.keys_from_file(str(lines))) == ["a/1.png", "b/ 2.png", "c/3.png"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"Contents": [{"Size": 1}]}')
    with pytest.raises(InputError, match="needs a Key"):
        list(manifest.keys_from_file(str(bad)))
    with pytest.raises(InputError, match="cannot be read"):
        list(manifest.keys_from_file(str(tmp_path / "none")))


def test_cli_from_file_offline(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_text("\n".join(TREE))
    out = tmp_path / "m.json"
    result = cli(
        "manifest",
        "--bucket",
        "images",
        "--prefix",
        "alexa-devices/",
        "--from-file",
        str(listing),
        "--region",
        "eu-west-3",
        "--out",
        str(out),
    )
    assert result.code == 0, result.stderr
    assert "5 row(s) written" in result.stderr and "labels: echo 2, echo-dot 2" in result.stderr
    assert json.loads(out.read_text())[0]["row_data"].startswith("https://images.s3.eu-west-3.amazonaws.com/")
    assert (
        cli("manifest", "--bucket", "images", "--from-file", str(listing)).code == 2
    )  # labelbox needs --region
    assert (
        cli("manifest", "--bucket", "my.images", "--from-file", str(listing), "--region", "us-east-1").code
        == 2
    )


def test_cli_failure_leaves_no_partial_file(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_text("p/only/a.png\np/only/b.png\n")
    out = tmp_path / "m.manifest"
    result = cli(
        "manifest",
        "--bucket",
        "images",
        "--prefix",
        "p/",
        "--format",
        "rekognition",
        "--from-file",
        str(listing),
        "--out",
        str(out),
    )
    assert result.code == 2 and "2 to 250 labels" in result.error_line
    assert not out.exists()


# --- Rekognition Custom Labels, through Stubber ------------------------------------------------


class _Aws:
    def __init__(self, client):
        self._client = client

    def client(self, service, region=None):
        return self._client


def test_create_project_and_dataset_send_exactly_these_requests():
    import boto3

    client = boto3.client(
        "rekognition", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    project = "arn:aws:rekognition:us-east-1:123456789012:project/devices/1700000000000"
    with Stubber(client) as stub:
        stub.add_response("create_project", {"ProjectArn": project}, {"ProjectName": "devices"})
        stub.add_response(
            "create_dataset",
            {"DatasetArn": project + "/dataset/train/1700000000001"},
            {
                "ProjectArn": project,
                "DatasetType": "TRAIN",
                "DatasetSource": {
                    "GroundTruthManifest": {"S3Object": {"Bucket": "images", "Name": "manifests/d.manifest"}}
                },
            },
        )
        aws = _Aws(client)
        arn = manifest.create_project(aws, "devices")
        dataset = manifest.create_dataset(aws, arn, "s3://images/manifests/d.manifest", "train")
        stub.assert_no_pending_responses()
    assert dataset.endswith("/dataset/train/1700000000001")


@pytest.mark.parametrize(
    "url", ["images/m.manifest", "s3://images/", "s3://Bad_Bucket/m.manifest", "s3://images"]
)
def test_bad_upload_urls(url):
    with pytest.raises(InputError, match=r"^upload "):
        manifest.parse_s3_url(url)


def test_cli_bad_paths_are_one_line_and_write_nothing(cli, tmp_path):
    missing = cli(
        "manifest", "--bucket", "images", "--from-file", str(tmp_path / "none.txt"), "--region", "us-east-1"
    )
    assert missing.code == 2 and "cannot be read" in missing.error_line
    assert missing.stdout == ""  # reported before the first row
    listing = tmp_path / "l.txt"
    listing.write_text("a/1.png\n")
    unwritable = cli(
        "manifest",
        "--bucket",
        "images",
        "--from-file",
        str(listing),
        "--region",
        "us-east-1",
        "--out",
        str(tmp_path / "no-such-dir" / "m.json"),
    )
    assert (
        unwritable.code == 2
        and "--out" in unwritable.error_line
        and "cannot be written" in unwritable.error_line
    )


def test_a_single_listing_document_is_read_once(tmp_path, monkeypatch):
    import json as json_module

    path = tmp_path / "l.json"
    path.write_text(json.dumps({"Contents": [{"Key": "a/1.png"}]}))
    text = path.read_text()
    calls = []
    real = json_module.loads
    monkeypatch.setattr(json_module, "loads", lambda t, *a, **k: calls.append(len(t)) or real(t, *a, **k))
    assert list(manifest.keys_from_file(str(path))) == ["a/1.png"]
    assert calls.count(len(text)) == 1  # the whole document parsed once (the file is read once)


def test_a_failed_run_keeps_the_earlier_manifest_and_leaves_no_temporary_file(cli, tmp_path):
    """--out is written whole or not at all (provisioner/atomic.py): an earlier manifest of that
    name survives a failure, and no temporary file is left in the folder."""
    listing = tmp_path / "l.txt"
    listing.write_text("p/only/a.png\np/only/b.png\n")
    out = tmp_path / "m.manifest"
    out.write_text("the earlier, good manifest\n")
    args = ["manifest", "--bucket", "images", "--prefix", "p/", "--format", "rekognition"]
    result = cli(*args, "--from-file", str(listing), "--out", str(out))
    assert result.code == 2
    assert out.read_text() == "the earlier, good manifest\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.txt", "m.manifest"]


def test_written_files_have_the_permissions_of_a_normal_file(cli, tmp_path):
    import os
    import stat

    listing = tmp_path / "l.txt"
    listing.write_text("p/cats/a.png\np/dogs/b.png\n")
    out = tmp_path / "m.json"
    old = os.umask(0o022)
    try:
        result = cli("manifest", "--bucket", "images", "--prefix", "p/", "--region", "us-east-1",
                     "--from-file", str(listing), "--out", str(out))  # fmt: skip
    finally:
        os.umask(old)
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not the temporary file's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.txt", "m.json"]
    nowhere = cli("manifest", "--bucket", "images", "--prefix", "p/", "--region", "us-east-1",
                  "--from-file", str(listing), "--out", str(tmp_path / "no" / "such" / "m.json"))  # fmt: skip
    assert nowhere.code == 2 and "--out" in nowhere.error_line and "cannot be written" in nowhere.error_line


@pytest.mark.slow  # the CLI as a process
def test_ctrl_c_mid_run_exits_130_with_no_partial_file_and_no_traceback(tmp_path):
    """SIGINT while the listing is still being read: exit 130, one line, the earlier manifest
    intact and no temporary file (the listing is a FIFO the test keeps open)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    fifo = tmp_path / "listing.fifo"
    os.mkfifo(fifo)
    out = tmp_path / "m.json"
    out.write_text("earlier\n")
    provision = str(Path(sys.executable).parent / "provision")
    process = subprocess.Popen(
        [provision, "manifest", "--bucket", "images", "--prefix", "p/", "--region", "us-east-1",
         "--from-file", str(fifo), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with open(fifo, "w") as writer:  # blocks until the command opens the listing
        writer.write("p/cats/a.png\np/dogs/b.png\n")
        writer.flush()
        time.sleep(1.0)  # the command has read the first lines and waits for more
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, (process.returncode, stderr)
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "aborted"
    assert out.read_text() == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["listing.fifo", "m.json"]


@pytest.mark.parametrize(
    "listing",
    ["p/cats/a.png\np/dogs/b.png\n", '{"Contents": [{"Key": "p/cats/a.png"}, {"Key": "p/dogs/b.png"}]}',
     '{\n  "Contents": [\n    {"Key": "p/cats/a.png"},\n    {"Key": "p/dogs/b.png"}\n  ]\n}\n'],
    ids=["lines", "one-line-document", "document"],
)  # fmt: skip
def test_a_listing_that_cannot_be_rewound_is_read(tmp_path, listing):
    """`--from-file <(aws s3api list-objects-v2 …)` is a pipe: it crashed with a traceback
    ("underlying stream is not seekable") before the listing was read once, front to back."""
    import os
    import threading

    fifo = tmp_path / "listing.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w") as writer:
            writer.write(listing)

    threading.Thread(target=feed, daemon=True).start()
    assert list(manifest.keys_from_file(str(fifo))) == ["p/cats/a.png", "p/dogs/b.png"]


@pytest.mark.parametrize(
    ("listing", "keys"),
    [('["p/cats/a.png", "p/dogs/b.png"]', ["p/cats/a.png", "p/dogs/b.png"]),  # --query 'Contents[].Key'
     ('[\n  {"Key": "p/cats/a.png", "Size": 3},\n  {"Key": "p/dogs/b.png"}\n]\n',
      ["p/cats/a.png", "p/dogs/b.png"]),  # --query Contents
     ("[draft]/a.png\n[draft]/b.png\n", ["[draft]/a.png", "[draft]/b.png"]),  # keys may start with "["
     ('{"RequestCharged": null, "Prefix": "p/"}', []),  # the CLI's answer for an empty prefix
     ("", [])],
    ids=["query-keys", "query-contents", "bracket-keys", "empty-prefix", "empty"],
)  # fmt: skip
def test_listing_shapes_the_aws_cli_writes(tmp_path, listing, keys):
    path = tmp_path / "listing"
    path.write_text(listing)
    assert list(manifest.keys_from_file(str(path))) == keys


@pytest.mark.parametrize(
    ("listing", "message"),
    [('{"Version": "2012-10-17", "Statement": []}', "not a list-objects-v2 JSON document"),  # a policy
     ("[1, 2, 3]", "each entry needs a Key"),
     ('{"Contents": [{"Size": 3}]}', "each Contents entry needs a Key"),
     ("k" * 1025 + "\n", "line 1 is 1,025 bytes: an S3 key is at most 1,024 bytes")],
    ids=["a-policy", "numbers", "no-key", "too-long-for-a-key"],
)  # fmt: skip
def test_files_that_are_not_listings_are_refused(tmp_path, listing, message):
    """Before, a policy or a JSON list of numbers gave "0 row(s) written" (exit 0), and a file
    of one 20 MB line was taken for one key."""
    path = tmp_path / "listing"
    path.write_text(listing)
    with pytest.raises(InputError, match=re.escape(message)):
        list(manifest.keys_from_file(str(path)))
