"""Pure: for whom an AWS service principal a bucket policy grants may act, from the statement's
source conditions (IAM User Guide, "The confused deputy problem": "use the aws:SourceArn and
aws:SourceAccount global condition context keys in resource-based policies to limit the
permissions that the service gives another service to the resource"; "AWS global condition
context keys": aws:SourceAccount, aws:SourceArn, aws:SourceOrgID, aws:SourceOrgPaths).

Only a source of the bucket's own account, an audited account, or the audited organization is
the protected case. A source of another account is that account reaching the bucket through the
service (a party, named). A source any account matches (a wildcard account, no condition) is the
confused deputy. What cannot be decided (a negated operator, a source bucket of an account not
read, another organization) is not decided: a WARN, never a pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from provisioner.iam import Statement, has_wildcard

# The keys that tie a service's request to the resource (and account) it acts for.
SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")
OURS = "ours"  # a source of the audited organization (no one account)


@dataclass(frozen=True)
class Sources:
    """The accounts the service may act for (None: any account, or not decided: `note` says)."""

    accounts: frozenset[str] | None
    note: str
    confused: bool = False  # any account's resource: the confused deputy


def service_sources(
    statement: Statement,
    service: str,
    ours: frozenset[str],
    org_ids: frozenset[str] = frozenset(),
    bucket_accounts: Mapping[str, str] | None = None,
) -> Sources:
    """`ours`: the bucket's and the audited accounts; `bucket_accounts`: each read bucket's
    account (an S3 source ARN names no account)."""
    keys = list(statement.conditions())
    source = [(op, key, values) for op, key, values in keys if key.lower() in SOURCE_KEYS]
    if not keys:
        return Sources(
            None,
            f"confused deputy: no aws:SourceAccount or aws:SourceArn condition, so {service} acting "
            "for any account's resource gets this",
            confused=True,
        )
    if len(source) != len(keys):
        return Sources(None, "")  # other conditions: the condition decides (not decided)
    said = "; ".join(f"{key} {' or '.join(str(v) for v in values)}" for _, key, values in source)
    found: frozenset[str] | None = None  # the keys are ANDed: the accounts all of them allow
    for op, key, values in source:
        base = op.split(":", 1)[-1]
        if "Not" in base or base.endswith("IfExists") or base == "Null":
            return Sources(None, f"not decided: {op} on {key} ({said})")
        accounts: set[str] = set()
        for value in values:
            like = "Like" in base or base.startswith("Arn")  # ArnEquals takes wildcards too
            one = _accounts(key.lower(), str(value), like, org_ids, bucket_accounts or {})
            if isinstance(one, str):
                return Sources(None, f"not decided: {one} ({said})")
            accounts |= one
        if "*" not in accounts:
            found = frozenset(accounts) if found is None else found & accounts
    if found is None:
        return Sources(
            None,
            f"confused deputy: {said} matches any account's resource, so {service} acting for any "
            "account gets this",
            confused=True,
        )
    return Sources(found, said)


def _accounts(
    key: str, value: str, like: bool, org_ids: frozenset[str], bucket_accounts: Mapping[str, str]
) -> set[str] | str:
    """The accounts one value allows ({"*"}: any), or why it cannot be decided."""
    wild = like and has_wildcard(value)
    if key == "aws:sourceaccount":
        return {"*"} if wild else {value}
    if key in ("aws:sourceorgid", "aws:sourceorgpaths"):
        org = value.split("/", 1)[0]
        if like and has_wildcard(org):
            return {"*"}
        return {OURS} if org in org_ids else f"{key} {value} is of an organization not audited"
    parts = value.split(":", 5)  # aws:sourcearn: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
    if len(parts) < 6:
        return {"*"} if wild else f"aws:SourceArn {value} is not an ARN"
    account = parts[4]
    if account:
        return {"*"} if like and has_wildcard(account) else {account}
    bucket = parts[5].split("/", 1)[0]  # an S3 ARN names no account: the bucket's owner
    if like and has_wildcard(bucket):
        return {"*"}
    owner = bucket_accounts.get(bucket)
    return {owner} if owner else f"the account of the source bucket {bucket} is not known (not read)"
