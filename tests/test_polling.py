"""The one polling helper (botocore-waiter-like) and the three waits built on it: settle,
settle_cors and validate's assume_as_vendor. No endpoint, no real sleep."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from provisioner.polling import Waiter


class Clock:
    """A clock that moves only when the waiter sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_a_waiter_makes_its_attempts_with_the_delay_between_them_and_no_more():
    clock = Clock()
    waiter = Waiter(2.0, 4, sleep=clock.sleep, clock=clock)
    assert list(waiter.attempts()) == [0, 1, 2, 3]
    assert clock.slept == [2.0, 2.0, 2.0]  # between attempts, not after the last


def test_wait_first_sleeps_before_the_first_attempt_too():
    clock = Clock()
    assert list(Waiter(1.0, 2, sleep=clock.sleep, clock=clock).attempts(wait_first=True)) == [0, 1]
    assert clock.slept == [1.0, 1.0]


def test_backoff_and_jitter_scale_each_delay():
    clock = Clock()
    waiter = Waiter(1.0, 4, backoff=2.0, jitter=1.0, sleep=clock.sleep, clock=clock, random=lambda: 0.5)
    list(waiter.attempts())
    assert clock.slept == [1.5, 3.0, 6.0]


def test_max_wait_stops_before_a_sleep_that_would_end_past_it():
    clock = Clock()
    waiter = Waiter(1.0, None, backoff=2.0, max_wait=10.0, sleep=clock.sleep, clock=clock)
    assert list(waiter.attempts()) == [0, 1, 2, 3]  # waits 1, 2, 4; a wait of 8 would end at 15
    assert clock.slept == [1.0, 2.0, 4.0]


def test_max_wait_of_zero_is_one_attempt_and_no_sleep():
    clock = Clock()
    assert list(Waiter(1.0, None, max_wait=0.0, sleep=clock.sleep, clock=clock).attempts()) == [0]
    assert clock.slept == []


def test_a_waiter_without_any_limit_is_refused():
    with pytest.raises(ValueError, match="wait forever"):
        Waiter(1.0, None)


# --- the waits that use it ---------------------------------------------------------------------


class _Sts:
    """AssumeRole denied `denials` times (IAM not yet consistent), then allowed."""

    class meta:
        region_name = "us-east-2"

    def __init__(self, denials: int) -> None:
        self.denials = denials
        self.calls = 0

    def assume_role(self, **params):
        self.calls += 1
        if self.calls <= self.denials:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not yet"}}, "AssumeRole")
        return {"Credentials": {"AccessKeyId": "AKIA"}}


def _spec():
    from provisioner.validate import ValidateSpec
    from provisioner.vendors import get_vendor

    return ValidateSpec(
        "arn:aws:iam::123456789012:role/R", "ckx5y2w9q0001abcd1234", "images", get_vendor("labelbox")
    )


def test_assume_as_vendor_backs_off_through_the_injected_sleep_until_it_is_allowed():
    from provisioner.validate.live import assume_as_vendor

    clock, sts = Clock(), _Sts(denials=3)
    credentials, why = assume_as_vendor(sts, _spec(), "x" * 8, 30.0, sleep=clock.sleep, clock=clock)
    assert credentials == {"AccessKeyId": "AKIA"} and why == ""
    assert clock.slept == [1.0, 2.0, 4.0] and sts.calls == 4


def test_assume_as_vendor_gives_up_within_its_wait_and_says_why():
    from provisioner.validate.live import assume_as_vendor

    clock, sts = Clock(), _Sts(denials=100)
    credentials, why = assume_as_vendor(sts, _spec(), "x" * 8, 10.0, sleep=clock.sleep, clock=clock)
    assert credentials is None and why == "AccessDenied (not yet)"
    assert sum(clock.slept) <= 10.0 and clock.slept == [1.0, 2.0, 4.0] and sts.calls == 4


def test_max_delay_caps_the_backoff():
    clock = Clock()
    list(Waiter(2.0, 6, backoff=2.0, max_delay=16.0, sleep=clock.sleep, clock=clock).attempts())
    assert clock.slept == [2.0, 4.0, 8.0, 16.0, 16.0]
