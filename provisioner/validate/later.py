"""Pure: a verdict that holds now and turns at a time a policy names. validate asks its requests
at the time of the run (aws:CurrentTime, aws:EpochTime: "the date and time of the request", IAM
User Guide, "AWS global condition context keys"); a bucket policy's Deny from a future date, or
an Allow that ends on one, turns the answer then (trial 20q item 6). The answer is the same
between two of the dates the policies compare the time with, so it is asked at each future one
and the second after it; where it differs from now, the verdict depends on the time and says
both sides ("allowed now, denied from 2027-01-01T00:00:00Z"). aws:TokenIssueTime moves with it:
the vendor takes new sessions as it goes, so a Deny of sessions issued after a future date
refuses its reads from then ("denied for sessions issued from …", trial 20r item 2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from provisioner.evaluation.chain import Chain
from provisioner.evaluation.conditions import parse_date
from provisioner.evaluation.free import Outcome, chain_policies
from provisioner.evaluation.model import Request
from provisioner.iam import statements

TIME_KEYS = ("aws:currenttime", "aws:epochtime")
_SPELLED = {
    "aws:currenttime": "aws:CurrentTime",
    "aws:epochtime": "aws:EpochTime",
    "aws:tokenissuetime": "aws:TokenIssueTime",
}
ISSUED = "aws:tokenissuetime"  # moves with the time: each session is issued shortly before its calls
MOST = 6  # the nearest future dates asked at (each one costs a decision)


def later_dates(chain: Chain, now: datetime, issued: datetime | None = None) -> list[tuple[datetime, str]]:
    """The future times at which the answer may turn, with the key that turns it: each date (or
    epoch second) a condition compares aws:CurrentTime or aws:EpochTime with, and the second
    after it; for aws:TokenIssueTime (`issued`: the session's, now), the time at which a session
    is issued at that date and the second after; nearest first."""
    found: set[tuple[datetime, str]] = set()
    for policy in chain_policies(chain):
        for statement in statements(policy.document):
            for _, key, values in statement.conditions():
                lowered = key.lower()
                if lowered not in TIME_KEYS and not (lowered == ISSUED and issued is not None):
                    continue
                age = now - issued if lowered == ISSUED and issued is not None else timedelta(0)
                for value in values:
                    when = parse_date(str(value))  # in UTC, as it is shown (trial 20t item 5)
                    when = when.astimezone(UTC) if when is not None else None
                    if when is not None and when + age > now:
                        name = _SPELLED[lowered]
                        found |= {(when + age, name), (when + age + timedelta(seconds=1), name)}
    return sorted(found)[: 2 * MOST]


def now_of(request: Request) -> datetime:
    """The time the request is made at (its aws:CurrentTime, else now)."""
    return parse_date(str(request.key("aws:CurrentTime") or "")) or datetime.now(UTC)


def issued_of(request: Request) -> datetime | None:
    """When the request's session was issued (aws:TokenIssueTime), if it has one."""
    return parse_date(str(request.key("aws:TokenIssueTime") or ""))


def at_time(request: Request, when: datetime) -> Request:
    """The request made at `when`: its time keys then, a session's issue time moved alike."""
    context = dict(request.context)
    shift = when - now_of(request)
    for key in list(context):
        lowered = key.lower()
        if lowered == "aws:currenttime":
            context[key] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif lowered == "aws:epochtime":
            context[key] = str(int(when.timestamp()))
        elif lowered == "aws:tokenissuetime" and (issued := parse_date(str(context[key]))) is not None:
            context[key] = (issued + shift).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Request(request.principal, request.action, request.resource, context)


def over_time(
    chain: Chain, request: Request, now_outcome: Outcome, decide: Callable[[Request], Outcome]
) -> Outcome:
    """The outcome over the time from now on: `now_outcome` where no later date turns it, else
    one with both sides, which depends on the time (a WARN, never a PASS). Refused now is refused:
    the vendor's reads fail today whatever a later date allows (trial 20s item 1)."""
    if not now_outcome.always:
        return now_outcome
    now, issued = now_of(request), issued_of(request)
    for when, key in later_dates(chain, now, issued):
        then = decide(at_time(request, when))
        if (then.always, then.never) == (now_outcome.always, now_outcome.never):
            continue
        whose, shown = turn_words(when, key, now, issued)
        return Outcome(
            now_outcome.allowed or then.allowed,
            now_outcome.denied or then.denied,
            f"depends on the time ({key}): allowed now, denied{whose} from {shown}",
            then.undecided,
            2,
            (*now_outcome.requests, *then.requests),
        )
    return now_outcome


def turn_words(when: datetime, key: str, now: datetime, issued: datetime | None) -> tuple[str, str]:
    """(" for sessions issued" or "", the date): a turn on aws:TokenIssueTime is said as the
    session's issue time, not the time of the request."""
    if key == "aws:TokenIssueTime" and issued is not None:
        return " for sessions issued", (when - (now - issued)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "", when.strftime("%Y-%m-%dT%H:%M:%SZ")


def possibly_later(
    chain: Chain, request: Request, now_outcome: Outcome, decide: Callable[[Request], Outcome]
) -> Outcome:
    """ "Is it allowed for some value, now or at a later date?": the first later outcome that may
    allow it, where none does now."""
    if now_outcome.possibly:
        return now_outcome
    for when, _ in later_dates(chain, now_of(request), issued_of(request)):
        then = decide(at_time(request, when))
        if then.possibly:
            return then
    return now_outcome
