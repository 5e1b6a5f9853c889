"""Sessions share one botocore loader (issue 18): a new session's client does not read botocore's
JSON service models again, while credentials, region and profile stay each session's own."""

from __future__ import annotations

import botocore.loaders
import pytest

from provisioner import aws as aws_module
from provisioner import sandbox
from provisioner.aws import Aws, AwsInputError, new_session


@pytest.fixture
def two_profiles(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile one]\nregion = eu-west-1\n\n[profile two]\nregion = ap-south-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[one]\naws_access_key_id = AKIAONEONEONEONEONE1\naws_secret_access_key = one\n\n"
        "[two]\naws_access_key_id = AKIATWOTWOTWOTWOTWO2\naws_secret_access_key = two\n"
    )
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))


@pytest.fixture
def model_reads(monkeypatch):
    """The JSON files botocore's loaders read from now on, in a process whose sessions have
    not shared a loader yet."""
    monkeypatch.setattr(aws_module, "_LOADER", None)
    read: list[str] = []
    original = botocore.loaders.JSONFileLoader.load_file

    def load_file(self, file_path):
        read.append(str(file_path))
        return original(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", load_file)
    return read


def test_a_second_session_reads_no_service_model_and_keeps_its_own_identity(two_profiles, model_reads):
    one = Aws(profile="one")
    one.client("iam")
    assert model_reads, "the first session reads the IAM model"
    model_reads.clear()

    two = Aws(profile="two")
    two.client("iam")
    assert model_reads == []  # the models were parsed once, by the first session's loader
    assert two.session._session.get_component("data_loader") is one.session._session.get_component(
        "data_loader"
    )
    # what each session resolves for itself is still its own
    assert (one.region, two.region) == ("eu-west-1", "ap-south-1")
    assert one.session.get_credentials().access_key == "AKIAONEONEONEONEONE1"
    assert two.session.get_credentials().access_key == "AKIATWOTWOTWOTWOTWO2"
    assert two.client("sts").meta.region_name == "ap-south-1"
    # and an unknown profile is still bad input, as when each session had a loader of its own
    with pytest.raises(AwsInputError, match="'nope': no such profile"):
        Aws(profile="nope")


def test_the_sandbox_sessions_share_it_and_keep_their_account_header(model_reads):
    first = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client("iam", endpoint_url="http://127.0.0.1:9")
    model_reads.clear()
    other = sandbox.session_for("111111111111").client("iam", endpoint_url="http://127.0.0.1:9")
    assert model_reads == []
    headers = {}

    def seen(request, **_):
        headers.update(request.headers)
        raise RuntimeError("stop before sending")

    for client, account in ((first, sandbox.CUSTOMER_ACCOUNT), (other, "111111111111")):
        client.meta.events.register_last("before-send.*.*", seen)
        with pytest.raises(RuntimeError, match="stop before sending"):
            client.list_roles()
        value = headers[sandbox.ACCOUNT_HEADER]
        assert (value.decode() if isinstance(value, bytes) else value) == account


def test_a_session_with_other_model_folders_keeps_its_own_loader(two_profiles, tmp_path, monkeypatch):
    shared = new_session(region_name="us-east-1")._session.get_component("data_loader")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    own = new_session(region_name="us-east-1")._session.get_component("data_loader")
    assert own is not shared
    assert str(tmp_path / "models") in own.search_paths
