"""What the vendor chooses in its session's requests (FreeKeys, the "free keys"), and what the
trust refuses it to pass (PassedRule). evaluation/free.py decides over them, evaluation/regions.py
words them, analysis/session.py makes them solver variables."""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.iam import wildcard_match


@dataclass(frozen=True)
class PassedRule:
    """The values of a key the vendor passes in its AssumeRole (a session tag, a source identity)
    that the trust refuses: `tests` are (operator, text) pairs, StringEquals,
    StringEqualsIgnoreCase or StringLike on each value the trust's conditions name for it, whose
    results (a value's `signature`) decide every string condition of the trust on that key;
    `forbidden` are the signatures of values the trust refuses whatever else is passed."""

    key: str
    tests: tuple[tuple[str, str], ...]
    forbidden: tuple[tuple[bool, ...], ...]
    # the trust lets the vendor in only with the key passed (its AssumeRole Allow requires it)
    required: bool = False

    def signature(self, value: str) -> tuple[bool, ...]:
        return tuple(_test(op, text, value) for op, text in self.tests)


def _test(op: str, text: str, value: str) -> bool:
    if op == "stringequals":
        return value == text
    if op == "stringequalsignorecase":
        return value.lower() == text.lower()
    return wildcard_match(text, value)


@dataclass(frozen=True)
class FreeKeys:
    """Which free keys the vendor's requests have. `session_tags`: the trust lets the vendor tag
    its session, and then every aws:PrincipalTag/KEY is its choice, a key of the role's tags
    too (STS API Reference, AssumeRole, Tags: "session tags override a role tag with the same
    key"); `role_tags`: the role's tag keys (known, lower case): without a session tag of that
    key, the session has the role's value."""

    session_name: bool = True
    network: bool = True
    tls: bool = True  # only S3 requests carry s3:TlsVersion
    session_tags: bool = False
    role_tags: frozenset[str] = frozenset()
    # the tag keys the trust lets the vendor pass (lower case; None: any), where a condition on
    # aws:TagKeys limits them (IAM User Guide, "Passing session tags in AWS STS")
    tag_keys: frozenset[str] | None = None
    # the ARN the objects the vendor reads start with (`arn:aws:s3:::BUCKET/PREFIX`), when which
    # object is its choice (validate without --key): the object's key is a free key too
    objects: str | None = None
    # the S3 request's own keys, which the vendor's client sets (analysis/session.py SENT):
    # s3:authType, s3:signatureAge, the x-amz headers and the others the action takes,
    # aws:UserAgent, aws:Referer, and the object's tags (not read)
    sent: bool = False
    # how it calls: HTTP or HTTPS, Signature Version 2 or 4 (analysis/sent.py TRANSPORT): its
    # choice for what it could do (AWSLeastPrivilege); its reads are taken over HTTPS, SigV4
    transport: bool = False
    # the role's MaxSessionDuration: a session of the vendor's may be as old (aws:TokenIssueTime)
    session_seconds: int = 0
    # the trust lets it sts:SetSourceIdentity: aws:SourceIdentity any value, or none
    source_identity: bool = False
    # an IAM user of the vendor's may assume it with MFA: aws:MultiFactorAuthPresent and
    # aws:MultiFactorAuthAge are its choice too
    mfa: bool = False
    # what the trust refuses the vendor to pass (validate/passes.py): for a session tag
    # ("aws:principaltag/KEY") or aws:SourceIdentity, the tests that tell its values apart for the
    # trust and the results of those tests for values the trust refuses
    refused: tuple[PassedRule, ...] = ()

    def required(self, key: str) -> bool:
        """Must the vendor pass the key (lower case) to get in?"""
        return any(r.key == key.lower() and r.required for r in self.refused)

    def passable(self, key: str, value: str) -> bool:
        """May the vendor pass this value of the key (lower case)? (False: the trust refuses it.)"""
        rule = next((r for r in self.refused if r.key == key.lower()), None)
        return rule is None or rule.signature(value) not in rule.forbidden

    def tag_free(self, key: str) -> bool:
        """Is aws:PrincipalTag/KEY (lower case, the whole key) the vendor's choice?"""
        name = key.removeprefix("aws:principaltag/")
        return self.session_tags and (self.tag_keys is None or name in self.tag_keys)
