"""Reads only: an account's roles and policies in bulk (GetAccountAuthorizationDetails through
botocore's paginator, never a call per role), the same from a file offline, several accounts
through a member role, and the organization's accounts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from provisioner.audit.model import AccountData, Json, RoleDetail, collector_paused
from provisioner.aws import Aws, managed_policy, new_session, paginate_all, translate
from provisioner.errors import InputError, ProvisionerError
from provisioner.iam import parse_document
from provisioner.inputs import read_json
from provisioner.model import role_arn

if TYPE_CHECKING:  # imported where used: an offline audit starts no thread (and no logging)
    from concurrent.futures import Future, ThreadPoolExecutor

Progress = Callable[[int], None]
PAGE_SIZE = 1000  # GAAD's MaxItems ceiling
READERS = 4  # managed-policy reads at once
T = TypeVar("T")


@contextlib.contextmanager
def _threads(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that, when the run stops (Ctrl-C), does not wait for its workers: they may
    be blocked in a network read for botocore's whole read timeout, times its retries."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def account_data(account: str, pages: Iterable[Json]) -> AccountData:
    """Roles and customer-managed policies' default versions from GAAD pages."""
    data = AccountData(account)
    for page in pages:
        _add_page(data, page)
    return data


def _add_page(data: AccountData, page: Json) -> list[RoleDetail]:
    roles = [RoleDetail.from_gaad(raw) for raw in page.get("RoleDetailList", [])]
    data.roles.extend(roles)
    for policy in page.get("Policies", []):
        default = next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        if default is not None:
            data.policies[policy["Arn"]] = parse_document(default.get("Document"))
    return roles


class ManagedPolicies:
    """The managed policies the download lacks (GetPolicy and GetPolicyVersion), each read once
    per run: an AWS-managed policy is the same in every account, however many are audited. A
    read starts in `pool` as soon as a page of the download names the policy, so the reads go on
    while the rest of the download does."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.reads: dict[str, Future[tuple[Any, str | None]]] = {}
        self.lock = threading.Lock()

    def start(self, iam: Any, arns: Iterable[str]) -> None:
        with self.lock:
            for arn in arns:
                if arn not in self.reads:
                    self.reads[arn] = self.pool.submit(_read_managed, iam, arn)

    def get(self, iam: Any, arn: str) -> tuple[Any, str | None]:
        """The policy's document (None when it cannot be read) and the note that says so."""
        self.start(iam, [arn])
        return self.reads[arn].result()


def _read_managed(iam: Any, arn: str) -> tuple[Any, str | None]:
    try:
        _, document = managed_policy(iam, arn)
        return parse_document(document), None
    except ProvisionerError as exc:
        return None, f"{exc}: the roles it is attached to are judged without it"


def gather_account(
    aws: Aws, progress: Progress | None = None, *, managed: ManagedPolicies | None = None
) -> AccountData:
    """GetAccountAuthorizationDetails (Role, LocalManagedPolicy), every page; the AWS-managed
    policies its roles name are read beside it (`managed`: shared by the accounts of a run)."""
    if managed is None:
        with _threads(READERS) as pool:
            return gather_account(aws, progress, managed=ManagedPolicies(pool))
    account = aws.account_id()
    iam = aws.client("iam")
    data = AccountData(account)
    with translate("iam:GetAccountAuthorizationDetails", f"reading account {account}"):
        for page in iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["Role", "LocalManagedPolicy"], PaginationConfig={"PageSize": PAGE_SIZE}
        ):
            if progress:
                progress(len(page.get("RoleDetailList", [])))
            roles = _add_page(data, page)
            # AWS-managed ones only: a customer-managed policy may come on a later page
            managed.start(iam, [a for a in _wanted(roles, {}) if ":aws:policy/" in a])
    read_aws_managed(aws, data, managed=managed)
    return data


def aws_managed_wanted(data: AccountData) -> list[str]:
    """AWS-managed policies (attached or as boundary) of roles another account might assume that
    the download lacks: GAAD's LocalManagedPolicy filter leaves them out, and AWSManagedPolicy
    would bring every one of them. Service roles (no AWS principal, no "*") are never judged for
    their grants, so their many AWS-managed policies are not read."""
    return _wanted(data.roles, data.policies)


def _wanted(roles: Iterable[RoleDetail], known: dict[str, Any]) -> list[str]:
    wanted: dict[str, None] = {}
    for role in roles:
        if not (role.attached or role.permissions_boundary) or not _names_aws_principal(role.trust):
            continue  # nothing to read, or nobody outside to read it for
        arns = [arn for _, arn in role.attached]
        if role.permissions_boundary:
            arns.append(role.permissions_boundary)
        wanted.update((a, None) for a in arns if a not in known)
    return list(wanted)


def _names_aws_principal(trust: Any) -> bool:
    """A raw walk of the trust, not iam.statements/aws_principals: this runs for every role of
    the download, and building Statement objects costs 8x more (15 ms per 10,000 roles, about 4 %
    of an offline audit) to answer a yes/no most service roles answer at once."""
    raw = trust.get("Statement") if isinstance(trust, dict) else None
    for statement in raw if isinstance(raw, list) else [raw]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if principal == "*" or (isinstance(principal, dict) and "AWS" in principal):
            return True
    return False


def read_aws_managed(aws: Aws, data: AccountData, *, managed: ManagedPolicies | None = None) -> None:
    """GetPolicy and GetPolicyVersion (the default version) for each policy `aws_managed_wanted`
    names, through `managed` (those it has read or is reading are not asked again); one that
    cannot be read is a note, and the verdicts go on without it."""
    wanted = aws_managed_wanted(data)
    if not wanted:
        return
    if managed is None:
        with _threads(min(READERS, len(wanted))) as pool:
            read_aws_managed(aws, data, managed=ManagedPolicies(pool))
        return
    iam = aws.client("iam")
    managed.start(iam, wanted)
    for arn in wanted:
        document, note = managed.get(iam, arn)
        if document is not None:
            data.policies[arn] = document
        if note:
            data.notes.append(note)


# AWS Managed Policy Reference Guide, "AdministratorAccess": its one statement allows every
# action on every resource. A download filtered to local policies lacks it; the role that has it
# is then judged with it, not as a role with no grants (trial 22e: "data: nothing").
ADMINISTRATOR_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def load_file(path: str, text: str | None = None) -> AccountData:
    """The JSON of `aws iam get-account-authorization-details` (the file cloudsplaining reads)."""
    with collector_paused():
        return _load_file(path, text)


def _load_file(path: str, text: str | None) -> AccountData:
    option = "from_file"
    raw = read_json(path, option, text)
    if not isinstance(raw, dict) or not isinstance(raw.get("RoleDetailList"), list):
        raise InputError(
            option,
            path,
            "not the output of 'aws iam get-account-authorization-details': no RoleDetailList list",
        )
    accounts: set[str] = set()
    for index, role in enumerate(raw["RoleDetailList"]):
        if not isinstance(role, dict) or "Arn" not in role or "AssumeRolePolicyDocument" not in role:
            raise InputError(option, path, f"RoleDetailList[{index}] has no Arn or AssumeRolePolicyDocument")
        account = _account_field(role["Arn"])
        if account is not None:
            accounts.add(account)
    if not isinstance(raw.get("Policies", []), list):
        raise InputError(option, path, "Policies is not a list")
    data = account_data(sorted(accounts)[0] if accounts else "unknown", [raw])
    for arn in aws_managed_wanted(data):
        if arn.split(":", 1)[-1].endswith(":iam::aws:policy/AdministratorAccess"):
            data.policies[arn] = ADMINISTRATOR_ACCESS  # known without the file: it is every action
    missing = aws_managed_wanted(data)
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        data.notes.append(
            f"{len(missing)} managed policies attached to (or bounding) roles another account might "
            f"assume are not in {path}: {shown}; those roles are judged without them (download "
            "with no --filter, or with AWSManagedPolicy)"
        )
    return data


def _account_field(arn: Any) -> str | None:
    """An ARN's account field, as Arn.parse reads it (None: not an ARN), without making an Arn
    for each of the file's roles."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else None


def gather_accounts(
    make_aws: Callable[[str | None], Aws],
    accounts: list[str | None],
    *,
    workers: int = 4,
    progress: Progress | None = None,
    account_done: Progress | None = None,
) -> list[AccountData]:
    """Read several accounts concurrently (bounded). A member account that fails is reported and
    does not stop the others; the admin's own account (None) failing is the admin's own error."""

    def one(account: str | None) -> AccountData:
        try:
            if account is None:
                return gather_account(make_aws(None), progress, managed=managed)
            try:
                return gather_account(make_aws(account), progress, managed=managed)
            except ProvisionerError as exc:
                return AccountData(account, error=f"account {account}: {exc}")
        finally:
            if account_done is not None:
                account_done(1)

    with _threads(READERS) as readers, _threads(min(workers, len(accounts))) as pool:
        managed = ManagedPolicies(readers)  # one for the run: each AWS-managed policy read once
        return list(pool.map(one, accounts))


@contextlib.contextmanager
def beside(read: Callable[[str], T], keys: Iterable[str]) -> Iterator[dict[str, Future[T]]]:
    """read(key) for each key, one after another in one thread, while the caller goes on (the
    organization's policies while the accounts download). A read's error is raised where its
    result is asked for, and only there."""
    with _threads(1) as pool:
        yield {key: pool.submit(read, key) for key in dict.fromkeys(keys)}


def member_aws(base: Aws, member_role: str) -> Callable[[str | None], Aws]:
    """A factory: the admin's own Aws for None, else an Aws acting in ACCOUNT through its role."""

    def make(account: str | None) -> Aws:
        if account is None:
            return base
        arn = role_arn(account, member_role, partition=base.partition())
        with translate("sts:AssumeRole", f"assuming {arn}"):
            credentials = base.client("sts").assume_role(RoleArn=arn, RoleSessionName="provisioner-audit")[
                "Credentials"
            ]
        session = new_session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=base.region,
        )
        return Aws(session=session, endpoint_url=base.endpoint_url)

    return make


def organization_accounts(base: Aws) -> list[str]:
    """The ACTIVE accounts of the organization (organizations:ListAccounts)."""
    with translate("organizations:ListAccounts", "listing the organization's accounts"):
        accounts: list[Any] = paginate_all(base.client("organizations"), "list_accounts", "Accounts")
    return [a["Id"] for a in accounts if a.get("Status") == "ACTIVE"]
