"""Detect untranslated English in a non-English conversation."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
_PLACEHOLDER = re.compile(r"\{\w*\}")
_TAG = re.compile(r"<[^>]+>")


def _fragments(message: str) -> list[str]:
    plain = _TAG.sub("", message)
    return [part.strip() for part in _PLACEHOLDER.split(plain) if len(part.strip()) >= 14]


def english_fragments(lang: str) -> set[str]:
    """Literal English pieces whose translation into ``lang`` differs from the English."""
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    fragments: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
        targets = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for source in sources:
            for fragment in _fragments(source):
                if not any(fragment in target for target in targets):
                    fragments.add(fragment)
    return fragments


def leaks(texts: list[str], lang: str) -> list[str]:
    """English fragments found in the rendered texts."""
    if lang == "en":
        return []
    fragments = english_fragments(lang)
    plain = "\n".join(html.unescape(_TAG.sub("", text)) for text in texts)
    return sorted(fragment for fragment in fragments if fragment in plain)
