"""Ports: what the dialogue engine needs from the outside world, as small protocols.

The engine depends on these, not on Telegram or on how knowledge is loaded, so it can be tested
with the real knowledge base or run in the console alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from knowledge.match import MatchProfile as MatchQuery
from knowledge.match import Reason as MatchReason

__all__ = ["KnowledgePort", "MatchQuery", "MatchReason", "PartnerMatch"]


@dataclass(frozen=True)
class PartnerMatch:
    """An anonymised partner suggestion, as EEN shows it: no name, no contact."""

    partner_id: str
    country: str
    region: str
    sectors: tuple[str, ...]
    offers: str
    seeks: str
    score: float
    reasons: tuple[MatchReason, ...]


class KnowledgePort(Protocol):
    """Sector proposals, labels, regions and partner matches."""

    def propose_sectors(self, text: str, lang: str, top: int = 3) -> Sequence[str]:
        """NACE codes that fit a free-text activity description, best first."""
        ...

    def sector_label(self, code: str, lang: str) -> str:
        """A short sector name in ``lang``."""
        ...

    def regions(self, country: str) -> Sequence[tuple[str, str]]:
        """Known (id, display name) regions of a country, for region buttons."""
        ...

    def theme_label(self, theme: str, lang: str) -> str:
        """A Trans-S3 theme's name in ``lang``."""
        ...

    def match(self, query: MatchQuery, top: int = 5) -> Sequence[PartnerMatch]:
        """The best cross-border partners for a profile."""
        ...
