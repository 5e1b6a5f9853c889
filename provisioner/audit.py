"""`provision audit`: every role another account can assume, judged by the evaluator.

gather_account reads an account in bulk (GetAccountAuthorizationDetails, Role and
LocalManagedPolicy, never a call per role); load_file reads the JSON `aws iam
get-account-authorization-details` prints; audit_accounts runs the rules (pure) over either.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from provisioner.errors import InputError, ProvisionerError
from provisioner.evaluation import Policy, Request, assume_role_request, evaluate, session_arn
from provisioner.iam import (
    WRITE_LEVELS,
    aws_principals,
    external_id_values,
    parse_document,
    s3_actions,
    statements,
    strings,
)
from provisioner.inputs import external_id_warnings
from provisioner.lint import Rule, load_rules
from provisioner.vendors import vendor_for_account

SEVERITIES = ("critical", "high", "medium", "low", "info")
_RANDOM_ID = "provisioner-audit-" + secrets.token_hex(6)  # an ID no vendor issued
UNUSED_DAYS = 90
OUTSIDER_ACCOUNT = "000000000000"
PROBE_BUCKET = "provisioner-audit-probe-bucket"


def rules() -> dict[str, Rule]:
    return load_rules("audit-rules.json")


@dataclass(frozen=True)
class Finding:
    account: str
    role_arn: str
    role: str
    vendor: str
    rule: str
    severity: str
    message: str
    evidence: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AccountData:
    """One account's roles and its customer-managed policies, as GAAD returns them."""

    account: str
    roles: list[dict[str, Any]] = field(default_factory=list)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # ARN -> default version document
    error: str | None = None


@dataclass
class AuditResult:
    accounts: list[str]
    findings: list[Finding]
    roles_seen: int
    roles_listed: list[dict[str, str]]

    def fails(self, threshold: str) -> bool:
        if threshold == "none":
            return False
        limit = SEVERITIES.index(threshold)
        return any(SEVERITIES.index(f.severity) <= limit for f in self.findings)


# --- reading ------------------------------------------------------------------------------


def _account_data(account: str, pages: Iterable[dict[str, Any]]) -> AccountData:
    data = AccountData(account)
    for page in pages:
        data.roles.extend(page.get("RoleDetailList", []))
        for policy in page.get("Policies", []):
            default = next(
                (v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
            )
            if default is not None:
                data.policies[policy["Arn"]] = parse_document(default.get("Document"))
    return data


def gather_account(aws: Any, progress: Callable[[int], None] | None = None) -> AccountData:
    """GetAccountAuthorizationDetails, Role and LocalManagedPolicy, following Marker pages."""
    from provisioner.aws import translate

    account = aws.account_id()
    iam = aws.client("iam")
    pages = []
    marker = None
    while True:
        params: dict[str, Any] = {"Filter": ["Role", "LocalManagedPolicy"], "MaxItems": 1000}
        if marker:
            params["Marker"] = marker
        with translate("iam:GetAccountAuthorizationDetails", f"reading account {account}"):
            page = iam.get_account_authorization_details(**params)
        pages.append(page)
        if progress:
            progress(len(page.get("RoleDetailList", [])))
        if not page.get("IsTruncated"):
            break
        marker = page["Marker"]
    return _account_data(account, pages)


def load_file(path: str, text: str | None = None) -> AccountData:
    """The JSON of `aws iam get-account-authorization-details` (the file cloudsplaining reads)."""
    option = "--from-file"
    if text is None:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        except FileNotFoundError:
            raise InputError(option, path, "no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(option, path, f"cannot be read ({exc})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            option, path, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("RoleDetailList"), list):
        raise InputError(
            option,
            path,
            "not the output of 'aws iam get-account-authorization-details': no RoleDetailList list",
        )
    for index, role in enumerate(raw["RoleDetailList"]):
        if not isinstance(role, dict) or "Arn" not in role or "AssumeRolePolicyDocument" not in role:
            raise InputError(option, path, f"RoleDetailList[{index}] has no Arn or AssumeRolePolicyDocument")
    if not isinstance(raw.get("Policies", []), list):
        raise InputError(option, path, "Policies is not a list")
    accounts = {role["Arn"].split(":")[4] for role in raw["RoleDetailList"] if role["Arn"].count(":") >= 5}
    return _account_data(sorted(accounts)[0] if accounts else "unknown", [raw])


# --- judging one role ---------------------------------------------------------------------


def _session(account: str, role: str = "probe-role", partition: str = "aws") -> str:
    return session_arn(account, role, "provisioner-audit", partition)


def _assume(role_arn: str, caller: str, external_id: str | None) -> Request:
    return assume_role_request(caller, role_arn, external_id)


def _named_principals(trust: Any) -> list[tuple[str, Any]]:
    """(AWS principal, statement) for Allow statements that let an AWS principal assume."""
    out = []
    for statement in statements(trust):
        if not statement.is_allow:
            continue
        out.extend((value, statement) for value in aws_principals(statement))
    return out


def _principal_account(value: str) -> str | None:
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" else None


def _caller_for(value: str) -> str:
    """A caller the principal value names: a session of the role, the user, or a role of the account."""
    account = _principal_account(value) or OUTSIDER_ACCOUNT
    parts = value.split(":", 5)
    if len(parts) == 6:
        resource = parts[5]
        if resource.startswith("role/"):
            return _session(account, resource.rsplit("/", 1)[-1], parts[1])
        if resource.startswith(("user/", "assumed-role/")):
            return value  # the user, or that one session
    return _session(account, "any-role-in-the-account")


# (findings as (rule, message, statement path), external?, vendor names, pinned ID placeholders)
TrustVerdict = tuple[list[tuple[str, str, Any]], bool, str, list[str]]
# (write actions allowed, why any bucket can be read or None, the actions as shown)
GrantVerdict = tuple[list[str], str | None, str]


@dataclass
class Memo:
    """Verdicts of one run, by document: roles with the same trust (abstracted from its pinned
    external IDs: the many service roles, one vendor's integrations) or the same policy set
    are judged once. Trust and grant verdicts never depend on the role's own name."""

    trust: dict[tuple[str, frozenset[str], str], TrustVerdict] = field(default_factory=dict)
    grants: dict[tuple[str, str], GrantVerdict] = field(default_factory=dict)


@dataclass
class RoleVerdict:
    findings: list[Finding]
    external: bool
    vendor: str
    pinned_ids: list[str]


def judge_role(
    role: dict[str, Any],
    account: str,
    policies: dict[str, Any],
    *,
    org_accounts: frozenset[str] = frozenset(),
    now: datetime | None = None,
    memo: Memo | None = None,
) -> RoleVerdict:
    """Every rule but external-id-reused (which needs all roles) for one role. Verdicts on
    documents already seen in this run come from `memo`."""
    arn, name = role["Arn"], role.get("RoleName", role["Arn"].rsplit("/", 1)[-1])
    trust_doc = parse_document(role.get("AssumeRolePolicyDocument"))
    abstract, ids = _abstract_external_ids(trust_doc)
    key = (account, org_accounts, repr(abstract))  # repr: a fast, faithful key for JSON data
    memo = memo if memo is not None else Memo()
    if key not in memo.trust:
        memo.trust[key] = _judge_trust(abstract, account, org_accounts)
    cached, external, vendor, placeholders = memo.trust[key]
    found = []
    if cached:
        by_path = {statement.path: statement.body for statement in statements(trust_doc)}
        found = [(rule_id, message, by_path.get(path)) for rule_id, message, path in cached]
    pinned = sorted({ids[p] for p in placeholders if p in ids})
    for external_id in pinned:
        if external_id_warnings(external_id):
            found.append(
                (
                    "external-id-weak",
                    f"external ID {external_id!r} is short or guessable",
                    {"sts:ExternalId": external_id},
                )
            )
    if external:
        found += _grant_findings(role, name, account, policies, memo)
        found += _unused(role, name, now or datetime.now(UTC))
    findings = [
        Finding(account, arn, name, vendor, rule_id, rules()[rule_id].severity, message, evidence)
        for rule_id, message, evidence in found
    ]
    return RoleVerdict(findings, external, vendor, pinned)


_PINNING = ("stringequals", "stringequalsignorecase")


def _abstract_external_ids(document: Any) -> tuple[Any, dict[str, str]]:
    """The trust document with each pinned external ID value (StringEquals on sts:ExternalId)
    replaced by a placeholder, and the placeholders' values. Trusts that differ only in their
    IDs (one per vendor integration) then share one verdict; the IDs are judged per role."""
    if not _mentions_external_id(document):
        return document, {}
    ids: dict[str, str] = {}

    def walk(node: Any, inside: str | None = None) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if inside == "operator" and key.lower() == "sts:externalid":
                    out[key] = (
                        [_placeholder(ids, v) for v in value]
                        if isinstance(value, list)
                        else _placeholder(ids, value)
                    )
                elif key == "Condition" and isinstance(value, dict):
                    out[key] = {
                        op: walk(v, "operator" if op.lower() in _PINNING else None) for op, v in value.items()
                    }
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document), ids


def _mentions_external_id(document: Any) -> bool:
    raw = document.get("Statement") if isinstance(document, dict) else None
    for statement in raw if isinstance(raw, list) else [raw]:
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        if isinstance(condition, dict):
            for pairs in condition.values():
                if isinstance(pairs, dict) and any(k.lower() == "sts:externalid" for k in pairs):
                    return True
    return False


def _placeholder(ids: dict[str, str], value: Any) -> Any:
    if not isinstance(value, str):
        return value
    name = f"provisioner-external-id-{len(ids)}"
    ids[name] = value
    return name


def _judge_trust(trust_doc: Any, account: str, org_accounts: frozenset[str]) -> TrustVerdict:
    """The trust rules, decided by the evaluator: who, presenting what, may assume the role."""
    trust = [Policy("trust policy", trust_doc)]
    arn = f"arn:aws:iam::{account}:role/audited-role"
    found: list[tuple[str, str, Any]] = []
    anyone = evaluate(trust, _assume(arn, _session(OUTSIDER_ACCOUNT, "outsider"), None))
    if anyone.allowed:
        found.append(
            (
                "trust-any-principal",
                f"any AWS account can assume the role: {anyone.reason()}",
                (anyone.allows or anyone.denies)[0].path,
            )
        )
    vendor_names: set[str] = set()
    external = anyone.allowed
    pinned: list[str] = []
    for value, statement in _named_principals(trust_doc):
        principal_account = _principal_account(value)
        if value == "*" or principal_account in (None, account) or principal_account in org_accounts:
            continue
        known = vendor_for_account(principal_account)
        if known:
            vendor_names.add(known.display_name)
        caller = _caller_for(value)
        ids = external_id_values(statement, ("StringEquals", "StringEqualsIgnoreCase"))
        with_id = evaluate(trust, _assume(arn, caller, ids[0] if ids else _RANDOM_ID))
        without_id = evaluate(trust, _assume(arn, caller, None))
        wrong_id = evaluate(trust, _assume(arn, caller, _RANDOM_ID))
        if not (with_id.allowed or without_id.allowed or wrong_id.allowed):
            continue  # named, but refused whatever it presents (an explicit Deny, say)
        external = True
        has_condition = any(key.lower() == "sts:externalid" for _, key, _ in statement.conditions())
        if without_id.allowed and not has_condition:
            found.append(
                (
                    "cross-account-no-external-id",
                    f"{value} can assume the role without an external ID: {without_id.reason()}",
                    statement.path,
                )
            )
        elif without_id.allowed or wrong_id.allowed:
            how = "without an external ID" if without_id.allowed else "with any external ID"
            decision = without_id if without_id.allowed else wrong_id
            found.append(
                (
                    "external-id-not-pinned",
                    f"{value} can assume the role {how}: {decision.reason()}",
                    statement.path,
                )
            )
        else:
            pinned.extend(ids)
        if value.endswith(":root") or (value.isdigit() and len(value) == 12):
            other = _session(principal_account, "some-other-role")
            if evaluate(trust, _assume(arn, other, ids[0] if ids else None)).allowed:
                found.append(
                    (
                        "trusts-account-root",
                        f"every principal of account {principal_account} that may "
                        "call sts:AssumeRole can assume the role",
                        statement.path,
                    )
                )
    return found, external, ", ".join(sorted(vendor_names)), sorted(set(pinned))


def _role_policies(role: dict[str, Any], policies: dict[str, Any]) -> list[Policy]:
    out = [
        Policy(f"inline policy {p.get('PolicyName')}", parse_document(p.get("PolicyDocument")))
        for p in role.get("RolePolicyList", []) or []
    ]
    for attached in role.get("AttachedManagedPolicies", []) or []:
        document = policies.get(attached.get("PolicyArn", ""))
        if document is not None:
            out.append(Policy(f"policy {attached.get('PolicyName')}", document))
    return out


def _probe_resources(documents: list[Policy]) -> list[str]:
    """S3 resources to ask about: those the policies name (wildcards filled in) and a bucket no
    policy names, so a grant on '*' shows."""
    found = {f"arn:aws:s3:::{PROBE_BUCKET}", f"arn:aws:s3:::{PROBE_BUCKET}/x"}
    for policy in documents:
        for statement in statements(policy.document):
            for resource in strings(statement.body.get("Resource")):
                if resource.startswith("arn:") and ":s3:::" in resource:
                    found.add(resource.replace("*", "x").replace("?", "x"))
    return sorted(found)


def _grant_findings(
    role: dict[str, Any], name: str, account: str, policies: dict[str, Any], memo: Memo
) -> list[tuple[str, str, Any]]:
    documents = _role_policies(role, policies)
    if not documents:
        return []
    key = (account, repr([p.document for p in documents]))
    if key not in memo.grants:
        memo.grants[key] = _judge_grants(documents, account)
    writes, wide, shown = memo.grants[key]
    found: list[tuple[str, str, Any]] = []
    if writes:
        found.append(
            (
                "vendor-write-access",
                f"the role, which another account can assume, may {shown}",
                {"actions": writes},
            )
        )
    if wide:
        found.append(
            (
                "vendor-resource-wildcard",
                f"the role, which another account can assume, may read any bucket: {wide}",
                None,
            )
        )
    return found


def _write_candidates(documents: list[Policy]) -> list[str]:
    """S3 write-level actions some Allow statement could grant (the evaluator then decides)."""
    from provisioner.iam import expand_s3, split_action

    every = [f"s3:{a}" for a, level in s3_actions().items() if level in WRITE_LEVELS]
    candidates: set[str] = set()
    for policy in documents:
        for statement in statements(policy.document):
            if not statement.is_allow:
                continue
            if "NotAction" in statement.body:
                return every
            for action in strings(statement.body.get("Action")):
                service, pattern = split_action(action)
                if service == "" and pattern == "*":
                    return every
                if service == "s3":
                    candidates.update(
                        f"s3:{a}" for a, level in expand_s3(pattern).items() if level in WRITE_LEVELS
                    )
    return sorted(candidates)


def _judge_grants(documents: list[Policy], account: str) -> GrantVerdict:
    caller = _session(account, "vendor-role")
    writes = []
    resources = _probe_resources(documents)
    for action in _write_candidates(documents):
        if any(evaluate(documents, Request(caller, action, resource)).allowed for resource in resources):
            writes.append(action)
    wide = evaluate(documents, Request(caller, "s3:GetObject", f"arn:aws:s3:::{PROBE_BUCKET}/x"))
    headline = ("s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:PutObjectAcl", "s3:DeleteBucket")
    ordered = sorted(writes, key=lambda a: (a not in headline, headline.index(a) if a in headline else 0, a))
    shown = ", ".join(ordered[:5]) + (f" and {len(writes) - 5} more" if len(writes) > 5 else "")
    return sorted(writes), (wide.reason() if wide.allowed else None), shown


def _unused(role: dict[str, Any], name: str, now: datetime) -> list[tuple[str, str, Any]]:
    last = (role.get("RoleLastUsed") or {}).get("LastUsedDate")
    if isinstance(last, str):
        try:
            last = datetime.fromisoformat(last.replace("Z", "+00:00"))
        except ValueError:
            last = None
    if last is None:
        return [("role-unused", "never used (or not in the 400 days IAM tracks)", None)]
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if now - last > timedelta(days=UNUSED_DAYS):
        return [
            (
                "role-unused",
                f"{name} was last used {last.date().isoformat()}, over {UNUSED_DAYS} days ago",
                {"LastUsedDate": last.isoformat()},
            )
        ]
    return []


# --- all roles ----------------------------------------------------------------------------


def audit(
    data: list[AccountData],
    *,
    org_accounts: frozenset[str] = frozenset(),
    vendor: str | None = None,
    all_roles: bool = False,
    now: datetime | None = None,
) -> AuditResult:
    """The rules over every role of every account (pure)."""
    memo = Memo()
    findings: list[Finding] = []
    listed: list[dict[str, str]] = []
    by_id: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    seen = 0
    for account in data:
        if account.error:
            rule = rules()["account-unreachable"]
            findings.append(Finding(account.account, "", "", "", rule.id, rule.severity, account.error))
            continue
        for role in account.roles:
            seen += 1
            verdict = judge_role(
                role, account.account, account.policies, org_accounts=org_accounts, now=now, memo=memo
            )
            if vendor and vendor.lower() not in verdict.vendor.lower():
                continue
            if verdict.external or all_roles:
                listed.append(
                    {
                        "account": account.account,
                        "role_arn": role["Arn"],
                        "vendor": verdict.vendor,
                        "external": str(verdict.external).lower(),
                    }
                )
            findings.extend(verdict.findings)
            for external_id in verdict.pinned_ids:
                by_id[external_id].append((account.account, role["Arn"], verdict.vendor))
    rule = rules()["external-id-reused"]
    for external_id, holders in sorted(by_id.items()):
        if len(holders) > 1:
            arns = [arn for _, arn, _ in holders]
            for account, arn, vendor_name in holders:
                findings.append(
                    Finding(
                        account,
                        arn,
                        arn.rsplit("/", 1)[-1],
                        vendor_name,
                        rule.id,
                        rule.severity,
                        f"external ID {external_id!r} is trusted by {len(holders)} roles: {', '.join(arns)}",
                        {"sts:ExternalId": external_id, "roles": arns},
                    )
                )
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.account, f.role_arn, f.rule))
    return AuditResult(sorted({d.account for d in data}), findings, seen, listed)


def gather_accounts(
    make_aws: Callable[[str | None], Any],
    accounts: list[str | None],
    *,
    workers: int = 4,
    progress: Callable[[int], None] | None = None,
) -> list[AccountData]:
    """Read several accounts concurrently (bounded). A member account that fails is reported and
    does not stop the others; the admin's own account (None) failing is the admin's own error."""

    def one(account: str | None) -> AccountData:
        if account is None:
            return gather_account(make_aws(None), progress)
        try:
            return gather_account(make_aws(account), progress)
        except ProvisionerError as exc:
            return AccountData(account, error=f"account {account}: {exc}")

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(accounts)))) as pool:
        return list(pool.map(one, accounts))


# --- outputs ------------------------------------------------------------------------------


def to_sarif(result: AuditResult, version: str) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per rule id, level by severity."""
    level = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    used = sorted({f.rule for f in result.findings})
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "provisioner",
                        "version": version,
                        "informationUri": "https://pypi.org/project/provisioner/",
                        "rules": [
                            {
                                "id": rule_id,
                                "name": rule_id.replace("-", " ").title().replace(" ", ""),
                                "shortDescription": {"text": rules()[rule_id].title},
                                "help": {"text": rules()[rule_id].remediation},
                                "defaultConfiguration": {"level": level[rules()[rule_id].severity]},
                                "properties": {
                                    "security-severity": {
                                        "critical": "9.5",
                                        "high": "8.0",
                                        "medium": "5.5",
                                        "low": "3.0",
                                        "info": "0.0",
                                    }[rules()[rule_id].severity]
                                },
                            }
                            for rule_id in used
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": f.rule,
                        "ruleIndex": used.index(f.rule),
                        "level": level[f.severity],
                        "message": {"text": f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.role_arn or f"aws://{f.account}"}
                                },
                                "logicalLocations": [
                                    {
                                        "name": f.role or f.account,
                                        "fullyQualifiedName": f.role_arn or f.account,
                                        "kind": "resource",
                                    }
                                ],
                            }
                        ],
                        "properties": {"account": f.account, "vendor": f.vendor, "severity": f.severity},
                    }
                    for f in result.findings
                ],
            }
        ],
    }


def to_csv(result: AuditResult) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["account", "role_arn", "role", "vendor", "rule", "severity", "message"])
    for f in result.findings:
        writer.writerow([f.account, f.role_arn, f.role, f.vendor, f.rule, f.severity, f.message])
    return buffer.getvalue()


# --- multi-account ------------------------------------------------------------------------


def member_aws(base: Any, member_role: str) -> Callable[[str | None], Any]:
    """A factory: the admin's own Aws for None, else an Aws acting in ACCOUNT through its role."""
    from provisioner.aws import Aws, translate

    partition = "aws"

    def make(account: str | None) -> Any:
        if account is None:
            return base
        role_arn = f"arn:{partition}:iam::{account}:role/{member_role}"
        with translate("sts:AssumeRole", f"assuming {role_arn}"):
            credentials = base.client("sts").assume_role(
                RoleArn=role_arn, RoleSessionName="provisioner-audit"
            )["Credentials"]
        import boto3

        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=base.region,
        )
        return Aws(session=session, endpoint_url=base.endpoint_url)

    return make


def organization_accounts(base: Any) -> list[str]:
    """The ACTIVE accounts of the organization (organizations:ListAccounts)."""
    from provisioner.aws import paginate_all, translate

    with translate("organizations:ListAccounts", "listing the organization's accounts"):
        accounts = paginate_all(base.client("organizations"), "list_accounts", "Accounts")
    return [a["Id"] for a in accounts if a.get("Status") == "ACTIVE"]
