"""A Telegram user for end-to-end tests: pushes updates into the fake API, reads replies."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakes.bot_api import FakeTelegramAPI

OUTGOING = {"sendmessage", "editmessagetext", "senddocument", "sendphoto"}


class TelegramUser:
    """Implements the scenario ``Driver`` protocol over the real Telegram wire format."""

    def __init__(
        self, fake: FakeTelegramAPI, user_id: int = 4242, language_code: str | None = "en"
    ) -> None:
        self.fake = fake
        self.user_id = user_id
        self.language_code = language_code
        self.seen: list[str] = []
        self._mark = 0

    def _outgoing_since(self, mark: int) -> list[Any]:
        return [
            c
            for c in self.fake.calls[mark:]
            if c.method in OUTGOING and str(c.params.get("chat_id")) == str(self.user_id)
        ]

    async def _act(self, update: dict[str, Any], *, expect_reply: bool = True) -> None:
        mark = len(self.fake.calls)
        self._mark = mark
        self.fake.push_update(update)
        if expect_reply:
            await self.fake.wait_for(lambda: bool(self._outgoing_since(mark)))
        await self._quiet()
        for call in self._outgoing_since(mark):
            if "text" in call.params:
                self.seen.append(str(call.params["text"]))

    async def _quiet(self, period: float = 0.12) -> None:
        while True:
            count = len(self.fake.calls)
            await asyncio.sleep(period)
            if len(self.fake.calls) == count:
                return

    async def send(self, text: str, *, expect_reply: bool = True) -> None:
        """Type a message (commands included)."""
        await self._act(
            self.fake.message_update(self.user_id, text, language_code=self.language_code),
            expect_reply=expect_reply,
        )

    async def send_kind(self, kind: str) -> None:
        """Send a sticker, photo or voice message."""
        await self._act(
            self.fake.message_update(self.user_id, kind=kind, language_code=self.language_code)
        )

    def keyboard(self) -> tuple[int, list[dict[str, Any]]]:
        """The newest message with buttons in this chat, and its buttons in order."""
        for message in reversed(self.fake.sent(self.user_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return message["message_id"], [b for row in rows for b in row]
        raise AssertionError("no message with buttons in the chat")

    async def press_data(self, message_id: int, data: str, *, expect_reply: bool = True) -> None:
        """Press a button with raw callback data (forged data included)."""
        await self._act(
            self.fake.callback_update(
                self.user_id, data, message_id=message_id, language_code=self.language_code
            ),
            expect_reply=expect_reply,
        )

    async def press_index(self, index: int) -> None:
        """Press the n-th button (0-based) of the newest keyboard."""
        message_id, buttons = self.keyboard()
        await self.press_data(message_id, buttons[index]["callback_data"])

    async def press(self, label_part: str, *, expect_reply: bool = True) -> None:
        """Press the newest keyboard's button whose label contains ``label_part``."""
        message_id, buttons = self.keyboard()
        for button in buttons:
            if label_part.casefold() in button["text"].casefold():
                await self.press_data(
                    message_id, button["callback_data"], expect_reply=expect_reply
                )
                return
        raise AssertionError(f"no button {label_part!r} in {[b['text'] for b in buttons]}")

    def has_checkboxes(self) -> bool:
        """Whether the newest keyboard is a tick-box list."""
        _, buttons = self.keyboard()
        return any(b["text"].startswith(("\u2610", "\u2611")) for b in buttons)

    @property
    def text(self) -> str:
        """Texts the bot sent to this user since the last action."""
        return "\n".join(str(c.params.get("text", "")) for c in self._outgoing_since(self._mark))
