"""The keys of an S3 request the vendor's client sets, not the policies' owner: how it signs
(s3:authType, s3:signatureAge), the headers and parameters the action takes (s3:x-amz-acl,
s3:x-amz-server-side-encryption, s3:prefix, ...), its user agent and referer, and the object's
tags, which validate does not read. Each is a free key of the session's S3 requests
(analysis/session.py), so a bucket policy keyed on one is decided over every value."""

from __future__ import annotations

from provisioner.evaluation.model import Request
from provisioner.evaluation.regions import FreeKeys
from provisioner.iam import REQUEST_KEYS, action_keys, request_key_absent

# s3:authType: "REST-HEADER" (a signed header), "REST-QUERY-STRING" (a presigned URL), "POST" (a
# browser form) (S3 API Reference, "Authenticating Requests: Using Query Parameters"; Service
# Authorization Reference, Amazon S3, s3:authType)
AUTH_TYPES = ("REST-HEADER", "REST-QUERY-STRING", "POST")
SENT_GLOBAL = (
    "aws:useragent",
    "aws:referer",
)  # the client's own headers ("AWS global condition context keys")


def sent(name: str, request: Request, free: FreeKeys) -> bool:
    """Is the key (lower case) one the vendor's client sets in this S3 request: how it signs
    (s3:authType, s3:signatureAge), a header or parameter the action takes (s3:x-amz-acl,
    s3:prefix, ...: iam.REQUEST_KEYS), its user agent or referer; or a tag of the object, which
    validate does not read (s3:ExistingObjectTag/KEY, where the action takes it)?"""
    if not free.sent or not request.action.lower().startswith("s3:"):
        return False
    if name in SENT_GLOBAL or name in ("s3:authtype", "s3:signatureage"):
        return True
    if name.startswith(REQUEST_KEYS) or name.startswith("s3:existingobjecttag/"):
        return not request_key_absent(request.action, name) and _takes(request.action, name)
    return False


def _takes(action: str, name: str) -> bool:
    """Does the action take the key (Service Authorization Reference; unknown: yes)?"""
    taken = action_keys(action.lower())
    if taken is None:
        return True
    head = name.split("/", 1)[0] + "/" if "/" in name else name
    return name in taken or any(k.startswith(head) for k in taken)


CONTEXT_ARN = "kms:encryptioncontext:aws:s3:arn"


def object_context(request: Request, free: FreeKeys) -> bool:
    """Is the request S3's kms:Decrypt for an object the vendor may choose (FreeKeys.objects),
    its encryption context the object's ARN (S3 User Guide, SSE-KMS, "Encryption context")?"""
    value = request.key(CONTEXT_ARN)
    head = free.objects
    return bool(head) and request.action.lower() == "kms:decrypt" and str(value or "").startswith(str(head))
