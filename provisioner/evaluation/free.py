"""The answer over every value of the keys only the vendor chooses (its "free keys"), and the
words that say on which value it turns.

validate asks "will the vendor's request be allowed?" of one simulated request, but some of
that request's values are the vendor's to choose, not ours to know (IAM User Guide, "AWS global
condition context keys"; S3 User Guide, "Amazon S3 condition key examples"):

- the session name, in the session's ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`,
  which a bucket or key policy's Principal/NotPrincipal may name) and in `aws:userid`
  (`ROLEID:SESSION`);
- where it calls from: `aws:SourceIp` from the internet, or, through a VPC endpoint,
  `aws:VpcSourceIp`, `aws:SourceVpc` and `aws:SourceVpce` instead (no `aws:SourceIp` then);
- `s3:TlsVersion` on S3 requests: 1.2 or 1.3, the two versions S3 accepts (S3 User Guide,
  "Protecting data in transit with encryption", TLS 1.2 and TLS 1.3 Support);
- session tags `aws:PrincipalTag/KEY`, only when the role's trust lets the vendor
  `sts:TagSession`; then a KEY the role has a tag for too, since a session tag overrides the
  role's (STS API Reference, AssumeRole, Tags). Otherwise the role's tags are known keys.

The decision is the z3 analysis of the whole chain over these keys (analysis/decide.py, which
returns an `Outcome`); evaluation/regions.py's representatives of each key, decided here by the
evaluator, give the words of a "depends on" (`sides`, `apply`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provisioner.evaluation.chain import Chain
from provisioner.evaluation.choice import FreeKeys
from provisioner.evaluation.model import Decision, Policy, Request
from provisioner.evaluation.regions import Candidate, Dimension, dimensions

__all__ = [
    "Candidate",
    "Dimension",
    "FreeKeys",
    "Outcome",
    "chain_policies",
    "dimensions",
]


@dataclass(frozen=True)
class Outcome:
    """The chain's answer over every value of the free keys: `allowed` is a decision that allows
    (None when none does), `denied` one that refuses (None when none does); `depends` says, when
    both happen, which key decides and how. `undecided` says why the values were not all tried."""

    allowed: Decision | None
    denied: Decision | None
    depends: str = ""
    undecided: str = ""
    cases: int = 1
    # the concrete requests the decision was re-checked at (analysis/decide.py: the models')
    requests: tuple[Request, ...] = ()

    @property
    def always(self) -> bool:
        return self.denied is None and not self.undecided

    @property
    def never(self) -> bool:
        return self.allowed is None and not self.undecided

    @property
    def sometimes(self) -> bool:
        return self.allowed is not None

    @property
    def possibly(self) -> bool:
        """Allowed for some value, or not decided (then it may be: never read as "no")."""
        return self.allowed is not None or bool(self.undecided)


def chain_policies(chain: Chain) -> list[Policy]:
    out = [*chain.identity, *chain.resource, *([chain.boundary] if chain.boundary else [])]
    for levels in (chain.scps, chain.rcps):
        for level in levels:
            out.extend(level)
    return out


def apply(request: Request, combo: Sequence[Candidate]) -> Request:
    """The request with the combination's values (a session name rewrites the caller's ARN and
    aws:userid)."""
    if not combo:
        return request
    context = dict(request.context)
    lowered = {k.lower(): k for k in context}
    principal = request.principal
    for candidate in combo:
        for key, value in candidate.keys:
            existing = lowered.get(key.lower())
            if existing is not None:
                del context[existing]
            if value is not None:
                context[key] = value
                lowered[key.lower()] = key
            else:
                lowered.pop(key.lower(), None)
        if candidate.session is not None:
            principal = principal.rsplit("/", 1)[0] + "/" + candidate.session
            userid = lowered.get("aws:userid")
            if userid is not None:
                context[userid] = str(context[userid]).split(":", 1)[0] + ":" + candidate.session
    return Request(principal, request.action, request.resource, context)


# --- the words -------------------------------------------------------------------------------


def sides(dim: Dimension, allowed: list[Candidate], denied: list[Candidate]) -> str:
    if dim.kind == "tls" and len(allowed) == len(denied) == 1:
        up, down = allowed[0].keys[0][1], denied[0].keys[0][1]
        if (up or "") > (down or ""):
            return f"allowed from {up}, denied below (the vendor may use TLS 1.2 or 1.3)"
        return f"allowed with {up}, denied from {down} (the vendor may use TLS 1.2 or 1.3)"
    only = " only" if any(c.other for c in denied) and not any(c.other for c in allowed) else ""
    yes = ", ".join(c.label for c in allowed)
    no = ", ".join(c.label for c in denied)
    if dim.kind == "session":
        return f"allowed{only} for {yes}, denied for {no}"
    return f"allowed{only} {yes}, denied {no}"
