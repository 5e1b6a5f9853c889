"""--live: act as the vendor. `observe` makes the calls and records what AWS answered (I/O
only, never a verdict); `live_verdicts` turns those observations into checks (pure).

Never writes to the customer's bucket.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provisioner.aws import describe, error_code, new_session
from provisioner.inputs import region_of_location
from provisioner.model import Status
from provisioner.polling import Waiter
from provisioner.validate.model import SESSION_NAME, Check, Fetch, LiveOptions, ValidateSpec, verdict
from provisioner.validate.static import WRONG_ID

PASS, FAIL, SKIP = Status.PASS, Status.FAIL, Status.SKIP
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


@dataclass
class CorsAnswer:
    origin: str
    method: str  # GET or OPTIONS (a preflight)
    status: int
    allow_origin: str | None


@dataclass
class Observations:
    """What the vendor's calls got back. A field left None was not reached."""

    region: str
    assume_failure: str | None = None  # None: AssumeRole with the external ID succeeded
    accepted_probes: list[str] = field(default_factory=list)  # wrong-ID attempts that succeeded
    bucket_failure: str | None = None
    bucket_read: bool = False
    key: str | None = None
    object_failure: str | None = None
    object_read: bool = False
    signed_seconds: int = 900
    signed_status: int | None = None
    signed_reason: str = ""
    cors: list[CorsAnswer] = field(default_factory=list)


def live_checks(spec: ValidateSpec, options: LiveOptions, static_ok_to_assume: bool) -> dict[str, Check]:
    """Act as the vendor and judge what happened."""
    return live_verdicts(observe(spec, options, static_ok_to_assume), spec, options.sandbox)


# --- I/O ------------------------------------------------------------------------------------


def observe(spec: ValidateSpec, options: LiveOptions, static_ok_to_assume: bool) -> Observations:
    seen = Observations(region=spec.sts_region, signed_seconds=spec.vendor.signed_url_seconds or 900)
    sts = options.vendor_aws.client("sts", region=seen.region)
    wait = options.wait_seconds if static_ok_to_assume else 0
    credentials, failure = assume_as_vendor(sts, spec, spec.external_id, wait)
    seen.assume_failure = None if credentials is not None else failure
    for what, external_id in (("no external ID", None), (f"external ID {WRONG_ID}", WRONG_ID)):
        if assume_as_vendor(sts, spec, external_id, wait=0)[0] is not None:
            seen.accepted_probes.append(what)
    if credentials is not None:
        _read_as_session(spec, options, credentials, seen)
    return seen


def assume_as_vendor(
    sts: Any,
    spec: ValidateSpec,
    external_id: str | None,
    wait: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[dict[str, Any] | None, str]:
    """sts:AssumeRole as the vendor; AccessDenied is retried with backoff up to `wait` seconds
    (IAM is eventually consistent: a new role can take seconds). (credentials, '') or (None, why)."""
    params = {"RoleArn": spec.role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 900}
    if external_id is not None:
        params["ExternalId"] = external_id
    denied = ""
    for _ in Waiter(1.0, None, backoff=2.0, max_wait=wait, sleep=sleep, clock=clock).attempts():
        try:
            return sts.assume_role(**params)["Credentials"], ""
        except Exception as exc:
            code = error_code(exc)
            if code == "RegionDisabledException":
                return None, (
                    f"STS is not active in {sts.meta.region_name} for account {spec.account}: "
                    "activate it in IAM > Account settings > Security Token Service (STS)"
                )
            if code not in ("AccessDenied", "AccessDeniedException"):
                message = describe(exc, "sts:AssumeRole")
                if message is None:
                    raise
                return None, message
            denied = f"AccessDenied ({getattr(exc, 'response', {}).get('Error', {}).get('Message', '')})"
    return None, denied


def _read_as_session(
    spec: ValidateSpec, options: LiveOptions, credentials: dict[str, Any], seen: Observations
) -> None:
    from botocore.config import Config

    session = new_session(
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
        location = region_of_location(probe.get_bucket_location(Bucket=spec.bucket).get("LocationConstraint"))
        s3 = session.client(
            "s3",
            region_name=location,
            endpoint_url=endpoint,
            config=Config(s3={"addressing_style": style}, signature_version="s3v4"),
        )
        listed = s3.list_objects_v2(Bucket=spec.bucket, Prefix=spec.prefix or "", MaxKeys=100)
        seen.bucket_read = True
    except Exception as exc:
        seen.bucket_failure = _short(exc)
        return
    keys = [o["Key"] for o in listed.get("Contents", [])]
    images = [k for k in keys if k.lower().endswith(IMAGE_TYPES)]
    seen.key = spec.key or next(iter(images or keys), None)
    if seen.key is None:
        return
    try:
        s3.get_object(Bucket=spec.bucket, Key=seen.key, Range="bytes=0-15")["Body"].read()
        seen.object_read = True
    except Exception as exc:
        seen.object_failure = _short(exc)
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": spec.bucket, "Key": seen.key}, ExpiresIn=seen.signed_seconds
    )
    fetch = options.fetch or http_fetch
    try:
        seen.signed_status, _, _ = fetch(urllib.request.Request(url, method="GET"))
        seen.signed_reason = f"HTTP {seen.signed_status}"
    except (urllib.error.URLError, OSError) as exc:
        seen.signed_status, seen.signed_reason = 0, str(getattr(exc, "reason", exc))
    for origin in spec.vendor.cors_origins:
        seen.cors.append(_cors_answer(fetch, url, origin, "GET"))
        if not options.sandbox:  # moto answers every preflight to a private object with 403
            seen.cors.append(_cors_answer(fetch, url, origin, "OPTIONS"))


def _cors_answer(fetch: Fetch, url: str, origin: str, method: str) -> CorsAnswer:
    headers = {"Origin": origin}
    if method == "OPTIONS":
        headers["Access-Control-Request-Method"] = "GET"
    status, answer, _ = fetch(urllib.request.Request(url, method=method, headers=headers))
    allowed = {k.lower(): v for k, v in answer.items()}.get("access-control-allow-origin")
    return CorsAnswer(origin, method, status, allowed)


def http_fetch(request: urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request: (status, headers, first bytes). Non-2xx answers are results, not errors."""
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers.items()), response.read(64)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read(256)


def _short(exc: Exception) -> str:
    error = getattr(exc, "response", {}).get("Error", {})
    return f"{error.get('Code')}: {error.get('Message', '')}".strip() if error else str(exc)


# --- verdicts (pure) ------------------------------------------------------------------------


def live_verdicts(seen: Observations, spec: ValidateSpec, sandbox: bool) -> dict[str, Check]:
    out: dict[str, Check] = {}
    if seen.assume_failure is not None:
        out["AWSAssumeRole"] = verdict(
            "AWSAssumeRole",
            FAIL,
            spec,
            "ROLE_CANNOT_BE_ASSUMED",
            f"live AssumeRole from {seen.region}: {seen.assume_failure}",
        )
    else:
        out["AWSAssumeRole"] = verdict(
            "AWSAssumeRole",
            PASS,
            spec,
            detail=f"live AssumeRole from {seen.region} with the external ID succeeded",
        )
    out["AWSExternalID"] = _external_id(seen, spec, sandbox)
    if seen.assume_failure is not None:
        return out
    if not seen.bucket_read:
        out["AWSBucketAccess"] = verdict(
            "AWSBucketAccess", FAIL, spec, "BUCKET_ACCESS_DENIED", f"live: {seen.bucket_failure}"
        )
        return out
    out["AWSBucketAccess"] = verdict(
        "AWSBucketAccess", PASS, spec, detail="live GetBucketLocation and ListObjectsV2 succeeded"
    )
    if seen.key is None:
        out["AWSObjectRead"] = verdict("AWSObjectRead", SKIP, spec, detail="live: no object under the prefix")
        return out
    if seen.object_read:
        out["AWSObjectRead"] = verdict(
            "AWSObjectRead", PASS, spec, detail=f"live GetObject of {seen.key} (first bytes)"
        )
    else:
        failure = seen.object_failure or ""
        code = "KMS_DECRYPT_DENIED" if "KMS" in failure else "OBJECT_READ_DENIED"
        out["AWSObjectRead"] = verdict(
            "AWSObjectRead", FAIL, spec, code, f"live GetObject of {seen.key}: {failure}"
        )
    if seen.signed_status == 200:
        out["AWSSignedUrl"] = verdict(
            "AWSSignedUrl",
            PASS,
            spec,
            detail=f"a URL signed for {seen.signed_seconds} s by the session was fetched ({seen.key})",
        )
    else:
        out["AWSSignedUrl"] = verdict(
            "AWSSignedUrl",
            FAIL,
            spec,
            "SIGNED_URL_FAILED",
            f"fetching a URL signed by the session for {seen.key}: {seen.signed_reason}",
        )
    if spec.vendor.cors_origins:
        out["AWSCors"] = _cors(seen, spec, sandbox)
    return out


def _external_id(seen: Observations, spec: ValidateSpec, sandbox: bool) -> Check:
    if not seen.accepted_probes:
        return verdict(
            "AWSExternalID",
            PASS,
            spec,
            detail="live AssumeRole without the external ID and with another one were refused",
        )
    accepted = " and ".join(seen.accepted_probes)
    if sandbox:
        return verdict(
            "AWSExternalID",
            SKIP,
            spec,
            detail=f"the sandbox accepted AssumeRole with {accepted}: moto does not "
            "enforce trust policies, so the static verdict stands",
        )
    return verdict(
        "AWSExternalID",
        FAIL,
        spec,
        "EXTERNAL_ID_CONFIGURED_INSECURELY",
        f"live AssumeRole succeeded with {accepted}",
    )


def _cors(seen: Observations, spec: ValidateSpec, sandbox: bool) -> Check:
    refused = []
    for answer in seen.cors:
        if answer.status == 200 and answer.allow_origin in (answer.origin, "*"):
            continue
        if answer.method == "GET":
            refused.append(
                f"GET from {answer.origin} (HTTP {answer.status}, "
                f"Access-Control-Allow-Origin {answer.allow_origin or 'absent'})"
            )
        else:
            refused.append(f"preflight from {answer.origin} (HTTP {answer.status})")
    if refused:
        return verdict("AWSCors", FAIL, spec, "CORS_ORIGIN_NOT_ALLOWED", "live: " + "; ".join(refused))
    return verdict(
        "AWSCors",
        PASS,
        spec,
        detail="live GET with each vendor Origin got Access-Control-Allow-Origin"
        + ("" if sandbox else " and the preflights passed"),
    )
