"""Reads only: the buckets of each audited account, with their policies and CORS rules
(s3:ListAllMyBuckets, s3:GetBucketPolicy, s3:GetBucketCORS), and its KMS keys with their key
policies (kms:ListKeys, kms:GetKeyPolicy), in a bounded pool; and, offline, bucket policies from
files (--bucket-policy BUCKET=FILE)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from provisioner.audit.gather import _threads
from provisioner.aws import Aws, AwsError, read_or_none, translate
from provisioner.documents import schema_errors
from provisioner.errors import InputError
from provisioner.iam import parse_document
from provisioner.inputs import read_json
from provisioner.inputs.s3 import check_bucket
from provisioner.inventory.model import Bucket, Key

WORKERS = 4


def policy_files(values: Sequence[str], account: str) -> list[Bucket]:
    """--bucket-policy BUCKET=FILE: the JSON of a bucket policy (or `aws s3api get-bucket-policy`'s
    output, {"Policy": "<text>"}) for a bucket of the audited account."""
    found: list[Bucket] = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not path:
            raise InputError("bucket_policy", value, "BUCKET=FILE, a bucket name and the file of its policy")
        try:
            check_bucket(name, "bucket_policy")
        except InputError as bad:  # says which rule the name breaks
            raise InputError("bucket_policy", value, f"{name!r} is not a bucket name: {bad.rule}") from None
        if any(b.name == name for b in found):
            raise InputError(
                "bucket_policy", value, f"bucket {name} given more than once: one policy a bucket"
            )
        raw = read_json(path, "bucket_policy")
        if isinstance(raw, dict) and isinstance(raw.get("Policy"), str):
            raw = parse_document(raw["Policy"])
        if not isinstance(raw, dict) or "Statement" not in raw:
            raise InputError("bucket_policy", value, "not a bucket policy: no Statement")
        # S3 refuses a policy out of the IAM grammar (MalformedPolicy), so no bucket holds one
        # (no Action read as every action, a Principal list dropped: trial 22v items 5, 6)
        broken = ["it has no statement"] if raw["Statement"] == [] else schema_errors(raw, "iam-policy")
        if broken:
            raise InputError("bucket_policy", value, f"not a valid bucket policy: {broken[0]}")
        wrong = _not_of(raw, name)
        if wrong:
            raise InputError("bucket_policy", value, wrong)
        found.append(Bucket(name, account, raw))
    return found


def _not_of(document: Any, bucket: str) -> str:
    """Why the document is not a policy of `bucket` ("" when it may be): no statement names a
    resource of it (a trust policy names none; another bucket's policy names that bucket), so
    its grants would be reported against the wrong bucket, or not at all."""
    from fnmatch import fnmatchcase

    from provisioner.iam import statements, strings

    named: list[str] = []
    for statement in statements(document):
        if "NotResource" in statement.body and statement.effect == "Allow":
            return ""  # a grant on every resource but some: it may well cover this bucket
        named += strings(statement.body.get("Resource")) + strings(statement.body.get("NotResource"))
    for resource in named:
        head, sep, rest = resource.partition(":::")
        if resource == "*" or (
            sep and fnmatchcase("arn:aws:s3", head) and fnmatchcase(bucket, rest.split("/")[0])
        ):
            return ""
    if not named:
        return f"not a bucket policy of {bucket}: no statement has a Resource (a trust policy?)"
    shown = ", ".join(sorted(dict.fromkeys(named))[:3])
    return f"not a bucket policy of {bucket}: its statements name {shown}, no resource of the bucket"


def account_buckets(aws: Aws, account: str) -> list[Bucket]:
    """The account's buckets, each with its policy and CORS rules (read in a small pool)."""
    s3 = aws.client("s3")
    with translate("s3:ListAllMyBuckets", f"listing the buckets of account {account}"):
        names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    if not names:
        return []
    with _threads(min(WORKERS, len(names))) as pool:
        return list(pool.map(lambda name: _bucket(s3, name, account), names))


def _bucket(s3: Any, name: str, account: str) -> Bucket:
    bucket = Bucket(name, account)
    try:
        text = read_or_none(
            "s3:GetBucketPolicy",
            f"reading the policy of bucket {name}",
            lambda: s3.get_bucket_policy(Bucket=name)["Policy"],
            ("NoSuchBucketPolicy",),
        )
        bucket.policy = parse_document(text) if text else None
        rules = read_or_none(
            "s3:GetBucketCORS",
            f"reading the CORS rules of bucket {name}",
            lambda: s3.get_bucket_cors(Bucket=name)["CORSRules"],
            ("NoSuchCORSConfiguration",),
        )
        bucket.cors = list(rules or [])
    except AwsError as exc:
        bucket.unread = str(exc)
    return bucket


def gather_buckets(
    make_aws: Callable[[str | None], Aws], accounts: list[str], caller_account: str
) -> tuple[dict[str, list[Bucket]], list[str]]:
    """Each account's buckets (by account ID), and notes for what could not be read."""
    notes: list[str] = []

    def one(account: str) -> list[Bucket]:
        try:
            return account_buckets(make_aws(None if account == caller_account else account), account)
        except AwsError as exc:
            notes.append(
                f"account {account}: buckets not read ({exc}): scope is from the role's policies alone"
            )
            return []

    with _threads(min(WORKERS, max(1, len(accounts)))) as pool:
        read = dict(zip(accounts, pool.map(one, accounts), strict=True))
    for buckets in read.values():
        notes += [f"bucket {b.name}: {b.unread}" for b in buckets if b.unread]
    return read, notes


def account_keys(aws: Aws, account: str) -> list[Key]:
    """The account's KMS keys (in the run's region), each with its default key policy; a policy
    AWS refuses to show is "key policy not readable" on that key, never a reason to stop."""
    kms = aws.client("kms")
    with translate("kms:ListKeys", f"listing the KMS keys of account {account}"):
        listed = [k for page in kms.get_paginator("list_keys").paginate() for k in page.get("Keys", [])]
    keys: list[Key] = []
    for entry in listed:
        key = Key(entry["KeyArn"], account)
        try:
            with translate("kms:GetKeyPolicy", f"reading the key policy of {key.arn}"):
                text = kms.get_key_policy(KeyId=entry["KeyId"], PolicyName="default")["Policy"]
            key.policy = parse_document(text)
        except AwsError as exc:
            key.unread = f"key policy not readable (kms:GetKeyPolicy: {exc.code or exc})"
        keys.append(key)
    return keys


def gather_keys(
    make_aws: Callable[[str | None], Aws], accounts: list[str], caller_account: str
) -> tuple[dict[str, list[Key]], list[str]]:
    """Each account's KMS keys (by account ID), and notes for what could not be read (an account
    whose keys were not listed keeps the scope's "any KMS key of account …", from its policies)."""
    notes: list[str] = []

    def one(account: str) -> list[Key] | None:
        try:
            return account_keys(make_aws(None if account == caller_account else account), account)
        except AwsError as exc:
            notes.append(
                f"account {account}: KMS keys not listed ({exc}): key scope is from the role's policies"
            )
            return None

    with _threads(min(WORKERS, max(1, len(accounts)))) as pool:
        read = dict(zip(accounts, pool.map(one, accounts), strict=True))
    return {a: keys for a, keys in read.items() if keys is not None}, notes
