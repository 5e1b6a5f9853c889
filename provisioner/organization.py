"""The organization's policies that apply to an account: SCPs (what its principals may do) and
RCPs (what may be done to its resources), level by level from the root to the account.

Read with organizations:ListParents, ListPoliciesForTarget and DescribePolicy (the management
account or a delegated administrator can), or given as files: the JSON that
`aws organizations describe-policy --policy-id ID` prints, or a bare policy document. When they
cannot be read, `OrgPolicies.unread` says why, so verdicts never silently assume there are none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provisioner.errors import InputError
from provisioner.evaluation import Policy
from provisioner.iam import parse_document, statements
from provisioner.inputs import read_json

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
_LABEL = {SCP: "SCP", RCP: "RCP"}
_DEFAULT = {SCP: "FullAWSAccess", RCP: "RCPFullAWSAccess"}  # the AWS managed policies' names
# arn:aws:organizations::111111111111:policy/o-exampleorgid/resource_control_policy/p-examplepolicyid
_ORG_IN_ARN = re.compile(r":policy/(o-[a-z0-9]{10,32})/")
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass
class OrgPolicies:
    scps: list[list[Policy]] = field(default_factory=list)  # levels: root, OU…, account
    rcps: list[list[Policy]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # why they could not be read
    notes: list[str] = field(default_factory=list)  # assumptions made (FullAWSAccess beside files)
    # the organization's ID (o-…), from DescribeOrganization or a describe-policy file's ARN:
    # the trust analysis knows that no other account's caller is in it (aws:PrincipalOrgID)
    org_id: str | None = None
    # aws:PrincipalOrgPaths of the account's principals ("o-…/r-…/ou-…/"), from ListParents
    # walked to the root; None when not known (policies given as files)
    org_paths: tuple[str, ...] | None = None
    # DescribeOrganization said the account is in no organization: aws:PrincipalOrgID and
    # aws:PrincipalOrgPaths are absent from its principals' requests (not unknown)
    standalone: bool = False
    # the management account, named in a describe-policy file's ARN ("arn:aws:organizations::
    # MANAGEMENT:policy/o-…/…"): no file's policy applies to it (applied_to)
    management: str | None = None

    def applied_to(self, account: str) -> OrgPolicies:
        """These policies as they apply to `account`: none in the management account (the files'
        ARNs name it; rounds 20ac G4 and trust 2: they were applied as given)."""
        if account != self.management:
            return self
        note = MANAGEMENT_NOTE.format(account=account)
        note += ", so the --scp-file/--rcp-file policies, whose ARNs name it, are not applied"
        return OrgPolicies(org_id=self.org_id, management=account, notes=[note])

    def describe(self) -> str:
        """A clause for a verdict's detail: what was taken into account, or what was not read."""
        if self.unread:
            return "; ".join(self.unread)
        parts = []
        for label, levels in (("SCP", self.scps), ("RCP", self.rcps)):
            # once each: FullAWSAccess at the root and at the account is one name to read
            names = list(dict.fromkeys(p.name.removeprefix(f"{label} ") for level in levels for p in level))
            if names:
                parts.append(f"{label}s {', '.join(names)} applied")
        return "; ".join(parts + self.notes)


def given_kinds(org: OrgPolicies) -> OrgPolicies:
    """Files of one kind only (--scp-file without --rcp-file, or the reverse): the other kind is
    not read, never none (round 20ag item 4: an RCP's Deny refuses S3 and sts:AssumeRole whatever
    the role's and the bucket's policies allow; an SCP's the session's calls)."""
    missing = [label for label, levels in (("SCPs", org.scps), ("RCPs", org.rcps)) if not levels]
    if len(missing) != 1:
        return org
    flag = "--scp-file" if missing[0] == "SCPs" else "--rcp-file"
    why = f"{missing[0]} not read: only the other kind was given as files (give {flag} too)"
    return replace(org, unread=[*org.unread, why])


def load_files(scp_files: Sequence[str], rcp_files: Sequence[str]) -> OrgPolicies:
    """Policies given as files: each option value is one level, root first, down to the account
    (AWS Organizations User Guide, "SCP evaluation": "there must be an explicit Allow statement at
    every level from the root through each OU in the direct path to the account"); files attached
    at one level are one value joined with commas (`full.json,deny.json`). A level of files with
    no Allow statement gets AWS's default FullAWSAccess beside it (as every level has unless an
    administrator removed it), and the notes say so, and how many levels were read."""
    found = OrgPolicies()
    for kind, values, option, levels in (
        (SCP, scp_files, "--scp-file", found.scps),
        (RCP, rcp_files, "--rcp-file", found.rcps),
    ):
        for value in values:
            files = [value] if "," not in value or Path(value).exists() else value.split(",")
            if any(not f for f in files):
                raise InputError(option, value, "an empty file name between commas")
            level = [_load(path, kind, option, found) for path in files]
            if not any(s.is_allow for p in level for s in statements(p.document)):
                default = _DEFAULT[kind]  # AWS's managed policy attached at every level by default
                level.append(Policy(f"{_LABEL[kind]} {default}", FULL_ACCESS))
                found.notes.append(
                    f"{_LABEL[kind]} {default} assumed beside {', '.join(files)} (no Allow in them)"
                )
            levels.append(level)
        if len(values) > 1:
            shown = " > ".join("+".join(p.name.removeprefix(f"{_LABEL[kind]} ") for p in lv) for lv in levels)
            found.notes.append(
                f"{_LABEL[kind]} files read as {len(values)} levels, root first ({shown}): each must "
                f"allow; give files attached at one level as one {option} joined with commas"
            )
    return found


def _load(path: str, kind: str, option: str, found: OrgPolicies) -> Policy:
    data = read_json(path, option)
    name = path.rsplit("/", 1)[-1].removesuffix(".json")
    if isinstance(data, dict) and isinstance(data.get("Policy"), dict):  # describe-policy's answer
        summary = data["Policy"].get("PolicySummary") or {}
        if summary.get("Type") not in (None, kind):
            raise InputError(option, path, f"is a {summary.get('Type')}, not a {kind}")
        name = summary.get("Name") or name
        org = _ORG_IN_ARN.search(str(summary.get("Arn") or ""))
        found.org_id = found.org_id or (org.group(1) if org else None)
        owner = re.match(r"arn:[\w-]+:organizations::(\d{12}):", str(summary.get("Arn") or ""))
        found.management = found.management or (owner.group(1) if owner else None)
        data = parse_document(data["Policy"].get("Content"))
    if not isinstance(data, dict) or "Statement" not in data:
        raise InputError(
            option,
            path,
            "not a policy: give the JSON of 'aws organizations describe-policy' or a policy document",
        )
    fault = grammar_fault(data, kind)
    if fault is not None:
        raise InputError(option, path, fault)
    return Policy(f"{_LABEL[kind]} {name}", data)


# --- the grammar of each type -----------------------------------------------------------------
# AWS Organizations User Guide, "SCP syntax", elements summary: Action, Effect, Statement, Sid,
# Version, Condition, NotAction, Resource, NotResource, each "Allow, Deny" (SCPs now take the
# whole IAM language in both effects, NotAction with Allow included). No Principal: an SCP limits
# the principals of the accounts it is attached to.
# "RCP syntax", elements summary: Version, Statement, Sid, Effect, Principal, Action, Resource,
# NotResource, Condition (no NotAction); "The effect of Allow is only supported for the
# RCPFullAWSAccess policy"; "Every RCP must include a Version element with the value
# 2012-10-17" (the SCP page's examples may omit it); its examples all name `"Principal": "*"`
# and narrow callers with conditions (aws:PrincipalOrgID), and that is the only principal an
# RCP takes.
# IAM User Guide, "AWS JSON policy elements: NotPrincipal": "SCPs and RCPs don't support the
# NotPrincipal element".
# "Resource control policies (RCPs)", "List of AWS services that support RCPs": S3, STS, KMS,
# SQS and Secrets Manager since RCPs were launched (AWS Control Tower's "Controls implemented
# with RCPs" lists the same five), then Cognito identity pools, ECR, OpenSearch Serverless,
# CloudWatch Logs and DynamoDB.
_ELEMENTS = {
    SCP: ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"),
    RCP: ("Sid", "Effect", "Principal", "Action", "Resource", "NotResource", "Condition"),
}
RCP_SERVICES = (
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-identity",
    "ecr",
    "aoss",
    "logs",
    "dynamodb",
)
_RCP_FULL_ACCESS = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
_NO_PRINCIPAL = (
    "an SCP has no Principal: it limits the principals of the accounts it is attached to "
    "(is this a trust or resource policy? give the SCP as 'aws organizations describe-policy' prints it)"
)


def grammar_fault(document: dict[str, Any], kind: str) -> str | None:
    """'ELEMENT: RULE' for the first element of `document` that a policy of `kind` (SCP or RCP)
    cannot have, or None. A trust policy, a bucket policy or an identity policy given as an SCP
    or RCP would otherwise be evaluated as one, and drop findings it has no say over."""
    label = _LABEL[kind]
    for key in document:
        if key not in ("Version", "Statement"):
            return f"$.{key}: not an element of an {label} (it has Version and Statement)"
    if document.get("Version", None if kind == RCP else "2012-10-17") != "2012-10-17":
        got = repr(document["Version"]) if "Version" in document else "missing"
        return f'$.Version: {got}: an {label} has "Version": "2012-10-17"'
    raw = document["Statement"]
    items = [("$.Statement", raw)] if isinstance(raw, dict) else None
    if isinstance(raw, list) and raw:
        items = [(f"$.Statement[{i}]", item) for i, item in enumerate(raw)]
    if items is None:
        return "$.Statement: a statement object or a non-empty list of them"
    for path, statement in items:
        fault = _statement_fault(statement, kind)
        if fault is not None:
            return f"{path}{fault}"
    return None


def _statement_fault(statement: Any, kind: str) -> str | None:
    """'.ELEMENT: RULE' for one statement, or None."""
    label = _LABEL[kind]
    if not isinstance(statement, dict):
        return ": a statement is a JSON object"
    for key in statement:
        if key in ("Principal", "NotPrincipal") and kind == SCP:
            return f".{key}: {_NO_PRINCIPAL}"
        if key == "NotPrincipal":
            return '.NotPrincipal: an RCP has no NotPrincipal: its Principal is "*", narrowed by a Condition'
        if key not in _ELEMENTS[kind]:
            return f".{key}: not an element of an {label} ({', '.join(_ELEMENTS[kind])})"
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        return f'.Effect: {effect!r}: "Allow" or "Deny"'
    actions = [a for a in ("Action", "NotAction") if a in statement]
    if len(actions) != 1:
        return f".Action: an {label} statement has {'Action or NotAction' if kind == SCP else 'Action'}" + (
            ", not both" if len(actions) == 2 else ""
        )
    if "Resource" in statement and "NotResource" in statement:
        return ".NotResource: Resource or NotResource, not both"
    element = actions[0]
    values = statement[element]
    values = values if isinstance(values, list) else [values]
    if not values:
        return f".{element}: an empty list: name at least one action"
    for value in values:
        if not isinstance(value, str) or not (value == "*" or re.fullmatch(r"[\w*?-]+:[\w*?-]+", value)):
            return f'.{element}: {value!r}: an action is "*" or "service:Action"'
    if kind == SCP:
        return None
    if statement.get("Principal") != "*":
        got = repr(statement["Principal"]) if "Principal" in statement else "missing"
        return (
            f'.Principal: {got}: an RCP\'s Principal is "*" '
            "(narrow it with a Condition, on aws:PrincipalOrgID say)"
        )
    for value in values:
        service = value.partition(":")[0].lower()
        if value != "*" and service not in RCP_SERVICES:
            return (
                f".Action: {value!r}: RCPs apply to the actions of {', '.join(RCP_SERVICES)} only "
                "(AWS Organizations User Guide, 'List of AWS services that support RCPs')"
            )
    if effect == "Allow" and {k: v for k, v in statement.items() if k != "Sid"} != _RCP_FULL_ACCESS:
        return (
            '.Effect: "Allow" is only supported in RCPFullAWSAccess '
            '({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}); '
            "an RCP of your own denies"
        )
    return None


# AWS Organizations User Guide, "Service control policies (SCPs)": "SCPs don't affect users or
# roles in the management account"; "Resource control policies (RCPs)": "RCPs don't affect
# resources in the management account"
MANAGEMENT_NOTE = (
    "account {account} is the organization's management account: no SCP limits its principals"
    " and no RCP its resources (AWS Organizations User Guide)"
)


def read_for_account(aws: Any, account: str) -> OrgPolicies:
    """The SCP and RCP levels that apply to `account`, read from AWS Organizations."""
    return OrgReader(aws).for_account(account)


class OrgReader:
    """Reads the organization's policies for one account or for all of an audit's, asking AWS
    once per thing however many accounts share it: one DescribeOrganization, one ListParents per
    account or OU, one ListPoliciesForTarget per level and kind, one DescribePolicy per policy
    (an audit of an organization asked again, for every account, for the root's and its OUs')."""

    def __init__(self, aws: Any) -> None:
        self.org = aws.client("organizations")
        self.checked = False  # DescribeOrganization answered (errors are not kept: each account says)
        self.org_id: str | None = None
        self.management: str | None = None  # the management account (DescribeOrganization)
        self.parents: dict[str, list[Any]] = {}
        self.attached: dict[tuple[str, str], list[Policy] | None] = {}  # None: policy type not enabled
        self.described: dict[str, Policy] = {}

    def for_account(self, account: str) -> OrgPolicies:
        from provisioner.aws import AwsError

        found = OrgPolicies()
        try:
            self._check_organization()
            found.org_id = self.org_id
            targets = self._path(account)
            if self.org_id:  # the account's path: its root and OUs ("aws:PrincipalOrgPaths")
                found.org_paths = ("/".join([self.org_id, *targets[:-1]]) + "/",)
            if account == self.management:  # none applies to it (trial 22v item 2)
                found.notes.append(MANAGEMENT_NOTE.format(account=account))
                return found
            for kind, levels in ((SCP, found.scps), (RCP, found.rcps)):
                attached = [self._attached(target, kind) for target in targets]
                if any(level is None for level in attached):
                    continue  # that policy type is not enabled: none of its kind applies
                levels.extend(level for level in attached if level)
        except AwsError as exc:
            if exc.code == "AWSOrganizationsNotInUseException":
                return OrgPolicies(standalone=True)  # not in an organization: no SCP or RCP applies
            # what DescribeOrganization said is kept: the organization's ID decides
            # aws:PrincipalOrgID (round 20af item 4: it was dropped with the rest)
            why = {
                "AccountNotFoundException": f"{exc.action} did not find account {account} (it answers "
                "the management account or a delegated administrator; or give --scp-file/--rcp-file)",
                "AccessDenied": f"{exc.action} denied (the management account or a delegated "
                "administrator can read them; or give --scp-file/--rcp-file with the JSON of "
                "'aws organizations describe-policy')",
            }.get("AccessDenied" if exc.code == "AccessDeniedException" else str(exc.code))
            if why is not None:
                unread = [f"SCPs and RCPs not read: {why}"]
                return OrgPolicies(org_id=self.org_id, management=self.management, unread=unread)
            raise
        return found

    def _check_organization(self) -> None:
        from provisioner.aws import translate

        if not self.checked:
            with translate("organizations:DescribeOrganization", "finding the organization"):
                # a standalone account: AWSOrganizationsNotInUseException
                answer = self.org.describe_organization()
            self.org_id = (answer.get("Organization") or {}).get("Id")
            self.management = (answer.get("Organization") or {}).get("MasterAccountId")
            self.checked = True

    def _path(self, account: str) -> list[str]:
        """The targets from the root down to the account."""
        from provisioner.aws import translate

        targets = [account]
        child = account
        while True:
            if child not in self.parents:
                with translate("organizations:ListParents", f"finding the parents of {child}"):
                    self.parents[child] = self.org.list_parents(ChildId=child)["Parents"]
            parents = self.parents[child]
            if not parents:
                return targets
            child = parents[0]["Id"]
            targets.insert(0, child)
            if parents[0]["Type"] == "ROOT":
                return targets

    def _attached(self, target: str, kind: str) -> list[Policy] | None:
        from provisioner.aws import AwsError, paginate_all, translate

        key = (target, kind)
        if key not in self.attached:
            try:
                with translate(
                    "organizations:ListPoliciesForTarget", f"listing the {_LABEL[kind]}s of {target}"
                ):
                    summaries = paginate_all(
                        self.org, "list_policies_for_target", "Policies", TargetId=target, Filter=kind
                    )
            except AwsError as exc:
                if exc.code != "PolicyTypeNotEnabledException":
                    raise
                self.attached[key] = None
                return None
            self.attached[key] = [self._describe(summary, kind) for summary in summaries]
        return self.attached[key]

    def _describe(self, summary: Any, kind: str) -> Policy:
        from provisioner.aws import translate

        if summary["Id"] not in self.described:
            with translate("organizations:DescribePolicy", f"reading {_LABEL[kind]} {summary['Name']}"):
                content = self.org.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
            self.described[summary["Id"]] = Policy(
                f"{_LABEL[kind]} {summary['Name']}", parse_document(content)
            )
        return self.described[summary["Id"]]
