"""Labelbox's side of the integration, through Labelbox's own SDK (the optional extra
`provisioner[labelbox]`): find or create the IAM integration for a role, wait out IAM's eventual
consistency while Labelbox validates it, set it as the default.

spec (ConnectSpec) -> gather (the organization's integrations) -> decide (reuse or create: never
a second integration for one role) -> act (create, validate with backoff, set default) ->
ConnectResult, whose checks put Labelbox's verdict next to ours (provision validate) and the
remediation of each failure (policies/checks.json).

The API key comes from LABELBOX_API_KEY or a file and is never printed or logged. The SDK does
not expose the integration's external ID: it is still copied from Labelbox's integration page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from provisioner.errors import EXIT_AWS, InputError, ProvisionerError
from provisioner.inputs import check_bucket, check_external_id, check_role_arn, read_file
from provisioner.polling import Waiter

ENV_KEY = "LABELBOX_API_KEY"
ENV_ENDPOINT = "LABELBOX_ENDPOINT"  # another GraphQL endpoint (self-hosted, or a test server)
RATE_LIMIT_TRIES = 5
T = TypeVar("T")


class LabelboxError(ProvisionerError):
    """Labelbox refused or could not be reached: exit 3, one line naming what to do."""

    exit_code = EXIT_AWS


@dataclass(frozen=True)
class ConnectSpec:
    role_arn: str
    bucket: str
    name: str | None = None  # default: provisioner-BUCKET
    set_default: bool = False
    wait_seconds: float = 60.0  # retry Labelbox's AWSAssumeRole failure this long (IAM propagation)
    external_id: str | None = None  # also run provision validate with it (api.labelbox_connect)

    @property
    def integration_name(self) -> str:
        return self.name or f"provisioner-{self.bucket}"


@dataclass(frozen=True)
class LabelboxCheck:
    """One of Labelbox's checks, beside ours of the same name when we ran it."""

    name: str
    success: bool
    message: str
    remediation: str = ""
    ours: str | None = None  # our verdict (pass, fail, warn, skip) when provision validate ran
    ours_detail: str = ""


@dataclass
class ConnectResult:
    integration_id: str
    name: str
    role_arn: str
    bucket: str
    created: bool
    valid: bool
    default: bool
    attempts: int
    checks: list[LabelboxCheck] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checks": [asdict(c) for c in self.checks]}


def check_spec(spec: ConnectSpec) -> ConnectSpec:
    check_role_arn(spec.role_arn)
    check_bucket(spec.bucket)
    if spec.name is not None and not spec.name.strip():
        raise InputError("name", spec.name, "an integration name cannot be empty")
    if spec.external_id is not None:
        check_external_id(spec.external_id)
    if not 0 <= spec.wait_seconds <= 900:
        raise InputError("wait", spec.wait_seconds, "seconds from 0 to 900")
    return spec


def api_key(path: str | None = None) -> str:
    """The API key from --api-key-file, else LABELBOX_API_KEY. Refused (exit 2) when absent."""
    if path:
        key = read_file(path, "api_key_file").strip()
        if not key:
            raise InputError("api_key_file", path, "is empty")
        return key
    key = os.environ.get(ENV_KEY, "").strip()
    if not key:
        raise ProvisionerError(
            "no Labelbox API key: set LABELBOX_API_KEY or give --api-key-file (Settings > API keys)"
        )
    return key


def client(key: str, endpoint: str | None = None) -> Any:
    """Labelbox's SDK client (imported here: the extra is optional)."""
    try:
        import labelbox
    except ImportError:
        raise ProvisionerError(
            "Labelbox's SDK is not installed: install provisioner with its labelbox extra"
            " (README, Install; in provisioner's checkout: pip install '.[labelbox]')"
        ) from None
    url = endpoint or os.environ.get(ENV_ENDPOINT) or "https://api.labelbox.com/graphql"
    return labelbox.Client(api_key=key, endpoint=url, rest_endpoint=url.replace("/graphql", "/api/v1"))


def call(what: str, do: Callable[[], T], sleep: Callable[[float], None] = time.sleep) -> T:
    """One SDK call: rate limiting retried with backoff (1, 2, 4, 8 s), Labelbox's other
    refusals turned into one line that says what to do. The key never appears in them."""
    from lbox import exceptions  # the SDK raises the errors of lbox-clients, its request layer

    for attempt in range(RATE_LIMIT_TRIES):
        try:
            return do()
        except exceptions.ApiLimitError as exc:
            if attempt == RATE_LIMIT_TRIES - 1:
                raise LabelboxError(
                    f"Labelbox rate-limited {what} {RATE_LIMIT_TRIES} times: {exc}; try again later"
                ) from None
            sleep(2.0**attempt)
        except exceptions.AuthenticationError:
            raise LabelboxError(
                f"Labelbox refused the API key while {what}: check LABELBOX_API_KEY"
            ) from None
        except exceptions.AuthorizationError as exc:
            raise LabelboxError(
                f"Labelbox refused {what}: {exc} (IAM integrations need an API key of an organization Admin)"
            ) from None
        except exceptions.LabelboxError as exc:
            raise LabelboxError(f"Labelbox failed while {what}: {exc}") from None
    raise AssertionError("unreachable")


def find(integrations: list[Any], role_arn: str) -> Any | None:
    """The organization's AWS integration for this role, if it has one (pure)."""
    for integration in integrations:
        settings = getattr(integration, "settings", None)
        if (
            getattr(integration, "provider", None) == "AWS"
            and getattr(settings, "role_arn", None) == role_arn
        ):
            return integration
    return None


def connect(
    spec: ConnectSpec,
    lb: Any,
    *,
    ours: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ConnectResult:
    """Find or create the integration, validate it (retrying AWSAssumeRole while IAM
    propagates, for spec.wait_seconds), set it as default when asked."""
    from labelbox.schema.iam_integration import AwsIamIntegrationSettings

    check_spec(spec)
    organization = call("reading the organization", lb.get_organization, sleep)
    existing = find(call("listing IAM integrations", organization.get_iam_integrations, sleep), spec.role_arn)
    integration = existing
    if integration is None:
        settings = AwsIamIntegrationSettings(role_arn=spec.role_arn, read_bucket=spec.bucket)
        integration = call(
            "creating the IAM integration",
            lambda: organization.create_iam_integration(spec.integration_name, settings),
            sleep,
        )
    # IAM is eventually consistent: a new role or trust takes seconds to reach STS
    waiter = Waiter(
        2.0, None, backoff=2.0, max_delay=16.0, max_wait=spec.wait_seconds, sleep=sleep, clock=clock
    )
    answer: dict[str, Any] = {}
    attempts = 0
    for number in waiter.attempts():
        attempts = number + 1
        answer = call("validating the IAM integration", integration.validate, sleep)
        failing = {c.get("name") for c in answer.get("checks", []) if not c.get("success")}
        if answer.get("valid") or "AWSAssumeRole" not in failing:
            break
    default = bool(getattr(integration, "is_org_default", False))
    if spec.set_default and not default:
        call("setting the default IAM integration", integration.set_as_default, sleep)
        default = True
    return ConnectResult(
        integration_id=str(integration.uid),
        name=str(integration.name),
        role_arn=spec.role_arn,
        bucket=spec.bucket,
        created=existing is None,
        valid=bool(answer.get("valid")),
        default=default,
        attempts=attempts,
        checks=side_by_side(spec, answer.get("checks", []), ours),
    )


def side_by_side(spec: ConnectSpec, theirs: list[dict[str, Any]], ours: Any = None) -> list[LabelboxCheck]:
    """Labelbox's checks with our verdict of the same name and, for a failure, our remediation."""
    from provisioner.validate.fixes import labelbox_values
    from provisioner.validate.model import fill_remedy

    values = labelbox_values(spec.role_arn, spec.bucket)
    mine = {c.name: c for c in ours.checks} if ours is not None else {}
    out = []
    for check in theirs:
        name = str(check.get("name", ""))
        success = bool(check.get("success"))
        our = mine.get(name)
        remediation = ""
        if not success:
            remediation = (
                our.remediation if our is not None and our.remediation else fill_remedy(name, values)
            )
        out.append(
            LabelboxCheck(
                name,
                success,
                str(check.get("message") or ""),
                remediation,
                str(our.status) if our else None,
                our.detail if our else "",
            )
        )
    return out
