"""`provision audit`: every role another account can assume, judged by the evaluator.

spec (model.AuditSpec) -> gather (gather.py: GAAD in bulk, a file, member accounts, the
organization) -> rules (rules.py, pure, registered by id) -> aggregate (aggregate.py, pure)
-> AuditResult, rendered by provisioner.report (table, json, sarif, csv).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from provisioner.audit.aggregate import ESTATE_RULES, Estate, audit, compare
from provisioner.audit.gather import (
    account_data,
    beside,
    gather_account,
    gather_accounts,
    load_file,
    member_aws,
    organization_accounts,
)
from provisioner.audit.memo_key import Memo
from provisioner.audit.model import (
    MAX_UNUSED_DAYS,
    UNUSED_DAYS,
    AccountData,
    AuditResult,
    AuditSpec,
    ListedRole,
    RoleDetail,
    collector_paused,
    rules,
)
from provisioner.audit.rules import RULES, RoleAnalysis, analyse, judge_role
from provisioner.audit.scope import Scope
from provisioner.aws import Aws
from provisioner.errors import InputError
from provisioner.inputs import check_role_name
from provisioner.model.findings import Finding, read_baseline
from provisioner.organization import OrgPolicies, OrgReader, load_files

if TYPE_CHECKING:
    from provisioner.naming import Names

OWNED_ELSEWHERE = ("mute-expired",)  # decided by the mutes, not by a rule

__all__ = [
    "ESTATE_RULES",
    "MAX_UNUSED_DAYS",
    "OWNED_ELSEWHERE",
    "RULES",
    "UNUSED_DAYS",
    "AccountData",
    "AuditResult",
    "AuditSpec",
    "Estate",
    "Finding",
    "ListedRole",
    "Memo",
    "RoleAnalysis",
    "RoleDetail",
    "Scope",
    "account_data",
    "analyse",
    "audit",
    "check_spec",
    "check_unused_days",
    "collect",
    "collector_paused",
    "gather_account",
    "gather_accounts",
    "judge_role",
    "load_file",
    "member_aws",
    "organization_accounts",
    "rules",
    "run",
    "spec_names",
]


def check_spec(spec: AuditSpec) -> AuditSpec:
    """Contradictory or malformed requests are refused before any AWS call."""
    files = [
        ("from_file", spec.from_file),
        ("known_accounts", spec.known_accounts),
        ("baseline", spec.baseline),
    ]
    files += [("scp_file", f) for f in spec.scp_files] + [("rcp_file", f) for f in spec.rcp_files]
    for option, value in files:
        if value is not None and not value.strip():  # "" is not "not given": never go online for it
            raise InputError(option, value, "empty: give the path of a file, or leave the option out")
    if spec.from_file and (spec.organization or spec.accounts):
        raise InputError(
            "from_file", spec.from_file, "reads one file offline: not with --organization/--accounts"
        )
    if spec.organization and spec.accounts:
        raise InputError("accounts", ",".join(spec.accounts), "give --organization or --accounts, not both")
    bad = [a for a in spec.accounts if not re.fullmatch(r"\d{12}", a)]
    if bad:
        raise InputError(
            "accounts", ",".join(spec.accounts), "a comma-separated list of 12-digit account IDs"
        )
    check_role_name(spec.member_role, "member_role")
    check_unused_days(spec.unused_days)
    if spec.vendor is not None:
        from provisioner.vendors import get_vendor

        get_vendor(spec.vendor, custom="leave --vendor out: audit reports every outside account")
    return spec


def check_unused_days(days: object) -> int:
    """role-unused's window: a whole number of days, 1 or more (also for later commands that
    judge use)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_UNUSED_DAYS:
        raise InputError(
            "unused_days", days, f"a whole number of days from 1 to {MAX_UNUSED_DAYS:,} (default 90)"
        )
    return days


def run(
    spec: AuditSpec,
    connect: Callable[[], Aws] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    accounts_progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> AuditResult:
    """Gather what the spec names (a file, or the accounts `connect()`'s credentials reach),
    then judge every role."""
    check_spec(spec)
    names = spec_names(spec)  # a bad --known-accounts file is refused before any AWS call
    previous = load_baseline(spec.baseline) if spec.baseline is not None else []
    data, org_accounts = collect(spec, connect, progress=progress, accounts_progress=accounts_progress)
    from provisioner.naming import using

    with using(names):
        result = audit(
            data,
            vendor=spec.vendor,
            all_roles=spec.all_roles,
            org_accounts=org_accounts,
            now=now,
            mutes=spec.mutes,
            unused_days=spec.unused_days,
        )
    if (note := standalone_note(spec, data)) is not None:
        result.notes.append(note)
    return compare(result, previous, spec.baseline) if spec.baseline is not None else result


def standalone_note(spec: AuditSpec, data: list[AccountData]) -> str | None:
    """--organization in an account that belongs to none (AWSOrganizationsNotInUseException):
    only that account was read, said (a report of one account must not pass for an
    organization's)."""
    if spec.organization and data and any(a.org is not None and a.org.standalone for a in data):
        return (
            f"--organization: account {data[0].account} is not in an organization "
            "(AWSOrganizationsNotInUseException): only it was read"
        )
    return None


def collect(
    spec: AuditSpec,
    connect: Callable[[], Aws] | None,
    *,
    progress: Callable[[int], None] | None = None,
    accounts_progress: Callable[[str, int], Callable[[int], None]] | None = None,
    bases: list[Aws] | None = None,
) -> tuple[list[AccountData], frozenset[str]]:
    """The accounts the spec names, read (a file, the caller's account, listed accounts, the
    organization's), with the SCPs and RCPs that apply; and the organization's accounts (empty
    unless --organization). `bases` receives the caller's Aws (inventory reads more with it)."""
    # SCP/RCP files are read first, so a bad one is refused before any AWS call.
    given = load_files(spec.scp_files, spec.rcp_files) if spec.scp_files or spec.rcp_files else None
    org_accounts: frozenset[str] = frozenset()
    base: Aws | None = None
    if spec.from_file:
        data = [load_file(spec.from_file)]
    else:
        if connect is None:
            raise InputError("from_file", "", "give a file, or credentials to read the account with")
        base = connect()
        if bases is not None:
            bases.append(base)
        wanted: list[str | None] = [None, *dict.fromkeys(spec.accounts)]
        if spec.organization:
            own = base.account_id()
            members = organization_accounts(base)
            org_accounts = frozenset([own, *members])  # not "another account" for the rules
            wanted = [None] + [a for a in members if a != own]
        elif spec.accounts:
            wanted = list(dict.fromkeys(spec.accounts))
        done = (
            accounts_progress("accounts read", len(wanted)) if accounts_progress and len(wanted) > 1 else None
        )
        # the organization's SCPs/RCPs are read while the accounts download (files need no read)
        reader = OrgReader(base) if given is None else None
        read = reader.for_account if reader is not None else _given
        ids = [base.account_id() if a is None else a for a in wanted] if reader is not None else []
        with beside(read, ids) as org:
            data = gather_accounts(
                member_aws(base, spec.member_role), wanted, progress=progress, account_done=done
            )
            for account in data:  # a failed account's read is not asked for: its error is not raised
                if account.error is None and account.account in org:
                    account.org = org[account.account].result()
    for account in data:  # files apply to every account
        if account.error is None and given is not None:
            account.org = given.applied_to(account.account)
    return data, org_accounts


def spec_names(spec: AuditSpec) -> Names:
    """The names of outside accounts for a run: our profiles, then the config's [[vendor]]
    entries and --known-accounts, then fwd:cloudsec's list (provisioner.naming)."""
    from provisioner.naming import Names, load_known_accounts

    user = [*spec.vendors, *(load_known_accounts(spec.known_accounts) if spec.known_accounts else [])]
    return Names(user)


def _given(account: str) -> OrgPolicies:
    """The SCP/RCP files, not read here (see run)."""
    return OrgPolicies()


def load_baseline(path: str) -> list[dict[str, object]]:
    """A previous `provision audit -o json`: {"schema_version": 1, "findings": [...]}, or the
    list of findings it printed before issue 18."""
    return read_baseline(path, "audit")
