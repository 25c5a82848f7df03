"""Admin commands in Telegram (admins are configured by user id): /stats for now.

Every attempt, allowed or not, is written to the audit log.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from bot.app import App
from bot.reporting import collect_stats, render_chart, render_stats


def is_admin(app: App, user_id: int) -> bool:
    """Admins are listed in TIBS_ADMIN_IDS."""
    return user_id in app.settings.admin_ids


async def on_stats(message: Message, app: App) -> None:
    """Figures as text and as a chart image."""
    user = message.from_user
    if user is None:
        return
    tr = app.translator.get(user.language_code)
    async with app.uow() as uow:
        allowed = is_admin(app, user.id)
        await uow.audit.record(user.id, "stats", None, "ok" if allowed else "denied")
        stats = await collect_stats(uow) if allowed else None
        await uow.commit()
    if stats is None:
        await message.answer(tr.gettext("This command is for administrators."))
        return
    await message.answer(render_stats(tr, stats), parse_mode="HTML")
    await message.answer_photo(BufferedInputFile(render_chart(tr, stats), "tibs-stats.png"))


def create_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="admin")
    router.message.register(on_stats, Command("stats"))
    return router
