"""The one ARN type of the package.

`Arn.parse` is lenient (any `arn:` text with six parts, wildcards allowed, as policies hold
them) and cached, because audit parses the same principals thousands of times;
`provisioner.inputs.parse_arn` is the strict twin for what a user types (it names the option).
botocore's `ArnParser` does the same split, but importing botocore would make the offline
commands (policy, lint, export) load it; this is the same ten lines without that cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class Arn:
    """arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @staticmethod
    def parse(text: str) -> Arn | None:
        """The parts of an ARN, or None when the text is not one."""
        return _parse(text) if isinstance(text, str) else None

    @property
    def resource_type(self) -> str:
        """'role' for role/PATH/NAME, 'assumed-role' for a session, 'root' for an account."""
        return self.resource.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The last path segment of the resource: a role's name without its path."""
        return self.resource.rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        """A role's or user's path: "/" for role/NAME, "/team/" for role/team/NAME."""
        middle = self.resource.split("/")[1:-1]
        return "/" + "".join(f"{part}/" for part in middle)

    @property
    def is_role(self) -> bool:
        return self.service == "iam" and self.resource.startswith("role/")

    @property
    def is_session(self) -> bool:
        return self.service == "sts" and self.resource.startswith("assumed-role/")

    @property
    def is_root(self) -> bool:
        return self.service == "iam" and self.resource == "root"

    @property
    def session_role(self) -> str:
        """The role name of an assumed-role session ARN ('' for anything else)."""
        parts = self.resource.split("/")
        return parts[1] if self.is_session and len(parts) > 1 else ""


@lru_cache(maxsize=65536)
def _parse(text: str) -> Arn | None:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def account_of(value: str) -> str | None:
    """The account a principal value names: a bare 12-digit ID, or an ARN's account field."""
    if _ACCOUNT.fullmatch(value):
        return value
    arn = Arn.parse(value)
    return arn.account if arn else None


def root_arn(account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:root"


def role_arn(account: str, name: str, path: str = "/", partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role{path}{name}"


def policy_arn(account: str, name: str, path: str = "/", partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:policy{path}{name}"


def session_arn(account: str, role: str, session: str = "provisioner", partition: str = "aws") -> str:
    """The ARN a role session calls AWS as."""
    return f"arn:{partition}:sts::{account}:assumed-role/{role}/{session}"


def bucket_arn(bucket: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{bucket}"
