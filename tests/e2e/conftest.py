"""End-to-end fixtures: the real aiogram Bot and Dispatcher polling a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher

from bot.app import App, build_app
from bot.config import Settings
from handlers.runtime import create_bot, create_dispatcher
from handlers.sender import AiogramSender
from tests.fakes.bot_api import FakeTelegramAPI

TOKEN = "123456789:AAH-synthetic_token_for_tests_0123"


@dataclass
class Runtime:
    """A running bot: the fake server, the app, the aiogram objects, the background tasks."""

    fake: FakeTelegramAPI
    app: App
    bot: Bot
    dispatcher: Dispatcher
    tasks: list[asyncio.Task[None]]
    stop: asyncio.Event

    async def shutdown(self) -> None:
        """Stop polling and the relay, close everything."""
        self.stop.set()
        with contextlib.suppress(RuntimeError):
            await self.dispatcher.stop_polling()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.bot.session.close()
        await self.app.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    """The fake Telegram Bot API server."""
    server = FakeTelegramAPI()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def start_runtime(
    fake: FakeTelegramAPI, settings: Settings, *, with_knowledge: bool = True, relay: bool = True
) -> Runtime:
    """Build the app and run polling (and the outbox relay) against the fake."""
    settings = settings.model_copy(update={"telegram_api_base": fake.base_url})
    app = await build_app(settings, with_knowledge=with_knowledge, migrate=True)
    bot = create_bot(TOKEN, fake.base_url)
    dispatcher = create_dispatcher(app)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(
            dispatcher.start_polling(
                bot, handle_signals=False, close_bot_session=False, polling_timeout=1
            )
        )
    ]
    if relay:
        tasks.append(asyncio.create_task(app.create_relay(AiogramSender(bot)).run(stop, idle=0.2)))
    return Runtime(fake, app, bot, dispatcher, tasks, stop)


@pytest.fixture
async def runtime(fake: FakeTelegramAPI, settings: Settings) -> AsyncIterator[Runtime]:
    """The bot running with the built-in knowledge base."""
    running = await start_runtime(fake, settings)
    try:
        yield running
    finally:
        await running.shutdown()
