"""Telegram's flood limits as a scheduler that says when the next message to a chat may go.

Limits (Bot FAQ): about 30 messages a second overall, about one a second per chat (short
bursts tolerated), 20 a minute per group. The limiter never sleeps itself; it tells the
caller how long to wait, so one relay can interleave many chats without blocking on one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Sending limits; defaults stay a little under Telegram's published ones."""

    global_per_second: int = 25
    per_chat_interval: float = 1.05
    group_per_minute: int = 19


@dataclass
class RateLimiter:
    """Sliding-window limiter over global, per-chat and per-group sends."""

    limits: Limits = field(default_factory=Limits)
    _global: deque[float] = field(default_factory=deque)
    _last_by_chat: dict[int, float] = field(default_factory=dict)
    _group: dict[int, deque[float]] = field(default_factory=dict)
    _blocked_until: float = 0.0

    def delay(self, chat_id: int, now: float) -> float:
        """Seconds to wait before a message to ``chat_id`` may be sent (0 = now)."""
        waits = [self._blocked_until - now]
        window = self._global
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.limits.global_per_second:
            waits.append(window[0] + 1.0 - now)
        last = self._last_by_chat.get(chat_id)
        if last is not None:
            waits.append(last + self.limits.per_chat_interval - now)
        if chat_id < 0:
            sent = self._group.get(chat_id)
            while sent and now - sent[0] >= 60.0:
                sent.popleft()
            if sent and len(sent) >= self.limits.group_per_minute:
                waits.append(sent[0] + 60.0 - now)
        return max(0.0, *waits)

    def record(self, chat_id: int, now: float) -> None:
        """Account for a message sent to ``chat_id`` at ``now``."""
        self._global.append(now)
        self._last_by_chat[chat_id] = now
        if chat_id < 0:
            self._group.setdefault(chat_id, deque()).append(now)

    def pause_chat(self, chat_id: int, until: float) -> None:
        """Honour a 429 for one chat: nothing goes to it before ``until``."""
        self._last_by_chat[chat_id] = max(
            self._last_by_chat.get(chat_id, 0.0), until - self.limits.per_chat_interval
        )

    def pause_all(self, until: float) -> None:
        """Honour a global 429: nothing goes anywhere before ``until``."""
        self._blocked_until = max(self._blocked_until, until)
