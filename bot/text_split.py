"""Split long replies at Telegram's 4096-unit limit without cutting through HTML tags.

Telegram counts UTF-16 code units after entity parsing; counting the raw HTML is stricter,
so a part that fits here always fits there.
"""

from __future__ import annotations

import re

from bot.dialogue.validate import utf16_len

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def _balanced(chunk: str) -> bool:
    open_tags: list[str] = []
    for closing, name in _TAG.findall(chunk):
        if closing:
            if not open_tags or open_tags[-1] != name:
                return False
            open_tags.pop()
        else:
            open_tags.append(name)
    return not open_tags


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` UTF-16 units, preferring paragraph breaks."""
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) <= limit and (_balanced(candidate) or not _balanced(current)):
            current = candidate
            continue
        if current:
            parts.append(current)
        while utf16_len(line) > limit:  # a single huge line: cut it, dropping markup
            plain = _TAG.sub("", line)
            cut = limit
            while utf16_len(plain[:cut]) > limit:
                cut -= 1
            parts.append(plain[:cut])
            line = plain[cut:]
        current = line
    if current:
        parts.append(current)
    return parts
