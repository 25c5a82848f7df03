"""Per-user flood protection: a token bucket, and at most one "slow down" notice a minute.

A user (or a script) hammering the bot should not starve everyone else: updates beyond the
bucket are dropped before they reach the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned_at: float = -1e9


class UserThrottle:
    """``capacity`` actions at once, refilled at ``rate`` per second, per user."""

    def __init__(
        self,
        capacity: float = 12,
        rate: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    def allow(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn): whether to process, and whether to send the slow-down notice."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self._max_users:
                self._buckets.clear()  # bounded memory; worst case a burst is let through
            bucket = self._buckets[user_id] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, False
        warn = now - bucket.warned_at >= 60
        if warn:
            bucket.warned_at = now
        return False, warn
