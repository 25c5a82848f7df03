"""The knowledge base as one bundle: lexicon, S3 catalog, partner registry, classifier, matcher.

:func:`load_knowledge_base` is the single place that reads the data files, so the bot's
composition root loads everything once at start-up (well under the 2 s budget) and hands
the bundle to the engine; nothing is read at import time.

An admin overlay directory may hold ``nace_labels.json`` (written by ``tibs kb
import-nace``); its official Eurostat labels then serve as labels and as extra
classification terms, and cover codes the built-in lexicon lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.classify import Classifier
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.match import Matcher
from knowledge.nace_import import NaceLabels, load_nace_labels
from knowledge.registry import Partner, read_partners
from knowledge.s3 import S3_FILE, Region, S3Catalog, load_s3

PARTNERS_FILE = "partners.csv"


def default_data_dir() -> Path:
    """The built-in data shipped with the package (``knowledge/data``)."""
    return Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows about sectors, regions and partners, with label lookups."""

    lexicon: Lexicon
    s3: S3Catalog
    partners: tuple[Partner, ...]
    classifier: Classifier
    matcher: Matcher
    official: NaceLabels | None = None

    def sector_label(self, code: str, lang: str) -> str:
        """A sector's name in ``lang``: official label if imported, else the lexicon's.

        Codes without a label of their own fall back to their group's or division's label,
        and finally to the code itself.
        """
        for candidate in _code_and_parents(code):
            if self.official is not None:
                text = self.official.label(candidate, lang) or self.official.label(candidate, "en")
                if text:
                    return text
            text = self.lexicon.label(candidate, lang)
            if text:
                return text
        return code

    def priority_label(self, priority_id: str, lang: str) -> str:
        """An S3 priority's name in ``lang`` (English, then the id, as fallbacks)."""
        priority = self.s3.priority(priority_id)
        if priority is None:
            return priority_id
        return priority.label.get(lang) or priority.label.get("en") or priority_id

    def theme_label(self, theme_id: str, lang: str) -> str:
        """A Trans-S3 theme's name in ``lang`` (English, then the id, as fallbacks)."""
        theme = self.s3.theme(theme_id)
        if theme is None:
            return theme_id
        return theme.label.get(lang) or theme.label.get("en") or theme_id

    def region(self, region_id: str) -> Region | None:
        """An S3 region by id (e.g. "PL84")."""
        return self.s3.region(region_id)


def _code_and_parents(code: str) -> list[str]:
    """The code, then its group and division: 31.01 -> 31.01, 31.0, 31."""
    found = [code]
    if len(code) == 5:
        found.append(code[:4])
    if len(code) >= 4:
        found.append(code[:2])
    return found


def load_knowledge_base(
    data_dir: Path | None = None, overlay_dir: Path | None = None
) -> KnowledgeBase:
    """Load and validate the built-in data (or ``data_dir``) plus the admin overlay."""
    data_dir = data_dir or default_data_dir()
    lexicon = load_lexicon(data_dir)
    s3 = load_s3(data_dir / S3_FILE)
    official = load_nace_labels(overlay_dir) if overlay_dir is not None else None
    partners = tuple(read_partners(data_dir / PARTNERS_FILE, lexicon.codes))
    classifier = Classifier(lexicon, s3, official)
    return KnowledgeBase(
        lexicon=lexicon,
        s3=s3,
        partners=partners,
        classifier=classifier,
        matcher=Matcher(partners, classifier, s3),
        official=official,
    )
