"""Live answers moto cannot give: AccessDenied and RegionDisabledException on AssumeRole
(botocore's Stubber), an endpoint that enforces the external ID, and a 403 on the signed URL
(a local HTTP server on 127.0.0.1 in front of moto)."""

from __future__ import annotations

import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from botocore.stub import ANY, Stubber

from provisioner import sandbox, validate
from provisioner.aws import Aws

from .conftest import EXTERNAL_ID, forward
from .test_validate import LABELBOX, setup_role, target

CREDENTIALS = {
    "AccessKeyId": "ASIAEXAMPLEEXAMPLE01",
    "SecretAccessKey": "stubbed-secret-not-real-0000000000000000",
    "SessionToken": "stubbed-token",
    "Expiration": datetime.now(UTC) + timedelta(minutes=15),
}
ASSUMED = {
    "Credentials": CREDENTIALS,
    "AssumedRoleUser": {
        "AssumedRoleId": "AROAEXAMPLE:provisioner-validate",
        "Arn": "arn:aws:sts::123456789012:assumed-role/LabelboxS3Access/provisioner-validate",
    },
}


def stubbed(box, answers, *, sandbox_mode=False):
    """LiveOptions whose STS client (in the vendor's region, us-east-2) answers from a list."""
    vendor = Aws(session=sandbox.session_for(LABELBOX.account_id), endpoint_url=box.endpoint)
    sts = vendor.client("sts", region="us-east-2")
    stubber = Stubber(sts)
    for answer in answers:
        if isinstance(answer, str):
            stubber.add_client_error(
                "assume_role",
                service_error_code=answer,
                http_status_code=403,
                service_message=f"stubbed {answer}",
            )
        else:
            response = {k: v for k, v in answer.items() if k != "_expect"}
            expected = None
            if "_expect" in answer:
                expected = {
                    "RoleArn": ANY,
                    "RoleSessionName": ANY,
                    "DurationSeconds": ANY,
                    **answer["_expect"],
                }
            stubber.add_response("assume_role", response, expected)
    stubber.activate()
    return validate.LiveOptions(vendor_aws=vendor, sandbox=sandbox_mode, wait_seconds=0), stubber


def test_access_denied_on_assume_role_fails_the_check_live(box, make_aws):
    setup_role(make_aws)
    options, stubber = stubbed(box, ["AccessDenied", "AccessDenied", "AccessDenied"])
    found = validate.live_checks(target(), options, static_ok_to_assume=True)
    stubber.assert_no_pending_responses()
    assert found["AWSAssumeRole"].status == "fail"
    assert found["AWSAssumeRole"].code == "ROLE_CANNOT_BE_ASSUMED"
    assert "live AssumeRole from us-east-2: AccessDenied" in found["AWSAssumeRole"].detail
    assert found["AWSExternalID"].status == "pass"  # both probes refused
    assert "AWSSignedUrl" not in found  # nothing to read without a session


def test_region_disabled_names_the_region_and_the_account(box, make_aws):
    setup_role(make_aws)
    options, _ = stubbed(box, ["RegionDisabledException", "AccessDenied", "AccessDenied"])
    check = validate.live_checks(target(), options, static_ok_to_assume=True)["AWSAssumeRole"]
    assert check.status == "fail"
    assert "STS is not active in us-east-2 for account 123456789012" in check.detail


def test_an_endpoint_that_accepts_no_external_id_fails_live(box, make_aws):
    """On real AWS (not the sandbox), a successful assume without the ID is the proof."""
    setup_role(make_aws)
    options, _ = stubbed(box, [ASSUMED, ASSUMED, "AccessDenied"])
    found = validate.live_checks(target(), options, static_ok_to_assume=True)
    assert found["AWSExternalID"].status == "fail"
    assert found["AWSExternalID"].code == "EXTERNAL_ID_CONFIGURED_INSECURELY"
    assert "succeeded with no external ID" in found["AWSExternalID"].detail


def test_the_external_id_is_sent_to_sts(box, make_aws):
    setup_role(make_aws)
    with_id = dict(ASSUMED, _expect={"ExternalId": EXTERNAL_ID})
    options, stubber = stubbed(box, [with_id, "AccessDenied", "AccessDenied"])
    validate.live_checks(target(), options, static_ok_to_assume=True)
    stubber.assert_no_pending_responses()


class _Proxy(BaseHTTPRequestHandler):
    """Forwards to moto; answers 403 to presigned GETs (X-Amz-Signature in the query)."""

    upstream: ClassVar[str] = ""
    refused: ClassVar[list[str]] = []

    def _forward(self):
        query = urllib.parse.urlparse(self.path).query
        if "X-Amz-Signature" in query:
            self.refused.append(self.path)
            body = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            self.send_response(403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        forward(self, self.upstream, self.rfile.read(length) if length else None)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(box):
    handler = type("Proxy", (_Proxy,), {"upstream": box.endpoint, "refused": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()


def test_a_403_on_the_signed_url_fails_that_check_only(box, make_aws, proxy):
    url, handler = proxy
    setup_role(make_aws)
    vendor = Aws(session=sandbox.session_for(LABELBOX.account_id), endpoint_url=url)
    options = validate.LiveOptions(vendor_aws=vendor, sandbox=True, wait_seconds=0)
    found = validate.live_checks(target(), options, static_ok_to_assume=True)
    assert handler.refused, "the signed URL never reached the local server"
    assert found["AWSSignedUrl"].status == "fail"
    assert found["AWSSignedUrl"].code == "SIGNED_URL_FAILED" and "HTTP 403" in found["AWSSignedUrl"].detail
    assert found["AWSObjectRead"].status == "pass" and found["AWSBucketAccess"].status == "pass"
