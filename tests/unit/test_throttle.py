"""Per-user flood protection (reliability checklist D6)."""

from __future__ import annotations

from bot.dialogue.throttle import UserThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_hundred_messages_in_ten_seconds_are_capped_and_warned_once():
    clock = Clock()
    throttle = UserThrottle(capacity=10, rate=0.5, clock=clock)
    allowed = warnings = 0
    for i in range(100):
        clock.now = i * 0.1
        ok, warn = throttle.allow(7)
        allowed += ok
        warnings += warn
    assert allowed <= 15
    assert warnings == 1


def test_other_users_are_not_affected():
    clock = Clock()
    throttle = UserThrottle(capacity=3, rate=0.1, clock=clock)
    for _ in range(50):
        throttle.allow(1)
    assert throttle.allow(2) == (True, False)


def test_bucket_refills():
    clock = Clock()
    throttle = UserThrottle(capacity=2, rate=1.0, clock=clock)
    assert throttle.allow(1)[0] and throttle.allow(1)[0]
    assert not throttle.allow(1)[0]
    clock.now = 1.5
    assert throttle.allow(1)[0]
