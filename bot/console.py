"""Console adapter: the same dialogue engine in a terminal, buttons shown as numbered choices.

It lets a newcomer try the product with one command and no Telegram account; the state is
stored in the same database, so quitting and starting again resumes the conversation.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.model import Button, Incoming, Reply

CONSOLE_USER_ID = 1
_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML to terminal text."""
    return html.unescape(_TAGS.sub("", text))


def render(reply: Reply, first_number: int = 1) -> tuple[str, list[Button]]:
    """Render a reply; returns the text and the buttons in the order they are numbered."""
    lines = [plain(reply.text)]
    numbered: list[Button] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            numbered.append(button)
            cells.append(f"[{first_number + len(numbered) - 1}] {button.label}")
        lines.append("   ".join(cells))
    if reply.document is not None:
        lines.append(f"(file {reply.document.filename}, {len(reply.document.content)} bytes)")
    return "\n".join(lines), numbered


class ConsoleChat:
    """Reads lines, turns numbers into button presses and prints the engine's replies."""

    def __init__(
        self,
        engine: DialogueEngine,
        *,
        user_id: int = CONSOLE_USER_ID,
        language_code: str | None = None,
        export_dir: Path | None = None,
        write: Callable[[str], None] = print,
    ) -> None:
        self._engine = engine
        self._user_id = user_id
        self._language_code = language_code
        self._export_dir = export_dir
        self._write = write
        self._buttons: list[Button] = []

    def to_incoming(self, line: str) -> Incoming:
        """Map a typed line to an engine input (a number picks the button with that number)."""
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._buttons):
            button = self._buttons[int(stripped) - 1]
            return Incoming(
                self._user_id,
                self._user_id,
                kind="button",
                button=button.id,
                language_code=self._language_code,
                source="console",
            )
        return Incoming(
            self._user_id,
            self._user_id,
            text=line,
            language_code=self._language_code,
            source="console",
        )

    def show(self, replies: Sequence[Reply]) -> None:
        """Print replies and remember the buttons of the last one that had any."""
        for reply in replies:
            text, buttons = render(reply)
            self._write(text + "\n")
            if buttons:
                self._buttons = buttons
            if reply.document is not None and self._export_dir is not None:
                self._export_dir.mkdir(parents=True, exist_ok=True)
                target = self._export_dir / reply.document.filename
                target.write_bytes(reply.document.content)
                self._write(f"(saved to {target})\n")

    async def send(self, line: str) -> list[Reply]:
        """Send one typed line and print the answer."""
        replies = await self._engine.handle(self.to_incoming(line))
        self.show(replies)
        return replies

    async def run(self, read: Callable[[], str | None]) -> None:
        """Chat until end of input (Ctrl-D) or ``/quit``."""
        await self.send("/start")
        while True:
            line = await asyncio.to_thread(read)
            if line is None or line.strip() in {"/quit", "/exit"}:
                return
            if line.strip():
                await self.send(line)


def read_stdin() -> str | None:
    """Read one line from the terminal, None at end of input."""
    try:
        sys.stdout.write("> ")
        sys.stdout.flush()
        line = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return None
    return line.rstrip("\n") if line else None
