"""The symbolic sts:AssumeRole request of one caller class: which keys are fixed by who the caller
is (evaluation/context.py's table: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
...), which the caller chooses (its tags, session name, source identity, organization, region,
external ID: free, any value STS accepts), and which cannot be reasoned about (times, aws:userid).

Caller classes ("kind"): a `party` (every principal of one account: the vendor controls them all),
`other` (any principal of an account that is neither a party, nor ours, nor of our organization),
`own` (a principal of the role's own account), `service` (an AWS service principal).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import z3

from provisioner.analysis import principals
from provisioner.analysis.address import NOT_PUBLIC, Address
from provisioner.analysis.answer import STRANGER
from provisioner.analysis.encode import NOT_COLON, Charset, Key, like
from provisioner.analysis.globs import DIGIT_CHARS, WORD_CHARS, glob_over
from provisioner.analysis.sent import NETWORK
from provisioner.evaluation.context import context_table
from provisioner.iam import wildcard_match
from provisioner.model.arn import Arn

_WORD = z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), *[z3.Re(c) for c in "_+=,.@-"])
_PRINTABLE = z3.Range(" ", "~")
_ORG_CHARS = z3.Union(z3.Range("a", "z"), z3.Range("0", "9"))
_SERVICE = z3.Concat(
    z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-"), z3.Re("."))), z3.Re(".amazonaws.com")
)

_ID_CHARS = z3.Union(_WORD, z3.Re(":"), z3.Re("/"))
# What a counterexample shows for a key the caller chooses, where the value does not matter.
_DEFAULTS = {
    "sts:externalid": "provisioner-any-id",
    "aws:sourceip": "203.0.113.7",
    "aws:vpcsourceip": "10.0.0.7",
    "aws:requestedregion": "us-east-1",
    "aws:multifactorauthage": "60",
}

# Keys the caller sets for itself: any value, present or not (sts:RoleSessionName always present).
CHOSEN_PREFIXES = ("aws:principaltag/", "aws:requesttag/")
CHOSEN = {
    "aws:tagkeys",
    "sts:transitivetagkeys",
    "sts:sourceidentity",
    "aws:sourceidentity",
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:requestedregion",
    "sts:rolesessionname",
    "sts:externalid",
    "aws:principalorgid",
    "aws:principalorgpaths",
}
ADDRESS_KEYS = ("aws:sourceip", "aws:vpcsourceip")  # compared with IpAddress over their bits
SERVICE_CHOSEN = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}
_OPAQUE = {"aws:userid": "the caller's unique ID"}
# How long temporary credentials live at most (STS API Reference: AssumeRole's DurationSeconds
# up to 12 hours, a role's MaxSessionDuration; GetSessionToken's up to 36 hours, an IAM user's):
# a session's aws:TokenIssueTime is at most that long before the request.
_SESSION_SECONDS = {"role": 12 * 3600, "user": 36 * 3600}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


_CLOCK = {
    "aws:currenttime": lambda: _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    "aws:epochtime": lambda: str(int(_now().timestamp())),
}


@dataclass
class Caller:
    """One caller class's symbolic request, with its domain constraints."""

    kind: str
    account: str | None = None  # fixed for a party and for our own account
    excluded: tuple[str, ...] = ()  # accounts an `other` caller is not in
    own_orgs: tuple[str, ...] = ()
    resource_keys: dict[str, str] = field(default_factory=dict)  # aws:ResourceAccount, ... (known)
    named: str | None = None  # one principal of the account (a role or user ARN): the caller is it
    # the paths its role or user may have (hints.principal_paths: "/" and those the policies ask)
    paths: tuple[str, ...] = ("/",)
    resource_tags: bool = False  # resource_keys hold all the role's tags: another tag key is absent
    # the time keys at the time of the run (validate's "does the vendor get in now?"); otherwise
    # not decided: a policy lives on, and who gets in later counts too (audit, lint, diff)
    clock: bool = False
    # what the trust lets it pass (iam.trust_passes); a request passing more is refused (trial 20q)
    passes: frozenset[str] = frozenset({"tags", "identity"})
    keys: dict[str, Key] = field(default_factory=dict)
    spelled: dict[str, str] = field(default_factory=dict)  # lower-case key -> as the policy wrote it
    domain: list[z3.BoolRef] = field(default_factory=list)
    chosen: set[str] = field(default_factory=set)  # the keys a concrete request of this caller sets
    # What each free string may hold (a valid ID, name, tag value): costly for the solver, so
    # asked only when a model breaks it (`Charset.holds`), analysis/trust.py's `find`.
    charsets: list[Charset] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.acct = z3.String("account")
        self.name = z3.String("name")
        self.session = z3.String("caller_session")
        # the role's or user's path, in aws:PrincipalArn, never in a session's ARN: one of `paths`
        self.path = z3.String("caller_path")
        self.user = z3.Bool("is_user")
        self.service = z3.String("service")
        if self.kind == "service":
            self.domain.append(z3.InRe(self.service, _SERVICE))
            return
        self.charsets += [
            Charset(self.name, _WORD, r"[\w+=,.@-]", 1, 64, "any-role"),
            Charset(self.session, _WORD, r"[\w+=,.@-]", 2, 64, "session"),
        ]
        if self.account is not None:
            # a fixed account: an equality (twelve digits as a language cost every question ~10 ms)
            fits = len(self.account) == 12 and self.account.isascii() and self.account.isdigit()
            self.domain.append(self.acct == z3.StringVal(self.account) if fits else z3.BoolVal(False))
        else:  # twelve digits, asked only when a model breaks them
            self.charsets.append(Charset(self.acct, z3.Range("0", "9"), "[0-9]", 12, 12, STRANGER))
        named = Arn.parse(self.named) if self.named else None
        if named is not None and named.is_role:
            self.domain += [z3.Not(self.user), self.name == z3.StringVal(named.name)]
        elif named is not None and named.service == "iam" and named.resource.startswith("user/"):
            self.domain += [self.user, self.name == z3.StringVal(named.name)]
        paths = self.paths
        if named is not None and named.service == "iam" and "/" in named.resource:
            paths = (named.path,)
        self.path_options = paths
        self.domain.append(z3.Or(*[self.path == z3.StringVal(p) for p in paths]))
        for account in self.excluded:
            self.domain.append(self.acct != z3.StringVal(account))

    # --- the caller's identity ------------------------------------------------------------

    def principal_arn(self) -> z3.SeqRef:
        head = z3.Concat(z3.StringVal("arn:aws:iam::"), self.acct)
        path = z3.StringVal(self.path_options[0]) if len(self.path_options) == 1 else self.path
        user = z3.Concat(head, z3.StringVal(":user"), path, self.name)
        role = z3.Concat(head, z3.StringVal(":role"), path, self.name)
        return z3.If(self.user, user, role)

    def _over_paths(self, pattern: str, head: list[str | tuple[z3.SeqRef, str]]) -> z3.BoolRef:
        """glob_over `pattern` of `head`, the path and the name: each path a constant (a string
        variable took the solver past its time)."""
        return z3.Or(*[
            z3.And(self.path == z3.StringVal(p), glob_over(pattern, [*head, p, (self.name, WORD_CHARS)]))
            for p in self.path_options
        ])  # fmt: skip

    def principal(self, element: Any) -> z3.BoolRef:
        """Does a Principal element name the caller (analysis/principals.py)?"""
        return principals.names(self, element)

    def spares(self, element: Any) -> z3.BoolRef:
        """Does a Deny's NotPrincipal spare the caller (analysis/principals.py)?"""
        return principals.spares(self, element)

    def arn_matches(self, pattern: str) -> z3.BoolRef:
        """ArnLike/ArnEquals `pattern` on the caller's ARN, field by field as the evaluator does
        (encode.arn_like): the constant fields here, the account, path and name to the solver."""
        arn = Arn.parse(pattern)
        if arn is None:
            return z3.BoolVal(False)
        constant = ((arn.partition, "aws"), (arn.service, "iam"), (arn.region, ""))
        if not all(wildcard_match(p, v) for p, v in constant):
            return z3.BoolVal(False)
        options = []
        for prefix, kind in (("user", self.user), ("role", z3.Not(self.user))):
            options.append(z3.And(kind, self._over_paths(arn.resource, [prefix])))
        account = z3.InRe(self.acct, like(arn.account, NOT_COLON))
        return z3.And(account, z3.Or(*options)) if options else z3.BoolVal(False)

    def like_matches(self, pattern: str) -> z3.BoolRef:
        """StringLike `pattern` on the caller's ARN, `arn:aws:iam::ACCOUNT:role/NAME` (or
        `:user/NAME`): the pattern is split where the account and the name start and end (a `*`
        may be split in two), so that the solver is asked only about each part on its own; a part
        holds no `:` or `/`, which prunes the splits."""
        options = []
        for kind, middle in ((z3.Not(self.user), ":role"), (self.user, ":user")):
            head: list[str | tuple[z3.SeqRef, str]] = ["arn:aws:iam::", (self.acct, DIGIT_CHARS), middle]
            options.append(z3.And(kind, self._over_paths(pattern, head)))
        return z3.Or(*options)

    # --- the request's keys ---------------------------------------------------------------

    def key(self, name: str, spelled: str | None = None) -> Key:
        if name not in self.keys:
            self.keys[name] = self._make(name)
            self.spelled.setdefault(name, spelled or name)
        return self.keys[name]

    def _fixed(self, value: z3.SeqRef | str, present: z3.BoolRef | bool = True) -> Key:
        text = z3.StringVal(value) if isinstance(value, str) else value
        return Key(z3.BoolVal(present) if isinstance(present, bool) else present, text)

    def _free(
        self,
        name: str,
        charset: tuple[z3.ReRef, str] = (_PRINTABLE, "[ -~]"),
        always: bool = False,
        shortest: int = 0,
        longest: int = 256,
        default: str | None = None,
    ) -> Key:
        value = z3.String(f"key:{name}")
        present = z3.BoolVal(True) if always else z3.Bool(f"has:{name}")
        default = default or _DEFAULTS.get(name, "session" if shortest else "x1")
        self.charsets.append(Charset(value, charset[0], charset[1], shortest, longest, default, present))
        return Key(present, value)

    def _make(self, name: str) -> Key:
        common = {
            "aws:securetransport": "true",
            "aws:viaawsservice": "false",
            "aws:principalisawsservice": "true" if self.kind == "service" else "false",
        }
        if name in common:
            return self._fixed(common[name])
        if name in self.resource_keys:
            return self._fixed(self.resource_keys[name])
        if self.clock and name in _CLOCK:  # a request now: a date past can never hold again
            return self._fixed(_CLOCK[name]())
        if name in _CLOCK:  # who gets in, now or later: any second from now on (trial 20q item 3)
            now, digits = int(_now().timestamp()), (z3.Range("0", "9"), "[0-9]")
            key = self._free(name, digits, always=True, shortest=1, longest=12, default=str(now))
            self.domain.append(z3.StrToInt(key.value) >= now)
            return replace(key, numeric=True)
        if self.resource_tags and name.startswith("aws:resourcetag/"):
            return Key(z3.BoolVal(False), z3.StringVal(""))  # the role has no such tag
        if name == "aws:multifactorauthage" and self.kind != "service":  # its seconds since MFA
            self.chosen.add(name)  # ("AWS global condition context keys"): any whole number
            return replace(
                self._free(name, (z3.Range("0", "9"), "[0-9]"), shortest=1, longest=9), numeric=True
            )
        if name == "aws:tokenissuetime" and self.kind != "service":
            return self._issued()
        if name in _OPAQUE or name == "aws:tokenissuetime":
            key = self._free(name)
            key.opaque = _OPAQUE.get(name, "when the service's session was issued")
            return key
        if self.kind == "service":
            return self._service_key(name)
        return self._aws_key(name)

    def _issued(self) -> Key:
        """aws:TokenIssueTime, in seconds: when the caller's temporary credentials were issued
        ("AWS global condition context keys": present only for temporary credentials). A role
        session always has it; an IAM user has it with GetSessionToken's credentials, not with
        its access keys: its choice. The caller can get new credentials at any time, so it is any
        second within a session's longest life before the request: now, where the request is
        now (`clock`), or any time from then on."""
        name = "aws:tokenissuetime"
        self.chosen.add(name)
        now, digits = int(_now().timestamp()), (z3.Range("0", "9"), "[0-9]")
        key = self._free(name, digits, shortest=1, longest=12, default=str(now))
        issued = z3.StrToInt(key.value)
        oldest = z3.If(self.user, now - _SESSION_SECONDS["user"], now - _SESSION_SECONDS["role"])
        # a date a policy can name: at most the last second of 9999 (ISO 8601's four digits)
        self.domain += [z3.Or(self.user, key.present), issued >= oldest, issued <= 253402300799]
        if self.clock:
            self.domain.append(issued <= now)
        return replace(key, numeric=True)

    def _service_key(self, name: str) -> Key:
        if name == "aws:principalservicename":
            return self._fixed(self.service)
        if name in SERVICE_CHOSEN or name in ("sts:externalid", "aws:requestedregion"):
            return self._chosen(name)
        if name == "sts:rolesessionname":
            self.chosen.add(name)
            return self._free(name, (_WORD, r"[\w+=,.@-]"), always=True, shortest=2, longest=64)
        if name in _NOT_FOR_SERVICES:  # the context table's keys of IAM principals only
            return Key(z3.BoolVal(False), z3.StringVal(""))
        return self._unknown(name)

    def _aws_key(self, name: str) -> Key:
        fixed = {
            "aws:principalarn": self.principal_arn(),
            "aws:principalaccount": self.acct,
            "aws:principaltype": z3.If(self.user, z3.StringVal("User"), z3.StringVal("AssumedRole")),
        }
        if name == "aws:principalarn":
            key = self._fixed(self.principal_arn())
            key.arn = self.arn_matches
            key.like = self.like_matches
            return key
        if name in fixed:
            return self._fixed(fixed[name])
        if name == "aws:username":
            return self._fixed(self.name, self.user)
        if name == "aws:multifactorauthpresent":
            # The caller's own choice: anyone can sign in with MFA ("AWS global condition context
            # keys": present, true, for credentials obtained with MFA; false or absent otherwise).
            self.chosen.add(name)
            value, present = z3.String(f"key:{name}"), z3.Bool(f"has:{name}")
            self.domain.append(z3.Or(value == z3.StringVal("true"), value == z3.StringVal("false")))
            return Key(present, value)
        if name in ("aws:principalorgid", "aws:principalorgpaths"):
            return self._organization(name)
        if name == "sts:rolesessionname":
            self.chosen.add(name)
            return self._free(name, (_WORD, r"[\w+=,.@-]"), always=True, shortest=2, longest=64)
        tagging = name.startswith("aws:requesttag/") or name in ("aws:tagkeys", "sts:transitivetagkeys")
        if (tagging and "tags" not in self.passes) or (
            name == "sts:sourceidentity" and "identity" not in self.passes
        ):
            return Key(z3.BoolVal(False), z3.StringVal(""))
        if name in CHOSEN or name.startswith(CHOSEN_PREFIXES):
            return self._chosen(name)
        if name in SERVICE_CHOSEN:  # a service's, on behalf of a resource owner: never an IAM caller's
            return Key(z3.BoolVal(False), z3.StringVal(""))
        return self._unknown(name)

    def _chosen(self, name: str) -> Key:
        self.chosen.add(name)
        if name == "sts:externalid":  # compared as a number too where a policy asks (trial 20q)
            key = self._free(name, (_ID_CHARS, r"[\w+=,.@:/-]"), shortest=2, longest=1224)
            return replace(key, numeric=True)
        key = self._free(name, always=name == "aws:requestedregion")
        if name in NETWORK:  # from the internet (aws:SourceIp) or through a VPC endpoint
            key = replace(
                key, present=self._internet() if name == "aws:sourceip" else z3.Not(self._internet())
            )
            self.charsets[-1] = replace(self.charsets[-1], present=key.present)
        if name in ADDRESS_KEYS:  # where the caller calls from: any address, IPv4 or IPv6
            key.address = Address(key.present, z3.Bool(f"v6:{name}"), z3.BitVec(f"ip:{name}", 128))
            if name == "aws:sourceip":  # from the internet: never a private one (trial 20q item 1)
                self.domain.append(z3.Not(z3.Or(*[key.address.within(r) for r in NOT_PUBLIC])))
            # an IPv4 address has nothing above its 32 bits: one vector per address
            self.domain.append(
                z3.Or(key.address.v6, z3.Extract(127, 32, key.address.bits) == z3.BitVecVal(0, 96))
            )
        return key

    def _internet(self) -> z3.BoolRef:
        """From the internet, or through a VPC endpoint (STS has them): then no aws:SourceIp, and
        the VPC keys instead ("AWS global condition context keys", aws:SourceIp)."""
        self.chosen.add("aws:sourceip")
        return z3.Bool("from:internet")

    def _organization(self, name: str) -> Key:
        """aws:PrincipalOrgID and aws:PrincipalOrgPaths, consistent with each other: the caller's
        organization is its own choice, except that an outsider is never in ours, and our own
        account is in ours when we know it."""
        self.chosen.update({"aws:principalorgid", name})
        self.spelled.setdefault("aws:principalorgid", "aws:PrincipalOrgID")
        org = self.keys.get("aws:principalorgid") or self._org_id()
        self.keys["aws:principalorgid"] = org
        if name == "aws:principalorgid":
            return org
        path = z3.String("key:aws:principalorgpaths")
        self.domain += [
            z3.InRe(path, z3.Star(_PRINTABLE)),
            z3.PrefixOf(z3.Concat(org.value, z3.StringVal("/")), path),
        ]
        return Key(org.present, path)

    def _org_id(self) -> Key:
        value = z3.String("key:aws:principalorgid")
        present = z3.Bool("has:aws:principalorgid")
        # "o-" and 10 to 32 lower-case letters or digits, asked only when a model breaks it
        self.charsets.append(Charset(value, _ORG_CHARS, "[a-z0-9]", 10, 32, "o-exampleorg", present, "o-"))
        ours = (
            z3.Or(*[value == z3.StringVal(o) for o in self.own_orgs]) if self.own_orgs else z3.BoolVal(False)
        )
        if self.kind == "own" and self.own_orgs:
            self.domain += [present, ours]
        else:
            self.domain.append(z3.Not(z3.And(present, ours)))
        return Key(present, value)

    def _unknown(self, name: str) -> Key:
        """A key this request does not carry, as the evaluator takes it (absent); a global key
        (aws:, sts:) we do not know of is not decided."""
        if name.startswith(("aws:", "sts:")):
            key = self._free(name)
            key.opaque = "a key whose presence and value are not modelled"
            key.unknown = True
            return key
        return Key(z3.BoolVal(False), z3.StringVal(""))


# The keys the request-context table (policies/iam/request-context.json) gives the requests of
# IAM principals and not of an AWS service principal: absent from a service's (aws:PrincipalArn,
# aws:PrincipalAccount, aws:PrincipalType, aws:userid, ...), as the concrete evaluator takes them.
_NOT_FOR_SERVICES = frozenset(
    row["key"].lower()
    for row in context_table()
    if "service" not in row["present_for"] and "assume-role" not in row["present_for"]
)
