"""What the evaluator reads and answers: a request, a policy, the statements that decided, and
the decision (pure data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from provisioner.iam import Statement, request_key_absent, statements

ALLOW = "allow"
EXPLICIT_DENY = "explicit-deny"
IMPLICIT_DENY = "implicit-deny"


@dataclass(frozen=True)
class Request:
    """One request: the caller (an ARN, or a service such as 'ec2.amazonaws.com'), the action,
    the resource ARN ('*' where the action has none) and the condition keys present."""

    principal: str
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    _index: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {key.lower(): value for key, value in self.context.items()})

    def key(self, name: str) -> Any:
        """A context key's value (keys are case-insensitive), or None when absent (a request key
        the action does not carry too: iam.request_key_absent)."""
        lowered = name.lower()
        value = self._index.get(lowered)
        if value is not None and lowered.startswith("s3:") and request_key_absent(self.action, lowered):
            return None
        return value


@dataclass(frozen=True)
class Policy:
    """A named policy document (name is for the verdict's detail)."""

    name: str
    document: Any

    @cached_property
    def statements(self) -> list[Statement]:
        return statements(self.document)

    @cached_property
    def variables(self) -> bool:
        """Policy variables are read only in version 2012-10-17 documents."""
        return isinstance(self.document, dict) and self.document.get("Version") == "2012-10-17"


@dataclass(frozen=True)
class Hit:
    policy: str
    path: str
    sid: str | None
    effect: str

    def describe(self) -> str:
        sid = f" (Sid {self.sid})" if self.sid else ""
        return f"{self.policy} {self.path}{sid}"


@dataclass(frozen=True)
class Decision:
    effect: str
    allows: tuple[Hit, ...] = ()
    denies: tuple[Hit, ...] = ()
    why: str = ""  # for an implicit deny decided by a layer (evaluation/chain.py)
    by: tuple[str, ...] = ()  # for that deny, the policies of the layer that allowed nothing

    @property
    def deciders(self) -> tuple[str, ...]:
        """The policies that decided a refusal: those whose Deny matched, or those of the layer
        (an SCP or RCP level) none of which allows the request."""
        return tuple(dict.fromkeys(h.policy for h in self.denies)) if self.denies else self.by

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW

    def reason(self) -> str:
        if self.effect == EXPLICIT_DENY:
            return "explicitly denied by " + "; ".join(h.describe() for h in self.denies)
        if self.effect == ALLOW:
            return "allowed by " + "; ".join(h.describe() for h in self.allows)
        return f"{self.why or 'no statement allows it'} (implicit deny)"
