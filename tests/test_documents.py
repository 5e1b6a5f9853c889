"""Rendering the three documents: exact shapes, schema guards, and that lint finds them clean."""

from __future__ import annotations

import copy
import itertools

import pytest

from provisioner import documents
from provisioner.errors import DataError, InputError
from provisioner.lint import lint_document
from provisioner.vendors import get_vendor, known_vendors, resolve_vendor

KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LABELBOX_ROLE = "arn:aws:iam::340636424752:role/lb-aws-delegated-access-role"


def _by_sid(document):
    return {s["Sid"]: s for s in document["Statement"]}


def test_permissions_without_prefix_read_the_whole_bucket_and_nothing_else():
    doc = documents.render_permissions("my-bucket").document
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadObjects",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::my-bucket/*",
            },
            {
                "Sid": "ListBucketAndFindRegion",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": "arn:aws:s3:::my-bucket",
            },
        ],
    }


def test_permissions_with_prefix_limit_reads_and_listing_to_the_prefix():
    statements = _by_sid(documents.render_permissions("my-bucket", prefix="images/").document)
    assert statements["ReadObjectsUnderPrefix"]["Resource"] == "arn:aws:s3:::my-bucket/images/*"
    listing = statements["ListObjectsUnderPrefix"]
    assert listing["Action"] == "s3:ListBucket"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "images/*"}}
    location = statements["FindBucketRegion"]
    assert location["Action"] == "s3:GetBucketLocation" and "Condition" not in location
    assert set(statements) == {
        "ReadObjectsUnderPrefix",
        "ListObjectsUnderPrefix",
        "FindBucketRegion",
    }


def test_prefix_with_dollar_cannot_become_a_policy_variable():
    statements = _by_sid(documents.render_permissions("b-1", prefix="${aws:username}/").document)
    assert statements["ReadObjectsUnderPrefix"]["Resource"] == "arn:aws:s3:::b-1/${$}{aws:username}/*"


def test_kms_key_adds_decrypt_only_through_s3_in_the_keys_region():
    statements = _by_sid(documents.render_permissions("my-bucket", kms_key_arn=KEY).document)
    decrypt = statements["DecryptObjectsThroughS3"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == KEY
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}


@pytest.mark.parametrize(
    ("key", "bucket_arn", "via"),
    [
        (
            "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-cn:s3:::my-bucket",
            "s3.cn-north-1.amazonaws.com.cn",
        ),
        (
            "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-us-gov:s3:::my-bucket",
            "s3.us-gov-west-1.amazonaws.com",
        ),
    ],
)
def test_partition_comes_from_the_key_arn(key, bucket_arn, via):
    statements = _by_sid(documents.render_permissions("my-bucket", kms_key_arn=key).document)
    assert statements["ListBucketAndFindRegion"]["Resource"] == bucket_arn
    assert statements["ReadObjects"]["Resource"] == bucket_arn + "/*"
    assert statements["DecryptObjectsThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"] == via


def test_region_alone_sets_the_partition():
    doc = documents.render_permissions("my-bucket", region="cn-northwest-1").document
    assert doc["Statement"][0]["Resource"] == "arn:aws-cn:s3:::my-bucket/*"


def test_key_in_another_region_than_the_bucket_is_refused():
    with pytest.raises(InputError, match="only in the bucket's own region"):
        documents.render_permissions("my-bucket", kms_key_arn=KEY, region="eu-west-1")


def test_trust_names_the_vendor_principal_and_pins_the_external_id():
    doc = documents.render_trust("ckx5y2abcd0001zz", get_vendor("labelbox")).document
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VendorAssumesRoleWithExternalId",
                "Effect": "Allow",
                "Principal": {"AWS": LABELBOX_ROLE},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "ckx5y2abcd0001zz"}},
            }
        ],
    }


def test_trust_for_a_vendor_given_only_by_principal():
    vendor = resolve_vendor(principal="arn:aws:iam::123456789012:role/VendorReader")
    doc = documents.render_trust("vendor-issued-id-0001", vendor).document
    assert doc["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/VendorReader"}


def test_cors_for_labelbox_allows_its_two_origins_to_get_and_head():
    doc = documents.render_cors(get_vendor("labelbox")).document
    (rule,) = doc["CORSRules"]
    assert rule["AllowedOrigins"] == ["https://app.labelbox.com", "https://editor.labelbox.com"]
    assert rule["AllowedMethods"] == ["GET", "HEAD"]
    assert rule["AllowedHeaders"] == ["*"]
    assert rule["MaxAgeSeconds"] > 0
    assert rule["ID"] == "provisioner-labelbox"


def test_cors_for_a_vendor_given_only_by_origins_deduplicates_them():
    vendor = resolve_vendor(
        origins=["https://a.example.com", "https://a.example.com", "https://b.example.com"]
    )
    (rule,) = documents.render_cors(vendor).document["CORSRules"]
    assert rule["AllowedOrigins"] == ["https://a.example.com", "https://b.example.com"]
    assert rule["ID"] == "provisioner-custom"


def test_vendor_and_principal_together_are_refused():
    with pytest.raises(InputError, match="not both"):
        resolve_vendor("labelbox", principal="arn:aws:iam::123456789012:role/x")


# --- the schemas guard the templates -------------------------------------------------------


def test_every_schema_is_a_valid_draft_2020_12_schema():
    from jsonschema import Draft202012Validator

    from provisioner.data import list_json, load_json

    for relative in list_json("schemas"):
        Draft202012Validator.check_schema(load_json(relative))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["Statement"][0].__setitem__("Action", "s3:PutObject"),
        lambda d: d["Statement"][0].__setitem__("Action", "s3:*"),
        lambda d: d["Statement"][0].__setitem__("Resource", "*"),
        lambda d: d["Statement"][0].__setitem__("Effect", "Deny"),
        lambda d: d["Statement"][0].__setitem__("Principal", "*"),
        lambda d: d["Statement"][0].__setitem__("NotAction", "s3:DeleteObject"),
    ],
)
def test_permissions_schema_rejects_any_widening(mutate):
    doc = copy.deepcopy(documents.render_permissions("my-bucket").document)
    mutate(doc)
    assert documents.schema_errors(doc, "permissions")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.__setitem__("Principal", "*"),
        lambda s: s.__setitem__("Principal", {"AWS": "*"}),
        lambda s: s.pop("Condition"),
        lambda s: s["Condition"].__setitem__("StringLike", s["Condition"].pop("StringEquals")),
        lambda s: s["Condition"].__setitem__("Bool", {"aws:MultiFactorAuthPresent": "true"}),
        lambda s: s["Condition"].__setitem__("StringEqualsIfExists", s["Condition"].pop("StringEquals")),
        lambda s: s.__setitem__("Action", "sts:*"),
    ],
)
def test_trust_schema_rejects_anything_but_a_pinned_external_id(mutate):
    doc = copy.deepcopy(documents.render_trust("ckx5y2abcd0001zz", get_vendor("labelbox")).document)
    mutate(doc["Statement"][0])
    assert documents.schema_errors(doc, "trust")


def test_cors_schema_rejects_write_methods_and_wildcard_origin():
    doc = documents.render_cors(get_vendor("labelbox")).document
    bad = copy.deepcopy(doc)
    bad["CORSRules"][0]["AllowedMethods"].append("PUT")
    assert documents.schema_errors(bad, "cors")
    bad = copy.deepcopy(doc)
    bad["CORSRules"][0]["AllowedOrigins"] = ["*"]
    assert documents.schema_errors(bad, "cors")


# --- template mechanics ----------------------------------------------------------------------


def test_template_placeholders_are_structural():
    filled = documents._fill(
        {
            "$comment": "x",
            "list": "${items}",
            "text": "a/${name}/b",
            "keep": [{"$when": "flag", "v": 1}, {"$unless": "flag", "v": 2}, "plain"],
        },
        {"items": ["x", "y"], "name": "n", "flag": True},
    )
    assert filled == {"list": ["x", "y"], "text": "a/n/b", "keep": [{"v": 1}, "plain"]}


def test_a_placeholder_without_a_value_is_a_template_bug():
    with pytest.raises(DataError, match="has no value"):
        documents._fill({"a": "${missing}"}, {})


def test_rendered_documents_are_written_in_characters_iam_accepts():
    text = documents.render_permissions("my-bucket", prefix="写真/").to_json()
    assert text.isascii() and "\\u5199\\u771f/*" in text


# --- what we render is what lint calls clean -------------------------------------------------

PERMISSION_CASES = [
    {"bucket": "my-bucket"},
    {"bucket": "my-bucket", "prefix": "images/"},
    {"bucket": "my-bucket", "prefix": "a" * 1024},
    {"bucket": "my-bucket", "kms_key_arn": KEY},
    {"bucket": "my-bucket", "prefix": "x/", "kms_key_arn": KEY, "region": "us-west-2"},
]


@pytest.mark.parametrize("options", PERMISSION_CASES)
def test_rendered_permissions_lint_clean(options):
    rendered = documents.render_permissions(**options)
    kind, findings = lint_document(rendered.document)
    assert kind == "permissions"
    assert findings == []


@pytest.mark.parametrize(
    ("vendor", "external_id"),
    list(itertools.product(sorted(known_vendors()), ["ckx5y2abcd0001zz", "z" * 1224])),
)
def test_rendered_trust_lints_clean_even_with_the_longest_external_id(vendor, external_id):
    rendered = documents.render_trust(external_id, get_vendor(vendor))
    kind, findings = lint_document(rendered.document)
    assert kind == "trust"
    assert findings == []
