"""One outbox sender at a time across workers: database leases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from db import leases
from db.engine import create_engine, session_factory
from db.migrate import upgrade


async def test_only_one_holder_until_expiry_or_release(db_url):
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        ttl = timedelta(seconds=30)
        results = await asyncio.gather(
            *(leases.acquire(sessions, "relay", f"w{i}", ttl) for i in range(8))
        )
        assert sum(results) == 1
        winner = f"w{results.index(True)}"
        assert await leases.acquire(sessions, "relay", winner, ttl)  # renewal
        assert not await leases.acquire(sessions, "relay", "late", ttl)
        await leases.release(sessions, "relay", winner)
        assert await leases.acquire(sessions, "relay", "late", ttl)
        assert await leases.acquire(sessions, "relay", "other", timedelta(seconds=-1)) is False
    finally:
        await engine.dispose()


async def test_expired_lease_is_taken_over(db_url):
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        assert await leases.acquire(sessions, "relay", "dead-worker", timedelta(seconds=-5))
        assert await leases.acquire(sessions, "relay", "alive", timedelta(seconds=30))
    finally:
        await engine.dispose()
