"""The organization's policies that apply to an account: SCPs (what its principals may do) and
RCPs (what may be done to its resources), level by level from the root to the account.

Read with organizations:ListParents, ListPoliciesForTarget and DescribePolicy (the management
account or a delegated administrator can), or given as files: the JSON that
`aws organizations describe-policy --policy-id ID` prints, or a bare policy document. When they
cannot be read, `OrgPolicies.unread` says why, so verdicts never silently assume there are none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from provisioner.errors import InputError
from provisioner.evaluation import Policy
from provisioner.iam import parse_document, statements
from provisioner.inputs import read_json

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
_LABEL = {SCP: "SCP", RCP: "RCP"}
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass
class OrgPolicies:
    scps: list[list[Policy]] = field(default_factory=list)  # levels: root, OU…, account
    rcps: list[list[Policy]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # why they could not be read
    notes: list[str] = field(default_factory=list)  # assumptions made (FullAWSAccess beside files)

    def describe(self) -> str:
        """A clause for a verdict's detail: what was taken into account, or what was not read."""
        if self.unread:
            return "; ".join(self.unread)
        parts = []
        for label, levels in (("SCP", self.scps), ("RCP", self.rcps)):
            names = [p.name.removeprefix(f"{label} ") for level in levels for p in level]
            if names:
                parts.append(f"{label}s {', '.join(names)} applied")
        return "; ".join(parts + self.notes)


def load_files(scp_files: Sequence[str], rcp_files: Sequence[str]) -> OrgPolicies:
    """Policies given as files, taken as attached at the account's level. A level of files with
    no Allow statement gets AWS's default FullAWSAccess beside it (as every level has unless an
    administrator removed it), and the detail says so."""
    found = OrgPolicies()
    for kind, files, option, levels in (
        (SCP, scp_files, "--scp-file", found.scps),
        (RCP, rcp_files, "--rcp-file", found.rcps),
    ):
        if not files:
            continue
        level = [_load(path, kind, option) for path in files]
        if not any(s.is_allow for p in level for s in statements(p.document)):
            level.append(Policy(f"{_LABEL[kind]} FullAWSAccess", FULL_ACCESS))
            found.notes.append(
                f"{_LABEL[kind]} FullAWSAccess assumed beside {', '.join(files)} (no Allow in them)"
            )
        levels.append(level)
    return found


def _load(path: str, kind: str, option: str) -> Policy:
    data = read_json(path, option)
    name = path.rsplit("/", 1)[-1].removesuffix(".json")
    if isinstance(data, dict) and isinstance(data.get("Policy"), dict):  # describe-policy's answer
        summary = data["Policy"].get("PolicySummary") or {}
        if summary.get("Type") not in (None, kind):
            raise InputError(option, path, f"is a {summary.get('Type')}, not a {kind}")
        name = summary.get("Name") or name
        data = parse_document(data["Policy"].get("Content"))
    if not isinstance(data, dict) or "Statement" not in data:
        raise InputError(
            option,
            path,
            "not a policy: give the JSON of 'aws organizations describe-policy' or a policy document",
        )
    return Policy(f"{_LABEL[kind]} {name}", data)


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
        self.parents: dict[str, list[Any]] = {}
        self.attached: dict[tuple[str, str], list[Policy] | None] = {}  # None: policy type not enabled
        self.described: dict[str, Policy] = {}

    def for_account(self, account: str) -> OrgPolicies:
        from provisioner.aws import AwsError

        found = OrgPolicies()
        try:
            self._check_organization()
            targets = self._path(account)
            for kind, levels in ((SCP, found.scps), (RCP, found.rcps)):
                attached = [self._attached(target, kind) for target in targets]
                if any(level is None for level in attached):
                    continue  # that policy type is not enabled: none of its kind applies
                levels.extend(level for level in attached if level)
        except AwsError as exc:
            if exc.code == "AWSOrganizationsNotInUseException":
                return OrgPolicies()  # not in an organization: no SCP or RCP applies
            if exc.code == "AccountNotFoundException":
                return OrgPolicies(
                    unread=[
                        f"SCPs and RCPs not read: account {account} is not in the organization these "
                        "credentials read (give --scp-file/--rcp-file)"
                    ]
                )
            if exc.code in ("AccessDenied", "AccessDeniedException"):
                return OrgPolicies(
                    unread=[
                        f"SCPs and RCPs not read: {exc.action} denied "
                        "(the management account or a delegated administrator can read them; or give "
                        "--scp-file/--rcp-file with the JSON of 'aws organizations describe-policy')"
                    ]
                )
            raise
        return found

    def _check_organization(self) -> None:
        from provisioner.aws import translate

        if not self.checked:
            with translate("organizations:DescribeOrganization", "finding the organization"):
                self.org.describe_organization()  # a standalone account: AWSOrganizationsNotInUseException
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
