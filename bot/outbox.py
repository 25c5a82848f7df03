"""Transactional outbox relay: notifications are rows first, Telegram messages later.

A lead and the messages announcing it are written in one transaction; this relay sends
the pending rows while respecting Telegram's flood limits, honours ``retry_after``, backs
off on server errors, never retries a chat that blocked the bot, and survives restarts
(the rows are the queue). Delivery is at-least-once with duplicates only possible when a
send succeeded at Telegram but its answer was lost (a read time-out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ratelimit import RateLimiter
from db import leases
from db.models import BlockedChat, OutboxMessage, utcnow

log = logging.getLogger(__name__)
LEASE = "outbox-relay"


class SendError(Exception):
    """A send did not go through."""


class RetryLater(SendError):
    """Telegram said 429: wait ``retry_after`` seconds (for this chat or for the whole bot)."""

    def __init__(self, retry_after: float, *, whole_bot: bool = False) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after
        self.whole_bot = whole_bot


class TransientError(SendError):
    """5xx, connection reset, time-out: try again later."""


class Undeliverable(SendError):
    """The message can never be delivered (400); ``blocked`` when the chat blocked us (403)."""

    def __init__(self, reason: str, *, blocked: bool = False) -> None:
        super().__init__(reason)
        self.blocked = blocked


class Sender(Protocol):
    """Sends one outbox payload to one chat; returns the Telegram message id."""

    async def send(self, chat_id: int, payload: Mapping[str, Any]) -> int:
        """Send, or raise a :class:`SendError`."""
        ...


class OutboxRelay:
    """Drains the outbox table through a :class:`Sender`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        limiter: RateLimiter | None = None,
        *,
        batch: int = 100,
        max_attempts: int = 25,
        clock: Callable[[], float] = time.monotonic,
        holder: str | None = None,
        lease_ttl: timedelta = timedelta(seconds=15),
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._limiter = limiter or RateLimiter()
        self._batch = batch
        self._max_attempts = max_attempts
        self._clock = clock
        self._wake = asyncio.Event()
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._lease_ttl = lease_ttl

    def wake(self) -> None:
        """Tell the relay new rows were committed."""
        self._wake.set()

    async def _due(self) -> list[OutboxMessage]:
        async with self._sessions() as session:
            result = await session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow())
                .order_by(OutboxMessage.id)
                .limit(self._batch)
            )
            rows = list(result.scalars().all())
            blocked = set((await session.execute(select(BlockedChat.chat_id))).scalars().all())
        for row in rows:
            if row.chat_id in blocked:
                await self._finish(row.id, status="blocked", error="chat blocked the bot")
        return [row for row in rows if row.chat_id not in blocked]

    async def _finish(self, row_id: int, **values: Any) -> None:
        error = values.pop("error", None)
        async with self._sessions() as session:
            changes: dict[str, Any] = {"attempts": OutboxMessage.attempts + 1, **values}
            if error is not None:
                changes["last_error"] = str(error)[:200]
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(**changes)
            )
            await session.commit()

    async def _retry_at(self, row: OutboxMessage, delay: float, error: str) -> None:
        status = "pending" if row.attempts + 1 < self._max_attempts else "failed"
        await self._finish(
            row.id, status=status, error=error, next_attempt_at=utcnow() + timedelta(seconds=delay)
        )

    async def run_once(self) -> tuple[int, float | None]:
        """Send what may be sent now; returns (sent, seconds until more could be sent)."""
        rows = await self._due()
        sent = 0
        held: set[int] = set()
        soonest: float | None = None
        for row in rows:
            if row.chat_id in held:
                continue
            wait = self._limiter.delay(row.chat_id, self._clock())
            if wait > 0:
                held.add(row.chat_id)
                soonest = wait if soonest is None else min(soonest, wait)
                continue
            self._limiter.record(row.chat_id, self._clock())
            try:
                message_id = await self._sender.send(row.chat_id, row.payload)
            except RetryLater as error:
                held.add(row.chat_id)
                until = self._clock() + error.retry_after
                if error.whole_bot:
                    self._limiter.pause_all(until)
                else:
                    self._limiter.pause_chat(row.chat_id, until)
                await self._retry_at(row, error.retry_after, str(error))
                soonest = error.retry_after if soonest is None else min(soonest, error.retry_after)
            except TransientError as error:
                held.add(row.chat_id)
                backoff = min(60.0, 0.5 * 2**row.attempts) * (1 + random.random() / 4)
                await self._retry_at(row, backoff, str(error))
            except Undeliverable as error:
                if error.blocked:
                    await self._block(row.chat_id)
                await self._finish(
                    row.id, status="blocked" if error.blocked else "failed", error=str(error)
                )
                log.warning("outbox message %s undeliverable: %s", row.id, error)
            else:
                sent += 1
                await self._finish(row.id, status="sent", sent_at=utcnow(), message_id=message_id)
        return sent, soonest

    async def _block(self, chat_id: int) -> None:
        async with self._sessions() as session:
            if await session.get(BlockedChat, chat_id) is None:
                session.add(BlockedChat(chat_id=chat_id))
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending")
                .values(status="blocked")
            )
            await session.commit()

    async def pending(self) -> int:
        """Rows still waiting to be sent."""
        from sqlalchemy import func

        async with self._sessions() as session:
            result = await session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            )
            return int(result.scalar_one())

    async def next_due_in(self) -> float | None:
        """Seconds until the earliest pending row is due (None when the outbox is empty)."""
        from sqlalchemy import func

        async with self._sessions() as session:
            result = await session.execute(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == "pending"
                )
            )
            earliest: datetime | None = result.scalar_one()
        if earliest is None:
            return None
        if earliest.tzinfo is None:
            earliest = earliest.replace(tzinfo=utcnow().tzinfo)
        return max(0.0, (earliest - utcnow()).total_seconds())

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Relay until ``stop`` is set, while holding the outbox lease (one sender at a time)."""
        try:
            await self._run(stop, idle)
        finally:
            await leases.release(self._sessions, LEASE, self.holder)

    async def _run(self, stop: asyncio.Event, idle: float) -> None:
        while not stop.is_set():
            try:
                if not await leases.acquire(self._sessions, LEASE, self.holder, self._lease_ttl):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=idle)
                    continue
                sent, soonest = await self.run_once()
                due = await self.next_due_in()
            except Exception:
                log.exception("outbox relay pass failed")
                sent, soonest, due = 0, idle, idle
            if sent:
                continue
            waits = [w for w in (soonest, due, idle) if w is not None]
            self._wake.clear()
            stopper = asyncio.ensure_future(stop.wait())
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait(
                    {stopper, waker},
                    timeout=max(0.01, min(waits)),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                stopper.cancel()
                waker.cancel()
