"""`provision validate`: the checks the vendor runs, answered first and with reasons.

Static checks: gather the role, its policies, the bucket's policy, CORS and encryption and
the KMS key policy (gather_state), then decide every check with the evaluator (static_checks,
pure). Live checks (--live): act as the vendor, assume the role, read with the session, fetch
a signed URL and send the vendor's Origin (live_checks). Verdicts carry Labelbox-style names
and stable codes from policies/checks.json.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from provisioner.aws import Aws, AwsError, paginate_all, read_or_none, translate
from provisioner.cors import cors_rule_for
from provisioner.data import load_json
from provisioner.evaluation import Decision, Policy, Request, assume_role_request, evaluate, session_arn
from provisioner.iam import (
    WRITE_LEVELS,
    aws_principals,
    external_id_values,
    parse_document,
    s3_actions,
    statements,
)
from provisioner.inputs import region_of_location
from provisioner.vendors import Vendor

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
PROBE_BUCKET = "provisioner-probe-other-bucket"
WRONG_ID = "provisioner-probe-wrong-external-id"
OUTSIDER = "arn:aws:sts::000000000000:assumed-role/outsider/provisioner-probe"
SESSION_NAME = "provisioner-validate"


@dataclass
class Check:
    name: str
    status: str
    code: str | None = None
    detail: str = ""
    remediation: str = ""
    static: str | None = None  # the static verdict, when a live one was also made
    live: str | None = None

    @property
    def message(self) -> str:
        return _messages().get(self.code or "", "") if self.code else ""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "success": self.status in (PASS, WARN, SKIP),
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
            "remediation": self.remediation if self.status in (FAIL, WARN) else "",
        }
        if self.live is not None:
            out["static"], out["live"] = self.static, self.live
        return out


@dataclass
class Target:
    """What validate is asked about."""

    role_arn: str
    external_id: str
    bucket: str
    vendor: Vendor
    prefix: str | None = None
    key: str | None = None
    strict: bool = False

    @property
    def account(self) -> str:
        return self.role_arn.split(":")[4]

    @property
    def partition(self) -> str:
        return self.role_arn.split(":")[1]

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def session_arn(self) -> str:
        return session_arn(self.account, self.role_name, SESSION_NAME, self.partition)

    @property
    def sample_key(self) -> str:
        return self.key or f"{self.prefix or ''}provisioner-sample-object"


@dataclass
class State:
    """What gather_state read. None means 'not there'; readable flags say what we could not read."""

    role: dict[str, Any] | None = None
    identity_policies: list[Policy] = field(default_factory=list)
    bucket_exists: bool = True
    bucket_region: str = "us-east-1"
    bucket_policy: dict[str, Any] | None = None
    cors: list[dict[str, Any]] | None = None
    kms_key: str | None = None
    key_policy: dict[str, Any] | None = None
    unreadable: list[str] = field(default_factory=list)


@cache
def _check_data() -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in load_json("checks.json")["checks"]}


@cache
def _messages() -> dict[str, str]:
    return {code: text for c in _check_data().values() for code, text in c["codes"].items()}


def check_names() -> list[str]:
    return list(_check_data())


def _remedy(name: str, target: Target) -> str:
    template = _check_data()[name]["remediation"]
    values = {
        "bucket": target.bucket,
        "external_id": target.external_id,
        "role_name": target.role_name,
        "prefix": target.prefix or "",
    }
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _result(name: str, status: str, target: Target, code: str | None = None, detail: str = "") -> Check:
    return Check(name, status, code, detail, _remedy(name, target) if status in (FAIL, WARN) else "")


# --- gather -------------------------------------------------------------------------------


def gather_state(aws: Aws, target: Target) -> State:
    """Read the role, its policies, and the bucket's policy, CORS and encryption."""
    state = State()
    iam = aws.client("iam")
    state.role = read_or_none(
        "iam:GetRole",
        f"reading role {target.role_name}",
        lambda: iam.get_role(RoleName=target.role_name)["Role"],
    )
    if state.role is not None:
        state.identity_policies = _role_policies(iam, target.role_name)
    _gather_bucket(aws, target, state)
    return state


def _role_policies(iam: Any, name: str) -> list[Policy]:
    policies = []
    with translate("iam:ListRolePolicies", f"reading role {name}"):
        inline = paginate_all(iam, "list_role_policies", "PolicyNames", RoleName=name)
    for policy_name in inline:
        with translate("iam:GetRolePolicy", f"reading inline policy {policy_name}"):
            document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        policies.append(Policy(f"inline policy {policy_name}", parse_document(document)))
    with translate("iam:ListAttachedRolePolicies", f"reading role {name}"):
        attached = paginate_all(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
    for item in attached:
        with translate("iam:GetPolicy", f"reading policy {item['PolicyArn']}"):
            policy = iam.get_policy(PolicyArn=item["PolicyArn"])["Policy"]
        with translate("iam:GetPolicyVersion", f"reading policy {item['PolicyArn']}"):
            version = iam.get_policy_version(
                PolicyArn=item["PolicyArn"], VersionId=policy["DefaultVersionId"]
            )["PolicyVersion"]
        policies.append(Policy(f"policy {item['PolicyName']}", parse_document(version["Document"])))
    return policies


def _gather_bucket(aws: Aws, target: Target, state: State) -> None:
    s3 = aws.client("s3")
    bucket = target.bucket
    try:
        with translate("s3:GetBucketLocation", f"reading bucket {bucket}"):
            location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
        state.bucket_region = region_of_location(location)
    except AwsError as exc:
        if exc.code in ("NoSuchBucket", "404"):
            state.bucket_exists = False
            return
        raise
    state.bucket_policy = _optional(
        state,
        "s3:GetBucketPolicy",
        ("NoSuchBucketPolicy",),
        lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
    )
    rules = _optional(
        state,
        "s3:GetBucketCORS",
        ("NoSuchCORSConfiguration",),
        lambda: s3.get_bucket_cors(Bucket=bucket)["CORSRules"],
    )
    state.cors = rules
    key = _sample_object_key_id(aws, target, state)
    if key is None:
        encryption = _optional(
            state,
            "s3:GetEncryptionConfiguration",
            ("ServerSideEncryptionConfigurationNotFoundError",),
            lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
        )
        for rule in (encryption or {}).get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            if default.get("SSEAlgorithm", "").startswith("aws:kms"):
                key = default.get("KMSMasterKeyID") or "alias/aws/s3"
    if key is not None:
        kms = aws.client("kms", region=state.bucket_region)
        described = _optional(
            state, "kms:DescribeKey", (), lambda: kms.describe_key(KeyId=key)["KeyMetadata"]
        )
        state.kms_key = described["Arn"] if described else key
        if described:
            state.key_policy = _optional(
                state,
                "kms:GetKeyPolicy",
                (),
                lambda: json.loads(
                    kms.get_key_policy(KeyId=described["KeyId"], PolicyName="default")["Policy"]
                ),
            )


def _sample_object_key_id(aws: Aws, target: Target, state: State) -> str | None:
    """The KMS key of the sample object (--key), which may differ from the bucket default."""
    if not target.key:
        return None
    head = _optional(
        state,
        "s3:GetObject",
        ("404", "NoSuchKey"),
        lambda: aws.client("s3").head_object(Bucket=target.bucket, Key=target.key),
    )
    if head and str(head.get("ServerSideEncryption", "")).startswith("aws:kms"):
        return head.get("SSEKMSKeyId")
    return None


def _optional(state: State, action: str, absent: tuple[str, ...], read: Callable[[], Any]) -> Any:
    """A read whose absence is normal; AccessDenied is noted (the check says what it could not see)."""
    try:
        return read_or_none(action, "", read, absent)
    except AwsError as exc:
        if exc.code in ("AccessDenied", "AccessDeniedException"):
            state.unreadable.append(action)
            return None
        raise


# --- static checks ------------------------------------------------------------------------


def vendor_caller(vendor: Vendor) -> str:
    """The ARN the vendor's service calls STS as: a session of its role (or of any role in its
    account when the profile trusts the account root)."""
    parts = vendor.principal.split(":", 5)
    partition, account, resource = parts[1], parts[4], parts[5]
    if resource.startswith("role/"):
        return f"arn:{partition}:sts::{account}:assumed-role/{resource.rsplit('/', 1)[-1]}/vendor-session"
    if resource.startswith("user/"):
        return vendor.principal
    return f"arn:{partition}:sts::{account}:assumed-role/vendor-service/vendor-session"


def assume_request(target: Target, caller: str, external_id: str | None) -> Request:
    return assume_role_request(
        caller,
        target.role_arn,
        external_id,
        **{
            "aws:CurrentTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:RequestedRegion": target.vendor.sts_region or "us-east-1",
        },
    )


def _trust(state: State) -> list[Policy]:
    return (
        [Policy("trust policy", parse_document(state.role["AssumeRolePolicyDocument"]))] if state.role else []
    )


def check_assume_role(state: State, target: Target) -> Check:
    name = "AWSAssumeRole"
    if state.role is None:
        return _result(
            name,
            FAIL,
            target,
            "ROLE_CANNOT_BE_ASSUMED",
            f"role {target.role_arn} does not exist in account {target.account}",
        )
    decision = evaluate(
        _trust(state), assume_request(target, vendor_caller(target.vendor), target.external_id)
    )
    if decision.allowed:
        return _result(
            name, PASS, target, detail=f"{target.vendor.principal} with the external ID: {decision.reason()}"
        )
    return _result(name, FAIL, target, "ROLE_CANNOT_BE_ASSUMED", _why_not_assumable(state, target, decision))


def _why_not_assumable(state: State, target: Target, decision: Decision) -> str:
    if decision.denies:
        return f"{target.vendor.principal}: {decision.reason()}"
    trust = parse_document(state.role["AssumeRolePolicyDocument"])
    caller = vendor_caller(target.vendor)
    named = [s for s in statements(trust) if s.is_allow and _names(s, caller)]
    if not named:
        trusted = sorted({p for s in statements(trust) if s.is_allow for p in aws_principals(s)})
        return (
            f"the trust policy does not name {target.vendor.principal} "
            f"(it trusts {', '.join(trusted) or 'no AWS principal'})"
        )
    expected = sorted({i for s in named for i in external_id_values(s)})
    if expected and target.external_id not in expected:
        return (
            f"the trust's sts:ExternalId condition ({named[0].path}) expects "
            f"{', '.join(expected)}, not {target.external_id}"
        )
    paths = ", ".join(s.path for s in named)
    return f"the conditions of {paths} refuse the vendor's request ({decision.reason()})"


def _names(statement: Any, caller: str) -> bool:
    from provisioner.evaluation import principal_matches

    return principal_matches(statement.body.get("Principal"), caller)


def check_external_id(state: State, target: Target) -> Check:
    name = "AWSExternalID"
    if state.role is None:
        return _result(name, SKIP, target, detail="the role does not exist")
    trust = _trust(state)
    vendor = vendor_caller(target.vendor)
    probes = [
        ("the vendor without an external ID", vendor, None),
        (f"the vendor with another external ID ({WRONG_ID})", vendor, WRONG_ID),
        ("a principal of another AWS account, with the right external ID", OUTSIDER, target.external_id),
        ("a principal of another AWS account, without an external ID", OUTSIDER, None),
    ]
    open_to = []
    for what, caller, external_id in probes:
        decision = evaluate(trust, assume_request(target, caller, external_id))
        if decision.allowed:
            open_to.append(f"{what}: {decision.reason()}")
    if open_to:
        return _result(
            name,
            FAIL,
            target,
            "EXTERNAL_ID_CONFIGURED_INSECURELY",
            "the role can be assumed by " + "; ".join(open_to),
        )
    return _result(name, PASS, target, detail="no external ID, another ID or another account is let in")


def _s3_request(target: Target, action: str, resource: str, **context: Any) -> Request:
    base = {
        "aws:PrincipalArn": f"arn:{target.partition}:iam::{target.account}:role/{target.role_name}",
        "aws:PrincipalAccount": target.account,
        "aws:PrincipalType": "AssumedRole",
        "aws:SecureTransport": "true",
        "aws:userid": f"AROAEXAMPLE:{SESSION_NAME}",
    }
    base.update(context)
    return Request(target.session_arn, action, resource, base)


def _s3_policies(state: State) -> list[Policy]:
    policies = list(state.identity_policies)
    if state.bucket_policy:
        policies.append(Policy("bucket policy", state.bucket_policy))
    return policies


def check_bucket_access(state: State, target: Target) -> Check:
    name = "AWSBucketAccess"
    if not state.bucket_exists:
        return _result(name, FAIL, target, "BUCKET_NOT_FOUND", f"bucket {target.bucket} does not exist")
    if state.role is None:
        return _result(name, SKIP, target, detail="the role does not exist")
    bucket_arn = f"arn:{target.partition}:s3:::{target.bucket}"
    denied = []
    for action, context in (
        ("s3:ListBucket", {"s3:prefix": target.prefix or ""}),
        ("s3:GetBucketLocation", {}),
    ):
        decision = evaluate(
            _s3_policies(state), _s3_request(target, action, bucket_arn, **context), account_delegates=True
        )
        if not decision.allowed:
            denied.append(f"{action} on {bucket_arn}: {decision.reason()}")
    if denied:
        return _result(name, FAIL, target, "BUCKET_ACCESS_DENIED", "; ".join(denied) + _unread(state))
    return _result(name, PASS, target, detail=f"s3:ListBucket and s3:GetBucketLocation on {bucket_arn}")


def _unread(state: State) -> str:
    return f" (could not read: {', '.join(state.unreadable)})" if state.unreadable else ""


def check_object_read(state: State, target: Target) -> Check:
    name = "AWSObjectRead"
    if state.role is None or not state.bucket_exists:
        return _result(name, SKIP, target, detail="the role or the bucket does not exist")
    object_arn = f"arn:{target.partition}:s3:::{target.bucket}/{target.sample_key}"
    decision = evaluate(
        _s3_policies(state), _s3_request(target, "s3:GetObject", object_arn), account_delegates=True
    )
    if not decision.allowed:
        return _result(
            name, FAIL, target, "OBJECT_READ_DENIED", f"s3:GetObject on {object_arn}: {decision.reason()}"
        )
    if state.kms_key is None:
        return _result(name, PASS, target, detail=f"s3:GetObject on {object_arn}")
    verdict, detail = kms_decrypt(state, target)
    if verdict == FAIL:
        return _result(name, FAIL, target, "KMS_DECRYPT_DENIED", detail)
    if verdict == WARN:
        return _result(name, WARN, target, None, detail)
    return _result(name, PASS, target, detail=f"s3:GetObject on {object_arn}; {detail}")


def kms_decrypt(state: State, target: Target) -> tuple[str, str]:
    """kms:Decrypt through S3: the key policy must allow the role, or allow the account (and
    so delegate to IAM) while the role's policies allow it. ("AWS KMS: Key policies".)"""
    key = state.kms_key or ""
    request = _s3_request(
        target,
        "kms:Decrypt",
        key,
        **{
            "kms:ViaService": f"s3.{state.bucket_region}.amazonaws.com",
            "kms:CallerAccount": target.account,
        },
    )
    identity = evaluate(state.identity_policies, request, account_delegates=True)
    if state.key_policy is None:
        if identity.allowed:
            return WARN, (
                f"the role's policies allow kms:Decrypt on {key}, but the key policy could not be "
                "read (kms:GetKeyPolicy): check that it allows the role or the account"
            )
        return FAIL, f"kms:Decrypt on {key}: {identity.reason()}"
    key_policy = Policy("key policy", state.key_policy)
    direct = evaluate([key_policy], request, account_delegates=True)
    if direct.effect == "explicit-deny" or identity.effect == "explicit-deny":
        return FAIL, f"kms:Decrypt on {key}: {(direct if direct.denies else identity).reason()}"
    if direct.allowed:
        return PASS, f"kms:Decrypt on {key}: the key policy allows the role"
    root = f"arn:{target.partition}:iam::{target.account}:root"
    delegated = evaluate([key_policy], replace(request, principal=root))
    if delegated.allowed and identity.allowed:
        return PASS, f"kms:Decrypt on {key}: the key policy delegates to IAM and {identity.reason()}"
    if not delegated.allowed:
        return (
            FAIL,
            f"kms:Decrypt on {key}: the key policy allows neither the role nor IAM policies "
            f"of account {target.account}",
        )
    return FAIL, f"kms:Decrypt on {key}: the role's policies do not allow it ({identity.reason()})"


def check_cors(state: State, target: Target) -> Check:
    name = "AWSCors"
    origins = list(target.vendor.cors_origins)
    if not origins:
        return _result(name, SKIP, target, detail="the vendor has no web origins (give --origin)")
    if not state.bucket_exists:
        return _result(name, SKIP, target, detail="the bucket does not exist")
    if "s3:GetBucketCORS" in state.unreadable:
        return _result(name, WARN, target, None, "could not read the bucket's CORS rules (s3:GetBucketCORS)")
    if not state.cors:
        return _result(name, FAIL, target, "CORS_NOT_CONFIGURED", f"bucket {target.bucket} has no CORS rules")
    missing = [o for o in origins if cors_rule_for(state.cors, o, "GET") is None]
    if missing:
        return _result(
            name,
            FAIL,
            target,
            "CORS_ORIGIN_NOT_ALLOWED",
            f"no CORS rule lets {', '.join(missing)} GET objects",
        )
    return _result(name, PASS, target, detail=f"{', '.join(origins)} may GET")


ESCALATION = ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole")


def check_least_privilege(state: State, target: Target) -> Check:
    name = "AWSLeastPrivilege"
    if state.role is None:
        return _result(name, SKIP, target, detail="the role does not exist")
    policies = _s3_policies(state)
    bucket_arn = f"arn:{target.partition}:s3:::{target.bucket}"
    too_much = []
    for action, level in sorted(s3_actions().items()):
        if level not in WRITE_LEVELS:
            continue
        for resource in (bucket_arn, f"{bucket_arn}/{target.sample_key}"):
            if evaluate(
                policies, _s3_request(target, f"s3:{action}", resource), account_delegates=True
            ).allowed:
                too_much.append(f"s3:{action}")
                break
    other = f"arn:{target.partition}:s3:::{PROBE_BUCKET}"
    for action, resource in (("s3:GetObject", f"{other}/x"), ("s3:ListBucket", other)):
        if evaluate(state.identity_policies, _s3_request(target, action, resource)).allowed:
            too_much.append(f"{action} on other buckets")
    for action in ESCALATION:
        if evaluate(state.identity_policies, _s3_request(target, action, target.role_arn)).allowed:
            too_much.append(action)
    if too_much:
        shown = ", ".join(too_much[:6]) + (f" and {len(too_much) - 6} more" if len(too_much) > 6 else "")
        return _result(
            name, FAIL if target.strict else WARN, target, "PERMISSIONS_TOO_BROAD", f"the role may {shown}"
        )
    return _result(name, PASS, target, detail="read and list only, on this bucket only")


def static_checks(state: State, target: Target) -> list[Check]:
    """Every check from gathered state; AWSSignedUrl needs --live."""
    return [
        check_assume_role(state, target),
        check_external_id(state, target),
        check_bucket_access(state, target),
        check_object_read(state, target),
        _result("AWSSignedUrl", SKIP, target, detail="live only: run with --live"),
        check_cors(state, target),
        check_least_privilege(state, target),
    ]


# --- live checks --------------------------------------------------------------------------


@dataclass
class LiveOptions:
    """How to act as the vendor. sandbox=True when the endpoint is moto, which does not
    enforce trust policies (its answers to the refused-assume probes prove nothing)."""

    vendor_aws: Aws
    sandbox: bool = False
    wait_seconds: float = 30.0
    fetch: Callable[[urllib.request.Request], tuple[int, dict[str, str], bytes]] | None = None


def http_fetch(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request: (status, headers, first bytes). Non-2xx answers are results, not errors."""
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers.items()), response.read(64)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read(256)


def live_checks(target: Target, options: LiveOptions, static_ok_to_assume: bool) -> dict[str, Check]:
    """Act as the vendor. Never writes to the customer's bucket."""
    out: dict[str, Check] = {}
    region = target.vendor.sts_region or "us-east-1"
    aws = options.vendor_aws
    sts = aws.client("sts", region=region)
    credentials, failure = _assume(
        sts, target, target.external_id, wait=options.wait_seconds if static_ok_to_assume else 0
    )
    if credentials is None:
        out["AWSAssumeRole"] = _result(
            "AWSAssumeRole",
            FAIL,
            target,
            "ROLE_CANNOT_BE_ASSUMED",
            f"live AssumeRole from {region}: {failure}",
        )
    else:
        out["AWSAssumeRole"] = _result(
            "AWSAssumeRole",
            PASS,
            target,
            detail=f"live AssumeRole from {region} with the external ID succeeded",
        )
    out["AWSExternalID"] = _live_negative_probes(sts, target, options)
    if credentials is None:
        return out
    out.update(_live_reads(target, options, credentials))
    return out


def _assume(sts: Any, target: Target, external_id: str | None, wait: float) -> tuple[dict | None, str]:
    params = {"RoleArn": target.role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 900}
    if external_id is not None:
        params["ExternalId"] = external_id
    delay, deadline = 1.0, time.monotonic() + wait
    while True:
        try:
            return sts.assume_role(**params)["Credentials"], ""
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            if code == "RegionDisabledException":
                return None, (
                    f"STS is not active in {sts.meta.region_name} for account {target.account}: "
                    "activate it in IAM > Account settings > Security Token Service (STS)"
                )
            if code not in ("AccessDenied", "AccessDeniedException"):
                from provisioner.aws import describe

                message = describe(exc, "sts:AssumeRole")
                if message is None:
                    raise
                return None, message
            if time.monotonic() + delay > deadline:
                return (
                    None,
                    f"AccessDenied ({getattr(exc, 'response', {}).get('Error', {}).get('Message', '')})",
                )
            time.sleep(delay)  # IAM is eventually consistent: a new role can take seconds
            delay *= 2


def _live_negative_probes(sts: Any, target: Target, options: LiveOptions) -> Check:
    accepted = []
    for what, external_id in (("no external ID", None), (f"external ID {WRONG_ID}", WRONG_ID)):
        credentials, _ = _assume(sts, target, external_id, wait=0)
        if credentials is not None:
            accepted.append(what)
    if not accepted:
        return _result(
            "AWSExternalID",
            PASS,
            target,
            detail="live AssumeRole without the external ID and with another one were refused",
        )
    if options.sandbox:
        return _result(
            "AWSExternalID",
            SKIP,
            target,
            detail=f"the sandbox accepted AssumeRole with {' and '.join(accepted)}: moto does not "
            "enforce trust policies, so the static verdict stands",
        )
    return _result(
        "AWSExternalID",
        FAIL,
        target,
        "EXTERNAL_ID_CONFIGURED_INSECURELY",
        f"live AssumeRole succeeded with {' and '.join(accepted)}",
    )


def _live_reads(target: Target, options: LiveOptions, credentials: dict[str, Any]) -> dict[str, Check]:
    import boto3
    from botocore.config import Config

    out: dict[str, Check] = {}
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    endpoint = options.vendor_aws.endpoint_url
    style = "path" if endpoint else "virtual"  # Labelbox fetches virtual-hosted HTTPS URLs
    probe = session.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        config=Config(s3={"addressing_style": style}, retries={"total_max_attempts": 2}),
    )
    try:
        location = region_of_location(
            probe.get_bucket_location(Bucket=target.bucket).get("LocationConstraint")
        )
        s3 = session.client(
            "s3",
            region_name=location,
            endpoint_url=endpoint,
            config=Config(s3={"addressing_style": style}, signature_version="s3v4"),
        )
        listed = s3.list_objects_v2(Bucket=target.bucket, Prefix=target.prefix or "", MaxKeys=100)
        out["AWSBucketAccess"] = _result(
            "AWSBucketAccess", PASS, target, detail="live GetBucketLocation and ListObjectsV2 succeeded"
        )
    except Exception as exc:
        out["AWSBucketAccess"] = _result(
            "AWSBucketAccess", FAIL, target, "BUCKET_ACCESS_DENIED", f"live: {_short(exc)}"
        )
        return out
    keys = [o["Key"] for o in listed.get("Contents", [])]
    images = [k for k in keys if k.lower().endswith((".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"))]
    key = target.key or next(iter(images or keys), None)
    if key is None:
        out["AWSObjectRead"] = _result(
            "AWSObjectRead", SKIP, target, detail="live: no object under the prefix"
        )
        return out
    try:
        s3.get_object(Bucket=target.bucket, Key=key, Range="bytes=0-15")["Body"].read()
        out["AWSObjectRead"] = _result(
            "AWSObjectRead", PASS, target, detail=f"live GetObject of {key} (first bytes)"
        )
    except Exception as exc:
        code = "KMS_DECRYPT_DENIED" if "KMS" in str(exc) else "OBJECT_READ_DENIED"
        out["AWSObjectRead"] = _result(
            "AWSObjectRead", FAIL, target, code, f"live GetObject of {key}: {_short(exc)}"
        )
    seconds = target.vendor.signed_url_seconds or 900
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": target.bucket, "Key": key}, ExpiresIn=seconds
    )
    fetch = options.fetch or http_fetch
    try:
        status, _, _ = fetch(urllib.request.Request(url, method="GET"))
    except (urllib.error.URLError, OSError) as exc:
        status, reason = 0, str(getattr(exc, "reason", exc))
    else:
        reason = f"HTTP {status}"
    if status == 200:
        out["AWSSignedUrl"] = _result(
            "AWSSignedUrl",
            PASS,
            target,
            detail=f"a URL signed for {seconds} s by the session was fetched ({key})",
        )
    else:
        out["AWSSignedUrl"] = _result(
            "AWSSignedUrl",
            FAIL,
            target,
            "SIGNED_URL_FAILED",
            f"fetching a URL signed by the session for {key}: {reason}",
        )
    if target.vendor.cors_origins:
        out["AWSCors"] = _live_cors(target, url, fetch, options.sandbox)
    return out


def _live_cors(target: Target, url: str, fetch: Callable, sandbox: bool) -> Check:
    refused = []
    for origin in target.vendor.cors_origins:
        status, headers, _ = fetch(urllib.request.Request(url, method="GET", headers={"Origin": origin}))
        allowed = {k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin")
        if status != 200 or allowed not in (origin, "*"):
            refused.append(
                f"GET from {origin} (HTTP {status}, Access-Control-Allow-Origin {allowed or 'absent'})"
            )
        if sandbox:
            continue  # moto answers every preflight to a private object with 403
        status, headers, _ = fetch(
            urllib.request.Request(
                url, method="OPTIONS", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
            )
        )
        allowed = {k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin")
        if status != 200 or allowed not in (origin, "*"):
            refused.append(f"preflight from {origin} (HTTP {status})")
    if refused:
        return _result("AWSCors", FAIL, target, "CORS_ORIGIN_NOT_ALLOWED", "live: " + "; ".join(refused))
    return _result(
        "AWSCors",
        PASS,
        target,
        detail="live GET with each vendor Origin got Access-Control-Allow-Origin"
        + ("" if sandbox else " and the preflights passed"),
    )


def _short(exc: Exception) -> str:
    error = getattr(exc, "response", {}).get("Error", {})
    return f"{error.get('Code')}: {error.get('Message', '')}".strip() if error else str(exc)


# --- putting it together ------------------------------------------------------------------


@dataclass
class Report:
    role_arn: str
    checks: list[Check]

    @property
    def valid(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "role_arn": self.role_arn, "checks": [c.to_dict() for c in self.checks]}


_ORDER = {FAIL: 0, WARN: 1, PASS: 2, SKIP: 3}


def combine(static: Check, live: Check | None) -> Check:
    """One verdict per check: the worse of the two; when they differ, both are reported."""
    if live is None:
        return static
    if live.status == SKIP and static.status != SKIP:
        return replace(
            static, detail=f"{static.detail} (live: {live.detail})", static=static.status, live=live.status
        )
    if static.status == live.status or static.status == SKIP:
        return replace(
            live,
            code=static.code or live.code,
            detail=live.detail if static.status == SKIP else f"{static.detail}; {live.detail}",
            static=static.status,
            live=live.status,
        )
    worse = static if _ORDER[static.status] < _ORDER[live.status] else live
    return replace(
        worse,
        code=worse.code or static.code or live.code,
        detail=f"static {static.status}: {static.detail}; live {live.status}: {live.detail}",
        remediation=worse.remediation or static.remediation or live.remediation,
        static=static.status,
        live=live.status,
    )


def validate(aws: Aws, target: Target, live: LiveOptions | None = None) -> Report:
    """Library twin of `provision validate`."""
    state = gather_state(aws, target)
    checks = static_checks(state, target)
    if live is not None:
        assumable = checks[0].status == PASS
        found = live_checks(target, live, assumable)
        checks = [combine(c, found.get(c.name)) for c in checks]
    return Report(target.role_arn, checks)
