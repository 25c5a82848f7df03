"""Optional second runtime: python-telegram-bot (extra ``[ptb]``) over the same dialogue engine.

It shows the engine is framework-neutral: the same ``Incoming``/``Reply`` contract, the same
texts and buttons, the same database. Updates are processed one at a time (PTB's default),
which also keeps each user's messages in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.app import App
from bot.dialogue.model import Incoming, Reply
from bot.text_split import split_message

TIBS_KEY = "tibs"


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.id) for b in row] for row in reply.buttons]
    )


async def _send(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    replies: Sequence[Reply],
    edit_message_id: int | None = None,
) -> None:
    bot = context.bot
    for reply in replies:
        if reply.document is not None:
            await bot.send_document(
                chat_id,
                document=reply.document.content,
                filename=reply.document.filename,
                caption=reply.document.caption or None,
            )
        if reply.replace and edit_message_id is not None:
            try:
                await bot.edit_message_text(
                    reply.text,
                    chat_id=chat_id,
                    message_id=edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=_markup(reply),
                )
                continue
            except BadRequest as error:
                if "not modified" in str(error):
                    continue
        parts = split_message(reply.text) if reply.text else []
        for index, part in enumerate(parts):
            await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(reply) if index == len(parts) - 1 else None,
            )


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message: text (commands included) or something the engine cannot read."""
    app: App = context.bot_data[TIBS_KEY]
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot:
        return
    incoming = Incoming(
        user_id=user.id,
        chat_id=message.chat_id,
        kind="text" if message.text is not None else "unsupported",
        text=message.text,
        language_code=user.language_code,
        update_id=update.update_id,
    )
    await _send(context, message.chat_id, await app.engine.handle(incoming))


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: lead buttons go to the lead service, others to the engine."""
    app: App = context.bot_data[TIBS_KEY]
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    if data.startswith("L:"):
        async with app.uow() as uow:
            result = await app.leads.act(uow, data, query.from_user.id)
            await uow.commit()
        app.relay_handle.wake()
        await query.answer(result.answer[:200], show_alert=result.alert)
        return
    await query.answer()
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    if message is not None and message.chat.type != ChatType.PRIVATE:
        return
    incoming = Incoming(
        user_id=query.from_user.id,
        chat_id=chat_id,
        kind="button",
        button=data,
        language_code=query.from_user.language_code,
        update_id=update.update_id,
    )
    await _send(
        context,
        chat_id,
        await app.engine.handle(incoming),
        edit_message_id=message.message_id if message is not None else None,
    )


def build_application(
    app: App, token: str, api_base: str | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application wired to the engine (``api_base``: local Bot API server or test fake)."""
    builder = Application.builder().token(token)
    if api_base:
        base = api_base.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application = builder.build()
    application.bot_data[TIBS_KEY] = app
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE, on_message))
    return application
