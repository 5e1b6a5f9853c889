"""Pure: the rules over every role of every account, and the rules that need all of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from provisioner.audit.memo_key import Memo
from provisioner.audit.model import UNUSED_DAYS, AccountData, AuditResult, ListedRole, collector_paused, rules
from provisioner.audit.rules import judge
from provisioner.audit.scope import Scope
from provisioner.model import Arn
from provisioner.model.findings import Finding, RolePlace
from provisioner.model.rules import Hit, Rules

if TYPE_CHECKING:  # a run with no mute entries does not load provisioner.mute
    from provisioner.mute import Mute


@dataclass
class Estate:
    """What the rules over every role read: the accounts, and the roles that pin each external
    ID (account, role ARN, vendor). A hit's `where` is a role's ARN, or an account's ID."""

    accounts: list[AccountData]
    by_id: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    # each account's roles (ARN, trust), and those another party may assume (ARN -> who)
    roles: dict[str, list[tuple[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    entry: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=lambda: defaultdict(dict))
    pinned: set[str] = field(default_factory=set)  # the roles whose trust pins external IDs


# The rules over the whole estate; those over one role are rules.RULES. `mute-expired` is the
# mutes' own (`expired_mute`).
ESTATE_RULES: Rules[Estate] = Rules("audit rule", "audit-rules.json")


def audit(
    data: list[AccountData],
    *,
    org_accounts: frozenset[str] = frozenset(),
    vendor: str | None = None,
    all_roles: bool = False,
    now: datetime | None = None,
    mutes: Sequence[Mute] = (),
    unused_days: int = UNUSED_DAYS,
    memo: Memo | None = None,
) -> AuditResult:
    """Judge every role of every account; findings worst first, those a mute entry accepts
    marked as suppressed, and an expired entry a finding of its own. `memo`: the run's verdicts,
    kept by a caller that reads them again (inventory)."""
    with collector_paused():
        return _audit(data, org_accounts, vendor, all_roles, now, mutes, unused_days, memo or Memo())


def _audit(
    data: list[AccountData],
    org_accounts: frozenset[str],
    vendor: str | None,
    all_roles: bool,
    now: datetime | None,
    mutes: Sequence[Mute],
    unused_days: int,
    memo: Memo,
) -> AuditResult:
    now = now or datetime.now(UTC)  # one instant for the whole run
    findings: list[Finding] = []
    listed: list[ListedRole] = []
    estate = Estate(data)
    seen = withheld = 0
    withheld_by: dict[str, None] = {}
    for account in data:
        if account.error:
            continue
        scope = Scope(account.account, account.policies, org_accounts, memo, account.org)
        for role in account.roles:
            seen += 1
            verdict = judge(role, scope, now, unused_days)
            estate.roles[account.account].append((role.arn, role.trust))
            if verdict.external:
                estate.entry[account.account][role.arn] = verdict.reached_by
                if verdict.pinned_ids:
                    estate.pinned.add(role.arn)
            if vendor and vendor.lower() not in verdict.vendor.lower():
                continue
            if verdict.external or all_roles:
                listed.append(
                    ListedRole(
                        account.account,
                        role.arn,
                        verdict.vendor,
                        verdict.external,
                        verdict.reached_by,
                        verdict.buckets,
                    )
                )
            if verdict.findings:
                findings += verdict.findings
            if verdict.withheld:
                withheld += verdict.withheld
                withheld_by.update(dict.fromkeys(verdict.withheld_by))
            for external_id in verdict.pinned_ids:
                estate.by_id[external_id].append((account.account, role.arn, verdict.vendor))
    findings += estate_findings(estate)
    notes = organization_notes(data)
    if withheld:
        notes.append(withheld_note(withheld, list(withheld_by)))
    result = AuditResult(sorted({d.account for d in data}), findings, seen, listed, notes, withheld=withheld)
    if mutes:
        result.mute(mutes, now.date(), _scope, expired_mute)
    result.findings.sort(key=_order)
    return result


def _order(finding: Finding) -> tuple[int, str, str, str]:
    """Worst first, then by account, role and rule (every audit finding is at a RolePlace)."""
    place = finding.where
    if isinstance(place, RolePlace):
        return (finding.severity.rank, place.account, place.role_arn, finding.rule)
    return (finding.severity.rank, finding.account, finding.role_arn, finding.rule)


def withheld_note(count: int, by: list[str]) -> str:
    """The findings an organization's policies took away, said (a wrong --scp-file would
    otherwise make a report greener without a word)."""
    shown = ", ".join(by[:5]) + (f" and {len(by) - 5} more" if len(by) > 5 else "")
    return (
        f"{count} finding{'s' if count != 1 else ''} not reported: an SCP or RCP denies "
        f"{'them' if count != 1 else 'it'} ({shown})"
    )


def organization_notes(data: list[AccountData]) -> list[str]:
    """What the verdicts could not take into account, or assumed, about SCPs and RCPs."""
    notes: list[str] = []
    for account in data:
        if account.error:
            continue
        notes.extend(f"account {account.account}: {n}" for n in account.notes)
        if account.org is None:
            notes.append(
                f"account {account.account}: SCPs and RCPs not considered (none were read or "
                "given: give --scp-file/--rcp-file)"
            )
        else:
            notes.extend(f"account {account.account}: {n}" for n in account.org.unread + account.org.notes)
    return list(dict.fromkeys(notes))


def _scope(finding: Finding) -> dict[str, Any]:
    """What a mute entry is matched against; external-id-reused is about every role that
    shares the ID, so an entry for any of them mutes it."""
    roles: tuple[str, ...] = (finding.role_arn, finding.role)
    if finding.rule == "external-id-reused" and isinstance(finding.evidence, dict):
        roles += tuple(r for arn in finding.evidence.get("roles", ()) for r in (arn, _name(arn)))
    return {"account": finding.account, "role": roles}


def expired_mute(mute: Mute) -> Finding:
    rule = rules()["mute-expired"]
    message = (
        f"mute entry {mute.describe()} expired on {mute.expires}: it mutes nothing now "
        f"(its reason: {mute.reason})"
    )
    return Finding(rule.id, rule.severity, message, RolePlace(""), rule.remediation, mute.to_dict())


def compare(result: AuditResult, previous: list[dict[str, Any]], name: str) -> AuditResult:
    """Against a baseline (a previous JSON output): keep the new findings, count the unchanged,
    list the fixed (the finding set's own comparison)."""
    result.compare(previous, name)
    return result


def estate_findings(estate: Estate) -> list[Finding]:
    """The rules over every role, run on the estate."""
    roles = {arn: (account, "") for account, listed in estate.roles.items() for arn, _ in listed}
    roles |= {arn: (account, vendor) for holders in estate.by_id.values() for account, arn, vendor in holders}
    findings = []
    for hit in ESTATE_RULES.run(estate):
        rule = rules()[hit.rule]
        if hit.where in roles:
            account, vendor = roles[hit.where]
            place = RolePlace(account, hit.where, _name(hit.where), vendor)
        else:
            place = RolePlace(hit.where)
        findings.append(Finding(rule.id, rule.severity, hit.message, place, rule.remediation, hit.evidence))
    return findings


@ESTATE_RULES.register("trust-chained", "trust-chained-pinned")
def chained(estate: Estate) -> Iterator[Hit]:
    """Roles another party reaches by role chaining through a role of the same account."""
    from provisioner.audit.chains import chained_hits

    rcps = {a.account: a.org.rcps if a.org else () for a in estate.accounts}
    for account, entry in estate.entry.items():
        levels = tuple(tuple(level) for level in rcps.get(account, ()))
        yield from chained_hits(estate.roles[account], entry, levels, frozenset(estate.pinned))


@ESTATE_RULES.register("account-unreachable")
def unreachable(estate: Estate) -> Iterator[Hit]:
    for account in estate.accounts:
        if account.error:
            yield Hit("account-unreachable", account.error or "", account.account)


@ESTATE_RULES.register("external-id-reused")
def reused_external_ids(estate: Estate) -> Iterator[Hit]:
    """One external ID pinned by several roles, across every audited account: one finding per
    shared ID, on the first role in sorted order, its evidence every role (linear in the roles:
    a finding per role that listed all the others grew with the square of their number)."""
    for external_id, holders in sorted(estate.by_id.items()):
        if len(holders) < 2:
            continue
        ordered = sorted(set(holders), key=lambda h: h[1])
        arns = [arn for _, arn, _ in ordered]
        others = len(arns) - 1
        yield Hit(
            "external-id-reused",
            f"external ID {external_id!r} is trusted by {len(arns)} roles: {arns[0]} and {others} "
            f"other{'s' if others != 1 else ''} (listed in the evidence)",
            arns[0],
            {"external_id": external_id, "roles": arns},
        )


def _name(arn: str) -> str:
    parsed = Arn.parse(arn)
    return parsed.name if parsed else arn
