"""Browser origins for S3 CORS rules."""

from __future__ import annotations

import re

from provisioner.errors import InputError

_ORIGIN = re.compile(r"(https?)://(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*)(:\d{1,5})?")


def check_origin(value: str, option: str = "origin") -> str:
    """A browser origin as the Origin header carries it: scheme://host[:port], nothing more."""
    if value.strip() == "*":
        raise InputError(
            option,
            value,
            "'*' lets every web site read the bucket's objects through signed URLs; "
            "name the vendor's origins",
        )
    if value.endswith("/") and _ORIGIN.fullmatch(value.rstrip("/")):
        raise InputError(
            option,
            value,
            f"browsers send origins without a trailing '/'; use {value.rstrip('/')!r}",
        )
    lowered = value.lower()
    if lowered != value and _ORIGIN.fullmatch(lowered):
        raise InputError(option, value, f"browsers send origins in lowercase; use {lowered!r}")
    if not _ORIGIN.fullmatch(value):
        raise InputError(
            option,
            value,
            "an origin is http:// or https:// then host[:port], with no path, such as https://app.example.com",
        )
    return value


def origin_warnings(origin: str) -> list[str]:
    warnings = []
    if origin.startswith("http://"):
        warnings.append(f"origin {origin!r} is plain http: pages served over it can be tampered with")
    if "://*." in origin:
        warnings.append(f"origin {origin!r} allows every subdomain")
    return warnings
