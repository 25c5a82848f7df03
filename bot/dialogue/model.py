"""What goes into the dialogue engine and what comes out of it.

These value objects are the whole contract between the engine and its adapters (aiogram,
python-telegram-bot, the console): adapters build an :class:`Incoming` from whatever their
framework delivers and render each :class:`Reply`. Texts are Telegram-flavoured HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

InputKind = Literal["text", "button", "unsupported"]


@dataclass(frozen=True)
class Incoming:
    """One user action: a text (commands included), a button press, or something unreadable."""

    user_id: int
    chat_id: int
    kind: InputKind = "text"
    text: str | None = None
    button: str | None = None
    language_code: str | None = None
    update_id: int | None = None
    source: str = "telegram"


@dataclass(frozen=True)
class Button:
    """An inline button; ``id`` is an opaque token resolved against the stored state."""

    id: str
    label: str


@dataclass(frozen=True)
class Document:
    """A file to send (``/export``)."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """One message to the user; ``replace`` lets an adapter edit the message a button was on."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
    replace: bool = False
    chat_id: int | None = field(default=None)
