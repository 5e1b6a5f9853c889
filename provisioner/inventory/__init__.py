"""`provision inventory`: every outside party by name, with what each can read, write and do,
when it last came in, and how to remove it.

spec (model.InventorySpec) -> gather (audit's: GAAD in bulk, a file, member accounts, the
organization; and each account's buckets with their policies and CORS rules) -> audit's rules
(the exact trust verdicts, vendor-privileged) -> parties.build (pure: naming, scope, power, use)
-> InventoryResult, rendered by provisioner.report.inventory (table, json, csv, markdown).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from provisioner.audit import AuditSpec, check_spec, collect, member_aws, spec_names
from provisioner.audit.aggregate import audit
from provisioner.audit.memo_key import Memo
from provisioner.aws import Aws
from provisioner.inventory.gather import gather_buckets, policy_files
from provisioner.inventory.model import Bucket, InventoryResult, InventorySpec
from provisioner.inventory.parties import build

__all__ = ["InventoryResult", "InventorySpec", "audit_spec", "run"]


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


def run(
    spec: InventorySpec,
    connect: Callable[[], Aws] | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> InventoryResult:
    """Read what the spec names, judge it as audit does, and group it by outside party."""
    from provisioner.errors import InputError
    from provisioner.naming import using

    base_spec = check_spec(audit_spec(spec))
    if spec.bucket_policies and not spec.from_file:
        raise InputError(
            "bucket_policy", spec.bucket_policies[0], "only with --from-file (online, they are read)"
        )
    names = spec_names(base_spec)
    bases: list[Aws] = []
    data, org_accounts = collect(base_spec, connect, progress=progress, bases=bases)
    buckets: dict[str, list[Bucket]] = {}
    notes: list[str] = []
    caller = None
    if spec.from_file:
        if spec.bucket_policies:
            buckets = {data[0].account: policy_files(spec.bucket_policies, data[0].account)}
    elif bases:
        caller = bases[0].account_id()
        readable = [a.account for a in data if a.error is None]
        buckets, notes = gather_buckets(member_aws(bases[0], spec.member_role), readable, caller)
    now = now or datetime.now(UTC)
    memo = Memo()
    with using(names):
        result = audit(data, org_accounts=org_accounts, now=now, unused_days=spec.unused_days, memo=memo)
        inventory = build(
            data,
            result,
            memo,
            names,
            org_accounts=org_accounts,
            now=now,
            unused_days=spec.unused_days,
            buckets=buckets,
            profile=spec.profile,
            caller_account=caller,
        )
    inventory.notes += notes
    return inventory
