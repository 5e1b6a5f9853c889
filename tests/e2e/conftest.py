"""A moto server on 127.0.0.1 for the whole session, reset and re-seeded before each test."""

from __future__ import annotations

import os

# moto reads this once, at import: without it the server echoes any Origin.
os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"

import json
import urllib.request
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from provisioner import sandbox
from provisioner.aws import Aws

BUCKET = sandbox.DEMO_BUCKET
EXTERNAL_ID = "ckx5y2abcd0001zz"


@pytest.fixture(scope="session")
def server():
    box = sandbox.start(0, seed_demo=False, aws_managed_policies=False)
    yield box
    box.stop()


def _post(endpoint: str, path: str, body: bytes = b"") -> None:
    request = urllib.request.Request(
        f"{endpoint}{path}", data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture(autouse=True)
def quick_cors_settle(monkeypatch):
    """CORS writes are re-read after a jittered wait (role/apply.py); tests that are not about
    concurrent writers skip the wait. The concurrency tests set it back."""
    import importlib

    # the module, not the function the package re-exports under the same name
    monkeypatch.setattr(importlib.import_module("provisioner.role.apply"), "SETTLE_SECONDS", 0.0)


@pytest.fixture
def box(server):
    """A freshly reset sandbox: demo bucket, vendor roles, IAM auth off."""
    _post(server.endpoint, "/moto-api/reset-auth", b"inf")
    _post(server.endpoint, "/moto-api/reset")
    from moto.organizations.models import organizations_backends

    organizations_backends.master_accounts.clear()  # moto's reset keeps it (organization's member)
    server.vendor_accounts.clear()
    sandbox.seed(server)
    return server


@pytest.fixture
def aws_managed(box, monkeypatch):
    """The sandbox with AWS's managed policies in IAM, for this test only (moto reads
    MOTO_IAM_LOAD_MANAGED_POLICIES when it makes an account's IAM, and its server runs in this
    process): about 70 ms for each account the test touches."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    _post(box.endpoint, "/moto-api/reset")
    box.vendor_accounts.clear()
    sandbox.seed(box)
    return box


@pytest.fixture
def customer(box):
    """boto3 clients acting as the customer's admin, to arrange and inspect state."""
    session = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT)

    class Clients:
        iam = session.client("iam", endpoint_url=box.endpoint)
        s3 = session.client("s3", endpoint_url=box.endpoint)

    return Clients


@pytest.fixture
def make_aws(box):
    """An Aws (the package's edge) against the sandbox, optionally with event hooks."""

    def make(hooks: dict[str, Any] | None = None, max_attempts: int = 2) -> Aws:
        session = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT)
        for event, handler in (hooks or {}).items():
            session.events.register(event, handler)
        return Aws(session=session, endpoint_url=box.endpoint, max_attempts=max_attempts)

    return make


@pytest.fixture
def aws_env(box, tmp_path, monkeypatch):
    """Environment for CLI runs against the sandbox, with no real AWS config in reach."""
    env = {
        "AWS_ENDPOINT_URL": box.endpoint,
        "AWS_ACCESS_KEY_ID": sandbox.SANDBOX_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": sandbox.SANDBOX_SECRET,
        "AWS_DEFAULT_REGION": sandbox.DEMO_REGION,
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def refuse(code: str, status: int = 403, message: str = "injected by the test"):
    """A before-call handler that answers an operation with an AWS error, as AWS would."""

    def handler(**_: Any):
        response = AWSResponse("https://iam.amazonaws.com/", status, {}, None)
        return response, {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    return handler


def trust_of(iam, role_name: str) -> dict:
    document = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def snapshot(customer) -> dict:
    """The parts of the account create-role touches, for before/after comparisons."""
    iam, s3 = customer.iam, customer.s3
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        full = iam.get_role(RoleName=name)["Role"]
        roles[name] = {
            "trust": trust_of(iam, name),
            "tags": sorted((t["Key"], t["Value"]) for t in full.get("Tags", [])),
            "attached": sorted(
                a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            ),
            "max": full["MaxSessionDuration"],
        }
    policies = {}
    for policy in iam.list_policies(Scope="Local")["Policies"]:
        versions = iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]
        default = next(v for v in versions if v["IsDefaultVersion"])
        document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=default["VersionId"])
        policies[policy["Arn"]] = (len(versions), document["PolicyVersion"]["Document"])
    try:
        cors = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    except s3.exceptions.ClientError:
        cors = None
    return {"roles": roles, "policies": policies, "cors": cors}


MANAGEMENT_ACCOUNT = "999900001111"  # the organization's management account, not the customer's


def organization(box: Any, *, managed_by_customer: bool = False) -> tuple[Any, str]:
    """An organization with the customer's account as a member, with SCPs and RCPs enabled:
    (an organizations client of the customer's account, the root ID). SCPs and RCPs do not apply
    to the management account (AWS Organizations User Guide), so a member's is what they limit.
    moto has no invitations: the member is put in the management account's organization through
    moto's backend (its server runs in this process), and the customer's client reads it as a
    delegated administrator's would. `managed_by_customer`: the customer's is the management
    account (moto's create_organization, as the demo's)."""
    import contextlib

    customer = sandbox.session_for(sandbox.CUSTOMER_ACCOUNT).client(
        "organizations", endpoint_url=box.endpoint
    )
    if managed_by_customer:
        customer.create_organization(FeatureSet="ALL")
    else:
        _member_organization()
    org = customer
    root = org.list_roots()["Roots"][0]["Id"]
    for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        with contextlib.suppress(org.exceptions.ClientError):  # already enabled
            org.enable_policy_type(RootId=root, PolicyType=kind)
    return org, root


def managed_policy(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    """A customer-managed policy of these statements in the sandbox; its ARN."""
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    arn: str = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    return arn


def forward(handler: Any, upstream: str, body: bytes | None) -> None:
    """Pass one request an http.server handler received on to `upstream` (the sandbox) and its
    answer back: for test proxies that stand between the CLI and moto."""
    import http.client
    import urllib.parse

    target = urllib.parse.urlparse(upstream)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    headers = {k: v for k, v in handler.headers.items() if k.lower() != "content-length"}
    connection.request(handler.command, handler.path, body=body or None, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    handler.send_response(response.status)
    for key, value in response.getheaders():
        if key.lower() not in ("transfer-encoding", "content-length", "connection"):
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(payload)


def _member_organization() -> None:
    """An organization of MANAGEMENT_ACCOUNT with the customer's account in it (see organization)."""
    from moto.organizations import utils
    from moto.organizations.models import FakeAccount, organizations_backends

    management = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
    management.create_organization(region=sandbox.DEMO_REGION, FeatureSet="ALL")
    assert management.org is not None
    member = FakeAccount(management.org, AccountName="customer", Email="customer@example.com")
    member.id = sandbox.CUSTOMER_ACCOUNT
    management.accounts.append(member)
    for default in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):  # as create_account does
        management.attach_policy(PolicyId=default, TargetId=sandbox.CUSTOMER_ACCOUNT)
    organizations_backends.master_accounts[sandbox.CUSTOMER_ACCOUNT] = (MANAGEMENT_ACCOUNT, "aws")
    mine = organizations_backends[sandbox.CUSTOMER_ACCOUNT]["aws"]
    mine.org, mine.accounts, mine.ou, mine.policies = (
        management.org,
        management.accounts,
        management.ou,
        management.policies,
    )
