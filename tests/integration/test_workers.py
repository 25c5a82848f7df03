"""Two worker processes' engines on one database: user turns serialised through Redis locks."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.app import build_app
from tests.scenario import choose_language
from tests.support import Talk

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, 1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not _redis_up():
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


async def test_concurrent_clicks_on_two_workers_lose_no_update(settings, redis_url):
    shared = settings.model_copy(update={"redis_url": redis_url})
    worker_a = await build_app(shared, with_knowledge=False, migrate=True)
    worker_b = await build_app(shared, with_knowledge=False)
    try:
        user = 777_000_123
        talk = Talk(worker_a.engine, user_id=user)
        await choose_language(talk, "en")
        await talk.send("Two Workers Ltd")
        await talk.press_index(0)
        await talk.send("Podlaskie")
        await talk.send("We build wooden boats")
        await talk.press_index(1)
        await talk.send("Boats")
        await talk.send("Dealers")
        await talk.press_index(0)  # intent -> cooperation (7 tick boxes)
        buttons = list(talk.buttons[:7])
        talks = [Talk(w.engine, user_id=user) for w in (worker_a, worker_b)]
        await asyncio.gather(*(talks[i % 2].press_id(b.id) for i, b in enumerate(buttons)))
        async with worker_a.uow() as uow:
            state = (await uow.conversations.get(user)).state
        # Each click re-renders the question with a fresh nonce, so only the first click of
        # the burst is valid. What matters: no two turns interleaved. Every turn saves the
        # state once (read, modify, write), so a lost update would show as a missing version.
        async with worker_a.uow() as uow:
            version = (await uow.conversations.get(user)).version
        assert len(state["selected"]) == 1
        assert version == 10 + 7
    finally:
        await worker_a.close()
        await worker_b.close()
