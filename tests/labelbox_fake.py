"""A stand-in for Labelbox's GraphQL API on 127.0.0.1, for the real `labelbox` SDK.

It answers the operations the SDK sends for IAM integrations (shapes from labelbox 7.17's
source: schema/iam_integration.py, schema/organization.py, orm/query.py; errors as
lbox/request_client.py reads them), and can fail the way Labelbox does: a validation that
fails AWSAssumeRole for the first N calls, an API key without rights, rate limiting.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TIME = "2026-11-22T12:00:00.000Z"
CHECKS = ["AWSAssumeRole", "AWSExternalID", "AWSBucketAccess", "AWSObjectRead", "AWSCors"]


@dataclass
class FakeLabelbox:
    endpoint: str = ""
    integrations: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (path, operation, auth header)
    assume_failures: int = 0  # validate fails AWSAssumeRole this many times first
    failing: set[str] = field(default_factory=set)  # checks that always fail
    unauthorized: bool = False  # every mutation: AUTHORIZATION_ERROR
    rate_limited: int = 0  # the next N requests are refused with Labelbox's rate-limit message
    validations: int = 0

    def operation(self, text: str) -> str:
        for name in ("createAwsIamIntegration", "validateIamIntegration", "setDefaultIamIntegration",
                     "iamIntegrations", "organization"):  # fmt: skip
            if name in text:
                return name
        return "unknown"

    def answer(self, path: str, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        operation = self.operation(body.get("query", ""))
        self.requests.append((path, operation, auth))
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return 429, {"message": "You have exceeded the rate limit of 300 requests per minute"}
        if self.unauthorized and operation != "organization":
            return 200, {"errors": [{"message": "You are not allowed to manage IAM integrations",
                                     "extensions": {"code": "AUTHORIZATION_ERROR"}}]}  # fmt: skip
        variables = body.get("variables") or {}
        if operation == "organization":
            return 200, {"data": {"organization": {"id": "org-1", "name": "Acme", "createdAt": TIME,
                                                   "updatedAt": TIME}}}  # fmt: skip
        if operation == "iamIntegrations":
            return 200, {"data": {"iamIntegrations": [dict(i) for i in self.integrations]}}
        if operation == "createAwsIamIntegration":
            data = variables["data"]
            created = {
                "id": f"iam-{len(self.integrations) + 1}", "name": data["name"], "createdAt": TIME,
                "updatedAt": TIME, "provider": "AWS", "valid": False, "lastValidAt": None,
                "isOrgDefault": False,
                "settings": {"__typename": "AwsIamIntegrationSettings", "roleArn": data["roleArn"],
                             "readBucket": data.get("readBucket")},
            }  # fmt: skip
            self.integrations.append(created)
            return 200, {"data": {"createAwsIamIntegration": dict(created)}}
        if operation == "validateIamIntegration":
            self.validations += 1
            failing = set(self.failing)
            if self.validations <= self.assume_failures:
                failing.add("AWSAssumeRole")
            checks = [
                {"name": c, "success": c not in failing,
                 "message": "Role cannot be assumed" if c in failing and c == "AWSAssumeRole"
                 else ("failed" if c in failing else "ok")}
                for c in CHECKS
            ]  # fmt: skip
            return 200, {"data": {"validateIamIntegration": {"valid": not failing, "checks": checks}}}
        if operation == "setDefaultIamIntegration":
            wanted = variables["where"]["id"]
            for integration in self.integrations:
                integration["isOrgDefault"] = integration["id"] == wanted
            return 200, {"data": {"setDefaultIamIntegration": {"id": wanted}}}
        return 200, {
            "errors": [{"message": "unknown operation", "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]
        }


def start() -> tuple[FakeLabelbox, ThreadingHTTPServer]:
    fake = FakeLabelbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = fake.answer(self.path, body, self.headers.get("Authorization", ""))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.endpoint = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    return fake, server
