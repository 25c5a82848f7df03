"""Adapter from the knowledge package to the engine's :class:`bot.ports.KnowledgePort`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.ports import MatchQuery, PartnerMatch
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.match import Matcher
from knowledge.registry import Partner

MIN_SECTOR_SCORE = 0.2


class KnowledgeAdapter:
    """Sector proposals, labels, regions and matches, from the loaded knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    @classmethod
    def load(cls, overlay_dir: Path | None = None) -> KnowledgeAdapter:
        """Load the built-in data plus the admin overlay."""
        return cls(load_knowledge_base(overlay_dir=overlay_dir))

    def propose_sectors(self, text: str, lang: str, top: int = 3) -> Sequence[str]:
        """NACE codes for a free-text activity, best first, weak guesses left out."""
        found = self.kb.classifier.classify(text, lang, top=top)
        return [c.code for c in found.nace if c.score >= MIN_SECTOR_SCORE][:top]

    def sector_label(self, code: str, lang: str) -> str:
        """Short sector name."""
        return self.kb.sector_label(code, lang)

    def theme_label(self, theme: str, lang: str) -> str:
        """Trans-S3 theme name."""
        return self.kb.theme_label(theme, lang)

    def regions(self, country: str) -> Sequence[tuple[str, str]]:
        """S3 partner regions of a country, for the region buttons."""
        return [(r.id, r.name) for r in self.kb.s3.regions if r.country == country.upper()]

    def partners(self) -> Sequence[Partner]:
        """The partner registry in use."""
        return self.kb.partners

    def known_codes(self) -> Sequence[str]:
        """NACE codes the lexicon knows (accepted in uploads)."""
        return tuple(self.kb.lexicon.codes)

    def replace_partners(self, partners: Sequence[Partner]) -> None:
        """Use a new registry from now on (an admin upload or rollback); one atomic swap."""
        matcher = Matcher(tuple(partners), self.kb.classifier, self.kb.s3)
        self.kb = replace(self.kb, partners=tuple(partners), matcher=matcher)

    def match(self, query: MatchQuery, top: int = 5) -> Sequence[PartnerMatch]:
        """Cross-border partner suggestions with their reasons."""
        return [
            PartnerMatch(
                partner_id=m.partner.id,
                country=m.partner.country,
                region=m.partner.region,
                sectors=tuple(m.partner.nace),
                offers=m.partner.offers,
                seeks=m.partner.seeks,
                score=m.score,
                reasons=m.reasons,
            )
            for m in self.kb.matcher.match(query, top)
        ]
