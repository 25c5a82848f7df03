"""Translation catalogs (reliability checklist G1-G3, G6, G8): complete, consistent, correct."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES
from bot.i18n import MissingCatalogError, Translator

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
PLACEHOLDER = re.compile(r"\{\w*\}")
TAG = re.compile(r"</?[a-z-]+(?:\s[^>]*)?>")


def _catalog(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _template():
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return read_po(handle)


def _strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_catalog_is_complete(lang):
    catalog = _catalog(lang)
    template_ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _template() if m.id}
    catalog_ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
    assert template_ids <= catalog_ids, f"{lang}: run make update-catalogs"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = _strings(message.string)
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        if message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(("plural count", message.id))
        if any(not s.strip() for s in strings):
            problems.append(("empty", message.id))
    assert problems == []


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_placeholders_and_tags_match_the_source(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        source = _strings(message.id)[0]
        for translated in _strings(message.string):
            if sorted(PLACEHOLDER.findall(translated)) != sorted(PLACEHOLDER.findall(source)):
                problems.append(("placeholders", message.id, translated))
            if sorted(TAG.findall(translated)) != sorted(TAG.findall(source)):
                problems.append(("tags", message.id, translated))
            for command in re.findall(r"/[a-z]+", source):
                if command not in translated:
                    problems.append(("command", message.id, command))
    assert problems == []


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_plural_forms_header_is_cldr(lang):
    catalog = _catalog(lang)
    expected = get_plural(Locale.parse(lang))
    assert catalog.num_plurals == expected.num_plurals
    assert catalog.plural_expr.replace(" ", "") == expected.plural_expr.replace(" ", "")


# Native forms of the noun in "at least {count} character(s)" for a few n per language.
PLURAL_GOLDEN = {
    "pl": {1: "znak", 2: "znaki", 5: "znaków", 12: "znaków", 22: "znaki", 25: "znaków"},
    "lt": {1: "simbol", 2: "simboli", 10: "simbolių", 21: "simbol", 11: "simbolių"},
    "lv": {1: "rakstzīm", 0: "rakstzīm", 5: "rakstzīm"},
    "de": {1: "Zeichen", 5: "Zeichen"},
}


def test_plural_rules_select_the_right_form(translator):
    singular = "Please write at least {count} character."
    plural = "Please write at least {count} characters."
    for lang, table in PLURAL_GOLDEN.items():
        tr = translator.get(lang)
        for n, stem in table.items():
            text = tr.ngettext(singular, plural, n)
            assert stem in text, (lang, n, text)
    forms = {n: translator.get("pl").ngettext(singular, plural, n) for n in (1, 2, 5)}
    assert len(set(forms.values())) == 3, forms


def test_interleaved_locales_never_leak(translator):
    message = "Please choose one of the buttons below."
    expected = {lang: translator.get(lang).gettext(message) for lang in SUPPORTED_LOCALES}
    assert len(set(expected.values())) == len(SUPPORTED_LOCALES)
    for i in range(1000):
        lang = SUPPORTED_LOCALES[(i * 7) % len(SUPPORTED_LOCALES)]
        assert translator.get(lang).gettext(message) == expected[lang]


def test_missing_compiled_catalog_stops_start_up(tmp_path):
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    with pytest.raises(MissingCatalogError, match="make locales"):
        Translator(tmp_path, ("en", "pl"))
