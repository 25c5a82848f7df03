"""The outbox relay's Telegram side: send one payload, translate aiogram errors for the relay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox import RetryLater, TransientError, Undeliverable
from bot.text_split import split_message


def _markup(rows: Any) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=str(label), callback_data=str(data)) for label, data in row]
            for row in rows
        ]
    )


class AiogramSender:
    """Implements :class:`bot.outbox.Sender` with an aiogram Bot."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, payload: Mapping[str, Any]) -> int:
        """Send a text payload (split at the limit; buttons on the last part)."""
        parts = split_message(str(payload["text"]))
        try:
            message_id = 0
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                message = await self._bot.send_message(
                    chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=_markup(payload.get("buttons")) if last else None,
                )
                message_id = message.message_id
            return message_id
        except TelegramRetryAfter as error:
            raise RetryLater(float(error.retry_after)) from None
        except TelegramForbiddenError as error:
            raise Undeliverable(error.message, blocked=True) from None
        except (TelegramServerError, TelegramNetworkError) as error:
            raise TransientError(type(error).__name__) from None
        except (TelegramBadRequest, TelegramNotFound) as error:
            raise Undeliverable(error.message) from None
        except TelegramUnauthorizedError:
            raise TransientError("unauthorized") from None
