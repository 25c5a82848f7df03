"""A test driver that talks to the dialogue engine the way a user would: text and button labels."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.model import Button, Incoming, Reply

_update_ids = itertools.count(1000)


@dataclass
class Talk:
    """One simulated user; remembers the buttons it was last shown."""

    engine: DialogueEngine
    user_id: int = 42
    language_code: str | None = "en"
    last: list[Reply] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)

    def _remember(self, replies: list[Reply]) -> list[Reply]:
        self.last = replies
        shown = [b for reply in replies for row in reply.buttons for b in row]
        if shown:
            self.buttons = shown
        return replies

    async def send(self, text: str, *, update_id: int | None = None) -> list[Reply]:
        """Type a message."""
        incoming = Incoming(
            self.user_id,
            self.user_id,
            text=text,
            language_code=self.language_code,
            update_id=next(_update_ids) if update_id is None else update_id,
        )
        return self._remember(await self.engine.handle(incoming))

    async def press_id(self, button_id: str, *, update_id: int | None = None) -> list[Reply]:
        """Press a button by raw callback data (forged or stale data included)."""
        incoming = Incoming(
            self.user_id,
            self.user_id,
            kind="button",
            button=button_id,
            language_code=self.language_code,
            update_id=next(_update_ids) if update_id is None else update_id,
        )
        return self._remember(await self.engine.handle(incoming))

    def find(self, label_part: str) -> Button:
        """The shown button whose label contains ``label_part``."""
        matches = [b for b in self.buttons if label_part.casefold() in b.label.casefold()]
        if not matches:
            labels = [b.label for b in self.buttons]
            raise AssertionError(f"no button {label_part!r} among {labels}")
        return matches[0]

    async def press(self, label_part: str) -> list[Reply]:
        """Press the shown button whose label contains ``label_part``."""
        return await self.press_id(self.find(label_part).id)

    async def press_index(self, index: int) -> list[Reply]:
        """Press the n-th shown button (0-based), independent of the language."""
        return await self.press_id(self.buttons[index].id)

    async def unsupported(self) -> list[Reply]:
        """Send a sticker/photo/voice."""
        incoming = Incoming(
            self.user_id,
            self.user_id,
            kind="unsupported",
            language_code=self.language_code,
            update_id=next(_update_ids),
        )
        return self._remember(await self.engine.handle(incoming))

    def has_checkboxes(self) -> bool:
        """Whether the current question is a tick-box list."""
        return any(b.label.startswith(("\u2610", "\u2611")) for b in self.buttons)

    @property
    def text(self) -> str:
        """All texts of the last answer."""
        return "\n".join(reply.text for reply in self.last)
