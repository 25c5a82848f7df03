"""Text normalisation: folding, umlaut spellings, tokens, stop words and stemming."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge import normalize
from knowledge.normalize import (
    LANGS,
    canonical,
    content_words,
    fold,
    overlap_key,
    stem,
    stopwords,
    tokens,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Łódź", "lodz"),
        ("Møbler", "mobler"),
        ("Ærø", "aero"),
        ("Straße", "strasse"),
        ("MĒBELES", "mebeles"),
        ("ļ ķ ņ ģ š ž č ā ē ī ū", "l k n g s z c a e i u"),
        ("ą ę ė į ų ū ó ś ć ń ź ż", "a e e i u u o s c n z z"),
        ("õ ö ä ü å", "o o a u a"),
        ("Ａｕｔｏ", "auto"),  # NFKC: full-width letters
    ],
)
def test_fold_drops_diacritics_of_all_eight_languages(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("spelling", ["Möbel", "Moebel", "mobel", "MÖBEL", "moebel"])
def test_umlaut_spellings_meet(spelling: str) -> None:
    assert tokens(spelling) == ["mobel"]


def test_danish_ae_spelling_meets_the_letter() -> None:
    assert tokens("mælk") == tokens("maelk")


def test_tokens_drop_numbers_and_single_letters_and_split_hyphens() -> None:
    assert tokens("Kfz-Werkstatt, 2024, a 3D-Druck") == ["kfz", "werkstatt", "3d", "druck"]


def test_content_words_drop_function_and_generic_business_words() -> None:
    assert content_words("We are a small company looking for partners in furniture", "en") == [
        "furniture"
    ]
    assert content_words("Szukamy partnerów do produkcji mebli", "pl") == ["produkcji", "mebli"]


def test_it_is_a_sector_in_capitals_and_a_pronoun_otherwise() -> None:
    assert "it" in content_words("IT services", "en")
    assert "it" not in content_words("we make it easy", "en")
    assert "it" in content_words("it services", "en", curated=True)


def test_stopwords_without_language_cover_every_language() -> None:
    every = stopwords(None)
    for lang in LANGS:
        assert stopwords(lang) <= every


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("en", ["manufacturer", "manufacturers", "manufacturing", "manufacture"]),
        ("pl", ["meble", "mebli", "meblami", "meblowy"]),
        ("lv", ["mēbeles", "mēbeļu", "mebeles"]),
        ("lt", ["baldai", "baldų", "baldus"]),
        ("et", ["mööbel", "mööbli", "mööblit"]),
        ("fi", ["huonekaluja", "huonekalujen", "huonekaluissa", "huonekalu"]),
        ("de", ["Möbel", "Möbeln", "Moebeln"]),
        ("da", ["møbel", "møbler", "møblerne"]),
    ],
)
def test_inflected_forms_share_a_stem(lang: str, forms: list[str]) -> None:
    stems = {stem(tokens(form)[0], lang) for form in forms}
    assert len(stems) == 1, stems


def test_short_words_are_not_stripped_to_nothing() -> None:
    for lang in LANGS:
        assert stem("ab", lang) == "ab"
        assert len(stem("aaaaa", lang)) >= 3


def test_unknown_language_leaves_words_alone() -> None:
    assert stem("meble", "xx") == "meble"


def test_suffixes_are_in_canonical_form() -> None:
    """Stemming runs after canonical(): a suffix with ae/oe/ue could never match."""
    for suffixes in normalize._SUFFIXES.values():
        for suffix in suffixes:
            assert canonical(suffix) == suffix
            assert fold(suffix) == suffix


@pytest.mark.parametrize(
    "forms",
    [("hotel", "hotels"), ("meble", "meblami", "mebli"), ("huonekaluja", "huonekalu")],
)
def test_overlap_keys_meet_across_inflections(forms: tuple[str, ...]) -> None:
    assert len({overlap_key(form) for form in forms}) == 1
    assert all(len(overlap_key(form)) <= 6 for form in forms)


@given(st.text(max_size=80))
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


OUR_LETTERS = "ąćęłńóśźżāčēģīķļņšūžõäöüåæøßėįųé"
OUR_TEXT = st.text(
    alphabet=string.ascii_letters
    + string.digits
    + " ,.-;:!?()'"
    + OUR_LETTERS
    + OUR_LETTERS.upper(),
    max_size=80,
)


@given(OUR_TEXT)
def test_folded_text_of_our_languages_is_plain(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", folded))
    assert folded.isascii()


@given(OUR_TEXT)
def test_tokens_are_stable_under_folding(text: str) -> None:
    """Words are cut from the text as typed and folded one by one: same as folding first."""
    assert tokens(fold(text)) == tokens(text)


@given(OUR_TEXT)
def test_content_words_are_tokens_minus_stopwords(text: str) -> None:
    stop = stopwords("pl")
    assert content_words(text.lower(), "pl") == [w for w in tokens(text) if w not in stop]
