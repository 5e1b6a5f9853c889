"""S3 bucket names and key prefixes as S3 and IAM policies accept them."""

from __future__ import annotations

import re

from provisioner.errors import InputError

_BUCKET_CHARS = re.compile(r"[a-z0-9.-]+")
_IP_LIKE = re.compile(r"\d+\.\d+\.\d+\.\d+")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket(bucket: str, option: str = "bucket") -> str:
    """S3 general purpose bucket naming rules (S3 User Guide, 'Bucket naming rules')."""
    if not 3 <= len(bucket) <= 63:
        raise InputError(option, bucket, f"bucket names are 3 to 63 characters (got {len(bucket)})")
    if not _BUCKET_CHARS.fullmatch(bucket):
        bad = list(dict.fromkeys(c for c in bucket if not _BUCKET_CHARS.fullmatch(c)))
        hint = " (use lowercase)" if bucket.lower() != bucket else ""
        shown = ", ".join(repr(c) for c in bad)
        raise InputError(
            option,
            bucket,
            f"bucket names use only lowercase letters, digits, dots and hyphens; {shown} "
            f"{'is' if len(bad) == 1 else 'are'} not allowed{hint}",
        )
    if not (bucket[0].isalnum() and bucket[-1].isalnum()):
        raise InputError(option, bucket, "bucket names start and end with a letter or digit")
    if ".." in bucket:
        raise InputError(option, bucket, "bucket names have no two adjacent dots")
    if _IP_LIKE.fullmatch(bucket):
        raise InputError(option, bucket, "bucket names are not formatted as an IP address")
    for prefix in _RESERVED_PREFIXES:
        if bucket.startswith(prefix):
            raise InputError(option, bucket, f"the prefix {prefix!r} is reserved by S3")
    for suffix in _RESERVED_SUFFIXES:
        if bucket.endswith(suffix):
            raise InputError(option, bucket, f"the suffix {suffix!r} is reserved by S3")
    return bucket


def bucket_warnings(bucket: str) -> list[str]:
    if "." in bucket:
        return [
            f"bucket {bucket!r} has dots: virtual-hosted HTTPS URLs "
            f"(https://{bucket}.s3.REGION.amazonaws.com/...), which Labelbox requires, fail the "
            "TLS certificate check for such names; prefer a bucket name without dots"
        ]
    return []


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_prefix(prefix: str | None, option: str = "prefix") -> str | None:
    """A key prefix to limit the grant to; None or empty means the whole bucket."""
    if prefix is None or prefix == "":
        return None
    if prefix.startswith("/"):
        raise InputError(
            option,
            prefix,
            f"a folder starting with '/' is almost always a mistake (S3 keys have no leading '/' "
            f"unless written with one, and the console never makes one); write {prefix.lstrip('/')!r}",
        )
    for char in "*?":
        if char in prefix:
            raise InputError(
                option,
                prefix,
                f"{char!r} is a wildcard in IAM resources and would widen the grant; "
                "give the literal folder, such as 'images/'",
            )
    if _CONTROL.search(prefix):
        raise InputError(option, prefix, "control characters are not allowed in a prefix")
    if len(prefix.encode("utf-8")) > 1024:
        raise InputError(option, prefix, "S3 keys are at most 1,024 bytes")
    return prefix


def prefix_warnings(prefix: str | None) -> list[str]:
    if prefix and not prefix.endswith("/"):
        return [
            f"prefix {prefix!r} has no trailing '/': it also matches keys such as "
            f"'{prefix}-old/...'; use {prefix + '/'!r} to limit the grant to that folder"
        ]
    return []


def escape_policy_text(text: str) -> str:
    """Write '$' as IAM's ${$} so a key prefix is never read as a policy variable."""
    return text.replace("$", "${$}")
