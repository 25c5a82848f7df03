"""Benchmark: updates per second and reply latency, 1 and 2 webhook workers on PostgreSQL.

Run: .venv/bin/python -m bench.throughput --users 100 --steps 8 --workers 1 2
Each worker is a separate process serving the webhook (secret-checked) on 127.0.0.1; they
share PostgreSQL (a fresh database) and Redis (per-user locks). The load generator plays
Telegram: it posts each user's updates in order and many users at once; latency is the time
until the worker answered 200, i.e. the reply was sent to the fake Bot API.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import time
import uuid

import aiohttp

from tests.fakes.bot_api import FakeTelegramAPI

TOKEN = "123456789:AAH-synthetic_token_for_bench_0123"
SECRET = "bench-secret-0123456789-abcdefghijklmnop"
ADMIN_PG = os.environ.get("TIBS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

WORKER = """
import asyncio, sys
from aiohttp import web
from bot.app import build_app
from bot.config import load_settings
from handlers.runtime import create_bot, create_dispatcher
from handlers.webhook import create_webhook_app
async def main(port, db, api, redis, secret, token, migrate):
    settings = load_settings(database_url=db, redis_url=redis, telegram_api_base=api,
                             bot_token=None, user_burst=100000)
    app = await build_app(settings, migrate=migrate == "1")
    bot = create_bot(token, api)
    runner = web.AppRunner(create_webhook_app(app, bot, create_dispatcher(app), secret))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(port)).start()
    print("ready", flush=True)
    await asyncio.Event().wait()
asyncio.run(main(*sys.argv[1:]))
"""


async def _create_db() -> str:
    import asyncpg

    name = f"tibs_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN_PG)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name


async def _drop_db(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_PG)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def _script(fake: FakeTelegramAPI, user: int, steps: int) -> list[dict]:
    texts = [
        "/start",
        None,
        "Bench Ltd",
        None,
        "Podlaskie",
        "We make oak furniture",
        None,
        "Oak tables",
        "Distributors",
        None,
    ]
    updates = []
    for text in itertools.islice(itertools.cycle(texts), steps):
        if text is None:
            updates.append("press")
        else:
            updates.append(fake.message_update(user, text))
    return updates


async def run(users: int, steps: int, workers: int) -> dict[str, float]:
    """Drive ``users`` x ``steps`` updates through ``workers`` webhook processes."""
    fake = FakeTelegramAPI()
    await fake.start()
    db = await _create_db()
    base = f"postgresql+asyncpg://{ADMIN_PG.split('://', 1)[1].rsplit('/', 1)[0]}/{db}"
    ports = [str(18080 + 10 * i) for i in range(workers)]
    procs = []
    try:
        for index, port in enumerate(ports):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER,
                    port,
                    base,
                    fake.base_url,
                    "redis://127.0.0.1:6379/0",
                    SECRET,
                    TOKEN,
                    "1" if index == 0 else "0",
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            assert (await asyncio.to_thread(proc.stdout.readline)).strip() == "ready"
            procs.append(proc)
        latencies: list[float] = []
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        update_ids = itertools.count(1)
        async with aiohttp.ClientSession() as http:

            async def user_session(user: int) -> None:
                for n, step in enumerate(_script(fake, 100_000 + user, steps)):
                    if step == "press":
                        try:
                            message = [
                                m for m in fake.sent(100_000 + user) if m.get("reply_markup")
                            ][-1]
                        except IndexError:
                            continue
                        data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                        step = fake.callback_update(
                            100_000 + user, data, message_id=message["message_id"]
                        )
                    step["update_id"] = next(update_ids)
                    port = ports[(user + n) % len(ports)]
                    started = time.perf_counter()
                    async with http.post(
                        f"http://127.0.0.1:{port}/telegram/webhook", json=step, headers=headers
                    ) as response:
                        assert response.status == 200
                    latencies.append(time.perf_counter() - started)

            started = time.perf_counter()
            await asyncio.gather(*(user_session(u) for u in range(users)))
            elapsed = time.perf_counter() - started
        latencies.sort()
        return {
            "workers": workers,
            "updates": len(latencies),
            "updates_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
            "replies": len(fake.calls_of("sendMessage")),
        }
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        await fake.stop()
        await _drop_db(db)


def main() -> None:
    """Run for each worker count and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    for workers in args.workers:
        print(asyncio.run(run(args.users, args.steps, workers)), flush=True)


if __name__ == "__main__":
    main()
