"""Brokers as knowledge-base data: who covers which region, in which language, in which chat.

Routing follows the GoSmart practice: a lead goes to the broker of the SME's region and to
the broker of the partner's region, who cooperate across the border.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LINK_CODE = re.compile(r"[a-z0-9]{1,24}")
LOCALES = frozenset({"en", "pl", "lv", "et", "lt", "fi", "de", "da"})


class BrokerDataError(ValueError):
    """The brokers file is malformed; the message names the entry and the field."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@dataclass(frozen=True)
class Broker:
    """One innovation broker (or a broker team's group chat)."""

    id: str
    agency: str
    name: str
    chat_id: int
    user_ids: tuple[int, ...]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    languages: tuple[str, ...]
    locale: str
    themes: tuple[str, ...] = ()
    link: str | None = None

    def covers_region(self, region: str | None) -> bool:
        """Whether ``region`` (an id or a name, any case or diacritics) is this broker's."""
        return bool(region) and _fold(region or "") in {_fold(r) for r in self.regions}


def _broker(entry: Any, index: int) -> Broker:
    if not isinstance(entry, dict):
        raise BrokerDataError(f"brokers[{index}]: must be an object")
    try:
        broker = Broker(
            id=str(entry["id"]),
            agency=str(entry["agency"]),
            name=str(entry["name"]),
            chat_id=int(entry["chat_id"]),
            user_ids=tuple(int(u) for u in entry.get("user_ids", [])),
            countries=tuple(str(c).upper() for c in entry["countries"]),
            regions=tuple(str(r) for r in entry.get("regions", [])),
            languages=tuple(str(lang) for lang in entry.get("languages", [])),
            locale=str(entry.get("locale", "en")),
            themes=tuple(str(t) for t in entry.get("themes", [])),
            link=str(entry["link"]) if entry.get("link") else None,
        )
    except KeyError as missing:
        raise BrokerDataError(f"brokers[{index}]: missing field {missing}") from None
    except (TypeError, ValueError) as error:
        raise BrokerDataError(f"brokers[{index}]: {error}") from None
    if broker.locale not in LOCALES:
        raise BrokerDataError(f"brokers[{index}].locale: {broker.locale!r} is not supported")
    if broker.link is not None and not _LINK_CODE.fullmatch(broker.link):
        raise BrokerDataError(f"brokers[{index}].link: use 1-24 characters a-z 0-9")
    if any(len(c) != 2 for c in broker.countries):
        raise BrokerDataError(f"brokers[{index}].countries: use ISO 3166 alpha-2 codes")
    return broker


class BrokerDirectory:
    """The brokers, with routing and rights lookups."""

    def __init__(self, brokers: Iterable[Broker]) -> None:
        self.brokers: tuple[Broker, ...] = tuple(brokers)
        ids = [b.id for b in self.brokers]
        if len(ids) != len(set(ids)):
            raise BrokerDataError("brokers: duplicate id")

    @classmethod
    def load(cls, path: Path) -> BrokerDirectory:
        """Read and validate a brokers JSON file."""
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data.get("brokers") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise BrokerDataError(f'{path.name}: expected {{"brokers": [...]}}')
        return cls(_broker(entry, i) for i, entry in enumerate(entries))

    def for_place(self, country: str, region: str | None) -> Broker | None:
        """The broker of a region, else the first broker of the country."""
        in_country = [b for b in self.brokers if country.upper() in b.countries]
        for broker in in_country:
            if broker.covers_region(region):
                return broker
        return in_country[0] if in_country else None

    def route(
        self,
        sme: tuple[str, str | None],
        partner: tuple[str, str | None],
        sme_agency: str | None = None,
    ) -> list[tuple[Broker, str]]:
        """Brokers for a lead: the SME's agency or region first, then the partner's."""
        routed: list[tuple[Broker, str]] = []
        for (country, region), role in ((sme, "sme_region"), (partner, "partner_region")):
            agency = self.by_id(sme_agency) if sme_agency and role == "sme_region" else None
            broker = agency or self.for_place(country, region)
            if broker is not None and all(b.id != broker.id for b, _ in routed):
                routed.append((broker, role))
        return routed

    def by_user(self, user_id: int) -> Broker | None:
        """The broker a Telegram user acts for."""
        return next((b for b in self.brokers if user_id in b.user_ids), None)

    def by_link(self, code: str) -> Broker | None:
        """The broker (agency) whose deep-link code this is."""
        return next((b for b in self.brokers if b.link == code), None)

    def by_id(self, broker_id: str) -> Broker | None:
        """A broker by id."""
        return next((b for b in self.brokers if b.id == broker_id), None)

    def ids(self) -> Sequence[str]:
        """All broker ids."""
        return [b.id for b in self.brokers]
