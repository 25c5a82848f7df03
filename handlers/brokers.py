"""Brokers in Telegram: lead-card buttons (in groups or private chats) and /leads.

Button data is ``L:<opaque token>``; the core resolves it and checks the clicking user's
rights at click time. Messages go through the outbox, never straight from here, so a
claim and its notifications commit together.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.app import App
from bot.leads import TOKEN_PREFIX


async def on_lead_button(query: CallbackQuery, app: App) -> None:
    """Claim, pass or follow-up buttons on lead cards."""
    async with app.uow() as uow:
        result = await app.leads.act(uow, query.data or "", query.from_user.id)
        await uow.commit()
    app.relay_handle.wake()
    await query.answer(result.answer[:200], show_alert=result.alert)


async def on_leads(message: Message, app: App) -> None:
    """A broker's open and waiting leads; anyone else is refused (and it is audited)."""
    user = message.from_user
    if user is None:
        return
    async with app.uow() as uow:
        if not app.leads.is_broker(user.id):
            await uow.audit.record(user.id, "leads_list", None, "denied")
            await uow.commit()
            tr = app.translator.get(user.language_code)
            await message.answer(tr.gettext("This command is for innovation brokers."))
            return
        text = await app.leads.leads_overview(uow, user.id)
        await uow.commit()
    await message.answer(text, parse_mode="HTML")


def create_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="brokers")
    router.callback_query.register(on_lead_button, F.data.startswith(TOKEN_PREFIX))
    router.message.register(on_leads, Command("leads"))
    return router
