"""Benchmark: notify N leads through the outbox relay against a rate-enforcing fake Bot API.

Run: .venv/bin/python -m bench.notify --messages 1000 --chats 250 --groups 4
The fake answers 429 whenever Telegram's limits (30/s overall, ~1/s per chat with a small
burst, 20/min per group) would be exceeded, so "0 x 429" means the pacing is right.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.app import build_app
from bot.config import load_settings
from bot.outbox import OutboxRelay
from db.engine import session_factory
from db.models import OutboxMessage
from handlers.runtime import create_bot
from handlers.sender import AiogramSender
from tests.fakes.bot_api import FakeTelegramAPI

TOKEN = "123456789:AAH-synthetic_token_for_bench_0123"


async def run(messages: int, chats: int, groups: int) -> dict[str, float]:
    """Enqueue ``messages`` notifications and time how the relay drains them."""
    fake = FakeTelegramAPI(enforce_limits=True)
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'b.sqlite3'}", bot_token=None
        )
        app = await build_app(settings, with_knowledge=False, migrate=True)
        bot = create_bot(TOKEN, fake.base_url)
        try:
            group_ids = [-1002000000000 - g for g in range(groups)]
            private_ids = [700_000 + c for c in range(chats)]
            group_share = min(messages // 10, 19 * groups)  # a realistic minority to groups
            async with app.uow() as uow:
                for n in range(messages):
                    chat = (
                        group_ids[n % groups]
                        if n < group_share and groups
                        else private_ids[n % chats]
                    )
                    await uow.outbox.enqueue(
                        OutboxMessage(
                            dedupe_key=f"bench:{n}",
                            chat_id=chat,
                            payload={"text": f"<b>Lead #{n}</b> bench", "buttons": []},
                        )
                    )
                await uow.commit()
            relay = OutboxRelay(session_factory(app.database), AiogramSender(bot))
            stop = asyncio.Event()
            started = time.perf_counter()
            task = asyncio.create_task(relay.run(stop, idle=0.05))
            while await relay.pending():
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            stop.set()
            await task
        finally:
            await bot.session.close()
            await app.close()
            await fake.stop()
    sent = len(fake.calls_of("sendMessage"))
    return {
        "messages": messages,
        "sent_calls": sent,
        "seconds": round(elapsed, 1),
        "per_second": round(messages / elapsed, 1),
        "http_429": len(fake.rate_limited),
    }


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=250)
    parser.add_argument("--groups", type=int, default=4)
    args = parser.parse_args()
    print(asyncio.run(run(args.messages, args.chats, args.groups)))


if __name__ == "__main__":
    main()
