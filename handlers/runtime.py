"""Build the aiogram Bot and Dispatcher for the application, and run long polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from bot.app import App
from bot.i18n import N_, Translator
from handlers import admin, brokers, dialogue
from handlers.sender import AiogramSender

log = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or continue")),
    ("profile", N_("Review or edit your profile")),
    ("matches", N_("Partners that fit your profile")),
    ("language", N_("Change the language")),
    ("restart", N_("Start the interview again")),
    ("privacy", N_("How we handle your data")),
    ("export", N_("Get all your data")),
    ("forget", N_("Erase all your data")),
    ("help", N_("What this bot can do")),
)


def create_bot(token: str, api_base: str | None = None, timeout: float = 60.0) -> Bot:
    """A Bot talking to Telegram, or to ``api_base`` (a local Bot API server, the test fake)."""
    api = TelegramAPIServer.from_base(api_base) if api_base else None
    session = AiohttpSession(api=api, timeout=timeout) if api else AiohttpSession(timeout=timeout)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=None))


def create_dispatcher(app: App) -> Dispatcher:
    """A Dispatcher with every router; the engine is injected into handlers by name."""
    dispatcher = Dispatcher(engine=app.engine, app=app)
    dispatcher.include_routers(
        admin.create_router(), brokers.create_router(), dialogue.create_router()
    )
    return dispatcher


async def set_commands(bot: Bot, translator: Translator) -> None:
    """Per-language command menus (Telegram picks one by the client's language)."""
    for lang in translator.locales:
        tr = translator.get(lang)
        commands = [
            BotCommand(command=name, description=tr.gettext(text)) for name, text in COMMANDS
        ]
        await bot.set_my_commands(
            commands,
            scope=BotCommandScopeAllPrivateChats(),
            language_code=None if lang == translator.default else lang,
        )


async def remind_loop(app: App, stop: asyncio.Event, every: float = 60.0) -> None:
    """Remind brokers of unclaimed leads and escalate them, once a minute."""
    while not stop.is_set():
        try:
            async with app.uow() as uow:
                if await app.leads.remind_due(uow):
                    await uow.commit()
                    app.relay_handle.wake()
        except Exception:
            log.exception("reminder pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


async def run_polling(app: App) -> None:
    """Run the bot with long polling (plus the outbox relay and reminders) until stopped."""
    token = app.settings.bot_token
    if token is None:
        raise RuntimeError("TIBS_BOT_TOKEN is not set")
    bot = create_bot(token.get_secret_value(), app.settings.telegram_api_base)
    dispatcher = create_dispatcher(app)
    relay = app.create_relay(AiogramSender(bot))
    stop = asyncio.Event()
    background = [asyncio.create_task(relay.run(stop)), asyncio.create_task(remind_loop(app, stop))]
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await set_commands(bot, app.translator)
        log.info("polling for updates")
        await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        await bot.session.close()


async def run_webhook(app: App) -> None:
    """Serve Telegram's webhook (plus the relay and reminders) until SIGTERM/SIGINT."""
    from aiohttp import web

    from handlers.webhook import WEBHOOK_PATH, check_secret, create_webhook_app

    settings = app.settings
    if settings.bot_token is None or not settings.webhook_url:
        raise RuntimeError("webhook mode needs TIBS_BOT_TOKEN and TIBS_WEBHOOK_URL")
    secret = check_secret(
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    bot = create_bot(settings.bot_token.get_secret_value(), settings.telegram_api_base)
    dispatcher = create_dispatcher(app)
    web_app = create_webhook_app(app, bot, dispatcher, secret)
    relay = app.create_relay(AiogramSender(bot))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signame in ("SIGINT", "SIGTERM"):
        with contextlib.suppress(NotImplementedError, AttributeError):
            loop.add_signal_handler(getattr(signal, signame), stop.set)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    background = [asyncio.create_task(relay.run(stop)), asyncio.create_task(remind_loop(app, stop))]
    try:
        await site.start()
        await set_commands(bot, app.translator)
        await bot.set_webhook(
            settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        log.info("webhook served on %s:%s", settings.webhook_host, settings.webhook_port)
        await stop.wait()
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        await runner.cleanup()
        await bot.session.close()
