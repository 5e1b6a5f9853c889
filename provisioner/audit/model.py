"""audit's types: the spec, a typed mirror of the authorization-details file, findings, result.

`RoleDetail` and `AccountData` mirror what GetAccountAuthorizationDetails returns (and what
`aws iam get-account-authorization-details` prints), parsed once at the edge, the way
cloudsplaining's scan/ classes do: the rules never see raw AWS dicts.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from provisioner.iam import parse_document
from provisioner.model import Arn, Rule, load_rules
from provisioner.model.findings import Finding, FindingSet
from provisioner.organization import OrgPolicies

if TYPE_CHECKING:  # a run with no mute entries does not load provisioner.mute
    from provisioner.mute import Mute
    from provisioner.naming import Named

Json = dict[str, Any]
UNUSED_DAYS = 90  # role-unused: the default window (--unused-days)
MAX_UNUSED_DAYS = 36_500  # a century: beyond it a timedelta soon overflows


def rules() -> dict[str, Rule]:
    """Rule metadata of audit (policies/audit-rules.json)."""
    return load_rules("audit-rules.json")


@dataclass(frozen=True)
class AuditSpec:
    """What to audit: one file offline, the caller's account, listed accounts, or the organization."""

    from_file: str | None = None
    organization: bool = False
    accounts: tuple[str, ...] = ()
    member_role: str = "OrganizationAccountAccessRole"
    vendor: str | None = None
    all_roles: bool = False
    scp_files: tuple[str, ...] = ()  # describe-policy JSON, applied to every audited account
    rcp_files: tuple[str, ...] = ()
    mutes: tuple[Mute, ...] = ()  # accepted findings (provisioner.mute)
    baseline: str | None = None  # a previous `audit -o json`: report what is new and what was fixed
    unused_days: int = UNUSED_DAYS  # role-unused: not used (nor created) within this many days
    vendors: tuple[Named, ...] = ()  # the config file's [[vendor]] entries (provisioner.naming)
    known_accounts: str | None = None  # --known-accounts FILE: names, in known_aws_accounts' format


@dataclass(slots=True)
class RoleDetail:
    """One entry of RoleDetailList, read-only by convention (not frozen: a frozen dataclass's
    __init__ costs a third of reading a 10,000-role file; slots: made faster, and smaller, for
    each of them). The trust is parsed at once (every
    rule needs it); the inline policies and the last-used date only when a rule asks (most
    roles are service roles whose grants are never judged), once."""

    arn: str
    name: str
    trust: Any
    raw_inline: tuple[tuple[str, Any], ...] = ()  # (policy name, document as GAAD holds it)
    attached: tuple[tuple[str, str], ...] = ()  # (policy name, policy ARN)
    raw_last_used: Any = None
    permissions_boundary: str | None = None
    raw_created: Any = None  # CreateDate, as GAAD holds it
    raw_tags: Any = None  # Tags, as GAAD holds them: [{"Key", "Value"}]
    last_used_region: str | None = None  # RoleLastUsed.Region
    _inline: tuple[tuple[str, Any], ...] | None = field(default=None, repr=False, compare=False)

    @property
    def inline(self) -> tuple[tuple[str, Any], ...]:
        """The inline policies, parsed on first use (functools.cached_property takes a lock on
        every read in Python 3.11: too slow for 10,000 roles)."""
        if self._inline is None:
            self._inline = tuple((name, parse_document(document)) for name, document in self.raw_inline)
        return self._inline

    @property
    def last_used(self) -> datetime | None:
        return _date(self.raw_last_used)

    @property
    def created(self) -> datetime | None:
        return _date(self.raw_created)

    @property
    def tags(self) -> dict[str, str]:
        """The role's tags: its sessions' aws:PrincipalTag/<key> (IAM User Guide, "Pass session
        tags in AWS STS": IAM tags, the tags attached to the assumed role)."""
        raw = self.raw_tags if isinstance(self.raw_tags, list) else []
        return {
            str(t["Key"]): str(t.get("Value", ""))
            for t in raw
            if isinstance(t, dict) and isinstance(t.get("Key"), str)
        }

    @property
    def account(self) -> str:
        arn = Arn.parse(self.arn)
        return arn.account if arn else ""

    @classmethod
    def from_gaad(cls, raw: Json) -> RoleDetail:
        """From GAAD's shape: URL-encoded or parsed documents, dates as text or datetimes."""
        arn = raw["Arn"]
        name = raw.get("RoleName")
        if not name:
            parsed = Arn.parse(arn)
            name = parsed.name if parsed else arn
        inline = raw.get("RolePolicyList")
        attached = raw.get("AttachedManagedPolicies")
        used = raw.get("RoleLastUsed")
        boundary = raw.get("PermissionsBoundary")
        return cls(
            arn,
            name,
            parse_document(raw.get("AssumeRolePolicyDocument")),
            tuple([(str(p.get("PolicyName")), p.get("PolicyDocument")) for p in inline]) if inline else (),
            tuple([(str(p.get("PolicyName")), str(p.get("PolicyArn", ""))) for p in attached])
            if attached
            else (),
            used.get("LastUsedDate") if used else None,
            boundary.get("PermissionsBoundaryArn") if boundary else None,
            raw.get("CreateDate"),
            raw.get("Tags"),
            used.get("Region") if used else None,
        )


def _date(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class AccountData:
    """One account's roles and its customer-managed policies (ARN -> default version document)."""

    account: str
    roles: list[RoleDetail] = field(default_factory=list)
    policies: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    org: OrgPolicies | None = None  # the SCPs and RCPs that apply; None: not considered
    notes: list[str] = field(default_factory=list)  # what was not read


@dataclass(frozen=True, slots=True)
class ListedRole:
    """A role the report lists: one another account can assume (or every role with --all)."""

    account: str
    role_arn: str
    vendor: str
    external: bool
    reached_by: tuple[str, ...] = ()  # outside accounts that can assume it ("*": any)
    buckets: tuple[str, ...] = ()  # buckets its policies name ("*": any)


@dataclass
class AuditResult(FindingSet[Finding]):
    """audit's finding set (fail thresholds, mutes, baseline, JSON: model.findings), with the
    roles it read and listed and what the verdicts could not take into account."""

    key_fields: ClassVar[tuple[str, ...]] = ("account", "role_arn", "rule")
    accounts: list[str]
    findings: list[Finding]
    roles_seen: int
    roles_listed: list[ListedRole]
    notes: list[str] = field(default_factory=list)  # what the verdicts could not take into account
    baseline: str | None = None  # with a baseline, `findings` are the new ones
    unchanged: int = 0  # findings also in the baseline (not reported)
    fixed: list[dict[str, Any]] = field(default_factory=list)  # baseline findings gone now
    withheld: int = 0  # findings not reported because an SCP or RCP denies what they need

    @property
    def external_roles(self) -> int:
        return sum(1 for r in self.roles_listed if r.external)

    @property
    def federated_roles(self) -> int:
        """The external roles only an identity provider's users can assume (no other account)."""
        return sum(
            1
            for r in self.roles_listed
            if r.external and r.reached_by and all(a.startswith("federated:") for a in r.reached_by)
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a run builds the roles and judges them: they are
    tens of thousands of small objects that all live to the end, with no cycles among them,
    and each collection walked all of them again (a third of reading a 10,000-role file).
    Nothing is left uncollected: it is on again after, as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
