"""inventory's types: the spec, what it reads beyond audit (buckets), and the result: one entry
per outside party, with the roles it can assume beneath."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from provisioner.audit.model import UNUSED_DAYS, AuditResult
from provisioner.inventory.actions import BUCKET_WRITES, WEIGHTY, WHO_CAN
from provisioner.model import Severity
from provisioner.naming import AWS_SERVICE, Party

if TYPE_CHECKING:
    from provisioner.naming import Named

SCHEMA_VERSION = 1
ANYONE = "*"  # the party of a role any AWS account can assume


@dataclass(frozen=True)
class InventorySpec:
    """audit's inputs (a file offline, the caller's account, --accounts, --organization) and
    the names and bucket policies inventory reads beside them."""

    from_file: str | None = None
    organization: bool = False
    accounts: tuple[str, ...] = ()
    member_role: str = "OrganizationAccountAccessRole"
    scp_files: tuple[str, ...] = ()
    rcp_files: tuple[str, ...] = ()
    unused_days: int = UNUSED_DAYS
    vendors: tuple[Named, ...] = ()  # the config's [[vendor]] entries
    known_accounts: str | None = None  # --known-accounts FILE
    bucket_policies: tuple[str, ...] = ()  # --bucket-policy BUCKET=FILE (offline)
    profile: str | None = None  # the caller's --profile, for the removal commands shown
    region: str | None = None  # the run's --region and --endpoint-url: the removal commands carry them
    endpoint_url: str | None = None


@dataclass
class Bucket:
    """One bucket of an audited account: its policy (None: none, or not read) and CORS rules."""

    name: str
    account: str
    policy: Any = None
    cors: list[dict[str, Any]] = field(default_factory=list)
    unread: str | None = None  # why its policy or CORS could not be read
    placed: bool = True  # False: in none of the accounts read, taken to be in `account` (who-can)


@dataclass
class Key:
    """One KMS key of an audited account and its key policy (None: not read, `unread` says why)."""

    arn: str
    account: str
    policy: Any = None
    unread: str | None = None


@dataclass(frozen=True)
class DataScope:
    """What a session of the role can do to data: (where, rights) pairs, where "s3://b/p*" or a
    KMS key ARN, rights "read", "write", "re-share", "delete", "decrypt"."""

    grants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    notes: tuple[str, ...] = ()  # what the verdict could not take into account
    unread: tuple[str, ...] = ()  # policies of the role that were not read: their grants not counted
    # (where, rights, what decides): rights only a Deny with a condition refuses (not decided)
    undecided: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    @property
    def shown(self) -> str:
        """As an admin checks it against the contract: "s3://acme-images/train/* read; nothing else"
        (never "nothing" where a policy of the role was not read: not decided)."""
        granted = "; ".join(f"{where} {', '.join(rights)}" for where, rights in self.grants)
        if self.undecided:
            open_ = "; ".join(
                f"not decided: {' and '.join(rights)} on {where} ({why})"
                for where, rights, why in self.undecided
            )
            granted = f"{granted}; {open_}" if granted else open_
        if self.unread:
            missing = f"not decided: the grants of {', '.join(self.unread)} (not read)"
            return f"{granted}; {missing}" if granted else missing
        return f"{granted}; nothing else" if granted else "nothing"

    @property
    def writes(self) -> bool:
        return any(set(rights) & WEIGHTY for _, rights in self.grants)


def _controls(right: str) -> bool:
    """Is a scope's right a bucket-level write (its policy, ACL, …): control of the bucket?"""
    return f"s3:{right}" in BUCKET_WRITES or right.startswith("every bucket-level write")


@dataclass
class RoleAccess:
    """One role a party can assume, and what it gives."""

    account: str
    role_arn: str
    role_name: str
    trust: str  # the exact trust verdict, in words
    external_ids: list[str]
    id_notes: list[str]  # external-ID hygiene
    scope: DataScope
    power: tuple[str, ...]  # beyond data (audit/power.py), worst first
    created: datetime | None
    last_used: datetime | None
    last_region: str | None
    stale: bool
    remove: str  # the command that removes it
    leaves: str  # what that command leaves behind
    severity: Severity | None  # the worst audit finding on the role
    rules: list[str]  # the audit rules it trips
    way_open: bool = False  # reached by chaining through a trust pinning an ID: not decided

    @property
    def open(self) -> bool:
        """Is what it gives not decided (a policy not read, a right a condition decides, a way in
        through a trust pinning an ID)?"""
        return bool(self.scope.unread or self.scope.undecided or self.way_open)

    @property
    def worst(self) -> Severity | None:
        """Its worst finding; a scope not decided (a policy of the role not read) is at least a
        medium WARN that --fail-on counts: never a pass (what that policy grants may be all)."""
        if self.power and self.severity is not Severity.CRITICAL:
            # power beyond data, however reached (chaining too): as audit's vendor-privileged
            return Severity.CRITICAL
        not_decided = self.scope.unread or self.scope.undecided or self.way_open
        if not_decided and (self.severity is None or self.severity.rank > Severity.MEDIUM.rank):
            return Severity.MEDIUM
        control = any(
            where.endswith("(the bucket)") or any(_controls(r) for r in rights)
            for where, rights in self.scope.grants
        )
        if (self.scope.writes or control) and (
            self.severity is None or self.severity.rank > Severity.HIGH.rank
        ):
            # writing or controlling data, however granted (a bucket policy naming the role too):
            # high, as audit's vendor-write-access (trial 22j item 7)
            return Severity.HIGH
        return self.severity

    @property
    def use(self) -> str:
        if self.last_used is None:
            return "never used (or not in the 400 days IAM tracks)"
        return f"{self.last_used.date().isoformat()} in {self.last_region or 'an unrecorded region'}"


@dataclass(frozen=True)
class Direct:
    """A bucket policy statement's grant to an outside party."""

    party: Party
    statement: str  # "Statement[0] (Sid Partner)"
    bucket: str
    part: str  # "s3://b/alexa-devices/*"
    rights: tuple[str, ...]  # "read", "write", …
    condition: str  # "none", or the statement's Condition as JSON
    decided: bool  # False: it depends on the condition (not decided for the party)
    note: str = ""  # an AWS service's: the source condition that decides it, or the confused deputy
    power: tuple[str, ...] = ()  # bucket-level control (PutBucketPolicy, …): power beyond data

    @property
    def source(self) -> str:
        """ "bucket policy of s3://b", or "key policy of arn:aws:kms:…" (a key's grant)."""
        if self.bucket.startswith("arn:"):
            return f"key policy of {self.bucket}"
        return f"bucket policy of s3://{self.bucket}"

    @property
    def severity(self) -> Severity | None:
        """Any AWS account, unconditionally: critical; control of the bucket, or writing or
        deleting its data: high (audit's vendor-write-access, for a role). Not decided for the
        party: a WARN that --fail-on counts, as lint's principal-wildcard-conditioned, medium
        where any account, writing or control is at stake, and low for a named party's read. An
        AWS service acting only for our accounts is no outside party (None); one any account can
        use (a confused deputy), or whose source is not placed, is medium."""
        writes = {*WEIGHTY, *WHO_CAN["write"]}
        weighty = bool(self.power or writes & set(self.rights))
        if self.party.kind == AWS_SERVICE:  # decided: it acts only for our accounts ("only for …");
            # not decided: a confused deputy, any account through the service, or a source not placed
            return None if self.decided else Severity.MEDIUM
        if not self.decided:
            return Severity.MEDIUM if weighty or self.party.account == ANYONE else Severity.LOW
        if self.party.account == ANYONE:
            return Severity.CRITICAL
        return Severity.HIGH if weighty else None

    @property
    def verdict(self) -> str:
        """ "can" (with the source condition, for a service), or a WARN naming what it depends
        on (never a pass)."""
        if self.decided:
            return f"can, {self.note}" if self.note else "can"
        if self.note:
            return f"WARN: {self.note}"
        return f"WARN: depends on the condition {self.condition} (not decided)"


@dataclass
class PartyEntry:
    """One outside party: a named vendor (all its accounts), an AWS service, an unknown account,
    or anyone; the roles it can assume and the bucket-policy grants naming it directly."""

    party: Party
    roles: list[RoleAccess] = field(default_factory=list)
    cors_buckets: list[str] = field(default_factory=list)  # buckets whose CORS names its origins
    accounts: list[str] = field(default_factory=list)  # its accounts that reach ours
    direct: list[Direct] = field(default_factory=list)  # bucket-policy grants naming it

    @property
    def warned(self) -> bool:
        """Is its worst verdict a WARN (a grant not decided), with nothing as bad decided?"""
        worst = self.worst
        certain = [r.worst for r in self.roles if not r.open] + [d.severity for d in self.direct if d.decided]
        return worst is not None and all(s is None or s.rank > worst.rank for s in certain)

    @property
    def verdict(self) -> str:
        """As a report shows it: "HIGH", "WARN (medium)" (not decided), or "OK"."""
        worst = self.worst
        if worst is None:
            return "OK"
        return f"WARN ({worst.value})" if self.warned else worst.value.upper()

    @property
    def privileged(self) -> bool:
        return any(r.power for r in self.roles) or any(d.power for d in self.direct)

    @property
    def worst(self) -> Severity | None:
        found = [r.worst for r in self.roles if r.worst is not None]
        found += [d.severity for d in self.direct if d.severity is not None]
        return min(found, key=lambda s: s.rank) if found else None

    @property
    def stale(self) -> bool:
        return bool(self.roles) and all(r.stale for r in self.roles)

    @property
    def where(self) -> str:
        """Where the party is, as a report shows it: its accounts, or "identity provider"."""
        if self.party.where != self.party.account:  # an identity provider: no account of its own
            return self.party.where
        return ", ".join(self.accounts) or self.party.account

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Cross-account administrators first, then by worst verdict, then by name."""
        worst = self.worst
        return (0 if self.privileged else 1, worst.rank if worst else 99, self.party.name.lower())


@dataclass
class InventoryResult:
    accounts: list[str]
    parties: list[PartyEntry]
    audit: AuditResult  # the findings behind the verdicts (fail thresholds: --fail-on)
    notes: list[str] = field(default_factory=list)

    def fails(self, threshold: str) -> bool:
        """audit's findings at `threshold`, a bucket policy's own grant as severe (anyone may
        read: critical; an outside account controls the bucket: high), with no role between, or a
        role whose scope makes it as severe (RoleAccess.worst)."""
        direct = [d.severity for p in self.parties for d in p.direct if d.severity is not None]
        # a role's worst beyond its audit findings: what its scope adds (writing or controlling a
        # bucket however granted, a bucket policy naming it: high; not decided: a medium WARN)
        raised = [
            r.worst for p in self.parties for r in p.roles if r.worst is not None and r.worst != r.severity
        ]
        return self.audit.fails(threshold) or any(s.reaches(threshold) for s in [*direct, *raised])


def route_severity(severity: Severity | None, verdict: str, writes: bool = False) -> Severity | None:
    """A route's worst, as inventory ranks the role (RoleAccess.worst): the role's findings;
    writing, or taking the bucket over, high at least; not decided (a condition, or a policy not
    read), medium at least (never a pass)."""
    if verdict.startswith("WARN"):
        return at_least(severity, Severity.MEDIUM)
    if verdict == "can":
        return at_least(severity, Severity.HIGH) if writes else severity
    return at_least(severity, Severity.HIGH)


def at_least(severity: Severity | None, floor: Severity) -> Severity:
    return severity if severity is not None and severity.rank <= floor.rank else floor
