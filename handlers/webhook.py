"""Webhook mode: an aiohttp app with Telegram's secret-token check, /healthz and /metrics.

The secret is checked by aiogram's request handler before the body is parsed; start-up
refuses a webhook without a strong secret. Handlers run before the HTTP answer
(``handle_in_background=False``) so Telegram retries an update whose handling failed.
"""

from __future__ import annotations

import re

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy import func, select, text

from bot.app import App
from db.models import Lead, OutboxMessage, Profile

_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")
WEBHOOK_PATH = "/telegram/webhook"
APP_KEY = web.AppKey("tibs_app", App)


class WebhookConfigError(ValueError):
    """The webhook cannot start safely with this configuration."""


def check_secret(secret: str | None) -> str:
    """Return the secret, or refuse one that Telegram would reject or an attacker could guess."""
    if not secret or not _SECRET.fullmatch(secret):
        raise WebhookConfigError("TIBS_WEBHOOK_SECRET must be 32-256 characters of A-Z a-z 0-9 _ -")
    return secret


async def healthz(request: web.Request) -> web.Response:
    """Liveness plus a database round trip."""
    app = request.app[APP_KEY]
    try:
        async with app.database.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return web.json_response({"status": "database unavailable"}, status=503)
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format: profiles, leads by status, outbox by status, turns handled."""
    app = request.app[APP_KEY]
    lines = [
        "# HELP tibs_turns_total Conversation turns handled by this process.",
        "# TYPE tibs_turns_total counter",
        f"tibs_turns_total {app.engine.turns}",
    ]
    async with app.uow() as uow:
        session = uow.session
        profiles = await session.scalar(select(func.count()).select_from(Profile))
        lines += [
            "# TYPE tibs_profiles gauge",
            f"tibs_profiles {profiles or 0}",
            "# TYPE tibs_leads gauge",
        ]
        for status, count in await session.execute(
            select(Lead.status, func.count()).group_by(Lead.status)
        ):
            lines.append(f'tibs_leads{{status="{status}"}} {count}')
        lines.append("# TYPE tibs_outbox_messages gauge")
        for status, count in await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ):
            lines.append(f'tibs_outbox_messages{{status="{status}"}} {count}')
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


def create_webhook_app(
    app: App, bot: Bot, dispatcher: Dispatcher, secret: str | None, path: str = WEBHOOK_PATH
) -> web.Application:
    """The aiohttp application serving Telegram's webhook calls."""
    checked = check_secret(secret)
    web_app = web.Application()
    web_app[APP_KEY] = app
    SimpleRequestHandler(
        dispatcher, bot, secret_token=checked, handle_in_background=False
    ).register(web_app, path=path)
    setup_application(web_app, dispatcher, bot=bot)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    return web_app
