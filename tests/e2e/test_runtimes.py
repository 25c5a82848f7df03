"""Other runtimes over the same engine: webhook mode (secret check) and python-telegram-bot."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_app
from handlers.runtime import create_bot, create_dispatcher
from handlers.webhook import WEBHOOK_PATH, WebhookConfigError, check_secret, create_webhook_app
from tests.e2e.conftest import TOKEN
from tests.e2e.driver import TelegramUser
from tests.scenario import full_profile

SECRET = "s3cr3t-webhook-token-for-tests-0123456789"


@pytest.mark.parametrize("bad", [None, "", "short", "x" * 31, "has space" * 5, "ü" * 40])
def test_webhook_refuses_weak_secrets(bad):
    with pytest.raises(WebhookConfigError):
        check_secret(bad)


async def test_webhook_checks_the_secret_and_answers(fake, settings):
    settings = settings.model_copy(update={"telegram_api_base": fake.base_url})
    app = await build_app(settings, migrate=True)
    bot = create_bot(TOKEN, fake.base_url)
    web_app = create_webhook_app(app, bot, create_dispatcher(app), SECRET)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    update = {"update_id": 1, **fake.message_update(31337, "/start")}
    try:
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url + WEBHOOK_PATH, json=update, headers=headers) as r:
                    assert r.status == 401
            async with http.post(
                url + WEBHOOK_PATH,
                data=b"not json at all",
                headers={"X-Telegram-Bot-Api-Secret-Token": "nope"},
            ) as r:
                assert r.status == 401
            assert fake.calls_of("sendMessage") == []
            async with http.post(
                url + WEBHOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as r:
                assert r.status == 200
            assert any("TIBS" in str(c.params.get("text")) for c in fake.calls_of("sendMessage"))
            async with http.get(url + "/healthz") as r:
                assert r.status == 200 and (await r.json())["status"] == "ok"
            async with http.get(url + "/metrics") as r:
                body = await r.text()
                assert "tibs_turns_total 1" in body and "tibs_profiles 0" in body
    finally:
        await runner.cleanup()
        await bot.session.close()
        await app.close()


async def test_python_telegram_bot_runs_the_same_conversation(fake, settings):
    from handlers.ptb import build_application

    settings = settings.model_copy(update={"telegram_api_base": fake.base_url})
    app = await build_app(settings, migrate=True)
    application = build_application(app, TOKEN, fake.base_url)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        user = TelegramUser(fake, user_id=5151, language_code="de")
        await full_profile(user, "de")
        async with app.uow() as uow:
            profile = await uow.profiles.get_by_user(5151)
        assert profile is not None and profile.locale == "de"
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await app.close()
    await asyncio.sleep(0)
