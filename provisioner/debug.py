"""`--debug`: botocore's request log on stderr, with every secret taken out.

botocore at DEBUG prints request headers (the signature, and the session token in
X-Amz-Security-Token) and response bodies (an AssumeRole answer holds a SecretAccessKey and a
SessionToken). Every line goes through `redact` before it is written: the values of the secret
environment variables, those headers and fields, bearer tokens and access key IDs.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "LABELBOX_API_KEY")
HIDDEN = "[REDACTED]"
PATTERNS = [
    re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*(?:b(?=['\"]))?['\"]?)[^'\"\s,}&]+"),
    re.compile(r"(?i)(authorization['\"]?\s*:\s*(?:b(?=['\"]))?['\"]?)[^'\"}]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(<(?:SecretAccessKey|SessionToken|AccessKeyId)>)[^<]*"),
    re.compile(
        r"(\"(?:SecretAccessKey|SessionToken|AccessKeyId|secretAccessKey|sessionToken)\"\s*:\s*\")[^\"]*"
    ),
    re.compile(r"(?i)(X-Amz-Signature=|X-Amz-Credential=|X-Amz-Security-Token=)[^&\s'\"]+"),
    re.compile(r"()\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, HIDDEN)
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + HIDDEN, text)
    return text


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__("%(asctime)s %(name)s [%(levelname)s] %(message)s")
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


@contextmanager
def botocore_log(stream: IO[str]) -> Iterator[None]:
    """botocore's (and boto3's, urllib3's) DEBUG log on `stream`, redacted, for the block."""
    secrets = tuple(v for name in SECRET_ENV if (v := os.environ.get(name)))
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(secrets))
    loggers = [logging.getLogger(name) for name in ("botocore", "boto3", "urllib3")]
    before = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, (level, propagate) in zip(loggers, before, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
