"""Per-user locks: one user's updates are processed one at a time, in arrival order.

asyncio.Lock wakes waiters in FIFO order, so holding a per-user lock around a turn keeps
each user's messages ordered while different users run concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class KeyedLocks:
    """A lock per key, dropped again when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Hold the lock of ``key`` for the duration of the block."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class RedisKeyedLocks:
    """Per-user locks shared by several worker processes through Redis.

    With webhooks and several workers, two updates of one user can reach two processes at
    once; the Redis lock makes their turns run one after the other (read, apply, commit).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "tibs:user-lock:",
        timeout: float = 60.0,
        local: KeyedLocks | None = None,
    ) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        self._prefix = prefix
        self._timeout = timeout
        self._local = local or KeyedLocks()

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Hold the process-local lock (FIFO) and then the shared Redis lock of ``key``."""
        async with self._local.hold(key):
            lock = self._redis.lock(
                f"{self._prefix}{key}",
                timeout=self._timeout,
                blocking_timeout=self._timeout,
                sleep=0.005,
            )
            acquired = await lock.acquire()
            if not acquired:
                raise TimeoutError(f"user lock {key} not acquired")
            try:
                yield
            finally:
                await lock.release()

    async def close(self) -> None:
        """Close the Redis connection pool."""
        await self._redis.aclose()
