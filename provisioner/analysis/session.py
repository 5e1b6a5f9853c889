"""The vendor's role-session request as z3 variables: one concrete request (caller, action,
resource, the known keys at their values) whose free keys are symbolic (analysis/chain.py builds
the chain over it; evaluation/free.py's FreeKeys says which keys are free):

- the session name `S`, in the caller's ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/S`) and in
  `aws:userid` (`ROLE-ID:S`); `[\\w+=,.@-]{2,64}` (STS API Reference, AssumeRole, RoleSessionName);
- where it calls from: from the internet (`aws:SourceIp` an IPv4 or IPv6 address, the VPC keys
  absent) or through a VPC endpoint of its own (`aws:SourceIp` absent; `aws:VpcSourceIp` an
  address, `aws:SourceVpc` `vpc-…` and `aws:SourceVpce` `vpce-…` IDs that are none of those the
  policies name: those are yours) (IAM User Guide, "AWS global condition context keys");
- `s3:TlsVersion`, "1.2" or "1.3" (S3 User Guide, "Protecting data in transit with encryption");
- each session tag `aws:PrincipalTag/K` the policies read, when the trust lets the vendor
  sts:TagSession: any value or none, and without one the role's own tag of K, if it has one;
- each key whose value validate could not read (`unknown`: the organization's ID and path),
  any value of its form.

Addresses are 128-bit vectors with a version bit (an IPv4 address in the low 32 bits), so that
IpAddress and NotIpAddress are decided exactly. A free string's form (the session name's
characters, an ID's) is asked of the solver only when a model breaks it (`Lazy`), as the trust
analysis asks its character sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import z3

from provisioner.analysis.address import NOT_PUBLIC, Address
from provisioner.analysis.encode import Key
from provisioner.analysis.forms import Defaults, Lazy, form, text
from provisioner.analysis.globs import WORD_CHARS, glob_over
from provisioner.analysis.sent import (
    CONTEXT_ARN,
    NETWORK,
    context_key,
    is_free,
    issued_free,
    object_context,
    object_match,
    passable,
    passed_free,
    sent,
    sent_key,
)
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.model import Request
from provisioner.iam import strings_in
from provisioner.model import account_of

IP_KEYS = ("aws:sourceip", "aws:vpcsourceip")
# Addresses a request from the internet never comes from (IANA special-purpose address registries,
# RFC 6890: private, shared, loopback, link-local, multicast, reserved): aws:SourceIp is the
# caller's public address; through a VPC endpoint it is absent and aws:VpcSourceIp holds the
# private one (IAM User Guide, "AWS global condition context keys", aws:SourceIp and
# aws:VpcSourceIp). A "deny S3 outside 10.0.0.0/8" SCP refuses every request (trial 20p item 2).

TLS_VERSIONS = ("1.2", "1.3")  # S3 User Guide, "Protecting data in transit with encryption"
_WORD = z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), *[z3.Re(c) for c in "_+=,.@-"])
_HEX = z3.Union(z3.Range("0", "9"), z3.Range("a", "f"))
_ORG = z3.Union(z3.Range("a", "z"), z3.Range("0", "9"))
_PRINTABLE = z3.Range(" ", "~")
_DEFAULTS = {
    "aws:sourceip": "198.51.100.23",
    "aws:vpcsourceip": "10.0.0.1",
    "aws:sourcevpc": "vpc-0f1e2d3c4b5a6978",
    "aws:sourcevpce": "vpce-0a1b2c3d4e5f6071",
}
SPELLED = {
    "aws:sourceip": "aws:SourceIp",
    "aws:vpcsourceip": "aws:VpcSourceIp",
    "aws:sourcevpc": "aws:SourceVpc",
    "aws:sourcevpce": "aws:SourceVpce",
}


class SessionRequest:
    """One request of the vendor's role session with its free keys as variables."""

    def __init__(self, request: Request, free: FreeKeys, unknown: dict[str, str] | None = None) -> None:
        self.request = request
        self.free = free
        self.unknown = {k.lower(): k for k in unknown or {}}
        self.is_session = ":assumed-role/" in request.principal
        self.prefix = request.principal.rsplit("/", 1)[0] + "/"
        self.session = z3.String("session_name")
        self.domain: list[z3.BoolRef] = []
        self.lazy: list[Lazy] = []
        self.keys: dict[str, Key] = {}
        self.addresses: dict[str, Address] = {}
        self.groups: dict[str, list[Any]] = {}  # "session", "network", "tls", a tag's or key's name
        self.internet = z3.Bool("from_internet")
        self.named: dict[str, set[str]] = {}  # key -> literal values the policies name (VPC IDs)
        # a session tag compared only as a number or only as a date (analysis/chain.py's
        # `typed`): one representative of each region its constants make, chosen by an index
        self.typed: dict[str, list[str]] = {}
        self.chosen: dict[str, z3.ArithRef] = {}
        self.default_values: dict[str, str | None] = {}  # analysis/sent.py's keys, for `defaults`
        if self.session_free:
            self.lazy.append(Lazy(self.session, r"[\w+=,.@-]{2,64}", form(self.session, "", _WORD, 2, 64)))
            self.domain.append(passable("session", self.session, free))  # names the trust takes
        # which object: any key under the prefix (1 to 1,024 characters), when it is the vendor's
        # choice (FreeKeys.objects) and the request is for an object there
        head = free.objects
        self.object_head = head if head and "/" in head and request.resource.startswith(head) else None
        self.object_key = z3.String("object_key")
        # S3's kms:Decrypt for that object: its encryption context is the object's ARN, or with an
        # S3 Bucket Key the bucket's (`own_context` false); whatever the bucket's default, an object
        # may have been written with a Bucket Key or without one (PutObject's
        # x-amz-server-side-encryption-bucket-key-enabled; round 20ah item 1)
        self.context_head = head if head and object_context(request, free) else None
        self.own_context = z3.Bool("own_context") if self.context_head else z3.BoolVal(True)
        if (self.object_head or self.context_head) is not None:
            rest = len(str(self.object_head or self.context_head).split("/", 1)[1])
            self.domain += [
                z3.Length(self.object_key) >= (0 if rest else 1),
                z3.Length(self.object_key) <= 1024 - rest,
            ]

    # --- which keys are free ----------------------------------------------------------------

    @property
    def session_free(self) -> bool:
        return self.free.session_name and self.is_session

    def is_free(self, name: str) -> bool:
        """Is the key (lower case) one the vendor chooses, or one validate could not read?"""
        return is_free(name, self.request, self.free, set(self.unknown))

    # --- the keys, as the encoder reads them ------------------------------------------------

    def key(self, name: str, spelled: str | None = None) -> Key:
        if name not in self.keys:
            self.keys[name] = self._make(name, spelled or name)
        return self.keys[name]

    def _make(self, name: str, spelled: str) -> Key:
        if name == "aws:userid":
            head = str(self.request.key("aws:userid")).split(":", 1)[0] + ":"
            self.groups.setdefault("session", []).append(self.session)
            key = Key(z3.BoolVal(True), z3.Concat(z3.StringVal(head), self.session))
            # StringLike over the two parts, the fixed ID apart (one regular language over the
            # whole ID and name took the solver past its time)
            key.like = lambda pattern: glob_over(pattern, [head, (self.session, WORD_CHARS)])
            return key
        if name in NETWORK:
            return self._network(name)
        if name == "s3:tlsversion":
            value = z3.String("tls_version")
            self.domain.append(z3.Or(*[value == z3.StringVal(v) for v in TLS_VERSIONS]))
            self.groups["tls"] = [value]
            return Key(z3.BoolVal(True), value)
        if name in self.unknown:
            return self._unknown(name)
        if name == CONTEXT_ARN and self.context_head is not None:  # the object's ARN, any object
            own = [] if z3.is_true(self.own_context) else [self.own_context]
            self.groups.setdefault("object", [self.object_key, *own])
            return context_key(self.context_head, self.object_key, self.own_context)
        if (
            sent(name, self.request, self.free)
            or issued_free(name, self.request, self.free)
            or passed_free(name, self.free)
        ):
            key, default = sent_key(
                name, spelled, self.request, self.free, self.groups, self.domain, self.lazy
            )
            self.default_values[name] = default
            return key
        return self._tag(name, spelled)

    def _network(self, name: str) -> Key:
        group = self.groups.setdefault("network", [self.internet])
        present = self.internet if name == "aws:sourceip" else z3.Not(self.internet)
        if name in IP_KEYS:
            address = Address(present, z3.Bool(f"v6:{name}"), z3.BitVec(f"ip:{name}", 128))
            # an IPv4 address has nothing above its 32 bits: one vector per address
            self.domain.append(z3.Or(address.v6, z3.Extract(127, 32, address.bits) == z3.BitVecVal(0, 96)))
            self.addresses[name] = address
            if name == "aws:sourceip":  # from the internet: a public address, never a private one
                self.domain.append(z3.Not(z3.Or(*[address.within(r) for r in NOT_PUBLIC])))
            group += [address.v6, address.bits]
            return Key(present, z3.String(f"key:{name}"))  # compared as a string: not modelled
        value = z3.String(f"key:{name}")
        head = "vpc-" if name == "aws:sourcevpc" else "vpce-"
        self.lazy.append(Lazy(value, re.escape(head) + "[0-9a-f]{8,17}", form(value, head, _HEX, 8, 17)))
        # the vendor's own VPC and endpoint: never one your policies name
        self.domain += [value != z3.StringVal(v) for v in sorted(self.named.get(name, ()))]
        group.append(value)
        return Key(present, value)

    def _tag(self, name: str, spelled: str) -> Key:
        has, value = z3.Bool(f"has:{name}"), z3.String(f"key:{name}")
        if name in self.typed:
            return self._typed_tag(name, spelled, has)
        self.lazy.append(Lazy(value, r"[ -~]{0,256}", form(value, "", _PRINTABLE, 0, 256), has))
        self.domain.append(z3.Implies(has, passable(name, value, self.free)))  # what the trust takes
        self.domain += [has] if self.free.required(name) else []  # the vendor gets in only with it
        self.groups[spelled] = [has, value]
        own = self.request.key(spelled)
        if own is not None:  # the role's tag, unless a session tag overrides it
            return Key(z3.BoolVal(True), z3.If(has, value, z3.StringVal(str(own))))
        return Key(has, value)

    def _typed_tag(self, name: str, spelled: str, has: z3.BoolRef) -> Key:
        """A tag compared only as a number (or only as a date): its value is one of the
        representatives (the role's own value the last, when it has the tag: without a session
        tag of the key, the session has it)."""
        index = z3.Int(f"which:{name}")
        values = self.typed[name]
        own = self.request.key(spelled)
        self.groups[spelled] = [has, index]
        self.chosen[name] = index
        if own is not None:
            values.append(str(own))
            last = len(values) - 1
            self.domain += [index >= 0, index <= last, z3.Implies(z3.Not(has), index == last)]
            return Key(z3.BoolVal(True), z3.String(f"key:{name}"))
        self.domain += [index >= 0, index < len(values)]
        return Key(has, z3.String(f"key:{name}"))

    def _unknown(self, name: str) -> Key:
        spelled = self.unknown[name]
        mirrored = _PRINCIPAL_SIDE.get(name)
        if mirrored is not None:
            if self.request.key("aws:ResourceAccount") == account_of(self.request.principal):
                # a resource of the principal's own account: its organization and path are the
                # principal's, not known, but one value
                principal_side = self.request.key(mirrored)
                if principal_side is None:
                    return self.key(mirrored.lower(), mirrored)
                return Key(z3.BoolVal(True), z3.StringVal(str(principal_side)))
            # another account's resource: any organization, or none
            value = z3.String(f"key:{name}")
            present = z3.Bool(f"has:{name}")
            if name == "aws:resourceorgid":
                shape = Lazy(value, "o-[a-z0-9]{10,32}", form(value, "o-", _ORG, 10, 32), present)
            else:
                shape = Lazy(value, r"[ -~]{1,512}", form(value, "", _PRINTABLE, 1, 512), present)
            self.lazy.append(shape)
            self.groups[spelled] = [value, present]
            return Key(present, value)
        value = z3.String(f"key:{name}")
        if name == "aws:principalorgid":
            self.lazy.append(Lazy(value, "o-[a-z0-9]{10,32}", form(value, "o-", _ORG, 10, 32)))
        elif name != "aws:principalorgpaths":  # another key not read (kms:KeyOrigin): any text
            self.default_values[name] = "unknown"
        else:  # the account's path starts with the organization's ID (known, or free too)
            org = self.request.key("aws:PrincipalOrgID")
            head = z3.StringVal(f"{org}/") if org is not None else z3.StringVal("o-")
            if org is None and "aws:principalorgid" in self.unknown:
                head = z3.Concat(self.key("aws:principalorgid").value, z3.StringVal("/"))
            self.domain.append(z3.PrefixOf(head, value))
            self.lazy.append(Lazy(value, r"[ -~]{1,512}", form(value, "", _PRINTABLE, 1, 512)))
        self.groups[spelled] = [value]
        return Key(z3.BoolVal(True), value)

    def object_matches(self, pattern: str) -> z3.BoolRef | bool:
        """Does a Resource pattern (its policy variables resolved) match the object, any key?"""
        return object_match(pattern, str(self.object_head), self.object_key, self.groups)

    # --- the caller's ARN with the free session name -----------------------------------------

    def by_caller(self, test: Callable[[str], bool], element: Any) -> z3.BoolRef:
        """`test` of the caller's ARN, for every session name: the evaluator's principal
        functions compare the caller with the values an element names, so the answer is one
        for each session name the element names and one for every other name."""
        if not self.session_free:
            return z3.BoolVal(test(self.request.principal))
        names = sorted({v[len(self.prefix) :] for v in strings_in(element) if v.startswith(self.prefix)})
        other = next(n for n in (f"vendor-session{i}" for i in range(len(names) + 1)) if n not in names)
        formula: z3.BoolRef = z3.BoolVal(test(self.prefix + other))
        for name in names:
            formula = z3.If(self.session == z3.StringVal(name), z3.BoolVal(test(self.prefix + name)), formula)
        if names:
            self.groups.setdefault("session", []).append(self.session)
        return formula

    # --- a model as a concrete request --------------------------------------------------------

    def concrete(self, model: z3.ModelRef | Defaults) -> Request:
        """The request the model describes (the evaluator re-checks it)."""
        context = dict(self.request.context)
        lowered = {k.lower(): k for k in context}

        def put(name: str, value: Any) -> None:
            existing = lowered.pop(name.lower(), None)
            if existing is not None:
                del context[existing]
            if value is not None:
                context[name] = value
                lowered[name.lower()] = name

        principal = self.request.principal
        if self.session_free and "session" in self.groups:
            name = text(model, self.session)
            principal = self.prefix + name
            if "aws:userid" in lowered:
                put("aws:userid", str(context[lowered["aws:userid"]]).split(":", 1)[0] + ":" + name)
        for name, key in self.keys.items():
            present = z3.is_true(model.eval(key.present, model_completion=True))
            if name == "aws:userid":
                continue
            if name == CONTEXT_ARN and self.context_head is not None:
                own = z3.is_true(model.eval(self.own_context, model_completion=True))
                arn = self.context_head + text(model, self.object_key)
                put("kms:EncryptionContext:aws:s3:arn", arn if own else self.context_head.split("/", 1)[0])
                continue
            spelled = SPELLED.get(name) or self.unknown.get(name) or self._spelled_tag(name)
            if not present:
                put(spelled, None)
            elif name in self.addresses:
                put(spelled, self.addresses[name].shown(model))
            elif name in ("aws:principalorgpaths", "aws:resourceorgpaths"):
                put(spelled, [text(model, key.value)])
            elif name in self.chosen:
                put(spelled, self.typed[name][model.eval(self.chosen[name], model_completion=True).as_long()])
            else:
                put(spelled, text(model, key.value))
        if "network" in self.groups:  # the keys no policy reads: the path's own, or absent
            internet = z3.is_true(model.eval(self.internet, model_completion=True))
            for name in NETWORK:
                if name not in self.keys:
                    put(SPELLED[name], _DEFAULTS[name] if (name == "aws:sourceip") == internet else None)
        resource = self.request.resource
        if self.object_head is not None and "object" in self.groups:
            resource = self.object_head + text(model, self.object_key)
        return Request(principal, self.request.action, resource, context)

    def defaults(self) -> Defaults:
        """One value of every free key, within its form (for an answer no value changes)."""
        pairs: list[tuple[Any, Any]] = [
            (self.internet, z3.BoolVal(True)),
            (self.session, z3.StringVal("vendor-session")),
        ]
        if self.object_head is not None:  # the simulated object
            pairs.append((self.object_key, z3.StringVal(self.request.resource[len(self.object_head) :])))
        elif self.context_head is not None:  # the simulated object, as the request has it
            shown = str(self.request.key(CONTEXT_ARN))
            own = shown.startswith(self.context_head)
            pairs.append((self.object_key, z3.StringVal(shown[len(self.context_head) :] if own else "")))
            pairs += [] if z3.is_true(self.own_context) else [(self.own_context, z3.BoolVal(own))]
        for name, key in self.keys.items():
            if name in self.addresses:
                address = self.addresses[name]
                pairs += [(address.v6, z3.BoolVal(False)), (address.bits, z3.BitVecVal(0xC6336417, 128))]
            elif name == "s3:tlsversion":
                pairs.append((key.value, z3.StringVal("1.3")))
            elif name in self.default_values:  # a value, or absent (None)
                default = self.default_values[name]
                pairs.append(
                    (key.value, z3.StringVal(default)) if default else (key.present, z3.BoolVal(False))
                )
            elif name.startswith("aws:principaltag/"):
                pairs.append((z3.Bool(f"has:{name}"), z3.BoolVal(False)))
                if name in self.chosen:
                    pairs.append((self.chosen[name], z3.IntVal(len(self.typed[name]) - 1)))
            elif name == "aws:principalorgid":
                pairs.append((key.value, z3.StringVal("o-exampleorg")))
            elif name in ("aws:principalorgpaths", "aws:resourceorgpaths"):
                org = self.request.key("aws:PrincipalOrgID") or "o-exampleorg"
                pairs.append((key.value, z3.StringVal(f"{org}/r-exam/")))
        return Defaults(pairs)

    def restore(self, request: Request, group: str) -> Request:
        """`request` with the group's keys as the simulated request has them."""
        keys = {
            "session": ["aws:userid"],
            "network": [SPELLED[n] for n in NETWORK],
            "tls": ["s3:TlsVersion"],
            "object": ["kms:EncryptionContext:aws:s3:arn"],
        }.get(group, [group])
        context = {k: v for k, v in request.context.items() if k.lower() not in {n.lower() for n in keys}}
        context.update(
            {k: v for k, v in self.request.context.items() if k.lower() in {n.lower() for n in keys}}
        )
        principal = self.request.principal if group == "session" else request.principal
        resource = self.request.resource if group == "object" else request.resource
        return Request(principal, request.action, resource, context)

    def _spelled_tag(self, name: str) -> str:
        for spelled in self.groups:
            if spelled.lower() == name:
                return spelled
        return name


_PRINCIPAL_SIDE = {"aws:resourceorgid": "aws:PrincipalOrgID", "aws:resourceorgpaths": "aws:PrincipalOrgPaths"}
