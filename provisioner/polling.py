"""One way to wait for AWS to catch up, in the manner of botocore's waiters: a delay between
attempts, a number of attempts, and an injectable sleep (and clock) so tests never wait.

    for attempt in Waiter(delay=1.0, max_attempts=5, jitter=1.0, sleep=sleep).attempts():
        if done():
            return
    raise NotSettled(...)

The loop body decides what an attempt's answer means (done, try again, give up); the waiter
decides only when the next attempt happens and when there are no more.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Waiter:
    """`delay` seconds before each attempt after the first (before the first too with
    `wait_first`), multiplied by `backoff` after each wait (up to `max_delay`), plus up to
    `jitter` x the delay at random. At most `max_attempts` attempts (None: no limit), and no
    wait that would end past `max_wait` seconds after the start (None: no limit), measured with
    `clock`."""

    delay: float
    max_attempts: int | None
    backoff: float = 1.0
    max_delay: float | None = None
    jitter: float = 0.0
    max_wait: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts is None and self.max_wait is None:
            raise ValueError("a waiter needs max_attempts or max_wait: it would wait forever")

    def attempts(self, *, wait_first: bool = False) -> Iterator[int]:
        """Yield 0, 1, 2, ... once per attempt, sleeping between them; stop when the attempts or
        the time are used up (the caller then knows the last attempt did not succeed)."""
        start = self.clock()
        delay = self.delay
        number = 0
        while self.max_attempts is None or number < self.max_attempts:
            if number or wait_first:
                pause = delay * (1 + self.jitter * self.random())
                if self.max_wait is not None and self.clock() + pause > start + self.max_wait:
                    return
                self.sleep(pause)
                delay *= self.backoff
                if self.max_delay is not None:
                    delay = min(delay, self.max_delay)
            yield number
            number += 1
