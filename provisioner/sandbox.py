"""An embedded local AWS endpoint (moto's server on 127.0.0.1) for demos and tests.

The customer's account is moto's default; each known vendor gets its own account, told apart
by moto's `x-moto-account-id` request header, with the vendor's principal role in it, so the
whole delegated-access flow runs with no AWS account. Needs the `sandbox` extra (moto[server]).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from provisioner.errors import ProvisionerError
from provisioner.model.arn import Arn

CUSTOMER_ACCOUNT = "123456789012"
DEMO_BUCKET = "provisioner-demo-images"
DEMO_REGION = "us-east-1"
ACCOUNT_HEADER = "x-moto-account-id"
# Not secrets: moto accepts any key. Named so nobody mistakes them for real ones.
SANDBOX_KEY_ID = "sandbox"
SANDBOX_SECRET = "sandbox"

# The folder-label example of Rekognition Custom Labels: labels come from the child folders of
# alexa-devices/; deeper folders take their ancestor's name; an image directly in it has none.
DEMO_OBJECTS = {
    "alexa-devices/echo/echo-1.jpg": "echo-1.jpg",
    "alexa-devices/echo/echo-2.png": "echo-2.png",
    "alexa-devices/echo-dot/echo-dot-1.jpg": "echo-dot-1.jpg",
    "alexa-devices/echo-dot/echo-dot-2.png": "echo-dot-2.png",
    "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-1.jpg": "white-echo-dot-1.jpg",
    "alexa-devices/overview.png": "overview.png",
    "alexa-devices/README.txt": None,
}


class SandboxError(ProvisionerError):
    exit_code = 2


@dataclass
class Sandbox:
    endpoint: str
    server: Any
    vendor_accounts: dict[str, str] = field(default_factory=dict)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": SANDBOX_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET,
            "AWS_DEFAULT_REGION": DEMO_REGION,
        }

    def connect(self, account: str = CUSTOMER_ACCOUNT) -> Any:
        """An Aws acting in `account` of this sandbox (the customer's by default)."""
        from provisioner.aws import Aws

        return Aws(session=session_for(account), endpoint_url=self.endpoint)

    def client(self, service: str, account: str = CUSTOMER_ACCOUNT) -> Any:
        """A boto3 client of this sandbox acting in `account`, made once: seed, which the test
        suite runs before each of its sandbox tests, needs the same three every time."""
        key = (service, account)
        if key not in self._clients:
            self._clients[key] = session_for(account).client(service, endpoint_url=self.endpoint)
        return self._clients[key]

    def stop(self) -> None:
        self.server.stop()


def start(port: int = 0, *, seed_demo: bool = True, aws_managed_policies: bool = True) -> Sandbox:
    """Start moto's server on 127.0.0.1 (port 0 picks a free one) and seed the demo state.
    With `aws_managed_policies`, IAM holds AWS's managed policies as in a real account
    (`arn:aws:iam::aws:policy/ReadOnlyAccess` can be attached or be a boundary); it costs each
    account about 70 ms when first used, which the test suite saves by asking only where needed."""
    # Read once, when moto is first imported: without it moto answers every Origin, and no
    # CORS verdict against the sandbox would mean anything.
    os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise SandboxError(
            "the sandbox needs moto's server: install provisioner with its sandbox extra"
            " (README, Install; in provisioner's checkout: pip install '.[sandbox]')"
        ) from None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if aws_managed_policies:
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    if port:
        _check_port(port)  # werkzeug would say it in a thread that then dies, and start() wait forever

    class Server(ThreadedMotoServer):
        """moto's threaded server whose thread, when it cannot listen, says so instead of hanging
        start(): werkzeug ends the thread with SystemExit, before the event start() waits on."""

        failed = False

        def _server_entry(self) -> None:
            try:
                super()._server_entry()
            except BaseException:
                self.failed = True
                self._server_ready_event.set()

    server = Server(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    if server.failed:  # taken between the check and moto's bind
        raise SandboxError(f"--port {port}: {_IN_USE.format('Address already in use')}")
    host, bound = server.get_host_and_port()
    box = Sandbox(endpoint=f"http://{host}:{bound}", server=server)
    if seed_demo:
        seed(box)
    return box


_IN_USE = "already in use ({}); choose another --port or stop what listens there"


def _check_port(port: int) -> None:
    """Can this process listen on 127.0.0.1:port? Bound the way werkzeug binds (SO_REUSEADDR: a
    port left in TIME_WAIT by a sandbox just stopped is free), then released for moto."""
    import errno
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen(1)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SandboxError(f"--port {port}: {_IN_USE.format(exc.strerror)}") from None
        raise SandboxError(f"--port {port}: cannot listen on 127.0.0.1 ({exc.strerror})") from None
    finally:
        probe.close()


def session_for(account: str | None = None) -> Any:
    """A boto3 session with sandbox keys whose calls act in `account` (moto's header)."""
    from provisioner.aws import new_session

    session = new_session(
        aws_access_key_id=SANDBOX_KEY_ID,
        aws_secret_access_key=SANDBOX_SECRET,
        region_name=DEMO_REGION,
    )
    if account is not None:

        def add_header(request: Any, **_: Any) -> None:
            request.headers[ACCOUNT_HEADER] = account

        session.events.register("before-sign.*.*", add_header)
    return session


def seed(box: Sandbox) -> None:
    """The demo bucket with the folder-label images, and each vendor's role in its account."""
    from provisioner.vendors import known_vendors

    s3 = box.client("s3")
    s3.create_bucket(Bucket=DEMO_BUCKET)
    images = resources.files("provisioner") / "sandbox_images"
    for key, image in DEMO_OBJECTS.items():
        if image is None:
            body, content_type = b"Demo images for provisioner.\n", "text/plain"
        else:
            body = (images / image).read_bytes()
            content_type = "image/jpeg" if image.endswith(".jpg") else "image/png"
        s3.put_object(Bucket=DEMO_BUCKET, Key=key, Body=body, ContentType=content_type)

    for vendor in known_vendors().values():
        if not vendor.account_id:
            continue
        box.vendor_accounts[vendor.name] = vendor.account_id
        principal = Arn.parse(vendor.principal)
        if principal is None or not principal.is_role:
            continue  # an account-root principal needs no role
        *path, name = principal.resource.removeprefix("role/").split("/")
        iam = box.client("iam", vendor.account_id)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{vendor.account_id}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(
            RoleName=name,
            Path="/" + "".join(p + "/" for p in path),
            AssumeRolePolicyDocument=json.dumps(trust),
            Description=f"Stands in for {vendor.display_name}'s own role in the sandbox",
        )


def is_sandbox(endpoint: str | None) -> bool:
    """Is this endpoint moto's server on this machine? (Its trust answers prove nothing.)"""
    if not endpoint:
        return False
    import urllib.error
    import urllib.parse
    import urllib.request

    host = urllib.parse.urlparse(endpoint).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        return False
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/moto-api/", timeout=3) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False
