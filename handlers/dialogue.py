"""The profiling conversation in Telegram: every private message and button goes to the engine.

Only private chats are handled here; group chats belong to brokers (their own router).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, Update

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.model import Incoming
from handlers.render import send_replies


async def on_message(
    message: Message, bot: Bot, engine: DialogueEngine, event_update: Update
) -> None:
    """Text (including commands) goes in as text; stickers, photos, voice as unsupported."""
    user = message.from_user
    if user is None or user.is_bot:
        return
    text = message.text
    incoming = Incoming(
        user_id=user.id,
        chat_id=message.chat.id,
        kind="text" if text is not None else "unsupported",
        text=text,
        language_code=user.language_code,
        update_id=event_update.update_id,
    )
    replies = await engine.handle(incoming)
    await send_replies(bot, message.chat.id, replies)


async def on_button(
    query: CallbackQuery, bot: Bot, engine: DialogueEngine, event_update: Update
) -> None:
    """A button press: its data is an opaque id the engine resolves against stored state."""
    await query.answer()
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    if message is not None and message.chat.type != ChatType.PRIVATE:
        return
    incoming = Incoming(
        user_id=query.from_user.id,
        chat_id=chat_id,
        kind="button",
        button=query.data or "",
        language_code=query.from_user.language_code,
        update_id=event_update.update_id,
    )
    replies = await engine.handle(incoming)
    await send_replies(
        bot, chat_id, replies, edit_message_id=message.message_id if message is not None else None
    )


def create_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="dialogue")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_message)
    router.callback_query.register(on_button)
    return router
