"""Input cleaning and validation: what users type is normalised before anything stores it.

The normaliser is idempotent, removes control, bidi and zero-width characters (they can
spoof how a name looks in a broker's chat) and never lets a value exceed its field limit.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_AND_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e\u00ad"
)
_SPACES = re.compile(r"[^\S\n]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE_JUNK = re.compile(r"[\s().\-/]")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Return ``text`` in NFC without control/invisible characters and with tidy whitespace."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    for char in text:
        if char in _BIDI_AND_INVISIBLE:
            continue
        category = unicodedata.category(char)
        if char == "\n":
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif category in {"Cc", "Cs", "Co", "Cn"} or (
            category == "Cf" and not _is_emoji_joiner(char)
        ):
            continue
        else:
            kept.append(char)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def _is_emoji_joiner(char: str) -> bool:
    # Tag characters and variation selectors are harmless parts of emoji sequences.
    return 0xE0020 <= ord(char) <= 0xE007F


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts message limits in."""
    return len(text.encode("utf-16-le")) // 2


def valid_email(value: str) -> str | None:
    """Return the normalised address (domain lower-cased) or None when it is not plausible."""
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value) or ".." in value:
        return None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def valid_phone(value: str) -> str | None:
    """Return the number as ``+digits`` / ``digits`` (7-15 digits, E.164 length) or None."""
    compact = _PHONE_JUNK.sub("", value.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact[1:] if compact.startswith("+") else compact
    if not digits.isascii() or not digits.isdigit() or not 7 <= len(digits) <= 15:
        return None
    return compact
