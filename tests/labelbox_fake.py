"""A stand-in for Labelbox's GraphQL API on 127.0.0.1, for the real `labelbox` SDK.

It answers the operations the SDK sends for IAM integrations (shapes from labelbox 7.17's
source: schema/iam_integration.py, schema/organization.py, orm/query.py; errors as
lbox/request_client.py reads them), and can fail the way Labelbox does: a validation that
fails AWSAssumeRole for the first N calls, an API key without rights, rate limiting. Datasets
have a signer (the IAM integration that signs their URLs: `setSignerForDataset`,
`clearSignerForDataset`, the `signer` of `dataset(where:)`), which can be refused or dropped.
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
    datasets: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    data_rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (dataset, global key)
    refuse: set[str] = field(default_factory=set)  # global keys Labelbox refuses (its reason below)
    task_errors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    upserted: int = 0  # items upserted, over every task
    signers: dict[str, str] = field(default_factory=dict)  # dataset id -> its signer's integration id
    refuse_signer: int = 0  # the next N setSignerForDataset are refused (Labelbox's error)
    drop_signer: bool = False  # setSignerForDataset answers, but the signer does not stay

    def operation(self, text: str) -> str:
        for name in ("setSignerForDataset", "clearSignerForDataset", "signer{", "createAwsIamIntegration",
                     "validateIamIntegration", "setDefaultIamIntegration", "iamIntegrations",
                     "createDataset", "datasets(", "customMetadataOntology", "upsertDataRows",
                     "failedDataRowImports", "successesfulDataRowImports", "user{", "user {",
                     "organization"):  # fmt: skip
            if name in text:
                return name.rstrip("({ ")
        return "unknown"

    def upload(self, raw: bytes, content_type: str, auth: str) -> tuple[int, dict[str, Any]]:
        parts = multipart(raw, content_type)
        self.requests.append(("/graphql", "uploadFile", auth))
        name = f"file-{len(self.files) + 1}"
        self.files[name] = parts.get("1", b"")
        url = f"{self.endpoint.rsplit('/', 1)[0]}/files/{name}"
        return 200, {"data": {"uploadFile": {"url": url, "filename": name}}}

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
            for integration in self.integrations:  # Labelbox keeps the verdict on the integration
                if integration["id"] == variables["where"]["id"]:
                    integration["valid"] = not failing
                    integration["lastValidAt"] = TIME
            checks = [
                {"name": c, "success": c not in failing,
                 "message": "Role cannot be assumed" if c in failing and c == "AWSAssumeRole"
                 else ("failed" if c in failing else "ok")}
                for c in CHECKS
            ]  # fmt: skip
            return 200, {"data": {"validateIamIntegration": {"valid": not failing, "checks": checks}}}
        if operation == "user":
            me = {"id": "user-1", "email": "admin@example.com", "name": "Admin", "nickname": "admin",
                  "picture": "", "isExternalUser": False, "isViewer": False, "lastLoginAt": TIME,
                  "createdAt": TIME, "updatedAt": TIME}  # fmt: skip
            return 200, {"data": {"user": me}}
        if operation == "upsertDataRows":
            task_id = f"task-{len(self.task_errors) + 1}"
            manifest = json.loads(self.files[variables["manifestUri"].rsplit("/", 1)[1]])
            errors = []
            for uri in manifest["chunk_uris"]:
                for item in json.loads(self.files[uri.rsplit("/", 1)[1]]):
                    payload = item["payload"]
                    key = item["id"]["value"]
                    if key in self.refuse:
                        errors.append({"message": "Data row url is not reachable", "spec": {
                            "globalKey": key, "rowData": payload.get("row_data")}})  # fmt: skip
                        continue
                    self.data_rows[(payload["dataset_id"], key)] = payload
                    self.upserted += 1
            self.task_errors[task_id] = errors
            task = {"id": task_id, "createdAt": TIME, "updatedAt": TIME, "name": "Upsert data rows",
                    "status": "COMPLETE", "completionPercentage": 100, "result": None, "errors": None,
                    "type": "adv-upsert-data-rows", "metadata": None}  # fmt: skip
            return 200, {"data": {"upsertDataRows": task}}
        if operation == "failedDataRowImports":
            results = self.task_errors.get(variables["taskId"], [])
            return 200, {
                "data": {"failedDataRowImports": {"after": None, "total": len(results), "results": results}}
            }
        if operation == "successesfulDataRowImports":
            return 200, {"data": {"successesfulDataRowImports": {"after": None, "total": 0, "nodes": []}}}
        if operation == "customMetadataOntology":  # Labelbox's reserved "tag" field
            tag = {"id": "cko8s9r5v0001h2dk9elqdidh", "name": "tag", "kind": "CustomMetadataString",
                   "reserved": True, "options": []}  # fmt: skip
            return 200, {"data": {"customMetadataOntology": [tag]}}
        if operation == "datasets":
            name = variables.get("param_0")
            return 200, {"data": {"datasets": [dict(d) for d in self.datasets if name in (None, d["name"])]}}
        if operation == "createDataset":
            made = {"id": f"ds-{len(self.datasets) + 1}", "name": variables.get("name"),
                    "description": "", "rowCount": 0, "createdAt": TIME, "updatedAt": TIME}  # fmt: skip
            self.datasets.append(made)
            return 200, {"data": {"createDataset": dict(made)}}
        if operation in ("setSignerForDataset", "clearSignerForDataset", "signer"):
            return self.signer(operation, variables)
        if operation == "setDefaultIamIntegration":
            wanted = variables["where"]["id"]
            for integration in self.integrations:
                integration["isOrgDefault"] = integration["id"] == wanted
            return 200, {"data": {"setDefaultIamIntegration": {"id": wanted}}}
        return 200, {
            "errors": [{"message": "unknown operation", "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]
        }

    def signer(self, operation: str, variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A dataset's signer: set, cleared, read (shapes of labelbox 7.17's schema/dataset.py,
        client.py create_dataset and orm's to-one relationship query)."""
        dataset = variables.get("datasetId") or variables.get("id") or variables.get("param_0")
        if not any(d["id"] == dataset for d in self.datasets):
            return 200, {"errors": [{"message": f"Dataset {dataset} not found",
                                     "extensions": {"code": "RESOURCE_NOT_FOUND"}}]}  # fmt: skip
        if operation == "clearSignerForDataset":
            self.signers.pop(dataset, None)
            return 200, {"data": {"clearSignerForDataset": {"id": dataset}}}
        if operation == "setSignerForDataset":
            wanted = variables["signerId"]
            if self.refuse_signer > 0:
                self.refuse_signer -= 1
                return 200, {"errors": [{"message": "Could not set the signer of the dataset",
                                         "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}  # fmt: skip
            if not any(i["id"] == wanted for i in self.integrations):
                return 200, {"errors": [{"message": f"IAM integration {wanted} not found",
                                         "extensions": {"code": "RESOURCE_NOT_FOUND"}}]}  # fmt: skip
            if not self.drop_signer:
                self.signers[dataset] = wanted
            return 200, {"data": {"setSignerForDataset": {"id": dataset, "signer": {"id": wanted}}}}
        held = next((dict(i) for i in self.integrations if i["id"] == self.signers.get(dataset)), None)
        return 200, {"data": {"dataset": {"signer": held}}}


def multipart(raw: bytes, content_type: str) -> dict[str, bytes]:
    """The parts of a multipart/form-data body, by name."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[str(name)] = part.get_payload(decode=True) or b""
    return parts


def start() -> tuple[FakeLabelbox, ThreadingHTTPServer]:
    fake = FakeLabelbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            kind = self.headers.get("Content-Type", "")
            if kind.startswith("multipart/form-data"):  # the SDK's upload_data (GraphQL multipart)
                status, answer = fake.upload(raw, kind, self.headers.get("Authorization", ""))
            else:
                body = json.loads(raw or b"{}")
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
