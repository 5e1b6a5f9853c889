"""Partitions and regions: known from policies/iam/partitions.json."""

from __future__ import annotations

import re

from provisioner.data import load_json
from provisioner.errors import InputError


def partitions() -> dict[str, dict[str, str]]:
    """Known AWS partitions: name -> {dns_suffix, region_regex}."""
    known: dict[str, dict[str, str]] = load_json("iam/partitions.json")["partitions"]
    return known


def check_partition(option: str, value: str, partition: str) -> str:
    if partition not in partitions():
        known = ", ".join(partitions())
        raise InputError(option, value, f"unknown partition {partition!r} (known: {known})")
    return partition


def partition_of_region(region: str) -> str | None:
    """The partition whose region pattern matches, or None."""
    for name, info in partitions().items():
        if re.match(info["region_regex"], region):
            return name
    return None


def region_of_location(location: str | None) -> str:
    """GetBucketLocation's answer as a region: null (or empty) is us-east-1, 'EU' is eu-west-1."""
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else location


def check_region(region: str, option: str = "region") -> str:
    if partition_of_region(region) is None:
        raise InputError(option, region, "not an AWS region name (like us-east-1, eu-west-3, cn-north-1)")
    return region
