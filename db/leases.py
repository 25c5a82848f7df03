"""Named leases in the database: one holder at a time, taken over only after expiry.

Several webhook workers share one database; each runs an outbox relay, but only the
lease holder sends, so per-chat pacing and ordering stay correct. The take-over is a
conditional UPDATE, atomic on SQLite (BEGIN IMMEDIATE) and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Lease, utcnow


async def acquire(
    sessions: async_sessionmaker[AsyncSession], name: str, holder: str, ttl: timedelta
) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False when someone else holds it."""
    now = utcnow()
    async with sessions() as session:
        result = await session.execute(
            update(Lease)
            .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
            .values(holder=holder, expires_at=now + ttl)
        )
        if (result.rowcount or 0) == 1:  # type: ignore[attr-defined]
            await session.commit()
            return True
        exists = await session.get(Lease, name)
        if exists is not None:
            return False
        try:
            await session.execute(
                insert(Lease).values(name=name, holder=holder, expires_at=now + ttl)
            )
            await session.commit()
        except IntegrityError:
            return False
        return True


async def release(sessions: async_sessionmaker[AsyncSession], name: str, holder: str) -> None:
    """Give the lease up (on shutdown) so another worker takes over at once."""
    async with sessions() as session:
        await session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
