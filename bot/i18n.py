"""Translations and locale-aware formatting for every user-facing string.

Catalogs are compiled gettext files under ``locales/<lang>/LC_MESSAGES/messages.mo``.
A :class:`Tr` is cheap and bound to one locale, so concurrent users never share a
"current language" (no global state, no cache keyed by thread).
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal

from bot.config import SUPPORTED_LOCALES

DOMAIN = "messages"
# Names of the languages in themselves: shown on the language buttons, never translated.
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "pl": "Polski",
    "lv": "Latviešu",
    "et": "Eesti",
    "lt": "Lietuvių",
    "fi": "Suomi",
    "de": "Deutsch",
    "da": "Dansk",
}


class MissingCatalogError(RuntimeError):
    """A configured locale has no compiled catalog: start-up must stop with a clear message."""


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translated at render time)."""
    return message


def negotiate(language_code: str | None, default: str = "en") -> str:
    """Map Telegram's optional IETF tag (``de``, ``de-AT``, ``pt-br``) to a supported locale."""
    if language_code:
        primary = language_code.replace("_", "-").split("-")[0].lower()
        if primary in SUPPORTED_LOCALES:
            return primary
        if primary == "nb" or primary == "no":
            return "da" if "da" in SUPPORTED_LOCALES else default
    return default


@dataclass(frozen=True)
class Tr:
    """Translations plus Babel formatting, bound to one locale."""

    lang: str
    catalog: _gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """Translate ``message``."""
        return self.catalog.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """Translate a short ``message`` whose meaning depends on ``context``."""
        return self.catalog.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate with the locale's CLDR plural rule."""
        return self.catalog.ngettext(singular, plural, n)

    @property
    def locale(self) -> Locale:
        """The Babel locale."""
        return Locale.parse(self.lang)

    def country(self, code: str) -> str:
        """Country name in this locale (``DE`` -> ``Niemcy`` in Polish)."""
        return str(self.locale.territories.get(code.upper(), code.upper()))

    def language(self, code: str) -> str:
        """Language name in this locale (``de`` -> ``saksa`` in Finnish)."""
        return str(self.locale.languages.get(code, code))

    def number(self, value: float | int | Decimal) -> str:
        """Format a number with this locale's separators."""
        return format_decimal(value, locale=self.lang)

    def money(self, value: float | int | Decimal, currency: str = "EUR") -> str:
        """Format an amount of money (whole units) in this locale."""
        return format_currency(
            value,
            currency,
            locale=self.lang,
            format_type="standard",
            currency_digits=False,
            decimal_quantization=False,
        )

    def datetime(self, value: datetime) -> str:
        """Format a timestamp in this locale."""
        return format_datetime(value, "medium", locale=self.lang)

    def join(self, items: Iterable[str]) -> str:
        """Join items as a list in this locale (``a, b and c``)."""
        values = [item for item in items if item]
        return format_list(values, locale=self.lang) if values else ""


class Translator:
    """Loads each configured locale's compiled catalog once and hands out :class:`Tr`."""

    def __init__(
        self, locales_dir: Path, locales: Iterable[str] = SUPPORTED_LOCALES, default: str = "en"
    ) -> None:
        self.default = default
        self._catalogs: dict[str, _gettext.NullTranslations] = {}
        missing = []
        for lang in locales:
            mo = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if not mo.is_file():
                missing.append(f"{lang} ({mo})")
                continue
            with mo.open("rb") as handle:
                self._catalogs[lang] = _gettext.GNUTranslations(handle)
        if missing:
            raise MissingCatalogError(
                "compiled catalogs missing for: "
                + ", ".join(missing)
                + " - run `make locales` (pybabel compile -d locales -D messages)"
            )

    @property
    def locales(self) -> tuple[str, ...]:
        """The loaded locales."""
        return tuple(self._catalogs)

    def get(self, lang: str | None) -> Tr:
        """Return a :class:`Tr` for ``lang`` (the default locale when unknown)."""
        code = lang if lang in self._catalogs else self.default
        return Tr(code, self._catalogs[code])
