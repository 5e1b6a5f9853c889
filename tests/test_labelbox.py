"""`provision labelbox connect` with Labelbox's real SDK against a stand-in GraphQL server on
127.0.0.1 (tests/labelbox_fake.py). Nothing here has run against Labelbox's service."""

from __future__ import annotations

import pytest

pytest.importorskip("labelbox", reason="Labelbox's SDK is the optional extra provisioner[labelbox]")

from provisioner import labelbox_api
from provisioner.errors import InputError
from provisioner.labelbox_api import ConnectSpec, LabelboxError

ROLE = "arn:aws:iam::123456789012:role/LabelboxS3Access"
from .conftest import LABELBOX_KEY as KEY  # noqa: E402


@pytest.fixture
def fake(labelbox_fake):
    return labelbox_fake


def run(spec: ConnectSpec, *, sleeps: list[float] | None = None, **kwargs):
    waited = sleeps if sleeps is not None else []
    clock = {"now": 0.0}

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock["now"] += seconds

    client = labelbox_api.client(KEY)
    return labelbox_api.connect(spec, client, sleep=sleep, clock=lambda: clock["now"], **kwargs)


def test_connect_creates_once_waits_out_iam_and_a_rerun_creates_nothing(fake):
    fake.assume_failures = 2  # a new role's trust takes seconds to reach STS
    waited: list[float] = []
    first = run(ConnectSpec(ROLE, "data"), sleeps=waited)
    assert first.created and first.valid and first.attempts == 3 and waited == [2.0, 4.0]
    assert first.name == "provisioner-data"
    again = run(ConnectSpec(ROLE, "data"))
    assert not again.created and again.integration_id == first.integration_id
    assert [op for _, op, _ in fake.requests].count("createAwsIamIntegration") == 1
    assert all(auth == f"Bearer {KEY}" for _, _, auth in fake.requests)


def test_a_failure_other_than_assume_role_is_not_retried_and_comes_with_our_remediation(fake):
    fake.failing = {"AWSExternalID"}
    result = run(ConnectSpec(ROLE, "data"))
    assert not result.valid and result.attempts == 1
    (failed,) = [c for c in result.checks if not c.success]
    assert failed.name == "AWSExternalID" and "sts:ExternalId" in failed.remediation
    assert "--bucket data" in failed.remediation and "{bucket}" not in failed.remediation


def test_assume_role_failing_past_the_wait_is_reported(fake):
    fake.assume_failures = 100
    waited: list[float] = []
    result = run(ConnectSpec(ROLE, "data", wait_seconds=10), sleeps=waited)
    assert not result.valid and sum(waited) <= 10 and result.attempts == len(waited) + 1


def test_set_default_goes_to_the_experimental_endpoint(fake):
    result = run(ConnectSpec(ROLE, "data", set_default=True))
    assert result.default
    assert ("/_gql", "setDefaultIamIntegration") in [(p, op) for p, op, _ in fake.requests]
    assert fake.integrations[0]["isOrgDefault"]


def test_rate_limiting_is_retried_with_backoff_then_reported(fake):
    fake.rate_limited = 2
    waited: list[float] = []
    assert run(ConnectSpec(ROLE, "data"), sleeps=waited).valid
    assert waited[:2] == [1.0, 2.0]
    fake.rate_limited = 50
    with pytest.raises(LabelboxError, match="rate-limited"):
        run(ConnectSpec(ROLE, "data"))


def test_an_api_key_without_rights_is_one_line_naming_the_fix(fake):
    fake.unauthorized = True
    with pytest.raises(LabelboxError, match="Admin"):
        run(ConnectSpec(ROLE, "data"))


def test_the_cli_prints_labelbox_checks_and_never_the_key(fake, cli, tmp_path, monkeypatch):
    result = cli("labelbox", "connect", "--role-arn", ROLE, "--bucket", "data")
    assert result.code == 0, result.stderr
    assert "AWSAssumeRole" in result.stdout and "VALID: integration provisioner-data" in result.stdout
    fake.failing = {"AWSCors"}
    failed = cli("labelbox", "connect", "--role-arn", ROLE, "--bucket", "data", "-o", "json")
    assert failed.code == 1
    data = failed.json()
    assert data["created"] is False and data["valid"] is False
    cors = next(c for c in data["checks"] if c["name"] == "AWSCors")
    assert cors["success"] is False and cors["remediation"]
    fake.unauthorized = True
    refused = cli("labelbox", "connect", "--role-arn", ROLE, "--bucket", "data")
    assert refused.code == 3 and "Admin" in refused.error_line
    for out in (result, failed, refused):
        assert KEY not in out.stdout + out.stderr
    fake.unauthorized = False
    monkeypatch.delenv("LABELBOX_API_KEY")
    missing = cli("labelbox", "connect", "--role-arn", ROLE, "--bucket", "data")
    assert missing.code == 2 and "LABELBOX_API_KEY" in missing.error_line
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    from_file = cli(
        "labelbox", "connect", "--role-arn", ROLE, "--bucket", "data", "--api-key-file", str(key_file)
    )
    assert from_file.code == 1 and KEY not in from_file.stdout + from_file.stderr  # AWSCors still fails
    bad = cli("labelbox", "connect", "--role-arn", "arn:aws:s3:::data", "--bucket", "data")
    assert bad.code == 2 and "--role-arn" in bad.error_line
    assert len([r for r in fake.requests if r[1] == "createAwsIamIntegration"]) == 1


# --- labelbox import ------------------------------------------------------------------------


def manifest_rows(n: int, start: int = 0) -> list[dict]:
    return [
        {"row_data": f"https://data.s3.us-east-1.amazonaws.com/cats/{i}.jpg", "global_key": f"cats/{i}.jpg",
         "media_type": "IMAGE", "metadata_fields": [{"name": "tag", "value": "cats"}]}
        for i in range(start, start + n)
    ]  # fmt: skip


def test_import_upserts_by_global_key_in_batches_and_a_rerun_creates_nothing(fake):
    from provisioner.labelbox_import import ImportSpec, import_rows

    client = labelbox_api.client(KEY)
    first = import_rows(ImportSpec("cats", batch_size=4), client, manifest_rows(10), sleep=lambda s: None)
    assert first.created_dataset and first.batches == 3 and first.upserted == 10 and not first.failed
    again = import_rows(ImportSpec("cats", batch_size=4), client, manifest_rows(10), sleep=lambda s: None)
    assert not again.created_dataset and again.dataset_id == first.dataset_id
    assert len(fake.datasets) == 1 and len(fake.data_rows) == 10  # upserted twice, stored once
    row = fake.data_rows[(first.dataset_id, "cats/0.jpg")]
    assert row["metadata_fields"] == [{"schemaId": "cko8s9r5v0001h2dk9elqdidh", "value": "cats"}]  # the tag


def test_a_partial_failure_names_the_rows_and_a_rerun_finishes(fake, cli, tmp_path):
    import json

    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest_rows(5)))
    fake.refuse = {"cats/1.jpg", "cats/3.jpg"}
    partial = cli("labelbox", "import", "--dataset", "cats", "--manifest", str(path), "--batch-size", "2")
    assert partial.code == 1
    assert "3 of 5 data row(s) upserted" in partial.stdout and "cats/1.jpg" in partial.stdout
    assert "run the same command again" in partial.stdout
    fake.refuse = set()
    done = cli("labelbox", "import", "--dataset", "cats", "--manifest", str(path), "-o", "json")
    assert done.code == 0 and done.json()["upserted"] == 5 and done.json()["created_dataset"] is False
    assert len(fake.data_rows) == 5 and KEY not in partial.stdout + partial.stderr + done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--dataset", "x"], "give --manifest FILE or --bucket NAME"),
        (["--dataset", "x", "--manifest", "nope.json"], "no such file"),
        (["--dataset", " ", "--manifest", "m.json"], "--dataset"),
        (["--dataset", "x", "--manifest", "m.json", "--batch-size", "0"], "--batch-size"),
        (["--dataset", "x", "--manifest", "bad.json"], "row 0 has no row_data"),
    ],
)
def test_bad_import_input_is_one_line_and_nothing_is_sent(fake, cli, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.json").write_text("[]")
    (tmp_path / "bad.json").write_text('[{"global_key": "a"}]')
    result = cli("labelbox", "import", *args)
    assert result.code == 2 and needle in result.error_line, result.stderr
    assert fake.requests == []


# --- import: the dataset's signer -----------------------------------------------------------


def import_cli(cli, tmp_path, *args: str):
    import json

    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest_rows(3)))
    return cli("labelbox", "import", "--dataset", "cats", "--manifest", str(path), *args)


def test_the_first_import_after_connect_set_default_signs_the_dataset_and_a_rerun_changes_nothing(
    fake, cli, tmp_path
):
    default = run(ConnectSpec(ROLE, "data", set_default=True))
    first = import_cli(cli, tmp_path, "-o", "json")
    assert first.code == 0, first.stderr
    assert fake.signers == {first.json()["dataset_id"]: default.integration_id}
    assert first.json()["signer"] == default.integration_id and first.json()["signer_set"] is True
    assert (
        "plan: set     dataset cats (ds-1) signer: none -> integration provisioner-data (iam-1)"
        in first.stderr
    )
    assert len(fake.data_rows) == 3
    sets = len([r for r in fake.requests if r[1] == "setSignerForDataset"])
    again = import_cli(cli, tmp_path)
    assert again.code == 0 and "plan:" not in again.stderr, again.stderr
    assert "signed by integration iam-1" in again.stdout and "(set now)" not in again.stdout
    assert len([r for r in fake.requests if r[1] == "setSignerForDataset"]) == sets
    assert len(fake.datasets) == 1


def test_a_dataset_an_earlier_run_left_unsigned_or_signed_by_another_is_fixed(fake, cli, tmp_path):
    from .labelbox_fake import TIME

    old = {
        "id": "ds-old",
        "name": "cats",
        "description": "",
        "rowCount": 0,
        "createdAt": TIME,
        "updatedAt": TIME,
    }
    fake.datasets.append(old)  # made by an earlier run that failed before setting its signer
    default = run(ConnectSpec(ROLE, "data", set_default=True))
    fixed = import_cli(cli, tmp_path)
    assert fixed.code == 0, fixed.stderr
    assert fake.signers == {"ds-old": default.integration_id}
    assert "signer: none -> integration provisioner-data" in fixed.stderr and "(set now)" in fixed.stdout
    other = run(ConnectSpec("arn:aws:iam::123456789012:role/Other", "other"))
    fake.signers["ds-old"] = other.integration_id  # signed by another integration than the one wanted
    back = import_cli(cli, tmp_path, "--integration", "provisioner-data")
    assert back.code == 0, back.stderr
    assert f"-> integration provisioner-data ({default.integration_id})" in back.stderr
    assert fake.signers == {"ds-old": default.integration_id} and len(fake.datasets) == 1
    from labelbox import Dataset

    client = labelbox_api.client(KEY)
    (dataset,) = client.get_datasets(where=Dataset.name == "cats")
    dataset.remove_iam_integration()  # someone detaches it in Labelbox (clearSignerForDataset)
    assert dataset.iam_integration() is None and fake.signers == {}
    assert import_cli(cli, tmp_path).code == 0 and fake.signers == {"ds-old": default.integration_id}


def test_a_refused_or_dropped_signer_is_one_line_no_row_is_sent_and_a_rerun_converges(fake, cli, tmp_path):
    run(ConnectSpec(ROLE, "data", set_default=True))
    fake.refuse_signer = 1
    refused = import_cli(cli, tmp_path)
    assert refused.code == 3 and "setting the dataset's signer" in refused.error_line
    assert "run the same command again" in refused.error_line
    assert fake.signers == {} and fake.data_rows == {} and len(fake.datasets) == 1
    fake.drop_signer = True  # Labelbox answers, but the dataset stays unsigned
    dropped = import_cli(cli, tmp_path)
    assert dropped.code == 3 and "reads back none" in dropped.error_line and fake.data_rows == {}
    fake.drop_signer = False
    done = import_cli(cli, tmp_path, "-o", "json")
    assert done.code == 0, done.stderr
    assert done.json()["created_dataset"] is False and fake.signers == {"ds-1": "iam-1"}
    assert len(fake.datasets) == 1 and len(fake.data_rows) == 3


def test_without_an_integration_to_sign_with_the_import_warns(fake, cli, tmp_path):
    result = import_cli(cli, tmp_path)
    assert result.code == 0 and fake.signers == {}
    assert "warning: dataset cats (ds-1) has no IAM integration to sign its URLs" in result.stderr
    assert "--set-default" in result.stderr


def test_an_integration_labelbox_found_invalid_is_refused_before_any_change(fake, cli, tmp_path):
    fake.failing = {"AWSExternalID"}
    run(ConnectSpec(ROLE, "data", set_default=True))  # set as default, but its validation failed
    result = import_cli(cli, tmp_path)
    assert result.code == 3 and "is not valid in Labelbox" in result.error_line
    assert f"provision labelbox connect --role-arn {ROLE}" in result.error_line
    assert fake.datasets == [] and fake.data_rows == {}


# --- the library twins of the two commands ------------------------------------------------------


def test_the_api_connects_and_imports_as_the_commands_do(fake, tmp_path):
    import json

    from provisioner import api
    from provisioner.labelbox_import import ImportSpec

    connected = api.labelbox_connect(ConnectSpec(ROLE, "data", set_default=True), api_key=KEY)
    assert connected.created and connected.valid and connected.default
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest_rows(3)))
    imported = api.labelbox_import(ImportSpec("cats", manifest=str(path)), api_key=KEY)
    assert imported.created_dataset and imported.upserted == 3
    assert imported.signer == connected.integration_id  # the organization's default signs it
    assert len(fake.data_rows) == 3


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda a, s: a.labelbox_import(s.ImportSpec("cats"), api_key=KEY), "manifest"),
        (lambda a, s: a.labelbox_import(s.ImportSpec("cats", manifest="m", bucket="b")), "manifest"),
        (lambda a, s: a.labelbox_connect(ConnectSpec(ROLE, "data", external_id="x y"), api_key=KEY),
         "external_id"),
        (lambda a, s: a.labelbox_connect(ConnectSpec(ROLE, "data", external_id="ckx5y2w9q0001abcd"),
                                         api_key=KEY), "external_id"),
    ],
    ids=["no rows", "two sources of rows", "bad external id", "validating without AWS"],
)  # fmt: skip
def test_the_api_refuses_bad_labelbox_input_before_any_call(call, field, monkeypatch):
    from provisioner import api, labelbox_api
    from provisioner import labelbox_import as specs

    monkeypatch.setattr(labelbox_api, "client", lambda *a, **k: pytest.fail("Labelbox was called"))
    with pytest.raises(InputError) as refused:
        call(api, specs)
    assert refused.value.field == field
