"""The CORS merge and match, pure: what create-role writes and what validate reads."""

from __future__ import annotations

from provisioner.cors import cors_rule_for, merge_rule, remove_rule

OURS = {
    "ID": "provisioner-labelbox",
    "AllowedOrigins": ["https://app.labelbox.com", "https://editor.labelbox.com"],
    "AllowedMethods": ["GET", "HEAD"],
    "AllowedHeaders": ["*"],
    "MaxAgeSeconds": 3600,
}
CUSTOMER = [
    {"ID": "intranet", "AllowedOrigins": ["https://intranet.example.com"], "AllowedMethods": ["GET"]},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["PUT"]},
]


def test_ours_goes_first_and_the_customers_rules_keep_content_and_order():
    merged = merge_rule(CUSTOMER, OURS)
    assert merged == [OURS, *CUSTOMER]


def test_an_equal_rule_whatever_its_id_or_list_order_means_nothing_to_write():
    by_hand = {**OURS, "ID": "added-by-hand", "AllowedOrigins": list(reversed(OURS["AllowedOrigins"]))}
    assert merge_rule([*CUSTOMER, by_hand], OURS) is None
    assert merge_rule([OURS], OURS) is None


def test_our_outdated_rule_is_replaced_in_place():
    old = {**OURS, "AllowedOrigins": ["https://app.labelbox.com"]}
    assert merge_rule([CUSTOMER[0], old, CUSTOMER[1]], OURS) == [CUSTOMER[0], OURS, CUSTOMER[1]]


def test_remove_takes_only_ours_and_says_when_it_was_not_there():
    assert remove_rule([OURS, *CUSTOMER], OURS["ID"]) == CUSTOMER
    assert remove_rule(CUSTOMER, OURS["ID"]) is None


def test_s3_applies_the_first_rule_matching_origin_and_method():
    put_only = {"ID": "upload", "AllowedOrigins": ["https://app.labelbox.com"], "AllowedMethods": ["PUT"]}
    wildcard = {"ID": "sub", "AllowedOrigins": ["https://*.labelbox.com"], "AllowedMethods": ["GET"]}
    assert cors_rule_for([put_only, wildcard], "https://app.labelbox.com", "GET") == wildcard
    assert cors_rule_for([put_only], "https://app.labelbox.com", "GET") is None
    assert cors_rule_for([wildcard], "https://labelbox.com", "GET") is None
