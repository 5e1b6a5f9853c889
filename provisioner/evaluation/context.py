"""The request context a call carries, built from one documented table
(policies/iam/request-context.json, after the IAM User Guide's "AWS global condition context
keys"). validate and audit both build their requests here, so a condition on aws:TokenIssueTime,
aws:userid or aws:PrincipalIsAWSService is decided the way AWS would decide it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from provisioner.data import load_json
from provisioner.model.arn import Arn, role_arn, root_arn

TOKEN_AGE = timedelta(minutes=15)


@cache
def context_table() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = load_json("iam/request-context.json")["keys"]
    return rows


def caller_kind(caller: str) -> str:
    """session, user, root or service (an AWS service principal such as ec2.amazonaws.com)."""
    arn = Arn.parse(caller)
    if arn is None:
        return "service"
    if arn.is_session:
        return "session"
    if arn.is_root:
        return "root"
    return "user" if arn.service == "iam" and arn.resource.startswith("user/") else "session"


def _unique_id(prefix: str, text: str) -> str:
    """A stable, realistic unique ID (AROA…, AIDA…) for a principal we only know by ARN."""
    import hashlib  # here: OpenSSL's start costs every command that never asks ~5 ms

    return prefix + hashlib.sha256(text.encode()).hexdigest()[:17].upper()


def caller_context(
    caller: str,
    *,
    region: str = "us-east-1",
    now: datetime | None = None,
    assume_role_session: str | None = None,
) -> dict[str, Any]:
    """Every key the table says a call by `caller` carries, with its value."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)  # the values hold whole seconds
    return dict(_context(caller, region, now, assume_role_session))


@lru_cache(maxsize=1024)  # validate asks it for each of its S3 requests, with one caller
def _context(caller: str, region: str, now: datetime, assume_role_session: str | None) -> dict[str, Any]:
    kind = caller_kind(caller)
    arn = Arn.parse(caller)
    values: dict[str, str] = {
        "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "epoch": str(int(now.timestamp())),
        "region": region,
        "is_service": "true" if kind == "service" else "false",
        "token_issue_time": (now - TOKEN_AGE).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "service": caller if kind == "service" else "",
        "session_name": assume_role_session or "",
    }
    if arn is not None:
        values["account"] = arn.account
        if kind == "session":
            role = arn.session_role or arn.name
            session = arn.resource.split("/")[-1]
            values["principal_arn"] = role_arn(arn.account, role, partition=arn.partition)
            values["principal_type"] = "AssumedRole"
            values["userid"] = f"{_unique_id('AROA', values['principal_arn'])}:{session}"
        elif kind == "root":
            values["principal_arn"] = root_arn(arn.account, arn.partition)
            values["principal_type"] = "Account"
            values["userid"] = arn.account
        else:
            values["principal_arn"] = caller
            values["principal_type"] = "User"
            values["userid"] = _unique_id("AIDA", caller)
            values["user_name"] = arn.name
    kinds = {kind} | ({"assume-role"} if assume_role_session else set())
    context: dict[str, Any] = {}
    for row in context_table():
        if kinds.isdisjoint(row["present_for"]):
            continue
        value = row["value"]
        for name, filled in values.items():
            value = value.replace("{" + name + "}", filled)
        if "{" not in value:
            context[row["key"]] = value
    return context
