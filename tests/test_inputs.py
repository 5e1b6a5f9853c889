"""Input validation: each rule with a value that breaks it and a value that passes."""

from __future__ import annotations

import pytest

from provisioner import inputs
from provisioner.errors import InputError

# S3 User Guide, "General purpose bucket naming rules".
GOOD_BUCKETS = ["abc", "my-bucket", "data.example.com", "a" * 63, "1bucket9", "my-s3alias-bucket"]
BAD_BUCKETS = {
    "ab": "3 to 63",
    "a" * 64: "3 to 63",
    "My-Bucket": "use lowercase",
    "my_bucket": "'_' is not allowed",
    "Bad_Bucket!": "'B', '_', '!' are not allowed (use lowercase)",
    "-bucket": "start and end",
    "bucket-": "start and end",
    ".bucket": "start and end",
    "my..bucket": "adjacent dots",
    "192.168.5.4": "IP address",
    "xn--bucket": "'xn--' is reserved",
    "sthree-bucket": "'sthree-' is reserved",
    "amzn-s3-demo-bucket": "'amzn-s3-demo-' is reserved",
    "bucket-s3alias": "'-s3alias' is reserved",
    "bucket--ol-s3": "'--ol-s3' is reserved",
    "bucket.mrap": "'.mrap' is reserved",
    "bucket--x-s3": "'--x-s3' is reserved",
    "bucket--table-s3": "'--table-s3' is reserved",
    "bück": "not allowed",
}


@pytest.mark.parametrize("bucket", GOOD_BUCKETS)
def test_bucket_names_that_s3_accepts_pass(bucket):
    assert inputs.check_bucket(bucket) == bucket


@pytest.mark.parametrize(("bucket", "rule"), BAD_BUCKETS.items())
def test_bucket_names_that_s3_refuses_name_the_rule(bucket, rule):
    with pytest.raises(InputError) as err:
        inputs.check_bucket(bucket)
    assert err.value.field == "bucket"
    assert rule in str(err.value)


def test_bucket_with_dots_warns_about_virtual_hosted_tls():
    (warning,) = inputs.bucket_warnings("data.example.com")
    assert "TLS" in warning and "virtual-hosted" in warning
    assert inputs.bucket_warnings("data-example") == []


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("/images/", "starting with '/' is almost always a mistake"),
        ("images/*", "wildcard"),
        ("img?/", "wildcard"),
        ("a\nb/", "control characters"),
        ("é" * 513, "1,024 bytes"),
    ],
)
def test_prefixes_that_would_widen_or_never_match_are_refused(value, rule):
    with pytest.raises(InputError, match=r"^prefix ") as err:
        inputs.check_prefix(value)
    assert rule in str(err.value)


def test_empty_prefix_means_whole_bucket_and_missing_slash_warns():
    assert inputs.check_prefix("") is None
    assert inputs.check_prefix(None) is None
    assert inputs.check_prefix("images/") == "images/"
    assert "images-old" in inputs.prefix_warnings("images")[0]
    assert inputs.prefix_warnings("images/") == []


def test_dollar_in_prefix_is_escaped_so_iam_never_reads_a_policy_variable():
    # IAM User Guide, "IAM policy elements: Variables and tags": ${$} is a literal '$'.
    assert inputs.escape_policy_text("${aws:username}/") == "${$}{aws:username}/"


# STS AssumeRole API reference: ExternalId is 2-1224 characters of [\w+=,.@:/-].
@pytest.mark.parametrize("value", ["ab", "x" * 1224, "org_1+=,.@:/-Z9", "ckx5y2abcd0001"])
def test_external_ids_sts_accepts_pass(value):
    assert inputs.check_external_id(value) == value


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("a", "2 to 1,224"),
        ("x" * 1225, "2 to 1,224"),
        ("has space", "' ' is not allowed"),
        ("quote'd", '"\'" is not allowed'),
        ("ünïcode", "'ü' is not allowed"),
        ("semi;colon", "';' is not allowed"),
    ],
)
def test_external_ids_sts_refuses_are_refused(value, rule):
    with pytest.raises(InputError) as err:
        inputs.check_external_id(value)
    assert err.value.field == "external_id"
    assert rule in str(err.value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("short123", "shorter than 16"),
        ("aaaaaaaaaaaaaaaaaaaa", "one repeated character"),
        ("supercalifragilistic", "a plain word"),
        ("12345678901234567890", "consecutive digits"),
        ("labelbox-integration-01", "contains 'labelbox'"),
    ],
)
def test_guessable_external_ids_warn(value, reason):
    (warning,) = inputs.external_id_warnings(value, known_names=("labelbox", "340636424752"))
    assert reason in warning


def test_a_vendor_issued_external_id_does_not_warn():
    assert inputs.external_id_warnings("ckz8q1w3e0001abcd9xyzt") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("arn:aws:iam::340636424752:role/lb-aws-delegated-access-role",) * 2,
        ("arn:aws:iam::123456789012:role/path/to/Vendor",) * 2,
        ("arn:aws:iam::123456789012:user/vendor-bot",) * 2,
        ("arn:aws-cn:iam::123456789012:root",) * 2,
        ("arn:aws-us-gov:iam::123456789012:role/x",) * 2,
        ("123456789012", "arn:aws:iam::123456789012:root"),
    ],
)
def test_principals_that_iam_accepts_pass(value, expected):
    assert inputs.check_principal(value) == expected


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("*", "must name the vendor's principal"),
        ("arn:aws:iam::123456789012:role/*", "wildcards"),
        ("arn:aws:iam::*:root", "wildcards"),
        ("arn:aws-mars:iam::123456789012:root", "unknown partition 'aws-mars'"),
        ("arn:aws:sts::123456789012:assumed-role/R/s", "not one of its sessions"),
        ("arn:aws:s3:::bucket", "not an IAM principal"),
        ("arn:aws:iam::12345:root", "not 12 digits"),
        ("arn:aws:iam::123456789012:group/admins", "account root, a role or a user"),
        ("arn:aws:iam::123456789012:role/" + "r" * 65, "1 to 64"),
        ("lb-aws-delegated-access-role", "not an ARN"),
    ],
)
def test_principals_that_would_widen_or_fail_are_refused(value, rule):
    with pytest.raises(InputError) as err:
        inputs.check_principal(value)
    assert err.value.field == "principal"
    assert rule in str(err.value)


def test_account_root_principal_warns_that_a_role_is_narrower():
    (warning,) = inputs.principal_warnings("arn:aws:iam::999888496268:root")
    assert "whole account 999888496268" in warning
    assert inputs.principal_warnings("arn:aws:iam::340636424752:role/x") == []


KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_kms_key_arn_is_parsed_with_partition_and_region():
    arn = inputs.check_kms_key_arn(KEY)
    assert (arn.partition, arn.region, arn.account) == ("aws", "us-west-2", "111122223333")
    mrk = "arn:aws:kms:eu-west-1:111122223333:key/mrk-" + "a" * 32
    assert inputs.check_kms_key_arn(mrk).resource.startswith("key/mrk-")


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1234abcd-12ab-34cd-56ef-1234567890ab", "full key ARN"),
        ("arn:aws:kms:us-west-2:111122223333:alias/data", "alias ARN does not grant"),
        ("arn:aws:s3:::bucket", "not a KMS key ARN"),
        ("arn:aws:kms:us-west-2:111122223333:key/not-a-uuid", "key/KEY-ID"),
        (
            "arn:aws-cn:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "not in partition aws-cn",
        ),
        (
            "arn:aws:kms:mars-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "not an AWS region",
        ),
    ],
)
def test_bad_kms_key_arns_are_refused(value, rule):
    with pytest.raises(InputError) as err:
        inputs.check_kms_key_arn(value)
    assert rule in str(err.value)


@pytest.mark.parametrize(
    "origin", ["https://app.labelbox.com", "https://a.example.com:8443", "http://127.0.0.1:5173"]
)
def test_origins_as_browsers_send_them_pass(origin):
    assert inputs.check_origin(origin) == origin


@pytest.mark.parametrize(
    ("origin", "rule"),
    [
        ("*", "every web site"),
        ("https://app.labelbox.com/", "without a trailing '/'"),
        ("https://App.Labelbox.com", "lowercase"),
        ("https://app.labelbox.com/editor", "no path"),
        ("app.labelbox.com", "http:// or https:// then host"),
        ("ftp://x.com", "http:// or https:// then host"),
    ],
)
def test_origins_that_never_match_a_browser_are_refused(origin, rule):
    with pytest.raises(InputError) as err:
        inputs.check_origin(origin)
    assert rule in str(err.value)


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-west-3", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
    ],
)
def test_regions_map_to_their_partition(region, partition):
    assert inputs.check_region(region) == region
    assert inputs.partition_of_region(region) == partition


@pytest.mark.parametrize("region", ["us-east", "useast1", "US-EAST-1", ""])
def test_bad_regions_are_refused(region):
    with pytest.raises(InputError, match=r"^region "):
        inputs.check_region(region)


def test_long_values_are_shortened_in_error_lines():
    with pytest.raises(InputError) as err:
        inputs.check_external_id("x" * 2000)
    assert "(2000 characters)" in str(err.value)
    assert len(str(err.value)) < 200
