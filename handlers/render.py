"""Send the engine's replies through aiogram: HTML texts, inline keyboards, documents.

Long texts are split at Telegram's limit; a reply marked ``replace`` edits the message
whose button was pressed (a ticked checkbox should not post a new message each time).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.dialogue.model import Reply
from bot.text_split import split_message


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (ids are the opaque callback data)."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.label, callback_data=button.id) for button in row]
            for row in reply.buttons
        ]
    )


async def send_replies(
    bot: Bot, chat_id: int, replies: Sequence[Reply], *, edit_message_id: int | None = None
) -> None:
    """Deliver replies in order to ``chat_id``."""
    for reply in replies:
        target = reply.chat_id or chat_id
        if reply.document is not None:
            await bot.send_document(
                target,
                BufferedInputFile(reply.document.content, filename=reply.document.filename),
                caption=reply.document.caption or None,
            )
        markup = keyboard(reply)
        if reply.replace and edit_message_id is not None and reply.text:
            try:
                await bot.edit_message_text(
                    text=reply.text,
                    chat_id=target,
                    message_id=edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                continue
            except TelegramBadRequest as error:
                if "not modified" in error.message:
                    continue
        parts = split_message(reply.text) if reply.text else []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await bot.send_message(
                target, part, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
            )
