"""The edge to AWS: sessions, clients, retry configuration, call counting and error translation.

Everything else in the package works on plain data; only this module and the gather/apply
functions that take its clients talk to AWS. boto3 and botocore are imported when a session
is made or an error is described, never at import, so offline commands stay fast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from provisioner.errors import EXIT_AWS, EXIT_BAD_INPUT, ProvisionerError
from provisioner.model.arn import Arn

USER_AGENT = "provisioner"
# Read-only operations start with these verbs; everything else changes the account.
READ_PREFIXES = ("Get", "List", "Describe", "Head")


class AwsError(ProvisionerError):
    """AWS refused the admin's own call, or could not be reached. Exit 3."""

    exit_code = EXIT_AWS

    def __init__(self, message: str, *, code: str = "", action: str = "") -> None:
        self.code = code
        self.action = action
        super().__init__(message)


class AwsInputError(AwsError):
    """AWS answered that something the user named does not exist or is not allowed: exit 2."""

    exit_code = EXIT_BAD_INPUT


@dataclass
class CallLog:
    """Every API operation made through the clients of one Aws, in order (retries not counted)."""

    calls: list[str] = field(default_factory=list)

    def record(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}:{model.name}")

    @property
    def mutating(self) -> list[str]:
        return [c for c in self.calls if not c.split(":", 1)[1].startswith(READ_PREFIXES)]

    def counts(self) -> Counter[str]:
        return Counter(self.calls)


class Aws:
    """A boto3 session plus the options every AWS command shares, and a log of its calls."""

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        session: Any = None,
        max_attempts: int = 5,
    ) -> None:
        import botocore.exceptions
        from botocore.config import Config

        try:
            self.session = session or new_session(profile_name=profile, region_name=region)
        except botocore.exceptions.ProfileNotFound as exc:
            named = profile or exc.kwargs.get("profile")
            source = "--profile" if profile else "AWS_PROFILE"
            raise AwsInputError(
                f"{source} {named!r}: no such profile in ~/.aws/config or ~/.aws/credentials "
                "(aws configure list-profiles shows them)"
            ) from None
        self.region = region or self.session.region_name or "us-east-1"
        self.endpoint_url = endpoint_url
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": max_attempts},
            user_agent_extra=USER_AGENT,
            connect_timeout=10,
            read_timeout=30,
        )
        self.log = CallLog()
        self._clients: dict[tuple[str, str], Any] = {}
        self._caller: str | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            client = self.session.client(
                service, region_name=key[1], endpoint_url=self.endpoint_url, config=self.config
            )
            client.meta.events.register("before-call.*.*", self.log.record)
            client.meta.events.register("after-call.*.*", _from_aws)
            if service == "s3control" and _local(client.meta.endpoint_url):
                client.meta.events.register("before-sign.s3-control", _unprefixed)
            self._clients[key] = client
        return self._clients[key]

    def caller_arn(self) -> str:
        """The ARN of the credentials in use (sts:GetCallerIdentity, needs no permission; asked once)."""
        if self._caller is None:
            with translate("sts:GetCallerIdentity", "finding the account in use"):
                self._caller = self.client("sts").get_caller_identity()["Arn"]
        return self._caller

    def account_id(self) -> str:
        """The account of the credentials in use."""
        return _arn(self.caller_arn()).account

    def partition(self) -> str:
        return _arn(self.caller_arn()).partition


def _local(endpoint: str | None) -> bool:
    """Is the endpoint an IP address or localhost (the sandbox, a moto server)?"""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(endpoint or "").hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return True


def _unprefixed(request: Any, **_: Any) -> None:
    """S3 Control puts the account ID in front of the endpoint's host (123456789012.s3-control.
    us-east-1.amazonaws.com); in front of an IP address or localhost no such name resolves, so
    the call goes to the endpoint itself."""
    import re

    request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)


# One botocore loader for the whole process (see new_session).
_LOADER: Any = None


def new_session(**options: Any) -> Any:
    """A boto3 session (`options` as boto3.Session takes them) that shares the process's one
    botocore data loader.

    A fresh botocore session gets a loader of its own, which reads and parses the JSON service
    models again: about 180 ms for an IAM client, against about 20 ms with a shared loader. The
    loader holds only those models (botocore caches each load in it), never credentials, a
    region or a profile, which each session still resolves for itself, as before. The session
    is made as boto3 makes it (an unknown profile still raises here); then its still empty
    loader is swapped for the shared one when both search the same folders (AWS_DATA_PATH or a
    profile's data_path can differ: that session keeps its own).
    """
    import boto3
    import botocore.session

    global _LOADER
    core = botocore.session.get_session()
    session = boto3.Session(botocore_session=core, **options)
    own = core.get_component("data_loader")
    if _LOADER is None:
        _LOADER = own
    elif _folders(own) == _folders(_LOADER):
        core.register_component("data_loader", _LOADER)
    return session


def _folders(loader: Any) -> list[str]:
    """The loader's search path without repeats (boto3 appends its data folder once per session
    that uses the loader)."""
    folders: list[str] = list(dict.fromkeys(loader.search_paths))
    loader.search_paths[:] = folders
    return folders


class NotAwsAnswer(Exception):
    """A 2xx answer that is a web page: not from AWS (a proxy, a captive portal, a server that
    is not an AWS endpoint). botocore would read it as an empty answer: "0 objects", "no roles"."""


_REQUEST_ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id", "x-amz-id-2")


def _from_aws(http_response: Any = None, **_: Any) -> None:
    """A 2xx web page without the request ID every AWS answer carries (moto labels some of its
    answers text/html, but gives them a request ID)."""
    if http_response is None or not 200 <= http_response.status_code < 300:
        return
    headers = {k.lower(): v for k, v in (http_response.headers or {}).items()}
    html = str(headers.get("content-type", "")).lower().startswith("text/html")
    if html and not any(h in headers for h in _REQUEST_ID_HEADERS):
        raise NotAwsAnswer(f"HTTP {http_response.status_code} with a web page and no request ID")


def _arn(text: str) -> Arn:
    arn = Arn.parse(text)
    if arn is None:
        raise AwsError(f"sts:GetCallerIdentity answered {text!r}, which is not an ARN")
    return arn


def paginate_all(client: Any, method: str, key: str, **params: Any) -> list[Any]:
    """Every item of a paginated list call (the caller wraps it in translate)."""
    return [item for page in client.get_paginator(method).paginate(**params) for item in page[key]]


def managed_policy(iam: Any, arn: str) -> tuple[dict[str, Any], Any]:
    """A managed policy (iam:GetPolicy) and its default version's document
    (iam:GetPolicyVersion), as the API returns it (URL-encoded text or parsed)."""
    with translate("iam:GetPolicy", f"reading policy {arn}"):
        policy: dict[str, Any] = iam.get_policy(PolicyArn=arn)["Policy"]
    with translate("iam:GetPolicyVersion", f"reading policy {arn}"):
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    return policy, version["Document"]


def read_or_none(
    action: str, doing: str, read: Callable[[], Any], absent: tuple[str, ...] = ("NoSuchEntity",)
) -> Any:
    """A read whose 'not there' answer (the absent error codes) is None, not an error."""
    try:
        with translate(action, doing):
            return read()
    except AwsError as exc:
        if exc.code in absent:
            return None
        raise


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


_CREDENTIAL_FIXES = (
    "set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
    "(aws configure sets them up; aws sso login refreshes an SSO profile)"
)


class translate:
    """Turn botocore's exceptions for one AWS action into one line a person can act on.

    `with translate("iam:CreateRole", "creating role X"):` — the action names the IAM
    permission the admin needs.
    """

    def __init__(self, action: str, doing: str = "") -> None:
        self.action = action
        self.doing = doing

    def __enter__(self) -> translate:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Literal[False]:
        if exc is None or isinstance(exc, ProvisionerError):
            return False
        message = describe(exc, self.action, self.doing)
        if message is None:
            return False
        raise AwsError(message, code=error_code(exc), action=self.action) from exc


def _raised_by_botocore_parser(exc: BaseException) -> bool:
    """A KeyError or the like from inside botocore's response parsers: an answer that is not
    AWS's (an HTML page from a proxy, a server that is not an AWS endpoint)."""
    if not isinstance(exc, KeyError | TypeError | ValueError | AttributeError):
        return False
    frame = exc.__traceback__
    while frame is not None:
        if "botocore" in frame.tb_frame.f_code.co_filename and "parsers" in frame.tb_frame.f_code.co_filename:
            return True
        frame = frame.tb_next
    return False


def describe(exc: BaseException, action: str, doing: str = "") -> str | None:
    """One line for a botocore failure, or None when it is not one (a bug: let it raise)."""
    import botocore.exceptions

    where = f" while {doing}" if doing else ""
    line = _transport_line(exc, action, where)
    if line is not None or not isinstance(exc, botocore.exceptions.ClientError):
        return line
    return _client_error_line(exc, action, where)


def _transport_line(exc: BaseException, action: str, where: str) -> str | None:
    """One line for a failure before AWS answered (credentials, network, an unreadable answer),
    or None."""
    import botocore.exceptions
    import botocore.parsers

    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return f"no AWS credentials found: {_CREDENTIAL_FIXES}"
    if isinstance(exc, botocore.exceptions.TokenRetrievalError | botocore.exceptions.SSOError):
        return f"the SSO session has expired: run 'aws sso login' for this profile ({exc})"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError):
        return (
            f"could not reach AWS for {action}{where} ({exc}); check the network, "
            "--endpoint-url / AWS_ENDPOINT_URL and --region"
        )
    if isinstance(exc, botocore.exceptions.ReadTimeoutError | botocore.exceptions.ConnectTimeoutError):
        return f"AWS did not answer {action}{where} in time ({exc}); try again"
    if isinstance(exc, botocore.exceptions.HTTPClientError):  # the connection closed mid-answer
        return (
            f"the connection closed before AWS answered {action}{where}; try again, and check "
            "--endpoint-url / AWS_ENDPOINT_URL"
        )
    if isinstance(exc, NotAwsAnswer | botocore.parsers.ResponseParserError) or _raised_by_botocore_parser(
        exc
    ):
        return (
            f"the answer to {action}{where} is not AWS's (it could not be read): check "
            "--endpoint-url / AWS_ENDPOINT_URL"
        )
    return None


def _client_error_line(exc: Any, action: str, where: str) -> str:
    """One line for an error AWS answered with (a botocore ClientError), by its code."""
    code = error_code(exc)
    text = exc.response.get("Error", {}).get("Message", "") or str(exc)
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        return f"the AWS credentials have expired ({code}): refresh them; {_CREDENTIAL_FIXES}"
    if code in (
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AuthFailure",
    ):
        return f"AWS rejected the credentials ({code}) for {action}: {_CREDENTIAL_FIXES}"
    if code in (
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AllAccessDisabled",
    ):
        return (
            f"AccessDenied on {action}{where}: the credentials in use need the IAM permission "
            f"{action} ({text})"
        )
    if code in (
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    ):
        return f"AWS throttled {action}{where} past the retries ({code}); wait and run it again"
    return f"{action}{where} failed: {code}: {text}"
