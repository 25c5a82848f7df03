"""Input normalisation and validation (reliability checklist D8), property-tested."""

from __future__ import annotations

import html
import unicodedata
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue.validate import clean_text, utf16_len, valid_email, valid_phone
from bot.text_split import split_message

FORBIDDEN = {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
    "\u2060",
}


@settings(max_examples=1000, deadline=None)
@given(st.text(), st.booleans())
def test_normaliser_is_idempotent_and_strips_controls(raw, multiline):
    cleaned = clean_text(raw, multiline=multiline)
    assert clean_text(cleaned, multiline=multiline) == cleaned
    for char in cleaned:
        assert char not in FORBIDDEN
        if unicodedata.category(char) == "Cc":
            assert char == "\n" and multiline


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaped_input_parses_as_html(raw):
    escaped = html.escape(clean_text(raw))
    parser = HTMLParser()
    parser.feed(f"<b>{escaped}</b>")
    parser.close()
    assert html.unescape(escaped) == clean_text(raw)


def test_emails():
    assert valid_email("Jan.Kowalski@Mebelux.PL") == "Jan.Kowalski@mebelux.pl"
    for bad in (
        "jan",
        "jan@",
        "@x.pl",
        "jan@x",
        "a b@x.pl",
        "jan@@x.pl",
        "jan..k@x.pl",
        "x" * 250 + "@x.pl",
    ):
        assert valid_email(bad) is None, bad


def test_phones():
    assert valid_phone("+48 (85) 123-45-67") == "+48851234567"
    assert valid_phone("0049 40 1234567") == "+49401234567"
    for bad in ("12", "call me", "+48 85 123 45 67 89 01 23", "١٢٣٤٥٦٧٨"):
        assert valid_phone(bad) is None, bad


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=900), max_size=12))
def test_split_message_respects_the_limit(paragraphs):
    text = "\n".join(f"<b>{html.escape(p)}</b>" for p in paragraphs) or "x"
    parts = split_message(text, limit=1000)
    assert all(utf16_len(part) <= 1000 for part in parts)
    assert "".join(parts).replace("\n", "").count("<b>") <= text.count("<b>")


def test_split_keeps_short_text_whole_and_counts_utf16():
    assert split_message("hello") == ["hello"]
    emoji = "\U0001f600" * 3000  # 6000 UTF-16 units
    parts = split_message(emoji)
    assert len(parts) == 2 and all(utf16_len(p) <= 4096 for p in parts)
