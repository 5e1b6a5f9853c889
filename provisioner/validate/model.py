"""validate's types: the spec, the snapshot gather reads, verdicts, the report; check metadata."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from provisioner.data import load_json
from provisioner.evaluation import Policy
from provisioner.model import Arn, Status, session_arn
from provisioner.organization import OrgPolicies
from provisioner.vendors import Vendor

if TYPE_CHECKING:
    from provisioner.aws import Aws

SESSION_NAME = "provisioner-validate"
Json = dict[str, Any]


@dataclass(frozen=True)
class ValidateSpec:
    """What validate is asked about: the role the vendor assumes, with what, to read what."""

    role_arn: str
    external_id: str
    bucket: str
    vendor: Vendor
    prefix: str | None = None
    key: str | None = None
    strict: bool = False
    scp_files: tuple[str, ...] = ()  # describe-policy JSON, when Organizations cannot be read
    rcp_files: tuple[str, ...] = ()
    # Account selection the printed remediation commands repeat: the --profile, --region and
    # --endpoint-url given on validate's own command line (what came from the environment
    # comes from it again when the command is run in the same shell).
    selection: tuple[str, ...] = ()
    # --role-name: a role of the caller's account; api.validate turns it into role_arn (give "")
    role: str | None = None

    @property
    def arn(self) -> Arn:
        arn = Arn.parse(self.role_arn)
        if arn is None:
            raise ValueError(f"not a role ARN: {self.role_arn!r}")
        return arn

    @property
    def account(self) -> str:
        return self.arn.account

    @property
    def partition(self) -> str:
        return self.arn.partition

    @property
    def role_name(self) -> str:
        return self.arn.name

    @property
    def session_arn(self) -> str:
        return session_arn(self.account, self.role_name, SESSION_NAME, self.partition)

    @property
    def sample_key(self) -> str:
        return self.key or f"{self.prefix or ''}provisioner-sample-object"

    @property
    def sts_region(self) -> str:
        return self.vendor.sts_region or "us-east-1"


@dataclass(frozen=True)
class AccessPoint:
    """One of the bucket's access points in the role's account (s3control ListAccessPoints) and
    its policy (GetAccessPointPolicy; None: it has none)."""

    name: str
    arn: str
    origin: str = "Internet"  # NetworkOrigin: "VPC" takes requests from one VPC only
    policy: Json | None = None


@dataclass
class Snapshot:
    """What gather read. None means 'not there'; `unreadable` lists the reads AWS refused."""

    role: Json | None = None
    identity_policies: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None  # the role's permissions boundary, when it has one
    bucket_exists: bool = True
    # not among the credentials' ListBuckets: another account's (its policy must grant the role)
    bucket_foreign: bool = False
    bucket_region: str = "us-east-1"
    bucket_policy: Json | None = None
    cors: list[Json] | None = None
    kms_key: str | None = None
    # SSE-KMS with an S3 Bucket Key (the object's HeadObject, else GetBucketEncryption): S3's
    # kms:Decrypt then carries the bucket's ARN as its encryption context, not the object's
    bucket_key_enabled: bool = False
    key_policy: Json | None = None
    org: OrgPolicies = field(default_factory=OrgPolicies)
    object_ownership: str | None = None  # GetBucketOwnershipControls; None: no controls (ACLs on)
    bucket_owner: str | None = None  # canonical IDs, read only for --key when ACLs are on
    object_owner: str | None = None
    object_acl_grants_owner: bool = False
    # with ACLs on, the bucket ACL's grants that let someone other than the owner write or change
    # it (GetBucketAcl, GetPublicAccessBlock: public ones the block ignores are left out), in words
    acl_writes: tuple[str, ...] = ()
    # with --key and ACLs on, the object ACL's grants of WRITE_ACP or FULL_CONTROL (round 20ac G5)
    object_acl_writes: tuple[str, ...] = ()
    # the account's other roles whose trust names this role (ListRoles): (role ARN, trust policy)
    trusting: list[tuple[str, Json]] = field(default_factory=list)
    # the account's other buckets' and KMS keys' policies that may grant the role on their own:
    # (kind "bucket" or "key", ARN, policy); and what of them could not be read
    other_policies: list[tuple[str, str, Json]] = field(default_factory=list)
    others_unread: list[str] = field(default_factory=list)
    own_buckets: list[str] | None = None  # ListBuckets' names (None: refused, or not read)
    # every role of the account (ListRoles): (role ARN, trust policy), for validate/chained.py
    account_roles: list[tuple[str, Json]] = field(default_factory=list)
    # where the bucket policy delegates to the account's access points: theirs (validate/points.py)
    access_points: list[AccessPoint] = field(default_factory=list)
    # the Multi-Region Access Points over the bucket (their policies are not read: a WARN)
    multi_region_points: list[str] = field(default_factory=list)
    # --key: HeadObject said there is no such object (False too when not asked, or refused)
    object_missing: bool = False
    unreadable: list[str] = field(default_factory=list)
    attached: list[Json] = field(default_factory=list)  # {"PolicyName", "PolicyArn", "Tags": {...}}
    inline: list[str] = field(default_factory=list)  # the role's inline policy names

    @property
    def role_tags(self) -> dict[str, str]:
        """The role's tags (GetRole's Tags: all of them), key to value."""
        tags = (self.role or {}).get("Tags") or []
        return {
            t["Key"]: str(t.get("Value", ""))
            for t in tags
            if isinstance(t, dict) and isinstance(t.get("Key"), str)
        }


@dataclass
class Check:
    """One check's verdict, named like the vendor's (AWSAssumeRole), with a stable code."""

    name: str
    status: Status
    code: str | None = None
    detail: str = ""
    remediation: str = ""
    static: Status | None = None  # the static verdict, when a live one was also made
    live: Status | None = None
    # the `provision ...` commands in the remediation, each to run as printed (shlex quoting)
    commands: tuple[str, ...] = ()
    # a code-less WARN's own remediation in policies/checks.json (DEPENDS_ON_VENDOR); not in JSON
    remedy: str | None = None

    @property
    def message(self) -> str:
        return messages().get(self.code or "", "") if self.code else ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "success": self.status.succeeds,
            "status": str(self.status),
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
            "remediation": self.remediation if self.status in (Status.FAIL, Status.WARN) else "",
            "commands": list(self.commands) if self.status in (Status.FAIL, Status.WARN) else [],
        }
        if self.live is not None:
            out["static"] = str(self.static) if self.static else None
            out["live"] = str(self.live)
        return out


@dataclass
class Report:
    role_arn: str
    checks: list[Check]

    @property
    def valid(self) -> bool:
        return all(c.status is not Status.FAIL for c in self.checks)

    @property
    def undecided(self) -> list[str]:
        """The checks that could not be decided (a WARN without a code, or one saying "not
        decided"): with them, no FAIL is not a pass. A WARN with a code (PERMISSIONS_TOO_BROAD)
        is a decided finding."""
        return [
            c.name
            for c in self.checks
            if c.status is Status.WARN and (c.code is None or "not decided" in (c.detail or ""))
        ]

    def verdict(self) -> str:
        """The report's one line: VALID only when every check was decided and none fails."""
        if not self.valid:
            failed = ", ".join(c.name for c in self.checks if c.status is Status.FAIL)
            return f"INVALID: {failed} failed for {self.role_arn}"
        if self.undecided:
            return (
                f"NOT DECIDED: no check fails for {self.role_arn}, but {', '.join(self.undecided)} could "
                "not be decided (see each one's detail): the vendor's checks may still fail"
            )
        return f"VALID: the vendor's checks will pass for {self.role_arn}"

    def to_dict(self) -> dict[str, Any]:
        """`valid`: no check fails (exit 0; Labelbox's validateIamIntegration field). `decided`:
        every check was decided, so `valid` is a pass; false beside `"valid": true` is the
        NOT DECIDED line: the checks in `undecided` may still fail."""
        return {
            "valid": self.valid,
            "decided": not self.undecided,
            "undecided": self.undecided,
            "role_arn": self.role_arn,
            "checks": [c.to_dict() for c in self.checks],
        }


Fetch = Callable[[urllib.request.Request], tuple[int, dict[str, str], bytes]]


@dataclass
class LiveOptions:
    """How to act as the vendor. sandbox=True when the endpoint is moto, which does not
    enforce trust policies (its answers to the refused-assume probes prove nothing)."""

    vendor_aws: Aws
    sandbox: bool = False
    wait_seconds: float = 30.0
    fetch: Fetch | None = None


# --- check metadata (policies/checks.json) -------------------------------------------------


@cache
def check_data() -> dict[str, Json]:
    return {c["name"]: c for c in load_json("checks.json")["checks"]}


@cache
def messages() -> dict[str, str]:
    return {code: text for c in check_data().values() for code, text in c["codes"].items()}


def check_names() -> list[str]:
    return list(check_data())


def remediation_template(name: str, code: str | None = None) -> str:
    """A check's remediation in policies/checks.json: the code's own when it has one."""
    data = check_data().get(name, {})
    by_code: dict[str, str] = data.get("remediations", {})
    return str(by_code.get(code or "") or data.get("remediation", ""))


def fill_remedy(name: str, values: dict[str, str], code: str | None = None) -> str:
    """A check's remediation (policies/checks.json) with its {placeholders} filled."""
    template = remediation_template(name, code)
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def verdict(
    name: str, status: Status, spec: ValidateSpec, code: str | None = None, detail: str = ""
) -> Check:
    """A Check; its remediation is filled from what was read (validate/fixes.py)."""
    if code is not None and code not in check_data()[name]["codes"]:
        raise ValueError(f"{code} is not a code of {name} in policies/checks.json")
    return Check(name, status, code, detail)


ORG_UNREAD = "NOT_DECIDED_ORGANIZATION_POLICIES"  # checks.json: SCPs and RCPs not read


def org_unseen(name: str, spec: ValidateSpec, state: Snapshot, ok: str, bucket: bool = True) -> Check | None:
    """A grant's WARN where the SCPs and RCPs could not be read (IAM User Guide, "Policy
    evaluation logic": either may refuse what every other policy grants): never a PASS (round
    20af item 2: a member account, whose ListParents is refused); nor for a bucket of another
    account (`bucket`: its organization's RCPs are not read; round 20af item 1)."""
    foreign = bucket and state.bucket_foreign
    if not state.org.unread and not foreign:
        return None
    elsewhere = f"bucket {spec.bucket} is another account's (not among ListBuckets'), whose RCPs are not read"
    why = "; ".join([*state.org.unread, *([elsewhere] if foreign else [])])
    notes = f" ({'; '.join(state.org.notes)})" if state.org.notes else ""  # what was applied
    detail = f"not decided: {ok}, but {why}: a Deny there would refuse it unseen{notes}"
    return replace(verdict(name, Status.WARN, spec, None, detail), remedy=ORG_UNREAD)
