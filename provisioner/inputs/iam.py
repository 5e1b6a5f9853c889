"""IAM's side: external IDs, ARNs (principals, KMS keys, managed policies, roles), names,
paths, tags and durations."""

from __future__ import annotations

import itertools
import math
import re

from provisioner.errors import InputError
from provisioner.inputs.regions import check_partition, check_region, partition_of_region
from provisioner.model.arn import Arn, account_of
from provisioner.model.external_id import EXTERNAL_ID

_ACCOUNT = re.compile(r"\d{12}")
IAM_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_IAM_PATH_SEGMENT = re.compile(r"[\x21-\x2e\x30-\x7e]+")


def check_external_id(value: str, option: str = "external_id") -> str:
    """STS AssumeRole ExternalId: 2 to 1,224 characters of [\\w+=,.@:/-]."""
    if not 2 <= len(value) <= 1224:
        raise InputError(option, value, f"an external ID is 2 to 1,224 characters (got {len(value)})")
    if not EXTERNAL_ID.fullmatch(value):
        bad = next(c for c in value if not EXTERNAL_ID.fullmatch(c))
        raise InputError(
            option,
            value,
            f"{bad!r} is not allowed; an external ID uses letters, digits and _+=,.@:/- only",
        )
    return value


def external_id_warnings(value: str, *, known_names: tuple[str, ...] = ()) -> list[str]:
    """Weak external IDs: short, one repeated character, a plain word, or a name we know."""
    reasons = []
    if len(value) < 16:
        reasons.append(f"shorter than 16 characters ({len(value)})")
    if len(set(value)) == 1:
        reasons.append("one repeated character")
    elif value.isalpha():
        reasons.append("a plain word")
    elif value.isdigit() and _is_run(value):
        reasons.append("a run of consecutive digits")
    lowered = value.lower()
    for name in known_names:
        if name and name.lower() in lowered:
            reasons.append(f"contains {name!r}")
            break
    if not reasons:
        return []
    return [
        f"external ID {value!r} looks guessable ({'; '.join(reasons)}): use the unique ID the "
        "vendor issued for this integration"
    ]


def _is_run(digits: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return len(steps) == 1 and steps <= {1, 9}


def parse_arn(value: str, option: str) -> Arn:
    """The strict parse of an ARN the user typed: its partition must be one we know."""
    arn = Arn.parse(value)
    if arn is None:
        raise InputError(option, value, "not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)")
    check_partition(option, value, arn.partition)
    return arn


def check_principal(value: str, option: str = "principal") -> str:
    """A vendor principal for a trust policy: an IAM role or user ARN, or an account.

    A bare 12-digit account ID is accepted and written as the account's root ARN, which is
    what IAM stores for it. Wildcards and '*' are refused: the trust must name the vendor.
    """
    if value.strip() == "*" or "*" in value or "?" in value:
        raise InputError(
            option,
            value,
            "a trust policy must name the vendor's principal; wildcards would let other "
            "AWS accounts assume the role",
        )
    if _ACCOUNT.fullmatch(value):
        return f"arn:aws:iam::{value}:root"
    arn = parse_arn(value, option)
    if arn.service == "sts":
        raise InputError(
            option, value, "name the role (arn:aws:iam::ACCOUNT:role/NAME), not one of its sessions"
        )
    if arn.service != "iam" or arn.region:
        raise InputError(option, value, "not an IAM principal ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    if not _ACCOUNT.fullmatch(arn.account):
        raise InputError(option, value, f"account {arn.account!r} is not 12 digits")
    if arn.resource == "root":
        return value
    kind, _, rest = arn.resource.partition("/")
    if kind not in ("role", "user") or not rest:
        raise InputError(option, value, "the principal is an account root, a role or a user (…:role/NAME)")
    *path, name = rest.split("/")
    if not IAM_NAME.fullmatch(name) or not all(_IAM_PATH_SEGMENT.fullmatch(p) for p in path):
        raise InputError(option, value, f"{kind} names are 1 to 64 characters of letters, digits and +=,.@_-")
    return value


def principal_warnings(principal: str) -> list[str]:
    if principal.endswith(":root"):
        account = account_of(principal)
        return [
            f"the trust names the whole account {account}: any role or user there that is "
            "allowed sts:AssumeRole can assume it with the external ID; prefer the vendor's "
            "role ARN when the vendor publishes one"
        ]
    return []


_KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}")


def check_kms_key_arn(value: str, option: str = "kms_key_arn") -> Arn:
    """A KMS key ARN (not an alias: IAM policies control a key only through its key ARN)."""
    if not value.startswith("arn:"):
        raise InputError(
            option,
            value,
            "give the full key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); "
            "'aws kms describe-key --key-id ...' prints it",
        )
    arn = parse_arn(value, option)
    if arn.service != "kms":
        raise InputError(option, value, "not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")
    if arn.resource.startswith("alias/"):
        raise InputError(
            option,
            value,
            "an alias ARN does not grant access to the key; give the key ARN that "
            f"'aws kms describe-key --key-id {arn.resource}' prints",
        )
    kind, _, key_id = arn.resource.partition("/")
    if kind != "key" or not _KEY_ID.fullmatch(key_id):
        raise InputError(option, value, "the resource part is key/KEY-ID (a UUID or mrk-…)")
    if not _ACCOUNT.fullmatch(arn.account):
        raise InputError(option, value, f"account {arn.account!r} is not 12 digits")
    check_region(arn.region, option)
    if partition_of_region(arn.region) != arn.partition:
        raise InputError(option, value, f"region {arn.region} is not in partition {arn.partition}")
    return arn


_POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
_PATH = re.compile(r"/([\x21-\x7e]+/)?")
_TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*")
RESERVED_TAG_KEYS = ("managed-by",)
RESERVED_TAG_PREFIXES = ("provisioner:", "aws:")


def check_role_name(value: str, option: str = "role_name") -> str:
    if not IAM_NAME.fullmatch(value):
        raise InputError(option, value, "role names are 1 to 64 characters of letters, digits and +=,.@_-")
    return value


def check_policy_name(value: str, option: str = "policy_name") -> str:
    if not _POLICY_NAME.fullmatch(value):
        raise InputError(option, value, "policy names are 1 to 128 characters of letters, digits and +=,.@_-")
    return value


def check_path(value: str, option: str = "path") -> str:
    if len(value) > 512 or not _PATH.fullmatch(value) or "//" in value:
        raise InputError(
            option,
            value,
            "an IAM path starts and ends with '/' (like /vendors/), at most 512 characters",
        )
    return value


def check_max_session_duration(value: int, option: str = "max_session_duration") -> int:
    if not 3600 <= value <= 43200:
        raise InputError(option, value, "IAM accepts 3600 to 43200 seconds (1 to 12 hours)")
    return value


def check_wait(seconds: float, option: str = "wait") -> float:
    """How long validate waits for IAM to propagate: 0 or more seconds, a finite number."""
    if not math.isfinite(seconds) or seconds < 0:
        raise InputError(option, seconds, "a number of seconds, 0 or more")
    return seconds


def parse_tags(values: list[str] | None, option: str = "tag") -> dict[str, str]:
    """KEY=VALUE strings as a dict; our own keys and aws: keys are refused."""
    tags: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(option, item, "write tags as KEY=VALUE")
        if not (len(key) <= 128 and _TAG_TEXT.fullmatch(key)):
            raise InputError(option, item, "a tag key is 1 to 128 letters, digits, spaces and _.:/=+-@")
        if len(value) > 256 or not _TAG_TEXT.fullmatch(value):
            raise InputError(option, item, "a tag value is up to 256 letters, digits, spaces and _.:/=+-@")
        if key in RESERVED_TAG_KEYS or key.lower().startswith(RESERVED_TAG_PREFIXES):
            raise InputError(option, item, f"the tag key {key!r} is reserved (provisioner or AWS sets it)")
        if key in tags:
            raise InputError(option, item, f"the tag key {key!r} is given twice")
        tags[key] = value
    return tags


def check_policy_arn(value: str, option: str = "permissions_boundary") -> str:
    """A managed policy ARN (arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME, or ::aws: for AWS's)."""
    arn = parse_arn(value, option)
    kind, _, rest = arn.resource.partition("/")
    if (
        arn.service != "iam"
        or kind != "policy"
        or not rest
        or not (arn.account == "aws" or _ACCOUNT.fullmatch(arn.account))
    ):
        raise InputError(option, value, "not a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)")
    check_policy_name(arn.name, option)
    return value


def check_role_arn(value: str, option: str = "role_arn") -> str:
    """An IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME)."""
    arn = parse_arn(value, option)
    kind, _, rest = arn.resource.partition("/")
    if arn.service != "iam" or kind != "role" or not rest or not _ACCOUNT.fullmatch(arn.account):
        raise InputError(option, value, "not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    check_role_name(arn.name, option)
    return value
