"""`provision inventory`: every outside party by name, with what each can read, write and do,
when it last came in, and how to remove it.

spec (model.InventorySpec) -> gather (audit's: GAAD in bulk, a file, member accounts, the
organization; and each account's buckets with their policies and CORS rules) -> audit's rules
(the exact trust verdicts, vendor-privileged) -> parties.build (pure: naming, scope, power, use)
-> InventoryResult, rendered by provisioner.report.inventory (table, json, csv, markdown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from provisioner.audit import AuditSpec, check_spec, collect, member_aws, spec_names, standalone_note
from provisioner.audit.aggregate import audit
from provisioner.audit.memo_key import Memo
from provisioner.audit.model import AccountData
from provisioner.aws import Aws
from provisioner.inventory.gather import gather_buckets, gather_keys, policy_files
from provisioner.inventory.model import ANYONE, Bucket, InventoryResult, InventorySpec, Key
from provisioner.inventory.parties import build
from provisioner.naming import Names

if TYPE_CHECKING:
    from provisioner.inventory.whocan import WhoCanResult

__all__ = [
    "Gathered",
    "InventoryResult",
    "InventorySpec",
    "audit_spec",
    "gather",
    "parse_target",
    "run",
    "who_can",
]


def audit_spec(spec: InventorySpec) -> AuditSpec:
    """The audit the inventory stands on: every role another account can assume."""
    return AuditSpec(
        from_file=spec.from_file,
        organization=spec.organization,
        accounts=spec.accounts,
        member_role=spec.member_role,
        scp_files=spec.scp_files,
        rcp_files=spec.rcp_files,
        unused_days=spec.unused_days,
        vendors=spec.vendors,
        known_accounts=spec.known_accounts,
    )


@dataclass
class Gathered:
    """What inventory and who-can read: the accounts (audit's), the organization's accounts,
    each account's buckets, the names of outside accounts, and the caller's account (None
    offline)."""

    data: list[AccountData]
    org_accounts: frozenset[str]
    buckets: dict[str, list[Bucket]]
    names: Names
    caller: str | None
    notes: list[str] = field(default_factory=list)
    keys: dict[str, list[Key]] = field(default_factory=dict)  # each account's KMS keys (online)


def gather(
    spec: InventorySpec, connect: Callable[[], Aws] | None, progress: Callable[[int], None] | None = None
) -> Gathered:
    """Reads only: audit's accounts, then each readable account's buckets (online), or the
    --bucket-policy files (offline)."""
    from provisioner.errors import InputError

    for option, value in (("from_file", spec.from_file), ("known_accounts", spec.known_accounts)):
        if value is not None and not value.strip():  # "" is not "not given": never go online for it
            raise InputError(option, value, "empty: give the path of a file, or leave the option out")
    base_spec = check_spec(audit_spec(spec))
    if spec.bucket_policies and not spec.from_file:
        raise InputError(
            "bucket_policy", spec.bucket_policies[0], "only with --from-file (online, they are read)"
        )
    names = spec_names(base_spec)
    bases: list[Aws] = []
    data, org_accounts = collect(base_spec, connect, progress=progress, bases=bases)
    notes: list[str] = []
    buckets: dict[str, list[Bucket]] = {}
    caller = None
    from provisioner.naming import entry_warnings

    notes += entry_warnings(names.user, {*(a.account for a in data), *org_accounts})  # --known-accounts too
    if (standalone := standalone_note(audit_spec(spec), data)) is not None:
        notes.append(standalone)
    if spec.from_file:
        if spec.bucket_policies:
            buckets = {data[0].account: policy_files(spec.bucket_policies, data[0].account)}
    elif bases:
        caller = bases[0].account_id()
        readable = [a.account for a in data if a.error is None]
        buckets, unread = gather_buckets(member_aws(bases[0], spec.member_role), readable, caller)
        notes += unread
        keys, unlisted = gather_keys(member_aws(bases[0], spec.member_role), readable, caller)
        notes += unlisted
        return Gathered(data, org_accounts, buckets, names, caller, notes, keys)
    return Gathered(data, org_accounts, buckets, names, caller, notes)


def run(
    spec: InventorySpec,
    connect: Callable[[], Aws] | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> InventoryResult:
    """Read what the spec names, judge it as audit does, and group it by outside party."""
    from provisioner.naming import using

    read = gather(spec, connect, progress)
    now = now or datetime.now(UTC)
    memo = Memo()
    with using(read.names):
        result = audit(
            read.data, org_accounts=read.org_accounts, now=now, unused_days=spec.unused_days, memo=memo
        )
        inventory = build(
            read.data,
            result,
            memo,
            read.names,
            org_accounts=read.org_accounts,
            now=now,
            unused_days=spec.unused_days,
            buckets=read.buckets,
            keys=read.keys,
            profile=spec.profile,
            caller_account=read.caller,
            region=spec.region,
            endpoint_url=spec.endpoint_url,
        )
    # a bucket policy's grant to "*" (KMS takes no anonymous request: trial 22t item 5)
    public = any(
        p.party.account == ANYONE and any(not d.bucket.startswith("arn:") for d in p.direct)
        for p in inventory.parties
    )
    inventory.notes += [*read.notes, ACL_NOTE, *([ANONYMOUS_NOTE] if public else [])]
    inventory.notes += [GRANTS_NOTE] if read.caller is not None else []  # online: key policies read
    inventory.notes += _unshown(inventory)
    return inventory


def _unshown(inventory: InventoryResult) -> list[str]:
    """A note naming audit's findings on roles no party shows, which --fail-on counts as audit's
    (trial 22s item 9: an exit 1 with nothing shown)."""
    shown = {r.role_arn for p in inventory.parties for r in p.roles}
    hidden = [f for f in inventory.audit.findings if f.suppressed is None and f.role_arn not in shown]
    rules = ", ".join(sorted({f"{f.rule} ({f.severity.value})" for f in hidden if f.role_arn}))
    said = "audit finding(s) on roles no outside party is shown for count toward --fail-on"
    return [f"{len(hidden)} {said}: {rules}; provision audit lists them"] if rules else []


# S3 User Guide, "Access control list (ACL) overview" and "Controlling ownership of objects":
# an ACL grants access where Object Ownership is not BucketOwnerEnforced (the default for new
# buckets since April 2023); neither ACLs nor ownership settings are read here (trial 22m item 5)
ACL_NOTE = (
    "bucket and object ACLs are not read: access an ACL grants (where the bucket's Object "
    "Ownership is not BucketOwnerEnforced) is not shown"
)


GRANTS_NOTE = (
    "KMS grants are not read (only key policies): access a grant gives (kms:CreateGrant) is not shown"
)

# IAM User Guide, "AWS JSON policy elements: Principal": "*" in a resource policy means "all users,
# including anonymous users (public access)" (trial 22q: "any AWS account" read as signed only)
ANONYMOUS_NOTE = (
    'a bucket policy grant to "*" ("anyone") includes anonymous, unsigned requests from the '
    "internet, unless S3 Block Public Access (of the account or the bucket, not read here) refuses it"
)


def who_can(
    spec: InventorySpec,
    action: str,
    target: str,
    connect: Callable[[], Aws] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> WhoCanResult:
    """Every outside principal that can `action` ("read" or "write") objects at `target`
    (s3://BUCKET[/PREFIX]), with its route, verdict and deciding condition."""
    from provisioner.inventory.whocan import who_can as decide
    from provisioner.naming import using

    bucket, prefix = parse_target(action, target)
    read = gather(spec, connect, progress)
    memo = Memo()
    with using(read.names):
        result = audit(read.data, org_accounts=read.org_accounts, unused_days=spec.unused_days, memo=memo)
        answer = decide(
            action,
            bucket,
            prefix,
            read.data,
            result,
            memo,
            read.names,
            org_accounts=read.org_accounts,
            buckets=read.buckets,
            listed=read.caller is not None,  # online: the accounts' buckets were listed
        )
    public = any(r.party.account == ANYONE and r.via == "bucket policy" for r in answer.routes)
    answer.notes += [*read.notes, ACL_NOTE, *([ANONYMOUS_NOTE] if public else [])]
    return answer


def parse_target(action: str, target: str) -> tuple[str, str]:
    """("bucket", "prefix/") from s3://bucket/prefix; a bad one is an InputError."""
    from provisioner.errors import InputError
    from provisioner.inputs import check_bucket

    if action not in ("read", "write"):
        raise InputError("ACTION", action, "read or write")
    if not target.startswith("s3://"):
        raise InputError("TARGET", target, "an S3 URL: s3://BUCKET or s3://BUCKET/PREFIX")
    bucket, _, prefix = target.removeprefix("s3://").partition("/")
    check_bucket(bucket, "TARGET")
    prefix = prefix.rstrip("*")  # s3://b/train/* is every key under train/: what is asked anyway
    if "*" in prefix or "?" in prefix:
        # a key may hold them, but asked as text a pattern would read greener than it is: the
        # prefix before the first one covers every key the pattern means, and such keys too
        before = prefix[: min(i for i in (prefix.find("*"), prefix.find("?")) if i >= 0)]
        raise InputError(
            "TARGET",
            target,
            f"a literal prefix, no wildcards: ask s3://{bucket}/{before} (every key under it is"
            " asked about, the keys the pattern means among them)",
        )
    return bucket, prefix
