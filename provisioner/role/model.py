"""The role journeys' types: specs (what is asked), snapshots (what is there), plans, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from provisioner.data import load_json
from provisioner.errors import EXIT_AWS, ProvisionerError
from provisioner.vendors import Vendor

MANAGED_BY_KEY = "managed-by"
MANAGED_BY_VALUE = "provisioner"
VENDOR_TAG = "provisioner:vendor"
BUCKET_TAG = "provisioner:bucket"
MAX_POLICY_VERSIONS = 5

Json = dict[str, Any]


@cache
def api_calls() -> dict[str, dict[str, str]]:
    """boto3 method -> {service, permission} for every mutating call (policies/iam/api-calls.json)."""
    calls: dict[str, dict[str, str]] = load_json("iam/api-calls.json")["calls"]
    return calls


@dataclass(frozen=True)
class Change:
    """One mutating call: what it does in words and the call. Its service and the IAM
    permission it needs follow from the method (looked up in policies/iam/api-calls.json)."""

    action: str  # create | update | attach | detach | tag | cors | delete
    target: str  # "role LabelboxS3Access"
    method: str  # the boto3 method: "create_role"
    params: Json = field(default_factory=dict, compare=False)
    detail: str = ""  # what differs
    destructive: str = ""  # why it may break what works now (a removed external ID, say); "" if not
    cors_intent: Json | None = field(default=None, compare=False)  # {"add": rule} or {"remove": id}

    def __post_init__(self) -> None:
        if self.method not in api_calls():
            raise ValueError(f"{self.method!r} is not in policies/iam/api-calls.json")

    @property
    def service(self) -> str:
        return api_calls()[self.method]["service"]

    @property
    def permission(self) -> str:
        return api_calls()[self.method]["permission"]

    def line(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        warning = f"  [DESTRUCTIVE: {self.destructive}]" if self.destructive else ""
        return f"{self.action:<7} {self.target}{detail}{warning}"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "permission": self.permission,
            "destructive": self.destructive or None,
        }


# --- specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleSpec:
    """What create-role and export are asked for: the user's inputs, not yet checked.
    `role.wanted_role` checks them and renders the documents."""

    vendor: Vendor
    bucket: str
    external_id: str
    role_name: str | None = None
    policy_name: str | None = None
    path: str | None = None
    prefix: str | None = None
    kms_key_arn: str | None = None
    region: str | None = None
    with_cors: bool | None = None
    tags: tuple[str, ...] = ()
    max_session_duration: int = 3600
    adopt: bool = False
    permissions_boundary: str | None = None  # a managed policy ARN, set on the role


@dataclass(frozen=True)
class RotateSpec:
    role_name: str
    external_id: str
    keep_old: bool = False
    force: bool = False


@dataclass(frozen=True)
class DeleteSpec:
    role_name: str
    force: bool = False


@dataclass(frozen=True)
class WantedRole:
    """The state create-role brings the account to: checked names, rendered documents."""

    vendor: Vendor
    bucket: str
    external_ids: tuple[str, ...]
    role_name: str
    policy_name: str
    path: str
    path_given: bool
    permissions: Json
    trust: Json
    tags: dict[str, str]
    max_session_duration: int
    description: str
    cors_rule: Json | None
    adopt: bool = False
    permissions_boundary: str | None = None


# --- snapshots (what gather read) ---------------------------------------------------------


@dataclass
class RoleSnapshot:
    """The account as create-role found it. None means 'not there'."""

    account: str
    partition: str
    role: Json | None = None
    attached: list[dict[str, str]] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    policy: Json | None = None
    policy_document: Json | None = None
    policy_versions: list[Json] | None = None
    cors_rules: list[Json] | None = None

    @property
    def role_tags(self) -> dict[str, str]:
        return tag_dict((self.role or {}).get("Tags"))

    @property
    def policy_tags(self) -> dict[str, str]:
        return tag_dict((self.policy or {}).get("Tags"))


@dataclass
class DeleteSnapshot:
    """Everything delete-role plans from, read before any decision."""

    role: Json
    attached: list[dict[str, str]] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    profiles: list[Json] = field(default_factory=list)
    policies: dict[str, Json] = field(default_factory=dict)  # customer-managed ARN -> GetPolicy
    versions: dict[str, list[Json]] = field(default_factory=dict)  # our policies' versions
    cors_rules: list[Json] | None = None  # None: not read (no bucket tag) or the bucket is gone
    bucket_gone: bool = False
    left_behind: list[str] = field(default_factory=list)  # our policies an interrupted run detached


# --- plans and results --------------------------------------------------------------------


@dataclass
class Plan:
    changes: list[Change]
    role_name: str
    role_arn: str
    policy_arn: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def destructive(self) -> list[Change]:
        """The changes that may break a working integration: they need the admin's yes."""
        return [c for c in self.changes if c.destructive]


@dataclass
class RoleResult:
    """What a role command did: its plan, the changes applied, and whether it was a dry run."""

    plan: Plan
    applied: list[Change]
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "role_arn": self.plan.role_arn,
            "role_name": self.plan.role_name,
            **self._fields(),
            "dry_run": self.dry_run,
            "changes": [c.to_dict() for c in self.plan.changes],
        }

    def _fields(self) -> dict[str, Any]:
        return {}

    def form_fields(self) -> list[tuple[str, str]]:
        """What the table shows: (field, value) rows."""
        return [("AWS Role ARN", self.plan.role_arn)]


@dataclass
class CreateResult(RoleResult):
    wanted: WantedRole | None = None

    def _fields(self) -> dict[str, Any]:
        wanted = self.wanted
        assert wanted is not None
        return {
            "policy_arn": self.plan.policy_arn,
            "bucket": wanted.bucket,
            "external_id": wanted.external_ids[0],
            "vendor": wanted.vendor.name,
        }

    def form_fields(self) -> list[tuple[str, str]]:
        """The fields of the vendor's integration form, in its order."""
        wanted = self.wanted
        assert wanted is not None
        return [
            ("Integration name", f"{wanted.vendor.display_name} {wanted.bucket} (a suggestion)"),
            ("AWS bucket name", wanted.bucket),
            ("AWS Role ARN", self.plan.role_arn),
            ("External ID", ", ".join(wanted.external_ids)),
        ]


@dataclass
class RotateResult(RoleResult):
    external_ids: list[str] = field(default_factory=list)

    def _fields(self) -> dict[str, Any]:
        return {"external_ids": self.external_ids}

    def form_fields(self) -> list[tuple[str, str]]:
        return [("AWS Role ARN", self.plan.role_arn), ("External ID", ", ".join(self.external_ids))]


@dataclass
class DeleteResult(RoleResult):
    def _fields(self) -> dict[str, Any]:
        return {"deleted": bool(self.applied)}

    def form_fields(self) -> list[tuple[str, str]]:
        return [("AWS Role ARN", self.plan.role_arn), ("State", "deleted" if self.applied else "kept")]


class ApplyError(ProvisionerError):
    """A step failed half-way: which one, the permission it needed, and what was already done."""

    exit_code = EXIT_AWS

    def __init__(self, step: int, total: int, change: Change, cause: str, done: list[Change]):
        self.change = change
        self.done = done
        already = "; ".join(f"{c.action} {c.target}" for c in done) or "nothing"
        super().__init__(
            f"step {step} of {total} failed ({change.action} {change.target}, needs "
            f"{change.permission}): {cause}. Already done: {already}. Nothing else was changed; "
            "run the same command again once the cause is fixed"
        )


def tag_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]
